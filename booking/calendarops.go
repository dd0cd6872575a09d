package booking

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Calendar returns the calendar id the Booker works with: the stored one,
// or, while the Store holds no calendar, the one of Config.Index as
// Version 0 (what PutCalendar then expects for it).
func (b *Booker) Calendar(ctx context.Context, id CalendarID) (StoredCalendar, error) {
	ver, err := b.cfg.Store.CalendarsVersion(ctx)
	if err != nil {
		return StoredCalendar{}, fmt.Errorf("booking: calendars version: %w", err)
	}
	if ver == 0 {
		c, ok := b.cfg.Index.set.Calendar(id)
		if !ok {
			return StoredCalendar{}, fmt.Errorf("booking: calendar %s: %w", id, ErrNotFound)
		}
		return StoredCalendar{Calendar: c.Clone()}, nil
	}
	return b.cfg.Store.Calendar(ctx, id)
}

// PutCalendar stores c, a new calendar (version 0) or a change of the
// stored calendar whose version the caller read (see Calendar), and
// records the change with its caller; the next search already sees it.
// The first change of a Booker whose Store holds no calendar stores
// every calendar of Config.Index first (SeedCalendars), but for c itself.
// Only the system and professionals who work in the calendar's area (the
// area it had, too, when the change moves it) may change it; a client's
// or another area's attempt is refused (ErrNotAllowed) and recorded.
// Stale versions fail with ErrConflict, a new calendar whose ID is in use
// with ErrExists.
func (b *Booker) PutCalendar(ctx context.Context, c Calendar, version int, by Requester) (StoredCalendar, error) {
	now := b.cfg.Clock.Now().UTC()
	if err := c.Validate(); err != nil {
		return StoredCalendar{}, err
	}
	if version < 0 {
		return StoredCalendar{}, carecontact.Invalid(ErrInvalid, "version", fmt.Sprintf("%d is negative", version))
	}
	if err := by.Actor.Validate(); err != nil {
		return StoredCalendar{}, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	subject := "calendar/" + string(c.ID)
	if err := b.mayChange(ctx, by, c.ID, c.Area); err != nil {
		return StoredCalendar{}, b.deny(ctx, now, by, "calendar.put", subject, "", err)
	}
	if err := b.seedFirst(ctx, by, c.ID); err != nil {
		return StoredCalendar{}, err
	}
	ev := calendarEvent(now, by, "calendar.put", c, version+1)
	sc, err := b.cfg.Store.PutCalendar(ctx, CalendarChange{Calendar: c, Version: version, Now: now, Events: []audit.Event{ev}})
	if err != nil {
		return StoredCalendar{}, fmt.Errorf("booking: put calendar: %w", err)
	}
	return sc, nil
}

// DeleteCalendar removes the calendar id at the version the caller read,
// under PutCalendar's rules, and records it with its caller. A calendar
// with appointments still to come (active, pending holds included, ending
// after now) is not deleted: the refusal wraps ErrCalendarInUse and is
// recorded, and the host first moves or cancels them (a deleted
// calendar's clients would get no reminders, see Reminders). The check
// and the deletion are two store operations: a booking another Booker
// claims between them, from a view that still has the calendar, stays
// on the deleted calendar.
func (b *Booker) DeleteCalendar(ctx context.Context, id CalendarID, version int, by Requester) error {
	now := b.cfg.Clock.Now().UTC()
	if err := by.Actor.Validate(); err != nil {
		return fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	subject := "calendar/" + string(id)
	cur, err := b.Calendar(ctx, id)
	if err != nil {
		return err
	}
	if err := b.mayChange(ctx, by, id, cur.Calendar.Area); err != nil {
		return b.deny(ctx, now, by, "calendar.delete", subject, "", err)
	}
	if n, err := b.comingOn(ctx, id, now); err != nil {
		return err
	} else if n > 0 {
		return b.deny(ctx, now, by, "calendar.delete", subject, "",
			fmt.Errorf("booking: delete calendar %s: %d appointments to come: %w", id, n, ErrCalendarInUse))
	}
	if version == 0 && cur.Version == 0 {
		// A configured calendar, never stored: store the configured
		// calendars (this one too, as version 1), then delete it, so the
		// Store's calendars (without it) are the ones the Booker uses.
		if err := b.seedFirst(ctx, by, ""); err != nil {
			return err
		}
		version = 1
	}
	ev := calendarEvent(now, by, "calendar.delete", cur.Calendar, version)
	if err := b.cfg.Store.DeleteCalendar(ctx, id, version, []audit.Event{ev}); err != nil {
		return fmt.Errorf("booking: delete calendar: %w", err)
	}
	return nil
}

// comingOn counts the active appointments claiming time of id that end
// after now.
func (b *Booker) comingOn(ctx context.Context, id CalendarID, now time.Time) (int, error) {
	apps, err := b.claimedIn(ctx, []CalendarID{id}, Interval{now, now.AddDate(100, 0, 0)}, now, nil)
	if err != nil {
		return 0, fmt.Errorf("booking: delete calendar: %w", err)
	}
	n := 0
	for _, a := range apps {
		if a.Status.Active() && a.End.After(now) {
			n++
		}
	}
	return n, nil
}

// claimedIn returns the appointments whose claims on owners overlap iv, each
// once, in the order of their first claim; seen (nil for none) holds the
// IDs already returned by an earlier call and is updated.
func (b *Booker) claimedIn(ctx context.Context, owners []CalendarID, iv Interval, now time.Time, seen map[string]bool) ([]Appointment, error) {
	claims, err := b.cfg.Store.Busy(ctx, owners, iv, now)
	if err != nil {
		return nil, err
	}
	if seen == nil {
		seen = map[string]bool{}
	}
	var out []Appointment
	for _, cl := range claims {
		if seen[cl.Appointment] {
			continue
		}
		seen[cl.Appointment] = true
		a, err := b.cfg.Store.Appointment(ctx, cl.Appointment)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AddAbsence adds an absence (leave, training, sickness; a day, a span of
// each day or a range of days) to owner's calendar at the version the
// caller read, under PutCalendar's rules, and returns the calendar as
// stored. Affected tells beforehand which appointments it falls on;
// PlanAbsence does both and finds each client a new time.
func (b *Booker) AddAbsence(ctx context.Context, owner CalendarID, version int, absence Exception, by Requester) (StoredCalendar, error) {
	if absence.Kind != Absence {
		return StoredCalendar{}, carecontact.Invalid(ErrInvalid, "absence.kind", fmt.Sprintf("%q: want absence", absence.Kind))
	}
	cur, err := b.Calendar(ctx, owner)
	if err != nil {
		return StoredCalendar{}, err
	}
	if cur.Version != version {
		return StoredCalendar{}, fmt.Errorf("booking: calendar %s version %d: %w", owner, cur.Version, ErrConflict)
	}
	c := cur.Calendar
	c.Exceptions = append(c.Exceptions, absence)
	if err := c.Validate(); err != nil {
		return StoredCalendar{}, err
	}
	return b.PutCalendar(ctx, c, version, by)
}

// SeedCalendars stores every calendar of Config.Index that the Store does
// not hold yet, each recorded with its caller (the system, at a host's
// start), and returns how many it stored, as long as the Store's calendars
// are still a seed: no calendar was ever changed or deleted (the Store's
// CalendarsVersion equals the number of calendars it holds, each at
// version 1). So a seed stopped part-way is completed by the next call
// (each calendar is its own store operation), while a calendar deleted
// after the seed is never brought back; once a calendar was changed or
// deleted it stores nothing (a configured calendar added later is then
// put with PutCalendar). Replicas may seed at once: a calendar another
// stored first is left as it is. A deletion made while a seed is under
// way may still be undone by that seed.
func (b *Booker) SeedCalendars(ctx context.Context, by Requester) (int, error) {
	if err := by.Actor.Validate(); err != nil {
		return 0, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	if by.Actor.Kind != audit.ActorSystem {
		now := b.cfg.Clock.Now().UTC()
		return 0, b.deny(ctx, now, by, "calendar.seed", "calendars/seed", "", fmt.Errorf("booking: seed calendars: %w", ErrNotAllowed))
	}
	ver, err := b.cfg.Store.CalendarsVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("booking: calendars version: %w", err)
	}
	if ver != 0 {
		stored, at, err := b.cfg.Store.Calendars(ctx)
		if err != nil {
			return 0, fmt.Errorf("booking: calendars: %w", err)
		}
		if at != uint64(len(stored)) {
			return 0, nil // a calendar was deleted or changed: no longer a seed
		}
		for _, s := range stored {
			if s.Version != 1 {
				return 0, nil
			}
		}
	}
	return b.seed1(ctx, by, "")
}

// seedFirst seeds the Store (but for calendar skip) if it never held a
// calendar.
func (b *Booker) seedFirst(ctx context.Context, by Requester, skip CalendarID) error {
	ver, err := b.cfg.Store.CalendarsVersion(ctx)
	if err != nil {
		return fmt.Errorf("booking: calendars version: %w", err)
	}
	if ver != 0 {
		return nil
	}
	_, err = b.seed1(ctx, by, skip)
	return err
}

func (b *Booker) seed1(ctx context.Context, by Requester, skip CalendarID) (int, error) {
	n := 0
	for _, c := range b.cfg.Index.set.cals {
		if c.ID == skip {
			continue
		}
		now := b.cfg.Clock.Now().UTC()
		ev := calendarEvent(now, by, "calendar.seed", *c, 1)
		_, err := b.cfg.Store.PutCalendar(ctx, CalendarChange{Calendar: c.Clone(), Now: now, Events: []audit.Event{ev}})
		switch {
		case err == nil:
			n++
		case errors.Is(err, ErrExists):
		default:
			return n, fmt.Errorf("booking: seed calendars: %w", err)
		}
	}
	return n, nil
}

// mayChange is nil when by may change calendar id of area (and of the
// area the stored calendar has, if another).
func (b *Booker) mayChange(ctx context.Context, by Requester, id CalendarID, area carecontact.AreaID) error {
	if by.self() {
		return fmt.Errorf("booking: calendar %s: a client may not change calendars: %w", id, ErrNotAllowed)
	}
	if err := b.actsFor(ctx, by, "", area, "calendar "+string(id)); err != nil {
		return err
	}
	cur, err := b.Calendar(ctx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err != nil:
		return err
	case cur.Calendar.Area != area:
		return b.actsFor(ctx, by, "", cur.Calendar.Area, "calendar "+string(id))
	}
	return nil
}

// calendarEvent is the audit event of a change of calendar c to version
// (the calendar's own facts only: no client, no personal data).
func calendarEvent(now time.Time, by Requester, action string, c Calendar, version int) audit.Event {
	return audit.Event{At: now, Actor: by.Actor, Action: action, Subject: "calendar/" + string(c.ID), Outcome: audit.Allowed,
		Detail: map[string]string{"area": string(c.Area), "version": strconv.Itoa(version), "rules": strconv.Itoa(len(c.Rules)),
			"exceptions": strconv.Itoa(len(c.Exceptions))}}
}
