package frontdoor

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// EventKind names what happened to a contact.
type EventKind string

// The kinds of Event. Routing's decisions, the callback planner's and the
// Door's own all arrive as one stream.
const (
	// EventAdmitted: a new contact was admitted (Duplicate tells whether
	// the client already waited about the errand).
	EventAdmitted EventKind = "admitted"
	// EventRefused: an admitted contact could be neither queued nor
	// promised (Reason: routing's no-route reason, or "refused"); its
	// admission is undone and Contact returned the error.
	EventRefused EventKind = "refused"
	// EventMerged: a duplicate contact joined the one already waiting.
	EventMerged EventKind = "merged"
	// EventQueued: the contact (or a due callback) entered a routing queue.
	EventQueued EventKind = "queued"
	// EventOffered: routing offered the work to Professional.
	EventOffered EventKind = "offered"
	// EventAccepted: Professional accepted; Target says whether it was
	// the client's own professional or team.
	EventAccepted EventKind = "accepted"
	// EventDeclined: Professional declined, or the offer timed out.
	EventDeclined EventKind = "declined"
	// EventWidened: the contact moved to the next routing step.
	EventWidened EventKind = "widened"
	// EventEscalated: the contact continues on Channel (a chat or call
	// switched to video).
	EventEscalated EventKind = "escalated"
	// EventInvited and EventLeft: a colleague joined or left the contact.
	EventInvited EventKind = "invited"
	EventLeft    EventKind = "left"
	// EventTransferred: the contact moved to Team.
	EventTransferred EventKind = "transferred"
	// EventReclaimed: the professional was away past the grace; the
	// contact is queued again.
	EventReclaimed EventKind = "reclaimed"
	// EventCallbackPromised: a callback window was promised.
	EventCallbackPromised EventKind = "callback_promised"
	// EventCallbackDue: the window came and the call is dispatched.
	EventCallbackDue EventKind = "callback_due"
	// EventCallbackAtRisk: the promise is at risk (re-planning could not
	// keep it, or the team lead was told).
	EventCallbackAtRisk EventKind = "callback_at_risk"
	// EventCallbackBreached: the call began after the client's deadline.
	EventCallbackBreached EventKind = "callback_breached"
	// EventCallbackRetry: the client did not answer; another attempt is
	// planned.
	EventCallbackRetry EventKind = "callback_retry"
	// EventClosed: the contact closed with Outcome.
	EventClosed EventKind = "closed"
	// EventWithdrawn: the contact was withdrawn (the client's errand was
	// settled by another contact, or the client withdrew).
	EventWithdrawn EventKind = "withdrawn"
)

// Event is one thing that happened to a contact, for desks and metrics. It
// carries pseudonymous references only.
type Event struct {
	Kind EventKind
	At   time.Time
	// Contact is the contact's ID (the session's); Item the routing work
	// item, when routing is concerned.
	Contact string
	Item    carecontact.ItemID
	Client  carecontact.ClientRef
	Errand  channel.Errand
	Channel channel.Kind
	Team    carecontact.TeamID
	// Professional is the professional concerned, if any.
	Professional carecontact.ProfessionalID
	// Target is the routing step's target of an offer or acceptance.
	Target routing.Target
	// Waited is the time since the contact was queued (routing events).
	Waited time.Duration
	// Window is the promised window (callback events).
	Window callback.Window
	// Outcome is the closing outcome (EventClosed). For EventWithdrawn it
	// says why: session.OutcomeWithdrawn when the client withdrew,
	// session.OutcomeDuplicateMerged when another contact settled the
	// errand.
	Outcome session.Outcome
	// Duplicate: the client already waited about the errand.
	Duplicate bool
	// Reason explains declines, withdrawals and risks.
	Reason string
}

// String is a short line for logs: kind, contact and professional.
func (e Event) String() string {
	s := fmt.Sprintf("%s %s", e.Kind, e.Contact)
	if e.Professional != "" {
		s += " " + string(e.Professional)
	}
	return s
}

// contactOfItem returns the contact an item belongs to: the callback
// request of a dispatch, the contact before a transfer suffix, or the item
// itself.
func contactOfItem(item carecontact.ItemID) string {
	if req, ok := RequestOf(item); ok {
		return req
	}
	if c, ok := transferredFrom(item); ok {
		return c
	}
	return string(item)
}

// fromRouting turns routing's decisions into Door events; kinds the Door
// does not report give ok false.
func fromRouting(e routing.Event) (Event, bool) {
	var k EventKind
	switch e.Kind {
	case routing.EventQueued:
		k = EventQueued
	case routing.EventOffered:
		k = EventOffered
	case routing.EventAccepted:
		if _, cb := RequestOf(e.Item); cb {
			// The Door reports a callback's acceptance itself, with the
			// continuity of the client's own professional and team (routing
			// sees only the team that promised the window).
			return Event{}, false
		}
		k = EventAccepted
	case routing.EventDeclined, routing.EventTimedOut:
		k = EventDeclined
	case routing.EventWidened:
		k = EventWidened
	case routing.EventReclaimed:
		k = EventReclaimed
	default:
		return Event{}, false
	}
	return Event{Kind: k, At: e.At, Contact: contactOfItem(e.Item), Item: e.Item, Client: e.Client,
		Errand: e.Errand, Channel: e.Channel, Professional: e.Professional, Target: e.Target,
		Waited: e.Waited, Reason: e.Reason}, true
}

// fromCallback turns the callback planner's events into Door events.
func fromCallback(e callback.Event) (Event, bool) {
	var k EventKind
	switch e.Kind {
	case callback.EventPromised:
		k = EventCallbackPromised
	case callback.EventDue:
		k = EventCallbackDue
	case callback.EventPromiseAtRisk, callback.EventReportedToLead, callback.EventUnplaced:
		k = EventCallbackAtRisk
	case callback.EventRetryScheduled:
		k = EventCallbackRetry
	default:
		return Event{}, false
	}
	return Event{Kind: k, At: e.At, Contact: e.Request, Channel: channel.Callback, Team: e.Team,
		Window: e.Window, Reason: e.Reason}, true
}

// emit hands e to Config.OnEvent.
func (d *Door) emit(e Event) {
	if d.cfg.OnEvent != nil {
		d.cfg.OnEvent(e)
	}
}

// emitCallback reports the callback planner's events.
func (d *Door) emitCallback(e callback.Event) {
	if ev, ok := fromCallback(e); ok {
		d.emit(ev)
	}
}

// emitCallbacks reports events a callback operation returned.
func (d *Door) emitCallbacks(es []callback.Event) {
	for _, e := range es {
		d.emitCallback(e)
	}
}
