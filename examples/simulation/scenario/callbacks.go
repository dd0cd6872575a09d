package scenario

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// callbacks sets up the callback planner: routed by the routing directory
// (own team, then the policy's overflow steps), with the teams' callback
// rosters as capacity and the streams' mean handling times as the
// expected handling per errand.
func (m *model) callbacks(dir *routing.Directory, log *memory.AuditLog) error {
	cfg := m.s.cb
	cfg.Handling = map[channel.Errand]time.Duration{}
	var sum time.Duration
	for _, st := range m.streams {
		mean := st.handling.Mean()
		sum += mean
		if _, ok := cfg.Handling[st.errand]; !ok || st.kind == channel.InboundPhone {
			cfg.Handling[st.errand] = mean
		}
	}
	cfg.DefaultHandling = sum / time.Duration(len(m.streams))
	n := 0
	var err error
	cfg.Clock = m.clk
	cfg.OnEvent = func(e callback.Event) { m.cbEvents = append(m.cbEvents, e) }
	cfg.Store, cfg.Router, cfg.Capacity = memory.NewCallbackStore(log), frontdoor.RoutingRouter{Directory: dir}, rosterCapacity{m}
	cfg.NewID = func() string { n++; return "cb" + strconv.Itoa(n) }
	m.cb, err = callback.New(cfg)
	if err != nil {
		return fmt.Errorf("%w: callbacks: %w", ErrInvalid, err)
	}
	return nil
}

// rosterCapacity is the callback capacity of the scenario's teams: the
// professionals on callback duty (callback_roster, or the whole roster)
// in each hour of the local day, on the day's roster type.
type rosterCapacity struct{ m *model }

// CallbackCapacity implements callback.Capacity.
func (c rosterCapacity) CallbackCapacity(_ context.Context, team carecontact.TeamID, dayStart time.Time) ([]callback.Interval, error) {
	ti, ok := c.m.teamIdx[string(team)]
	if !ok {
		return nil, nil
	}
	t := &c.m.s.Teams[ti]
	r := t.Roster
	if t.CallbackRoster != nil {
		r = *t.CallbackRoster
	}
	l := dayStart.In(helsinki)
	end := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, helsinki)
	var out []callback.Interval
	// Hour by hour in absolute time: 23 hours on the March DST day, 25 in
	// October, each read on the roster by its local hour.
	for at := dayStart; at.Before(end); at = at.Add(time.Hour) {
		n := rosterAt(r, hour{local: at.In(helsinki).Hour(), dayType: c.m.cal.dayType(at)})
		to := at.Add(time.Hour)
		if to.After(end) {
			to = end
		}
		switch {
		case n == 0:
		case len(out) > 0 && out[len(out)-1].End.Equal(at) && out[len(out)-1].Professionals == n:
			out[len(out)-1].End = to.UTC()
		default:
			out = append(out, callback.Interval{Start: at.UTC(), End: to.UTC(), Professionals: n})
		}
	}
	return out, nil
}

// requestCallback asks the planner for a window for contact i.
func (m *model) requestCallback(i int32) error {
	c := &m.contacts[i]
	cl := m.clients[c.client]
	st := &m.streams[c.stream]
	// A synthetic number: the planner stores it for the host's telephony
	// and never prints it.
	req := callback.Request{Client: carecontact.ClientRef(clientRef(c.client)), Errand: st.errand, Language: "fi",
		PostalCode: m.s.Areas[cl.area].PostalCodes[0], Phone: callback.Phone(fmt.Sprintf("+358500%07d", c.client))}
	if st.prio == routing.PriorityUrgent {
		req.Urgency = callback.Urgent
	}
	if cl.ownTeam {
		req.OwnTeam = carecontact.TeamID(m.s.Teams[cl.team].ID)
	}
	p, err := m.cb.Request(m.ctx, req)
	switch {
	case errors.Is(err, callback.ErrNoRoute):
		m.noRoute++
		return m.closeContact(i, "no route")
	case err != nil:
		return fmt.Errorf("callback request: %w", err)
	case p.Joined:
		// The client already waits for a callback on the errand (a
		// duplicate the admission policy kept): the planner joined them.
		m.joined++
		return m.closeContact(i, "joined")
	}
	c.request = p.Request
	m.byRequest[p.Request] = i
	// The planner must look again at the new window's start, and within
	// its re-planning period (which Advance keeps up from then on).
	next := m.clk.Now().Add(m.cb.Config().ReplanEvery)
	if !p.Window.IsZero() && p.Window.Start.Before(next) {
		next = p.Window.Start
	}
	m.callbackAt(next)
	return nil
}

// callbackAt makes sure Advance runs at t at the latest.
func (m *model) callbackAt(t time.Time) {
	at := max(t.Sub(m.clk.Epoch()), m.loop.Now())
	if m.cbDeadline < 0 || at < m.cbDeadline {
		m.cbDeadline = at
		m.loop.At(at, event{kind: evCallbacks})
	}
}

// closeContact closes contact i's channel contact and frees its slot.
func (m *model) closeContact(i int32, reason string) error {
	c := &m.contacts[i]
	if _, err := m.adm.Close(m.ctx, clientActor(c.client), c.demandID, reason); err != nil && !errors.Is(err, demand.ErrContactClosed) {
		return fmt.Errorf("close: %w", err)
	}
	m.release(i)
	return nil
}

// planNext schedules the planner's next deadline after Advance (a request
// schedules its own window, an unanswered attempt its retry).
func (m *model) planNext() error {
	if !m.cbDirty {
		return nil
	}
	m.cbDirty = false
	t, ok, err := m.cb.NextDeadline(m.ctx)
	if err != nil {
		return err
	}
	if ok {
		m.callbackAt(t)
	}
	return nil
}

// advanceCallbacks runs the planner's Advance: re-planning, escalation and
// the requests whose window or retry time came, which go to routing.
func (m *model) advanceCallbacks() error {
	err := m.cb.Advance(m.ctx) // the driver contract; events arrive through OnEvent
	evs := m.cbEvents
	m.cbEvents = nil
	m.cbDirty = true
	if err != nil {
		return fmt.Errorf("callback advance: %w", err)
	}
	for _, e := range evs {
		if e.Kind == callback.EventDue {
			if err := m.dispatch(e.Request); err != nil {
				return err
			}
		}
	}
	return nil
}

// dispatch hands a due callback request to the routing dispatcher as a work
// item (frontdoor.RoutingDispatcher: the promising team first, widening by
// the routing policy). One that finds nobody signed in waits for the next
// roster change.
func (m *model) dispatch(id string) error {
	i, ok := m.byRequest[id]
	if !ok {
		return nil
	}
	rec, err := m.cb.Get(m.ctx, id)
	if err != nil {
		return fmt.Errorf("callback get: %w", err)
	}
	if rec.State != callback.StateDue {
		return nil
	}
	// A request widened while due is dispatched again: the dispatcher
	// rescinds its waiting item and enqueues a new one.
	err = frontdoor.RoutingDispatcher{Dispatcher: m.disp}.Dispatch(m.ctx, rec)
	var nr *routing.NoRouteError
	switch {
	case errors.As(err, &nr):
		if m.contacts[i].queued {
			m.queued(i, -1)
		}
		m.pendingDue = append(m.pendingDue, id)
		return nil
	case err != nil:
		return err
	}
	m.setItem(i, frontdoor.ItemOf(rec))
	if !m.contacts[i].queued {
		m.queued(i, 1)
	}
	return nil
}

// unanswered ends a callback attempt the client did not answer: the planner
// schedules a retry (the session goes back to the team's queue) or, after
// the last attempt, closes the request with its closing outcome.
func (m *model) unanswered(i int32) error {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	if _, err := m.disp.Finish(m.ctx, m.ids[i], p.id); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	rec, _, err := m.cb.Complete(m.ctx, c.request, carecontact.ProfessionalID(string(p.id)), callback.NoAnswer)
	if err != nil {
		return fmt.Errorf("callback complete: %w", err)
	}
	if rec.State == callback.StatePlanned {
		m.callbackAt(rec.Retry)
	}
	if _, err := m.sess.EndLeg(m.ctx, p.actor, c.session, "no_answer"); err != nil {
		return fmt.Errorf("session end leg: %w", err)
	}
	if rec.State == callback.StateClosed {
		if _, err := m.sess.Close(m.ctx, p.actor, c.session, session.OutcomeNoAnswer); err != nil {
			return fmt.Errorf("session close: %w", err)
		}
		m.release(i)
		return nil
	}
	if _, err := m.sess.Release(m.ctx, p.actor, c.session, "no_answer"); err != nil {
		return fmt.Errorf("session release: %w", err)
	}
	c.prof = -1
	return nil
}

// metrics returns the replication's KPIs: inbound service from the model's
// counters, callbacks from the planner's KPIs, continuity, first-contact
// resolution and channel switches from the sessions' KPIs.
func (m *model) metrics() ([]Metric, error) {
	from, to := m.s.start, m.s.start.Add(m.end)
	m.clk.Set(m.end) // the KPIs are as of the end of the run
	cb, err := m.cb.KPIs(m.ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("callback kpis: %w", err)
	}
	sk, err := m.sess.Report(m.ctx, system, from, to.Add(time.Nanosecond))
	if err != nil {
		return nil, fmt.Errorf("session kpis: %w", err)
	}
	nan := func(ok bool, v float64) float64 {
		if !ok {
			return math.NaN()
		}
		return v
	}
	attempted := cb.Attempts > 0
	out := []Metric{
		{Name: "contacts", Unit: "count", Value: float64(m.admitted)},
		{Name: "service_level", Unit: "share", Value: ratio(m.inTarget, m.inbound)},
		{Name: "abandonment", Unit: "share", Value: ratio(m.abandoned, m.inbound)},
		{Name: "callback_requests", Unit: "count", Value: float64(cb.Requests)},
		{Name: "same_day_callback", Unit: "share", Value: nan(cb.BeforeCutoff > 0, cb.SameDayShare)},
		{Name: "callback_delay_p50", Unit: "minutes", Value: nan(attempted, cb.DelayP50.Minutes())},
		{Name: "callback_delay_p90", Unit: "minutes", Value: nan(attempted, cb.DelayP90.Minutes())},
		{Name: "callback_promise_kept", Unit: "share", Value: nan(cb.Promised > 0, cb.PromiseKeptRate)},
		{Name: "callback_next_day_breaches", Unit: "count", Value: float64(cb.Breaches)},
		{Name: "callback_attempts", Unit: "per request", Value: nan(cb.Closed > 0, cb.AttemptsPerRequest)},
		{Name: "callback_unreached", Unit: "count", Value: float64(cb.ClosedByOutcome)},
		// Requests still open when the run ends: their delays are not in
		// the percentiles above.
		{Name: "callback_open_at_end", Unit: "count", Value: float64(cb.Open)},
		{Name: "continuity", Unit: "share", Value: nan(sk.WithOwnTeam > 0, sk.TeamContinuity)},
		{Name: "first_contact_resolution", Unit: "share", Value: nan(sk.Handled > 0, sk.FirstContactResolution)},
		{Name: "channel_switches", Unit: "per contact", Value: nan(sk.Handled > 0, sk.SwitchesPerSession)},
		{Name: "escalations", Unit: "count", Value: float64(m.escalated)},
		{Name: "duplicate_demand", Unit: "share", Value: ratio(m.duplicates, m.admitted)},
		{Name: "withdrawn_duplicates", Unit: "count", Value: float64(m.withdrawn)},
		{Name: "closed_no_route", Unit: "count", Value: float64(m.noRoute)},
		{Name: "unsuitable_channel", Unit: "count", Value: float64(m.unsuitable)},
	}
	for i, t := range m.s.Teams {
		ts := &m.teams[i]
		if !t.Central {
			// Home-team figures: how the team's own clients were served.
			out = append(out,
				Metric{Name: "service_level", Team: t.ID, Unit: "share", Value: ratio(ts.inTarget, ts.inbound)},
				Metric{Name: "abandonment", Team: t.ID, Unit: "share", Value: ratio(ts.abandoned, ts.inbound)},
				Metric{Name: "mean_queue", Team: t.ID, Unit: "clients", Value: ts.queue.Mean()})
		}
		out = append(out,
			Metric{Name: "handled", Team: t.ID, Unit: "count", Value: float64(ts.handled)},
			Metric{Name: "utilisation", Team: t.ID, Unit: "share", Value: ratioF(ts.busy, ts.staffed)},
		)
	}
	return out, nil
}
