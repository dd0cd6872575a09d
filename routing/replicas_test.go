package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

func replicaDirectory(t *testing.T) *routing.Directory {
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

// Two dispatchers over one store: replicated, each serves what the other
// enqueued and sees whom the other signed in; not replicated (the
// default), each knows only its own.
func TestReplicatedDispatchers(t *testing.T) {
	ctx := context.Background()
	contact := routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults, Channel: channel.Chat,
		PostalCode: "00530", OwnTeam: "kallio-a", Hold: true}
	for _, tc := range []struct {
		name       string
		replicated bool
	}{{"replicated", true}, {"not replicated", false}} {
		t.Run(tc.name, func(t *testing.T) {
			now := monday10
			clock := carecontact.ClockFunc(func() time.Time { return now })
			store := memory.NewRoutingStore(nil)
			newDispatcher := func() *routing.Dispatcher {
				d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: replicaDirectory(t), Clock: clock,
					Store: store, Replicated: tc.replicated})
				require.NoError(t, err)
				return d
			}
			a, b := newDispatcher(), newDispatcher()
			_, err := a.Enqueue(ctx, "chat-1", contact)
			require.NoError(t, err)
			_, err = b.SetPresence(ctx, "aino", routing.PresenceAvailable)
			require.NoError(t, err)
			it, err := store.Item(ctx, "chat-1")
			require.NoError(t, err)
			require.Equal(t, routing.ItemQueued, it.State, "B does not know chat-1 before it refreshes")

			now = now.Add(routing.DefaultRefreshEvery)
			require.NoError(t, b.Advance(ctx))
			it, err = store.Item(ctx, "chat-1")
			require.NoError(t, err)
			if !tc.replicated {
				require.Equal(t, routing.ItemQueued, it.State, "without replication B never reads the store again")
				_, err = b.Accept(ctx, "chat-1", "aino")
				require.ErrorIs(t, err, routing.ErrItemNotFound)
				return
			}
			require.Equal(t, routing.ItemOffered, it.State, "B's refresh found chat-1 and offered it")
			require.Equal(t, carecontact.ProfessionalID("aino"), it.Professional)
			_, err = a.Accept(ctx, "chat-1", "aino")
			require.NoError(t, err, "A brings chat-1 up to date before accepting")
			_, err = b.Finish(ctx, "chat-1", "aino")
			require.NoError(t, err)
			_, err = store.Item(ctx, "chat-1")
			require.ErrorIs(t, err, routing.ErrItemNotFound)
			require.NoError(t, a.Refresh(ctx))
			_, known := a.Item("chat-1")
			require.False(t, known, "A's refresh forgot the finished item")
			st, _ := a.Professional("aino")
			require.Equal(t, routing.PresenceAvailable, st.Presence)
			require.Zero(t, st.Load.Chat)
		})
	}
}

func TestRefreshEveryMustNotBeNegative(t *testing.T) {
	_, err := routing.NewDispatcher(context.Background(), routing.DispatcherConfig{Directory: replicaDirectory(t),
		Clock: carecontact.ClockFunc(time.Now), Store: memory.NewRoutingStore(nil), RefreshEvery: -time.Second})
	require.ErrorIs(t, err, routing.ErrInvalid)
}

// A replica stops with an offer open. Another replica, refreshing after
// the offer's deadline, times it out at its own now and offers the item
// again with a deadline from then, not one already past.
func TestReplicaTakesOverAStoppedReplicasOffer(t *testing.T) {
	ctx := context.Background()
	now := monday10
	clock := carecontact.ClockFunc(func() time.Time { return now })
	store := memory.NewRoutingStore(nil)
	var events []routing.Event
	newDispatcher := func(sink routing.Sink) *routing.Dispatcher {
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: replicaDirectory(t), Clock: clock,
			Store: store, Replicated: true, Sink: sink})
		require.NoError(t, err)
		return d
	}
	a := newDispatcher(nil)
	b := newDispatcher(func(e routing.Event) { events = append(events, e) })
	for _, p := range []carecontact.ProfessionalID{"aino", "bertil"} {
		_, err := a.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	offered, err := a.Enqueue(ctx, "chat-1", routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a"})
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, offered.State)
	// A stops here. B refreshes two minutes later.
	now = now.Add(2 * time.Minute)
	require.NoError(t, b.Advance(ctx))
	it, err := store.Item(ctx, "chat-1")
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, it.State)
	require.NotEqual(t, offered.Professional, it.Professional, "offered to the other nurse")
	require.False(t, it.Deadline.Before(now), "the new offer's deadline is not in the past")
	require.Equal(t, now.UTC().Add(routing.DefaultOfferTimeout), it.Deadline)
	var timedOut []routing.Event
	for _, e := range events {
		if e.Kind == routing.EventTimedOut {
			timedOut = append(timedOut, e)
		}
	}
	require.Len(t, timedOut, 1)
	require.Equal(t, now.UTC(), timedOut[0].At.UTC(), "timed out when B learnt of it")
	ps, err := store.Professional(ctx, offered.Professional)
	require.NoError(t, err)
	require.Zero(t, ps.Load.Chat, "the first nurse's slot is free again")
}
