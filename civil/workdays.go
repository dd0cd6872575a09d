package civil

import (
	"fmt"
	"time"
)

// MaxWorkdaySearch is the most days NextWorkday and PreviousWorkday look
// at, and AddWorkdays per working day: a calendar with no working day in a
// year is refused rather than searched further.
const MaxWorkdaySearch = 366

// MaxAddWorkdays is the largest n AddWorkdays accepts.
const MaxAddWorkdays = 366

// Workdays tells which days are working days.
type Workdays interface {
	// Workday reports whether d is a working day.
	Workday(d Date) bool
}

// WorkdayFunc adapts a function to Workdays.
type WorkdayFunc func(Date) bool

// Workday calls f(d).
func (f WorkdayFunc) Workday(d Date) bool { return f(d) }

// FinnishWorkdays returns the working days of Finnish public primary care:
// Monday to Friday except Finnish public holidays and the service-closing
// eves (Midsummer Eve, Christmas Eve). Days of years FinnishHolidays does
// not compute are no working days. The value holds no state and is safe
// for concurrent use.
func FinnishWorkdays() Workdays { return finnishWorkdays{} }

type finnishWorkdays struct{}

func (finnishWorkdays) Workday(d Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if d.Year < FirstHolidayYear || d.Year > LastHolidayYear {
		return false
	}
	_, holiday := HolidayOn(d)
	return !holiday
}

// NextWorkday returns the first working day after d. It looks at most
// MaxWorkdaySearch days ahead and never past MaxYear; finding none is
// ErrInvalid.
func NextWorkday(w Workdays, d Date) (Date, error) { return stepWorkday(w, d, 1) }

// PreviousWorkday returns the last working day before d, looking at most
// MaxWorkdaySearch days back and never before MinYear; finding none is
// ErrInvalid.
func PreviousWorkday(w Workdays, d Date) (Date, error) { return stepWorkday(w, d, -1) }

func stepWorkday(w Workdays, d Date, dir int) (Date, error) {
	if !d.Valid() {
		return Date{}, invalid("date", fmt.Sprintf("%s is not a day", d))
	}
	day := d
	for range MaxWorkdaySearch {
		day = day.AddDays(dir)
		if !day.Valid() {
			return Date{}, invalid("working days", fmt.Sprintf("no working day after %s before the end of the calendar", d))
		}
		if w.Workday(day) {
			return day, nil
		}
	}
	return Date{}, invalid("working days", fmt.Sprintf("no working day within %d days of %s", MaxWorkdaySearch, d))
}

// AddWorkdays returns the n-th working day after d (before d for negative
// n); AddWorkdays(w, d, 0) is d. |n| above MaxAddWorkdays is ErrInvalid, as
// is a gap of more than MaxWorkdaySearch days between working days.
func AddWorkdays(w Workdays, d Date, n int) (Date, error) {
	if n > MaxAddWorkdays || n < -MaxAddWorkdays {
		return Date{}, invalid("working days", fmt.Sprintf("%d: at most %d", n, MaxAddWorkdays))
	}
	if !d.Valid() {
		return Date{}, invalid("date", fmt.Sprintf("%s is not a day", d))
	}
	dir := 1
	if n < 0 {
		dir, n = -1, -n
	}
	var err error
	for range n {
		if d, err = stepWorkday(w, d, dir); err != nil {
			return Date{}, err
		}
	}
	return d, nil
}

// WorkdaysBetween returns the number of working days after from up to and
// including to (0 when to is not after from). A range of more than
// MaxDateRange days is ErrInvalid.
func WorkdaysBetween(w Workdays, from, to Date) (int, error) {
	if !from.Valid() || !to.Valid() {
		return 0, invalid("working days", fmt.Sprintf("between %s and %s: not days", from, to))
	}
	if !to.After(from) {
		return 0, nil
	}
	r := DateRange{from.AddDays(1), to}
	if r.Days() > MaxDateRange {
		return 0, invalid("working days", fmt.Sprintf("between %s and %s: %d days, at most %d", from, to, r.Days(), MaxDateRange))
	}
	n := 0
	for d := range r.All() {
		if w.Workday(d) {
			n++
		}
	}
	return n, nil
}
