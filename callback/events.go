package callback

import (
	"time"

	"github.com/carecontact/carecontact"
)

// EventKind names what happened to a request, for the host to act on.
type EventKind string

// The event kinds.
const (
	// EventPromised: a window was promised (or, after being unplaced, found).
	EventPromised EventKind = "promised"
	// EventJoined: a second request of the same client and errand joined the open one.
	EventJoined EventKind = "joined"
	// EventNextDay: the promise is for a later day; when the request came
	// before the cut-off it is a breach of the same-day target. Offer e-booking.
	EventNextDay EventKind = "next_day"
	// EventUnplaced: no capacity holds the request up to its outer bound;
	// it waits, reported to the team lead, and e-booking should be offered.
	EventUnplaced EventKind = "unplaced"
	// EventPromiseAtRisk: re-planning could not keep a told window; Window
	// is the new one. Notify the client.
	EventPromiseAtRisk EventKind = "promise_at_risk"
	// EventPromoted: low slack raised the request's priority.
	EventPromoted EventKind = "promoted"
	// EventWidened: low slack moved the request to the next routing step.
	EventWidened EventKind = "widened"
	// EventReportedToLead: the deadline is at risk; the team lead must act.
	EventReportedToLead EventKind = "reported_to_lead"
	// EventDue: the window (or retry time) came; the request is dispatched.
	EventDue EventKind = "due"
	// EventRetryScheduled: an attempt went unanswered; another follows.
	EventRetryScheduled EventKind = "retry_scheduled"
	// EventClosed: the request was closed with Outcome.
	EventClosed EventKind = "closed"
)

// Event tells the host what the Planner did. It carries no personal data
// besides the pseudonymous request ID.
type Event struct {
	Kind    EventKind
	At      time.Time
	Request string
	Team    carecontact.TeamID
	Window  Window
	Outcome Outcome
	Reason  string
}
