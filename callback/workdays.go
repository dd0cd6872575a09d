package callback

import (
	"time"
	_ "time/tzdata" // Europe/Helsinki on machines without zoneinfo
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
// Monday to Friday except Finnish public holidays and the de facto holidays
// Midsummer Eve and Christmas Eve (Holidays Act: Vuosilomalaki 162/2005 §2 and
// the Church calendar; dates computed, no table).
func FinnishWorkdays() Workdays { return finnishWorkdays{} }

type finnishWorkdays struct{}

func (finnishWorkdays) Workday(y int, m time.Month, d int) bool {
	t := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	if wd := t.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !finnishHoliday(t)
}

// finnishHoliday reports whether the date of t (noon UTC) is a Finnish
// public holiday falling on a weekday, or Midsummer Eve / Christmas Eve.
func finnishHoliday(t time.Time) bool {
	y, m, d := t.Date()
	switch {
	case m == time.January && (d == 1 || d == 6),
		m == time.May && d == 1,
		m == time.December && (d == 6 || d == 24 || d == 25 || d == 26):
		return true
	case m == time.June && t.Weekday() == time.Friday && d >= 19 && d <= 25:
		return true // Midsummer Eve: the Friday between 19 and 25 June
	}
	easter := easterSunday(y)
	for _, off := range []int{-2, 1, 39} { // Good Friday, Easter Monday, Ascension Day
		if sameDate(easter.AddDate(0, 0, off), t) {
			return true
		}
	}
	return false
}

func sameDate(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// easterSunday computes Western Easter Sunday (anonymous Gregorian algorithm,
// Meeus/Jones/Butcher), at noon UTC.
func easterSunday(y int) time.Time {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h - 7*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return time.Date(y, time.Month(month), day, 12, 0, 0, 0, time.UTC)
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
