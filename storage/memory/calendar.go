package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
)

// calendarState is the stored calendars of a BookingStore (under the
// booking state's lock).
type calendarState struct {
	cals map[booking.CalendarID]booking.StoredCalendar
	// version counts the calendar changes (written under the lock, read
	// without it).
	version atomic.Uint64
}

// PutCalendar implements booking.CalendarStore.
func (b *BookingStore) PutCalendar(ctx context.Context, ch booking.CalendarChange) (booking.StoredCalendar, error) {
	if err := ctx.Err(); err != nil {
		return booking.StoredCalendar{}, err
	}
	if err := booking.ValidateCalendarChange(ch); err != nil {
		return booking.StoredCalendar{}, err
	}
	prepared, err := kit.PrepareEvents(ch.Events)
	if err != nil {
		return booking.StoredCalendar{}, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	id := ch.Calendar.ID
	prev, ok := s.calendars.cals[id]
	switch {
	case ch.Version == 0 && ok:
		return booking.StoredCalendar{}, fmt.Errorf("booking: calendar %s: %w", id, booking.ErrExists)
	case ch.Version > 0 && !ok:
		return booking.StoredCalendar{}, fmt.Errorf("booking: calendar %s: %w", id, booking.ErrNotFound)
	case ok && prev.Version != ch.Version:
		return booking.StoredCalendar{}, fmt.Errorf("booking: calendar %s version %d: %w", id, prev.Version, booking.ErrConflict)
	}
	sc := booking.StoredCalendar{Calendar: ch.Calendar.Clone(), Version: ch.Version + 1, Updated: ch.Now.UTC()}
	if s.calendars.cals == nil {
		s.calendars.cals = map[booking.CalendarID]booking.StoredCalendar{}
	}
	s.calendars.cals[id] = sc
	s.calendars.version.Add(1)
	s.log.appendLocked(prepared)
	sc.Calendar = sc.Calendar.Clone()
	return sc, nil
}

// Calendar implements booking.CalendarStore.
func (b *BookingStore) Calendar(ctx context.Context, id booking.CalendarID) (booking.StoredCalendar, error) {
	if err := ctx.Err(); err != nil {
		return booking.StoredCalendar{}, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.calendars.cals[id]
	if !ok {
		return booking.StoredCalendar{}, fmt.Errorf("booking: calendar %s: %w", id, booking.ErrNotFound)
	}
	sc.Calendar = sc.Calendar.Clone()
	return sc, nil
}

// Calendars implements booking.CalendarStore.
func (b *BookingStore) Calendars(ctx context.Context) ([]booking.StoredCalendar, uint64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]booking.StoredCalendar, 0, len(s.calendars.cals))
	for _, sc := range s.calendars.cals {
		sc.Calendar = sc.Calendar.Clone()
		out = append(out, sc)
	}
	slices.SortFunc(out, func(x, y booking.StoredCalendar) int { return cmp.Compare(x.Calendar.ID, y.Calendar.ID) })
	return out, s.calendars.version.Load(), nil
}

// DeleteCalendar implements booking.CalendarStore.
func (b *BookingStore) DeleteCalendar(ctx context.Context, id booking.CalendarID, version int, events []audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, ok := s.calendars.cals[id]
	switch {
	case !ok:
		return fmt.Errorf("booking: calendar %s: %w", id, booking.ErrNotFound)
	case prev.Version != version:
		return fmt.Errorf("booking: calendar %s version %d: %w", id, prev.Version, booking.ErrConflict)
	}
	delete(s.calendars.cals, id)
	s.calendars.version.Add(1)
	s.log.appendLocked(prepared)
	return nil
}

// CalendarsVersion implements booking.CalendarStore.
func (b *BookingStore) CalendarsVersion(ctx context.Context) (uint64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return b.s.calendars.version.Load(), nil
}
