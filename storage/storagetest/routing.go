package storagetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

var routingT0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func routingItem(i int) routing.Item {
	return routing.Item{
		ID: carecontact.ItemID(fmt.Sprintf("item-%04d", i)),
		Contact: routing.Contact{
			Client:  carecontact.ClientRef(fmt.Sprintf("client-%d", i)),
			Errand:  channel.ErrandInfectionSymptoms,
			Channel: channel.Callback,
			Area:    "kalasatama",
		},
		State:      routing.ItemQueued,
		EnqueuedAt: routingT0.Add(time.Duration(i) * time.Second),
		StepAt:     routingT0.Add(time.Duration(i) * time.Second),
	}
}

func routingEvent(action string, it routing.Item) audit.Event {
	return audit.Event{
		At: routingT0, Actor: audit.System("routing"), Action: action,
		Subject: "item/" + string(it.ID), Client: it.Contact.Client, Outcome: audit.Allowed,
	}
}

// offerChange is the change that offers it to p.
func offerChange(it routing.Item, p carecontact.ProfessionalID) *routing.Change {
	next := it
	next.State = routing.ItemOffered
	next.Professional = p
	next.Deadline = routingT0.Add(time.Minute)
	return &routing.Change{Item: next, Expect: it.Version, Professional: p, Slot: routing.SlotSynchronous, Load: 1}
}

func runRouting(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("professionals", func(t *testing.T) {
		s := h.Routing(t, 1)[0]
		ps, err := s.RegisterProfessional(ctx, "nurse-1", routing.Capacity{Synchronous: 1, Chat: 3}, routingT0)
		require.NoError(t, err)
		require.Equal(t, routing.PresenceAway, ps.Presence)
		require.Equal(t, routingT0, ps.IdleSince)
		ps, err = s.RegisterProfessional(ctx, "nurse-1", routing.Capacity{Synchronous: 1, Chat: 2}, routingT0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, 2, ps.Capacity.Chat, "registering again updates the capacity")
		require.Equal(t, routingT0, ps.IdleSince, "and keeps the rest")

		signIn := routingT0.Add(30 * time.Minute)
		ps, err = s.SetPresence(ctx, "nurse-1", routing.PresenceAvailable, signIn, nil)
		require.NoError(t, err)
		require.Equal(t, routing.PresenceAvailable, ps.Presence)
		require.Equal(t, signIn, ps.IdleSince, "signing in starts the idle time")
		ps, err = s.SetPresence(ctx, "nurse-1", routing.PresenceBusy, signIn.Add(time.Minute), nil)
		require.NoError(t, err)
		require.Equal(t, signIn, ps.IdleSince, "busy is still signed in")

		_, err = s.SetPresence(ctx, "nurse-1", routing.PresenceWrapUp, signIn, nil)
		require.ErrorIs(t, err, routing.ErrInvalid)
		_, err = s.SetPresence(ctx, "nobody", routing.PresenceAvailable, signIn, nil)
		require.ErrorIs(t, err, routing.ErrUnknownProfessional)
		_, err = s.Professional(ctx, "nobody")
		require.ErrorIs(t, err, routing.ErrUnknownProfessional)
		got, err := s.Professional(ctx, "nurse-1")
		require.NoError(t, err)
		require.Equal(t, routing.PresenceBusy, got.Presence)
	})

	t.Run("items", func(t *testing.T) {
		s := h.Routing(t, 1)[0]
		for _, i := range []int{3, 1, 2} {
			it, err := s.CreateItem(ctx, routingItem(i), nil)
			require.NoError(t, err)
			require.Equal(t, uint64(1), it.Version)
		}
		_, err := s.CreateItem(ctx, routingItem(1), nil)
		require.ErrorIs(t, err, routing.ErrDuplicateItem)
		_, err = s.CreateItem(ctx, routing.Item{State: routing.ItemQueued}, nil)
		require.ErrorIs(t, err, routing.ErrInvalid)
		all, err := s.Items(ctx)
		require.NoError(t, err)
		require.Len(t, all, 3)
		for i, it := range all {
			require.Equal(t, routingItem(i+1).ID, it.ID, "items come back in ID order")
			require.Equal(t, routingItem(i+1).Contact, it.Contact)
		}
		_, err = s.Item(ctx, "missing")
		require.ErrorIs(t, err, routing.ErrItemNotFound)
	})

	t.Run("calls", func(t *testing.T) {
		s := h.Routing(t, 1)[0]
		for _, p := range []carecontact.ProfessionalID{"host", "guest"} {
			_, err := s.RegisterProfessional(ctx, p, routing.Capacity{Synchronous: 1, Chat: 2}, routingT0)
			require.NoError(t, err)
		}
		it, err := s.CreateItem(ctx, routingItem(1), nil)
		require.NoError(t, err)
		join := func(it routing.Item, p carecontact.ProfessionalID, d int) (routing.Item, routing.ProfessionalState, error) {
			next := it
			if d > 0 {
				next.Guests = append(slices.Clone(it.Guests), p)
			} else {
				next.Guests = nil
			}
			next.Continued = channel.Video
			return storeApply(ctx, s, &routing.Change{Item: next, Expect: it.Version, Professional: p, InCall: d})
		}
		_, _, err = join(it, "guest", 1)
		require.ErrorIs(t, err, routing.ErrNoCapacity, "an away professional joins no call")
		_, err = s.SetPresence(ctx, "guest", routing.PresenceBusy, routingT0, nil)
		require.NoError(t, err)
		it, ps, err := join(it, "guest", 1)
		require.NoError(t, err, "busy stops offers, not calls")
		require.Equal(t, 1, ps.InCall)
		require.Equal(t, []carecontact.ProfessionalID{"guest"}, it.Guests)
		require.Equal(t, channel.Video, it.Continued)
		got, err := s.Item(ctx, it.ID)
		require.NoError(t, err)
		require.Equal(t, it, got, "guests and the continued channel are stored")
		_, _, err = join(it, "guest", 1)
		require.ErrorIs(t, err, routing.ErrNoCapacity, "one call at a time")
		ps, err = s.Professional(ctx, "guest")
		require.NoError(t, err)
		require.False(t, ps.CanTake(routing.SlotChat), "in a call: no offers")

		it, ps, err = join(it, "guest", -1)
		require.NoError(t, err)
		require.Zero(t, ps.InCall)
		_, _, err = join(it, "guest", -1)
		require.ErrorIs(t, err, routing.ErrConflict, "the call count never goes negative")
	})

	t.Run("conditional changes", func(t *testing.T) {
		s := h.Routing(t, 1)[0]
		_, err := s.RegisterProfessional(ctx, "nurse-1", routing.Capacity{Synchronous: 1}, routingT0)
		require.NoError(t, err)
		a, err := s.CreateItem(ctx, routingItem(1), nil)
		require.NoError(t, err)
		b, err := s.CreateItem(ctx, routingItem(2), nil)
		require.NoError(t, err)

		_, _, err = storeApply(ctx, s, offerChange(a, "nurse-1"))
		require.ErrorIs(t, err, routing.ErrNoCapacity, "an away professional takes no offers")
		got, err := s.Item(ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a, got, "a refused change leaves nothing behind")

		_, err = s.SetPresence(ctx, "nurse-1", routing.PresenceAvailable, routingT0, nil)
		require.NoError(t, err)
		offered, ps, err := storeApply(ctx, s, offerChange(a, "nurse-1"))
		require.NoError(t, err)
		require.Equal(t, routing.ItemOffered, offered.State)
		require.Equal(t, uint64(2), offered.Version)
		require.Equal(t, 1, ps.Load.Synchronous)
		require.Equal(t, routing.PresenceBusy, ps.Effective())

		_, _, err = storeApply(ctx, s, offerChange(b, "nurse-1"))
		require.ErrorIs(t, err, routing.ErrNoCapacity, "capacity 1 holds one synchronous item")
		_, _, err = storeApply(ctx, s, offerChange(a, "nurse-1"))
		require.ErrorIs(t, err, routing.ErrConflict, "a stale version is refused")
		_, _, err = storeApply(ctx, s, &routing.Change{Item: routing.Item{ID: "missing"}, Expect: 1})
		require.ErrorIs(t, err, routing.ErrItemNotFound)

		// Wrap-up holds the slot and blocks other offers.
		wrap := offered
		wrap.State = routing.ItemWrapUp
		wrap.Deadline = routingT0.Add(3 * time.Minute)
		wrapped, ps, err := storeApply(ctx, s, &routing.Change{Item: wrap, Expect: offered.Version, Professional: "nurse-1", WrapUps: 1})
		require.NoError(t, err)
		require.Equal(t, routing.PresenceWrapUp, ps.Effective())
		require.False(t, ps.CanTake(routing.SlotChat))

		// Completing removes the item and frees the professional.
		done := routingT0.Add(4 * time.Minute)
		removed, ps, err := storeApply(ctx, s, &routing.Change{
			Item: wrapped, Expect: wrapped.Version, Remove: true, Professional: "nurse-1",
			Slot: routing.SlotSynchronous, Load: -1, WrapUps: -1, IdleSince: done,
			Events: []audit.Event{routingEvent("routing.complete", wrapped)},
		})
		require.NoError(t, err)
		require.Equal(t, routing.Item{}, removed)
		require.Equal(t, 0, ps.Load.Synchronous)
		require.Equal(t, done, ps.IdleSince)
		require.Equal(t, routing.PresenceAvailable, ps.Effective())
		_, err = s.Item(ctx, a.ID)
		require.ErrorIs(t, err, routing.ErrItemNotFound)

		// Releasing below zero is refused.
		_, _, err = storeApply(ctx, s, &routing.Change{Item: b, Expect: b.Version, Professional: "nurse-1", Slot: routing.SlotSynchronous, Load: -1})
		require.ErrorIs(t, err, routing.ErrConflict)

		// Excluded lists survive and are not aliased.
		q := b
		q.Excluded = []carecontact.ProfessionalID{"nurse-1"}
		stored, _, err := storeApply(ctx, s, &routing.Change{Item: q, Expect: b.Version})
		require.NoError(t, err)
		q.Excluded[0] = "changed"
		again, err := s.Item(ctx, b.ID)
		require.NoError(t, err)
		require.Equal(t, []carecontact.ProfessionalID{"nurse-1"}, again.Excluded)
		require.Equal(t, stored, again)
	})

	t.Run("audit events are atomic with the change", func(t *testing.T) {
		s := h.Routing(t, 1)[0]
		it := routingItem(7)
		bad := routingEvent("routing.enqueue", it)
		bad.Detail = map[string]string{"phone": "+358401234567"}
		_, err := s.CreateItem(ctx, it, []audit.Event{routingEvent("routing.enqueue", it), bad})
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		_, err = s.Item(ctx, it.ID)
		require.ErrorIs(t, err, routing.ErrItemNotFound, "a bad event fails the whole change")
		created, err := s.CreateItem(ctx, it, []audit.Event{routingEvent("routing.enqueue", it)})
		require.NoError(t, err)
		next := created
		next.Step = 1
		_, _, err = storeApply(ctx, s, &routing.Change{Item: next, Expect: created.Version, Events: []audit.Event{bad}})
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		got, err := s.Item(ctx, it.ID)
		require.NoError(t, err)
		require.Equal(t, 0, got.Step)
	})

	t.Run("concurrent offers never double-book", func(t *testing.T) {
		const nStores, nProfs, nItems, workers = 4, 10, 200, 16
		stores := h.Routing(t, nStores)
		require.Len(t, stores, nStores)
		for p := range nProfs {
			id := carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", p))
			_, err := stores[p%nStores].RegisterProfessional(ctx, id, routing.Capacity{Synchronous: 1}, routingT0)
			require.NoError(t, err)
			_, err = stores[(p+1)%nStores].SetPresence(ctx, id, routing.PresenceAvailable, routingT0, nil)
			require.NoError(t, err)
		}
		for i := range nItems {
			_, err := stores[i%nStores].CreateItem(ctx, routingItem(i), nil)
			require.NoError(t, err)
		}
		var wins atomic.Int64
		winner := make([]atomic.Int32, nItems)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[w%nStores]
				for k := range nItems * nProfs / 4 {
					i := (k*7 + w*13) % nItems
					p := (k + w) % nProfs
					it, err := s.Item(ctx, routingItem(i).ID)
					if err != nil {
						t.Errorf("item: %v", err)
						return
					}
					if it.State != routing.ItemQueued {
						continue
					}
					_, _, err = storeApply(ctx, s, offerChange(it, carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", p))))
					switch {
					case err == nil:
						wins.Add(1)
						winner[i].Add(1)
					case errorsIsAny(err, routing.ErrConflict, routing.ErrNoCapacity):
					default:
						t.Errorf("apply: %v", err)
						return
					}
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int64(nProfs), wins.Load(), "every professional's single slot was taken exactly once")
		for i := range winner {
			require.LessOrEqual(t, winner[i].Load(), int32(1), "item %d offered twice", i)
		}
		offered := map[carecontact.ProfessionalID]int{}
		all, err := stores[0].Items(ctx)
		require.NoError(t, err)
		require.Len(t, all, nItems, "no item lost")
		for _, it := range all {
			if it.State == routing.ItemOffered {
				offered[it.Professional]++
			}
		}
		require.Len(t, offered, nProfs)
		for p, n := range offered {
			require.Equal(t, 1, n, "%s holds one offer", p)
			ps, err := stores[3].Professional(ctx, p)
			require.NoError(t, err)
			require.Equal(t, 1, ps.Load.Synchronous)
		}
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// storeApply calls s.Apply with c and returns the item (zero if removed)
// and the professional (zero if none) as stored after it.
func storeApply(ctx context.Context, s routing.Store, c *routing.Change) (routing.Item, routing.ProfessionalState, error) {
	var it routing.Item
	var ps routing.ProfessionalState
	err := s.Apply(ctx, c, &it, &ps)
	return it, ps, err
}
