package scenario

import (
	"fmt"
	"math"
	"time"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// observe collects the KPIs from the door's events (frontdoor.Config.
// OnEvent). It runs inside the door's calls and calls nothing back: offers
// are kept for takeOffers.
func (m *model) observe(e frontdoor.Event) {
	switch e.Kind {
	case frontdoor.EventMerged:
		m.admitted++
		m.duplicates++
		return
	case frontdoor.EventOffered:
		m.offers = append(m.offers, e)
		return
	case frontdoor.EventEscalated:
		m.escalated++
		return
	case frontdoor.EventClosed:
		m.closed(e)
		return
	}
	i, ok := m.byID[e.Contact]
	if !ok {
		return
	}
	c := &m.contacts[i]
	team := &m.teams[m.clients[c.client].team]
	now := m.loop.Now()
	switch e.Kind {
	case frontdoor.EventAdmitted:
		m.admitted++
		if e.Duplicate {
			m.duplicates++
		}
		if c.inbound {
			team.inbound++
			team.slArrivals[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
			m.inbound++
		}
	case frontdoor.EventQueued:
		if !c.waiting {
			c.waiting = true
			team.queue.Add(now, 1)
		}
	case frontdoor.EventAccepted:
		if c.waiting {
			c.waiting = false
			team.queue.Add(now, -1)
		}
		c.inHand = true
		if c.inbound && e.Waited <= time.Duration(m.s.ServiceLevelTarget) {
			team.inTarget++
			m.inTarget++
			team.slInTarget[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
		}
	case frontdoor.EventWithdrawn:
		// The client's errand was settled in another contact. One being
		// handled is finished by its professional; one the client
		// abandoned is counted by abandon.
		if !c.active || c.inHand || e.Outcome != session.OutcomeDuplicateMerged {
			return
		}
		if c.waiting {
			c.waiting = false
			team.queue.Add(now, -1)
		}
		if c.inbound {
			// Answered in the other channel: not a miss of this one.
			team.inbound--
			team.slArrivals[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]--
			m.inbound--
		}
		m.withdrawn++
		m.release(i)
	}
}

// closed counts a closed contact as handled by the professional's team,
// and for continuity when the client has an own team.
func (m *model) closed(e frontdoor.Event) {
	if e.Outcome == session.OutcomeNoAnswer {
		return // the client was never reached
	}
	p, ok := m.profIdx[e.Professional]
	if !ok {
		return
	}
	team := m.profs[p].team
	m.teams[team].handled++
	if i, ok := m.byID[e.Contact]; ok {
		if cl := m.clients[m.contacts[i].client]; cl.ownTeam {
			m.withOwnTeam++
			if int(cl.team) == team {
				m.byOwnTeam++
			}
		}
	}
}

// work books h of professional p's time in channel kind for utilisation.
func (m *model) work(p int32, kind channel.Kind, h time.Duration) {
	pi := m.profs[p]
	per := 1.0
	if sl, err := routing.SlotOf(kind); err == nil {
		per = float64(max(pi.capacity.Of(sl), 1))
	}
	m.teams[pi.team].busy += float64(h) / per
}

// metrics returns the replication's KPIs: inbound service, handled
// contacts, continuity and duplicates from the door's events; callbacks
// from the callback planner's KPIs, first-contact resolution and channel
// switches from the sessions' (the door's parts keep them).
func (m *model) metrics() ([]Metric, error) {
	from, to := m.s.start, m.s.start.Add(m.end)
	m.clk.Set(m.end) // the KPIs are as of the end of the run
	parts := m.door.Parts()
	cb, err := parts.Callbacks.KPIs(m.ctx, from, to)
	if err != nil {
		return nil, fmt.Errorf("callback kpis: %w", err)
	}
	sk, err := parts.Sessions.Report(m.ctx, system, from, to.Add(time.Nanosecond))
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
		{Name: "continuity", Unit: "share", Value: ratio(m.byOwnTeam, m.withOwnTeam)},
		{Name: "first_contact_resolution", Unit: "share", Value: nan(sk.Handled > 0, sk.FirstContactResolution)},
		{Name: "channel_switches", Unit: "per contact", Value: nan(sk.Handled > 0, sk.SwitchesPerSession)},
		{Name: "escalations", Unit: "count", Value: float64(m.escalated)},
		{Name: "duplicate_demand", Unit: "share", Value: ratio(m.duplicates, m.admitted)},
		{Name: "withdrawn_duplicates", Unit: "count", Value: float64(m.withdrawn)},
		{Name: "closed_no_route", Unit: "count", Value: float64(m.noRoute)},
		{Name: "unsuitable_channel", Unit: "count", Value: float64(m.unsuitable)},
		// Switches the door refused: the errand does not suit the channel,
		// or the professional cannot take a call now (in another call, or
		// signed out).
		{Name: "escalations_unsuitable", Unit: "count", Value: float64(m.escalationUnsuitable)},
		{Name: "escalations_no_capacity", Unit: "count", Value: float64(m.escalationNoCapacity)},
		// Due callbacks routing could not queue (nobody of the route
		// signed in): they stay due in the planner.
		{Name: "callback_undispatched", Unit: "count", Value: float64(m.undispatched)},
		// Closes whose withdrawal of the client's other contacts failed.
		{Name: "withdraw_failures", Unit: "count", Value: float64(m.withdrawFailed)},
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
