package booking

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// Calendars are written in days and wall-clock times of Europe/Helsinki
// (civil.Date, civil.TimeOfDay, civil.Span, civil.Helsinki).

// validSpan reports a span that is not from < to within the day: a
// *carecontact.FieldError naming field that matches ErrInvalid and
// civil.ErrInvalid; its reason starts with what the span belongs to.
func validSpan(s civil.Span, field, of string) error {
	if err := s.Validate(field); err != nil {
		return &carecontact.FieldError{Field: field, Reason: of + ": " + s.String() + " is not from < to within 00:00..24:00",
			Err: fmt.Errorf("%w (%w)", ErrInvalid, civil.ErrInvalid)}
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
