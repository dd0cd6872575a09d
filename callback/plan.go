package callback

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
)

// bucket is one window of a team's day with its capacity from now on and
// the handling time planned into it.
type bucket struct {
	start, end time.Time
	cap, load  time.Duration
}

// dayPlan is a team's plan of one local day.
type dayPlan struct {
	dayStart time.Time
	ivals    []Interval
	buckets  []bucket
}

// planKey identifies a dayPlan.
type planKey struct {
	team carecontact.TeamID
	day  int64
}

// planner builds and caches day plans during one operation. It is not safe
// for concurrent use; the Planner holds its lock while using one.
type planner struct {
	ctx   context.Context
	svc   *Planner
	now   time.Time
	byTm  map[carecontact.TeamID][]Record
	plans map[planKey]*dayPlan
	// skip lists request IDs whose load is not counted when a plan is
	// built, because they are being re-planned.
	skip map[string]bool
	// versions are the plan versions of the days (Store.PlanVersions),
	// read before any request was listed; a reservation in a day is
	// written only at the version planned from.
	versions map[planKey]int64
}

// newPlanner returns a planner at now. It reads the plan versions of the
// days from today on before anything else: byTeam, when given, must have
// been listed after the call that returned versions.
func (s *Planner) newPlanner(ctx context.Context, now time.Time, byTeam map[carecontact.TeamID][]Record, versions map[PlanKey]int64) *planner {
	p := &planner{ctx: ctx, svc: s, now: now, byTm: byTeam, plans: map[planKey]*dayPlan{}, skip: map[string]bool{},
		versions: make(map[planKey]int64, len(versions))}
	for k, v := range versions {
		p.versions[keyOf(k.Team, k.Day)] = v
	}
	return p
}

// planVersions reads the plan versions of the days from now's local day on.
func (s *Planner) planVersions(ctx context.Context, now time.Time) (map[PlanKey]int64, error) {
	v, err := s.store.PlanVersions(ctx, localDay(now))
	if err != nil {
		return nil, fmt.Errorf("callback: plan versions: %w", err)
	}
	return v, nil
}

func keyOf(team carecontact.TeamID, dayStart time.Time) planKey {
	return planKey{team, dayStart.Unix()}
}

// reservation returns the reservation of a promise in team's day dayStart
// at the version this planner planned from.
func (p *planner) reservation(team carecontact.TeamID, dayStart time.Time) Reservation {
	return Reservation{Key: PlanKey{Team: team, Day: dayStart.UTC()}, Version: p.versions[keyOf(team, dayStart)]}
}

// reserved notes that a reservation in team's day dayStart was written:
// the day's version moved on by one.
func (p *planner) reserved(res Reservation) { p.versions[keyOf(res.Key.Team, res.Key.Day)]++ }

// records returns the open records of team, from the store unless given.
func (p *planner) records(team carecontact.TeamID) ([]Record, error) {
	if recs, ok := p.byTm[team]; ok {
		return recs, nil
	}
	recs, err := p.svc.store.List(p.ctx, Filter{Team: team, OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("callback: list team %s: %w", team, err)
	}
	p.byTm[team] = recs
	return recs, nil
}

// slotTime is when a planned request is released for dispatch: its retry
// time, or its window start.
func slotTime(r Record) time.Time {
	if !r.Retry.IsZero() && r.Retry.After(r.Window.Start) {
		return r.Retry
	}
	return r.Window.Start
}

// busyLeft is the professional time a call in progress still takes: the
// rest of its expected handling, or Overrun when it already runs long.
func (s *Planner) busyLeft(r Record, now time.Time) time.Duration {
	if len(r.Calls) == 0 {
		return 0
	}
	end := r.Calls[len(r.Calls)-1].Start.Add(r.Handling)
	if end.After(now) {
		return end.Sub(now)
	}
	return s.cfg.Overrun
}

// plan returns the plan of team's local day dayStart, building it on first use.
func (p *planner) plan(team carecontact.TeamID, dayStart time.Time) (*dayPlan, error) {
	key := keyOf(team, dayStart)
	if dp, ok := p.plans[key]; ok {
		return dp, nil
	}
	ivals, err := p.svc.capacity.CallbackCapacity(p.ctx, team, dayStart)
	if err != nil {
		return nil, fmt.Errorf("callback: capacity of team %s: %w", team, err)
	}
	recs, err := p.records(team)
	if err != nil {
		return nil, err
	}
	cfg := p.svc.cfg
	dp := &dayPlan{dayStart: dayStart, ivals: ivals}
	end := at(dayStart, cfg.DayEnd)
	for off := cfg.FirstWindow.Duration(); off < cfg.DayEnd.Duration(); off += cfg.WindowLength {
		b := bucket{start: atLocal(dayStart, off), end: atLocal(dayStart, off+cfg.WindowLength)}
		if b.end.After(end) {
			b.end = end
		}
		from := b.start
		if from.Before(p.now) {
			from = p.now
		}
		b.cap = capacityBetween(ivals, from, b.end)
		dp.buckets = append(dp.buckets, b)
	}
	for _, r := range recs {
		switch {
		case r.State == StateInCall:
			if i := dp.index(p.now); i >= 0 {
				dp.buckets[i].load += p.svc.busyLeft(r, p.now)
			}
		case r.Unplaced || p.skip[r.ID] || !r.Open():
		default:
			// Work already due weighs on the current window.
			if i := dp.index(maxTime(slotTime(r), p.now)); i >= 0 {
				dp.buckets[i].load += r.Handling
			}
		}
	}
	p.plans[key] = dp
	return dp, nil
}

// index returns the bucket containing t, or -1.
func (dp *dayPlan) index(t time.Time) int {
	for i, b := range dp.buckets {
		if !t.Before(b.start) && t.Before(b.end) {
			return i
		}
	}
	return -1
}

// onDuty reports whether a professional of the team is on callback duty at t.
func (dp *dayPlan) onDuty(t time.Time) bool {
	for _, iv := range dp.ivals {
		if iv.Professionals > 0 && !t.Before(iv.Start) && t.Before(iv.End) {
			return true
		}
	}
	return false
}

// minWindow is the shortest window promised when the current window is
// already under way.
const minWindow = 30 * time.Minute

// find returns the first bucket from now on that can hold h before
// deadline, with the window to tell, and reserves it.
func (dp *dayPlan) find(now, deadline time.Time, h time.Duration) (Window, bool) {
	for i := range dp.buckets {
		b := &dp.buckets[i]
		if !b.end.After(now) || !b.start.Before(deadline) {
			continue
		}
		from, to := b.start, b.end
		if from.Before(now) {
			// Do not promise the last minutes of a window when the next
			// one still starts before the deadline.
			if b.end.Sub(now) < minWindow && i+1 < len(dp.buckets) && dp.buckets[i+1].start.Before(deadline) {
				continue
			}
			from = now.Truncate(time.Minute)
		}
		if to.After(deadline) {
			to = deadline
		}
		capLeft := capacityBetween(dp.ivals, maxTime(from, now), to)
		if capLeft > b.cap {
			capLeft = b.cap
		}
		if capLeft-b.load >= h {
			b.load += h
			return Window{Start: from.UTC(), End: to.UTC()}, true
		}
	}
	return Window{}, false
}

// fits reports whether the bucket holding w can still take h; it reserves it.
func (dp *dayPlan) fits(w Window, h time.Duration) bool {
	i := dp.index(w.Start)
	if i < 0 {
		return false
	}
	b := &dp.buckets[i]
	if b.cap-b.load >= h {
		b.load += h
		return true
	}
	return false
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// placeIn tries the local days from first to last (inclusive) of one team.
// It returns the window found and the start of its day.
func (p *planner) placeIn(team carecontact.TeamID, first, last time.Time, deadline time.Time, h time.Duration) (Window, time.Time, bool, error) {
	w := p.svc.cfg.Workdays
	// first..last spans at most the outer bound, itself a bounded walk of
	// working days (addWorkdays), so the loop is bounded too.
	for day := first; !day.After(last); day = nextDay(day) {
		if !isWorkday(w, day) {
			continue
		}
		dp, err := p.plan(team, day)
		if err != nil {
			return Window{}, time.Time{}, false, err
		}
		if win, ok := dp.find(p.now, deadline, h); ok {
			return win, day, true, nil
		}
	}
	return Window{}, time.Time{}, false, nil
}

// order sorts records for dispatch and planning: earliest release first,
// then priority (higher first), deadline, original request time, ID.
func order(a, b Record) int {
	return cmp.Or(slotTime(a).Compare(slotTime(b)), cmp.Compare(b.Priority, a.Priority),
		a.Deadline.Compare(b.Deadline), a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.ID, b.ID))
}

// urgencyOrder sorts by priority, deadline (earliest first), request time, ID.
func urgencyOrder(a, b Record) int {
	return cmp.Or(cmp.Compare(b.Priority, a.Priority), a.Deadline.Compare(b.Deadline),
		a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.ID, b.ID))
}

// Status is a request's place in the current plan.
type Status struct {
	// EstimatedStart is when the first (or next) attempt is expected.
	EstimatedStart time.Time
	// Slack is Deadline minus EstimatedStart: deadline minus now minus the
	// estimated wait at the request's position.
	Slack time.Duration
}

// sweep estimates when each of today's pending requests of a team starts,
// from the professional time left today: a fluid queue in dispatch order,
// each request released at its window. recs must be sorted by order.
func (s *Planner) sweep(dp *dayPlan, recs []Record, busy time.Duration, now time.Time, out map[string]Status) {
	// With no next working day (only at the end of the calendar) the next
	// opening is unknown: the estimate stays at the request's slot.
	nextDay, _ := addWorkdays(s.cfg.Workdays, dp.dayStart, 1)
	nextOpen := at(nextDay, s.cfg.FirstWindow)
	if nextDay.IsZero() {
		nextOpen = time.Time{}
	}
	cursor, ok := advance(dp.ivals, now, busy)
	for _, r := range recs {
		start := maxTime(cursor, slotTime(r))
		est := start
		if ok {
			cursor, ok = advance(dp.ivals, start, r.Handling)
		}
		if !ok {
			est = maxTime(nextOpen, slotTime(r))
		}
		out[r.ID] = Status{EstimatedStart: est, Slack: r.Deadline.Sub(est)}
	}
}

// sortRecords sorts in place by order.
func sortRecords(recs []Record) { slices.SortFunc(recs, order) }
