package booking

import (
	"context"
	"fmt"
)

// calView is the calendars a Booker works with at one calendars version:
// their index and the candidate calendars of each catalogued service,
// whose caches of busy time live as long as the view.
type calView struct {
	ix    *Index
	cands map[svcKey]*candList
	// version is the Store's CalendarsVersion the view was built at; 0
	// for the seed (Config.Index).
	version uint64
}

// newView makes the view of ix's calendars at version.
func (b *Booker) newView(ix *Index, version uint64) *calView {
	v := &calView{ix: ix, cands: map[svcKey]*candList{}, version: version}
	for _, c := range b.cfg.Catalogues {
		for _, svc := range c.services {
			cl := newCandList(ix.set, &svc)
			cl.shared = true
			v.cands[svcKey{svc.Area, svc.Code}] = cl
		}
	}
	return v
}

// view returns the calendars to work with now: those of Config.Index
// while the Store has never held a calendar, else the Store's, indexed
// again (and every cache of the search dropped) whenever a calendar was
// put or deleted since the last view was built. It starts no goroutine;
// concurrent callers that find the view out of date each build one and
// the newest is kept.
func (b *Booker) view(ctx context.Context) (*calView, error) {
	ver, err := b.cfg.Store.CalendarsVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("booking: calendars version: %w", err)
	}
	if ver == 0 {
		return b.seed, nil
	}
	cur := b.cur.Load()
	if cur != nil && cur.version >= ver {
		return cur, nil
	}
	stored, at, err := b.cfg.Store.Calendars(ctx)
	if err != nil {
		return nil, fmt.Errorf("booking: calendars: %w", err)
	}
	cals := make([]Calendar, len(stored))
	for i, s := range stored {
		cals[i] = s.Calendar
	}
	set, err := NewCalendarSet(cals)
	if err != nil {
		return nil, fmt.Errorf("booking: stored calendars: %w", err)
	}
	seed := b.cfg.Index
	ix, err := NewIndex(set, seed.from, seed.from.DaysUntil(seed.to))
	if err != nil {
		return nil, fmt.Errorf("booking: stored calendars: %w", err)
	}
	v := b.newView(ix, at)
	for {
		cur = b.cur.Load()
		if cur != nil && cur.version >= v.version {
			return cur, nil
		}
		if b.cur.CompareAndSwap(cur, v) {
			return v, nil
		}
	}
}
