package routing

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// EventKind names a dispatcher decision.
type EventKind int

// The kinds of event, one for every decision the dispatcher makes.
const (
	// EventQueued: an item entered the queue of its first usable step.
	EventQueued EventKind = iota + 1
	// EventSkipped: a step was skipped (Reason says why: nobody signed in,
	// area closed, no candidates).
	EventSkipped
	// EventWidened: a step's timeout passed and the item moved to the
	// next usable step, keeping its enqueue time.
	EventWidened
	// EventOffered: the item was offered to Professional.
	EventOffered
	// EventAccepted: Professional accepted the offer.
	EventAccepted
	// EventDeclined: Professional declined; the item is queued again.
	EventDeclined
	// EventTimedOut: the offer's deadline passed; the item is queued again.
	EventTimedOut
	// EventRescinded: the item was withdrawn (Reason: the client left, the
	// errand was settled elsewhere).
	EventRescinded
	// EventWrapUp: Professional finished the contact and is wrapping up.
	EventWrapUp
	// EventCompleted: the contact and its wrap-up are done; the item is
	// removed.
	EventCompleted
	// EventNoRoute: the item could not be queued, or was dropped after its
	// last step (Reason is the NoRouteReason).
	EventNoRoute
	// EventContinued: Professional switched the accepted contact to
	// another channel (Reason is the new channel).
	EventContinued
	// EventJoined: Professional was invited into the accepted contact.
	EventJoined
	// EventLeft: Professional, a guest, left the contact.
	EventLeft
	// EventReclaimed: the accepted contact's professional was away longer
	// than the grace (DispatcherConfig.Grace); the item is queued again.
	EventReclaimed
)

// lastEventKind is the highest EventKind.
const lastEventKind = EventReclaimed

// String returns the kind's name, e.g. "offered".
func (k EventKind) String() string {
	switch k {
	case EventQueued:
		return "queued"
	case EventSkipped:
		return "skipped"
	case EventWidened:
		return "widened"
	case EventOffered:
		return "offered"
	case EventAccepted:
		return "accepted"
	case EventDeclined:
		return "declined"
	case EventTimedOut:
		return "timed_out"
	case EventRescinded:
		return "rescinded"
	case EventWrapUp:
		return "wrap_up"
	case EventCompleted:
		return "completed"
	case EventNoRoute:
		return "no_route"
	case EventContinued:
		return "continued"
	case EventJoined:
		return "joined"
	case EventLeft:
		return "left"
	case EventReclaimed:
		return "reclaimed"
	default:
		return fmt.Sprintf("event(%d)", int(k))
	}
}

// Event is one dispatcher decision, for audit trails and KPIs. Continuity
// of care, for instance, is the share of EventAccepted whose Target is
// TargetOwnProfessional or TargetOwnTeam.
type Event struct {
	Kind     EventKind
	At       time.Time
	Item     carecontact.ItemID
	Client   carecontact.ClientRef
	Errand   channel.Errand
	Channel  channel.Kind
	Priority Priority
	// Step is the index of the policy step the decision concerns, and
	// Target its target; Step is -1 when there is none.
	Step   int
	Target Target
	// Professional is the professional concerned, if any.
	Professional carecontact.ProfessionalID
	// Reason explains skips, rescinds and no-routes.
	Reason string
	// Waited is the time since the item was enqueued.
	Waited time.Duration
}

// Sink receives the dispatcher's events, synchronously and in order, while
// the dispatcher holds its lock: it must return quickly and must not call
// the dispatcher. A nil Sink means no events are built at all;
// DispatcherConfig.SinkKinds limits the kinds built.
type Sink func(Event)
