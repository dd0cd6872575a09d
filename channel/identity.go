package channel

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
)

// ErrUnknownIdentityLevel reports an identity level name the library does not know.
var ErrUnknownIdentityLevel = carecontact.Sentinel(carecontact.ErrInvalid, "channel: unknown identity level")

// ParseIdentityLevel returns the level named "none", "weak" or "strong".
func ParseIdentityLevel(s string) (IdentityLevel, error) {
	for _, l := range []IdentityLevel{IdentityNone, IdentityWeak, IdentityStrong} {
		if l.String() == s {
			return l, nil
		}
	}
	return 0, carecontact.Invalid(ErrUnknownIdentityLevel, "identity", fmt.Sprintf("%q is not none, weak or strong", clip(s)))
}

// Valid reports whether l is one of the defined levels.
func (l IdentityLevel) Valid() bool { return l >= IdentityNone && l <= IdentityStrong }

// MarshalText encodes the level as its name, so configuration files read
// "strong" rather than 2.
func (l IdentityLevel) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownIdentityLevel, int(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText decodes a level name written by MarshalText.
func (l *IdentityLevel) UnmarshalText(b []byte) error {
	v, err := ParseIdentityLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// IdentityError reports that an action needs a stronger identification of
// the client than the contact has. It matches ErrIdentityTooWeak with
// errors.Is.
type IdentityError struct {
	Required IdentityLevel // the level the configuration asks for
	Have     IdentityLevel // the level the contact has
}

// ErrIdentityTooWeak is the sentinel IdentityError matches.
var ErrIdentityTooWeak = carecontact.Sentinel(carecontact.ErrNotAllowed, "channel: client identification too weak")

// Error describes the failure.
func (e *IdentityError) Error() string {
	return fmt.Sprintf("channel: client identification too weak: %s required, %s verified", e.Required, e.Have)
}

// Is reports whether target is ErrIdentityTooWeak or the root kind ErrIdentityTooWeak wraps.
func (e *IdentityError) Is(target error) bool { return errors.Is(ErrIdentityTooWeak, target) }

// RequireIdentity returns nil when have satisfies required, otherwise an
// *IdentityError.
func RequireIdentity(required, have IdentityLevel) error {
	if have >= required {
		return nil
	}
	return &IdentityError{Required: required, Have: have}
}
