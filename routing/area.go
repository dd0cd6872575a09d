package routing

import (
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // Europe/Helsinki must load on machines without zoneinfo.

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// PostalCode is a Finnish postal code: exactly five digits, e.g. "00530".
type PostalCode string

// ParsePostalCode checks s (surrounding spaces ignored) and returns it as a
// PostalCode, or an error wrapping ErrMalformedPostalCode.
func ParsePostalCode(s string) (PostalCode, error) {
	t := strings.TrimSpace(s)
	if len(t) != 5 {
		return "", fmt.Errorf("%w: postal code must be 5 digits, got %d characters", ErrMalformedPostalCode, len(t))
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return "", fmt.Errorf("%w: postal code must be 5 digits, character %d is not a digit", ErrMalformedPostalCode, i+1)
		}
	}
	return PostalCode(t), nil
}

// Area is a health-station area: the clients living in its postal codes are
// its residents.
type Area struct {
	// ID identifies the area.
	ID carecontact.AreaID
	// NameFi and NameSv are the area's names in Finnish and Swedish, e.g.
	// "Kalasatama" and "Fiskehamnen".
	NameFi, NameSv string
	// PostalCodes are the postal codes whose residents belong to the area.
	// A postal code belongs to at most one area.
	PostalCodes []PostalCode
	// Neighbours are the areas a policy's neighbour step widens to.
	Neighbours []carecontact.AreaID
	// Hours are the area's opening hours. An area step is skipped while
	// the area is closed. No hours means always open.
	Hours OpeningHours
}

// Name returns the area's name in language l (Swedish when asked for and
// known, Finnish otherwise).
func (a Area) Name(l civil.Language) string {
	if l == civil.Swedish && a.NameSv != "" {
		return a.NameSv
	}
	return a.NameFi
}

// TimeOfDay is a wall-clock time in the area's zone, as the duration since
// midnight: 8*time.Hour is 08:00.
type TimeOfDay time.Duration

// At returns the time of day h:m.
func At(h, m int) TimeOfDay {
	return TimeOfDay(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// String returns "hh:mm".
func (t TimeOfDay) String() string {
	d := time.Duration(t)
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// Opening is one opening interval on one weekday, in Europe/Helsinki time:
// open from Open (inclusive) to Close (exclusive).
type Opening struct {
	Day         time.Weekday
	Open, Close TimeOfDay
}

// OpeningHours are the weekly opening intervals of an area. Public holidays
// are not modelled here; the booking package's calendars handle them.
type OpeningHours []Opening

// Weekdays returns opening hours from open to close on Monday to Friday.
func Weekdays(open, close TimeOfDay) OpeningHours {
	h := make(OpeningHours, 0, 5)
	for d := time.Monday; d <= time.Friday; d++ {
		h = append(h, Opening{Day: d, Open: open, Close: close})
	}
	return h
}

// helsinki is the zone opening hours are read in.
var helsinki = mustLoad("Europe/Helsinki")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// time/tzdata is embedded, so this cannot fail at run time.
		return time.FixedZone(name, 2*60*60)
	}
	return loc
}

// IsOpen reports whether t falls in one of the intervals, read in
// Europe/Helsinki time (so 08:00 is 08:00 local on both sides of a DST
// change). Empty hours are always open.
func (h OpeningHours) IsOpen(t time.Time) bool {
	if len(h) == 0 {
		return true
	}
	l := t.In(helsinki)
	tod := TimeOfDay(time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute +
		time.Duration(l.Second())*time.Second + time.Duration(l.Nanosecond()))
	for _, o := range h {
		if o.Day == l.Weekday() && tod >= o.Open && tod < o.Close {
			return true
		}
	}
	return false
}

func (h OpeningHours) validate() error {
	for i, o := range h {
		if o.Day < time.Sunday || o.Day > time.Saturday {
			return fmt.Errorf("hours[%d].day %d is not a weekday", i, o.Day)
		}
		if o.Open < 0 || o.Close > TimeOfDay(24*time.Hour) || o.Open >= o.Close {
			return fmt.Errorf("hours[%d]: open %s must be before close %s within the day", i, o.Open, o.Close)
		}
	}
	return nil
}
