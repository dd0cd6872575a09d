// The public lifecycle of a work item: enqueue, accept, decline, finish,
// complete, rescind, and the presence of professionals.

package routing

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Enqueue routes contact c as work item id and queues it in its first
// usable step (a step is skipped at once when none of its candidates is
// signed in or its area is closed), offering it at once if a candidate is
// free. It returns the item as stored (queued or already offered).
//
// It fails with ErrInvalid or ErrMalformedPostalCode for bad input, a
// *carecontact.FieldError naming the field: an empty id or client, an id
// or a reference of the contact longer than carecontact.MaxIDLen bytes,
// not UTF-8 or holding a control character, an unknown channel, priority
// or language; ErrDuplicateItem if id is in the store, and a
// *NoRouteError (ErrNoRoute) when no step has a candidate or (unless the
// contact holds) none is signed in.
func (d *Dispatcher) Enqueue(ctx context.Context, id carecontact.ItemID, c Contact) (Item, error) {
	if id == "" {
		return Item{}, carecontact.Invalid(ErrInvalid, "id", "is empty")
	}
	if err := carecontact.ValidateID(ErrInvalid, "id", string(id)); err != nil {
		return Item{}, err
	}
	if c.Client == "" {
		return Item{}, carecontact.Invalid(ErrInvalid, "client", "is empty")
	}
	if err := validateRefs(c); err != nil {
		return Item{}, err
	}
	if err := validatePriority(c.Priority); err != nil {
		return Item{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	rt, err := d.routeFor(c)
	if err != nil {
		return Item{}, err
	}
	e := d.newEntry()
	*e = entry{it: Item{ID: id, Contact: c, State: ItemQueued, EnqueuedAt: now, StepAt: now}, route: rt, qidx: -1, tidx: -1}
	if rt.noRoute != nil {
		d.emit(EventNoRoute, e, now, -1, "", string(rt.noRoute.Reason))
		return Item{}, rt.noRoute
	}
	step := d.nextUsable(e, 0, now)
	if step < 0 && c.Hold {
		step = slices.IndexFunc(rt.pools, func(p *pool) bool { return p != nil })
	}
	if step < 0 {
		nr := &NoRouteError{Reason: ReasonNobodySignedIn, Errand: c.Errand, Channel: c.Channel}
		for i := range rt.pools {
			_, why := d.usable(rt, i, now)
			nr.Skipped = append(nr.Skipped, SkippedStep{Index: i, Target: rt.pol.Steps[i].Target, Reason: why})
		}
		d.emit(EventNoRoute, e, now, -1, "", string(nr.Reason))
		return Item{}, nr
	}
	e.it.Step = step
	it, err := d.store.CreateItem(ctx, e.it, d.auditFor("enqueue", &e.it, now, ""))
	if err != nil {
		return Item{}, fmt.Errorf("routing: enqueue %s: %w", id, err)
	}
	e.it = it
	d.seq++
	e.seq = d.seq
	e.rank = d.rank(now, c.Priority)
	d.items[id] = e
	d.counts[ItemQueued]++
	d.emit(EventQueued, e, now, step, "", "")
	d.stepPool(e).queue.push(qrefOf(e))
	d.armStep(e)
	if err := d.tryOffer(ctx, e, now); err != nil {
		return e.it, err
	}
	return e.it, nil
}

// nextUsable returns the first step >= from that e may enter at t, emitting
// EventSkipped for the others, or -1.
func (d *Dispatcher) nextUsable(e *entry, from int, t time.Time) int {
	for i := from; i < len(e.route.pools); i++ {
		ok, why := d.usable(e.route, i, t)
		if ok {
			return i
		}
		d.emit(EventSkipped, e, t, i, "", why)
	}
	return -1
}

// Accept accepts the offer of item id to professional by. It fails with
// ErrInvalid (a *carecontact.FieldError naming "professional") when by is
// empty, ErrItemNotFound, ErrOfferExpired if the offer to by has timed
// out, and ErrWrongState if the item is not offered to by.
func (d *Dispatcher) Accept(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) (Item, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.offered(ctx, id, by, now)
	if err != nil {
		return Item{}, err
	}
	c := d.change()
	c.Item = e.it
	c.Item.State = ItemAccepted
	c.Item.Deadline = time.Time{}
	if err := d.apply(ctx, e, c, nil, "accept", now, by); err != nil {
		return Item{}, staleAsConflict(err, id)
	}
	d.disarm(e)
	e.accepted = now
	d.emit(EventAccepted, e, now, e.it.Step, by, "")
	return e.it, nil
}

// Decline declines the offer of item id to professional by; the item is
// queued again (keeping its place) and offered to someone else. Errors as
// for Accept.
func (d *Dispatcher) Decline(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, err := d.offered(ctx, id, by, now)
	if err != nil {
		return err
	}
	return staleAsConflict(d.release(ctx, e, now, EventDeclined, "", true), id)
}

// offered returns the entry of item id if it is offered to by.
func (d *Dispatcher) offered(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID, now time.Time) (*entry, error) {
	if by == "" {
		return nil, carecontact.Invalid(ErrInvalid, "professional", "is required")
	}
	e, err := d.lookup(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if e.it.State != ItemOffered || e.it.Professional != by {
		if e.timedOut == by {
			return nil, fmt.Errorf("%w: item %s to %s", ErrOfferExpired, id, quoteID(string(by)))
		}
		return nil, fmt.Errorf("%w: item %s is %s, not offered to %s", ErrWrongState, id, e.it.State, quoteID(string(by)))
	}
	return e, nil
}

// release returns an offered item to its queue after a decline or a
// timeout, frees the professional's slot and offers again. With exclude the
// item is not offered to that professional again.
func (d *Dispatcher) release(ctx context.Context, e *entry, t time.Time, kind EventKind, reason string, exclude bool) error {
	by := e.it.Professional
	p := d.holder(e)
	next := e.it
	next.State = ItemQueued
	next.Professional = ""
	next.Deadline = time.Time{}
	if exclude {
		next.Excluded = append(slices.Clip(e.it.Excluded), by)
	}
	verb := "decline"
	if kind == EventTimedOut {
		verb = "timeout"
	}
	defer d.unhold(d.hold(p))
	c := d.change()
	*c = Change{Item: next, Professional: by, Slot: e.route.slot, Load: -1}
	if err := d.apply(ctx, e, c, p, verb, t, by); err != nil {
		return err
	}
	d.disarm(e)
	if kind == EventTimedOut {
		e.timedOut = by
	}
	d.emit(kind, e, t, e.it.Step, by, reason)
	if err := d.requeue(ctx, e, t); err != nil {
		return err
	}
	return d.serve(ctx, p, t)
}

// requeue puts a queued item back in its step's queue, or widens it at once
// if the step's time is up.
func (d *Dispatcher) requeue(ctx context.Context, e *entry, t time.Time) error {
	d.stepPool(e).queue.push(qrefOf(e))
	if to := e.route.pol.Steps[e.it.Step].Timeout; to > 0 && !e.it.StepAt.Add(to).After(t) {
		return d.widen(ctx, e, t)
	}
	d.armStep(e)
	return d.tryOffer(ctx, e, t)
}

// Finish ends the contact of item id, which by has accepted. The item goes
// to wrap-up for the professional's wrap-up time (during which they get no
// offers), or is completed at once if that time is zero. It returns the
// item in wrap-up, or the zero Item if it was completed.
func (d *Dispatcher) Finish(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) (Item, error) {
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
	if len(e.it.Guests) > 0 {
		return Item{}, fmt.Errorf("%w: item %s still has %d guests; they leave first", ErrWrongState, id, len(e.it.Guests))
	}
	if !e.accepted.IsZero() {
		h := &d.handled[e.route.slot]
		*h += (now.Sub(e.accepted) - *h) / 10
	}
	p := d.holder(e)
	if p.wrapUp == 0 {
		return Item{}, staleAsConflict(d.complete(ctx, e, now, 0), id)
	}
	c := d.change()
	c.Item = e.it
	c.Professional, c.WrapUps, c.InCall = by, 1, -heldCall(&e.it, e.route.slot)
	c.Item.State = ItemWrapUp
	c.Item.Deadline = now.Add(p.wrapUp)
	if err := d.apply(ctx, e, c, p, "finish", now, by); err != nil {
		return Item{}, staleAsConflict(err, id)
	}
	d.arm(e, e.it.Deadline)
	d.emit(EventWrapUp, e, now, e.it.Step, by, "")
	return e.it, nil
}

// Complete ends the wrap-up of item id early (the professional is ready);
// the item is removed. Without it the wrap-up ends at its deadline.
func (d *Dispatcher) Complete(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, err := d.held(ctx, id, by, ItemWrapUp, now)
	if err != nil {
		return err
	}
	return staleAsConflict(d.complete(ctx, e, now, -1), id)
}

func (d *Dispatcher) held(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID, s ItemState, now time.Time) (*entry, error) {
	e, err := d.lookup(ctx, id, now)
	if err != nil {
		return nil, err
	}
	if e.it.State != s || e.it.Professional != by {
		return nil, fmt.Errorf("%w: item %s is %s with %q, not %s with %s", ErrWrongState, id, e.it.State, e.it.Professional, s, quoteID(string(by)))
	}
	return e, nil
}

// complete removes an accepted (wraps 0) or wrapping-up (wraps -1) item and
// frees its professional.
func (d *Dispatcher) complete(ctx context.Context, e *entry, t time.Time, wraps int) error {
	by := e.it.Professional
	p := d.holder(e)
	c := d.change() // a removal names the item only: apply sets c.Item.ID
	c.Remove, c.Professional, c.Slot, c.Load, c.WrapUps, c.IdleSince = true, by, e.route.slot, -1, wraps, t
	if wraps == 0 { // still accepted: the call it may hold ends now
		c.InCall = -heldCall(&e.it, e.route.slot)
	}
	defer d.unhold(d.hold(p))
	if err := d.apply(ctx, e, c, p, "complete", t, by); err != nil {
		return err
	}
	d.disarm(e)
	d.emit(EventCompleted, e, t, e.it.Step, by, "")
	return d.serve(ctx, p, t)
}

// Rescind withdraws a queued or offered item (the client left, or the
// errand was settled elsewhere); reason is recorded in the event. An
// accepted item cannot be rescinded (ErrWrongState): the professional
// finishes it.
func (d *Dispatcher) Rescind(ctx context.Context, id carecontact.ItemID, reason string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, err := d.lookup(ctx, id, now)
	if err != nil {
		return err
	}
	switch e.it.State {
	case ItemQueued:
		c := d.change()
		c.Remove = true
		if err := d.apply(ctx, e, c, nil, "rescind", now, ""); err != nil {
			return staleAsConflict(err, id)
		}
		d.disarm(e)
		d.emit(EventRescinded, e, now, e.it.Step, "", reason)
		return nil
	case ItemOffered:
		by := e.it.Professional
		p := d.holder(e)
		c := d.change()
		*c = Change{Remove: true, Professional: by, Slot: e.route.slot, Load: -1}
		defer d.unhold(d.hold(p))
		if err := d.apply(ctx, e, c, p, "rescind", now, ""); err != nil {
			return staleAsConflict(err, id)
		}
		d.disarm(e)
		d.emit(EventRescinded, e, now, e.it.Step, by, reason)
		return d.serve(ctx, p, now)
	}
	return fmt.Errorf("%w: item %s is %s; only a queued or offered item can be rescinded", ErrWrongState, id, e.it.State)
}

// SetPresence sets professional id's presence (away, available or busy)
// and, if they can now take work, offers it. Offers pending when a
// professional becomes away or busy are declined on their behalf (reason
// "professional is away") and offered to someone else at once; they may be
// offered to the professional again later (they never saw them).
func (d *Dispatcher) SetPresence(ctx context.Context, id carecontact.ProfessionalID, pr Presence) (ProfessionalState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return ProfessionalState{}, err
	}
	i, ok := d.dir.profIdx[id]
	if !ok {
		return ProfessionalState{}, fmt.Errorf("%w: %s", ErrUnknownProfessional, quoteID(string(id)))
	}
	var events []audit.Event
	if d.audit {
		events = []audit.Event{{At: now, Actor: audit.Actor{Kind: audit.ActorProfessional, ID: string(id)},
			Action: "routing.presence", Subject: "professional/" + string(id), Outcome: audit.Allowed,
			Detail: map[string]string{"presence": pr.String()}}}
	}
	st, err := d.store.SetPresence(ctx, id, pr, now, events)
	if err != nil {
		return ProfessionalState{}, fmt.Errorf("routing: presence of %s: %w", quoteID(string(id)), err)
	}
	p := d.profs[i]
	defer d.unhold(d.hold(p))
	d.update(p, st)
	if pr != PresenceAvailable {
		// Offers still pending go back to the queue at once rather than
		// waiting for their timeout.
		if err := d.declinePending(ctx, p, now, "professional is "+pr.String(), false); err != nil {
			return p.st, err
		}
	}
	d.lease(p, pr, now)
	err = d.serve(ctx, p, now)
	return p.st, err
}
