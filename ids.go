package carecontact

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The identifiers several packages share. Each is an opaque string chosen by
// the host; none is ever a personal identity code, a name or a phone number.
// Packages use these types directly, so a value keeps its form from the
// host's request through routing, callbacks, sessions and bookings.

// AreaID identifies a health-station area (terveysasema-alue) or a service
// area of a wellbeing-services county.
type AreaID string

// TeamID identifies a care team.
type TeamID string

// ProfessionalID identifies a professional: a staff member's ID in the
// host's directory, never a personal identity code.
type ProfessionalID string

// ClientRef is a client's pseudonymous reference: an opaque string, never a
// personal identity code or a phone number.
type ClientRef string

// ItemID identifies one unit of work in routing's queues: a contact, a due
// callback or a chat. Hosts choose it, typically the ID of the session the
// contact belongs to; the callback planner derives one per dispatch.
type ItemID string

// MaxIDLen is the longest identifier, in bytes, the library accepts where
// an ID enters it (a demand request, a routing item, a session, a callback
// request): longer IDs are refused, not cut.
const MaxIDLen = 256

// ValidateID reports whether id may serve as an identifier: at most
// MaxIDLen bytes of valid UTF-8 with no control characters (NUL included).
// It returns nil or a *FieldError that names field and matches sentinel;
// the reason never repeats the value. An empty id passes: callers that
// require one say so themselves.
func ValidateID(sentinel error, field, id string) error {
	if len(id) <= MaxIDLen && printableASCII(id) {
		return nil // the common case, without decoding runes
	}
	switch {
	case len(id) > MaxIDLen:
		return Invalid(sentinel, field, fmt.Sprintf("is longer than %d bytes", MaxIDLen))
	case !utf8.ValidString(id):
		return Invalid(sentinel, field, "is not valid UTF-8")
	case strings.IndexFunc(id, unicode.IsControl) >= 0:
		return Invalid(sentinel, field, "holds a control character")
	}
	return nil
}

// printableASCII reports whether every byte of s is printable ASCII (space
// to tilde): such a string is valid UTF-8 and holds no control character.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b > 0x7e {
			return false
		}
	}
	return true
}

// MaxTextLen is the longest free text, in bytes, the library accepts where
// text enters it: a reason, a note, an answer to a pre-question, a role, a
// workflow note. Longer text is refused, not cut.
const MaxTextLen = 16 << 10

// ValidateText reports whether s may serve as free text: at most
// MaxTextLen bytes of valid UTF-8 with no control characters but tab, line
// feed and carriage return (NUL included). It returns nil or a
// *FieldError that names field and matches sentinel; the reason never
// repeats the text. Empty text passes: callers that require some say so
// themselves.
func ValidateText(sentinel error, field, s string) error {
	switch {
	case len(s) > MaxTextLen:
		return Invalid(sentinel, field, fmt.Sprintf("is longer than %d bytes", MaxTextLen))
	case !utf8.ValidString(s):
		return Invalid(sentinel, field, "is not valid UTF-8")
	case strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) >= 0:
		return Invalid(sentinel, field, "holds a control character")
	}
	return nil
}
