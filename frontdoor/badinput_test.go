package frontdoor_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
)

// A contact's references are checked at the door, before admission, and
// named as the ContactRequest names them (the admitter's "Client" came
// back); a client reference that reads as an identity code is refused
// before it reaches routing, the planner or the audit trail; a line event
// of an unknown kind is named before the contact is looked up.
func TestDoorBadInputRegressions(t *testing.T) {
	ctx := context.Background()
	mib := strings.Repeat("x", 1<<20)
	chat := frontdoor.ContactRequest{Client: "c-1", Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00530"}
	for _, tc := range []struct {
		name, field string
		edit        func(r *frontdoor.ContactRequest)
	}{
		{"a mebibyte client", "client", func(r *frontdoor.ContactRequest) { r.Client = carecontact.ClientRef(mib) }},
		{"an identity code as client", "client", func(r *frontdoor.ContactRequest) { r.Client = "131052-308T" }},
		{"a mebibyte errand", "errand", func(r *frontdoor.ContactRequest) { r.Errand = channel.Errand(mib) }},
		{"an unknown channel", "channel", func(r *frontdoor.ContactRequest) { r.Channel = "pigeon" }},
		{"a mebibyte own team", "ownTeam", func(r *frontdoor.ContactRequest) { r.OwnTeam = carecontact.TeamID(mib) }},
		{"a mebibyte group", "group", func(r *frontdoor.ContactRequest) { r.Group = mib }},
		{"a malformed postal code", "postalCode", func(r *frontdoor.ContactRequest) { r.PostalCode = "abc" }},
		{"priority 9", "priority", func(r *frontdoor.ContactRequest) { r.Priority = 9 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := newClientStation(t, demand.PolicyMerge)
			r := chat
			tc.edit(&r)
			_, err := st.door.Contact(ctx, r)
			requireDoorField(t, err, tc.field)
			require.NotContains(t, err.Error(), "308T")
		})
	}
	st := newClientStation(t, demand.PolicyMerge)
	requireDoorField(t, st.door.Line(ctx, frontdoor.Line{Kind: "bogus", Contact: "k-none"}), "kind")
}

func requireDoorField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	var fe *carecontact.FieldError
	require.True(t, errors.As(err, &fe), "%v", err)
	require.Equal(t, field, fe.Field)
	require.Less(t, len(err.Error()), 300)
}
