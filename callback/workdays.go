package callback

import (
	"sync"
	"time"
	_ "time/tzdata" // Europe/Helsinki on machines without zoneinfo

	"github.com/carecontact/carecontact/booking"
)

// Helsinki returns the Europe/Helsinki location in which the package computes
// days, windows and the cut-off.
func Helsinki() *time.Location { return helsinki }

var helsinki = mustHelsinki()

func mustHelsinki() *time.Location {
	loc, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		// time/tzdata is embedded, so this cannot fail; fall back to a fixed
		// zone rather than panic.
		return time.FixedZone("EET", 2*3600)
	}
	return loc
}

// Workdays tells which local days are working days. FinnishWorkdays is the
// default; a host with its own calendar (booking's) passes an adapter.
type Workdays interface {
	// Workday reports whether the local date (year, month, day) is a working day.
	Workday(year int, month time.Month, day int) bool
}

// FinnishWorkdays returns the Workdays of Finnish public primary care:
// Monday to Friday except Finnish public holidays and the service-closing
// eves (Midsummer Eve, Christmas Eve), as booking.FinnishHolidays computes
// them. The value caches each year's holidays and is safe for concurrent use.
func FinnishWorkdays() Workdays { return &finnishWorkdays{years: map[int]map[booking.Date]bool{}} }

type finnishWorkdays struct {
	mu    sync.Mutex
	years map[int]map[booking.Date]bool
}

func (f *finnishWorkdays) Workday(y int, m time.Month, d int) bool {
	date := booking.Date{Year: y, Month: m, Day: d}
	if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	days, ok := f.years[y]
	if !ok {
		hs, err := booking.FinnishHolidays(y)
		if err != nil {
			return false // a year booking cannot compute is no working day
		}
		days = make(map[booking.Date]bool, len(hs))
		for _, h := range hs {
			days[h.Date] = true
		}
		f.years[y] = days
	}
	return !days[date]
}

// localDay returns local midnight (Europe/Helsinki) of the day containing t.
func localDay(t time.Time) time.Time {
	y, m, d := t.In(helsinki).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, helsinki)
}

// nextDay returns local midnight of the day after the local day dayStart.
func nextDay(dayStart time.Time) time.Time {
	y, m, d := dayStart.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, helsinki)
}

// atLocal returns the instant at local wall-clock time off after midnight of
// the local day dayStart (DST-safe: wall clock, not elapsed time).
func atLocal(dayStart time.Time, off time.Duration) time.Time {
	y, m, d := dayStart.Date()
	return time.Date(y, m, d, int(off/time.Hour), int(off%time.Hour/time.Minute), 0, 0, helsinki)
}

// isWorkday reports whether the local day dayStart is a working day.
func isWorkday(w Workdays, dayStart time.Time) bool {
	y, m, d := dayStart.Date()
	return w.Workday(y, m, d)
}

// addWorkdays returns local midnight of the n-th working day after the local
// day dayStart (n >= 1).
func addWorkdays(w Workdays, dayStart time.Time, n int) time.Time {
	day := dayStart
	for n > 0 {
		day = nextDay(day)
		if isWorkday(w, day) {
			n--
		}
	}
	return day
}
