package scenario

import (
	"time"

	"github.com/carecontact/carecontact/civil"
)

// Day types for rosters and demand: Finnish public holidays and the
// service-closing eves count as Sundays.
const (
	weekday = iota
	saturday
	sunday
)

// calendar answers day-type and local-hour questions about the simulated
// period in Europe/Helsinki, so rosters and demand follow local time across
// DST changes.
type calendar struct {
	start    time.Time // local midnight of the first day
	end      time.Time
	holidays map[civil.Date]bool
}

func newCalendar(start time.Time, days int) (*calendar, error) {
	c := &calendar{start: start, end: start.AddDate(0, 0, days), holidays: map[civil.Date]bool{}}
	for y := start.Year(); y <= c.end.Year()+1; y++ { // +1: the callback planner looks past the end
		hs, err := civil.FinnishHolidays(y)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			c.holidays[h.Date] = true
		}
	}
	return c, nil
}

// dayType returns the day type of local date of t.
func (c *calendar) dayType(t time.Time) int {
	l := t.In(helsinki)
	if c.holidays[civil.DateOf(l, helsinki)] {
		return sunday
	}
	switch l.Weekday() {
	case time.Saturday:
		return saturday
	case time.Sunday:
		return sunday
	}
	return weekday
}

// hour is one local clock hour of the period: [from, to) in elapsed time.
type hour struct {
	from, to time.Duration
	local    int // local hour of day 0..23
	dayType  int
	day      int // index of the local day since the start
}

// hours lists the local hours of the period (23 or 25 on DST days).
func (c *calendar) hours() []hour {
	var out []hour
	for t := c.start; t.Before(c.end); t = t.Add(time.Hour) {
		l := t.In(helsinki)
		y, m, d := c.start.Date()
		day := int(time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		out = append(out, hour{
			from: t.Sub(c.start), to: t.Add(time.Hour).Sub(c.start),
			local: l.Hour(), dayType: c.dayType(t), day: day,
		})
	}
	return out
}

// timeOfDay returns the local time of day of elapsed time a.
func (c *calendar) timeOfDay(a time.Duration) time.Duration {
	l := c.start.Add(a).In(helsinki)
	return time.Duration(l.Hour())*time.Hour + time.Duration(l.Minute())*time.Minute + time.Duration(l.Second())*time.Second
}

func pick(v DaySpec, dayType int) float64 {
	switch dayType {
	case saturday:
		return v.Saturday
	case sunday:
		return v.Sunday
	}
	return v.Weekday
}

func rosterAt(r RosterSpec, h hour) int {
	switch {
	case h.dayType == saturday && len(r.Saturday) == 24:
		return r.Saturday[h.local]
	case h.dayType == sunday && len(r.Sunday) == 24:
		return r.Sunday[h.local]
	case h.dayType != weekday:
		return 0
	}
	return r.Weekday[h.local]
}
