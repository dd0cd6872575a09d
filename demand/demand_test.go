package demand_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/storage/memory"
)

type admitFixture struct {
	adm   *demand.Admitter
	log   *memory.AuditLog
	clock *clock.Mock
}

func newAdmitter(t *testing.T, policy demand.Policy) admitFixture {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 7, 30, 0, 0, time.UTC))
	log := memory.NewAuditLog()
	n := 0
	adm, err := demand.New(demand.Config{
		Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(log), Clock: clk, Audit: log, Policy: policy,
		NewID: func() string { n++; return fmt.Sprintf("contact-%d", n) },
	})
	require.NoError(t, err)
	return admitFixture{adm: adm, log: log, clock: clk}
}

var client = audit.Actor{Kind: audit.ActorClient, ID: "client-7"}

func TestAdmitDuplicateAcrossChatAndCallback(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		policy demand.Policy
		queue  bool
		state  demand.ContactState
	}{
		{demand.PolicyMerge, false, demand.ContactMerged},
		{demand.PolicyKeepBoth, true, demand.ContactPending},
		{demand.PolicyRedirect, false, demand.ContactRedirected},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			f := newAdmitter(t, tc.policy)
			chat, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Chat})
			require.NoError(t, err)
			require.False(t, chat.Duplicate())
			require.True(t, chat.Queue())
			require.Equal(t, channel.IdentityStrong, chat.RequiredIdentity)
			f.clock.Add(3 * time.Minute)
			cb, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
			require.NoError(t, err)
			require.True(t, cb.Duplicate())
			require.Equal(t, chat.Contact.ID, cb.Existing.ID)
			require.Equal(t, channel.Chat, cb.Existing.Kind, "the client is told the errand is in the chat queue")
			require.Equal(t, tc.queue, cb.Queue())
			require.Equal(t, tc.state, cb.Contact.State)
			require.Equal(t, channel.IdentityWeak, cb.RequiredIdentity)

			events, err := f.log.Events(ctx, audit.Filter{Action: "channel.admit"})
			require.NoError(t, err)
			require.Len(t, events, 2)
			require.Equal(t, "contact/contact-1", events[1].Detail["duplicate_of"])
			require.Equal(t, string(tc.policy), events[1].Detail["policy"])

			// The chat resolves the errand: a kept callback is withdrawn.
			s, err := f.adm.Settle(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}, chat.Contact.ID)
			require.NoError(t, err)
			if tc.queue {
				require.Len(t, s.Withdrawn, 1)
				require.Equal(t, channel.Callback, s.Withdrawn[0].Kind)
			} else {
				require.Empty(t, s.Withdrawn)
			}
			stats, err := f.adm.Stats(ctx, time.Time{}, f.clock.Now().Add(time.Hour))
			require.NoError(t, err)
			require.Equal(t, 2, stats.Admitted)
			require.Equal(t, 1, stats.Duplicates)
			require.InDelta(t, 0.5, stats.DuplicateRate(), 1e-9)
		})
	}
}

func TestAdmitRefusesUnsuitable(t *testing.T) {
	f := newAdmitter(t, "")
	_, err := f.adm.Admit(context.Background(), demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandWoundCare, Kind: channel.Chat})
	require.ErrorIs(t, err, channel.ErrUnsuitable)
	var ue *channel.UnsuitableError
	require.ErrorAs(t, err, &ue)
	require.Equal(t, "the professional needs to see the client; book a visit or use video", ue.Reason)
	for name, req := range map[string]demand.Request{
		"no client": {Actor: client, Errand: channel.ErrandOther, Kind: channel.Chat},
		"no errand": {Actor: client, Client: "c", Kind: channel.Chat},
		"bad kind":  {Actor: client, Client: "c", Errand: channel.ErrandOther, Kind: "fax"},
		"no actor":  {Client: "c", Errand: channel.ErrandOther, Kind: channel.Chat},
	} {
		_, err := f.adm.Admit(context.Background(), req)
		require.Error(t, err, name)
	}
}

func TestAdmitPolicyForAndClose(t *testing.T) {
	ctx := context.Background()
	clk := clock.NewMock()
	store := memory.NewDemandStore(nil)
	adm, err := demand.New(demand.Config{
		Matrix: channel.DefaultMatrix(), Store: store, Clock: clk, Audit: memory.NewAuditLog(),
		PolicyFor: func(req demand.Request, existing demand.Contact) demand.Policy {
			if existing.Kind == channel.Callback {
				return demand.PolicyRedirect // a callback is already promised
			}
			return demand.PolicyKeepBoth
		},
	})
	require.NoError(t, err)
	first, err := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandMentalHealth, Kind: channel.Callback})
	require.NoError(t, err)
	second, err := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandMentalHealth, Kind: channel.Chat})
	require.NoError(t, err)
	require.Equal(t, demand.ContactRedirected, second.Contact.State)
	closed, err := adm.Close(ctx, audit.System("callback"), first.Contact.ID, "no_answer")
	require.NoError(t, err)
	require.Equal(t, demand.ContactClosed, closed.State)
	pending, err := adm.Pending(ctx, audit.System("test"), "client-7")
	require.NoError(t, err)
	require.Empty(t, pending)
	_, err = adm.Settle(ctx, audit.System("x"), first.Contact.ID)
	require.ErrorIs(t, err, demand.ErrContactClosed)

	_, err = demand.New(demand.Config{Matrix: channel.DefaultMatrix(), Store: store, Clock: clk, Audit: memory.NewAuditLog(), Policy: "ignore"})
	require.Error(t, err)
	_, err = demand.New(demand.Config{Store: store, Clock: clk})
	require.Error(t, err)
}

// A plain UUID sometimes looks like a phone number to the audit validator
// ("0113173..."); default contact IDs never do.
func TestNewContactIDIsAuditSafe(t *testing.T) {
	seen := map[string]bool{}
	for range 20000 {
		id := demand.NewContactID()
		require.False(t, seen[id])
		seen[id] = true
		e := audit.Event{At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), Actor: audit.System("t"), Action: "channel.admit", Subject: "contact/" + id, Outcome: audit.Allowed,
			Detail: map[string]string{"duplicate_of": "contact/" + id}}
		require.NoError(t, e.Validate(), id)
	}
}

// Bad configuration and malformed requests are field errors of the
// Admitter's sentinels, and through them carecontact.ErrInvalid.
func TestAdmitterFieldErrors(t *testing.T) {
	clk := clock.NewMock()
	store := memory.NewDemandStore(nil)
	log := memory.NewAuditLog()
	matrix := channel.DefaultMatrix()
	for _, tc := range []struct {
		name  string
		cfg   demand.Config
		field string
	}{
		{"no matrix", demand.Config{Store: store, Clock: clk, Audit: log}, "Matrix"},
		{"no store", demand.Config{Matrix: matrix, Clock: clk, Audit: log}, "Store"},
		{"no clock", demand.Config{Matrix: matrix, Store: store, Audit: log}, "Clock"},
		{"no audit", demand.Config{Matrix: matrix, Store: store, Clock: clk}, "Audit"},
		{"unknown policy", demand.Config{Matrix: matrix, Store: store, Clock: clk, Audit: log, Policy: "ignore"}, "Policy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := demand.New(tc.cfg)
			require.ErrorIs(t, err, demand.ErrInvalidConfig)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}

	f := newAdmitter(t, demand.PolicyMerge)
	for _, tc := range []struct {
		name  string
		req   demand.Request
		field string
	}{
		{"no client", demand.Request{Actor: client, Errand: channel.ErrandMentalHealth, Kind: channel.Chat}, "Client"},
		{"no errand", demand.Request{Actor: client, Client: "c1", Kind: channel.Chat}, "Errand"},
		{"mebibyte ID", demand.Request{Actor: client, Client: "c1", Errand: channel.ErrandMentalHealth, Kind: channel.Chat,
			ID: strings.Repeat("x", 1<<20)}, "ID"},
		{"NUL in ID", demand.Request{Actor: client, Client: "c1", Errand: channel.ErrandMentalHealth, Kind: channel.Chat, ID: "c\x00"}, "ID"},
		{"invalid UTF-8 client", demand.Request{Actor: client, Client: "c\xff", Errand: channel.ErrandMentalHealth, Kind: channel.Chat}, "Client"},
		{"mebibyte ref", demand.Request{Actor: client, Client: "c1", Errand: channel.ErrandMentalHealth, Kind: channel.Chat,
			Ref: strings.Repeat("r", 1<<20)}, "Ref"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.adm.Admit(context.Background(), tc.req)
			require.ErrorIs(t, err, demand.ErrInvalidAdmission)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestAdmitTakesTheCallersID(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, id, want string
	}{
		{"given", "dk7", "dk7"},
		{"default", "", "contact-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAdmitter(t, demand.PolicyMerge)
			ad, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandLabResults,
				Kind: channel.Chat, ID: tc.id})
			require.NoError(t, err)
			require.Equal(t, tc.want, ad.Contact.ID)
		})
	}
}
