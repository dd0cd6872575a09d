// Offering: matching queued items with idle professionals, and keeping
// professionals in the idle heaps of their pools.

package routing

import (
	"context"
	"errors"
	"time"
)

// tryOffer offers a queued item to the best idle member of its step's pool
// who has not declined it.
func (d *Dispatcher) tryOffer(ctx context.Context, e *entry, t time.Time) error {
	if !d.leads() {
		return nil
	}
	defer d.decide()()
	for range 4 {
		if e.it.State != ItemQueued || !d.leads() {
			return nil
		}
		pl := d.stepPool(e)
		// A member being served (held) may still sit in the idle heap
		// without the capacity its entry promises: skip them.
		i := pl.idle.best(func(r mref) bool { return !e.excludes(r.m.p.id) && r.m.p.st.CanTake(pl.slot) })
		if i < 0 {
			return nil
		}
		err := d.offer(ctx, e, pl.idle.a[i].m.p, t)
		if err != errRetry && err != errStale {
			return err
		}
	}
	return nil
}

// serve offers professional p the best queued items of their pools while
// they have free capacity.
func (d *Dispatcher) serve(ctx context.Context, p *prof, t time.Time) error {
	if !d.leads() {
		return nil
	}
	defer d.decide()()
	for s := range numSlots {
		for tries := 0; tries < 64 && p.st.CanTake(s) && d.leads(); tries++ {
			var best qref
			for _, pl := range p.pools[s] {
				q := &pl.queue
				i := q.best(func(r qref) bool { return !r.excludes(p.id) })
				if i >= 0 && (best.e == nil || qrefLess(q.a[i], best)) {
					best = q.a[i]
				}
			}
			if best.e == nil {
				break
			}
			err := d.offer(ctx, best.e, p, t)
			if err != nil && err != errRetry && err != errStale {
				return err
			}
		}
	}
	return nil
}

// offer offers queued item e to p in one conditional store operation. A
// refused condition refreshes the dispatcher's view (another replica
// changed the item or the professional) and returns errRetry or errStale.
func (d *Dispatcher) offer(ctx context.Context, e *entry, p *prof, t time.Time) error {
	e.by = p // a hint only: holder checks it against the item
	c := d.change()
	c.Item = e.it
	c.Professional, c.Slot, c.Load = p.id, e.route.slot, 1
	c.Item.State = ItemOffered
	c.Item.Professional = p.id
	c.Item.Deadline = t.Add(d.offerTimeout)
	err := d.apply(ctx, e, c, p, "offer", t, "")
	switch {
	case err == nil:
	case errors.Is(err, ErrNoCapacity):
		st, gerr := d.store.Professional(ctx, p.id)
		if gerr != nil {
			return gerr
		}
		d.update(p, st)
		return errRetry
	default:
		return err
	}
	if e.qidx >= 0 {
		d.stepPool(e).queue.remove(e.qidx)
	}
	d.arm(e, e.it.Deadline)
	d.recent = e // queued, so indexed in items until forget
	d.emit(EventOffered, e, t, e.it.Step, p.id, "")
	return nil
}

// update replaces the view of p's state and re-indexes p in the pools whose
// order or eligibility changed.
func (d *Dispatcher) update(p *prof, st ProfessionalState) {
	old := p.st
	p.st = st
	if (old.Presence == PresenceAway) != (st.Presence == PresenceAway) {
		delta := 1
		if st.Presence == PresenceAway {
			delta = -1
		}
		for s := range numSlots {
			for _, m := range p.mem[s] {
				m.pool.signedIn += delta
			}
		}
	}
	if p == d.serving {
		return // settled when the hold ends
	}
	for s := range numSlots {
		if old.CanTake(s) == st.CanTake(s) && old.Load.Of(s) == st.Load.Of(s) && old.IdleSince.Equal(st.IdleSince) {
			continue
		}
		d.reindex(p, s)
	}
}

// hold defers p's idle-heap updates while p is freed and served; unhold of
// what it returns ends the hold and settles p in the heaps. Holds nest: an
// inner hold returns nil, and unhold(nil) is a no-op.
func (d *Dispatcher) hold(p *prof) *prof {
	if d.serving != nil {
		return nil
	}
	d.serving = p
	return p
}

// unhold ends the hold hold returned (p), if any.
func (d *Dispatcher) unhold(p *prof) {
	if p == nil {
		return
	}
	d.serving = nil
	for s := range numSlots {
		d.reindex(p, s)
	}
}

// reindex puts p in or out of (or re-orders p in) the idle heaps of the
// pools of slot class s, as p's state says.
func (d *Dispatcher) reindex(p *prof, s Slot) {
	can := p.st.CanTake(s)
	if !can && p.idle[s] == 0 {
		return // out of every idle heap of s already
	}
	for _, m := range p.mem[s] {
		switch {
		case can && m.hidx < 0:
			m.pool.idle.push(mrefOf(m))
			p.idle[s]++
		case can:
			m.pool.idle.a[m.hidx] = mrefOf(m)
			m.pool.idle.fix(m.hidx)
		case m.hidx >= 0:
			m.pool.idle.remove(m.hidx)
			p.idle[s]--
		}
	}
}
