package routing

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
)

// WaitFunc blocks until it is time to advance again: until next (when ok),
// until wake receives (an earlier deadline appeared), or until ctx is done,
// in which case it returns ctx.Err(). A simulation's WaitFunc moves its
// virtual clock to next and returns at once.
type WaitFunc func(ctx context.Context, next time.Time, ok bool, wake <-chan struct{}) error

// Run drives the dispatcher for a host: it advances to the clock's time,
// waits with wait for the next deadline, and repeats until wait or Advance
// returns an error (ctx.Err() when the host cancels ctx). A nil wait uses
// SleepUntil with the dispatcher's clock. The caller starts Run explicitly,
// in a goroutine of its own if it wants one.
func (d *Dispatcher) Run(ctx context.Context, wait WaitFunc) error {
	if wait == nil {
		wait = SleepUntil(d.clock.Now)
	}
	for {
		if err := d.Advance(ctx, d.clock.Now()); err != nil {
			return err
		}
		next, ok := d.NextDeadline()
		if err := wait(ctx, next, ok, d.wake); err != nil {
			return err
		}
	}
}

// SleepUntil returns the WaitFunc a host uses with a real clock: it sleeps
// in a timer until next as told by now, or until woken or cancelled.
func SleepUntil(now func() time.Time) WaitFunc {
	return func(ctx context.Context, next time.Time, ok bool, wake <-chan struct{}) error {
		var fire <-chan time.Time
		if ok {
			t := time.NewTimer(next.Sub(now()))
			defer t.Stop()
			fire = t.C
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-wake:
			return nil
		case <-fire:
			return nil
		}
	}
}

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
