package routing

import (
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
	it = e.it
	it.Excluded = append([]carecontact.ProfessionalID(nil), it.Excluded...)
	return it, true
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
