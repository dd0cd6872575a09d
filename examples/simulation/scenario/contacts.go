package scenario

import (
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// newContact brings a client's contact to the door. Whether it is a
// duplicate, merged, queued or promised a callback window is the door's
// answer; the workload only draws what the client does next (hang up, try
// another channel).
func (m *model) newContact(cl int32, streamIdx int16, kind channel.Kind, now time.Duration, duplicate bool) error {
	st := &m.streams[streamIdx]
	i := m.slot()
	c := &m.contacts[i]
	*c = contactState{gen: c.gen, client: cl, stream: streamIdx, kind: kind, active: true, arrived: now, prof: -1,
		inbound: kind != channel.Callback && kind != channel.SecureMessage,
		// Chat, video and messages are opened after strong electronic
		// identification; on the phone the professional asks who calls.
		strong: kind == channel.Chat || kind == channel.Video || kind == channel.SecureMessage}
	m.newSlot = i
	out, err := m.door.Contact(m.ctx, m.request(i))
	m.newSlot = -1
	switch {
	case errors.Is(err, channel.ErrUnsuitable):
		m.unsuitable++
		m.bin(now).unsuitable++
		m.release(i)
		return nil
	case errors.Is(err, routing.ErrNoRoute), errors.Is(err, callback.ErrNoRoute):
		// Nobody can take it now: the service is closed for this contact.
		m.noRoute++
		m.bin(now).noRoute++
		m.release(i)
		return nil
	case err != nil:
		return fmt.Errorf("contact: %w", err)
	case out.Merged, out.Promise != nil && out.Promise.Joined:
		// The client's errand already waits in another contact (merged by
		// the door, or a callback request the planner joined to the
		// client's open one).
		m.release(i)
		return nil
	}
	// What the door told the client, to be compared with what happens.
	if c.inbound && out.Item.ID != "" {
		c.estimate, c.estimateKnown = out.Wait.Estimate, out.Wait.Known
	}
	if p := out.Promise; p != nil && !p.Unplaced && !p.Window.IsZero() {
		epoch := m.clk.Epoch()
		c.promised, c.window0, c.window1 = true, p.Window.Start.Sub(epoch), p.Window.End.Sub(epoch)
	}
	if c.inbound {
		if st.patience != nil {
			m.loop.At(now+st.patience.Sample(m.rnd.patience), event{kind: evAbandon, a: i, gen: c.gen})
		}
		if d := m.s.Duplicates; d.Probability > 0 && !duplicate && kind != channel.Kind(d.Channel) && m.rnd.behave.Float64() < d.Probability {
			m.loop.At(now+time.Duration(d.After), event{kind: evDuplicate, a: i, gen: c.gen})
		}
	}
	// A client waiting in the line, in chat or for a callback may also
	// try to book a time for the errand.
	if eb := m.s.EBooking; eb != nil && !duplicate && eb.FromWaiting > 0 && st.errand == channel.Errand(eb.Errand) && m.rnd.book.Float64() < eb.FromWaiting {
		m.loop.At(now+time.Duration(eb.After), event{kind: evBookWaiting, a: i, gen: c.gen})
	}
	return nil
}

// request is contact i as the client brings it to the door.
func (m *model) request(i int32) frontdoor.ContactRequest {
	c := &m.contacts[i]
	cl := m.clients[c.client]
	st := &m.streams[c.stream]
	r := frontdoor.ContactRequest{Actor: clientActor(c.client), Client: carecontact.ClientRef(clientRef(c.client)),
		Errand: st.errand, Channel: c.kind, PostalCode: m.areaCodes[cl.area]}
	if cl.ownTeam {
		r.OwnTeam = carecontact.TeamID(m.s.Teams[cl.team].ID)
	}
	if cl.prof >= 0 {
		r.OwnProfessional = m.profs[cl.prof].id
	}
	if c.strong {
		r.Identity, r.IdentityMethod = channel.IdentityStrong, "bank_id"
	}
	if c.kind != channel.Callback {
		r.Priority = st.prio
	}
	if c.kind == channel.Callback {
		// A synthetic number: the planner stores it for the host's
		// telephony and never prints it.
		r.Language, r.Phone = "fi", callback.Phone(fmt.Sprintf("+358500%07d", c.client))
		if st.prio == routing.PriorityUrgent {
			r.Urgency = callback.Urgent
		}
	}
	return r
}

// takeOffers answers the offers the door made: professionals accept what
// they are offered, and the workload draws how long the contact takes
// and, for a callback attempt, whether the client answers.
func (m *model) takeOffers(now time.Duration) error {
	for k := 0; k < len(m.offers); k++ {
		e := m.offers[k]
		i, ok := m.byID[e.Contact]
		if !ok {
			continue // withdrawn or abandoned after the offer, in the same step
		}
		_, err := m.door.Accept(m.ctx, e.Professional, e.Item)
		switch {
		case errors.Is(err, routing.ErrWrongState), errors.Is(err, routing.ErrItemNotFound), errors.Is(err, routing.ErrOfferExpired):
			continue // the offer moved on within the step
		case err != nil:
			return fmt.Errorf("accept: %w", err)
		}
		c := &m.contacts[i]
		c.prof = m.profIdx[e.Professional]
		h := m.streams[c.stream].handling.Sample(m.rnd.handle)
		c.answered = true
		if c.kind == channel.Callback {
			c.answered = m.rnd.behave.Float64() >= m.s.Callbacks.NoAnswer
			if !c.answered {
				h = time.Duration(m.s.Callbacks.NoAnswerTime)
				if h == 0 {
					h = time.Minute
				}
			}
		}
		m.work(c.prof, c.kind, h)
		m.loop.At(now+h, event{kind: evDone, a: i, gen: c.gen})
	}
	m.offers = m.offers[:0]
	return nil
}

// finish ends contact i's running leg or call attempt: an unanswered
// callback attempt is reported to the door (which plans the retry); the
// contact may continue on another channel; otherwise the professional
// closes it with an outcome drawn from the scenario's resolution rates,
// and an unresolved errand comes back later.
func (m *model) finish(i int32, now time.Duration) error {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	if !c.answered {
		rec, err := m.door.NoAnswer(m.ctx, p.id, c.id)
		if err != nil {
			return fmt.Errorf("no answer: %w", err)
		}
		c.inHand, c.prof = false, -1
		if rec.State == callback.StateClosed {
			m.release(i) // the last attempt
		}
		return nil
	}
	if !c.escalated {
		if done, err := m.escalate(i, now); done || err != nil {
			return err
		}
	}
	pr := m.s.Resolution.Other
	if p.team == int(m.clients[c.client].team) {
		pr = m.s.Resolution.OwnTeam
	}
	outcome := session.OutcomeFollowUp
	if m.rnd.behave.Float64() < pr {
		outcome = session.OutcomeResolved
	}
	_, err := m.door.Close(m.ctx, p.id, c.id, outcome)
	switch {
	case errors.Is(err, callback.ErrNotFound):
		// The contact is closed, but the door failed to withdraw one of
		// the client's other contacts from the callback planner (one the
		// planner had joined to another request): the run goes on.
		m.withdrawFailed++
		m.bin(now).withdrawFailed++
	case err != nil:
		return fmt.Errorf("close: %w", err)
	}
	if outcome == session.OutcomeResolved {
		m.release(i)
		return nil
	}
	// Not resolved: the errand comes back later as a new contact.
	m.forget(i)
	d, _ := m.s.Resolution.Recontact.Dist("recontact")
	*c = contactState{gen: c.gen, client: c.client, stream: c.stream, active: true, prof: -1}
	m.loop.At(now+d.Sample(m.rnd.behave), event{kind: evRecontact, a: i, gen: c.gen})
	return nil
}

// escalate continues contact i on another channel when the scenario's
// escalations draw it; the door decides whether the switch is allowed
// (the errand suits the channel, the professional is free for a call). It
// reports whether the contact goes on.
func (m *model) escalate(i int32, now time.Duration) (bool, error) {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	for _, e := range m.escalations {
		if e.from != c.kind || m.rnd.behave.Float64() >= e.probability {
			continue
		}
		if e.to == channel.Video && !c.strong {
			// The client joins the video room with bank ID.
			if _, err := m.door.Identify(m.ctx, p.id, c.id, channel.IdentityStrong, "bank_id"); err != nil {
				return false, fmt.Errorf("identify: %w", err)
			}
			c.strong = true
		}
		_, err := m.door.Switch(m.ctx, p.id, c.id, frontdoor.SwitchRequest{To: e.to, Consent: true})
		switch {
		case errors.Is(err, channel.ErrUnsuitable):
			// Not on this channel: the contact ends where it is.
			m.escalationUnsuitable++
			m.bin(now).escalationUnsuitable++
			return false, nil
		case errors.Is(err, routing.ErrNoCapacity):
			// Not now (the professional is in another call, or signed
			// out): the contact ends where it is.
			m.escalationNoCapacity++
			m.bin(now).escalationNoCapacity++
			return false, nil
		case err != nil:
			return false, fmt.Errorf("switch: %w", err)
		}
		c.kind, c.escalated = e.to, true
		h := e.handling.Sample(m.rnd.handle)
		m.work(c.prof, e.to, h)
		m.loop.At(now+h, event{kind: evDone, a: i, gen: c.gen})
		return true, nil
	}
	return false, nil
}

// advance runs the door's deadlines. A due callback that routing cannot
// queue (nobody of its route signed in) is the door's to keep; the run
// goes on and counts it.
func (m *model) advance() error {
	err := m.door.Advance(m.ctx)
	if err == nil {
		return nil
	}
	if n := noRoutes(err); n > 0 {
		m.undispatched += int64(n)
		m.bin(m.loop.Now()).undispatched += int64(n)
		return nil
	}
	return fmt.Errorf("advance: %w", err)
}

// noRoutes returns the number of routing.NoRouteErrors joined in err if
// err is made of them alone, else 0.
func noRoutes(err error) int {
	for err != nil {
		if _, ok := err.(*routing.NoRouteError); ok {
			return 1
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			n := 0
			for _, e := range j.Unwrap() {
				k := noRoutes(e)
				if k == 0 {
					return 0
				}
				n += k
			}
			return n
		}
		err = errors.Unwrap(err)
	}
	return 0
}
