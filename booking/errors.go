package booking

import (
	"errors"
	"fmt"

	carecontact "github.com/carecontact/carecontact"
)

// Errors of the booking package. Callers branch on them with errors.Is;
// returned errors wrap them with context.
var (
	// ErrInvalid reports bad input; the message names the field.
	ErrInvalid = carecontact.Sentinel(carecontact.ErrInvalid, "booking: invalid input")
	// ErrNotFound reports an unknown calendar, service or appointment.
	ErrNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "booking: not found")
	// ErrSlotTaken reports that some professional or resource of the slot
	// is already claimed (booked or held) for an overlapping time.
	ErrSlotTaken = carecontact.Sentinel(carecontact.ErrConflict, "booking: slot taken")
	// ErrHoldExpired reports a hold that expired before it was confirmed.
	ErrHoldExpired = carecontact.Sentinel(carecontact.ErrIllegalTransition, "booking: hold expired")
	// ErrConflict reports a concurrent change: the appointment's version
	// is not the one the caller read.
	ErrConflict = carecontact.Sentinel(carecontact.ErrConflict, "booking: concurrent change")
	// ErrStaleVersion reports a change made through IfVersion while the
	// appointment is at another version; it matches ErrConflict too.
	ErrStaleVersion = carecontact.Sentinel(ErrConflict, "booking: appointment is at another version")
	// ErrIllegalTransition reports a status change FHIR R4 does not allow
	// here (e.g. fulfilled -> booked).
	ErrIllegalTransition = carecontact.Sentinel(carecontact.ErrIllegalTransition, "booking: illegal status transition")
	// ErrNotAllowed reports a booking rule that forbids the request:
	// client group, minimum notice, horizon, block type.
	ErrNotAllowed = carecontact.Sentinel(carecontact.ErrNotAllowed, "booking: not allowed")
	// ErrLimitReached reports that the client already has the maximum
	// number of bookings of the service in the period.
	ErrLimitReached = carecontact.Sentinel(carecontact.ErrNotAllowed, "booking: booking limit reached")
	// ErrExists reports an ID that is already in use.
	ErrExists = carecontact.Sentinel(carecontact.ErrConflict, "booking: already exists")
	// ErrTokenInvalid reports a signed token (an invitation, a cancel
	// link) that is malformed, changed, signed with another key or used
	// for something it does not allow; see TokenError.
	ErrTokenInvalid = carecontact.Sentinel(carecontact.ErrNotAllowed, "booking: invalid token")
	// ErrTokenExpired reports a signed token whose time is up.
	ErrTokenExpired = carecontact.Sentinel(carecontact.ErrNotAllowed, "booking: token expired")
	// ErrInvitationUsed reports a booking invitation that has already been
	// redeemed: an invitation books once.
	ErrInvitationUsed = carecontact.Sentinel(carecontact.ErrConflict, "booking: invitation already used")
	// ErrCalendarInUse reports a calendar that cannot be deleted because
	// appointments still to come are booked or held on it.
	ErrCalendarInUse = carecontact.Sentinel(carecontact.ErrConflict, "booking: calendar has appointments to come")
)

// TransitionError reports a status change the FHIR R4 life cycle does not
// allow, including a change to the status the appointment already has (a
// second cancellation). It matches ErrIllegalTransition.
type TransitionError struct {
	// Appointment is the appointment's ID.
	Appointment string
	From, To    Status
}

// Error describes the refused change.
func (e *TransitionError) Error() string {
	return fmt.Sprintf("booking: appointment %s: illegal status transition %s -> %s", e.Appointment, e.From, e.To)
}

// Is reports whether target is ErrIllegalTransition or the root kind it wraps.
func (e *TransitionError) Is(target error) bool { return errors.Is(ErrIllegalTransition, target) }

// checkTransition returns a *TransitionError unless a may go to status to.
func checkTransition(a Appointment, to Status) error {
	if CanTransition(a.Status, to) {
		return nil
	}
	return &TransitionError{Appointment: a.ID, From: a.Status, To: to}
}
