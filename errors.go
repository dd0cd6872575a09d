package carecontact

import (
	"errors"
	"net/http"

	ikind "github.com/carecontact/carecontact/internal/kind"
)

// The root error kinds. Every sentinel error of every package of the
// library wraps exactly one of them, and every typed error matches one, so
// a host can branch on the kind of any error with errors.Is and map it to a
// protocol status with one function (see HTTPStatus).
var (
	// ErrInvalid reports bad input: a missing, malformed or out-of-range
	// value. The message names the field.
	ErrInvalid = ikind.ErrInvalid
	// ErrNotFound reports a reference to something that does not exist.
	ErrNotFound = ikind.ErrNotFound
	// ErrConflict reports a change whose precondition no longer holds: a
	// duplicate, a slot already taken, a version that moved on.
	ErrConflict = ikind.ErrConflict
	// ErrNotAllowed reports a caller without the right to do what was asked.
	ErrNotAllowed = ikind.ErrNotAllowed
	// ErrIllegalTransition reports an action the current state does not
	// allow, such as accepting an offer that has already expired.
	ErrIllegalTransition = ikind.ErrIllegalTransition
	// ErrUnavailable reports a transient failure: a store or transport that
	// does not answer now. Retrying later may succeed.
	ErrUnavailable = ikind.ErrUnavailable
)

// Kinds returns the root error kinds, in the order they are declared.
func Kinds() []error {
	return []error{ErrInvalid, ErrNotFound, ErrConflict, ErrNotAllowed, ErrIllegalTransition, ErrUnavailable}
}

// KindOf returns the root kind err matches, or nil when it matches none.
// When err matches several (a joined error), the first in Kinds order wins.
func KindOf(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range Kinds() {
		if errors.Is(err, k) {
			return k
		}
	}
	return nil
}

// HTTPStatus maps an error to the HTTP status a host answers with: 400 for
// invalid input, 404 not found, 409 conflict and illegal transition, 403
// not allowed, 503 unavailable, and 500 for any error of no kind. A nil
// error is 200.
func HTTPStatus(err error) int {
	switch KindOf(err) {
	case nil:
		if err == nil {
			return http.StatusOK
		}
		return http.StatusInternalServerError
	case ErrInvalid:
		return http.StatusBadRequest
	case ErrNotFound:
		return http.StatusNotFound
	case ErrConflict, ErrIllegalTransition:
		return http.StatusConflict
	case ErrNotAllowed:
		return http.StatusForbidden
	default: // ErrUnavailable
		return http.StatusServiceUnavailable
	}
}

// Sentinel returns a package sentinel error with the text msg that matches
// kind with errors.Is. Packages declare their sentinels with it:
//
//	var ErrUnknownTeam = carecontact.Sentinel(carecontact.ErrNotFound, "routing: unknown team")
func Sentinel(kind error, msg string) error {
	return ikind.Sentinel(kind, msg)
}

// FieldError is an error about one field of the input. It names the field
// (a path such as "services[2].notice") and matches Err, which is a package
// sentinel and through it ErrInvalid. Its Error returns
// "<sentinel>: <field>: <reason>", and Unwrap returns Err (ErrInvalid when
// Err is nil). It is declared in the leaf the root's kinds live in, so that
// civil, which imports nothing of the project but that leaf, returns it too.
type FieldError = ikind.FieldError

// Invalid returns a *FieldError for field that matches sentinel.
func Invalid(sentinel error, field, reason string) error {
	return &FieldError{Field: field, Reason: reason, Err: sentinel}
}
