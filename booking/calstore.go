package booking

import (
	"context"
	"fmt"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// StoredCalendar is a calendar as a CalendarStore keeps it: its rules
// (the rota), exceptions and closures, with the version of its last change.
type StoredCalendar struct {
	Calendar Calendar `json:"calendar"`
	// Version is 1 for a new calendar and grows by one with each change.
	Version int `json:"version"`
	// Updated is when the calendar was last changed, in UTC.
	Updated time.Time `json:"updated"`
}

// CalendarChange puts a calendar into a CalendarStore.
type CalendarChange struct {
	// Calendar is the calendar as it is to be stored; it must be valid
	// (Calendar.Validate).
	Calendar Calendar
	// Version is the stored version the change replaces, as the caller
	// read it: 0 for a new calendar.
	Version int
	// Now is the time of the change.
	Now time.Time
	// Events are recorded atomically with the change.
	Events []audit.Event
}

// CalendarStore keeps the calendars that a Booker reads at run time. Every
// change is one atomic operation with its audit events, and is refused
// when the stored version is not the one the caller read (optimistic
// concurrency), so two professionals editing one calendar at once get one
// success and one ErrConflict. Implementations are safe for concurrent
// use, and several values may share one backing state.
type CalendarStore interface {
	// PutCalendar stores ch.Calendar as version ch.Version+1. A new
	// calendar (ch.Version 0) whose ID is in use fails with ErrExists; a
	// change of a calendar that is not stored with ErrNotFound, and of
	// one whose stored version is not ch.Version with ErrConflict. It
	// returns the calendar as stored.
	PutCalendar(ctx context.Context, ch CalendarChange) (StoredCalendar, error)
	// Calendar returns the stored calendar with the given ID (ErrNotFound).
	Calendar(ctx context.Context, id CalendarID) (StoredCalendar, error)
	// Calendars returns every stored calendar by ID, and the calendars'
	// version (see CalendarsVersion) they were read at.
	Calendars(ctx context.Context) ([]StoredCalendar, uint64, error)
	// DeleteCalendar removes the calendar id if its stored version is
	// version (ErrNotFound, ErrConflict), with its audit events.
	DeleteCalendar(ctx context.Context, id CalendarID, version int, events []audit.Event) error
	// CalendarsVersion returns a number that grows by exactly one with
	// each calendar put or deleted (a refused change counts nothing), in
	// this store value or any that shares its state; it is 0 while no
	// calendar was ever stored. SeedCalendars relies on the exact count:
	// while it equals the number of stored calendars, each at version 1,
	// no calendar was ever changed or deleted.
	CalendarsVersion(ctx context.Context) (uint64, error)
}

// ValidateCalendarChange checks a calendar change's shape; stores call it
// before changing anything.
func ValidateCalendarChange(ch CalendarChange) error {
	if ch.Version < 0 {
		return carecontact.Invalid(ErrInvalid, "version", fmt.Sprintf("%d is negative", ch.Version))
	}
	if ch.Now.IsZero() {
		return carecontact.Invalid(ErrInvalid, "now", "is zero")
	}
	if err := ch.Calendar.Validate(); err != nil {
		return err
	}
	return carecontact.ValidateID(ErrInvalid, "calendar.id", string(ch.Calendar.ID))
}

// Clone returns a deep copy of c.
func (c Calendar) Clone() Calendar {
	c.Skills = cloneSlice(c.Skills)
	c.Rules = cloneSlice(c.Rules)
	for i := range c.Rules {
		c.Rules[i].Weekdays = cloneSlice(c.Rules[i].Weekdays)
		c.Rules[i].Breaks = cloneSlice(c.Rules[i].Breaks)
	}
	c.Exceptions = cloneSlice(c.Exceptions)
	for i := range c.Exceptions {
		if s := c.Exceptions[i].Span; s != nil {
			cp := *s
			c.Exceptions[i].Span = &cp
		}
	}
	if c.Closures != nil {
		cl := *c.Closures
		cl.Local = cloneSlice(cl.Local)
		for i := range cl.Local {
			if s := cl.Local[i].Span; s != nil {
				cp := *s
				cl.Local[i].Span = &cp
			}
		}
		c.Closures = &cl
	}
	return c
}

func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}
