package callback

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// The package computes days, windows and the cut-off in civil.Helsinki()
// and tells working days with a civil.Workdays (civil.FinnishWorkdays by
// default; a host with its own calendar passes its own).

// dateOf returns the local (Europe/Helsinki) date of t.
func dateOf(t time.Time) civil.Date { return civil.DateOf(t, civil.Helsinki()) }

// localDay returns local midnight (Europe/Helsinki) of the day containing t.
func localDay(t time.Time) time.Time { return dateOf(t).Start(civil.Helsinki()) }

// nextDay returns local midnight of the day after the local day dayStart.
func nextDay(dayStart time.Time) time.Time {
	return dateOf(dayStart).AddDays(1).Start(civil.Helsinki())
}

// atLocal returns the instant at local wall-clock offset off after midnight
// of the local day dayStart (DST-safe: wall clock, not elapsed time).
func atLocal(dayStart time.Time, off time.Duration) time.Time {
	y, m, d := dayStart.In(civil.Helsinki()).Date()
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, civil.Helsinki())
}

// at returns the instant of the local wall-clock time t on the local day
// dayStart.
func at(dayStart time.Time, t civil.TimeOfDay) time.Time { return atLocal(dayStart, t.Duration()) }

// isWorkday reports whether the local day dayStart is a working day.
func isWorkday(w civil.Workdays, dayStart time.Time) bool { return w.Workday(dateOf(dayStart)) }

// addWorkdays returns local midnight of the n-th working day after the local
// day dayStart (n >= 0). The walk is bounded (civil.AddWorkdays): a
// calendar without working days or the end of the calendar gives an error
// matching ErrInvalidRequest at once.
func addWorkdays(w civil.Workdays, dayStart time.Time, n int) (time.Time, error) {
	d, err := civil.AddWorkdays(w, dateOf(dayStart), n)
	if err != nil {
		return time.Time{}, carecontact.Invalid(ErrInvalidRequest, "workdays", err.Error())
	}
	return d.Start(civil.Helsinki()), nil
}

// checkTime reports a time the service cannot plan from, naming field: the
// zero time, or a day outside the years civil computes.
func checkTime(field string, t time.Time) error {
	if t.IsZero() {
		return carecontact.Invalid(ErrInvalidRequest, field, "is the zero time")
	}
	if y := dateOf(t).Year; y < civil.MinYear || y > civil.MaxYear {
		return carecontact.Invalid(ErrInvalidRequest, field, fmt.Sprintf("year %d out of range %d..%d", y, civil.MinYear, civil.MaxYear))
	}
	return nil
}
