package memory

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
)

// GuidanceStore is an in-memory guidance.Store: one record per subject,
// changed by compare-and-set on its revision under one lock. It is safe for
// concurrent use; copies of the pointer share the state.
type GuidanceStore struct {
	log *AuditLog

	mu      sync.Mutex
	records map[string]guidance.Record
}

// NewGuidanceStore returns an empty store writing audit events to log (a
// log of its own when log is nil).
func NewGuidanceStore(log *AuditLog) *GuidanceStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &GuidanceStore{log: log, records: map[string]guidance.Record{}}
}

// AuditLog returns the log the store writes to.
func (s *GuidanceStore) AuditLog() *AuditLog { return s.log }

// Load returns a copy of the subject's record.
func (s *GuidanceStore) Load(ctx context.Context, subject string) (guidance.Record, error) {
	if err := ctx.Err(); err != nil {
		return guidance.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, ok := s.records[subject]
	if !ok {
		return guidance.Record{}, fmt.Errorf("memory: guidance %q: %w", subject, guidance.ErrNotFound)
	}
	return rec.Clone(), nil
}

// Save stores a copy of rec if the stored revision is rec.Rev, with events.
func (s *GuidanceStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	prepared, err := kit.GuidanceSave(ctx, rec, events)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.records[rec.Subject]
	if (!ok && rec.Rev != 0) || (ok && cur.Rev != rec.Rev) {
		return 0, fmt.Errorf("memory: guidance save %q at revision %d: %w", rec.Subject, rec.Rev, guidance.ErrConflict)
	}
	stored := rec.Clone()
	stored.Rev = rec.Rev + 1
	s.records[rec.Subject] = stored
	s.log.appendLocked(prepared)
	return stored.Rev, nil
}

// List returns copies of every record, ordered by subject.
func (s *GuidanceStore) List(ctx context.Context) ([]guidance.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]guidance.Record, 0, len(s.records))
	for _, k := range slices.Sorted(maps.Keys(s.records)) {
		out = append(out, s.records[k].Clone())
	}
	return out, nil
}
