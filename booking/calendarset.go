package booking

import (
	"cmp"
	"fmt"
	"slices"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// CalendarSet is a validated, read-only set of calendars with lookups by
// owner, team and area. It is safe for concurrent use.
type CalendarSet struct {
	byID   map[CalendarID]*Calendar
	order  []CalendarID
	byTeam map[carecontact.TeamID][]CalendarID
	byArea map[carecontact.AreaID][]CalendarID
	// cals are the calendars in order, pos their positions in it and
	// rank their positions in the order of their IDs (slot search breaks
	// ties by calendar ID without comparing strings).
	cals []*Calendar
	pos  map[CalendarID]int32
	rank []int32
}

// NewCalendarSet validates cals and returns a set over copies of them.
// IDs must be unique.
func NewCalendarSet(cals []Calendar) (*CalendarSet, error) {
	s := &CalendarSet{byID: map[CalendarID]*Calendar{}, byTeam: map[carecontact.TeamID][]CalendarID{}, byArea: map[carecontact.AreaID][]CalendarID{},
		pos: map[CalendarID]int32{}}
	for i := range cals {
		c := cals[i]
		if err := c.Validate(); err != nil {
			return nil, fmt.Errorf("booking: calendars[%d]: %w", i, err)
		}
		if _, dup := s.byID[c.ID]; dup {
			return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("calendars[%d].id", i), fmt.Sprintf("duplicate id %s", c.ID))
		}
		c.Rules = slices.Clone(c.Rules)
		c.Exceptions = slices.Clone(c.Exceptions)
		c.Skills = slices.Clone(c.Skills)
		s.byID[c.ID] = &c
		s.pos[c.ID] = int32(len(s.order))
		s.order = append(s.order, c.ID)
		s.cals = append(s.cals, &c)
		if c.Kind == OwnerProfessional && c.Team != "" {
			s.byTeam[c.Team] = append(s.byTeam[c.Team], c.ID)
		}
		s.byArea[c.Area] = append(s.byArea[c.Area], c.ID)
	}
	byName := make([]int32, len(s.order))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortFunc(byName, func(a, b int32) int { return cmp.Compare(s.order[a], s.order[b]) })
	s.rank = make([]int32, len(s.order))
	for r, i := range byName {
		s.rank[i] = int32(r)
	}
	return s, nil
}

// Calendar returns a copy of the calendar with the given ID.
func (s *CalendarSet) Calendar(id CalendarID) (Calendar, bool) {
	c, ok := s.byID[id]
	if !ok {
		return Calendar{}, false
	}
	return *c, true
}

// IDs returns the calendar IDs in the order they were given.
func (s *CalendarSet) IDs() []CalendarID { return slices.Clone(s.order) }

// InArea returns the IDs of the area's calendars.
func (s *CalendarSet) InArea(area carecontact.AreaID) []CalendarID {
	return slices.Clone(s.byArea[area])
}

// TeamMembers returns the professionals whose Team is team, in the order
// their calendars were given.
func (s *CalendarSet) TeamMembers(team carecontact.TeamID) []carecontact.ProfessionalID {
	var out []carecontact.ProfessionalID
	for _, id := range s.byTeam[team] {
		p, _ := s.byID[id].Professional()
		out = append(out, p)
	}
	return out
}

// Intervals returns owner's working intervals of block type t on day d (a
// day of Europe/Helsinki) in UTC. See Calendar.Intervals.
func (s *CalendarSet) Intervals(owner CalendarID, d civil.Date, t BlockType) ([]Interval, error) {
	c, ok := s.byID[owner]
	if !ok {
		return nil, fmt.Errorf("booking: calendar %s: %w", owner, ErrNotFound)
	}
	return c.Intervals(d, t)
}

// OwnerIntervals are one calendar's intervals.
type OwnerIntervals struct {
	Owner     CalendarID `json:"owner"`
	Kind      OwnerKind  `json:"kind"`
	Intervals []Interval `json:"intervals"`
}

// Professional returns the professional whose calendar's intervals o are;
// ok is false for a team's or a resource's calendar.
func (o OwnerIntervals) Professional() (p carecontact.ProfessionalID, ok bool) {
	return professional(o.Owner, o.Kind)
}

// TeamIntervals returns, for team and day d, the intervals of block type t
// of the team's own calendar (a calendar whose ID is team, if any) and of
// each member professional, in that order; owners without such time that
// day are left out. Callback planning sums these into the team's capacity
// per time interval.
func (s *CalendarSet) TeamIntervals(team carecontact.TeamID, d civil.Date, t BlockType) ([]OwnerIntervals, error) {
	ids := s.byTeam[team]
	if c, ok := s.byID[TeamCalendar(team)]; ok && c.Kind == OwnerTeam {
		ids = append([]CalendarID{c.ID}, ids...)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("booking: team %s: %w", team, ErrNotFound)
	}
	var out []OwnerIntervals
	for _, id := range ids {
		c := s.byID[id]
		ivs, err := c.Intervals(d, t)
		if err != nil {
			return nil, err
		}
		if len(ivs) > 0 {
			out = append(out, OwnerIntervals{Owner: id, Kind: c.Kind, Intervals: ivs})
		}
	}
	return out, nil
}
