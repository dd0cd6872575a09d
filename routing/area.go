package routing

import (
	"fmt"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// PostalCode is a Finnish postal code: exactly five digits, e.g. "00530".
type PostalCode string

// ParsePostalCode checks s (surrounding spaces ignored) and returns it as a
// PostalCode, or a *carecontact.FieldError naming "postalCode" that wraps
// ErrMalformedPostalCode.
func ParsePostalCode(s string) (PostalCode, error) {
	t := strings.TrimSpace(s)
	if len(t) != 5 {
		return "", carecontact.Invalid(ErrMalformedPostalCode, "postalCode", fmt.Sprintf("must be 5 digits, got %d bytes", len(t)))
	}
	for i := 0; i < len(t); i++ {
		if t[i] < '0' || t[i] > '9' {
			return "", carecontact.Invalid(ErrMalformedPostalCode, "postalCode", fmt.Sprintf("must be 5 digits, byte %d is not a digit", i+1))
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
	// Hours are the area's weekly opening hours. An area step is skipped
	// while the area is closed (see IsOpen). No hours means always open.
	Hours OpeningHours
	// EveHours are the shorter hours on Midsummer Eve and Christmas Eve,
	// e.g. 08:00-12:00. Nil closes the area on eves.
	EveHours *civil.Span
	// OpenOnHolidays keeps the weekly Hours on public holidays and eves,
	// for an area that serves every day of the year.
	OpenOnHolidays bool
}

// Name returns the area's name in language l (Swedish when asked for and
// known, Finnish otherwise).
func (a Area) Name(l civil.Language) string {
	if l == civil.Swedish && a.NameSv != "" {
		return a.NameSv
	}
	return a.NameFi
}

// Opening is one opening interval on one weekday, in Europe/Helsinki time:
// open from Open (inclusive) to Close (exclusive).
type Opening struct {
	Day         time.Weekday
	Open, Close civil.TimeOfDay
}

// OpeningHours are the weekly opening intervals of an area. They say
// nothing of holidays; Area.IsOpen applies those.
type OpeningHours []Opening

// Weekdays returns opening hours from open to close on Monday to Friday.
func Weekdays(open, close civil.TimeOfDay) OpeningHours {
	h := make(OpeningHours, 0, 5)
	for d := time.Monday; d <= time.Friday; d++ {
		h = append(h, Opening{Day: d, Open: open, Close: close})
	}
	return h
}

// IsOpen reports whether t falls in one of the weekly intervals, read in
// Europe/Helsinki time (so 08:00 is 08:00 local on both sides of a DST
// change). Empty hours are always open. Holidays are not consulted: use
// Area.IsOpen for that.
func (h OpeningHours) IsOpen(t time.Time) bool {
	if len(h) == 0 {
		return true
	}
	hki := civil.Helsinki()
	wd, tod := t.In(hki).Weekday(), civil.TimeOfDayOf(t, hki)
	for _, o := range h {
		if o.Day == wd && tod >= o.Open && tod < o.Close {
			return true
		}
	}
	return false
}

// IsOpen reports whether the area is open at t. An area with no Hours is
// always open, holidays included. Otherwise its weekly Hours apply, read
// in Europe/Helsinki time, except on Finnish public holidays, when it is
// closed, and on the service-closing eves (Midsummer Eve, Christmas Eve),
// when it is open only within EveHours (closed when EveHours is nil).
// OpenOnHolidays keeps the weekly Hours on holidays and eves alike.
func (a Area) IsOpen(t time.Time) bool {
	if len(a.Hours) == 0 {
		return true
	}
	if !a.OpenOnHolidays {
		hki := civil.Helsinki()
		if h, ok := civil.HolidayOn(civil.DateOf(t, hki)); ok {
			if h.Kind == civil.PublicHoliday || a.EveHours == nil {
				return false
			}
			return a.EveHours.Contains(civil.TimeOfDayOf(t, hki))
		}
	}
	return a.Hours.IsOpen(t)
}

func (a Area) validateHours() error {
	for i, o := range a.Hours {
		if o.Day < time.Sunday || o.Day > time.Saturday {
			return fmt.Errorf("hours[%d].day %d is not a weekday", i, o.Day)
		}
		if !o.Open.Valid() || !o.Close.Valid() || o.Open >= o.Close {
			return fmt.Errorf("hours[%d]: open %s must be before close %s within the day", i, o.Open, o.Close)
		}
	}
	if a.EveHours != nil {
		if err := a.EveHours.Validate("eve_hours"); err != nil {
			return err
		}
	}
	return nil
}
