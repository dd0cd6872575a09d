package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

var t0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func workItem(i int) routing.Item {
	return routing.Item{
		ID: carecontact.ItemID(fmt.Sprintf("item-%05d", i)),
		Contact: routing.Contact{Client: carecontact.ClientRef(fmt.Sprintf("client-%d", i)),
			Errand: channel.ErrandLabResults, Channel: channel.Chat, Area: "kallio"},
		State: routing.ItemQueued, EnqueuedAt: t0.Add(time.Duration(i) * time.Second), StepAt: t0,
	}
}

func applyChange(ctx context.Context, s routing.Store, c routing.Change) (routing.Item, error) {
	it, _, err := storeApply(ctx, s, &c)
	return it, err
}

// handleOne claims item id for professional p (an offer: compare-and-set
// on the item's version and the professional's capacity), accepts it and
// completes it, writing a "routing.complete" audit event with the
// completion. It reports whether this worker handled the item.
func handleOne(ctx context.Context, s routing.Store, id carecontact.ItemID, p carecontact.ProfessionalID) (bool, error) {
	it, err := s.Item(ctx, id)
	if errors.Is(err, routing.ErrItemNotFound) {
		return false, nil
	}
	if err != nil || it.State != routing.ItemQueued {
		return false, err
	}
	offer := it
	offer.State, offer.Professional, offer.Deadline = routing.ItemOffered, p, t0.Add(time.Minute)
	offered, err := applyChange(ctx, s, routing.Change{Item: offer, Expect: it.Version, Professional: p, Slot: routing.SlotChat, Load: 1})
	if errors.Is(err, routing.ErrConflict) || errors.Is(err, routing.ErrNoCapacity) || errors.Is(err, routing.ErrItemNotFound) {
		return false, nil // another worker won (or already finished) the item, or p is full
	}
	if err != nil {
		return false, fmt.Errorf("offer %s: %w", id, err)
	}
	accept := offered
	accept.State, accept.Deadline = routing.ItemAccepted, time.Time{}
	accepted, err := applyChange(ctx, s, routing.Change{Item: accept, Expect: offered.Version})
	if err != nil {
		return false, fmt.Errorf("accept %s: %w", id, err)
	}
	_, err = applyChange(ctx, s, routing.Change{Item: accepted, Expect: accepted.Version, Remove: true,
		Professional: p, Slot: routing.SlotChat, Load: -1, IdleSince: t0.Add(time.Hour),
		Events: []audit.Event{{At: t0, Actor: audit.Actor{Kind: audit.ActorProfessional, ID: string(p)},
			Action: "routing.complete", Subject: "item/" + string(id), Outcome: audit.Allowed}}})
	if err != nil {
		return false, fmt.Errorf("complete %s: %w", id, err)
	}
	return true, nil
}

// claimRace creates nItems work items and nProfs available professionals
// (chat capacity 1) through the stores, then lets workers goroutines (each
// on store w % len(stores), acting for professional w % nProfs) race to
// claim, accept and complete every item. midway, if not nil, runs once
// when a third of the items are done. It returns how often each item was
// handled.
func claimRace(t *testing.T, stores []routing.Store, nItems, nProfs, workers int, midway func()) []int32 {
	t.Helper()
	ctx := context.Background()
	profs := make([]carecontact.ProfessionalID, nProfs)
	for p := range profs {
		profs[p] = carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", p))
		_, err := stores[p%len(stores)].RegisterProfessional(ctx, profs[p], routing.Capacity{Chat: 1}, t0)
		require.NoError(t, err)
		_, err = stores[(p+1)%len(stores)].SetPresence(ctx, profs[p], routing.PresenceAvailable, t0, nil)
		require.NoError(t, err)
	}
	for i := range nItems {
		_, err := stores[i%len(stores)].CreateItem(ctx, workItem(i), nil)
		require.NoError(t, err)
	}
	handled := make([]int32, nItems)
	var done atomic.Int64
	var once sync.Once
	var failed atomic.Bool
	deadline := time.Now().Add(90 * time.Second)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, p := stores[w%len(stores)], profs[w%nProfs]
			for done.Load() < int64(nItems) && !failed.Load() {
				if time.Now().After(deadline) {
					t.Errorf("worker %d: items still unhandled after 90s", w)
					failed.Store(true)
					return
				}
				for k := range nItems {
					i := (k + w*nItems/workers) % nItems
					ok, err := handleOne(ctx, s, workItem(i).ID, p)
					if err != nil {
						t.Errorf("worker %d: %v", w, err)
						failed.Store(true)
						return
					}
					if ok {
						atomic.AddInt32(&handled[i], 1)
						if done.Add(1) == int64(nItems/3) && midway != nil {
							once.Do(midway)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	return handled
}

// checkAllHandledOnce asserts that every item was handled exactly once, is
// gone from the store, left one completion event, and that every
// professional's load is back to zero.
func checkAllHandledOnce(t *testing.T, dbs []*postgres.DB, handled []int32, nProfs int) {
	t.Helper()
	ctx := context.Background()
	for i, n := range handled {
		require.Equal(t, int32(1), n, "item %d handled exactly once", i)
	}
	s := dbs[len(dbs)-1].RoutingStore()
	left, err := s.Items(ctx)
	require.NoError(t, err)
	require.Empty(t, left, "no item left behind")
	for p := range nProfs {
		ps, err := s.Professional(ctx, carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", p)))
		require.NoError(t, err)
		require.Zero(t, ps.Load.Chat, "no capacity leaked")
	}
	evs, err := dbs[0].AuditLog().Events(ctx, audit.Filter{Action: "routing.complete"})
	require.NoError(t, err)
	require.Len(t, evs, len(handled), "one completion event per item, written with the completion")
	subjects := map[string]bool{}
	for _, e := range evs {
		require.False(t, subjects[e.Subject], "completion of %s recorded twice", e.Subject)
		subjects[e.Subject] = true
	}
}

func TestReplicasRaceForWorkItems(t *testing.T) {
	const replicas, nItems, nProfs, workers = 4, 120, 8, 16
	dbs := openDBs(t, replicas, 4)
	stores := make([]routing.Store, replicas)
	for i, db := range dbs {
		stores[i] = db.RoutingStore()
	}
	handled := claimRace(t, stores, nItems, nProfs, workers, nil)
	checkAllHandledOnce(t, dbs, handled, nProfs)
}

func TestReplicasRaceForCallbacks(t *testing.T) {
	ctx := context.Background()
	const replicas, clients, workers = 4, 40, 16
	dbs := openDBs(t, replicas, 4)
	sys := audit.System("callback")
	var wg sync.WaitGroup
	var opened atomic.Int32
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := dbs[w%replicas].CallbackStore()
			for k := range clients {
				c := (k + w*3) % clients
				r := callback.Record{ID: fmt.Sprintf("r-%d-%d", c, w), Client: carecontact.ClientRef(fmt.Sprintf("client-%d", c)),
					Phone: "0401234567", Errand: channel.ErrandLabResults, Team: "team-a",
					RequestedAt: t0, Deadline: t0.Add(2 * time.Hour), State: callback.StatePlanned}
				_, joined, err := s.OpenOrJoin(ctx, r, sys, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if !joined {
					opened.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(clients), opened.Load(), "one request per client and errand")
	all, err := dbs[0].CallbackStore().List(ctx, callback.Filter{OpenOnly: true})
	require.NoError(t, err)
	require.Len(t, all, clients, "no callback lost, none doubled")
	for _, r := range all {
		require.Equal(t, workers-1, r.Joins, "every other request joined %s", r.ID)
		require.Equal(t, callback.Phone("0401234567"), r.Phone)
	}
	evs, err := dbs[1].AuditLog().Events(ctx, audit.Filter{})
	require.NoError(t, err)
	require.Len(t, evs, clients*workers, "one open or join event per call")

	// Every replica tries to close every request: each closes exactly once.
	var closed atomic.Int32
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := dbs[w%replicas].CallbackStore()
			for _, r := range all {
				cur, err := s.Get(ctx, r.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if !cur.Open() {
					continue
				}
				cur.State, cur.Out, cur.Closed = callback.StateClosed, callback.OutcomeReached, t0.Add(time.Hour)
				_, err = s.Update(ctx, cur, nil)
				switch {
				case err == nil:
					closed.Add(1)
				case !errors.Is(err, callback.ErrConflict):
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(clients), closed.Load())
	open, err := dbs[2].CallbackStore().List(ctx, callback.Filter{OpenOnly: true})
	require.NoError(t, err)
	require.Empty(t, open)
}

func TestClaimSurvivesKilledConnection(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, table, query string }{
		{"while locking the item", "routing_items", "%FROM routing_items WHERE id = $1 FOR UPDATE%"},
		{"after locking the item, while locking the professional", "routing_professionals", "%FROM routing_professionals WHERE id = $1 FOR UPDATE%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbs := openDBs(t, 1, 2)
			s := dbs[0].RoutingStore()
			_, err := s.RegisterProfessional(ctx, "nurse-1", routing.Capacity{Chat: 1}, t0)
			require.NoError(t, err)
			_, err = s.SetPresence(ctx, "nurse-1", routing.PresenceAvailable, t0, nil)
			require.NoError(t, err)
			it, err := s.CreateItem(ctx, workItem(1), nil)
			require.NoError(t, err)
			offer := it
			offer.State, offer.Professional = routing.ItemOffered, "nurse-1"
			c := routing.Change{Item: offer, Expect: it.Version, Professional: "nurse-1", Slot: routing.SlotChat, Load: 1}
			err = killMidway(t, dsnOf(dbs[0]), tc.table, tc.query, func() error {
				_, _, err := storeApply(ctx, s, &c)
				return err
			})
			require.NoError(t, err, "the claim is retried on a fresh connection")
			got, err := s.Item(ctx, it.ID)
			require.NoError(t, err)
			require.Equal(t, it.Version+1, got.Version, "claimed once")
			require.Equal(t, carecontact.ProfessionalID("nurse-1"), got.Professional)
			ps, err := s.Professional(ctx, "nurse-1")
			require.NoError(t, err)
			require.Equal(t, 1, ps.Load.Chat, "the professional's load counted once")
			_, _, err = storeApply(ctx, s, &c)
			require.ErrorIs(t, err, routing.ErrConflict, "the same claim cannot be made twice")
			_, err = s.CreateItem(ctx, workItem(2), nil)
			require.NoError(t, err, "the store works afterwards")
		})
	}
}

func TestClaimsAcrossServerRestart(t *testing.T) {
	const replicas, nItems, nProfs, workers = 4, 90, 8, 16
	dbs := openDBs(t, replicas, 4)
	stores := make([]routing.Store, replicas)
	for i, db := range dbs {
		stores[i] = db.RoutingStore()
	}
	handled := claimRace(t, stores, nItems, nProfs, workers, func() { restartServer(t, dsnOf(dbs[0])) })
	checkAllHandledOnce(t, dbs, handled, nProfs)
}

// storeApply calls s.Apply with c and returns the item (zero if removed)
// and the professional (zero if none) as stored after it.
func storeApply(ctx context.Context, s routing.Store, c *routing.Change) (routing.Item, routing.ProfessionalState, error) {
	var it routing.Item
	var ps routing.ProfessionalState
	err := s.Apply(ctx, c, &it, &ps)
	return it, ps, err
}
