// Calls: an accepted contact that continues on another channel (a chat
// becoming a video call) and the colleagues invited into it.

package routing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// heldCall is 1 when item it holds its professional in a call that its slot
// does not count (a chat or message continued on a synchronous channel),
// else 0.
func heldCall(it *Item, routed Slot) int {
	if it.Continued == "" || routed == SlotSynchronous {
		return 0
	}
	if sl, err := SlotOf(it.Continued); err == nil && sl == SlotSynchronous {
		return 1
	}
	return 0
}

// Continue switches item id, which by has accepted, to channel kind: a chat
// continuing as a call or video takes the professional's whole attention,
// so from then on they get no offers until the contact ends
// (ProfessionalState.InCall), and the switch fails with ErrNoCapacity when
// they are already in a call or take no calls. Continuing on the item's
// own channel again ends the switch. It fails with ErrItemNotFound,
// ErrWrongState when by does not hold the item, and ErrInvalid for a
// channel routing does not know.
func (d *Dispatcher) Continue(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID, kind channel.Kind) (Item, error) {
	if _, err := SlotOf(kind); err != nil {
		return Item{}, carecontact.Invalid(ErrInvalid, "kind", "is not routed work")
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.held(ctx, id, by, ItemAccepted, now)
	if err != nil {
		return Item{}, err
	}
	next := e.it
	next.Continued = kind
	if kind == e.it.Contact.Channel {
		next.Continued = ""
	}
	if next.Continued == e.it.Continued {
		return e.it, nil
	}
	p := d.profOf(by)
	c := d.change()
	*c = Change{Item: next, Professional: by, InCall: heldCall(&next, e.route.slot) - heldCall(&e.it, e.route.slot)}
	if err := d.apply(ctx, e, c, p, "continue", now, by); err != nil {
		return Item{}, staleAsConflict(err, id)
	}
	d.emit(EventContinued, e, now, e.it.Step, by, string(kind))
	if c.InCall < 0 {
		return e.it, d.serve(ctx, p, now)
	}
	return e.it, d.declinePending(ctx, p, now, "professional is in a call", false)
}

// Invite brings professional guest into item id, which host has accepted
// (a colleague in a multi-professional video call). The guest is in a call
// until they Leave: they get no offers, and offers pending to them go to
// someone else at once. It fails with ErrNoCapacity when the guest is away,
// wrapping up, already in a call or takes no calls, ErrUnknownProfessional,
// ErrWrongState when host does not hold the item, and ErrConflict when
// guest is the host or already a guest.
func (d *Dispatcher) Invite(ctx context.Context, id carecontact.ItemID, host, guest carecontact.ProfessionalID) (Item, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.held(ctx, id, host, ItemAccepted, now)
	if err != nil {
		return Item{}, err
	}
	p := d.profOf(guest)
	switch {
	case p == nil:
		return Item{}, fmt.Errorf("%w: %s", ErrUnknownProfessional, quoteID(string(guest)))
	case guest == host || slices.Contains(e.it.Guests, guest):
		return Item{}, fmt.Errorf("%w: %s is already in item %s", ErrConflict, guest, id)
	}
	next := e.it
	next.Guests = append(slices.Clip(e.it.Guests), guest)
	defer d.unhold(d.hold(p))
	c := d.change()
	*c = Change{Item: next, Professional: guest, InCall: 1}
	if err := d.apply(ctx, e, c, p, "invite", now, host); err != nil {
		return Item{}, staleAsConflict(err, id)
	}
	d.emit(EventJoined, e, now, e.it.Step, guest, "")
	return e.it, d.declinePending(ctx, p, now, "professional is in a call", false)
}

// Leave takes guest out of item id; they take offers again. It fails with
// ErrItemNotFound, and ErrWrongState when guest is not in the item.
func (d *Dispatcher) Leave(ctx context.Context, id carecontact.ItemID, guest carecontact.ProfessionalID) (Item, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.lookup(ctx, id, now)
	if err != nil {
		return Item{}, err
	}
	if !slices.Contains(e.it.Guests, guest) {
		return Item{}, fmt.Errorf("%w: %s is not a guest in item %s", ErrWrongState, guest, id)
	}
	if err := d.leave(ctx, e, guest, now); err != nil {
		return Item{}, staleAsConflict(err, id)
	}
	return e.it, nil
}

func (d *Dispatcher) leave(ctx context.Context, e *entry, guest carecontact.ProfessionalID, t time.Time) error {
	p := d.profOf(guest)
	next := e.it
	next.Guests = slices.DeleteFunc(slices.Clone(e.it.Guests), func(g carecontact.ProfessionalID) bool { return g == guest })
	defer d.unhold(d.hold(p))
	c := d.change()
	*c = Change{Item: next, Professional: guest, InCall: -1, IdleSince: t}
	if err := d.apply(ctx, e, c, p, "leave", t, guest); err != nil {
		return err
	}
	d.emit(EventLeft, e, t, e.it.Step, guest, "")
	return d.serve(ctx, p, t)
}

// declinePending returns the offers pending to p to their queues (reason
// is recorded), so a professional who cannot answer does not hold them
// until their timeout; with exclude they are not offered to p again.
func (d *Dispatcher) declinePending(ctx context.Context, p *prof, t time.Time, reason string, exclude bool) error {
	for _, e := range slices.Clone(p.offers) {
		if e.it.State != ItemOffered || e.it.Professional != p.id {
			continue
		}
		if err := ignoreStale(d.release(ctx, e, t, EventDeclined, reason, exclude)); err != nil {
			return err
		}
	}
	return nil
}

// lease starts the grace of the contacts p has accepted when they sign out,
// and stops it when they sign in again.
func (d *Dispatcher) lease(p *prof, pr Presence, t time.Time) {
	for _, e := range d.items {
		if e.it.State != ItemAccepted || e.it.Professional != p.id {
			continue
		}
		switch {
		case pr == PresenceAway && d.grace >= 0 && e.tidx < 0:
			d.arm(e, t.Add(d.grace))
		case pr != PresenceAway && e.tidx >= 0:
			d.disarm(e)
		}
	}
}

// reclaim queues again an accepted contact whose professional stayed away
// past the grace: its guests leave, the switch of channel ends, and the
// item returns to its step with a fresh step time, keeping its place by
// enqueue time.
func (d *Dispatcher) reclaim(ctx context.Context, e *entry, t time.Time) error {
	for len(e.it.Guests) > 0 {
		if err := d.leave(ctx, e, e.it.Guests[0], t); err != nil {
			return err
		}
	}
	by := e.it.Professional
	p := d.holder(e)
	next := e.it
	next.State = ItemQueued
	next.Professional = ""
	next.Continued = ""
	next.StepAt = t
	c := d.change()
	*c = Change{Item: next, Professional: by, Slot: e.route.slot, Load: -1, InCall: -heldCall(&e.it, e.route.slot)}
	defer d.unhold(d.hold(p))
	if err := d.apply(ctx, e, c, p, "reclaim", t, ""); err != nil {
		return err
	}
	e.accepted = time.Time{}
	d.emit(EventReclaimed, e, t, e.it.Step, by, "professional was away past the grace")
	return d.requeue(ctx, e, t)
}
