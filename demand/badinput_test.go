package demand_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
)

// A close reason is free text: a phone number in it is redacted in the
// audit detail (the close failed with an untyped audit error), and a
// mebibyte or control characters are refused naming the field.
func TestCloseReasonIsFreeText(t *testing.T) {
	ctx := context.Background()
	f := newAdmitter(t, demand.PolicyMerge)
	a, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandLabResults, Kind: channel.Chat})
	require.NoError(t, err)
	for _, reason := range []string{strings.Repeat("r", 1<<20), "left\x00", "left \xff"} {
		_, err := f.adm.Close(ctx, client, a.Contact.ID, reason)
		requireField(t, err, "reason")
	}
	_, err = f.adm.Close(ctx, client, a.Contact.ID, "soittakaa 040 123 4567")
	require.NoError(t, err)
	evs, err := f.log.Events(ctx, audit.Filter{Action: "channel.close"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, "soittakaa "+audit.Redacted, evs[0].Detail["reason"])
}

// Admissions and counts that were accepted before.
func TestAdmitAndStatsBadInput(t *testing.T) {
	ctx := context.Background()
	f := newAdmitter(t, demand.PolicyMerge)
	_, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandLabResults, Kind: channel.Chat, ID: "0401234567"})
	requireField(t, err, "ID")
	require.NotContains(t, err.Error(), "0401234567")
	_, err = f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandLabResults, Kind: "pigeon"})
	requireField(t, err, "Kind")
	require.ErrorIs(t, err, channel.ErrUnknownKind, "an unknown kind still matches the channel's sentinel")
	now := f.clock.Now()
	_, err = f.adm.Stats(ctx, now, now.Add(-1))
	requireField(t, err, "until")
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, demand.ErrInvalidAdmission)
	var fe *carecontact.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	require.Equal(t, field, fe.Field)
	require.Less(t, len(err.Error()), 300)
}
