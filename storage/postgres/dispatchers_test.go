package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// Two replicated dispatchers over one database (separate pools) see each
// other's changes: an item enqueued through A is accepted through B and
// finished through A again; a nurse who signs in through B gets the work
// queued on A at A's next refresh, not when it has given up on her.
func TestReplicatedDispatchersSeeEachOther(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 4)
	now := t0
	clock := carecontact.ClockFunc(func() time.Time { return now })
	newDispatcher := func(s routing.Store) *routing.Dispatcher {
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: leaseDirectory(t), Clock: clock, Store: s,
			Replicated: true, RefreshEvery: 2 * time.Second})
		require.NoError(t, err)
		return d
	}
	a, b := newDispatcher(dbs[0].RoutingStore()), newDispatcher(dbs[1].RoutingStore())
	store := dbs[1].RoutingStore()
	chat := func(client carecontact.ClientRef) routing.Contact {
		return routing.Contact{Client: client, Errand: channel.ErrandLabResults, Channel: channel.Chat,
			PostalCode: "00530", OwnTeam: "kallio-a", Hold: true}
	}

	t.Run("any replica serves an item", func(t *testing.T) {
		_, err := b.SetPresence(ctx, "aino", routing.PresenceAvailable)
		require.NoError(t, err)
		st, ok := a.Professional("aino")
		require.True(t, ok)
		require.Equal(t, routing.PresenceAway, st.Presence, "A has not refreshed yet")
		now = now.Add(2 * time.Second)
		require.NoError(t, a.Advance(ctx))
		st, _ = a.Professional("aino")
		require.Equal(t, routing.PresenceAvailable, st.Presence, "A refreshed")

		it, err := a.Enqueue(ctx, "chat-1", chat("k-1"))
		require.NoError(t, err)
		require.Equal(t, routing.ItemOffered, it.State, "A offers to the nurse who signed in through B")
		require.Equal(t, carecontact.ProfessionalID("aino"), it.Professional)

		_, known := b.Item("chat-1")
		require.False(t, known, "B has not seen the item")
		accepted, err := b.Accept(ctx, "chat-1", "aino")
		require.NoError(t, err, "B reads the item from the store instead of answering not found")
		require.Equal(t, routing.ItemAccepted, accepted.State)

		_, err = a.Finish(ctx, "chat-1", "aino")
		require.NoError(t, err, "A brings its stale view up to date before finishing")
		_, err = store.Item(ctx, "chat-1")
		require.ErrorIs(t, err, routing.ErrItemNotFound, "completed once")
		ps, err := store.Professional(ctx, "aino")
		require.NoError(t, err)
		require.Zero(t, ps.Load.Chat)

		_, err = b.Accept(ctx, "chat-1", "aino")
		require.ErrorIs(t, err, routing.ErrItemNotFound, "B forgets an item gone from the store")
	})

	t.Run("a nurse signed in through B gets A's queued work", func(t *testing.T) {
		_, err := a.SetPresence(ctx, "aino", routing.PresenceAway)
		require.NoError(t, err)
		now = now.Add(2 * time.Second)
		require.NoError(t, b.Advance(ctx))
		it, err := a.Enqueue(ctx, "chat-2", chat("k-2"))
		require.NoError(t, err)
		require.Equal(t, routing.ItemQueued, it.State, "nobody is signed in: it holds")

		_, err = b.SetPresence(ctx, "bertil", routing.PresenceAvailable)
		require.NoError(t, err)
		got, err := store.Item(ctx, "chat-2")
		require.NoError(t, err)
		require.Equal(t, routing.ItemQueued, got.State, "B has not seen chat-2 and A has not seen bertil yet")
		now = now.Add(2 * time.Second)
		require.NoError(t, a.Advance(ctx))
		got, err = store.Item(ctx, "chat-2")
		require.NoError(t, err)
		require.Equal(t, routing.ItemOffered, got.State)
		require.Equal(t, carecontact.ProfessionalID("bertil"), got.Professional)
		ps, err := store.Professional(ctx, "bertil")
		require.NoError(t, err)
		require.Equal(t, 1, ps.Load.Chat, "offered once")

		next, ok, err := a.NextDeadline(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		require.False(t, next.After(now.Add(2*time.Second)), "a replicated dispatcher wakes for its next refresh")
	})
}
