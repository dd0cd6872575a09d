package scenario

import (
	"fmt"
	"math"
	"time"

	"github.com/carecontact/carecontact/callback"
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
		b := m.bin(m.loop.Now())
		m.admitted++
		m.duplicates++
		b.admitted++
		b.duplicates++
		return
	case frontdoor.EventOffered:
		m.offers = append(m.offers, e)
		return
	case frontdoor.EventEscalated:
		m.escalated++
		m.bin(m.loop.Now()).escalated++
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
		b := m.bin(now)
		m.admitted++
		b.admitted++
		if e.Duplicate {
			m.duplicates++
			b.duplicates++
		}
		if c.inbound {
			team.inbound++
			team.slArrivals[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
			m.inbound++
			m.bin(c.arrived).inbound++
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
			m.bin(c.arrived).inTarget++
			team.slInTarget[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
		}
		m.accuracy(c, e, now)
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
			m.bin(c.arrived).inbound--
		}
		m.withdrawn++
		m.bin(now).withdrawn++
		m.release(i)
	}
}

// accuracy compares what the door told the client with what happened
// when a professional accepts contact c: the estimated wait of an
// inbound contact with the time it waited (answered contacts only; an
// abandoned client's wait is censored), and the first promised window of
// a callback with its first attempt. Both are counted in the bin of the
// contact's arrival.
func (m *model) accuracy(c *contactState, e frontdoor.Event, now time.Duration) {
	b := m.bin(c.arrived)
	if c.inbound && c.estimateKnown {
		d := e.Waited - c.estimate
		abs := d
		if abs < 0 {
			abs = -abs
		}
		for _, k := range []*counts{&m.counts, b} {
			k.estimated++
			k.estimateAbsErr += abs
			k.estimateBias += d
			if abs <= time.Minute {
				k.estimateWithin++
			}
		}
	}
	if c.kind == channel.Callback && c.promised && !c.attempted {
		c.attempted = true
		for _, k := range []*counts{&m.counts, b} {
			k.windowTested++
			switch {
			case now < c.window0:
				k.early++
			case now >= c.window1:
				k.late++
				k.lateness += now - c.window1
			}
		}
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
			b := m.bin(m.loop.Now())
			m.withOwnTeam++
			b.withOwnTeam++
			if int(cl.team) == team {
				m.byOwnTeam++
				b.byOwnTeam++
			}
			if cl.prof >= 0 {
				m.withOwnProf++
				b.withOwnProf++
				if cl.prof == p {
					m.byOwnProf++
					b.byOwnProf++
				}
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
	spread(m.teams[pi.team].binBusy, m.loop.Now(), h, 1/per)
}

// metrics returns the replication's KPIs: inbound service, handled
// contacts, continuity and duplicates from the door's events; callbacks
// from the callback planner's KPIs, first-contact resolution and channel
// switches from the sessions' (the door's parts keep them).
func (m *model) metrics() ([]Metric, error) {
	from, to := m.s.start, m.s.start.Add(m.end)
	m.clk.Set(m.end) // the KPIs are as of the end of the run
	cb, sk, err := m.partKPIs(from, to)
	if err != nil {
		return nil, err
	}
	out := m.service(&m.counts, cb, sk)
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

// partKPIs reads the callback planner's KPIs of the requests made in
// [from, to) and the sessions' of those closed in it.
func (m *model) partKPIs(from, to time.Time) (callback.KPIs, session.KPIs, error) {
	parts := m.door.Parts()
	cb, err := parts.Callbacks.KPIs(m.ctx, from, to)
	if err != nil {
		return cb, session.KPIs{}, fmt.Errorf("callback kpis: %w", err)
	}
	sk, err := parts.Sessions.Report(m.ctx, system, from, to.Add(time.Nanosecond))
	if err != nil {
		return cb, sk, fmt.Errorf("session kpis: %w", err)
	}
	return cb, sk, nil
}

// series returns the whole-service KPIs of every ProfileBin of the run, as
// of its end: the counters of the bin, the callback KPIs of the requests
// made in it and the sessions' KPIs of those closed in it.
func (m *model) series() ([][]Metric, error) {
	m.clk.Set(m.end)
	out := make([][]Metric, len(m.bins))
	for k := range m.bins {
		from := m.s.start.Add(time.Duration(k) * ProfileBin)
		to := from.Add(ProfileBin)
		cb, sk, err := m.partKPIs(from, to.Add(-time.Nanosecond))
		if err != nil {
			return nil, err
		}
		out[k] = m.service(&m.bins[k], cb, sk)
		busy, staffed, queue := 0.0, 0.0, 0.0
		for ti := range m.teams {
			busy += m.teams[ti].binBusy[k]
			staffed += m.teams[ti].binStaffed[k]
			queue += m.teams[ti].queue.BinMean(k)
		}
		out[k] = append(out[k], Metric{Name: "mean_queue", Unit: "clients", Value: queue},
			Metric{Name: "utilisation", Unit: "share", Value: ratioF(busy, staffed)})
	}
	return out, nil
}

// service returns the whole-service KPIs of counters c with the parts'
// KPIs over the same period.
func (m *model) service(c *counts, cb callback.KPIs, sk session.KPIs) []Metric {
	nan := func(ok bool, v float64) float64 {
		if !ok {
			return math.NaN()
		}
		return v
	}
	attempted := cb.Attempts > 0
	minutes := func(d time.Duration, n int64) float64 {
		if n == 0 {
			return math.NaN()
		}
		return d.Minutes() / float64(n)
	}
	out := []Metric{
		{Name: "contacts", Unit: "count", Value: float64(c.admitted)},
		{Name: "service_level", Unit: "share", Value: ratio(c.inTarget, c.inbound)},
		{Name: "abandonment", Unit: "share", Value: ratio(c.abandoned, c.inbound)},
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
		{Name: "continuity", Unit: "share", Value: ratio(c.byOwnTeam, c.withOwnTeam)},
		// Of the handled contacts of clients with an own professional,
		// those the own professional handled.
		{Name: "continuity_own_professional", Unit: "share", Value: ratio(c.byOwnProf, c.withOwnProf)},
		{Name: "first_contact_resolution", Unit: "share", Value: nan(sk.Handled > 0, sk.FirstContactResolution)},
		{Name: "channel_switches", Unit: "per contact", Value: nan(sk.Handled > 0, sk.SwitchesPerSession)},
		{Name: "escalations", Unit: "count", Value: float64(c.escalated)},
		{Name: "duplicate_demand", Unit: "share", Value: ratio(c.duplicates, c.admitted)},
		{Name: "withdrawn_duplicates", Unit: "count", Value: float64(c.withdrawn)},
		{Name: "closed_no_route", Unit: "count", Value: float64(c.noRoute)},
		{Name: "unsuitable_channel", Unit: "count", Value: float64(c.unsuitable)},
		// Switches the door refused: the errand does not suit the channel,
		// or the professional cannot take a call now (in another call, or
		// signed out).
		{Name: "escalations_unsuitable", Unit: "count", Value: float64(c.escalationUnsuitable)},
		{Name: "escalations_no_capacity", Unit: "count", Value: float64(c.escalationNoCapacity)},
		// Due callbacks routing could not queue (nobody of the route
		// signed in): they stay due in the planner.
		{Name: "callback_undispatched", Unit: "count", Value: float64(c.undispatched)},
		// Closes whose withdrawal of the client's other contacts failed.
		{Name: "withdraw_failures", Unit: "count", Value: float64(c.withdrawFailed)},
		// Accuracy of the estimated wait the door gave each inbound
		// client (routing.Wait.Estimate, when known) against the wait
		// of the answered ones: mean absolute error, mean bias (waited
		// minus estimated) and the share within a minute.
		{Name: "wait_estimate_error", Unit: "minutes", Value: minutes(c.estimateAbsErr, c.estimated)},
		{Name: "wait_estimate_bias", Unit: "minutes", Value: minutes(c.estimateBias, c.estimated)},
		{Name: "wait_estimate_within_1m", Unit: "share", Value: ratio(c.estimateWithin, c.estimated)},
		// Accuracy of the first promised callback window (what the
		// client was told) against the first attempt: early, late, and
		// the mean lateness of the late ones.
		{Name: "callback_window_early", Unit: "share", Value: ratio(c.early, c.windowTested)},
		{Name: "callback_window_late", Unit: "share", Value: ratio(c.late, c.windowTested)},
		{Name: "callback_window_lateness", Unit: "minutes", Value: minutes(c.lateness, c.late)},
	}
	if m.eb == nil {
		return out
	}
	return append(out,
		Metric{Name: "ebook_searches", Unit: "count", Value: float64(c.searches)},
		// Searches by clients already waiting about the errand in
		// another channel: duplicate demand across channels.
		Metric{Name: "ebook_searches_while_waiting", Unit: "count", Value: float64(c.searchesWaiting)},
		Metric{Name: "ebook_booked", Unit: "count", Value: float64(c.booked)},
		Metric{Name: "ebook_booking_share", Unit: "share", Value: ratio(c.booked-c.waitlistFilled, c.searches)},
		Metric{Name: "ebook_no_time", Unit: "count", Value: float64(c.noSlot)},
		Metric{Name: "ebook_refused", Unit: "count", Value: float64(c.bookRefused)},
		Metric{Name: "ebook_waitlisted", Unit: "count", Value: float64(c.waitlisted)},
		Metric{Name: "ebook_cancelled", Unit: "count", Value: float64(c.bookCancelled)},
		// Cancelled times the booker offered to a waiting client, and
		// those offers confirmed.
		Metric{Name: "ebook_freed_to_waitlist", Unit: "count", Value: float64(c.freed)},
		Metric{Name: "ebook_waitlist_filled", Unit: "count", Value: float64(c.waitlistFilled)},
		Metric{Name: "ebook_no_show", Unit: "share", Value: ratio(c.noShow, c.visits)},
		// Bookings by clients who already waited about the errand, and
		// the waiting contacts the bookings settled (withdrawn by the
		// door).
		Metric{Name: "ebook_duplicate", Unit: "count", Value: float64(c.bookedDuplicate)},
		Metric{Name: "ebook_settled_contacts", Unit: "count", Value: float64(c.bookSettled)},
	)
}
