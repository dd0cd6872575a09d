package channel

import (
	"fmt"
	"strings"

	"github.com/carecontact/carecontact"
)

// Kind is a contact channel.
type Kind string

// The channel kinds.
const (
	InboundPhone  Kind = "inbound_phone"
	Callback      Kind = "callback"
	Video         Kind = "video"
	Chat          Kind = "chat"
	SecureMessage Kind = "secure_message"
	EBooking      Kind = "e_booking"
	InPerson      Kind = "in_person"
)

// Kinds lists every channel kind in a fixed order.
func Kinds() []Kind {
	return []Kind{InboundPhone, Callback, Video, Chat, SecureMessage, EBooking, InPerson}
}

// ErrUnknownKind reports a channel kind the library does not know.
var ErrUnknownKind = carecontact.Sentinel(carecontact.ErrInvalid, "channel: unknown kind")

// ParseKind returns the Kind named s, or ErrUnknownKind.
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds() {
		if string(k) == s {
			return k, nil
		}
	}
	return "", carecontact.Invalid(ErrUnknownKind, "kind", fmt.Sprintf("%q is not a channel kind", clip(s)))
}

// maxQuoted is how much of a caller's value an error text repeats.
const maxQuoted = 40

// clip cuts s to maxQuoted bytes for an error text, at a rune boundary, so
// a megabyte passed in does not come back in the error.
func clip(s string) string {
	if len(s) <= maxQuoted {
		return s
	}
	return strings.ToValidUTF8(s[:maxQuoted], "") + "…"
}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	_, err := ParseKind(string(k))
	return err == nil
}

// Synchronous reports whether the channel holds a professional in real time
// for the whole contact (a call or a video meeting), as opposed to chat and
// messages that a professional can handle several of at once.
func (k Kind) Synchronous() bool {
	return k == InboundPhone || k == Callback || k == Video || k == InPerson
}
