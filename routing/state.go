package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
)

// Item returns the dispatcher's view of item id; ok is false when it is not
// queued, offered, accepted or in wrap-up.
func (d *Dispatcher) Item(id carecontact.ItemID) (it Item, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.items[id]
	if !ok {
		return Item{}, false
	}
	return cloneItem(e.it), true
}

// Professional returns the dispatcher's view of professional id's state.
func (d *Dispatcher) Professional(id carecontact.ProfessionalID) (ProfessionalState, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.profOf(id)
	if p == nil {
		return ProfessionalState{}, false
	}
	return p.st, true
}

// Stats counts the dispatcher's items by state.
type Stats struct {
	Queued, Offered, Accepted, WrapUp int
}

// Stats returns the number of items in each state.
func (d *Dispatcher) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Stats{Queued: d.counts[ItemQueued], Offered: d.counts[ItemOffered],
		Accepted: d.counts[ItemAccepted], WrapUp: d.counts[ItemWrapUp]}
}

// Wait is where a queued item stands and how long it may still wait.
type Wait struct {
	// Position is the item's place in the queue of its current step: 1 is
	// offered next. It is 0 for an item already offered or accepted.
	Position int
	// Serving is the number of contacts the professionals signed in for
	// the step can handle at once: the sum of their capacity in the item's
	// slot class.
	Serving int
	// Estimate is Position × MeanHandling ÷ Serving: a fluid estimate that
	// assumes each of the Serving slots frees on average once per mean
	// handling time. It is zero for an offered or accepted item.
	Estimate time.Duration
	// MeanHandling is the dispatcher's mean handling time (accept to
	// finish) of the item's slot class: an exponentially weighted mean
	// (weight 1/10 per finished contact) seeded with
	// DispatcherConfig.Handling.
	MeanHandling time.Duration
	// Known is false when nobody who can take the item is signed in: the
	// wait then depends on when someone signs in.
	Known bool
}

// Wait returns the place in the queue and the estimated wait of item id,
// or ErrItemNotFound.
func (d *Dispatcher) Wait(id carecontact.ItemID) (Wait, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e, ok := d.items[id]
	if !ok {
		return Wait{}, fmt.Errorf("%w: %s", ErrItemNotFound, quoteID(string(id)))
	}
	pl := d.stepPool(e)
	w := Wait{MeanHandling: d.handled[pl.slot]}
	if e.it.State != ItemQueued {
		w.Known = true
		return w, nil
	}
	w.Position = 1
	for _, r := range pl.queue.a {
		if o := r.e; o != e && queueLess(o, e) {
			w.Position++
		}
	}
	for _, p := range d.profs {
		if p.st.Presence == PresenceAway {
			continue
		}
		for _, m := range p.mem[pl.slot] {
			if m.pool == pl {
				w.Serving += p.st.Capacity.Of(pl.slot)
				break
			}
		}
	}
	if w.Serving > 0 {
		w.Known = true
		w.Estimate = time.Duration(int64(w.MeanHandling) * int64(w.Position) / int64(w.Serving))
	}
	return w, nil
}

// Assigned returns the items that concern professional id, oldest first:
// offered to them, accepted by them, in wrap-up with them, or with them as
// a guest. A desk view lists these.
func (d *Dispatcher) Assigned(id carecontact.ProfessionalID) []Item {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []Item
	for _, e := range d.items {
		if e.it.Professional == id || slices.Contains(e.it.Guests, id) {
			out = append(out, cloneItem(e.it))
		}
	}
	slices.SortFunc(out, func(a, b Item) int {
		if c := a.EnqueuedAt.Compare(b.EnqueuedAt); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out
}

func cloneItem(it Item) Item {
	it.Excluded = slices.Clone(it.Excluded)
	it.Guests = slices.Clone(it.Guests)
	return it
}

// Waiting returns the queued items professional id could be offered: the
// queues of every step they are a candidate for, in the order they will be
// offered (priority head start, then enqueue time). A desk lists these as
// what waits for the professional; they may be offered to a colleague
// first.
func (d *Dispatcher) Waiting(id carecontact.ProfessionalID) []Item {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.profOf(id)
	if p == nil {
		return nil
	}
	seen := map[*entry]bool{}
	var es []*entry
	for sl := range numSlots {
		for _, m := range p.mem[sl] {
			for _, r := range m.pool.queue.a {
				if e := r.e; !seen[e] && !slices.Contains(e.it.Excluded, id) {
					seen[e] = true
					es = append(es, e)
				}
			}
		}
	}
	slices.SortFunc(es, func(a, b *entry) int {
		switch {
		case queueLess(a, b):
			return -1
		case queueLess(b, a):
			return 1
		}
		return 0
	})
	out := make([]Item, len(es))
	for i, e := range es {
		out[i] = cloneItem(e.it)
	}
	return out
}
