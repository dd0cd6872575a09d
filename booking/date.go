package booking

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	// Embed the IANA time zone database so that Europe/Helsinki loads on
	// machines without zoneinfo files.
	_ "time/tzdata"
)

// Zone is the IANA time zone in which calendars are computed.
const Zone = "Europe/Helsinki"

var loadHelsinki = sync.OnceValues(func() (*time.Location, error) { return time.LoadLocation(Zone) })

// Helsinki returns the Europe/Helsinki location. The zone database is
// embedded in the binary, so the error is only ever non-nil for a broken
// build; it is returned rather than hidden.
func Helsinki() (*time.Location, error) {
	loc, err := loadHelsinki()
	if err != nil {
		return nil, fmt.Errorf("booking: load %s: %w", Zone, err)
	}
	return loc, nil
}

// Date is a calendar day without a time or a zone (a civil date). Calendars
// are written in days of Europe/Helsinki.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

// ParseDate parses an ISO 8601 calendar date, "2026-12-24".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrInvalid, s)
	}
	d := DateOf(t, time.UTC)
	if !d.Valid() {
		return Date{}, fmt.Errorf("%w: date %q: year out of range 0001..9999", ErrInvalid, s)
	}
	return d, nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d names a real day.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 {
		return false
	}
	return d.midnightUTC().Day() == d.Day
}

func (d Date) midnightUTC() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// AddDays returns the date n days after d.
func (d Date) AddDays(n int) Date { return DateOf(d.midnightUTC().AddDate(0, 0, n), time.UTC) }

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.midnightUTC().Weekday() }

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.midnightUTC().Compare(e.midnightUTC()) }

// At returns the instant of the wall-clock time t on day d in loc, in UTC.
// A wall-clock time that does not exist (inside the spring-forward gap) is
// normalised forward by the gap, as time.Date does.
func (d Date) At(t TimeOfDay, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, int(t), 0, 0, loc).UTC()
}

// TimeOfDay is a wall-clock time as minutes after midnight, 0..1440 (1440
// is the end of the day, "24:00").
type TimeOfDay int

// Clock returns the TimeOfDay h:m.
func Clock(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

// ParseTimeOfDay parses "HH:MM" (00:00 to 24:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) != 2 || len(ms) != 2 {
		return 0, fmt.Errorf("%w: time of day %q: want HH:MM", ErrInvalid, s)
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || hs[0] == '+' || hs[0] == '-' || ms[0] == '+' || ms[0] == '-' ||
		h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%w: time of day %q: want HH:MM between 00:00 and 24:00", ErrInvalid, s)
	}
	return Clock(h, m), nil
}

// String returns "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// Valid reports whether t is within 00:00..24:00.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= 24*60 }

// Span is a wall-clock interval [From, To) within one day.
type Span struct {
	From TimeOfDay `json:"from"`
	To   TimeOfDay `json:"to"`
}

// ParseSpan parses "HH:MM-HH:MM".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, fmt.Errorf("%w: span %q: want HH:MM-HH:MM", ErrInvalid, s)
	}
	from, err := ParseTimeOfDay(a)
	if err != nil {
		return Span{}, fmt.Errorf("span %q: %w", s, err)
	}
	to, err := ParseTimeOfDay(b)
	if err != nil {
		return Span{}, fmt.Errorf("span %q: %w", s, err)
	}
	sp := Span{from, to}
	if err := sp.validate("span"); err != nil {
		return Span{}, err
	}
	return sp, nil
}

// String returns "HH:MM-HH:MM".
func (s Span) String() string { return s.From.String() + "-" + s.To.String() }

func (s Span) validate(field string) error {
	if !s.From.Valid() || !s.To.Valid() || s.From >= s.To {
		return fmt.Errorf("%w: %s %s: want from < to within 00:00..24:00", ErrInvalid, field, s)
	}
	return nil
}

// Interval is a half-open interval of instants [Start, End), in UTC.
type Interval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Duration returns End - Start.
func (iv Interval) Duration() time.Duration { return iv.End.Sub(iv.Start) }

// Overlaps reports whether iv and o share an instant.
func (iv Interval) Overlaps(o Interval) bool { return iv.Start.Before(o.End) && o.Start.Before(iv.End) }

// Contains reports whether o lies within iv.
func (iv Interval) Contains(o Interval) bool {
	return !o.Start.Before(iv.Start) && !o.End.After(iv.End)
}

// String returns the interval in RFC 3339.
func (iv Interval) String() string {
	return iv.Start.UTC().Format(time.RFC3339) + "/" + iv.End.UTC().Format(time.RFC3339)
}

// normalize sorts intervals and merges those that overlap or touch.
func normalize(ivs []Interval) []Interval {
	if len(ivs) < 2 {
		return ivs
	}
	sortIntervals(ivs)
	out := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &out[len(out)-1]
		if !iv.Start.After(last.End) {
			if iv.End.After(last.End) {
				last.End = iv.End
			}
			continue
		}
		out = append(out, iv)
	}
	return out
}
