package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/routing"
)

// shards is the number of lock stripes for items and for professionals. A
// change locks the stripe of its item and then, if it touches one, the
// stripe of its professional; nothing locks all stripes at once.
const shards = 64

// RoutingStore is an in-memory routing.Store, safe for concurrent use.
type RoutingStore struct {
	log   *AuditLog
	items [shards]itemShard
	profs [shards]profShard
}

// The maps hold pointers so a change updates a record in place instead of
// re-inserting a large value.
type itemShard struct {
	mu sync.Mutex
	m  map[carecontact.ItemID]*routing.Item
	// spare are records of removed items, reused by CreateItem. A record
	// is only ever read under mu and copied out, so nothing refers to it
	// once it is out of m.
	spare []*routing.Item
	// last is the record created or changed last, while it is in m: an
	// offer follows its item's creation and an accept its offer, so Apply
	// finds it without hashing the ID.
	last *routing.Item
}

// maxSpareItems bounds the spare records of a stripe.
const maxSpareItems = 64

type profShard struct {
	mu sync.Mutex
	m  map[carecontact.ProfessionalID]*routing.ProfessionalState
}

// NewRoutingStore returns an empty store that records audit events in log
// (a new log of its own if log is nil).
func NewRoutingStore(log *AuditLog) *RoutingStore {
	if log == nil {
		log = NewAuditLog()
	}
	s := &RoutingStore{log: log}
	for i := range s.items {
		s.items[i].m = map[carecontact.ItemID]*routing.Item{}
		s.profs[i].m = map[carecontact.ProfessionalID]*routing.ProfessionalState{}
	}
	return s
}

// AuditLog returns the log the store records events in.
func (s *RoutingStore) AuditLog() *AuditLog { return s.log }

// stripe hashes a key to a lock stripe (FNV-1a).
func stripe(k string) int {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	return int(h % shards)
}

// RegisterProfessional implements routing.Store.
func (s *RoutingStore) RegisterProfessional(ctx context.Context, id carecontact.ProfessionalID, c routing.Capacity, at time.Time) (routing.ProfessionalState, error) {
	if err := ctx.Err(); err != nil {
		return routing.ProfessionalState{}, err
	}
	if err := kit.Professional(id); err != nil {
		return routing.ProfessionalState{}, err
	}
	sh := &s.profs[stripe(string(id))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ps, ok := sh.m[id]
	if !ok {
		ps = &routing.ProfessionalState{ID: id, Presence: routing.PresenceAway, IdleSince: at.UTC()}
		sh.m[id] = ps
	}
	ps.Capacity = c
	ps.Version++
	return *ps, nil
}

// SetPresence implements routing.Store.
func (s *RoutingStore) SetPresence(ctx context.Context, id carecontact.ProfessionalID, p routing.Presence, at time.Time, events []audit.Event) (routing.ProfessionalState, error) {
	if err := ctx.Err(); err != nil {
		return routing.ProfessionalState{}, err
	}
	if err := kit.Presence(p); err != nil {
		return routing.ProfessionalState{}, err
	}
	prepared, err := s.prepare(events)
	if err != nil {
		return routing.ProfessionalState{}, err
	}
	sh := &s.profs[stripe(string(id))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ps, ok := sh.m[id]
	if !ok {
		return routing.ProfessionalState{}, fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, id)
	}
	if ps.Presence == routing.PresenceAway && p != routing.PresenceAway {
		ps.IdleSince = at.UTC()
	}
	ps.Presence = p
	ps.Version++
	s.record(prepared)
	return *ps, nil
}

// Professional implements routing.Store.
func (s *RoutingStore) Professional(ctx context.Context, id carecontact.ProfessionalID) (routing.ProfessionalState, error) {
	sh := &s.profs[stripe(string(id))]
	return lookup(ctx, &sh.mu, sh.m, id, routing.ErrUnknownProfessional)
}

// CreateItem implements routing.Store.
func (s *RoutingStore) CreateItem(ctx context.Context, it routing.Item, events []audit.Event) (routing.Item, error) {
	if err := ctx.Err(); err != nil {
		return routing.Item{}, err
	}
	if err := kit.NewItem(it); err != nil {
		return routing.Item{}, err
	}
	prepared, err := s.prepare(events)
	if err != nil {
		return routing.Item{}, err
	}
	sh := &s.items[stripe(string(it.ID))]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if _, dup := sh.m[it.ID]; dup {
		return routing.Item{}, fmt.Errorf("%w: %s", routing.ErrDuplicateItem, it.ID)
	}
	var rec *routing.Item
	if n := len(sh.spare); n > 0 {
		rec = sh.spare[n-1]
		sh.spare[n-1] = nil
		sh.spare = sh.spare[:n-1]
	} else {
		rec = new(routing.Item)
	}
	*rec = it
	kit.Norm(rec)
	rec.Version = 1
	sh.m[it.ID] = rec
	sh.last = rec
	s.record(prepared)
	return kit.CloneItem(*rec), nil
}

// Item implements routing.Store.
func (s *RoutingStore) Item(ctx context.Context, id carecontact.ItemID) (routing.Item, error) {
	sh := &s.items[stripe(string(id))]
	it, err := lookup(ctx, &sh.mu, sh.m, id, routing.ErrItemNotFound)
	return kit.CloneItem(it), err
}

// lookup reads a copy of *m[id] under mu, failing with notFound.
func lookup[K ~string, V any](ctx context.Context, mu *sync.Mutex, m map[K]*V, id K, notFound error) (V, error) {
	var zero V
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	mu.Lock()
	defer mu.Unlock()
	v, ok := m[id]
	if !ok {
		return zero, fmt.Errorf("%w: %s", notFound, id)
	}
	return *v, nil
}

// Items implements routing.Store. It locks one stripe at a time, so under
// concurrent changes it is a consistent view of each item, not of all.
func (s *RoutingStore) Items(ctx context.Context) ([]routing.Item, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []routing.Item
	for i := range s.items {
		sh := &s.items[i]
		sh.mu.Lock()
		for _, it := range sh.m {
			out = append(out, kit.CloneItem(*it))
		}
		sh.mu.Unlock()
	}
	slices.SortFunc(out, func(a, b routing.Item) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}

// Apply implements routing.Store: the item's stripe is locked, then the
// professional's, so an offer never waits for unrelated work. The locks
// are released explicitly rather than deferred: with this many returns
// the compiler cannot open-code the defers, and Apply runs for every
// offer, accept and completion.
func (s *RoutingStore) Apply(ctx context.Context, c *routing.Change, out *routing.Item, ps *routing.ProfessionalState) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := s.prepare(c.Events)
	if err != nil {
		return err
	}
	sh := &s.items[stripe(string(c.Item.ID))]
	sh.mu.Lock()
	err = s.applyLocked(sh, c, prepared, out, ps)
	sh.mu.Unlock()
	return err
}

// applyLocked is Apply with the item's stripe locked: it checks and makes
// the change and records its events (with the professional's stripe
// locked too, if the change has one), writing the stored item and
// professional to out and ps (unless nil) once nothing can fail any more.
func (s *RoutingStore) applyLocked(sh *itemShard, c *routing.Change, prepared []audit.Event, out *routing.Item, ps *routing.ProfessionalState) error {
	id := c.Item.ID
	cur := sh.last
	if cur == nil || cur.ID != id {
		var ok bool
		if cur, ok = sh.m[id]; !ok {
			return fmt.Errorf("%w: %s", routing.ErrItemNotFound, id)
		}
	}
	if err := kit.ItemVersion(id, cur.Version, c.Expect); err != nil {
		return err
	}
	if !c.Remove {
		if err := kit.ItemState(id, c.Item.State); err != nil {
			return err
		}
	}
	var psh *profShard
	if c.Professional != "" {
		psh = &s.profs[stripe(string(c.Professional))]
		psh.mu.Lock()
		if err := applyProfessional(psh, c, ps); err != nil {
			psh.mu.Unlock()
			return err
		}
	}
	if c.Remove {
		delete(sh.m, id)
		sh.last = nil
		if len(sh.spare) < maxSpareItems {
			*cur = routing.Item{}
			sh.spare = append(sh.spare, cur)
		}
	} else {
		*cur = c.Item
		kit.Norm(cur)
		cur.Version = c.Expect + 1
		sh.last = cur
		if out != nil {
			*out = *cur
			kit.Detach(out)
		}
	}
	s.record(prepared)
	if psh != nil {
		psh.mu.Unlock()
	}
	return nil
}

// applyProfessional checks and makes the professional's part of change c
// with the professional's stripe locked, writing the stored state to ps;
// on error it changes nothing.
func applyProfessional(psh *profShard, c *routing.Change, ps *routing.ProfessionalState) error {
	pcur, ok := psh.m[c.Professional]
	if !ok {
		return fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, c.Professional)
	}
	if err := kit.Capacity(c, pcur); err != nil {
		return err
	}
	load := addSlot(pcur.Load, c.Slot, c.Load)
	wraps, calls := pcur.WrapUps+c.WrapUps, pcur.InCall+c.InCall
	if load.Of(c.Slot) < 0 || wraps < 0 || calls < 0 {
		return kit.NegativeCount(c.Professional)
	}
	pcur.Load, pcur.WrapUps, pcur.InCall = load, wraps, calls
	if !c.IdleSince.IsZero() {
		pcur.IdleSince = c.IdleSince.UTC()
	}
	pcur.Version++
	if ps != nil {
		*ps = *pcur
	}
	return nil
}

func (s *RoutingStore) prepare(events []audit.Event) ([]audit.Event, error) {
	if len(events) == 0 {
		return nil, nil
	}
	return kit.PrepareEvents(events)
}

func (s *RoutingStore) record(prepared []audit.Event) {
	if len(prepared) > 0 {
		s.log.appendLocked(prepared)
	}
}

func addSlot(c routing.Capacity, sl routing.Slot, n int) routing.Capacity {
	switch sl {
	case routing.SlotSynchronous:
		c.Synchronous += n
	case routing.SlotChat:
		c.Chat += n
	case routing.SlotMessage:
		c.Message += n
	}
	return c
}
