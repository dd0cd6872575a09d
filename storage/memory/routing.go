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

// itemRec is the record of one item. The maps hold pointers so a change
// updates a record in place instead of re-inserting a large value.
//
// A removed item's record stays in its stripe's map as a tombstone
// (Version 0, every field but the ID cleared) for a while: creating an
// item under the same ID again (a host reusing its IDs) then reuses the
// record and its map entry, and removing an item costs no map deletion.
// A stripe keeps at most maxDead tombstones; past that the oldest goes,
// and its record serves the next new ID.
type itemRec struct {
	routing.Item
	hash uint32 // of the ID (see hashID)
	// ref is the record's routing.Item.Ref: its index in the stripe's
	// recs plus one, times shards, plus the stripe's index. Every item the
	// store returns carries it, and Apply finds the record by it.
	ref uint64
	// prev and next link the tombstones of the stripe, oldest first.
	prev, next *itemRec
}

type itemShard struct {
	mu sync.Mutex
	// m holds the stripe's live items (Version >= 1) and tombstones
	// (Version 0).
	m map[carecontact.ItemID]*itemRec
	// oldest and newest end the list of the stripe's ndead tombstones.
	oldest, newest *itemRec
	ndead          int
	// hot caches records of m by the hash of their ID (one per slot), so
	// the next change of an item finds it without a map lookup; a slot
	// may name a record reused for another ID, so a hit is checked
	// against the ID.
	hot [hotItems]*itemRec
	// recs holds every record the stripe made, at the index its ref names
	// (records are never dropped: a record evicted from m waits in free
	// for the next new ID).
	recs []*itemRec
	free []*itemRec
}

// maxDead bounds the tombstones of a stripe; hotItems and hotProfs are the
// cache slots of an item and a professional stripe. Items are found by
// their Ref, so few slots serve them; professionals by their ID, so the
// 16,384 professional slots in all find most of the states of an
// organisation of ten thousand without a map lookup.
const (
	maxDead  = 64
	hotItems = 16
	hotProfs = 256
)

type profShard struct {
	mu  sync.Mutex
	m   map[carecontact.ProfessionalID]*routing.ProfessionalState
	hot [hotProfs]*routing.ProfessionalState
}

// NewRoutingStore returns an empty store that records audit events in log
// (a new log of its own if log is nil).
func NewRoutingStore(log *AuditLog) *RoutingStore {
	if log == nil {
		log = NewAuditLog()
	}
	s := &RoutingStore{log: log}
	for i := range s.items {
		s.items[i].m = map[carecontact.ItemID]*itemRec{}
		s.profs[i].m = map[carecontact.ProfessionalID]*routing.ProfessionalState{}
	}
	return s
}

// AuditLog returns the log the store records events in.
func (s *RoutingStore) AuditLog() *AuditLog { return s.log }

// hashID hashes an ID (FNV-1a): its low bits pick the lock stripe, the
// bits above them the cache slot in the stripe.
func hashID[K ~string](k K) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(k); i++ {
		h ^= uint32(k[i])
		h *= 16777619
	}
	return h
}

func (s *RoutingStore) itemShard(h uint32) *itemShard { return &s.items[h%shards] }
func (s *RoutingStore) profShard(h uint32) *profShard { return &s.profs[h%shards] }

// find returns the record of id (live or a tombstone), or nil; h is
// hashID(id). The stripe is locked.
func (sh *itemShard) find(id carecontact.ItemID, h uint32) *itemRec {
	slot := &sh.hot[(h/shards)%hotItems]
	if r := *slot; r != nil && r.ID == id {
		return r
	}
	r := sh.m[id]
	if r != nil {
		*slot = r
	}
	return r
}

// live returns the record of the stored item id, or nil.
func (sh *itemShard) live(id carecontact.ItemID, h uint32) *itemRec {
	if r := sh.find(id, h); r != nil && r.Version != 0 {
		return r
	}
	return nil
}

// bury turns the record of a removed item into a tombstone, the newest.
func (sh *itemShard) bury(r *itemRec) {
	r.Item = routing.Item{ID: r.ID}
	if sh.ndead >= maxDead {
		old := sh.evict()
		old.ID = ""
		sh.free = append(sh.free, old)
	}
	r.prev, r.next = sh.newest, nil
	if sh.newest != nil {
		sh.newest.next = r
	} else {
		sh.oldest = r
	}
	sh.newest = r
	sh.ndead++
}

// revive takes tombstone r off the list, for its ID to be created again.
func (sh *itemShard) revive(r *itemRec) {
	if r.prev != nil {
		r.prev.next = r.next
	} else {
		sh.oldest = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else {
		sh.newest = r.prev
	}
	r.prev, r.next = nil, nil
	sh.ndead--
}

// evict drops the oldest tombstone from the stripe and returns its record,
// no longer referred to by the stripe.
func (sh *itemShard) evict() *itemRec {
	r := sh.oldest
	sh.revive(r)
	delete(sh.m, r.ID)
	if slot := &sh.hot[(r.hash/shards)%hotItems]; *slot == r {
		*slot = nil
	}
	return r
}

// add returns a record for the new item id, indexed in the stripe: the
// tombstone of id, a free record, the record of the oldest tombstone if the
// stripe keeps as many as it may, else a new record. The caller checked
// that id is not stored.
func (sh *itemShard) add(id carecontact.ItemID, h uint32) *itemRec {
	if r := sh.find(id, h); r != nil {
		sh.revive(r)
		return r
	}
	var r *itemRec
	switch n := len(sh.free); {
	case n > 0:
		r = sh.free[n-1]
		sh.free[n-1] = nil
		sh.free = sh.free[:n-1]
	case sh.ndead >= maxDead:
		r = sh.evict()
	default:
		r = &itemRec{ref: uint64(len(sh.recs)+1)*shards + uint64(h%shards)}
		sh.recs = append(sh.recs, r)
	}
	r.ID, r.hash = id, h
	sh.m[id] = r
	sh.hot[(h/shards)%hotItems] = r
	return r
}

// byRef returns the record of the stored item id if ref (an Item.Ref of
// this stripe) refers to it, else nil. The stripe is locked.
func (sh *itemShard) byRef(ref uint64, id carecontact.ItemID) *itemRec {
	if i := ref/shards - 1; i < uint64(len(sh.recs)) {
		// A live record is indexed in m under its ID, so the check
		// that it is live and has the ID is the whole check.
		if r := sh.recs[i]; r.Version != 0 && r.ID == id {
			return r
		}
	}
	return nil
}

// find returns the state of professional id, or nil; h is hashID(id). The
// stripe is locked.
func (sh *profShard) find(id carecontact.ProfessionalID, h uint32) *routing.ProfessionalState {
	slot := &sh.hot[(h/shards)%hotProfs]
	if ps := *slot; ps != nil && ps.ID == id {
		return ps
	}
	ps := sh.m[id]
	if ps != nil {
		*slot = ps
	}
	return ps
}

// RegisterProfessional implements routing.Store.
func (s *RoutingStore) RegisterProfessional(ctx context.Context, id carecontact.ProfessionalID, c routing.Capacity, at time.Time) (routing.ProfessionalState, error) {
	if err := ctx.Err(); err != nil {
		return routing.ProfessionalState{}, err
	}
	if err := kit.Professional(id); err != nil {
		return routing.ProfessionalState{}, err
	}
	h := hashID(id)
	sh := s.profShard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ps := sh.find(id, h)
	if ps == nil {
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
	h := hashID(id)
	sh := s.profShard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ps := sh.find(id, h)
	if ps == nil {
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
	if err := ctx.Err(); err != nil {
		return routing.ProfessionalState{}, err
	}
	h := hashID(id)
	sh := s.profShard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	ps := sh.find(id, h)
	if ps == nil {
		return routing.ProfessionalState{}, fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, id)
	}
	return *ps, nil
}

// CreateItem implements routing.Store. It copies the item it is given
// once, into its record (a check through kit.NewItem would copy it again),
// and writes its result in place.
func (s *RoutingStore) CreateItem(ctx context.Context, it routing.Item, events []audit.Event) (out routing.Item, err error) {
	if err := ctx.Err(); err != nil {
		return routing.Item{}, err
	}
	if it.ID == "" || it.State < routing.ItemQueued || it.State > routing.ItemWrapUp {
		return routing.Item{}, kit.NewItem(it)
	}
	prepared, err := s.prepare(events)
	if err != nil {
		return routing.Item{}, err
	}
	h := hashID(it.ID)
	sh := s.itemShard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.live(it.ID, h) != nil {
		return routing.Item{}, fmt.Errorf("%w: %s", routing.ErrDuplicateItem, it.ID)
	}
	rec := sh.add(it.ID, h)
	rec.Item = it
	kit.Norm(&rec.Item)
	rec.Version, rec.Ref = 1, rec.ref
	s.record(prepared)
	out = rec.Item
	kit.Detach(&out)
	return out, nil
}

// Item implements routing.Store.
func (s *RoutingStore) Item(ctx context.Context, id carecontact.ItemID) (routing.Item, error) {
	if err := ctx.Err(); err != nil {
		return routing.Item{}, err
	}
	h := hashID(id)
	sh := s.itemShard(h)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	r := sh.live(id, h)
	if r == nil {
		return routing.Item{}, fmt.Errorf("%w: %s", routing.ErrItemNotFound, id)
	}
	it := r.Item
	kit.Detach(&it)
	return it, nil
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
		for _, r := range sh.m {
			if r.Version != 0 {
				out = append(out, kit.CloneItem(r.Item))
			}
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
	var prepared []audit.Event
	if len(c.Events) > 0 {
		var err error
		if prepared, err = kit.PrepareEvents(c.Events); err != nil {
			return err
		}
	}
	id := c.Item.ID
	if ref := c.Item.Ref; ref != 0 {
		// The record the reference names, if it is still the item's,
		// without hashing the ID or looking it up.
		sh := &s.items[ref%shards]
		sh.mu.Lock()
		if cur := sh.byRef(ref, id); cur != nil {
			err := s.applyLocked(sh, cur, c, prepared, out, ps)
			sh.mu.Unlock()
			return err
		}
		sh.mu.Unlock()
	}
	h := hashID(id)
	sh := s.itemShard(h)
	sh.mu.Lock()
	cur := sh.live(id, h)
	if cur == nil {
		sh.mu.Unlock()
		return fmt.Errorf("%w: %s", routing.ErrItemNotFound, id)
	}
	err := s.applyLocked(sh, cur, c, prepared, out, ps)
	sh.mu.Unlock()
	return err
}

// applyLocked is Apply with the item's stripe locked and cur its record: it
// checks and makes the change and records its events (with the
// professional's stripe locked too, if the change has one), writing the
// stored item and professional to out and ps (unless nil) once nothing can
// fail any more.
func (s *RoutingStore) applyLocked(sh *itemShard, cur *itemRec, c *routing.Change, prepared []audit.Event, out *routing.Item, ps *routing.ProfessionalState) error {
	id := c.Item.ID
	if cur.Version != c.Expect {
		return kit.ItemVersion(id, cur.Version, c.Expect)
	}
	if st := c.Item.State; !c.Remove && (st < routing.ItemQueued || st > routing.ItemWrapUp) {
		return kit.ItemState(id, st)
	}
	var psh *profShard
	if c.Professional != "" {
		ph := hashID(c.Professional)
		psh = s.profShard(ph)
		psh.mu.Lock()
		if err := applyProfessional(psh.find(c.Professional, ph), c, ps); err != nil {
			psh.mu.Unlock()
			return err
		}
	}
	if c.Remove {
		sh.bury(cur)
	} else {
		cur.Item = c.Item
		kit.Norm(&cur.Item)
		cur.Version, cur.Ref = c.Expect+1, cur.ref
		if out != nil {
			*out = cur.Item
			kit.Detach(out)
		}
	}
	if len(prepared) > 0 {
		s.log.appendLocked(prepared)
	}
	if psh != nil {
		psh.mu.Unlock()
	}
	return nil
}

// applyProfessional checks and makes the professional's part of change c
// on pcur, the professional's state (nil if unknown), with its stripe
// locked, writing the stored state to ps; on error it changes nothing.
func applyProfessional(pcur *routing.ProfessionalState, c *routing.Change, ps *routing.ProfessionalState) error {
	if pcur == nil {
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
