package demand

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// AdmitEventsFunc builds the audit events of an admission once the store
// knows its result. It must be a pure function: a store may call it more
// than once (once per transaction attempt).
type AdmitEventsFunc func(stored Contact, existing *Contact) []audit.Event

// SettleEventsFunc builds the audit events of a settlement; pure, like
// AdmitEventsFunc.
type SettleEventsFunc func(settled Contact, withdrawn []Contact) []audit.Event

// Store keeps contacts for duplicate-demand detection. Every method is
// one atomic operation; implementations must be safe for concurrent use,
// including several store values over one backing state.
type Store interface {
	// Admit inserts c (state pending, ID set) in one atomic step with the
	// search for the client's earliest pending contact for c.Errand: it
	// stores ResolveDuplicate(c, existing, p), increments existing's
	// Duplicates, and writes events(stored, existing). Two concurrent
	// Admits for the same client and errand must see each other.
	// ErrContactExists when c.ID is taken.
	Admit(ctx context.Context, c Contact, p Policy, events AdmitEventsFunc) (stored Contact, existing *Contact, err error)
	// Settle marks pending contact id settled at `at` and, in the same
	// step, withdraws every other pending contact of the same client and
	// errand, returning them. ErrContactNotFound, ErrContactClosed.
	Settle(ctx context.Context, id string, at time.Time, events SettleEventsFunc) (settled Contact, withdrawn []Contact, err error)
	// Close marks pending contact id closed at `at` without settling the
	// errand, writing events. ErrContactNotFound, ErrContactClosed.
	Close(ctx context.Context, id string, at time.Time, events []audit.Event) (Contact, error)
	// Get returns contact id. ErrContactNotFound.
	Get(ctx context.Context, id string) (Contact, error)
	// Pending lists the client's pending contacts, oldest first.
	Pending(ctx context.Context, client carecontact.ClientRef) ([]Contact, error)
	// Stats counts the contacts opened in [since, until).
	Stats(ctx context.Context, since, until time.Time) (Stats, error)
}

// Stats counts contacts for the duplicate-demand KPI.
type Stats struct {
	Admitted   int `json:"admitted"`   // all contacts
	Duplicates int `json:"duplicates"` // contacts that duplicated an earlier one
	Merged     int `json:"merged"`
	KeptBoth   int `json:"kept_both"`
	Redirected int `json:"redirected"`
	Settled    int `json:"settled"`
	Withdrawn  int `json:"withdrawn"` // pending contacts withdrawn when another settled the errand
}

// Count adds contact c to the statistics; stores use it so every adapter
// counts alike.
func (s *Stats) Count(c Contact) {
	s.Admitted++
	if c.LinkedTo != "" {
		s.Duplicates++
		switch c.Policy {
		case PolicyMerge:
			s.Merged++
		case PolicyKeepBoth:
			s.KeptBoth++
		case PolicyRedirect:
			s.Redirected++
		}
	}
	switch c.State {
	case ContactSettled:
		s.Settled++
	case ContactWithdrawn:
		s.Withdrawn++
	}
}

// DuplicateRate is Duplicates / Admitted, 0 when nothing was admitted.
func (s Stats) DuplicateRate() float64 {
	if s.Admitted == 0 {
		return 0
	}
	return float64(s.Duplicates) / float64(s.Admitted)
}
