package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
)

func leaseDirectory(t testing.TB) *routing.Directory {
	t.Helper()
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00500", "00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"}},
		Professionals: []routing.Professional{
			{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Chat: 1}},
			{ID: "bertil", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Chat: 1}},
		},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	return dir
}

// An offer is a lease: the replica that made it may crash, and the offer
// then times out at its deadline in whichever replica's dispatcher
// advances past it, which frees the professional and offers the item again.
func TestCrashedReplicasOfferComesBack(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 4)
	now := t0
	clock := carecontact.ClockFunc(func() time.Time { return now })

	a, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: leaseDirectory(t), Clock: clock, Store: dbs[0].RoutingStore()})
	require.NoError(t, err)
	for _, p := range []carecontact.ProfessionalID{"aino", "bertil"} {
		_, err := a.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	_, err = a.Enqueue(ctx, "chat-1", routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a"})
	require.NoError(t, err)
	store := dbs[1].RoutingStore()
	it, err := store.Item(ctx, "chat-1")
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, it.State)
	first := it.Professional
	require.False(t, it.Deadline.IsZero(), "an offer has a deadline")

	// Replica A crashes with the offer open: its pool is gone and its
	// dispatcher never runs again.
	dbs[0].Pool().Close()

	// Replica B starts, rebuilds its queues from the database and advances
	// past the offer's deadline.
	now = now.Add(10 * time.Second)
	b, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: leaseDirectory(t), Clock: clock, Store: store})
	require.NoError(t, err)
	ps, err := store.Professional(ctx, first)
	require.NoError(t, err)
	require.Equal(t, 1, ps.Load.Chat, "before the deadline the offer still holds %s", first)
	now = it.Deadline
	require.NoError(t, b.Advance(ctx))

	it, err = store.Item(ctx, "chat-1")
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, it.State, "offered again")
	require.NotEqual(t, first, it.Professional, "to the other professional")
	require.Contains(t, it.Excluded, first)
	ps, err = store.Professional(ctx, first)
	require.NoError(t, err)
	require.Zero(t, ps.Load.Chat, "the timed-out offer freed %s", first)
	_, err = b.Accept(ctx, "chat-1", it.Professional)
	require.NoError(t, err)
	it, err = store.Item(ctx, "chat-1")
	require.NoError(t, err)
	require.Equal(t, routing.ItemAccepted, it.State)
}
