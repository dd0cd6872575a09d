package session

import (
	"errors"
	"fmt"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Sentinel errors of the session package.
var (
	ErrNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "session: not found")
	ErrExists   = carecontact.Sentinel(carecontact.ErrConflict, "session: already exists")
	// ErrConflict: the session changed since it was read (version
	// compare-and-set failed); read it again and retry.
	ErrConflict = carecontact.Sentinel(carecontact.ErrConflict, "session: version conflict")
	// ErrIllegalTransition: the state machine does not allow the operation
	// now; matched by *StateError.
	ErrIllegalTransition = carecontact.Sentinel(carecontact.ErrIllegalTransition, "session: illegal transition")
	// ErrAccessDenied: the actor may not act on the session; matched by
	// *AccessError.
	ErrAccessDenied = carecontact.Sentinel(carecontact.ErrNotAllowed, "session: access denied")
	// ErrChecklistIncomplete: checklist items required before an action
	// are not done; matched by *ChecklistError.
	ErrChecklistIncomplete = carecontact.Sentinel(carecontact.ErrIllegalTransition, "session: checklist incomplete")
	// ErrTransport: a transport failed after its retries; matched by
	// *TransportError. The session's state is unchanged apart from the
	// recorded Failure.
	ErrTransport = carecontact.Sentinel(carecontact.ErrUnavailable, "session: transport failed")
	// ErrInvalid: a request is malformed; the wrapping error names the field.
	ErrInvalid = carecontact.Sentinel(carecontact.ErrInvalid, "session: invalid request")
	// ErrParticipant: the professional is already, or is not, a participant.
	ErrParticipant = carecontact.Sentinel(carecontact.ErrConflict, "session: participant")
	// ErrInvalidPersonalCode: a personal identity code failed validation.
	// The error text never contains the code.
	ErrInvalidPersonalCode = carecontact.Sentinel(carecontact.ErrInvalid, "session: invalid personal identity code")
	// ErrIdentityMismatch: a verified code belongs to another client.
	ErrIdentityMismatch = carecontact.Sentinel(carecontact.ErrNotAllowed, "session: identity does not match the session's client")
	// ErrNotIdentified: the identification service does not confirm the
	// level asked for (none configured, the client has not identified,
	// or the identification expired).
	ErrNotIdentified = carecontact.Sentinel(carecontact.ErrNotAllowed, "session: not identified")
)

// invalid returns a *carecontact.FieldError naming field that matches
// ErrInvalid.
func invalid(field, problem string) error {
	return carecontact.Invalid(ErrInvalid, field, problem)
}

// AccessError reports a denied attempt. The attempt is also an audit event
// with outcome Denied.
type AccessError struct {
	Actor   string // "kind:id"
	Action  string // audit action, e.g. "session.invite"
	Session string
	Reason  string
}

// Error describes the failure.
func (e *AccessError) Error() string {
	return fmt.Sprintf("session: access denied: %s may not %s session %s: %s", e.Actor, strings.TrimPrefix(e.Action, "session."), e.Session, e.Reason)
}

// Is reports whether target is ErrAccessDenied or the root kind ErrAccessDenied wraps.
func (e *AccessError) Is(target error) bool { return errors.Is(ErrAccessDenied, target) }

// ChecklistError names the checklist items that must be completed before
// an action.
type ChecklistError struct {
	Action  string
	Kind    channel.Kind
	Missing []string
}

// Error describes the failure.
func (e *ChecklistError) Error() string {
	return fmt.Sprintf("session: checklist incomplete for %s on %s: missing %s", e.Action, e.Kind, strings.Join(e.Missing, ", "))
}

// Is reports whether target is ErrChecklistIncomplete or the root kind ErrChecklistIncomplete wraps.
func (e *ChecklistError) Is(target error) bool { return errors.Is(ErrChecklistIncomplete, target) }

// TransportError reports a transport operation that failed after its
// retries.
type TransportError struct {
	Op       string // the transport operation, e.g. "video.create_room"
	Kind     channel.Kind
	Attempts int
	Err      error
}

// Error describes the failure.
func (e *TransportError) Error() string {
	return fmt.Sprintf("session: transport %s for %s failed after %d attempt(s): %v", e.Op, e.Kind, e.Attempts, e.Err)
}

// Is reports whether target is ErrTransport or the root kind ErrTransport wraps.
func (e *TransportError) Is(target error) bool { return errors.Is(ErrTransport, target) }

// Unwrap returns the transport's error.
func (e *TransportError) Unwrap() error { return e.Err }
