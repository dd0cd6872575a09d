package civil

import "github.com/carecontact/carecontact/internal/kind"

// ErrInvalid reports a malformed or out-of-range date, time of day, range,
// language tag or calendar walk. The message names the field or value. It
// matches the root kind carecontact.ErrInvalid, so a host maps it to a bad
// request like any other invalid input. Packages that take civil values
// wrap it together with their own sentinel of that kind.
var ErrInvalid = kind.Sentinel(kind.ErrInvalid, "civil: invalid input")

// invalid returns a *carecontact.FieldError (declared in the kinds' leaf)
// for field, matching ErrInvalid.
func invalid(field, reason string) error {
	return &kind.FieldError{Field: field, Reason: reason, Err: ErrInvalid}
}
