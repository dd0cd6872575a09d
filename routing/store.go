package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// ItemState is where a work item is in its lifecycle.
type ItemState int

// The item states. Every state has an exit: Queued ends by an offer, by
// rescinding or (on a last step with a timeout) by exhaustion; Offered by
// accept, decline, rescind or its deadline; Accepted when the professional
// finishes; WrapUp by completion or its deadline. Completed, rescinded and
// exhausted items are removed from the store.
const (
	ItemQueued ItemState = iota + 1
	ItemOffered
	ItemAccepted
	ItemWrapUp
)

// String returns "queued", "offered", "accepted" or "wrap-up".
func (s ItemState) String() string {
	switch s {
	case ItemQueued:
		return "queued"
	case ItemOffered:
		return "offered"
	case ItemAccepted:
		return "accepted"
	case ItemWrapUp:
		return "wrap-up"
	default:
		return fmt.Sprintf("state(%d)", int(s))
	}
}

// Item is a work item: one contact waiting for, offered to, or handled by a
// professional.
type Item struct {
	ID      carecontact.ItemID
	Contact Contact
	State   ItemState
	// Version increases with every change; conditional changes name the
	// version they expect.
	Version uint64
	// EnqueuedAt is when the item was first queued. Widening keeps it.
	EnqueuedAt time.Time
	// Step is the index of the policy step the item is in, and StepAt
	// when it entered that step.
	Step   int
	StepAt time.Time
	// Professional is whom the item is offered to, accepted by or wrapped
	// up by; empty while queued.
	Professional carecontact.ProfessionalID
	// Deadline is when the offer times out (Offered) or the wrap-up ends
	// (WrapUp); zero otherwise.
	Deadline time.Time
	// Excluded are the professionals who declined the item or let its
	// offer time out; it is not offered to them again.
	Excluded []carecontact.ProfessionalID
	// Continued is the channel an accepted contact continues on after its
	// professional switched it (a chat continuing as a call or video);
	// empty while it stays on Contact.Channel. A contact continuing on a
	// synchronous channel from another slot class holds its professional
	// in a call (ProfessionalState.InCall).
	Continued channel.Kind
	// Guests are the professionals invited into the accepted contact (a
	// multi-professional video call). Each is in a call until they leave.
	Guests []carecontact.ProfessionalID
	// Ref is the store's reference to the item, for a store that has one
	// (the memory store: the place of the item's record), and zero
	// otherwise. A store sets it in every item it returns; the dispatcher
	// passes it back in Change.Item, so Apply can find the item without
	// looking its ID up. A store must check that Ref refers to the item
	// named by ID and look the ID up when it does not: a zero, stale or
	// foreign Ref is never wrong, only slower. It is not part of the
	// item's state: no store keeps what a caller writes in it, and it is
	// not encoded (json "-").
	Ref uint64 `json:"-"`
}

// ProfessionalState is a professional's dynamic state in the store.
type ProfessionalState struct {
	ID carecontact.ProfessionalID
	// Presence is what the host set: away, available or busy.
	Presence Presence
	// Capacity is copied from the directory when the professional is
	// registered.
	Capacity Capacity
	// Load counts the items offered to, accepted by or in wrap-up with the
	// professional, per slot class.
	Load Capacity
	// WrapUps counts the professional's items in wrap-up.
	WrapUps int
	// IdleSince is when the professional signed in or last completed a
	// contact, whichever is later.
	IdleSince time.Time
	// InCall counts the calls the professional is in that no synchronous
	// slot counts: their chats continued as a call or video, and contacts
	// they were invited into. While it is above zero they get no offers.
	InCall  int
	Version uint64
}

// Effective returns the presence routing acts on: PresenceWrapUp while an
// available professional has items in wrap-up, PresenceBusy while every
// slot class they take work in is full, else the presence the host set.
func (s ProfessionalState) Effective() Presence {
	if s.Presence != PresenceAvailable {
		return s.Presence
	}
	if s.WrapUps > 0 {
		return PresenceWrapUp
	}
	if s.InCall > 0 {
		return PresenceBusy
	}
	for sl := range numSlots {
		if s.Load.Of(sl) < s.Capacity.Of(sl) {
			return PresenceAvailable
		}
	}
	return PresenceBusy
}

// CanTake reports whether the professional can be offered one more item of
// slot class sl: available, not wrapping up, in no call, with free
// capacity.
func (s ProfessionalState) CanTake(sl Slot) bool {
	return s.Presence == PresenceAvailable && s.WrapUps == 0 && s.InCall == 0 && s.Load.Of(sl) < s.Capacity.Of(sl)
}

// CanJoinCall reports whether the professional can join a call (InCall one
// more): signed in, not wrapping up, in no call, with a free synchronous
// slot. Busy professionals may join: busy stops offers, not calls.
func (s ProfessionalState) CanJoinCall() bool {
	return s.Presence != PresenceAway && s.WrapUps == 0 && s.InCall == 0 && s.Load.Synchronous < s.Capacity.Synchronous
}

// Change is one atomic conditional change of a work item and, optionally,
// of one professional. The store applies all of it or none:
//
//   - the stored item must exist (else ErrItemNotFound) and be at version
//     Expect (else ErrConflict);
//   - with Professional set and Load > 0, the professional must be able to
//     take the item (ProfessionalState.CanTake(Slot), else ErrNoCapacity);
//     with InCall > 0, they must be able to join a call
//     (ProfessionalState.CanJoinCall, else ErrNoCapacity);
//   - then the item is replaced by Item (its Version set to Expect+1) or
//     deleted if Remove, the professional's load and wrap-up count are
//     adjusted by Load, WrapUps and InCall, IdleSince is set if non-zero, and
//     Events are recorded in the audit log.
//
// With Remove, the store reads only Item.ID and Item.Ref of Item: a removal
// need not carry the rest of the item (the dispatcher sends these alone).
// Item.Ref is only a hint to find the item by (see Item.Ref).
//
// In SQL this is one transaction: UPDATE ... WHERE id = $1 AND version = $2,
// and UPDATE professionals ... WHERE id = $3 AND presence = 'available' AND
// wrap_ups = 0 AND load_x < capacity_x.
type Change struct {
	Item         Item
	Expect       uint64
	Remove       bool
	Professional carecontact.ProfessionalID
	Slot         Slot
	Load         int
	WrapUps      int
	InCall       int
	IdleSince    time.Time
	Events       []audit.Event
	// Fence, when not zero, is the leader term the change is a decision
	// of: a store shared by replicas applies it only if the fence is still
	// the lease's current term, checked in the change's own transaction,
	// and otherwise fails with ErrNotLeader. A store of one process may
	// ignore it.
	Fence carecontact.Fence
}

// Store keeps work items and professionals' dynamic state. Implementations
// are safe for concurrent use and keep every method atomic; several Store
// values may share one backing state (host replicas over one database). No
// method takes a lock over all items or all professionals: an offer locks
// one item and one professional.
type Store interface {
	// RegisterProfessional creates the professional's state (away, no
	// load, idle since at) or, if it exists, updates its capacity, and
	// returns the stored state.
	RegisterProfessional(ctx context.Context, id carecontact.ProfessionalID, c Capacity, at time.Time) (ProfessionalState, error)
	// SetPresence sets the professional's presence (away, available or
	// busy; ErrInvalid otherwise). Signing in (leaving away) sets
	// IdleSince to at. Fails with ErrUnknownProfessional.
	SetPresence(ctx context.Context, id carecontact.ProfessionalID, p Presence, at time.Time, events []audit.Event) (ProfessionalState, error)
	// Professional returns the professional's state, or
	// ErrUnknownProfessional.
	Professional(ctx context.Context, id carecontact.ProfessionalID) (ProfessionalState, error)
	// CreateItem stores a new item at version 1 with its events; it fails
	// with ErrDuplicateItem if the ID exists.
	CreateItem(ctx context.Context, it Item, events []audit.Event) (Item, error)
	// Item returns the item, or ErrItemNotFound.
	Item(ctx context.Context, id carecontact.ItemID) (Item, error)
	// Items returns every stored item in ascending ID order (for a
	// dispatcher recovering its queues).
	Items(ctx context.Context) ([]Item, error)
	// Apply makes one conditional change (see Change). On success it
	// writes the item as stored after it to *it (unless c.Remove) and the
	// professional as stored after it to *ps (if c.Professional is set);
	// either may be nil, and on error neither is written. The change and
	// the results are passed by pointer so that the dispatcher's hot path
	// copies no Change and no Item through the call: Apply reads *c and
	// must neither modify it nor keep c, it or ps after returning, and
	// what it writes to *it shares no slice with its own state.
	Apply(ctx context.Context, c *Change, it *Item, ps *ProfessionalState) error
}
