package frontdoor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// SessionDemand settles and closes a session's contact in the Admitter: a
// settled chat withdraws the queued callback (with its host reference), and
// a contact already closed is no error.
func TestSessionDemand(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	client := audit.Actor{Kind: audit.ActorClient, ID: "client-1"}
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "n-1"}
	for _, tc := range []struct {
		name      string
		run       func(d frontdoor.SessionDemand, chat, cb string) ([]session.WithdrawnContact, error)
		withdrawn []session.WithdrawnContact
	}{
		{"settle withdraws the other contact", func(d frontdoor.SessionDemand, chat, _ string) ([]session.WithdrawnContact, error) {
			return d.Settle(ctx, nurse, chat)
		}, []session.WithdrawnContact{{ID: "contact-2", Kind: channel.Callback, Ref: "cb-7"}}},
		{"settling twice withdraws nothing", func(d frontdoor.SessionDemand, chat, _ string) ([]session.WithdrawnContact, error) {
			if _, err := d.Settle(ctx, nurse, chat); err != nil {
				return nil, err
			}
			return d.Settle(ctx, nurse, chat)
		}, nil},
		{"close leaves the other contact", func(d frontdoor.SessionDemand, _, cb string) ([]session.WithdrawnContact, error) {
			return nil, d.Close(ctx, nurse, cb, "no_answer")
		}, nil},
		{"closing a closed contact is no error", func(d frontdoor.SessionDemand, chat, _ string) ([]session.WithdrawnContact, error) {
			if _, err := d.Settle(ctx, nurse, chat); err != nil {
				return nil, err
			}
			return nil, d.Close(ctx, nurse, chat, "no_answer")
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			adm, err := demand.New(demand.Config{Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(nil), Audit: memory.NewAuditLog(),
				Clock: carecontact.ClockFunc(func() time.Time { return now }), Policy: demand.PolicyKeepBoth,
				NewID: func() string { n++; return fmt.Sprintf("contact-%d", n) }})
			require.NoError(t, err)
			chat, err := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-1", Errand: channel.ErrandLabResults, Kind: channel.Chat})
			require.NoError(t, err)
			cb, err := adm.Admit(ctx, demand.Request{Actor: client, Client: "client-1", Errand: channel.ErrandLabResults, Kind: channel.Callback, Ref: "cb-7"})
			require.NoError(t, err)
			withdrawn, err := tc.run(frontdoor.SessionDemand{Admitter: adm}, chat.Contact.ID, cb.Contact.ID)
			require.NoError(t, err)
			require.Equal(t, tc.withdrawn, withdrawn)
		})
	}
}

// A SessionDemand without its Admitter is a configuration error.
func TestSessionDemandWithoutAdmitter(t *testing.T) {
	var d frontdoor.SessionDemand
	_, err := d.Settle(context.Background(), audit.System("t"), "c1")
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	require.ErrorIs(t, d.Close(context.Background(), audit.System("t"), "c1", "x"), carecontact.ErrInvalid)
}
