package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/storage/memory"
)

// morningOnly is one professional of team-north on callback duty from
// 08:00 to 10:00 on day, and no capacity on any other day.
type morningOnly struct{ day time.Time }

func (c morningOnly) CallbackCapacity(_ context.Context, team carecontact.TeamID, dayStart time.Time) ([]callback.Interval, error) {
	if team != "team-north" || !dayStart.Equal(c.day) {
		return nil, nil
	}
	return []callback.Interval{{Start: c.day.Add(8 * time.Hour).UTC(), End: c.day.Add(10 * time.Hour).UTC(), Professionals: 1}}, nil
}

// hookedStore runs hook once, after the first List of every open request
// (the one Plan starts from) has been read and before it is returned.
type hookedStore struct {
	callback.Store
	hook func()
}

func (s *hookedStore) List(ctx context.Context, f callback.Filter) ([]callback.Record, error) {
	recs, err := s.Store.List(ctx, f)
	if hook := s.hook; hook != nil && f.OpenOnly && f.Team == "" {
		s.hook = nil
		hook()
	}
	return recs, err
}

// A re-plan computed from a state that another planner promised into
// meanwhile does not write its placement: the capacity the re-plan saw
// free was taken, and the request it would have placed stays unplaced.
func TestReplanLosesToAConcurrentPromise(t *testing.T) {
	ctx := context.Background()
	day, shared, a, b, hooked := racingPlanners(t)

	// Twelve ten-minute calls fill the two hours; the thirteenth is unplaced.
	var first callback.Promise
	for i := range 13 {
		p, err := a.Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent))
		require.NoError(t, err)
		if i == 0 {
			first = p
		}
		require.Equal(t, i == 12, p.Unplaced, "request %d", i)
	}
	// One promise is withdrawn: ten minutes are free again.
	_, _, err := a.Withdraw(ctx, first.Request, audit.System("test"))
	require.NoError(t, err)

	// B's re-plan would give them to the unplaced request, but after B has
	// read the requests, A promises them to a new client.
	var late callback.Promise
	hooked.hook = func() {
		var err error
		late, err = a.Request(ctx, req("c-late", callback.NonUrgent))
		require.NoError(t, err)
	}
	events, err := b.Plan(ctx)
	require.NoError(t, err)
	require.False(t, late.Unplaced, "the new client got the free minutes")
	for _, e := range events {
		require.NotEqual(t, callback.EventPromised, e.Kind, "the re-plan promised nothing: %+v", e)
	}
	unplaced, err := shared.Get(ctx, "a-13")
	require.NoError(t, err)
	require.True(t, unplaced.Unplaced, "the re-plan's placement was not written")

	// The next pass plans from the new state: the day is full.
	_, err = b.Plan(ctx)
	require.NoError(t, err)
	open, err := shared.List(ctx, callback.Filter{OpenOnly: true})
	require.NoError(t, err)
	var promised time.Duration
	for _, r := range open {
		if !r.Window.IsZero() {
			promised += r.Handling
		}
	}
	require.Equal(t, 2*time.Hour, promised, "twelve calls of ten minutes, not thirteen")
	versions, err := shared.PlanVersions(ctx, day)
	require.NoError(t, err)
	require.Equal(t, map[callback.PlanKey]int64{{Team: "team-north", Day: day.UTC()}: 13}, versions,
		"one reservation per promise made")
}

// A re-plan that lost its day to a concurrent promise runs again at once
// from the new state, and places the request in what is still free.
func TestReplanRunsAgainAfterLosingItsDay(t *testing.T) {
	ctx := context.Background()
	_, shared, a, b, hooked := racingPlanners(t)
	var promised []callback.Promise
	for i := range 13 {
		p, err := a.Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent))
		require.NoError(t, err)
		promised = append(promised, p)
	}
	require.True(t, promised[12].Unplaced)
	// Two promises are withdrawn: twenty minutes are free.
	for _, p := range promised[:2] {
		_, _, err := a.Withdraw(ctx, p.Request, audit.System("test"))
		require.NoError(t, err)
	}
	// After B has read the requests, A promises ten of them to a new client.
	hooked.hook = func() {
		late, err := a.Request(ctx, req("c-late", callback.NonUrgent))
		require.NoError(t, err)
		require.False(t, late.Unplaced)
	}
	events, err := b.Plan(ctx)
	require.NoError(t, err)
	var placed []callback.Event
	for _, e := range events {
		if e.Kind == callback.EventPromised {
			placed = append(placed, e)
		}
	}
	require.Len(t, placed, 1, "the second run placed the request: %+v", events)
	require.Equal(t, "a-13", placed[0].Request)
	got, err := shared.Get(ctx, "a-13")
	require.NoError(t, err)
	require.False(t, got.Unplaced)
	open, err := shared.List(ctx, callback.Filter{OpenOnly: true})
	require.NoError(t, err)
	var total time.Duration
	for _, r := range open {
		if !r.Window.IsZero() {
			total += r.Handling
		}
	}
	require.Equal(t, 2*time.Hour, total, "the day is full, not beyond")
}

// racingPlanners returns two planners over one memory store, shared, of a
// team that works only the morning of day (a Tuesday), at 07:30: a writes
// to the store directly, b through hooked, so a test can act between b's
// read and its write.
func racingPlanners(t *testing.T) (day time.Time, shared *memory.CallbackStore, a, b *callback.Planner, hooked *hookedStore) {
	day = at(2026, 11, 24, 0, 0)
	now := at(2026, 11, 24, 7, 30)
	clock := carecontact.ClockFunc(func() time.Time { return now.UTC() })
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "north"},
		Teams: map[carecontact.AreaID]carecontact.TeamID{"north": "team-north"}}
	shared = memory.NewCallbackStore(nil)
	newPlanner := func(s callback.Store, prefix string) *callback.Planner {
		n := 0
		p, err := callback.New(callback.Config{Audit: memory.NewAuditLog(), Clock: clock, Store: s, Router: router, Capacity: morningOnly{day},
			NewID: func() string { n++; return fmt.Sprintf("%s-%02d", prefix, n) }})
		require.NoError(t, err)
		return p
	}
	hooked = &hookedStore{Store: shared.Share()}
	return day, shared, newPlanner(shared, "a"), newPlanner(hooked, "b"), hooked
}
