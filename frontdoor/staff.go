package frontdoor

import (
	"fmt"
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
)

// StaffOf builds the staff directory of an organisation: every routing
// professional, with their teams and the area of their first team that has
// one, plus extra. An extra member with a routing professional's ID adds
// grants to that professional (its teams, when given, must be theirs); one
// with another ID is staff who take no contacts, such as a head nurse, and
// names their teams. Every team a member names must be a routing team.
func StaffOf(dir *routing.Directory, extra []carecontact.StaffMember) (*carecontact.Staff, error) {
	members := map[carecontact.ProfessionalID]*carecontact.StaffMember{}
	var order []carecontact.ProfessionalID
	teams := map[carecontact.TeamID]carecontact.AreaID{}
	teamArea := func(t carecontact.TeamID) (carecontact.AreaID, bool) {
		if a, ok := teams[t]; ok {
			return a, true
		}
		tm, err := dir.Team(t)
		if err != nil {
			return "", false
		}
		teams[t] = tm.Area
		return tm.Area, true
	}
	for _, id := range dir.Professionals() {
		p, err := dir.Professional(id)
		if err != nil {
			return nil, err
		}
		m := &carecontact.StaffMember{ID: id, Teams: slices.Clone(p.Teams)}
		for _, t := range p.Teams {
			if a, _ := teamArea(t); a != "" && m.Area == "" {
				m.Area = a
			}
		}
		members[id] = m
		order = append(order, id)
	}
	for i, x := range extra {
		field := func(f string) string { return fmt.Sprintf("staff[%d].%s", i, f) }
		for j, t := range x.Teams {
			if _, ok := teamArea(t); !ok {
				return nil, carecontact.Invalid(ErrConfig, field(fmt.Sprintf("teams[%d]", j)), fmt.Sprintf("%q is not a routing team", t))
			}
		}
		if m, ok := members[x.ID]; ok {
			for _, t := range x.Teams {
				if !slices.Contains(m.Teams, t) {
					return nil, carecontact.Invalid(ErrConfig, field("teams"), fmt.Sprintf("professional %q is not a member of %q", x.ID, t))
				}
			}
			if x.Area != "" && x.Area != m.Area {
				return nil, carecontact.Invalid(ErrConfig, field("area"), fmt.Sprintf("professional %q works in area %q", x.ID, m.Area))
			}
			m.Grants = append(m.Grants, x.Grants...)
			continue
		}
		x.Teams, x.Grants = slices.Clone(x.Teams), slices.Clone(x.Grants)
		if x.Area == "" {
			for _, t := range x.Teams {
				if a, _ := teamArea(t); a != "" {
					x.Area = a
					break
				}
			}
		}
		members[x.ID] = &x
		order = append(order, x.ID)
	}
	list := make([]carecontact.StaffMember, 0, len(order))
	for _, id := range order {
		list = append(list, *members[id])
	}
	s, err := carecontact.NewStaff(list, teams)
	if err != nil {
		return nil, fmt.Errorf("%w: staff: %w", ErrConfig, err)
	}
	return s, nil
}
