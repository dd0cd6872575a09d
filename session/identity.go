package session

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Identification is what the host's identification service established
// about a client: the level, the method (a short label such as "bank_id"
// or "mobile_certificate", never a code), when, and until when it holds.
type Identification struct {
	Level  channel.IdentityLevel
	Method string
	At     time.Time
	// Until is when the identification expires; zero means it does not.
	Until time.Time
}

// Holds reports whether the identification is in force at now.
func (i Identification) Holds(now time.Time) bool {
	return !i.At.After(now) && (i.Until.IsZero() || now.Before(i.Until))
}

// Identifier is the host's strong identification: bank ID, a mobile
// certificate or its own login, as the client completed it. A session's
// strong identification comes from it, never from what a professional
// asserts. Implementations must be safe for concurrent use.
type Identifier interface {
	// Identification returns the client's current identification, or an
	// error matching carecontact.ErrNotFound when there is none.
	Identification(ctx context.Context, client carecontact.ClientRef) (Identification, error)
}

// IdentityAt is the session's identification level in force at now: the
// recorded level until IdentifiedUntil, none after it.
func (s Session) IdentityAt(now time.Time) channel.IdentityLevel {
	if !s.IdentifiedUntil.IsZero() && !now.Before(s.IdentifiedUntil) {
		return channel.IdentityNone
	}
	return s.Identity
}

// Identifications is a fixed Identifier, each client's identification:
// for tests, demos and simulations. A host asks its identification
// service instead.
type Identifications map[carecontact.ClientRef]Identification

// Identification returns the client's identification.
func (m Identifications) Identification(_ context.Context, client carecontact.ClientRef) (Identification, error) {
	i, ok := m[client]
	if !ok {
		return Identification{}, fmt.Errorf("session: identification: %w", carecontact.ErrNotFound)
	}
	return i, nil
}
