package civil

import (
	"fmt"
	"iter"
)

// MaxDateRange is the most days a DateRange walk or WorkdaysBetween covers:
// about ten years.
const MaxDateRange = 3660

// DateRange is the days From to To, both included. Its JSON form is
// {"from":"2026-06-01","to":"2026-08-31"}.
type DateRange struct {
	From Date `json:"from"`
	To   Date `json:"to"`
}

// Validate reports a range whose ends are not valid dates, that ends before
// it starts or that spans more than MaxDateRange days, naming field.
func (r DateRange) Validate(field string) error {
	switch {
	case !r.From.Valid():
		return invalid(field+".from", fmt.Sprintf("%s is not a day", r.From))
	case !r.To.Valid():
		return invalid(field+".to", fmt.Sprintf("%s is not a day", r.To))
	case r.To.Before(r.From):
		return invalid(field, fmt.Sprintf("to %s is before from %s", r.To, r.From))
	case r.Days() > MaxDateRange:
		return invalid(field, fmt.Sprintf("%d days, at most %d", r.Days(), MaxDateRange))
	}
	return nil
}

// Contains reports whether d lies in the range.
func (r DateRange) Contains(d Date) bool { return !d.Before(r.From) && !d.After(r.To) }

// Days returns the number of days in the range, 0 when To is before From.
func (r DateRange) Days() int { return max(r.From.DaysUntil(r.To)+1, 0) }

// All yields the days of the range in order, at most MaxDateRange of them.
func (r DateRange) All() iter.Seq[Date] {
	return func(yield func(Date) bool) {
		n := min(r.Days(), MaxDateRange)
		for i, d := 0, r.From; i < n; i, d = i+1, d.AddDays(1) {
			if !yield(d) {
				return
			}
		}
	}
}

// String returns "2006-01-02/2006-01-02".
func (r DateRange) String() string { return r.From.String() + "/" + r.To.String() }
