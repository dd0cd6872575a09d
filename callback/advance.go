package callback

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
)

// Advance implements carecontact.Driven: it runs Plan at the clock's now
// and hands its events to Config.OnEvent. With Config.Leader, it does
// nothing while another replica leads.
func (s *Planner) Advance(ctx context.Context) error {
	fence, ok := s.fence()
	if !ok {
		return nil
	}
	// A pass deposed midway is no error here: this replica now follows.
	evs, _, err := s.plan(ctx, fence)
	if s.cfg.OnEvent != nil {
		for _, e := range evs {
			s.cfg.OnEvent(e)
		}
	}
	return err
}

var _ carecontact.Driven = (*Planner)(nil)

// Plan brings the plan up to now, in one pass of named phases:
//
//  1. replan: the windows not yet due are checked against the capacity
//     left (absences, calls running long, urgent arrivals). Promises already
//     told are kept first, in their windows' order; one that no longer fits
//     moves to the own team's earliest window with room today, else to a
//     later routing step's team today (EventWidened), else to the own
//     team's next working days; a changed told window is reported early
//     (EventPromiseAtRisk). Unplaced requests get a window when one frees
//     up, even past their outer bound (they were reported when unplaced).
//  2. dispatchDue: planned requests whose window or retry time has come
//     become due (EventDue, and the Dispatcher if one is set), earliest
//     deadline first within priority.
//  3. updateSlack: each open request's estimated start and slack are
//     recomputed (see Status). rescueLate widens or reports a told window
//     the team can no longer keep. escalate takes a request whose slack is
//     below LowSlack one EscalationLevel up per pass: promoted, then
//     widened to the next routing step when that team can call earlier,
//     then reported to the team lead.
//  4. persist: every changed request is written with a compare-and-set;
//     handOver then gives the due requests to the Dispatcher.
//
// A request changed concurrently (compare-and-set failure) is left for the
// next Advance. A placement whose team's day another planner promised into
// since the pass read it (ErrPlanChanged) is not written; the pass is then
// run again from the new state, up to maxPassRuns times in all, and the
// events of every run are returned. Call Advance at NextDeadline, and
// whenever the capacity changes.
//
// With Config.Leader, every write of the pass carries the fence of the
// term Plan started in; a write the store refuses (ErrNotLeader: another
// replica took the lead meanwhile) ends the pass, and its events are
// dropped. On a replica that does not lead, Plan writes nothing and
// returns ErrNotLeader.
func (s *Planner) Plan(ctx context.Context) ([]Event, error) {
	fence, ok := s.fence()
	if !ok {
		return nil, fmt.Errorf("callback: plan: %w: another replica leads", ErrNotLeader)
	}
	evs, deposed, err := s.plan(ctx, fence)
	if deposed {
		err = errors.Join(err, fmt.Errorf("callback: plan: %w: the lead passed during the pass", ErrNotLeader))
	}
	return evs, err
}

// plan is Plan under fence (zero without Config.Leader); deposed reports
// that the store refused a write of the term.
func (s *Planner) plan(ctx context.Context, fence carecontact.Fence) (events []Event, deposed bool, err error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for run := 1; ; run++ {
		ps, err := s.pass(ctx, now, fence)
		if err != nil {
			return events, false, errors.Join(append(errs, err)...)
		}
		events = append(events, ps.events...)
		if err := ps.handOver(); err != nil {
			errs = append(errs, err)
		}
		if !ps.lostPlan || ps.deposed || run >= maxPassRuns {
			return events, ps.deposed, errors.Join(errs...)
		}
	}
}

// maxPassRuns bounds the runs of one Plan whose placements keep losing
// their days to concurrent promises.
const maxPassRuns = 3

// pass runs the phases of Plan once, up to persist.
func (s *Planner) pass(ctx context.Context, now time.Time, fence carecontact.Fence) (*pass, error) {
	// The plan versions first, then the requests: a promise made in
	// between moves a version, and the pass's reservation in that day
	// then fails instead of promising the same capacity twice.
	versions, err := s.planVersions(ctx, now)
	if err != nil {
		return nil, fmt.Errorf("callback: advance: %w", err)
	}
	open, err := s.store.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("callback: advance: %w", err)
	}
	ps := s.newPass(ctx, now, open, versions)
	ps.fence = fence
	if err := ps.replan(); err != nil {
		return nil, err
	}
	ps.dispatchDue()
	if err := ps.updateSlack(); err != nil {
		return nil, err
	}
	if err := ps.rescueLate(); err != nil {
		return nil, err
	}
	if err := ps.escalate(); err != nil {
		return nil, err
	}
	if err := ps.persist(); err != nil {
		return nil, err
	}
	return ps, nil
}

// A pass is one run of Plan: the open requests as the pass changes them,
// the events it makes and the audit action of each request it touched.
type pass struct {
	s      *Planner
	ctx    context.Context
	now    time.Time
	today  time.Time // start of now's local day
	p      *planner
	byTeam map[carecontact.TeamID][]Record
	teams  []carecontact.TeamID
	work   map[string]*Record
	events []Event
	// touched maps the ID of each changed request to its audit action.
	touched map[string]string
	// dueEvent maps a request made due in this pass to its EventDue.
	dueEvent map[string]int
	// reserved maps the ID of each request the pass placed in a team's
	// day (a new window, team or day) to its reservation there.
	reserved map[string]Reservation
	// lostPlan: a placement was not written because another planner
	// promised into its day meanwhile (ErrPlanChanged).
	lostPlan bool
	// fence is the leader term the pass writes under (zero without
	// Config.Leader); deposed: the store refused a write of the pass
	// because that term has ended (ErrNotLeader), so it writes no more.
	fence   carecontact.Fence
	deposed bool
	status  map[string]Status
}

func (s *Planner) newPass(ctx context.Context, now time.Time, open []Record, versions map[PlanKey]int64) *pass {
	ps := &pass{s: s, ctx: ctx, now: now, today: localDay(now),
		byTeam:   map[carecontact.TeamID][]Record{},
		work:     make(map[string]*Record, len(open)),
		touched:  map[string]string{},
		dueEvent: map[string]int{},
		reserved: map[string]Reservation{},
	}
	for _, r := range open {
		ps.byTeam[r.Team] = append(ps.byTeam[r.Team], r)
	}
	ps.teams = slices.Sorted(maps.Keys(ps.byTeam))
	ps.p = s.newPlanner(ctx, now, ps.byTeam, versions)
	for i := range open {
		ps.work[open[i].ID] = &open[i]
	}
	return ps
}

// touch records the audit action of request id, unless it has one.
func (ps *pass) touch(id, action string) {
	if _, ok := ps.touched[id]; !ok {
		ps.touched[id] = action
	}
}

func (ps *pass) emit(e Event) { ps.events = append(ps.events, e) }

// replan is phase 1: the windows not yet due are placed again, team by
// team.
func (ps *pass) replan() error {
	for _, team := range ps.teams {
		if err := ps.replanTeam(team); err != nil {
			return err
		}
	}
	return nil
}

// replanTeam keeps the told windows of team's movable requests that still
// fit and places the displaced and unplaced ones, most urgent first.
func (ps *pass) replanTeam(team carecontact.TeamID) error {
	var movable, unplaced []*Record
	for _, r := range ps.byTeam[team] {
		w := ps.work[r.ID]
		switch {
		case w.State != StatePlanned:
		case w.Unplaced:
			unplaced = append(unplaced, w)
			ps.p.skip[w.ID] = true
		case w.Retry.IsZero() && w.Window.Start.After(ps.now) && localDay(w.Window.Start).Equal(ps.today):
			movable = append(movable, w)
			ps.p.skip[w.ID] = true
		}
	}
	if len(movable)+len(unplaced) == 0 {
		return nil
	}
	dp, err := ps.p.plan(team, ps.today)
	if err != nil {
		return err
	}
	slices.SortFunc(movable, func(a, b *Record) int { return order(*a, *b) })
	var displaced []*Record
	for _, w := range movable {
		if !dp.fits(w.Window, w.Handling) {
			displaced = append(displaced, w)
		}
	}
	slices.SortFunc(displaced, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	slices.SortFunc(unplaced, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range append(displaced, unplaced...) {
		if err := ps.place(team, w); err != nil {
			return err
		}
	}
	return nil
}

// place finds a new window for w, displaced from its window in team or
// unplaced: the own team today, then the later routing steps today, and
// only then the own team's later days up to the outer bound.
func (ps *pass) place(team carecontact.TeamID, w *Record) error {
	cfg, now, today := ps.s.cfg, ps.now, ps.today
	wasUnplaced := w.Unplaced
	outerDay, err := addWorkdays(cfg.Workdays, localDay(w.RequestedAt), cfg.OuterWorkdays)
	if err != nil {
		return fmt.Errorf("callback: advance: request %s: %w", w.ID, err)
	}
	outer := at(outerDay, cfg.DayEnd)
	sameDayEnd := at(today, cfg.DayEnd)
	win, day, ok, err := ps.p.placeIn(team, today, today, sameDayEnd, w.Handling)
	if err != nil {
		return err
	}
	in := team
	widened := false
	for i := w.StepIndex + 1; !ok && i < len(w.Steps); i++ {
		if win, day, ok, err = ps.p.placeIn(w.Steps[i].Team, today, today, sameDayEnd, w.Handling); err != nil {
			return err
		}
		if ok {
			w.Team, w.StepIndex, widened, in = w.Steps[i].Team, i, true, w.Steps[i].Team
		}
	}
	if !ok {
		if win, day, ok, err = ps.p.placeIn(team, nextDay(today), localDay(outer), outer, w.Handling); err != nil {
			return err
		}
	}
	if ok {
		ps.reserved[w.ID] = ps.p.reservation(in, day)
	}
	ps.touch(w.ID, "callback.replan")
	if widened {
		ps.emit(Event{Kind: EventWidened, At: now, Request: w.ID, Team: w.Team, Window: win,
			Reason: "capacity reduced; to step " + w.Steps[w.StepIndex].Name})
	}
	switch {
	case ok && widened && !wasUnplaced && !win.Start.Before(w.Window.Start) && !win.End.After(w.Window.End):
		w.Window = win // the told window still holds
	case ok:
		w.Window, w.Unplaced = win, false
		w.NextDay = !localDay(win.Start).Equal(localDay(w.RequestedAt))
		if win.End.After(w.Deadline) {
			w.Deadline = win.End
		}
		if wasUnplaced {
			w.Promised = win
			ps.emit(Event{Kind: EventPromised, At: now, Request: w.ID, Team: team, Window: win})
			return nil
		}
		w.Broken = true
		ps.emit(Event{Kind: EventPromiseAtRisk, At: now, Request: w.ID, Team: team, Window: win,
			Reason: "capacity reduced; moved to the earliest window with room"})
	case wasUnplaced:
		delete(ps.touched, w.ID) // nothing changed
	default:
		w.Window, w.Unplaced, w.Broken, w.Escalation = Window{}, true, true, EscalationReportedToLead
		ps.emit(Event{Kind: EventPromiseAtRisk, At: now, Request: w.ID, Team: team, Reason: "no capacity up to the outer bound"})
		ps.emit(Event{Kind: EventReportedToLead, At: now, Request: w.ID, Team: team, Reason: "unplaced"})
	}
	return nil
}

// dispatchDue is phase 2: planned requests whose window or retry time has
// come become due, most urgent first.
func (ps *pass) dispatchDue() {
	var due []*Record
	for _, w := range ps.work {
		if w.State == StatePlanned && !w.Unplaced && !slotTime(*w).After(ps.now) {
			w.State, w.DueAt, w.Retry = StateDue, ps.now, time.Time{}
			due = append(due, w)
			ps.touch(w.ID, "callback.due")
		}
		if w.State == StateDue && w.Handover {
			// The dispatcher refused this dispatch last time: the same
			// dispatch (same number) is handed over again.
			w.Handover = false
			ps.touch(w.ID, "callback.handover")
			ps.dueEvent[w.ID] = len(ps.events)
			ps.emit(Event{Kind: EventDue, At: ps.now, Request: w.ID, Team: w.Team, Window: w.Window, Reason: "handed over again"})
		}
	}
	slices.SortFunc(due, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range due {
		ps.markDue(w)
	}
}

// markDue makes the EventDue of w. A request is made due (and dispatched)
// at most once per pass: when widening moves it again, its due event is
// brought up to date.
func (ps *pass) markDue(w *Record) {
	if i, ok := ps.dueEvent[w.ID]; ok {
		ps.events[i].Team, ps.events[i].Window = w.Team, w.Window
		return
	}
	w.Dispatches++
	ps.dueEvent[w.ID] = len(ps.events)
	ps.emit(Event{Kind: EventDue, At: ps.now, Request: w.ID, Team: w.Team, Window: w.Window})
}

// updateSlack is phase 3: each open request's estimated start and slack
// are computed again, team by team, and kept for Status.
func (ps *pass) updateSlack() error {
	status := make(map[string]Status, len(ps.work))
	for _, team := range ps.teams {
		dp, err := ps.p.plan(team, ps.today)
		if err != nil {
			return err
		}
		var pending []Record
		var busy time.Duration
		for _, r := range ps.byTeam[team] {
			w := ps.work[r.ID]
			switch {
			case w.State == StateInCall:
				busy += ps.s.busyLeft(*w, ps.now)
			case w.Unplaced:
			case localDay(slotTime(*w)).After(ps.today):
				status[w.ID] = Status{EstimatedStart: slotTime(*w), Slack: w.Deadline.Sub(slotTime(*w))}
			default:
				pending = append(pending, *w)
			}
		}
		sortRecords(pending)
		ps.s.sweep(dp, pending, busy, ps.now, status)
	}
	ps.status = status
	ps.s.status = status
	return nil
}

// rescueLate handles a told window the team can no longer keep (it is
// due, so it was not re-planned): it widens to a step that can call inside
// it, else reports it now, before the window ends.
func (ps *pass) rescueLate() error {
	var late []*Record
	for id, st := range ps.status {
		w := ps.work[id]
		if !w.Broken && !w.Window.IsZero() && (w.State == StateDue || w.State == StatePlanned) && len(w.Calls) == 0 &&
			!st.EstimatedStart.Before(w.Window.End) {
			late = append(late, w)
		}
	}
	slices.SortFunc(late, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range late {
		ps.touch(w.ID, "callback.replan")
		moved, res, err := ps.s.widen(ps.p, w, w.Window.End, ps.now)
		if err != nil {
			return err
		}
		if moved {
			ps.reserved[w.ID] = res
			ps.emit(Event{Kind: EventWidened, At: ps.now, Request: w.ID, Team: w.Team, Window: w.Window,
				Reason: "own team cannot keep the window; to step " + w.Steps[w.StepIndex].Name})
			if w.State == StateDue {
				ps.markDue(w)
			}
			continue
		}
		est := ps.status[w.ID].EstimatedStart
		w.Broken = true
		ps.emit(Event{Kind: EventPromiseAtRisk, At: ps.now, Request: w.ID, Team: w.Team,
			Window: Window{Start: est, End: est.Add(ps.s.cfg.WindowLength)}, Reason: "expected after the told window"})
	}
	return nil
}

// escalate takes each request whose slack is below LowSlack one level up,
// most urgent first: promoted, then widened to the next routing step when
// that team can call earlier, then reported to the team lead.
func (ps *pass) escalate() error {
	var low []*Record
	for id, st := range ps.status {
		w := ps.work[id]
		if w.Team == "" || st.Slack >= ps.s.cfg.LowSlack || w.Escalation >= EscalationReportedToLead {
			continue
		}
		low = append(low, w)
	}
	slices.SortFunc(low, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range low {
		ps.touch(w.ID, "callback.escalate")
		if err := ps.escalateOne(w); err != nil {
			return err
		}
	}
	return nil
}

// escalateOne takes w from its escalation level to the next.
func (ps *pass) escalateOne(w *Record) error {
	now, st := ps.now, ps.status[w.ID]
	switch w.Escalation {
	case EscalationNone:
		w.Priority++
		w.Escalation = EscalationPromoted
		ps.emit(Event{Kind: EventPromoted, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
			Reason: "slack " + st.Slack.Round(time.Minute).String()})
		return nil
	case EscalationPromoted:
		w.Escalation = EscalationWidened
		moved, res, err := ps.s.widen(ps.p, w, st.EstimatedStart, now)
		if err != nil {
			return err
		}
		if moved {
			ps.reserved[w.ID] = res
			ps.emit(Event{Kind: EventWidened, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
				Reason: "to step " + w.Steps[w.StepIndex].Name})
			if w.State == StateDue {
				ps.markDue(w)
			}
			return nil
		}
	}
	w.Escalation = EscalationReportedToLead
	ps.emit(Event{Kind: EventReportedToLead, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
		Reason: "deadline at risk"})
	return nil
}

// persist is phase 4: it writes each touched request with a
// compare-and-set, and each request placed in a team's day with its
// reservation there (Store.UpdateReserved); a request changed
// concurrently, or whose day was promised into by another planner since
// the pass read it, keeps its stored state and its events are dropped:
// the next pass plans it again.
func (ps *pass) persist() error {
	failed := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(ps.touched)) {
		if ps.deposed {
			failed[id] = true
			continue
		}
		w := ps.work[id]
		detail := map[string]string{"escalation": strconv.Itoa(int(w.Escalation)), "priority": strconv.Itoa(w.Priority)}
		var saved Record
		var err error
		if res, ok := ps.reserved[id]; ok && !w.Unplaced && !w.Window.IsZero() {
			res.Version = ps.p.reservation(res.Key.Team, res.Key.Day).Version
			res.Fence = ps.fence
			saved, err = ps.s.updateReserved(ps.ctx, *w, res, ps.touched[id], ps.s.actor, ps.now, detail)
			if err == nil {
				ps.p.reserved(res)
			}
		} else {
			saved, err = ps.s.updateFenced(ps.ctx, *w, ps.fence, ps.touched[id], ps.s.actor, ps.now, detail)
		}
		switch {
		case errors.Is(err, ErrNotLeader):
			ps.deposed = true
		case errors.Is(err, ErrPlanChanged):
			ps.lostPlan = true
		}
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrPlanChanged) || errors.Is(err, ErrNotLeader) {
			failed[id] = true
			continue
		}
		if err != nil {
			return fmt.Errorf("callback: advance: %w", err)
		}
		*w = saved
	}
	ps.events = slices.DeleteFunc(ps.events, func(e Event) bool { return failed[e.Request] })
	return nil
}

// handOver gives the due requests to the dispatcher. A request it refuses
// stays due here (Take still finds it) and is marked Handover, so the next
// pass hands it over again; the errors are returned together.
func (ps *pass) handOver() error {
	if ps.s.dispatcher == nil {
		return nil
	}
	var errs []error
	for _, e := range ps.events {
		if e.Kind != EventDue {
			continue
		}
		w := ps.work[e.Request]
		err := ps.s.dispatcher.Dispatch(ps.ctx, w.Clone())
		if err == nil {
			continue
		}
		errs = append(errs, fmt.Errorf("callback: dispatch %s: %w", e.Request, err))
		w.Handover = true
		if saved, uerr := ps.s.updateFenced(ps.ctx, *w, ps.fence, "callback.handover_refused", ps.s.actor, ps.now, nil); errors.Is(uerr, ErrNotLeader) {
			ps.deposed = true
		} else if uerr != nil {
			errs = append(errs, fmt.Errorf("callback: mark %s for handover: %w", e.Request, uerr))
		} else {
			*w = saved
		}
	}
	return errors.Join(errs...)
}

// widen moves w to the first later routing step whose team can call before
// est (the estimated start in its own team) and before its deadline. A due
// request moves only to a team that can call it at once: it has been
// dispatched, and a dispatch is never taken back (a routing dispatcher
// widens the waiting item by its own policy meanwhile).
//
// It returns the reservation of the new window in the new team's day.
func (s *Planner) widen(p *planner, w *Record, est, now time.Time) (bool, Reservation, error) {
	due := w.State == StateDue
	limit := w.Deadline
	if est.Before(limit) {
		limit = est
	}
	for i := w.StepIndex + 1; i < len(w.Steps); i++ {
		dp, err := p.plan(w.Steps[i].Team, localDay(now))
		if err != nil {
			return false, Reservation{}, err
		}
		// Never earlier than the window told to the client.
		if due && !dp.onDuty(now) {
			continue
		}
		win, ok := dp.find(maxTime(now, w.Window.Start), limit, w.Handling)
		if !ok || due && win.Start.After(now) {
			// (A later window of a due request: its reservation stays in
			// this pass's plan only, which errs on the cautious side.)
			continue
		}
		w.Broken = w.Broken || win.End.After(w.Window.End)
		w.Team, w.StepIndex, w.Window = w.Steps[i].Team, i, win
		if !win.Start.After(now) {
			w.State, w.DueAt, w.Retry = StateDue, now, time.Time{}
		} else {
			w.State = StatePlanned
		}
		return true, p.reservation(w.Team, dp.dayStart), nil
	}
	return false, Reservation{}, nil
}

// NextDeadline implements carecontact.Driven: it returns when Advance must
// next be called: the earliest
// window or retry time of a planned request, and at most ReplanEvery from
// now while requests are open (to keep slack current). ok is false when no
// request is open.
func (s *Planner) NextDeadline(ctx context.Context) (t time.Time, ok bool, err error) {
	now := s.now()
	if !s.leads() {
		// A follower plans nothing; it looks again for the lead.
		return now.Add(s.cfg.ReplanEvery), true, nil
	}
	open, err := s.store.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return time.Time{}, false, fmt.Errorf("callback: next deadline: %w", err)
	}
	if len(open) == 0 {
		return time.Time{}, false, nil
	}
	t = now.Add(s.cfg.ReplanEvery)
	for _, r := range open {
		if r.State == StatePlanned && !r.Unplaced {
			st := slotTime(r)
			if st.Before(now) {
				st = now
			}
			if st.Before(t) {
				t = st
			}
		}
	}
	return t, true, nil
}

// leads reports whether this planner runs the time-driven planning: always
// without a Config.Leader, else while it leads.
func (s *Planner) leads() bool {
	_, ok := s.fence()
	return ok
}

// fence returns the fence of the planner's writes and whether it runs the
// time-driven planning: the zero fence and true without a Config.Leader,
// else the current term's fence while it leads.
func (s *Planner) fence() (carecontact.Fence, bool) {
	if s.cfg.Leader == nil {
		return carecontact.Fence{}, true
	}
	return s.cfg.Leader.Leading()
}
