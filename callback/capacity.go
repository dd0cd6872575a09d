package callback

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// Interval is a span [Start, End) in UTC during which Professionals
// professionals of a team are on callback duty.
type Interval struct {
	Start, End    time.Time
	Professionals int
}

// Capacity is the source of a team's callback capacity: the professionals
// on callback duty through a local (Europe/Helsinki) day, with absences
// known so far already removed. The Planner asks again at every re-plan, so
// an absence reported during the day reduces the capacity of the windows not
// yet due. Calls running long are the Planner's own knowledge and are not
// part of Capacity.
type Capacity interface {
	// CallbackCapacity returns the intervals of the local day that starts at
	// dayStart (local midnight), ordered, not overlapping, in UTC.
	CallbackCapacity(ctx context.Context, team carecontact.TeamID, dayStart time.Time) ([]Interval, error)
}

// Span is one professional's span of callback duty [Start, End).
type Span struct {
	Start, End time.Time
}

// Staffing merges per-professional spans into intervals that count the
// professionals on duty; empty and reversed spans are ignored.
func Staffing(spans []Span) []Interval {
	type edge struct {
		at    time.Time
		delta int
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		if s.End.After(s.Start) {
			edges = append(edges, edge{s.Start.UTC(), 1}, edge{s.End.UTC(), -1})
		}
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	var out []Interval
	var cur *Interval
	n := 0
	for i := 0; i < len(edges); {
		at := edges[i].at
		for ; i < len(edges) && edges[i].at.Equal(at); i++ {
			n += edges[i].delta
		}
		if cur != nil {
			if cur.Professionals == n {
				continue
			}
			cur.End = at
			out = append(out, *cur)
			cur = nil
		}
		if n > 0 {
			cur = &Interval{Start: at, Professionals: n}
		}
	}
	return out
}

// Shift is a professional's daily callback duty on working days, from From
// to To in local (Europe/Helsinki) wall-clock time.
type Shift struct {
	Professional carecontact.ProfessionalID
	From, To     civil.TimeOfDay
}

// StaticCapacity is a Capacity from fixed daily shifts on working days, with
// absences. It is safe for concurrent use. Hosts with a booking calendar use
// frontdoor.CalendarCapacity instead; tests and simulations use this.
type StaticCapacity struct {
	Absences
	mu       sync.Mutex
	workdays civil.Workdays
	shifts   map[carecontact.TeamID][]Shift
}

// Absences are professionals' absences reported during the day (a nurse
// falls ill at 10:00). They are removed from the capacity from then on. The
// zero value is empty and ready to use; it is safe for concurrent use.
type Absences struct {
	mu sync.Mutex
	m  map[carecontact.TeamID][]absence
}

type absence struct {
	professional carecontact.ProfessionalID
	from, to     time.Time
}

// Absent marks a professional of team absent during [from, to).
func (a *Absences) Absent(team carecontact.TeamID, professional carecontact.ProfessionalID, from, to time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[carecontact.TeamID][]absence{}
	}
	a.m[team] = append(a.m[team], absence{professional, from.UTC(), to.UTC()})
}

// Subtract returns s without the absences of professional of team
// reported so far: none, one or two spans. Capacity adapters outside this
// package (frontdoor.CalendarCapacity) embed Absences and call it.
func (a *Absences) Subtract(team carecontact.TeamID, professional carecontact.ProfessionalID, s Span) []Span {
	a.mu.Lock()
	defer a.mu.Unlock()
	return subtractAbsences(s, professional, a.m[team])
}

// NewStaticCapacity returns an empty StaticCapacity over the given working
// days (nil: civil.FinnishWorkdays).
func NewStaticCapacity(w civil.Workdays) *StaticCapacity {
	if w == nil {
		w = civil.FinnishWorkdays()
	}
	return &StaticCapacity{workdays: w, shifts: map[carecontact.TeamID][]Shift{}}
}

// SetTeam sets the daily shifts of team's professionals.
// A shift without a professional, whose From and To are not an interval
// within the day, or that overlaps an earlier shift of the same
// professional, is an ErrInvalidRequest *carecontact.FieldError naming
// it ("shifts[1]"). Shifts of one professional that only touch (08-12,
// 12-16) are accepted.
func (c *StaticCapacity) SetTeam(team carecontact.TeamID, shifts ...Shift) error {
	for i, s := range shifts {
		var problem string
		switch {
		case s.Professional == "":
			problem = "professional is empty"
		case s.From < 0:
			problem = "from is before the start of the day"
		case s.To <= s.From:
			problem = "to must be after from"
		case s.To > civil.EndOfDay:
			problem = "to is after the end of the day"
		}
		for j, o := range shifts[:i] {
			if problem == "" && o.Professional == s.Professional && s.From < o.To && o.From < s.To {
				problem = fmt.Sprintf("overlaps shifts[%d] of the same professional", j)
			}
		}
		if problem != "" {
			return fmt.Errorf("team %q: %w", team, carecontact.Invalid(ErrInvalidRequest, fmt.Sprintf("shifts[%d]", i), problem))
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.shifts[team] = slices.Clone(shifts)
	return nil
}

// CallbackCapacity implements Capacity.
func (c *StaticCapacity) CallbackCapacity(ctx context.Context, team carecontact.TeamID, dayStart time.Time) ([]Interval, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dayStart = localDay(dayStart)
	if !isWorkday(c.workdays, dayStart) {
		return nil, nil
	}
	c.mu.Lock()
	shifts := c.shifts[team]
	c.mu.Unlock()
	var spans []Span
	for _, s := range shifts {
		spans = append(spans, c.Subtract(team, s.Professional, Span{at(dayStart, s.From), at(dayStart, s.To)})...)
	}
	return Staffing(spans), nil
}

func subtractAbsences(s Span, professional carecontact.ProfessionalID, abs []absence) []Span {
	out := []Span{s}
	for _, a := range abs {
		if a.professional != professional {
			continue
		}
		var next []Span
		for _, p := range out {
			if !a.from.Before(p.End) || !a.to.After(p.Start) {
				next = append(next, p)
				continue
			}
			if a.from.After(p.Start) {
				next = append(next, Span{p.Start, a.from})
			}
			if a.to.Before(p.End) {
				next = append(next, Span{a.to, p.End})
			}
		}
		out = next
	}
	return out
}

// capacityBetween returns the professional time of ivals within [a, b).
func capacityBetween(ivals []Interval, a, b time.Time) time.Duration {
	var sum time.Duration
	for _, iv := range ivals {
		s, e := iv.Start, iv.End
		if s.Before(a) {
			s = a
		}
		if e.After(b) {
			e = b
		}
		if e.After(s) {
			sum += time.Duration(iv.Professionals) * e.Sub(s)
		}
	}
	return sum
}

// advance returns the time at which work professional-time has been done on
// ivals starting at from, and false when today's capacity runs out first.
func advance(ivals []Interval, from time.Time, work time.Duration) (time.Time, bool) {
	if work <= 0 {
		return from, true
	}
	for _, iv := range ivals {
		if !iv.End.After(from) {
			continue
		}
		s := iv.Start
		if s.Before(from) {
			s = from
		}
		avail := time.Duration(iv.Professionals) * iv.End.Sub(s)
		if avail >= work {
			return s.Add(work / time.Duration(iv.Professionals)), true
		}
		work -= avail
	}
	return time.Time{}, false
}
