package storagetest

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
	"github.com/carecontact/carecontact/civil"
)

// oneDayCapacity is callback capacity on one local day only: n
// professionals of team on duty from from to to. Every other day has none.
type oneDayCapacity struct {
	team     carecontact.TeamID
	day      time.Time
	from, to civil.TimeOfDay
	n        int
}

// laggingStore is a callback.Store whose List answers arrive lag after
// they were read, as across a network: planners that plan together then
// plan from the same state, the race a reservation must survive.
type laggingStore struct {
	callback.Store
	lag time.Duration
	// lost counts the reservations that lost their race.
	lost *atomic.Int64
}

func (s laggingStore) OpenReserved(ctx context.Context, r callback.Record, res callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	rec, joined, err := s.Store.OpenReserved(ctx, r, res, actor, at)
	if errors.Is(err, callback.ErrPlanChanged) {
		s.lost.Add(1)
	}
	return rec, joined, err
}

func (s laggingStore) UpdateReserved(ctx context.Context, r callback.Record, res callback.Reservation, events []audit.Event) (callback.Record, error) {
	rec, err := s.Store.UpdateReserved(ctx, r, res, events)
	if errors.Is(err, callback.ErrPlanChanged) {
		s.lost.Add(1)
	}
	return rec, err
}

func (s laggingStore) List(ctx context.Context, f callback.Filter) ([]callback.Record, error) {
	recs, err := s.Store.List(ctx, f)
	time.Sleep(s.lag)
	return recs, err
}

func (c oneDayCapacity) CallbackCapacity(ctx context.Context, team carecontact.TeamID, dayStart time.Time) ([]callback.Interval, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if team != c.team || !dayStart.Equal(c.day) {
		return nil, nil
	}
	return []callback.Interval{{Start: c.at(c.from), End: c.at(c.to), Professionals: c.n}}, nil
}

func (c oneDayCapacity) at(t civil.TimeOfDay) time.Time {
	y, m, d := c.day.In(civil.Helsinki()).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, civil.Helsinki()).Add(t.Duration()).UTC()
}

// PlannerRace is the outcome of RacePlanners.
type PlannerRace struct {
	// Requests is how many requests were made; Promised how many were
	// promised a window, Unplaced how many were not.
	Requests, Promised, Unplaced int
	// Capacity is the professional time of the day; PromisedTime the
	// handling time promised into it (told to the clients); Beyond the
	// handling time promised beyond the capacity of the windows, summed
	// over the windows.
	Capacity, PromisedTime, Beyond time.Duration
	// StoredBeyond is Beyond of the windows the stores hold at the end,
	// after a last re-plan; Broken counts the promises that re-planning
	// had to take back because they did not fit.
	StoredBeyond time.Duration
	Broken       int
	// Lost counts the reservations that lost their race and were
	// planned again.
	Lost int
}

// RacePlanners makes one callback.Planner over each of stores (separate
// planners, as on separate replicas) and lets them all promise callbacks
// into one team's day at once, perClient requests each, while one more
// planner over stores[0] re-plans (Plan) the whole time. The team has one
// professional from 08:00 to 10:00 that day (two hours, twelve calls of
// ten minutes) and no capacity on any other day. Each planner's store
// answers its lists a millisecond late, so the planners' reads overlap. It returns what was
// promised, measured from the stores.
func RacePlanners(t *testing.T, stores []callback.Store, perPlanner int) PlannerRace {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, civil.Helsinki()) // a Tuesday
	now := day.Add(7*time.Hour + 30*time.Minute).UTC()
	capa := oneDayCapacity{team: "team-a", day: day, from: civil.At(8, 0), to: civil.At(10, 0), n: 1}
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "area-a"},
		Teams: map[carecontact.AreaID]carecontact.TeamID{"area-a": "team-a"}}
	clock := carecontact.ClockFunc(func() time.Time { return now })
	var lost atomic.Int64
	newPlanner := func(s callback.Store, name string) *callback.Planner {
		var n atomic.Int64
		p, err := callback.New(callback.Config{Audit: discard{}, Clock: clock, Store: laggingStore{s, time.Millisecond, &lost}, Router: router, Capacity: capa,
			NewID: func() string { return fmt.Sprintf("cb%s%04d", name, n.Add(1)) }})
		require.NoError(t, err)
		return p
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	replanner := newPlanner(stores[0], "x")
	var replans atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := replanner.Plan(ctx); err != nil {
				t.Errorf("plan: %v", err)
				return
			}
			replans.Add(1)
		}
	}()
	var promisers sync.WaitGroup
	var mu sync.Mutex
	var promises []callback.Promise
	for i, s := range stores {
		p := newPlanner(s, fmt.Sprintf("p%d", i))
		promisers.Add(1)
		go func() {
			defer promisers.Done()
			for k := range perPlanner {
				pr, err := p.Request(ctx, callback.Request{Client: carecontact.ClientRef(fmt.Sprintf("client-%d-%d", i, k)),
					Phone: "0401234567", Errand: channel.ErrandOther, PostalCode: "00100"})
				if err != nil {
					t.Errorf("planner %d: request %d: %v", i, k, err)
					return
				}
				mu.Lock()
				promises = append(promises, pr)
				mu.Unlock()
			}
		}()
	}
	promisers.Wait()
	close(stop)
	wg.Wait()
	// One more pass after the race: it may place requests left unplaced,
	// never beyond the capacity.
	_, err := replanner.Plan(ctx)
	require.NoError(t, err)

	out := PlannerRace{Requests: len(promises), Capacity: 2 * time.Hour}
	told := map[callback.Window]time.Duration{}
	for _, pr := range promises {
		if pr.Window.IsZero() {
			out.Unplaced++
			continue
		}
		out.Promised++
		out.PromisedTime += 10 * time.Minute
		told[pr.Window] += 10 * time.Minute
	}
	out.Beyond = beyond(capa, told)
	all, err := stores[len(stores)-1].List(ctx, callback.Filter{})
	require.NoError(t, err)
	require.Len(t, all, len(promises), "every request is stored")
	stored := map[callback.Window]time.Duration{}
	for _, r := range all {
		require.Equal(t, 10*time.Minute, r.Handling)
		if r.Broken {
			out.Broken++
		}
		if !r.Window.IsZero() {
			stored[r.Window] += r.Handling
		}
	}
	out.StoredBeyond = beyond(capa, stored)
	out.Lost = int(lost.Load())
	t.Logf("%d planners, %d requests: %d promised (%v of %v), %d unplaced, %v promised beyond capacity, "+
		"%d promises broken by re-planning, %v stored beyond capacity; %d reservations lost a race and were planned again; %d re-plans ran meanwhile",
		len(stores), out.Requests, out.Promised, out.PromisedTime, out.Capacity, out.Unplaced, out.Beyond,
		out.Broken, out.StoredBeyond, out.Lost, replans.Load())
	return out
}

// beyond sums the handling time of each window's load beyond c's capacity
// in the window.
func beyond(c oneDayCapacity, load map[callback.Window]time.Duration) time.Duration {
	var sum time.Duration
	for w, l := range load {
		if free := capacityIn(c, w); l > free {
			sum += l - free
		}
	}
	return sum
}

// capacityIn is the professional time of c within w.
func capacityIn(c oneDayCapacity, w callback.Window) time.Duration {
	from, to := c.at(c.from), c.at(c.to)
	if w.Start.After(from) {
		from = w.Start
	}
	if w.End.Before(to) {
		to = w.End
	}
	if !to.After(from) {
		return 0
	}
	return time.Duration(c.n) * to.Sub(from)
}

func runCallbackPlanners(t *testing.T, h Harness) {
	t.Run("four planners racing for one team's day promise no more than its capacity", func(t *testing.T) {
		res := RacePlanners(t, h.Callback(t, 4), 10)
		require.Equal(t, 40, res.Requests, "every request is answered")
		require.Zero(t, res.Beyond, "no minute promised beyond capacity")
		require.Zero(t, res.StoredBeyond)
		require.Zero(t, res.Broken, "no promise taken back")
		require.LessOrEqual(t, res.PromisedTime, res.Capacity)
		require.Equal(t, res.Capacity, res.PromisedTime, "and the capacity is used up")
		require.Equal(t, 28, res.Unplaced)
	})
}

// discard is an audit.Recorder that checks events and keeps none, for
// planners whose reads the suite does not look at.
type discard struct{}

func (discard) Record(_ context.Context, events ...audit.Event) error {
	for _, e := range events {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}
