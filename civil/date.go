package civil

import (
	"fmt"
	"time"
)

// MinYear and MaxYear bound the years a valid Date may have.
const (
	MinYear = 1
	MaxYear = 9999
)

// Date is a calendar day without a time or a zone. Its JSON and text form
// is ISO 8601, "2026-03-29". The zero Date is not valid.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO 8601 calendar date, "2026-12-24", of a year in
// MinYear..MaxYear.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, invalid("date", fmt.Sprintf("%q: want YYYY-MM-DD", truncate(s)))
	}
	d := DateOf(t, time.UTC)
	if !d.Valid() {
		return Date{}, invalid("date", fmt.Sprintf("%q: year out of range 0001..9999", s))
	}
	return d, nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// MarshalText encodes a valid date as "2006-01-02" and the zero Date as
// the empty string.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.Valid() {
		return nil, invalid("date", fmt.Sprintf("%s is not a day", d))
	}
	return []byte(d.String()), nil
}

// UnmarshalText decodes what MarshalText writes.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day of a year in MinYear..MaxYear.
func (d Date) Valid() bool {
	if d.Year < MinYear || d.Year > MaxYear || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.midnightUTC().Day() == d.Day
}

func (d Date) midnightUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days after d (before d for negative n).
func (d Date) AddDays(n int) Date { return DateOf(d.midnightUTC().AddDate(0, 0, n), time.UTC) }

// DaysUntil returns the number of days from d to e, negative when e is
// before d.
func (d Date) DaysUntil(e Date) int {
	return int(e.midnightUTC().Sub(d.midnightUTC()).Round(time.Hour) / (24 * time.Hour))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Start returns the first instant of day d in loc (local midnight).
func (d Date) Start(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// At returns the instant of the wall-clock time t on day d in loc, in UTC.
// A wall-clock time that does not exist (inside the spring-forward gap) is
// normalised forward by the gap, as time.Date does; 24:00 is the start of
// the next day.
func (d Date) At(t TimeOfDay, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, int(t), 0, 0, loc).UTC()
}

// truncate shortens s for an error message.
func truncate(s string) string {
	const n = 32
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// NewDate returns the Date y-m-d as given, not normalised: check Valid, or
// use AddDays to move by days.
func NewDate(y int, m time.Month, d int) Date { return Date{y, m, d} }
