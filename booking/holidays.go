package booking

import (
	"fmt"
	"slices"
	"time"
)

// Names holds a display name in Finnish, Swedish and English.
type Names struct {
	FI string `json:"fi"`
	SV string `json:"sv,omitempty"`
	EN string `json:"en,omitempty"`
}

// In returns the name in lang ("fi", "sv" or "en"), falling back to Finnish
// when that name is empty.
func (n Names) In(lang string) string {
	switch lang {
	case "sv":
		if n.SV != "" {
			return n.SV
		}
	case "en":
		if n.EN != "" {
			return n.EN
		}
	}
	return n.FI
}

// HolidayKind tells a public holiday from an eve.
type HolidayKind string

// The holiday kinds.
const (
	// PublicHoliday is a statutory or church holiday (pyhäpäivä).
	PublicHoliday HolidayKind = "public_holiday"
	// Eve is a de facto day off (Midsummer Eve, Christmas Eve) on which
	// public services are closed unless a calendar opts out.
	Eve HolidayKind = "eve"
)

// Holiday is one Finnish public holiday or eve.
type Holiday struct {
	Date  Date        `json:"date"`
	Kind  HolidayKind `json:"kind"`
	Names Names       `json:"names"`
}

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

// FinnishHolidays returns the public holidays and the service-closing eves
// of year y in date order: the fixed ones, the ones computed from Easter,
// Midsummer (Eve on the Friday between 19 and 25 June, Day on the Saturday
// between 20 and 26 June) and All Saints' Day (the Saturday between
// 31 October and 6 November), as set by the Finnish Act on Public Holidays
// and the Church Act. Years before 1583 or after 9999 give ErrInvalid.
//
// The rules are computed here rather than taken from a holiday library
// such as github.com/rickar/cal/v2 (which has Finland): the library keeps
// its dependencies to a short approved list, the rules are few and
// stable, and this way the eves that close services and the Swedish and
// English names come with them. The tests check the result against the
// published 2024-2030 calendars and the weekday rules for centuries.
func FinnishHolidays(y int) ([]Holiday, error) {
	if y < 1583 || y > 9999 {
		return nil, fmt.Errorf("%w: holiday year %d: want 1583..9999", ErrInvalid, y)
	}
	e := Easter(y)
	midsummerDay := firstOnOrAfter(Date{y, time.June, 20}, time.Saturday)
	hs := []Holiday{
		{Date{y, time.January, 1}, PublicHoliday, Names{"Uudenvuodenpäivä", "Nyårsdagen", "New Year's Day"}},
		{Date{y, time.January, 6}, PublicHoliday, Names{"Loppiainen", "Trettondagen", "Epiphany"}},
		{e.AddDays(-2), PublicHoliday, Names{"Pitkäperjantai", "Långfredagen", "Good Friday"}},
		{e, PublicHoliday, Names{"Pääsiäispäivä", "Påskdagen", "Easter Sunday"}},
		{e.AddDays(1), PublicHoliday, Names{"2. pääsiäispäivä", "Annandag påsk", "Easter Monday"}},
		{Date{y, time.May, 1}, PublicHoliday, Names{"Vappu", "Första maj", "May Day"}},
		{e.AddDays(39), PublicHoliday, Names{"Helatorstai", "Kristi himmelsfärdsdag", "Ascension Day"}},
		{e.AddDays(49), PublicHoliday, Names{"Helluntaipäivä", "Pingstdagen", "Whit Sunday"}},
		{midsummerDay.AddDays(-1), Eve, Names{"Juhannusaatto", "Midsommarafton", "Midsummer Eve"}},
		{midsummerDay, PublicHoliday, Names{"Juhannuspäivä", "Midsommardagen", "Midsummer Day"}},
		{firstOnOrAfter(Date{y, time.October, 31}, time.Saturday), PublicHoliday, Names{"Pyhäinpäivä", "Alla helgons dag", "All Saints' Day"}},
		{Date{y, time.December, 6}, PublicHoliday, Names{"Itsenäisyyspäivä", "Självständighetsdagen", "Independence Day"}},
		{Date{y, time.December, 24}, Eve, Names{"Jouluaatto", "Julafton", "Christmas Eve"}},
		{Date{y, time.December, 25}, PublicHoliday, Names{"Joulupäivä", "Juldagen", "Christmas Day"}},
		{Date{y, time.December, 26}, PublicHoliday, Names{"Tapaninpäivä", "Annandag jul", "St Stephen's Day"}},
	}
	slices.SortStableFunc(hs, func(a, b Holiday) int { return a.Date.Compare(b.Date) })
	return hs, nil
}

// Closure is a local closure of a service area: the whole day, or only
// Span of it when Span is set (e.g. closing at 12:00 on New Year's Eve).
type Closure struct {
	Date  Date   `json:"date"`
	Span  *Span  `json:"span,omitempty"`
	Names Names  `json:"names"`
	Area  string `json:"area,omitempty"`
}

// Closures decides which days, or parts of days, a service area is closed:
// Finnish public holidays, eves (unless EvesOpen) and the area's local
// closures. The zero value closes on holidays and eves only. A Closures
// value is read-only once in use and safe for concurrent use.
type Closures struct {
	// EvesOpen keeps services open on Midsummer Eve and Christmas Eve.
	EvesOpen bool
	// Local lists the area's own closures.
	Local []Closure
}

// ClosedSpans returns the wall-clock spans of day d that are closed, and the
// holiday or closure that closes the whole day if one does. A day closed as
// a whole returns a single 00:00-24:00 span.
func (c *Closures) ClosedSpans(d Date) (spans []Span, names []Names) {
	hs, err := FinnishHolidays(d.Year)
	if err == nil {
		for _, h := range hs {
			if h.Date == d && (h.Kind == PublicHoliday || !c.EvesOpen) {
				return []Span{{0, 24 * 60}}, []Names{h.Names}
			}
		}
	}
	for _, cl := range c.Local {
		if cl.Date != d {
			continue
		}
		if cl.Span == nil {
			return []Span{{0, 24 * 60}}, []Names{cl.Names}
		}
		spans = append(spans, *cl.Span)
		names = append(names, cl.Names)
	}
	return spans, names
}

// Validate reports a closure that cannot be used, naming the field.
func (c *Closures) Validate() error {
	for i, cl := range c.Local {
		if !cl.Date.Valid() {
			return fmt.Errorf("%w: local[%d].date %s", ErrInvalid, i, cl.Date)
		}
		if cl.Span != nil {
			if err := cl.Span.validate(fmt.Sprintf("local[%d].span", i)); err != nil {
				return err
			}
		}
	}
	return nil
}
