package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/session"
)

// SessionStore is an in-memory session.Store with version compare-and-set.
type SessionStore struct {
	st  *sessionState
	log *AuditLog
}

type sessionState struct {
	mu       sync.Mutex
	sessions map[string]session.Session
}

// NewSessionStore returns an empty session store that writes the audit
// events of its changes to log (nil: a log of its own).
func NewSessionStore(log *AuditLog) *SessionStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &SessionStore{st: &sessionState{sessions: map[string]session.Session{}}, log: log}
}

// Share returns another store value over the same state and audit log, as a
// second host replica would see it.
func (s *SessionStore) Share() *SessionStore { return &SessionStore{st: s.st, log: s.log} }

var _ session.Store = (*SessionStore)(nil)

// Create implements session.Store.
func (s *SessionStore) Create(ctx context.Context, v session.Session, events []audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := kit.NewSession(v); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	if _, ok := s.st.sessions[v.ID]; ok {
		return fmt.Errorf("memory: create session %s: %w", v.ID, session.ErrExists)
	}
	v = v.Clone()
	v.Version = 1
	s.st.sessions[v.ID] = v
	s.log.appendLocked(prepared)
	return nil
}

// Get implements session.Store.
func (s *SessionStore) Get(ctx context.Context, id string) (session.Session, error) {
	if err := ctx.Err(); err != nil {
		return session.Session{}, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	v, ok := s.st.sessions[id]
	if !ok {
		return session.Session{}, fmt.Errorf("memory: session %s: %w", id, session.ErrNotFound)
	}
	return v.Clone(), nil
}

// Update implements session.Store.
func (s *SessionStore) Update(ctx context.Context, v session.Session, events []audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	cur, ok := s.st.sessions[v.ID]
	if !ok {
		return fmt.Errorf("memory: update session %s: %w", v.ID, session.ErrNotFound)
	}
	if cur.Version != v.Version {
		return fmt.Errorf("memory: update session %s: stored version %d, given %d: %w", v.ID, cur.Version, v.Version, session.ErrConflict)
	}
	v = v.Clone()
	v.Version++
	s.st.sessions[v.ID] = v
	s.log.appendLocked(prepared)
	return nil
}

// List implements session.Store.
func (s *SessionStore) List(ctx context.Context, f session.Filter) ([]session.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	var out []session.Session
	for _, v := range s.st.sessions {
		if f.Match(v) {
			out = append(out, v.Clone())
		}
	}
	s.st.mu.Unlock()
	slices.SortFunc(out, func(a, b session.Session) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}
