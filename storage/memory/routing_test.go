package memory_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
	"github.com/stretchr/testify/require"
)

// TestRoutingStoreTombstones removes and creates items again under the same
// and under new IDs: a removed item is gone for every read and change (its
// record may stay behind as a tombstone), its ID can be created again at
// version 1, and the store keeps a bounded number of tombstones however
// many IDs it has seen.
func TestRoutingStoreTombstones(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	item := func(id string) routing.Item {
		return routing.Item{ID: carecontact.ItemID(id), State: routing.ItemQueued, EnqueuedAt: at, StepAt: at,
			Contact: routing.Contact{Client: "client-1", Errand: channel.ErrandOther, Channel: channel.InboundPhone}}
	}
	for _, tc := range []struct {
		name   string
		rounds int
		id     func(round int) string
		live   int // items kept, not removed, before the rounds
	}{
		{name: "one ID reused", rounds: 500, id: func(int) string { return "c1" }},
		{name: "a few IDs reused", rounds: 2000, id: func(r int) string { return fmt.Sprintf("c%d", r%37) }},
		{name: "every ID new", rounds: 20000, id: func(r int) string { return fmt.Sprintf("item-%d", r) }},
		{name: "new IDs beside live items", rounds: 10000, live: 300, id: func(r int) string { return fmt.Sprintf("x-%d", r) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := memory.NewRoutingStore(nil)
			_, err := s.RegisterProfessional(ctx, "nurse-1", routing.Capacity{Synchronous: 1}, at)
			require.NoError(t, err)
			_, err = s.SetPresence(ctx, "nurse-1", routing.PresenceAvailable, at, nil)
			require.NoError(t, err)
			for i := range tc.live {
				_, err := s.CreateItem(ctx, item(fmt.Sprintf("live-%d", i)), nil)
				require.NoError(t, err)
			}
			for r := range tc.rounds {
				id := tc.id(r)
				created, err := s.CreateItem(ctx, item(id), nil)
				require.NoError(t, err)
				require.EqualValues(t, 1, created.Version)
				_, err = s.CreateItem(ctx, item(id), nil)
				require.ErrorIs(t, err, routing.ErrDuplicateItem)

				offer := &routing.Change{Item: created, Expect: 1, Professional: "nurse-1", Slot: routing.SlotSynchronous, Load: 1}
				offer.Item.State, offer.Item.Professional = routing.ItemOffered, "nurse-1"
				var got routing.Item
				require.NoError(t, s.Apply(ctx, offer, &got, nil))
				require.EqualValues(t, 2, got.Version)
				done := &routing.Change{Item: got, Expect: 2, Remove: true, Professional: "nurse-1", Slot: routing.SlotSynchronous, Load: -1}
				require.NoError(t, s.Apply(ctx, done, nil, nil))

				_, err = s.Item(ctx, carecontact.ItemID(id))
				require.ErrorIs(t, err, routing.ErrItemNotFound)
				require.ErrorIs(t, s.Apply(ctx, done, nil, nil), routing.ErrItemNotFound)
				stale := &routing.Change{Item: got, Expect: 0}
				require.ErrorIs(t, s.Apply(ctx, stale, nil, nil), routing.ErrItemNotFound)
			}
			items, err := s.Items(ctx)
			require.NoError(t, err)
			require.Len(t, items, tc.live)
			mapped, dead, most := s.RoutingRecords()
			require.LessOrEqual(t, dead, most)
			require.Equal(t, tc.live+dead, mapped)
			ps, err := s.Professional(ctx, "nurse-1")
			require.NoError(t, err)
			require.Zero(t, ps.Load.Synchronous)
		})
	}
}

// TestRoutingStoreHotPathAllocs checks that the changes a dispatcher makes
// for every contact (create, offer, accept, remove) allocate nothing once
// the item's ID has been seen.
func TestRoutingStoreHotPathAllocs(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	s := memory.NewRoutingStore(nil)
	_, err := s.RegisterProfessional(ctx, "p1", routing.Capacity{Synchronous: 1}, at)
	require.NoError(t, err)
	_, err = s.SetPresence(ctx, "p1", routing.PresenceAvailable, at, nil)
	require.NoError(t, err)
	it := routing.Item{ID: "c1", State: routing.ItemQueued, EnqueuedAt: at, StepAt: at,
		Contact: routing.Contact{Client: "client-1", Errand: channel.ErrandOther, Channel: channel.InboundPhone}}
	var c routing.Change
	var got routing.Item
	var ps routing.ProfessionalState
	cycle := func() {
		created, err := s.CreateItem(ctx, it, nil)
		if err != nil {
			panic(err)
		}
		c = routing.Change{Item: created, Expect: created.Version, Professional: "p1", Slot: routing.SlotSynchronous, Load: 1}
		c.Item.State, c.Item.Professional = routing.ItemOffered, "p1"
		if err := s.Apply(ctx, &c, &got, &ps); err != nil {
			panic(err)
		}
		c = routing.Change{Item: got, Expect: got.Version}
		c.Item.State = routing.ItemAccepted
		if err := s.Apply(ctx, &c, &got, nil); err != nil {
			panic(err)
		}
		c = routing.Change{Item: got, Expect: got.Version, Remove: true, Professional: "p1", Slot: routing.SlotSynchronous, Load: -1, IdleSince: at}
		if err := s.Apply(ctx, &c, nil, &ps); err != nil {
			panic(err)
		}
	}
	cycle()
	require.Zero(t, testing.AllocsPerRun(100, cycle))
}

// BenchmarkRoutingStoreContact measures the store operations a dispatcher
// makes for one contact: create, offer, accept and complete (removal),
// over 64 reused item IDs and 20 professionals.
func BenchmarkRoutingStoreContact(b *testing.B) {
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	s := memory.NewRoutingStore(nil)
	profs := make([]carecontact.ProfessionalID, 20)
	for i := range profs {
		profs[i] = carecontact.ProfessionalID(fmt.Sprintf("p%d", i))
		_, err := s.RegisterProfessional(ctx, profs[i], routing.Capacity{Synchronous: 1}, at)
		require.NoError(b, err)
		_, err = s.SetPresence(ctx, profs[i], routing.PresenceAvailable, at, nil)
		require.NoError(b, err)
	}
	ids := make([]carecontact.ItemID, 64)
	for i := range ids {
		ids[i] = carecontact.ItemID(fmt.Sprintf("c%d", i))
	}
	contact := routing.Contact{Client: "client", Errand: channel.ErrandOther, Channel: channel.InboundPhone, Area: "area"}
	var c routing.Change
	var got routing.Item
	var ps routing.ProfessionalState
	n := 0
	for b.Loop() {
		p := profs[n%len(profs)]
		created, err := s.CreateItem(ctx, routing.Item{ID: ids[n%len(ids)], Contact: contact, State: routing.ItemQueued, EnqueuedAt: at, StepAt: at}, nil)
		if err != nil {
			b.Fatal(err)
		}
		c = routing.Change{Item: created, Expect: created.Version, Professional: p, Slot: routing.SlotSynchronous, Load: 1}
		c.Item.State, c.Item.Professional, c.Item.Deadline = routing.ItemOffered, p, at.Add(30*time.Second)
		if err := s.Apply(ctx, &c, &got, &ps); err != nil {
			b.Fatal(err)
		}
		c = routing.Change{Item: got, Expect: got.Version}
		c.Item.State, c.Item.Deadline = routing.ItemAccepted, time.Time{}
		if err := s.Apply(ctx, &c, &got, nil); err != nil {
			b.Fatal(err)
		}
		c = routing.Change{Item: got, Expect: got.Version, Remove: true, Professional: p, Slot: routing.SlotSynchronous, Load: -1, IdleSince: at}
		if err := s.Apply(ctx, &c, nil, &ps); err != nil {
			b.Fatal(err)
		}
		n++
	}
}

// TestRoutingStoreRefs checks that Item.Ref is only a hint: a change finds
// its item by a zero, stale, foreign or made-up Ref as by the right one,
// and never changes another item whose record a stale Ref now names.
func TestRoutingStoreRefs(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC)
	item := func(id string) routing.Item {
		return routing.Item{ID: carecontact.ItemID(id), State: routing.ItemQueued, EnqueuedAt: at, StepAt: at,
			Contact: routing.Contact{Client: "client-1", Errand: channel.ErrandOther, Channel: channel.InboundPhone}}
	}
	s := memory.NewRoutingStore(nil)
	other := memory.NewRoutingStore(nil)
	a, err := s.CreateItem(ctx, item("a"), nil)
	require.NoError(t, err)
	require.NotZero(t, a.Ref, "the memory store hands out a reference")
	foreign, err := other.CreateItem(ctx, item("x"), nil)
	require.NoError(t, err)
	got, err := s.Item(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, a.Ref, got.Ref, "every read carries the reference")

	for _, tc := range []struct {
		name string
		ref  uint64
	}{
		{"right", a.Ref},
		{"zero", 0},
		{"foreign", foreign.Ref},
		{"made up", 1<<40 + 7},
		{"stripe only", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cur, err := s.Item(ctx, "a")
			require.NoError(t, err)
			c := &routing.Change{Item: cur, Expect: cur.Version}
			c.Item.Ref, c.Item.Step = tc.ref, int(cur.Version)
			var out routing.Item
			require.NoError(t, s.Apply(ctx, c, &out, nil))
			require.Equal(t, cur.Version+1, out.Version)
			require.Equal(t, a.Ref, out.Ref, "the store writes its own reference, not the caller's")
			require.Equal(t, int(cur.Version), out.Step)
		})
	}

	// A removed item's reference goes stale; its record may serve another
	// item, which a change naming the removed ID must not touch.
	cur, err := s.Item(ctx, "a")
	require.NoError(t, err)
	require.NoError(t, s.Apply(ctx, &routing.Change{Item: routing.Item{ID: "a", Ref: cur.Ref}, Expect: cur.Version, Remove: true}, nil, nil))
	// Enough removals that every stripe evicts tombstones and reuses
	// their records.
	for i := range 8000 {
		c, err := s.CreateItem(ctx, item(fmt.Sprintf("t%d", i)), nil)
		require.NoError(t, err)
		require.NoError(t, s.Apply(ctx, &routing.Change{Item: c, Expect: c.Version, Remove: true}, nil, nil))
	}
	for i := range 200 {
		_, err := s.CreateItem(ctx, item(fmt.Sprintf("b%d", i)), nil)
		require.NoError(t, err)
	}
	stale := &routing.Change{Item: cur, Expect: cur.Version}
	require.ErrorIs(t, s.Apply(ctx, stale, nil, nil), routing.ErrItemNotFound)
	items, err := s.Items(ctx)
	require.NoError(t, err)
	require.Len(t, items, 200)
	for _, it := range items {
		require.EqualValues(t, 1, it.Version, "item %s was not changed", it.ID)
	}
}
