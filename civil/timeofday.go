package civil

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TimeOfDay is a wall-clock time as minutes after midnight, 0..1440 (1440
// is the end of the day, "24:00"). Its JSON and text form is "HH:MM".
type TimeOfDay int

// EndOfDay is 24:00, the end of a day.
const EndOfDay TimeOfDay = 24 * 60

// At returns the TimeOfDay h:m; At(8, 30) is 08:30.
func At(h, m int) TimeOfDay { return TimeOfDay(h*60 + m) }

// TimeOfDayOf returns the wall-clock time of t in loc, rounded down to the
// minute.
func TimeOfDayOf(t time.Time, loc *time.Location) TimeOfDay {
	l := t.In(loc)
	return At(l.Hour(), l.Minute())
}

// ParseTimeOfDay parses "HH:MM" (00:00 to 24:00).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	hs, ms, ok := strings.Cut(s, ":")
	if !ok || len(hs) != 2 || len(ms) != 2 {
		return 0, invalid("time of day", fmt.Sprintf("%q: want HH:MM", truncate(s)))
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || hs[0] == '+' || hs[0] == '-' || ms[0] == '+' || ms[0] == '-' ||
		h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, invalid("time of day", fmt.Sprintf("%q: want HH:MM between 00:00 and 24:00", s))
	}
	return At(h, m), nil
}

// String returns "HH:MM".
func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", int(t)/60, int(t)%60) }

// MarshalText encodes t as "HH:MM".
func (t TimeOfDay) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, invalid("time of day", fmt.Sprintf("%d minutes: want 00:00..24:00", int(t)))
	}
	return []byte(t.String()), nil
}

// UnmarshalText decodes "HH:MM".
func (t *TimeOfDay) UnmarshalText(b []byte) error {
	v, err := ParseTimeOfDay(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// Valid reports whether t is within 00:00..24:00.
func (t TimeOfDay) Valid() bool { return t >= 0 && t <= EndOfDay }

// Duration returns t as the wall-clock duration since midnight.
func (t TimeOfDay) Duration() time.Duration { return time.Duration(t) * time.Minute }

// Span is a wall-clock range [From, To) within one day. Its JSON form is
// {"from":"08:00","to":"16:00"}.
type Span struct {
	From TimeOfDay `json:"from"`
	To   TimeOfDay `json:"to"`
}

// ParseSpan parses "HH:MM-HH:MM".
func ParseSpan(s string) (Span, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Span{}, invalid("span", fmt.Sprintf("%q: want HH:MM-HH:MM", truncate(s)))
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
	if err := sp.Validate("span"); err != nil {
		return Span{}, err
	}
	return sp, nil
}

// String returns "HH:MM-HH:MM".
func (s Span) String() string { return s.From.String() + "-" + s.To.String() }

// Validate reports a span that is not from < to within 00:00..24:00, naming
// field.
func (s Span) Validate(field string) error {
	if !s.From.Valid() || !s.To.Valid() || s.From >= s.To {
		return invalid(field, fmt.Sprintf("%s: want from < to within 00:00..24:00", s))
	}
	return nil
}

// Contains reports whether t lies in [From, To).
func (s Span) Contains(t TimeOfDay) bool { return t >= s.From && t < s.To }

// Duration returns the wall-clock length of s. On a day with a DST change
// the elapsed time may differ; use Date.At for instants.
func (s Span) Duration() time.Duration { return (s.To - s.From).Duration() }
