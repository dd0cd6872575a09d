package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
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

// Three replicated dispatchers over one database (separate pools): items
// are enqueued, accepted and finished through random replicas while the
// replicas refresh now and then, and the server restarts when a third are
// done. Every item is handled exactly once and nobody holds more than
// their capacity.
func TestReplicatedDispatchersRace(t *testing.T) {
	const replicas, nurses, nItems = 3, 6, 150
	ctx := context.Background()
	dbs := openDBs(t, replicas, 4)
	var profs []routing.Professional
	for i := range nurses {
		profs = append(profs, routing.Professional{ID: carecontact.ProfessionalID(fmt.Sprintf("nurse-%d", i)), Role: routing.RoleNurse,
			Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Chat: 1}})
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00500", "00530"}}},
		Teams:         []routing.Team{{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"}},
		Professionals: profs, Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	clock := carecontact.ClockFunc(func() time.Time { return t0 })
	ds := make([]*routing.Dispatcher, replicas)
	for i, db := range dbs {
		ds[i], err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: db.RoutingStore(),
			Replicated: true, OfferTimeout: time.Hour})
		require.NoError(t, err)
	}
	pick := func() *routing.Dispatcher { return ds[rand.IntN(replicas)] }
	for _, p := range profs {
		_, err := pick().SetPresence(ctx, p.ID, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	store := dbs[0].RoutingStore()

	var handled [nItems]atomic.Int32
	var done, lost, refreshes atomic.Int32
	var restartOnce sync.Once
	start := time.Now()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	deadline := time.Now().Add(60 * time.Second)
	tolerated := func(err error) bool {
		return errors.Is(err, routing.ErrConflict) || errors.Is(err, routing.ErrWrongState) ||
			errors.Is(err, routing.ErrItemNotFound) || errors.Is(err, routing.ErrOfferExpired)
	}
	wg.Add(1)
	go func() { // the enqueuers' side: each item through a random replica
		defer wg.Done()
		for i := range nItems {
			_, err := pick().Enqueue(ctx, carecontact.ItemID(fmt.Sprintf("chat-%03d", i)), routing.Contact{
				Client: carecontact.ClientRef(fmt.Sprintf("k-%d", i)), Errand: channel.ErrandLabResults, Channel: channel.Chat,
				PostalCode: "00530", OwnTeam: "kallio-a", Hold: true})
			if err != nil {
				t.Errorf("enqueue %d: %v", i, err)
				return
			}
		}
	}()
	wg.Add(1)
	go func() { // the replicas' drivers: a refresh now and then
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
			}
			if err := pick().Refresh(ctx); err != nil {
				t.Errorf("refresh: %v", err)
				return
			}
			refreshes.Add(1)
		}
	}()
	for _, p := range profs {
		wg.Add(1)
		go func() { // a nurse: takes what is offered to her, through any replica
			defer wg.Done()
			for done.Load() < nItems {
				if time.Now().After(deadline) {
					t.Errorf("%s: items still unhandled after 60 s", p.ID)
					return
				}
				items, err := store.Items(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				for _, it := range items {
					if it.State != routing.ItemOffered || it.Professional != p.ID {
						continue
					}
					if _, err := pick().Accept(ctx, it.ID, p.ID); err != nil {
						if !tolerated(err) {
							t.Errorf("accept %s: %v", it.ID, err)
						}
						lost.Add(1)
						continue
					}
					if _, err := pick().Finish(ctx, it.ID, p.ID); err != nil {
						t.Errorf("finish %s: %v", it.ID, err)
						return
					}
					var n int
					_, _ = fmt.Sscanf(string(it.ID), "chat-%d", &n)
					handled[n].Add(1)
					if done.Add(1) == nItems/3 {
						restartOnce.Do(func() { restartServer(t, dsnOf(dbs[0])) })
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	for done.Load() < nItems && time.Now().Before(deadline) && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	t.Logf("%d items through %d replicas, the server restarted midway, in %v: %d accepts lost a race (changed meanwhile), %d refreshes",
		done.Load(), replicas, time.Since(start).Round(time.Millisecond), lost.Load(), refreshes.Load())
	for i := range handled {
		require.Equal(t, int32(1), handled[i].Load(), "item %d handled exactly once", i)
	}
	left, err := store.Items(ctx)
	require.NoError(t, err)
	require.Empty(t, left)
	for _, p := range profs {
		ps, err := store.Professional(ctx, p.ID)
		require.NoError(t, err)
		require.Zero(t, ps.Load.Chat, "%s holds nothing", p.ID)
	}
}
