package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
)

// CallbackStore is an in-memory callback.Store, safe for concurrent use.
type CallbackStore struct {
	log *AuditLog
	st  *callbackState
}

type callbackState struct {
	mu   sync.Mutex
	recs map[string]*callback.Record
	open map[string]string // client+errand key -> open request ID
}

// NewCallbackStore returns an empty store writing its audit events to log
// (nil: a log of its own).
func NewCallbackStore(log *AuditLog) *CallbackStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &CallbackStore{log: log, st: &callbackState{recs: map[string]*callback.Record{}, open: map[string]string{}}}
}

// Share returns another store value over the same state and audit log, as
// a second host replica over one database.
func (s *CallbackStore) Share() *CallbackStore { return &CallbackStore{log: s.log, st: s.st} }

// OpenOrJoin implements callback.Store.
func (s *CallbackStore) OpenOrJoin(ctx context.Context, r callback.Record, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	if err := ctx.Err(); err != nil {
		return callback.Record{}, false, err
	}
	if err := kit.CallbackOpen(r); err != nil {
		return callback.Record{}, false, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	key := callback.Key(r.Client, r.Errand)
	joined := false
	if id, ok := st.open[key]; ok {
		r = st.recs[id].Clone()
		r.Joins++
		joined = true
	} else if _, dup := st.recs[r.ID]; dup {
		return callback.Record{}, false, fmt.Errorf("memory: callback open %s: %w: duplicate id", r.ID, callback.ErrConflict)
	} else {
		r = r.Clone()
	}
	r.Version++
	prepared, err := kit.PrepareEvents([]audit.Event{callback.OpenEvent(r, joined, actor, at)})
	if err != nil {
		return callback.Record{}, false, err
	}
	st.recs[r.ID] = &r
	st.open[key] = r.ID
	s.log.appendLocked(prepared)
	return r.Clone(), joined, nil
}

// Get implements callback.Store.
func (s *CallbackStore) Get(ctx context.Context, id string) (callback.Record, error) {
	if err := ctx.Err(); err != nil {
		return callback.Record{}, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	r, ok := s.st.recs[id]
	if !ok {
		return callback.Record{}, fmt.Errorf("memory: callback %s: %w", id, callback.ErrNotFound)
	}
	return r.Clone(), nil
}

// Update implements callback.Store.
func (s *CallbackStore) Update(ctx context.Context, r callback.Record, events []audit.Event) (callback.Record, error) {
	if err := ctx.Err(); err != nil {
		return callback.Record{}, err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return callback.Record{}, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	old, ok := st.recs[r.ID]
	if !ok {
		return callback.Record{}, fmt.Errorf("memory: callback %s: %w", r.ID, callback.ErrNotFound)
	}
	if old.Version != r.Version {
		return callback.Record{}, fmt.Errorf("memory: callback %s: %w", r.ID, callback.ErrConflict)
	}
	if err := kit.CallbackUpdate(old.Client, old.Errand, r); err != nil {
		return callback.Record{}, err
	}
	r = r.Clone()
	r.Version++
	st.recs[r.ID] = &r
	if !r.Open() {
		key := callback.Key(r.Client, r.Errand)
		if st.open[key] == r.ID {
			delete(st.open, key)
		}
	}
	s.log.appendLocked(prepared)
	return r.Clone(), nil
}

// List implements callback.Store.
func (s *CallbackStore) List(ctx context.Context, f callback.Filter) ([]callback.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	// Sort pointers, not the large records, then copy once. Open requests
	// are found through the open index, so planning (which lists the open
	// ones) does not scan the closed history.
	var match []*callback.Record
	if f.OpenOnly {
		for _, id := range s.st.open {
			if r := s.st.recs[id]; f.Match(*r) {
				match = append(match, r)
			}
		}
	} else {
		for _, r := range s.st.recs {
			if f.Match(*r) {
				match = append(match, r)
			}
		}
	}
	slices.SortFunc(match, func(a, b *callback.Record) int {
		return cmp.Or(a.RequestedAt.Compare(b.RequestedAt), cmp.Compare(a.ID, b.ID))
	})
	out := make([]callback.Record, len(match))
	for i, r := range match {
		out[i] = r.Clone()
	}
	return out, nil
}
