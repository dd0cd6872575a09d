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
// and hands its events to Config.OnEvent.
func (s *Service) Advance(ctx context.Context) error {
	evs, err := s.Plan(ctx)
	if s.cfg.OnEvent != nil {
		for _, e := range evs {
			s.cfg.OnEvent(e)
		}
	}
	return err
}

var _ carecontact.Driven = (*Service)(nil)

// Plan brings the plan up to now, in one pass:
//
//  1. re-plan: the windows not yet due are checked against the capacity
//     left (absences, calls running long, urgent arrivals). Promises already
//     told are kept first, in their windows' order; one that no longer fits
//     moves to the own team's earliest window with room today, else to a
//     later routing step's team today (EventWidened), else to the own
//     team's next working days; a changed told window is reported early
//     (EventPromiseAtRisk). Unplaced requests get a window when one frees
//     up, even past their outer bound (they were reported when unplaced).
//  2. dispatch: planned requests whose window or retry time has come become
//     due (EventDue, and the Dispatcher if one is set), earliest deadline
//     first within priority.
//  3. slack: each open request's estimated start and slack are recomputed
//     (see Status); a request whose slack is below LowSlack is escalated
//     one step per Advance: promoted, then widened to the next routing step
//     when that team can call earlier, then reported to the team lead.
//
// A request changed concurrently (compare-and-set failure) is left for the
// next Advance. Call Advance at NextDeadline, and whenever the capacity
// changes.
func (s *Service) Plan(ctx context.Context) ([]Event, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	open, err := s.store.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return nil, fmt.Errorf("callback: advance: %w", err)
	}
	byTeam := map[carecontact.TeamID][]Record{}
	for _, r := range open {
		byTeam[r.Team] = append(byTeam[r.Team], r)
	}
	teams := slices.Sorted(maps.Keys(byTeam))
	p := s.newPlanner(ctx, now, byTeam)
	today := localDay(now)

	work := make(map[string]*Record, len(open))
	for i := range open {
		work[open[i].ID] = &open[i]
	}
	var events []Event
	touched := map[string]string{} // id -> audit action
	touch := func(id, action string) {
		if _, ok := touched[id]; !ok {
			touched[id] = action
		}
	}

	// 1. re-plan the windows not yet due, team by team.
	for _, team := range teams {
		var movable, unplaced []*Record
		for _, r := range byTeam[team] {
			w := work[r.ID]
			switch {
			case w.State != StatePlanned:
			case w.Unplaced:
				unplaced = append(unplaced, w)
				p.skip[w.ID] = true
			case w.Retry.IsZero() && w.Window.Start.After(now) && localDay(w.Window.Start).Equal(today):
				movable = append(movable, w)
				p.skip[w.ID] = true
			}
		}
		if len(movable)+len(unplaced) == 0 {
			continue
		}
		dp, err := p.plan(team, today)
		if err != nil {
			return nil, err
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
			wasUnplaced := w.Unplaced
			outerDay, err := addWorkdays(s.cfg.Workdays, localDay(w.RequestedAt), s.cfg.OuterWorkdays)
			if err != nil {
				return nil, fmt.Errorf("callback: advance: request %s: %w", w.ID, err)
			}
			outer := at(outerDay, s.cfg.DayEnd)
			// The own team today, then the later routing steps today, and
			// only then the own team's later days.
			sameDayEnd := at(today, s.cfg.DayEnd)
			win, ok, err := p.placeIn(team, today, today, sameDayEnd, w.Handling)
			if err != nil {
				return nil, err
			}
			widened := false
			for i := w.StepIndex + 1; !ok && i < len(w.Steps); i++ {
				if win, ok, err = p.placeIn(w.Steps[i].Team, today, today, sameDayEnd, w.Handling); err != nil {
					return nil, err
				}
				if ok {
					w.Team, w.StepIndex, widened = w.Steps[i].Team, i, true
				}
			}
			if !ok {
				if win, ok, err = p.placeIn(team, nextDay(today), localDay(outer), outer, w.Handling); err != nil {
					return nil, err
				}
			}
			touch(w.ID, "callback.replan")
			if widened {
				events = append(events, Event{Kind: EventWidened, At: now, Request: w.ID, Team: w.Team, Window: win,
					Reason: "capacity reduced; to step " + w.Steps[w.StepIndex].Name})
			}
			if ok && widened && !wasUnplaced && !win.Start.Before(w.Window.Start) && !win.End.After(w.Window.End) {
				w.Window = win // the told window still holds
				continue
			}
			if ok {
				w.Window, w.Unplaced = win, false
				w.NextDay = !localDay(win.Start).Equal(localDay(w.RequestedAt))
				if win.End.After(w.Deadline) {
					w.Deadline = win.End
				}
				if wasUnplaced {
					w.Promised = win
					events = append(events, Event{Kind: EventPromised, At: now, Request: w.ID, Team: team, Window: win})
					continue
				}
				w.Broken = true
				events = append(events, Event{Kind: EventPromiseAtRisk, At: now, Request: w.ID, Team: team, Window: win,
					Reason: "capacity reduced; moved to the earliest window with room"})
				continue
			}
			if wasUnplaced {
				delete(touched, w.ID) // nothing changed
				continue
			}
			w.Window, w.Unplaced, w.Broken, w.Escalation = Window{}, true, true, 3
			events = append(events,
				Event{Kind: EventPromiseAtRisk, At: now, Request: w.ID, Team: team, Reason: "no capacity up to the outer bound"},
				Event{Kind: EventReportedToLead, At: now, Request: w.ID, Team: team, Reason: "unplaced"})
		}
	}

	// 2. dispatch what is due.
	var due []*Record
	for _, w := range work {
		if w.State == StatePlanned && !w.Unplaced && !slotTime(*w).After(now) {
			w.State, w.DueAt, w.Retry = StateDue, now, time.Time{}
			due = append(due, w)
			touch(w.ID, "callback.due")
		}
	}
	slices.SortFunc(due, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	// A request is made due (and dispatched) at most once per pass: when
	// widening moves it again, its due event is brought up to date.
	dueEvent := map[string]int{}
	markDue := func(w *Record) {
		if i, ok := dueEvent[w.ID]; ok {
			events[i].Team, events[i].Window = w.Team, w.Window
			return
		}
		w.Dispatches++
		dueEvent[w.ID] = len(events)
		events = append(events, Event{Kind: EventDue, At: now, Request: w.ID, Team: w.Team, Window: w.Window})
	}
	for _, w := range due {
		markDue(w)
	}

	// 3. slack, and escalation of low slack.
	status := make(map[string]Status, len(work))
	for _, team := range teams {
		dp, err := p.plan(team, today)
		if err != nil {
			return nil, err
		}
		var pending []Record
		var busy time.Duration
		for _, r := range byTeam[team] {
			w := work[r.ID]
			switch {
			case w.State == StateInCall:
				busy += s.busyLeft(*w, now)
			case w.Unplaced:
			case localDay(slotTime(*w)).After(today):
				status[w.ID] = Status{EstimatedStart: slotTime(*w), Slack: w.Deadline.Sub(slotTime(*w))}
			default:
				pending = append(pending, *w)
			}
		}
		sortRecords(pending)
		s.sweep(dp, pending, busy, now, status)
	}
	s.status = status
	// A told window the team can no longer keep (it is due, so it was not
	// re-planned): widen to a step that can call inside it, else report it
	// now, before the window ends.
	var late []*Record
	for id, st := range status {
		w := work[id]
		if !w.Broken && !w.Window.IsZero() && (w.State == StateDue || w.State == StatePlanned) && len(w.Calls) == 0 &&
			!st.EstimatedStart.Before(w.Window.End) {
			late = append(late, w)
		}
	}
	slices.SortFunc(late, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range late {
		touch(w.ID, "callback.replan")
		moved, err := s.widen(p, w, w.Window.End, now)
		if err != nil {
			return nil, err
		}
		if moved {
			events = append(events, Event{Kind: EventWidened, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
				Reason: "own team cannot keep the window; to step " + w.Steps[w.StepIndex].Name})
			if w.State == StateDue {
				markDue(w)
			}
			continue
		}
		est := status[w.ID].EstimatedStart
		w.Broken = true
		events = append(events, Event{Kind: EventPromiseAtRisk, At: now, Request: w.ID, Team: w.Team,
			Window: Window{Start: est, End: est.Add(s.cfg.WindowLength)}, Reason: "expected after the told window"})
	}
	var low []*Record
	for id, st := range status {
		w := work[id]
		if w.Team == "" || st.Slack >= s.cfg.LowSlack || w.Escalation >= 3 {
			continue
		}
		low = append(low, w)
	}
	slices.SortFunc(low, func(a, b *Record) int { return urgencyOrder(*a, *b) })
	for _, w := range low {
		touch(w.ID, "callback.escalate")
		switch w.Escalation {
		case 0:
			w.Priority++
			w.Escalation = 1
			events = append(events, Event{Kind: EventPromoted, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
				Reason: "slack " + status[w.ID].Slack.Round(time.Minute).String()})
		case 1:
			w.Escalation = 2
			moved, err := s.widen(p, w, status[w.ID].EstimatedStart, now)
			if err != nil {
				return nil, err
			}
			if moved {
				events = append(events, Event{Kind: EventWidened, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
					Reason: "to step " + w.Steps[w.StepIndex].Name})
				if w.State == StateDue {
					markDue(w)
				}
				break
			}
			fallthrough
		default:
			w.Escalation = 3
			events = append(events, Event{Kind: EventReportedToLead, At: now, Request: w.ID, Team: w.Team, Window: w.Window,
				Reason: "deadline at risk"})
		}
	}

	// 4. write, each request with a compare-and-set; a request changed
	// concurrently keeps its stored state and its events are dropped.
	failed := map[string]bool{}
	for _, id := range slices.Sorted(maps.Keys(touched)) {
		w := work[id]
		_, err := s.update(ctx, *w, touched[id], s.actor, now, map[string]string{
			"escalation": strconv.Itoa(w.Escalation), "priority": strconv.Itoa(w.Priority)})
		if errors.Is(err, ErrConflict) {
			failed[id] = true
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("callback: advance: %w", err)
		}
	}
	events = slices.DeleteFunc(events, func(e Event) bool { return failed[e.Request] })
	// Hand the due requests to the dispatcher. A request it refuses stays
	// due here (Take still finds it); the errors are returned together.
	var errs []error
	if s.dispatcher != nil {
		for _, e := range events {
			if e.Kind != EventDue {
				continue
			}
			if err := s.dispatcher.Dispatch(ctx, work[e.Request].Clone()); err != nil {
				errs = append(errs, fmt.Errorf("callback: dispatch %s: %w", e.Request, err))
			}
		}
	}
	return events, errors.Join(errs...)
}

// widen moves w to the first later routing step whose team can call before
// est (the estimated start in its own team) and before its deadline. A due
// request moves only to a team that can call it at once: it has been
// dispatched, and a dispatch is never taken back (a routing dispatcher
// widens the waiting item by its own policy meanwhile).
func (s *Service) widen(p *planner, w *Record, est, now time.Time) (bool, error) {
	due := w.State == StateDue
	limit := w.Deadline
	if est.Before(limit) {
		limit = est
	}
	for i := w.StepIndex + 1; i < len(w.Steps); i++ {
		dp, err := p.plan(w.Steps[i].Team, localDay(now))
		if err != nil {
			return false, err
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
		return true, nil
	}
	return false, nil
}

// NextDeadline implements carecontact.Driven: it returns when Advance must
// next be called: the earliest
// window or retry time of a planned request, and at most ReplanEvery from
// now while requests are open (to keep slack current). ok is false when no
// request is open.
func (s *Service) NextDeadline(ctx context.Context) (t time.Time, ok bool, err error) {
	now := s.now()
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
