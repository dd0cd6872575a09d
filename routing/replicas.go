// Replicas: a dispatcher sharing its store with other replicas'
// dispatchers reads each item from the store before it acts on it, and
// refreshes the professionals and items from the store as time passes.

package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
)

// DefaultRefreshEvery is how often a replicated dispatcher's Advance
// re-reads the store unless DispatcherConfig.RefreshEvery says otherwise.
const DefaultRefreshEvery = 2 * time.Second

// lookup returns the dispatcher's entry of item id. A replicated
// dispatcher first reads the item from the store: one another replica
// enqueued is indexed here, one it changed is brought up to date, one it
// removed is forgotten. Without the item it fails with ErrItemNotFound.
func (d *Dispatcher) lookup(ctx context.Context, id carecontact.ItemID, now time.Time) (*entry, error) {
	var e *entry
	var ok bool
	if r := d.recent; r != nil && r.it.ID == id {
		e, ok = r, true
	} else {
		e, ok = d.items[id]
	}
	if !d.replicated {
		if !ok {
			return nil, fmt.Errorf("%w: %s", ErrItemNotFound, quoteID(string(id)))
		}
		return e, nil
	}
	it, err := d.store.Item(ctx, id)
	switch {
	case errors.Is(err, ErrItemNotFound):
		if ok {
			d.forget(e)
		}
		return nil, fmt.Errorf("%w: %s", ErrItemNotFound, quoteID(string(id)))
	case err != nil:
		return nil, fmt.Errorf("routing: read %s: %w", quoteID(string(id)), err)
	case !ok:
		e, err = d.adopt(ctx, it, now)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, fmt.Errorf("%w: %s does not route in this replica's directory", ErrItemNotFound, quoteID(string(id)))
		}
	case it.Version != e.it.Version:
		was := e.it.Professional
		d.replace(e, it)
		// The professional it was with and the one it is with now: their
		// loads changed with it.
		if err := d.refreshProfessional(ctx, was); err != nil {
			return nil, err
		}
		if it.Professional != was {
			if err := d.refreshProfessional(ctx, it.Professional); err != nil {
				return nil, err
			}
		}
	default:
		return e, nil
	}
	// The store's item may carry a deadline already past (an offer that
	// timed out while another replica held it): it is handled first.
	if err := d.advanceLocked(ctx, now); err != nil {
		return nil, err
	}
	if e, ok = d.items[id]; !ok {
		return nil, fmt.Errorf("%w: %s", ErrItemNotFound, quoteID(string(id)))
	}
	return e, nil
}

// adopt indexes an item another replica stored, as recovery does, and
// reads the state of the professional it is with. An item whose route
// does not resolve in this dispatcher's directory is left alone: it
// returns nil.
func (d *Dispatcher) adopt(ctx context.Context, it Item, now time.Time) (*entry, error) {
	rt, err := d.routeFor(it.Contact)
	if err != nil || rt.noRoute != nil || it.Step < 0 || it.Step >= len(rt.pools) || rt.pools[it.Step] == nil ||
		(it.Professional != "" && d.profOf(it.Professional) == nil) {
		return nil, nil
	}
	e := d.newEntry()
	*e = entry{it: it, route: rt, qidx: -1, tidx: -1, rank: d.rank(it.EnqueuedAt, it.Contact.Priority)}
	d.seq++
	e.seq = d.seq
	d.items[it.ID] = e
	d.counts[it.State]++
	switch it.State {
	case ItemQueued:
		d.stepPool(e).queue.push(qrefOf(e))
		d.armStep(e)
	case ItemOffered, ItemWrapUp:
		// A deadline that passed before this replica knew the item (its
		// replica stopped, say) is handled now, not at its old time: an
		// offer made again then gets a deadline from now, never one in
		// the past.
		d.arm(e, maxTime(it.Deadline, now))
	}
	d.track(e, 0, "", false)
	if err := d.refreshProfessional(ctx, it.Professional); err != nil {
		return nil, err
	}
	return e, nil
}

// refreshProfessional reads professional id's state from the store, if id
// is one of the directory's.
func (d *Dispatcher) refreshProfessional(ctx context.Context, id carecontact.ProfessionalID) error {
	p := d.profOf(id)
	if p == nil {
		return nil
	}
	st, err := d.store.Professional(ctx, id)
	if err != nil {
		return fmt.Errorf("routing: read %s: %w", quoteID(string(id)), err)
	}
	if st.Version != p.st.Version {
		d.update(p, st)
	}
	return nil
}

// Refresh brings the dispatcher's view up to the store's: the state of
// every professional (signed in, away or loaded through another replica)
// and every item (enqueued, changed or removed by another replica), then
// makes the offers that are now possible. A replicated dispatcher
// (DispatcherConfig.Replicated) refreshes in Advance every RefreshEvery;
// any dispatcher may be refreshed by its host at any time.
func (d *Dispatcher) Refresh(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.refreshLocked(ctx, d.clock.Now().UTC())
}

func (d *Dispatcher) refreshLocked(ctx context.Context, now time.Time) error {
	d.refreshedAt = now
	for _, p := range d.profs {
		if err := d.refreshProfessional(ctx, p.id); err != nil {
			return err
		}
	}
	items, err := d.store.Items(ctx)
	if err != nil {
		return fmt.Errorf("routing: load items: %w", err)
	}
	seen := make(map[carecontact.ItemID]bool, len(items))
	for _, it := range items {
		seen[it.ID] = true
		e, ok := d.items[it.ID]
		switch {
		case !ok:
			if _, err := d.adopt(ctx, it, now); err != nil {
				return err
			}
		case e.it.Version != it.Version:
			d.replace(e, it)
		}
	}
	for id, e := range d.items {
		if !seen[id] {
			d.forget(e)
		}
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

// refreshDue reports when a replicated dispatcher refreshes next.
func (d *Dispatcher) refreshDue() (time.Time, bool) {
	if !d.replicated {
		return time.Time{}, false
	}
	return d.refreshedAt.Add(d.refreshEvery), true
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
