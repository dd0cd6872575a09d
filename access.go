package carecontact

import (
	"context"
	"fmt"
	"slices"
)

// The access model every package shares. An actor is a client, a
// professional or the system. What a professional may do beyond their own
// work comes from grants: a role held with a scope (their own team, their
// area, or the whole organisation). Grants, teams and areas come from the
// host's authenticated staff directory (a StaffDirectory), never from what
// a caller claims: a role written into a request's actor is not a grant.

// Scope is how far a grant reaches.
type Scope string

// The scopes, narrowest first.
const (
	// ScopeTeam reaches the professional's own team.
	ScopeTeam Scope = "team"
	// ScopeArea reaches every team of the professional's area.
	ScopeArea Scope = "area"
	// ScopeOrganisation reaches every area.
	ScopeOrganisation Scope = "organisation"
)

// Valid reports whether s is one of the scopes.
func (s Scope) Valid() bool {
	return s == ScopeTeam || s == ScopeArea || s == ScopeOrganisation
}

// Grant is a role held with a scope, such as a supervisor of the own team
// or a booking coordinator of the area.
type Grant struct {
	Role  string `json:"role"`
	Scope Scope  `json:"scope"`
}

// Place is where a piece of client data belongs: the team that owns it and
// that team's area. A zero Team means the data belongs to the area as a
// whole (an area's appointment calendar).
type Place struct {
	Team TeamID `json:"team,omitempty"`
	Area AreaID `json:"area"`
}

// StaffMember is what the host's directory knows of a professional: their
// teams, their area ("" for staff of a central team only) and their
// grants.
type StaffMember struct {
	ID     ProfessionalID `json:"id"`
	Teams  []TeamID       `json:"teams"`
	Area   AreaID         `json:"area,omitempty"`
	Grants []Grant        `json:"grants,omitempty"`
}

// Holds reports whether m holds role for data at p: a grant of the role
// whose scope reaches p.
func (m StaffMember) Holds(role string, p Place) bool {
	for _, g := range m.Grants {
		if g.Role != role {
			continue
		}
		switch g.Scope {
		case ScopeOrganisation:
			return true
		case ScopeArea:
			if p.Area != "" && p.Area == m.Area {
				return true
			}
		case ScopeTeam:
			if p.Team != "" && slices.Contains(m.Teams, p.Team) {
				return true
			}
		}
	}
	return false
}

// Works reports whether p is m's own team, or, for data of the area as a
// whole, m's own area.
func (m StaffMember) Works(p Place) bool {
	if p.Team != "" {
		return slices.Contains(m.Teams, p.Team)
	}
	return p.Area != "" && p.Area == m.Area
}

// StaffDirectory is the host's authenticated directory of staff: who a
// professional is, and where a team belongs. Implementations must be safe
// for concurrent use.
type StaffDirectory interface {
	// Member returns the professional, or an error matching ErrNotFound
	// for one the directory does not know.
	Member(ctx context.Context, id ProfessionalID) (StaffMember, error)
	// TeamArea returns the area of a team, or an error matching
	// ErrNotFound.
	TeamArea(ctx context.Context, team TeamID) (AreaID, error)
}

// ErrUnknownStaff reports a professional or team the staff directory does
// not know.
var ErrUnknownStaff = Sentinel(ErrNotFound, "carecontact: not in the staff directory")

// Staff is a fixed StaffDirectory: a list of members and the area of each
// team. Build it with NewStaff.
type Staff struct {
	members map[ProfessionalID]StaffMember
	teams   map[TeamID]AreaID
}

// NewStaff returns the directory of members, with teams naming the area
// of each team ("" for a central team). A member needs an ID and at least
// one team, and grants with a role and a valid scope; no ID appears twice.
// A member's team that teams does not name is taken to be in the member's
// area.
func NewStaff(members []StaffMember, teams map[TeamID]AreaID) (*Staff, error) {
	s := &Staff{members: map[ProfessionalID]StaffMember{}, teams: map[TeamID]AreaID{}}
	for t, a := range teams {
		if t == "" {
			return nil, Invalid(ErrInvalid, "teams", "a team ID is required")
		}
		s.teams[t] = a
	}
	for i, m := range members {
		field := func(f string) string { return fmt.Sprintf("staff[%d].%s", i, f) }
		switch {
		case m.ID == "":
			return nil, Invalid(ErrInvalid, field("id"), "is required")
		case len(m.Teams) == 0:
			return nil, Invalid(ErrInvalid, field("teams"), "is required")
		}
		if _, dup := s.members[m.ID]; dup {
			return nil, Invalid(ErrInvalid, field("id"), "appears twice")
		}
		for j, g := range m.Grants {
			if g.Role == "" {
				return nil, Invalid(ErrInvalid, field(fmt.Sprintf("grants[%d].role", j)), "is required")
			}
			if !g.Scope.Valid() {
				return nil, Invalid(ErrInvalid, field(fmt.Sprintf("grants[%d].scope", j)), "must be team, area or organisation")
			}
		}
		for j, t := range m.Teams {
			if t == "" {
				return nil, Invalid(ErrInvalid, field(fmt.Sprintf("teams[%d]", j)), "is empty")
			}
			if _, ok := s.teams[t]; !ok {
				s.teams[t] = m.Area
			}
		}
		m.Teams, m.Grants = slices.Clone(m.Teams), slices.Clone(m.Grants)
		s.members[m.ID] = m
	}
	return s, nil
}

// Member returns the professional.
func (s *Staff) Member(_ context.Context, id ProfessionalID) (StaffMember, error) {
	m, ok := s.members[id]
	if !ok {
		return StaffMember{}, fmt.Errorf("%w: professional", ErrUnknownStaff)
	}
	m.Teams, m.Grants = slices.Clone(m.Teams), slices.Clone(m.Grants)
	return m, nil
}

// TeamArea returns the area of a team.
func (s *Staff) TeamArea(_ context.Context, team TeamID) (AreaID, error) {
	a, ok := s.teams[team]
	if !ok {
		return "", fmt.Errorf("%w: team", ErrUnknownStaff)
	}
	return a, nil
}

// NoStaff is the StaffDirectory of a host that has none: it knows nobody,
// so no professional holds a grant.
type NoStaff struct{}

// Member reports every professional unknown.
func (NoStaff) Member(context.Context, ProfessionalID) (StaffMember, error) {
	return StaffMember{}, fmt.Errorf("%w: professional", ErrUnknownStaff)
}

// TeamArea reports every team unknown.
func (NoStaff) TeamArea(context.Context, TeamID) (AreaID, error) {
	return "", fmt.Errorf("%w: team", ErrUnknownStaff)
}
