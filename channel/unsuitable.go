package channel

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
)

// UnsuitableError reports a contact refused because the errand may not be
// handled in the channel (at admission, or when a session switches
// channel). It matches ErrUnsuitable.
type UnsuitableError struct {
	Errand Errand
	Kind   Kind
	Reason string
}

// ErrUnsuitable is the sentinel UnsuitableError matches.
var ErrUnsuitable = carecontact.Sentinel(carecontact.ErrNotAllowed, "channel: errand not suitable for channel")

// Error describes the failure.
func (e *UnsuitableError) Error() string {
	return fmt.Sprintf("channel: errand %q not suitable for %s: %s", e.Errand, e.Kind, e.Reason)
}

// Is reports whether target is ErrUnsuitable or the root kind ErrUnsuitable wraps.
func (e *UnsuitableError) Is(target error) bool { return errors.Is(ErrUnsuitable, target) }

// Suitability is what admission (package demand) and sessions need from a
// suitability matrix; *Matrix implements it.
type Suitability interface {
	Suitable(e Errand, k Kind) (ok bool, reason string)
	RequiredIdentity(e Errand, k Kind) IdentityLevel
}
