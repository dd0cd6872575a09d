package civil

import (
	"fmt"
	"slices"
	"time"
)

// HolidayKind tells a public holiday from an eve.
type HolidayKind string

// The holiday kinds.
const (
	// PublicHoliday is a statutory or church holiday (pyhäpäivä).
	PublicHoliday HolidayKind = "public_holiday"
	// Eve is a de facto day off (Midsummer Eve, Christmas Eve) on which
	// public services close or keep shorter hours.
	Eve HolidayKind = "eve"
)

// Holiday is one Finnish public holiday or eve.
type Holiday struct {
	Date  Date        `json:"date"`
	Kind  HolidayKind `json:"kind"`
	Names Names       `json:"names"`
}

// The first and last years FinnishHolidays computes.
const (
	FirstHolidayYear = 1583
	LastHolidayYear  = MaxYear
)

// Easter returns Easter Sunday of the Gregorian year y, by the anonymous
// Gregorian algorithm (Meeus/Jones/Butcher), valid for every year 1583+.
func Easter(y int) Date {
	a := y % 19
	b, c := y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{y, time.Month(month), day}
}

// firstOnOrAfter returns the first day on or after d that is weekday w.
func firstOnOrAfter(d Date, w time.Weekday) Date {
	return d.AddDays((int(w) - int(d.Weekday()) + 7) % 7)
}

// holidayRule computes one holiday's date in year y from that year's
// Easter Sunday.
type holidayRule struct {
	date  func(y int, easter Date) Date
	kind  HolidayKind
	names Names
}

func fixed(m time.Month, d int) func(int, Date) Date {
	return func(y int, _ Date) Date { return Date{y, m, d} }
}

func fromEaster(days int) func(int, Date) Date {
	return func(_ int, e Date) Date { return e.AddDays(days) }
}

func saturdayFrom(m time.Month, d, offset int) func(int, Date) Date {
	return func(y int, _ Date) Date { return firstOnOrAfter(Date{y, m, d}, time.Saturday).AddDays(offset) }
}

// holidayRules are the rules of the Finnish Act on Public Holidays and the
// Church Act, nearly in date order (Ascension Day can fall on 30 April).
var holidayRules = [...]holidayRule{
	{fixed(time.January, 1), PublicHoliday, Names{"Uudenvuodenpäivä", "Nyårsdagen", "New Year's Day"}},
	{fixed(time.January, 6), PublicHoliday, Names{"Loppiainen", "Trettondagen", "Epiphany"}},
	{fromEaster(-2), PublicHoliday, Names{"Pitkäperjantai", "Långfredagen", "Good Friday"}},
	{fromEaster(0), PublicHoliday, Names{"Pääsiäispäivä", "Påskdagen", "Easter Sunday"}},
	{fromEaster(1), PublicHoliday, Names{"2. pääsiäispäivä", "Annandag påsk", "Easter Monday"}},
	{fixed(time.May, 1), PublicHoliday, Names{"Vappu", "Första maj", "May Day"}},
	{fromEaster(39), PublicHoliday, Names{"Helatorstai", "Kristi himmelsfärdsdag", "Ascension Day"}},
	{fromEaster(49), PublicHoliday, Names{"Helluntaipäivä", "Pingstdagen", "Whit Sunday"}},
	{saturdayFrom(time.June, 20, -1), Eve, Names{"Juhannusaatto", "Midsommarafton", "Midsummer Eve"}},
	{saturdayFrom(time.June, 20, 0), PublicHoliday, Names{"Juhannuspäivä", "Midsommardagen", "Midsummer Day"}},
	{saturdayFrom(time.October, 31, 0), PublicHoliday, Names{"Pyhäinpäivä", "Alla helgons dag", "All Saints' Day"}},
	{fixed(time.December, 6), PublicHoliday, Names{"Itsenäisyyspäivä", "Självständighetsdagen", "Independence Day"}},
	{fixed(time.December, 24), Eve, Names{"Jouluaatto", "Julafton", "Christmas Eve"}},
	{fixed(time.December, 25), PublicHoliday, Names{"Joulupäivä", "Juldagen", "Christmas Day"}},
	{fixed(time.December, 26), PublicHoliday, Names{"Tapaninpäivä", "Annandag jul", "St Stephen's Day"}},
}

// FinnishHolidays returns the public holidays and the service-closing eves
// of year y in date order: the fixed ones, the ones computed from Easter,
// Midsummer (Eve on the Friday between 19 and 25 June, Day on the Saturday
// between 20 and 26 June) and All Saints' Day (the Saturday between
// 31 October and 6 November), as set by the Finnish Act on Public Holidays
// and the Church Act. Years outside FirstHolidayYear..LastHolidayYear give
// ErrInvalid.
//
// The rules are computed here rather than taken from a holiday library:
// the library keeps its dependencies to a short approved list, the rules
// are few and stable, and this way the eves that close services and the
// Swedish and English names come with them. The tests check the result
// against the published 2024-2030 calendars and the weekday rules for
// centuries.
func FinnishHolidays(y int) ([]Holiday, error) {
	if y < FirstHolidayYear || y > LastHolidayYear {
		return nil, invalid("holiday year", fmt.Sprintf("%d: want %d..%d", y, FirstHolidayYear, LastHolidayYear))
	}
	e := Easter(y)
	hs := make([]Holiday, len(holidayRules))
	for i, r := range holidayRules {
		hs[i] = Holiday{r.date(y, e), r.kind, r.names}
	}
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs, nil
}

// HolidayOn returns the public holiday or eve on day d, if there is one.
// When two fall on one day (Ascension Day on May Day), the first in
// FinnishHolidays order is returned. Days of years FinnishHolidays does
// not compute are no holidays.
func HolidayOn(d Date) (Holiday, bool) {
	if d.Year < FirstHolidayYear || d.Year > LastHolidayYear {
		return Holiday{}, false
	}
	e := Easter(d.Year)
	for _, r := range holidayRules {
		if r.date(d.Year, e) == d {
			return Holiday{d, r.kind, r.names}, true
		}
	}
	return Holiday{}, false
}
