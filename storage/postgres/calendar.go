package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
)

var _ booking.CalendarStore = (*BookingStore)(nil)

// calendarChange runs fn in a transaction that first raises the calendars'
// change count (taking its row lock, so calendar changes are serialised)
// and then reads the stored version of calendar id under a row lock;
// found is false when the calendar is not stored.
func (s *BookingStore) calendarChange(ctx context.Context, what string, id booking.CalendarID, fn func(ctx context.Context, tx pgx.Tx, version int, found bool) error) error {
	return s.db.inTx(ctx, what, func(ctx context.Context, tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "UPDATE booking_calendars_clock SET version = version + 1"); err != nil {
			return err
		}
		var version int
		err := tx.QueryRow(ctx, "SELECT version FROM booking_calendars WHERE id = $1 FOR UPDATE", id).Scan(&version)
		if errors.Is(err, pgx.ErrNoRows) {
			return fn(ctx, tx, 0, false)
		}
		if err != nil {
			return err
		}
		return fn(ctx, tx, version, true)
	})
}

// PutCalendar implements booking.CalendarStore.
func (s *BookingStore) PutCalendar(ctx context.Context, ch booking.CalendarChange) (booking.StoredCalendar, error) {
	if err := booking.ValidateCalendarChange(ch); err != nil {
		return booking.StoredCalendar{}, err
	}
	prepared, err := kit.PrepareEvents(ch.Events)
	if err != nil {
		return booking.StoredCalendar{}, err
	}
	c := ch.Calendar
	sc := booking.StoredCalendar{Calendar: c.Clone(), Version: ch.Version + 1, Updated: ch.Now.UTC().Truncate(time.Microsecond)}
	doc, err := json.Marshal(sc.Calendar)
	if err != nil {
		return booking.StoredCalendar{}, err
	}
	err = s.calendarChange(ctx, "postgres: put calendar", c.ID, func(ctx context.Context, tx pgx.Tx, version int, found bool) error {
		switch {
		case ch.Version == 0 && found:
			return fmt.Errorf("booking: calendar %s: %w", c.ID, booking.ErrExists)
		case ch.Version > 0 && !found:
			return fmt.Errorf("booking: calendar %s: %w", c.ID, booking.ErrNotFound)
		case found && version != ch.Version:
			return fmt.Errorf("booking: calendar %s version %d: %w", c.ID, version, booking.ErrConflict)
		}
		var err error
		if found {
			_, err = tx.Exec(ctx, "UPDATE booking_calendars SET area = $2, version = $3, updated = $4, doc = $5 WHERE id = $1",
				c.ID, c.Area, sc.Version, sc.Updated, doc)
		} else {
			_, err = tx.Exec(ctx, "INSERT INTO booking_calendars (id, area, version, updated, doc) VALUES ($1, $2, $3, $4, $5)",
				c.ID, c.Area, sc.Version, sc.Updated, doc)
		}
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return booking.StoredCalendar{}, err
	}
	return sc, nil
}

func scanCalendar(doc []byte, version int, updated time.Time) (booking.StoredCalendar, error) {
	var c booking.Calendar
	if err := json.Unmarshal(doc, &c); err != nil {
		return booking.StoredCalendar{}, fmt.Errorf("postgres: calendar document: %w", err)
	}
	return booking.StoredCalendar{Calendar: c, Version: version, Updated: updated.UTC()}, nil
}

// Calendar implements booking.CalendarStore.
func (s *BookingStore) Calendar(ctx context.Context, id booking.CalendarID) (booking.StoredCalendar, error) {
	var sc booking.StoredCalendar
	found := false
	err := s.db.do(ctx, "postgres: calendar", true, func(ctx context.Context) error {
		var doc []byte
		var version int
		var updated time.Time
		err := s.db.pool.QueryRow(ctx, "SELECT doc, version, updated FROM booking_calendars WHERE id = $1", id).Scan(&doc, &version, &updated)
		if errors.Is(err, pgx.ErrNoRows) {
			found = false
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		sc, err = scanCalendar(doc, version, updated)
		return err
	})
	if err != nil {
		return booking.StoredCalendar{}, err
	}
	if !found {
		return booking.StoredCalendar{}, fmt.Errorf("booking: calendar %s: %w", id, booking.ErrNotFound)
	}
	return sc, nil
}

// Calendars implements booking.CalendarStore. The calendars and the
// change count are read in one statement, so they agree.
func (s *BookingStore) Calendars(ctx context.Context) ([]booking.StoredCalendar, uint64, error) {
	var out []booking.StoredCalendar
	var at int64
	err := s.db.do(ctx, "postgres: calendars", true, func(ctx context.Context) error {
		out, at = nil, 0
		rows, err := s.db.pool.Query(ctx, `SELECT k.version, c.doc, coalesce(c.version, 0), coalesce(c.updated, 'epoch')
			FROM booking_calendars_clock k LEFT JOIN booking_calendars c ON true ORDER BY c.id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var doc []byte
			var version int
			var updated time.Time
			if err := rows.Scan(&at, &doc, &version, &updated); err != nil {
				return err
			}
			if doc == nil {
				continue
			}
			sc, err := scanCalendar(doc, version, updated)
			if err != nil {
				return err
			}
			out = append(out, sc)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, 0, err
	}
	return out, uint64(at), nil
}

// DeleteCalendar implements booking.CalendarStore.
func (s *BookingStore) DeleteCalendar(ctx context.Context, id booking.CalendarID, version int, events []audit.Event) error {
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	return s.calendarChange(ctx, "postgres: delete calendar", id, func(ctx context.Context, tx pgx.Tx, stored int, found bool) error {
		switch {
		case !found:
			return fmt.Errorf("booking: calendar %s: %w", id, booking.ErrNotFound)
		case stored != version:
			return fmt.Errorf("booking: calendar %s version %d: %w", id, stored, booking.ErrConflict)
		}
		if _, err := tx.Exec(ctx, "DELETE FROM booking_calendars WHERE id = $1", id); err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
}

// CalendarsVersion implements booking.CalendarStore.
func (s *BookingStore) CalendarsVersion(ctx context.Context) (uint64, error) {
	var at int64
	err := s.db.do(ctx, "postgres: calendars version", true, func(ctx context.Context) error {
		return s.db.pool.QueryRow(ctx, "SELECT version FROM booking_calendars_clock").Scan(&at)
	})
	return uint64(at), err
}
