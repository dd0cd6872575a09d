// Timers: the two deadline heaps, the driver contract (Advance and
// NextDeadline) and the transitions that deadlines make due.

package routing

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
)

// Advance implements carecontact.Driven. It makes every time-driven
// transition due at or before the clock's now, in
// deadline order and each at its own deadline: offers time out and are
// re-offered, steps time out and widen, wrap-ups end and free their
// professionals. Every other operation does the same for the clock's time
// first, so Advance is only needed when time passes without other calls.
// A replicated dispatcher's Advance also refreshes its view from the store
// once RefreshEvery has passed (Refresh).
func (d *Dispatcher) Advance(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	now := d.clock.Now().UTC()
	if took, err := d.checkLead(ctx, now); err != nil || took {
		return err
	}
	if at, ok := d.refreshDue(); ok && !at.After(now) {
		return d.refreshLocked(ctx, now)
	}
	return d.advanceLocked(ctx, now)
}

// NextDeadline implements carecontact.Driven: it returns the earliest
// pending deadline (offer timeout, step timeout or wrap-up end, and a
// replicated dispatcher's next refresh); ok is false when there is none.
// It reads no store, so err is always nil.
func (d *Dispatcher) NextDeadline(context.Context) (t time.Time, ok bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok = d.refreshDue()
	if d.leader != nil {
		if _, l := d.leader.Leading(); l != d.leading {
			// Leadership changed since the last check: act on it now.
			return time.Time{}, true, nil
		}
		if !d.leading {
			return t, ok, nil
		}
	}
	if e := d.nextTimer(); e != nil && (!ok || e.deadline.Before(t)) {
		t, ok = e.deadline, true
	}
	d.seenNext, d.seenOK = t, ok
	return t, ok, nil
}

// Wake implements carecontact.Waker: it receives when an operation made a
// deadline earlier than the one last returned by NextDeadline.
func (d *Dispatcher) Wake() <-chan struct{} { return d.wake }

var _ interface {
	carecontact.Driven
	carecontact.Waker
} = (*Dispatcher)(nil)

// nextTimer returns the item with the earliest deadline, or nil.
func (d *Dispatcher) nextTimer() *entry {
	var e *entry
	if d.stepTimers.len() > 0 {
		e = d.stepTimers.a[0].e
	}
	if d.holdTimers.len() > 0 && (e == nil || timerLess(d.holdTimers.a[0].e, e)) {
		e = d.holdTimers.a[0].e
	}
	return e
}

// begin checks ctx, reads the clock and makes the transitions it has made
// due.
func (d *Dispatcher) begin(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	now := d.clock.Now().UTC()
	if _, err := d.checkLead(ctx, now); err != nil {
		return now, err
	}
	return now, d.advanceLocked(ctx, now)
}

// advanceLocked makes the transitions due at or before now, unless another
// replica leads.
func (d *Dispatcher) advanceLocked(ctx context.Context, now time.Time) error {
	if !d.leads() {
		return nil
	}
	defer d.decide()()
	for d.leads() {
		e := d.nextTimer()
		if e == nil || e.deadline.After(now) {
			return nil
		}
		t := d.decisionAt(e.deadline)
		d.disarm(e)
		var err error
		switch e.it.State {
		case ItemQueued:
			err = d.widen(ctx, e, t)
		case ItemOffered:
			err = ignoreStale(d.release(ctx, e, t, EventTimedOut, "", true))
		case ItemWrapUp:
			err = ignoreStale(d.complete(ctx, e, t, -1))
		case ItemAccepted:
			err = ignoreStale(d.reclaim(ctx, e, t))
		}
		if err != nil {
			if _, live := d.items[e.it.ID]; live && e.tidx < 0 {
				d.arm(e, t) // try again on the next call
			}
			return err
		}
	}
	return nil
}

// widen moves a queued item whose step has timed out to the next usable
// step. With none, an item on a step that can still become usable later
// waits one more timeout of its step, and so does an item that holds
// (Contact.Hold); any other item past its last step is dropped with
// ReasonExhausted.
func (d *Dispatcher) widen(ctx context.Context, e *entry, t time.Time) error {
	next := d.nextUsable(e, e.it.Step+1, t)
	if next < 0 {
		later := e.it.Contact.Hold
		for i := e.it.Step + 1; i < len(e.route.pools) && !later; i++ {
			later = e.route.pools[i] != nil
		}
		if later {
			d.arm(e, t.Add(e.route.pol.Steps[e.it.Step].Timeout))
			return nil
		}
		return d.drop(ctx, e, t, ReasonExhausted, "")
	}
	it := e.it
	it.Step = next
	it.StepAt = t
	from := d.stepPool(e)
	c := d.change()
	c.Item = it
	if err := d.apply(ctx, e, c, nil, "widen", t, ""); err != nil {
		if err != errStale && e.tidx < 0 {
			d.arm(e, t) // try again on the next call
		}
		return ignoreStale(err)
	}
	from.queue.remove(e.qidx)
	d.emit(EventWidened, e, t, next, "", "")
	d.stepPool(e).queue.push(qrefOf(e))
	d.armStep(e)
	return d.tryOffer(ctx, e, t)
}

// armStep sets a queued item's deadline to the end of its step, if the step
// has a timeout.
func (d *Dispatcher) armStep(e *entry) {
	if to := e.route.pol.Steps[e.it.Step].Timeout; to > 0 {
		d.arm(e, e.it.StepAt.Add(to))
	} else {
		d.disarm(e)
	}
}

// arm sets e's deadline to t, in the heap for its state.
func (d *Dispatcher) arm(e *entry, t time.Time) {
	h := &d.holdTimers
	if e.it.State == ItemQueued {
		h = &d.stepTimers
	}
	if e.tidx >= 0 && e.timers != h {
		d.disarm(e)
	}
	e.deadline = t
	e.timers = h
	if e.tidx >= 0 {
		h.a[e.tidx] = trefOf(e)
		h.fix(e.tidx)
	} else {
		h.push(trefOf(e))
	}
	// Wake only for a deadline earlier than the one NextDeadline returned
	// last: a later one is handled when that one is. With a Leader every
	// new first deadline wakes, so a follower's driver also checks soon
	// whether the lead changed.
	if e.tidx == 0 && (d.leader != nil || !d.seenOK || t.Before(d.seenNext)) {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *Dispatcher) disarm(e *entry) {
	if e.tidx >= 0 {
		e.timers.remove(e.tidx)
	}
}
