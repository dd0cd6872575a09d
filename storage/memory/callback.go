package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
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
	// plans holds the plan version of each team's day with a reservation.
	plans map[planDay]int64
}

// planDay keys a team's day in callbackState.plans: the day's start in
// Unix seconds, so equal instants are one key whatever their location.
type planDay struct {
	team string
	day  int64
}

func planDayOf(k callback.PlanKey) planDay { return planDay{string(k.Team), k.Day.Unix()} }

// NewCallbackStore returns an empty store writing its audit events to log
// (nil: a log of its own).
func NewCallbackStore(log *AuditLog) *CallbackStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &CallbackStore{log: log, st: &callbackState{recs: map[string]*callback.Record{}, open: map[string]string{},
		plans: map[planDay]int64{}}}
}

// Share returns another store value over the same state and audit log, as
// a second host replica over one database.
func (s *CallbackStore) Share() *CallbackStore { return &CallbackStore{log: s.log, st: s.st} }

// OpenOrJoin implements callback.Store.
func (s *CallbackStore) OpenOrJoin(ctx context.Context, r callback.Record, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	return s.open(ctx, r, nil, actor, at)
}

// OpenReserved implements callback.Store.
func (s *CallbackStore) OpenReserved(ctx context.Context, r callback.Record, res callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	if err := kit.CallbackReservation(r, res); err != nil {
		return callback.Record{}, false, err
	}
	return s.open(ctx, r, &res, actor, at)
}

// open opens or joins r; a new request takes the reservation res, if any.
func (s *CallbackStore) open(ctx context.Context, r callback.Record, res *callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
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
		if err := st.checkPlanLocked(r.ID, res); err != nil {
			return callback.Record{}, false, err
		}
		r = r.Clone()
	}
	r.Version++
	prepared, err := kit.PrepareEvents([]audit.Event{callback.OpenEvent(r, joined, actor, at)})
	if err != nil {
		return callback.Record{}, false, err
	}
	if !joined {
		st.reserveLocked(res)
	}
	st.recs[r.ID] = &r
	st.open[key] = r.ID
	s.log.appendLocked(prepared)
	return r.Clone(), joined, nil
}

// checkPlanLocked fails with callback.ErrPlanChanged when the plan version
// of res's day is not res.Version. A nil res checks nothing.
func (st *callbackState) checkPlanLocked(id string, res *callback.Reservation) error {
	if res == nil {
		return nil
	}
	if v := st.plans[planDayOf(res.Key)]; v != res.Version {
		return fmt.Errorf("memory: callback %s: %w (version %d, planned at %d)", id, callback.ErrPlanChanged, v, res.Version)
	}
	return nil
}

// reserveLocked bumps the plan version of res's day, if res is not nil.
func (st *callbackState) reserveLocked(res *callback.Reservation) {
	if res != nil {
		st.plans[planDayOf(res.Key)]++
	}
}

// PlanVersions implements callback.Store.
func (s *CallbackStore) PlanVersions(ctx context.Context, since time.Time) (map[callback.PlanKey]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := map[callback.PlanKey]int64{}
	for k, v := range s.st.plans {
		day := time.Unix(k.day, 0).UTC()
		if !day.Before(since) {
			out[callback.PlanKey{Team: carecontact.TeamID(k.team), Day: day}] = v
		}
	}
	return out, nil
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
	return s.update(ctx, r, nil, events)
}

// UpdateReserved implements callback.Store.
func (s *CallbackStore) UpdateReserved(ctx context.Context, r callback.Record, res callback.Reservation, events []audit.Event) (callback.Record, error) {
	if err := kit.CallbackReservation(r, res); err != nil {
		return callback.Record{}, err
	}
	return s.update(ctx, r, &res, events)
}

// UpdateFenced implements callback.Store. One process has one leader: the
// fence is not checked.
func (s *CallbackStore) UpdateFenced(ctx context.Context, r callback.Record, _ carecontact.Fence, events []audit.Event) (callback.Record, error) {
	return s.update(ctx, r, nil, events)
}

// update writes r over the stored request; with res, only at res's plan
// version, which it bumps.
func (s *CallbackStore) update(ctx context.Context, r callback.Record, res *callback.Reservation, events []audit.Event) (callback.Record, error) {
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
	if err := st.checkPlanLocked(r.ID, res); err != nil {
		return callback.Record{}, err
	}
	st.reserveLocked(res)
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
