// Store sync: rebuilding the dispatcher's view from the store at start,
// writing every change through it, and reloading after a conflict.

package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/carecontact/carecontact"
)

// recover indexes the items found in the store.
func (d *Dispatcher) recover(ctx context.Context, now time.Time) error {
	items, err := d.store.Items(ctx)
	if err != nil {
		return fmt.Errorf("routing: load items: %w", err)
	}
	es := make([]*entry, 0, len(items))
	for _, it := range items {
		rt, err := d.routeFor(it.Contact)
		if err == nil && (it.Step < 0 || it.Step >= len(rt.pools) || rt.pools[it.Step] == nil) {
			err = fmt.Errorf("step %d no longer resolves", it.Step)
		}
		if err == nil && it.Professional != "" && d.profOf(it.Professional) == nil {
			err = fmt.Errorf("professional %s is no longer in the directory", it.Professional)
		}
		e := &entry{it: it, route: rt, qidx: -1, tidx: -1, rank: d.rank(it.EnqueuedAt, it.Contact.Priority)}
		if err != nil {
			if err := d.drop(ctx, e, now, ReasonNoCandidates, err.Error()); err != nil {
				return err
			}
			continue
		}
		es = append(es, e)
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].rank != es[j].rank {
			return es[i].rank < es[j].rank
		}
		return es[i].it.EnqueuedAt.Before(es[j].it.EnqueuedAt)
	})
	for _, e := range es {
		d.seq++
		e.seq = d.seq
		d.items[e.it.ID] = e
		d.counts[e.it.State]++
		switch e.it.State {
		case ItemQueued:
			d.stepPool(e).queue.push(qrefOf(e))
			d.armStep(e)
		case ItemOffered, ItemWrapUp:
			d.arm(e, e.it.Deadline)
		case ItemAccepted:
			// A professional away at recovery gets the whole grace from now:
			// when they went away is not stored.
			if p := d.profOf(e.it.Professional); p != nil && p.st.Presence == PresenceAway && d.grace >= 0 {
				d.arm(e, now.Add(d.grace))
			}
		}
		d.track(e, 0, "", false)
	}
	if err := d.advanceLocked(ctx, now); err != nil {
		return err
	}
	for _, p := range d.profs {
		if err := d.serve(ctx, p, now); err != nil {
			return err
		}
	}
	return nil
}

// drop removes a queued item that has no route any more.
func (d *Dispatcher) drop(ctx context.Context, e *entry, t time.Time, reason NoRouteReason, detail string) error {
	c := d.change()
	c.Remove = true
	if e.it.Professional != "" {
		// Recovery drops items that were offered or held: free the slot.
		c.Professional = e.it.Professional
		c.Slot, _ = SlotOf(e.it.Contact.Channel)
		c.Load = -1
		if e.it.State == ItemWrapUp {
			c.WrapUps = -1
		}
	}
	if err := d.apply(ctx, e, c, d.profOf(e.it.Professional), "drop", t, ""); err != nil {
		return ignoreStale(err)
	}
	d.disarm(e)
	if d.wants(EventNoRoute) {
		if detail != "" {
			detail = ": " + detail
		}
		d.emit(EventNoRoute, e, t, e.it.Step, "", string(reason)+detail)
	}
	return nil
}

// apply writes change c of item e (and of professional p, if not nil) and
// brings the dispatcher's view up to date. A conflict means another
// replica changed the item: it is reloaded and errStale returned.
func (d *Dispatcher) apply(ctx context.Context, e *entry, c *Change, p *prof, verb string, t time.Time, actor carecontact.ProfessionalID) error {
	c.Item.ID, c.Item.Ref = e.it.ID, e.it.Ref
	c.Expect = e.it.Version
	d.fenced(c)
	if c.Remove {
		c.Events = d.auditFor(verb, &e.it, t, actor)
	} else {
		c.Events = d.auditFor(verb, &c.Item, t, actor)
	}
	old, oldBy := e.it.State, e.it.Professional
	var out *Item
	if !c.Remove {
		out = &e.it // written only on success
	}
	var pst *ProfessionalState
	if p != nil {
		pst = &d.pst
	}
	if err := d.store.Apply(ctx, c, out, pst); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrItemNotFound) || d.lostLead(err) {
			if rerr := d.reload(ctx, e); rerr != nil {
				return rerr
			}
			return errStale
		}
		return fmt.Errorf("routing: %s %s: %w", verb, e.it.ID, err)
	}
	if c.Remove {
		d.forget(e)
	} else {
		d.counts[old]--
		d.counts[e.it.State]++
	}
	d.track(e, old, oldBy, c.Remove)
	if p != nil {
		d.update(p, d.pst)
	}
	return nil
}

// track keeps each professional's list of pending offers up to date after
// e changed from state old (offered to oldBy) or was removed.
func (d *Dispatcher) track(e *entry, old ItemState, oldBy carecontact.ProfessionalID, removed bool) {
	if old == ItemOffered && (removed || e.it.State != ItemOffered || e.it.Professional != oldBy) {
		if p := d.profHint(e.by, oldBy); p != nil {
			if i := slices.Index(p.offers, e); i >= 0 {
				p.offers = slices.Delete(p.offers, i, i+1)
			}
		}
	}
	if !removed && e.it.State == ItemOffered && (old != ItemOffered || e.it.Professional != oldBy) {
		if p := d.holder(e); p != nil {
			p.offers = append(p.offers, e)
		}
	}
}

// reload replaces the dispatcher's view of e with the store's after a
// conflicting change by someone else.
func (d *Dispatcher) reload(ctx context.Context, e *entry) error {
	it, err := d.store.Item(ctx, e.it.ID)
	if errors.Is(err, ErrItemNotFound) {
		d.forget(e)
		return nil
	}
	if err != nil {
		return err
	}
	d.replace(e, it)
	return nil
}

// replace replaces the dispatcher's view of e with it, the store's.
func (d *Dispatcher) replace(e *entry, it Item) {
	if e.qidx >= 0 {
		d.stepPool(e).queue.remove(e.qidx)
	}
	d.disarm(e)
	d.counts[e.it.State]--
	old, oldBy := e.it.State, e.it.Professional
	e.it = it
	d.counts[it.State]++
	d.track(e, old, oldBy, false)
	switch it.State {
	case ItemQueued:
		d.stepPool(e).queue.push(qrefOf(e))
		d.armStep(e)
	case ItemOffered, ItemWrapUp:
		d.arm(e, it.Deadline)
	}
}

// forget removes e from every index.
func (d *Dispatcher) forget(e *entry) {
	d.track(e, e.it.State, e.it.Professional, true)
	if e.qidx >= 0 {
		d.stepPool(e).queue.remove(e.qidx)
	}
	d.disarm(e)
	if d.recent != nil && d.recent.it.ID == e.it.ID {
		d.recent = nil
	}
	if cur, ok := d.items[e.it.ID]; ok {
		d.counts[e.it.State]--
		delete(d.items, e.it.ID)
		if cur == e && len(d.spare) < maxSpare {
			// The operation under way may still read e, but only Enqueue
			// reuses it, after every transition it started with is done.
			d.spare = append(d.spare, e)
		}
	}
}

// maxSpare bounds the entries kept for reuse.
const maxSpare = 256

// newEntry returns a spare entry of a removed item, or a new one; the
// caller overwrites it whole.
func (d *Dispatcher) newEntry() *entry {
	if n := len(d.spare); n > 0 {
		e := d.spare[n-1]
		d.spare[n-1] = nil
		d.spare = d.spare[:n-1]
		return e
	}
	return new(entry)
}
