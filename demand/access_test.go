package demand_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
)

// A client admits, settles, closes and reads only their own contacts;
// every refusal is audited. Professionals and the system act for anyone,
// and every read of pending contacts is audited with its caller.
func TestClientsActOnlyForThemselves(t *testing.T) {
	ctx := context.Background()
	other := audit.Actor{Kind: audit.ActorClient, ID: "client-8"}
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	for _, tc := range []struct {
		name   string
		action string
		run    func(f admitFixture, contact string) error
	}{
		{"admit for another", "channel.admit", func(f admitFixture, _ string) error {
			_, err := f.adm.Admit(ctx, demand.Request{Actor: other, Client: "client-7", Errand: channel.ErrandLabResults, Kind: channel.Chat})
			return err
		}},
		{"settle another's", "channel.settle", func(f admitFixture, id string) error {
			_, err := f.adm.Settle(ctx, other, id)
			return err
		}},
		{"close another's", "channel.close", func(f admitFixture, id string) error {
			_, err := f.adm.Close(ctx, other, id, "no_answer")
			return err
		}},
		{"read another's", "channel.pending", func(f admitFixture, _ string) error {
			_, err := f.adm.Pending(ctx, other, "client-7")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newAdmitter(t, demand.PolicyKeepBoth)
			a, err := f.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-7", Errand: channel.ErrandLabResults, Kind: channel.Callback})
			require.NoError(t, err)
			err = tc.run(f, a.Contact.ID)
			require.ErrorIs(t, err, demand.ErrNotAllowed)
			evs, err := f.log.Events(ctx, audit.Filter{ActorID: other.ID, Action: tc.action})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, audit.Denied, evs[0].Outcome)
			pending, err := f.adm.Pending(ctx, nurse, "client-7")
			require.NoError(t, err)
			require.Len(t, pending, 1, "nothing changed")
		})
	}
	f := newAdmitter(t, demand.PolicyKeepBoth)
	_, err := f.adm.Pending(ctx, client, "client-7")
	require.NoError(t, err)
	evs, err := f.log.Events(ctx, audit.Filter{Action: "channel.pending"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, client, evs[0].Actor)
	require.Equal(t, audit.Allowed, evs[0].Outcome)
}
