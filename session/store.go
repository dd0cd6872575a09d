package session

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Store keeps sessions. Every method is one atomic operation, and
// implementations are safe for concurrent use, including several values
// over one backing state (host replicas over one database). Mutations take
// the audit events that describe them and write them in the same atomic
// step: all or nothing.
type Store interface {
	// Create stores a new session with Version 1 (whatever s.Version is).
	// ErrExists when s.ID is taken.
	Create(ctx context.Context, s Session, events []audit.Event) error
	// Get returns the session. ErrNotFound.
	Get(ctx context.Context, id string) (Session, error)
	// Update replaces the session if its stored version equals s.Version,
	// storing it with Version s.Version+1 (compare-and-set).
	// ErrConflict when the version differs, ErrNotFound when absent.
	Update(ctx context.Context, s Session, events []audit.Event) error
	// List returns the sessions that match f, ordered by OpenedAt then ID.
	List(ctx context.Context, f Filter) ([]Session, error)
}

// Filter selects sessions for Store.List. Zero fields match everything.
type Filter struct {
	Client carecontact.ClientRef
	State  State
	// ClosedSince and ClosedUntil select sessions closed in
	// [ClosedSince, ClosedUntil); either being set excludes open sessions.
	ClosedSince time.Time
	ClosedUntil time.Time
}

// Match reports whether s passes the filter; adapters may use it.
func (f Filter) Match(s Session) bool {
	switch {
	case f.Client != "" && s.Client != f.Client,
		f.State != "" && s.State != f.State:
		return false
	}
	if !f.ClosedSince.IsZero() || !f.ClosedUntil.IsZero() {
		if s.State != StateClosed ||
			!f.ClosedSince.IsZero() && s.ClosedAt.Before(f.ClosedSince) ||
			!f.ClosedUntil.IsZero() && !s.ClosedAt.Before(f.ClosedUntil) {
			return false
		}
	}
	return true
}
