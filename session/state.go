package session

import (
	"errors"
	"fmt"
	"slices"
)

// State is where a session stands.
type State string

// Session states.
const (
	// StateWaiting: opened and queued; nobody is assigned.
	StateWaiting State = "waiting"
	// StateAssigned: a professional took the session; no leg is running.
	StateAssigned State = "assigned"
	// StateActive: a channel leg (call, video, chat) is running.
	StateActive State = "active"
	// StateWrapUp: contact with the client has ended; the professional
	// writes notes and chooses the outcome.
	StateWrapUp State = "wrap_up"
	// StateClosed: final, with an outcome.
	StateClosed State = "closed"
)

// States lists every state in lifecycle order.
func States() []State {
	return []State{StateWaiting, StateAssigned, StateActive, StateWrapUp, StateClosed}
}

// transitions is the state machine: the only legal moves.
var transitions = map[State][]State{
	StateWaiting:  {StateAssigned, StateClosed},
	StateAssigned: {StateActive, StateWaiting, StateClosed},
	StateActive:   {StateActive, StateAssigned, StateWaiting, StateWrapUp},
	StateWrapUp:   {StateClosed},
}

// CanTransition reports whether the state machine allows from -> to.
//
//	waiting  -> assigned            Assign
//	waiting  -> closed              Close (no answer, duplicate merged)
//	assigned -> active              StartLeg
//	assigned -> waiting             Transfer, Release
//	assigned -> closed              Close (no answer, duplicate merged)
//	active   -> active              Escalate (a new leg replaces the running one)
//	active   -> assigned            EndLeg (no answer, call dropped)
//	active   -> waiting             Transfer
//	active   -> wrap_up             FinishContact
//	wrap_up  -> closed              Close
func CanTransition(from, to State) bool { return slices.Contains(transitions[from], to) }

// Outcome is how a session ended.
type Outcome string

// Outcomes.
const (
	// OutcomeResolved: the errand was resolved in this contact.
	OutcomeResolved Outcome = "resolved"
	// OutcomeBooked: an appointment was booked.
	OutcomeBooked Outcome = "appointment_booked"
	// OutcomeReferred: the client was referred elsewhere.
	OutcomeReferred Outcome = "referred"
	// OutcomeNoAnswer: the client could not be reached.
	OutcomeNoAnswer Outcome = "no_answer"
	// OutcomeDuplicateMerged: the session duplicated another contact of
	// the client and was merged into it.
	OutcomeDuplicateMerged Outcome = "duplicate_merged"
	// OutcomeFollowUp: the contact took place but did not settle the
	// errand; the client will contact again or be contacted later (test
	// results awaited, symptoms to be watched). The client's other pending
	// contacts for the errand stay.
	OutcomeFollowUp Outcome = "follow_up"
	// OutcomeWithdrawn: the client withdrew the contact (or left the
	// queue) before anyone took it. The errand is not settled.
	OutcomeWithdrawn Outcome = "withdrawn"
)

// Outcomes lists every outcome.
func Outcomes() []Outcome {
	return []Outcome{OutcomeResolved, OutcomeBooked, OutcomeReferred, OutcomeNoAnswer, OutcomeDuplicateMerged, OutcomeFollowUp, OutcomeWithdrawn}
}

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool { return slices.Contains(Outcomes(), o) }

// Settles reports whether the outcome settles the client's errand, so the
// client's other pending contacts for it are withdrawn.
func (o Outcome) Settles() bool {
	return o == OutcomeResolved || o == OutcomeBooked || o == OutcomeReferred
}

// closableWithoutContact reports whether a session may close with outcome o
// straight from waiting or assigned, without a contact with the client.
func closableWithoutContact(o Outcome) bool {
	return o == OutcomeNoAnswer || o == OutcomeDuplicateMerged || o == OutcomeWithdrawn
}

// StateError reports an operation the session's state does not allow. It
// matches ErrIllegalTransition.
type StateError struct {
	Op   string
	From State
	To   State
}

// Error describes the failure.
func (e *StateError) Error() string {
	if e.To == "" {
		return fmt.Sprintf("session: %s not allowed in state %s", e.Op, e.From)
	}
	return fmt.Sprintf("session: %s: illegal transition %s -> %s", e.Op, e.From, e.To)
}

// Is reports whether target is ErrIllegalTransition or the root kind ErrIllegalTransition wraps.
func (e *StateError) Is(target error) bool { return errors.Is(ErrIllegalTransition, target) }

func transition(op string, from, to State) error {
	if CanTransition(from, to) {
		return nil
	}
	return &StateError{Op: op, From: from, To: to}
}
