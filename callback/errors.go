package callback

import "github.com/carecontact/carecontact"

// Errors of the package. Each wraps one root error kind of carecontact
// (ErrInvalid, ErrNotFound, ...), so errors.Is matches both.
var (
	// ErrInvalidRequest: a request or argument is malformed; the message names the field.
	ErrInvalidRequest = carecontact.Sentinel(carecontact.ErrInvalid, "callback: invalid request")
	// ErrNotFound: no request with that ID.
	ErrNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "callback: request not found")
	// ErrConflict: the record changed since it was read (compare-and-set failed).
	ErrConflict = carecontact.Sentinel(carecontact.ErrConflict, "callback: version conflict")
	// ErrPlanChanged: a reservation lost its race: another promise was
	// made in the team's day since it was planned (Store.OpenReserved,
	// Store.UpdateReserved). The Planner plans again.
	ErrPlanChanged = carecontact.Sentinel(carecontact.ErrConflict, "callback: plan of the team's day changed")
	// ErrNotLeader: a shared store refused a write of Advance's planning
	// (Reservation.Fence, Store.UpdateFenced) because another replica has
	// taken the lead since, or Plan ran on a replica that does not lead.
	// Nothing was written.
	ErrNotLeader = carecontact.Sentinel(carecontact.ErrConflict, "callback: not the leader")
	// ErrNotDue: the request is not waiting in the dispatch queue.
	ErrNotDue = carecontact.Sentinel(carecontact.ErrIllegalTransition, "callback: request not due")
	// ErrNotInCall: the request is not in a call by that professional.
	ErrNotInCall = carecontact.Sentinel(carecontact.ErrIllegalTransition, "callback: request not in call")
	// ErrInCall: the request is in a call and cannot be withdrawn; the
	// professional completes it.
	ErrInCall = carecontact.Sentinel(carecontact.ErrIllegalTransition, "callback: request in call")
	// ErrNothingDue: the team has no due request.
	ErrNothingDue = carecontact.Sentinel(carecontact.ErrNotFound, "callback: nothing due")
	// ErrNoRoute: the router found no team for the request.
	ErrNoRoute = carecontact.Sentinel(carecontact.ErrNotFound, "callback: no route")
	// ErrConfig: the configuration is invalid; the message names the field.
	ErrConfig = carecontact.Sentinel(carecontact.ErrInvalid, "callback: invalid config")
	// ErrNotAllowed: the caller may not act on the request (a professional
	// accepting another team's request, a client reading another's).
	ErrNotAllowed = carecontact.Sentinel(carecontact.ErrNotAllowed, "callback: not allowed")
)
