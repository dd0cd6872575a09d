package booking

import (
	"fmt"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// Finnish public holidays and eves are computed by package civil
// (civil.FinnishHolidays); a calendar's Closures apply them.

// Closure is a local closure of a service area: the whole day, or only
// Span of it when Span is set (e.g. closing at 12:00 on New Year's Eve).
type Closure struct {
	Date  civil.Date         `json:"date"`
	Span  *civil.Span        `json:"span,omitempty"`
	Names civil.Names        `json:"names"`
	Area  carecontact.AreaID `json:"area,omitempty"`
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
func (c *Closures) ClosedSpans(d civil.Date) (spans []civil.Span, names []civil.Names) {
	hs, err := civil.FinnishHolidays(d.Year)
	if err == nil {
		for _, h := range hs {
			if h.Date == d && (h.Kind == civil.PublicHoliday || !c.EvesOpen) {
				return []civil.Span{civil.Span{To: civil.EndOfDay}}, []civil.Names{h.Names}
			}
		}
	}
	for _, cl := range c.Local {
		if cl.Date != d {
			continue
		}
		if cl.Span == nil {
			return []civil.Span{civil.Span{To: civil.EndOfDay}}, []civil.Names{cl.Names}
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
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("local[%d].date", i), fmt.Sprintf("%s is not a day", cl.Date))
		}
		if cl.Span != nil {
			if err := validSpan(*cl.Span, fmt.Sprintf("local[%d].span", i), "closure"); err != nil {
				return err
			}
		}
	}
	return nil
}
