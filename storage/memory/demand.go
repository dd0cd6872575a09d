package memory

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
)

// DemandStore is an in-memory demand.Store.
type DemandStore struct {
	st  *demandState
	log *AuditLog
}

type demandState struct {
	mu       sync.Mutex
	contacts map[string]demand.Contact
	order    []string            // insertion order, for Stats
	byClient map[string][]string // client -> contact IDs in insertion order
}

// NewDemandStore returns an empty duplicate-demand store that writes the
// audit events of its changes to log (nil: a log of its own).
func NewDemandStore(log *AuditLog) *DemandStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &DemandStore{st: &demandState{contacts: map[string]demand.Contact{}, byClient: map[string][]string{}}, log: log}
}

// Share returns another store value over the same state and audit log, as a
// second host replica would see it.
func (s *DemandStore) Share() *DemandStore { return &DemandStore{st: s.st, log: s.log} }

var _ demand.Store = (*DemandStore)(nil)

// earliestPendingLocked returns the client's earliest pending contact for
// the errand, excluding skip.
func (st *demandState) earliestPendingLocked(client carecontact.ClientRef, errand channel.Errand, skip string) *demand.Contact {
	var best *demand.Contact
	for _, id := range st.byClient[string(client)] {
		c := st.contacts[id]
		if id == skip || c.Client != client || c.Errand != errand || !c.Open() {
			continue
		}
		if best == nil || c.OpenedAt.Before(best.OpenedAt) {
			cc := c
			best = &cc
		}
	}
	return best
}

// Admit implements demand.Store.
func (s *DemandStore) Admit(ctx context.Context, c demand.Contact, p demand.Policy, events demand.AdmitEventsFunc) (demand.Contact, *demand.Contact, error) {
	if err := ctx.Err(); err != nil {
		return demand.Contact{}, nil, err
	}
	if err := kit.Admission(c); err != nil {
		return demand.Contact{}, nil, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, taken := st.contacts[c.ID]; taken {
		return demand.Contact{}, nil, fmt.Errorf("memory: admit %s: %w", c.ID, demand.ErrContactExists)
	}
	c.State = demand.ContactPending
	c.OpenedAt = c.OpenedAt.UTC()
	existing := st.earliestPendingLocked(c.Client, c.Errand, "")
	stored := demand.ResolveDuplicate(c, existing, p)
	if existing != nil {
		existing.Duplicates++
	}
	var evs []audit.Event
	if events != nil {
		evs = events(stored, existing)
	}
	prepared, err := kit.PrepareEvents(evs)
	if err != nil {
		return demand.Contact{}, nil, err
	}
	st.contacts[stored.ID] = stored
	st.order = append(st.order, stored.ID)
	st.byClient[string(stored.Client)] = append(st.byClient[string(stored.Client)], stored.ID)
	if existing != nil {
		st.contacts[existing.ID] = *existing
	}
	s.log.appendLocked(prepared)
	return stored, existing, nil
}

// Settle implements demand.Store.
func (s *DemandStore) Settle(ctx context.Context, id string, at time.Time, events demand.SettleEventsFunc) (demand.Contact, []demand.Contact, error) {
	if err := ctx.Err(); err != nil {
		return demand.Contact{}, nil, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.contacts[id]
	if !ok {
		return demand.Contact{}, nil, fmt.Errorf("memory: settle %s: %w", id, demand.ErrContactNotFound)
	}
	if !c.Open() {
		return demand.Contact{}, nil, fmt.Errorf("memory: settle %s (%s): %w", id, c.State, demand.ErrContactClosed)
	}
	at = at.UTC()
	c.State, c.ClosedAt = demand.ContactSettled, at
	var withdrawn []demand.Contact
	for _, oid := range st.byClient[string(c.Client)] {
		o := st.contacts[oid]
		if oid == id || o.Client != c.Client || o.Errand != c.Errand || !o.Open() {
			continue
		}
		o.State, o.ClosedAt = demand.ContactWithdrawn, at
		withdrawn = append(withdrawn, o)
	}
	var evs []audit.Event
	if events != nil {
		evs = events(c, slices.Clone(withdrawn))
	}
	prepared, err := kit.PrepareEvents(evs)
	if err != nil {
		return demand.Contact{}, nil, err
	}
	st.contacts[id] = c
	for _, w := range withdrawn {
		st.contacts[w.ID] = w
	}
	s.log.appendLocked(prepared)
	return c, withdrawn, nil
}

// Close implements demand.Store.
func (s *DemandStore) Close(ctx context.Context, id string, at time.Time, events []audit.Event) (demand.Contact, error) {
	if err := ctx.Err(); err != nil {
		return demand.Contact{}, err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return demand.Contact{}, err
	}
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	c, ok := st.contacts[id]
	if !ok {
		return demand.Contact{}, fmt.Errorf("memory: close %s: %w", id, demand.ErrContactNotFound)
	}
	if !c.Open() {
		return demand.Contact{}, fmt.Errorf("memory: close %s (%s): %w", id, c.State, demand.ErrContactClosed)
	}
	c.State, c.ClosedAt = demand.ContactClosed, at.UTC()
	st.contacts[id] = c
	s.log.appendLocked(prepared)
	return c, nil
}

// Get implements demand.Store.
func (s *DemandStore) Get(ctx context.Context, id string) (demand.Contact, error) {
	if err := ctx.Err(); err != nil {
		return demand.Contact{}, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	c, ok := s.st.contacts[id]
	if !ok {
		return demand.Contact{}, fmt.Errorf("memory: contact %s: %w", id, demand.ErrContactNotFound)
	}
	return c, nil
}

// Pending implements demand.Store.
func (s *DemandStore) Pending(ctx context.Context, client carecontact.ClientRef) ([]demand.Contact, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	var out []demand.Contact
	for _, id := range s.st.byClient[string(client)] {
		if c := s.st.contacts[id]; c.Open() {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b demand.Contact) int { return a.OpenedAt.Compare(b.OpenedAt) })
	return out, nil
}

// Stats implements demand.Store.
func (s *DemandStore) Stats(ctx context.Context, since, until time.Time) (demand.Stats, error) {
	if err := ctx.Err(); err != nil {
		return demand.Stats{}, err
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	var out demand.Stats
	for _, id := range s.st.order {
		c := s.st.contacts[id]
		if !c.OpenedAt.Before(since) && c.OpenedAt.Before(until) {
			out.Count(c)
		}
	}
	return out, nil
}
