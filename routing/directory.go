package routing

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// Team is a care team. A team belongs to one area, or to none if it is a
// central team.
type Team struct {
	ID             carecontact.TeamID
	NameFi, NameSv string
	// Area is the health-station area the team serves; empty for a central
	// team.
	Area carecontact.AreaID
	// Central marks a team of the central pool (TargetCentralPool).
	Central bool
}

// Professional is a staff member who takes offers.
type Professional struct {
	ID carecontact.ProfessionalID
	// Role is the professional's occupation.
	Role Role
	// Skills are the professional's competences.
	Skills []Skill
	// Languages are the languages the professional serves clients in: any
	// well-formed BCP 47 tags, matched to fi, sv or en as
	// civil.ParseLanguage does ("sv-FI" is sv; unsupported falls back to
	// fi).
	Languages []civil.Language
	// Teams are the teams the professional is a member of.
	Teams []carecontact.TeamID
	// Capacity is how much work of each slot class the professional takes
	// at once.
	Capacity Capacity
	// WrapUp is the time after each contact for notes and follow-up,
	// during which the professional gets no offers. Zero completes a
	// contact the moment it is finished.
	WrapUp time.Duration
}

// Pilot enables a channel for a cohort only: the members of named teams and
// named professionals. Work on that channel is never offered to anyone
// else.
type Pilot struct {
	Channel channel.Kind
	// Teams are the teams whose members are in the cohort.
	Teams []carecontact.TeamID
	// Professionals are individuals in the cohort, whatever their teams.
	Professionals []carecontact.ProfessionalID
}

// Config is everything a Directory is built from. Every field is a list
// whose order does not matter; the Directory sorts what it keeps.
type Config struct {
	// Areas are the health-station areas; a postal code belongs to at
	// most one. Defaults to none: no client is resident anywhere.
	Areas []Area
	// Teams are the care teams, each in one of Areas or central. Defaults
	// to none.
	Teams []Team
	// Professionals are the staff who take offers, members of Teams.
	// Defaults to none.
	Professionals []Professional
	// Policies are the routing policies, at most one per errand and
	// channel; an errand without a policy of its own and without a default
	// policy has no route. Defaults to none.
	Policies []Policy
	// Pilots limit channels to the members of named teams, at most one per
	// channel. Defaults to none: every routed channel is open to everyone.
	Pilots []Pilot
}

// Directory is the validated, read-only description of areas, teams,
// professionals, policies and pilots. It is safe for concurrent use. Build
// it with NewDirectory; to change it, build a new one.
type Directory struct {
	areas   []Area
	areaIdx map[carecontact.AreaID]int
	postal  map[PostalCode]int

	teams        []Team
	teamIdx      map[carecontact.TeamID]int
	teamMembers  [][]int // professional indices, ascending
	areaTeams    [][]int // team indices, ascending
	centralTeams []int

	profs   []Professional
	profIdx map[carecontact.ProfessionalID]int

	policies map[policyKey]*compiledPolicy

	// pilot[k] is nil when channel k is open to everyone, else pilot[k][p]
	// tells whether professional p is in the cohort.
	pilot map[channel.Kind][]bool
	// pilots are the pilots as configured, in configuration order.
	pilots []Pilot
}

// policyKey selects a policy: errand and channel, either may be empty.
type policyKey struct {
	errand  channel.Errand
	channel channel.Kind
}

type compiledPolicy struct {
	Policy
	filters []string // filterKey of each step
}

// NewDirectory validates cfg and builds a Directory. Errors wrap ErrInvalid
// (or ErrUnknownArea, ErrUnknownTeam or ErrUnknownProfessional for dangling
// references) and name the offending field.
func NewDirectory(cfg Config) (*Directory, error) {
	d := &Directory{
		areaIdx:  map[carecontact.AreaID]int{},
		postal:   map[PostalCode]int{},
		teamIdx:  map[carecontact.TeamID]int{},
		profIdx:  map[carecontact.ProfessionalID]int{},
		policies: map[policyKey]*compiledPolicy{},
		pilot:    map[channel.Kind][]bool{},
	}
	d.areas = slices.Clone(cfg.Areas)
	slices.SortFunc(d.areas, func(a, b Area) int { return cmp.Compare(a.ID, b.ID) })
	for i, a := range d.areas {
		if a.ID == "" {
			return nil, carecontact.Invalid(ErrInvalid, "areas.id", "is empty")
		}
		if a.NameFi == "" {
			return nil, carecontact.Invalid(ErrInvalid, "areas["+quoteID(string(a.ID))+"].nameFi", "is empty")
		}
		if _, dup := d.areaIdx[a.ID]; dup {
			return nil, carecontact.Invalid(ErrInvalid, "areas["+quoteID(string(a.ID))+"].id", "is a duplicate")
		}
		if err := a.validateHours(); err != nil {
			return nil, carecontact.Invalid(ErrInvalid, "areas["+quoteID(string(a.ID))+"].hours", err.Error())
		}
		d.areaIdx[a.ID] = i
		for _, pc := range a.PostalCodes {
			parsed, err := ParsePostalCode(string(pc))
			if err != nil {
				return nil, fmt.Errorf("area %s: postal_codes: %w", a.ID, err)
			}
			if parsed != pc {
				return nil, fmt.Errorf("area %s: postal_codes: %w: %q has surrounding spaces", a.ID, ErrMalformedPostalCode, pc)
			}
			if other, dup := d.postal[pc]; dup {
				return nil, carecontact.Invalid(ErrInvalid, "areas["+quoteID(string(a.ID))+"].postalCodes", fmt.Sprintf("%s already belongs to area %s", pc, d.areas[other].ID))
			}
			d.postal[pc] = i
		}
	}
	for _, a := range d.areas {
		for _, n := range a.Neighbours {
			if _, ok := d.areaIdx[n]; !ok {
				return nil, fmt.Errorf("area %s: neighbours: %w: %s", a.ID, ErrUnknownArea, n)
			}
			if n == a.ID {
				return nil, carecontact.Invalid(ErrInvalid, "areas["+quoteID(string(a.ID))+"].neighbours", "an area is not its own neighbour")
			}
		}
	}

	d.teams = slices.Clone(cfg.Teams)
	slices.SortFunc(d.teams, func(a, b Team) int { return cmp.Compare(a.ID, b.ID) })
	d.areaTeams = make([][]int, len(d.areas))
	for i, t := range d.teams {
		if t.ID == "" {
			return nil, carecontact.Invalid(ErrInvalid, "teams.id", "is empty")
		}
		if _, dup := d.teamIdx[t.ID]; dup {
			return nil, carecontact.Invalid(ErrInvalid, "teams["+quoteID(string(t.ID))+"].id", "is a duplicate")
		}
		d.teamIdx[t.ID] = i
		if t.Area != "" {
			ai, ok := d.areaIdx[t.Area]
			if !ok {
				return nil, fmt.Errorf("team %s: area: %w: %s", t.ID, ErrUnknownArea, t.Area)
			}
			d.areaTeams[ai] = append(d.areaTeams[ai], i)
		} else if !t.Central {
			return nil, carecontact.Invalid(ErrInvalid, "teams["+quoteID(string(t.ID))+"].area", "is required for a team that is not central")
		}
		if t.Central {
			d.centralTeams = append(d.centralTeams, i)
		}
	}

	d.profs = make([]Professional, len(cfg.Professionals))
	for i, p := range cfg.Professionals {
		p.Skills = slices.Clone(p.Skills)
		p.Languages = matchLanguages(p.Languages)
		p.Teams = slices.Clone(p.Teams)
		d.profs[i] = p
	}
	slices.SortFunc(d.profs, func(a, b Professional) int { return cmp.Compare(a.ID, b.ID) })
	d.teamMembers = make([][]int, len(d.teams))
	for i, p := range d.profs {
		if err := d.checkProfessional(p); err != nil {
			return nil, err
		}
		d.profIdx[p.ID] = i
		for _, t := range p.Teams {
			ti := d.teamIdx[t]
			if n := len(d.teamMembers[ti]); n > 0 && d.teamMembers[ti][n-1] == i {
				continue // listed twice
			}
			d.teamMembers[ti] = append(d.teamMembers[ti], i)
		}
	}

	for i, p := range cfg.Policies {
		key := policyKey{p.Errand, p.Channel}
		if _, dup := d.policies[key]; dup {
			return nil, fmt.Errorf("%w: policies[%d]: duplicate policy for errand %q channel %q", ErrInvalid, i, p.Errand, p.Channel)
		}
		if _, err := SlotOf(p.Channel); p.Channel != "" && err != nil {
			return nil, fmt.Errorf("%w: policies[%d].channel: %q is not a routed channel", ErrInvalid, i, p.Channel)
		}
		if len(p.Steps) == 0 {
			return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("policies[%d].steps", i), "are empty")
		}
		cp := &compiledPolicy{Policy: Policy{Errand: p.Errand, Channel: p.Channel, Steps: slices.Clone(p.Steps)}}
		for j, s := range cp.Steps {
			if err := s.validate(j == len(p.Steps)-1); err != nil {
				return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("policies[%d].steps[%d]", i, j), err.Error())
			}
			if s.Target == TargetTeam {
				if _, ok := d.teamIdx[s.Team]; !ok {
					return nil, fmt.Errorf("policies[%d] steps[%d]: %w: %s", i, j, ErrUnknownTeam, s.Team)
				}
			}
			cp.Steps[j].Roles = slices.Clone(s.Roles)
			cp.Steps[j].Skills = slices.Clone(s.Skills)
			cp.filters = append(cp.filters, s.filterKey())
		}
		d.policies[key] = cp
	}

	for i, pl := range cfg.Pilots {
		if _, err := SlotOf(pl.Channel); err != nil {
			return nil, fmt.Errorf("%w: pilots[%d].channel: %q is not a routed channel", ErrInvalid, i, pl.Channel)
		}
		if _, dup := d.pilot[pl.Channel]; dup {
			return nil, fmt.Errorf("%w: pilots[%d]: duplicate pilot for channel %s", ErrInvalid, i, pl.Channel)
		}
		in := make([]bool, len(d.profs))
		for _, t := range pl.Teams {
			ti, ok := d.teamIdx[t]
			if !ok {
				return nil, carecontact.Invalid(ErrUnknownTeam, fmt.Sprintf("pilots[%d].teams", i), quoteID(string(t)))
			}
			for _, p := range d.teamMembers[ti] {
				in[p] = true
			}
		}
		for j, id := range pl.Professionals {
			p, ok := d.profIdx[id]
			if !ok {
				return nil, fmt.Errorf("pilots[%d].professionals[%d]: %w: %s", i, j, ErrUnknownProfessional, id)
			}
			in[p] = true
		}
		d.pilot[pl.Channel] = in
		d.pilots = append(d.pilots, pl.clone())
	}
	return d, nil
}

func (d *Directory) checkProfessional(p Professional) error {
	if p.ID == "" {
		return carecontact.Invalid(ErrInvalid, "professionals.id", "is empty")
	}
	if _, dup := d.profIdx[p.ID]; dup {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].id", "is a duplicate")
	}
	if p.Role == "" {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].role", "is empty")
	}
	if len(p.Languages) == 0 {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].languages", "are empty")
	}
	for i, l := range p.Languages {
		if !l.Valid() {
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("professionals[%s].languages[%d]", quoteID(string(p.ID)), i), "is not a BCP 47 tag")
		}
	}
	if len(p.Teams) == 0 {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].teams", "are empty")
	}
	for _, t := range p.Teams {
		if _, ok := d.teamIdx[t]; !ok {
			return fmt.Errorf("professional %s: teams: %w: %s", p.ID, ErrUnknownTeam, t)
		}
	}
	c := p.Capacity
	if c.Synchronous < 0 || c.Chat < 0 || c.Message < 0 {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].capacity", "is negative")
	}
	if p.WrapUp < 0 {
		return carecontact.Invalid(ErrInvalid, "professionals["+quoteID(string(p.ID))+"].wrapUp", "is negative")
	}
	return nil
}

// AreaOf returns the area whose residents live in postal code s. It fails
// with ErrMalformedPostalCode or ErrUnknownPostalCode.
func (d *Directory) AreaOf(s string) (Area, error) {
	pc, err := ParsePostalCode(s)
	if err != nil {
		return Area{}, err
	}
	i, ok := d.postal[pc]
	if !ok {
		return Area{}, fmt.Errorf("%w: %s is in no area", ErrUnknownPostalCode, pc)
	}
	return cloneArea(d.areas[i]), nil
}

// Area returns the area with the given ID, or ErrUnknownArea.
func (d *Directory) Area(id carecontact.AreaID) (Area, error) {
	i, ok := d.areaIdx[id]
	if !ok {
		return Area{}, fmt.Errorf("%w: %s", ErrUnknownArea, quoteID(string(id)))
	}
	return cloneArea(d.areas[i]), nil
}

// Neighbours returns the neighbour areas of area id, or ErrUnknownArea.
func (d *Directory) Neighbours(id carecontact.AreaID) ([]carecontact.AreaID, error) {
	a, err := d.Area(id)
	if err != nil {
		return nil, err
	}
	return a.Neighbours, nil
}

// Team returns the team with the given ID, or ErrUnknownTeam.
func (d *Directory) Team(id carecontact.TeamID) (Team, error) {
	i, ok := d.teamIdx[id]
	if !ok {
		return Team{}, fmt.Errorf("%w: %s", ErrUnknownTeam, quoteID(string(id)))
	}
	return d.teams[i], nil
}

// Members returns the IDs of the members of team id in ascending order, or
// ErrUnknownTeam.
func (d *Directory) Members(id carecontact.TeamID) ([]carecontact.ProfessionalID, error) {
	i, ok := d.teamIdx[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrUnknownTeam, quoteID(string(id)))
	}
	out := make([]carecontact.ProfessionalID, len(d.teamMembers[i]))
	for j, p := range d.teamMembers[i] {
		out[j] = d.profs[p].ID
	}
	return out, nil
}

// IsMember reports whether professional is a member of team, or returns
// ErrUnknownTeam. A professional the directory does not know is no member.
// It implements session.TeamDirectory, so a session manager checks team
// membership against the same directory routing offers work from.
func (d *Directory) IsMember(_ context.Context, team carecontact.TeamID, professional carecontact.ProfessionalID) (bool, error) {
	t, ok := d.teamIdx[team]
	if !ok {
		return false, fmt.Errorf("%w: %s", ErrUnknownTeam, quoteID(string(team)))
	}
	p, ok := d.profIdx[professional]
	if !ok {
		return false, nil
	}
	_, member := slices.BinarySearch(d.teamMembers[t], p)
	return member, nil
}

// HasTeam reports whether the directory knows team. It implements
// session.TeamDirectory.
func (d *Directory) HasTeam(_ context.Context, team carecontact.TeamID) (bool, error) {
	return d.hasTeam(team), nil
}

// HasProfessional reports whether the directory knows professional. It
// implements session.TeamDirectory.
func (d *Directory) HasProfessional(_ context.Context, professional carecontact.ProfessionalID) (bool, error) {
	return d.hasProf(professional), nil
}

// Professional returns the professional with the given ID, or
// ErrUnknownProfessional.
func (d *Directory) Professional(id carecontact.ProfessionalID) (Professional, error) {
	i, ok := d.profIdx[id]
	if !ok {
		return Professional{}, fmt.Errorf("%w: %s", ErrUnknownProfessional, quoteID(string(id)))
	}
	p := d.profs[i]
	p.Skills, p.Languages, p.Teams = slices.Clone(p.Skills), slices.Clone(p.Languages), slices.Clone(p.Teams)
	return p, nil
}

// Professionals returns the IDs of all professionals in ascending order.
func (d *Directory) Professionals() []carecontact.ProfessionalID {
	out := make([]carecontact.ProfessionalID, len(d.profs))
	for i, p := range d.profs {
		out[i] = p.ID
	}
	return out
}

// Piloted reports whether channel k is enabled for a pilot cohort only.
func (d *Directory) Piloted(k channel.Kind) bool { return d.pilot[k] != nil }

// InPilot reports whether professional p may take work on channel k: true
// when k is not piloted, or p is in its cohort (a member of a pilot team or
// named in the pilot). A professional the directory does not know is in no
// cohort.
func (d *Directory) InPilot(k channel.Kind, p carecontact.ProfessionalID) bool {
	in := d.pilot[k]
	if in == nil {
		return true
	}
	i, ok := d.profIdx[p]
	return ok && in[i]
}

// Pilots returns a copy of the pilots in configuration order, so hosts and
// KPIs can split the cohort from the others.
func (d *Directory) Pilots() []Pilot {
	out := make([]Pilot, len(d.pilots))
	for i, pl := range d.pilots {
		out[i] = pl.clone()
	}
	return out
}

func (pl Pilot) clone() Pilot {
	pl.Teams, pl.Professionals = slices.Clone(pl.Teams), slices.Clone(pl.Professionals)
	return pl
}

// Policy returns the policy that applies to errand e in channel k: the
// errand's in the channel, the errand's, the channel's default, the
// default (k empty: the errand's, else the default). ok is false when there
// is none.
func (d *Directory) Policy(e channel.Errand, k channel.Kind) (Policy, bool) {
	cp := d.policyFor(e, k)
	if cp == nil {
		return Policy{}, false
	}
	return Policy{Errand: cp.Errand, Channel: cp.Channel, Steps: slices.Clone(cp.Steps)}, true
}

func (d *Directory) policyFor(e channel.Errand, k channel.Kind) *compiledPolicy {
	for _, key := range [...]policyKey{{e, k}, {e, ""}, {"", k}, {"", ""}} {
		if p, ok := d.policies[key]; ok {
			return p
		}
	}
	return nil
}

func cloneArea(a Area) Area {
	a.PostalCodes = slices.Clone(a.PostalCodes)
	a.Neighbours = slices.Clone(a.Neighbours)
	a.Hours = slices.Clone(a.Hours)
	if a.EveHours != nil {
		eve := *a.EveHours
		a.EveHours = &eve
	}
	return a
}

// eligible reports whether professional p passes step s's filters for work
// on channel k in slot class slot for a contact in language lang.
func (d *Directory) eligible(p int, s Step, k channel.Kind, slot Slot, lang civil.Language) bool {
	return d.eligibleFor(p, s, slot, lang, d.pilot[k])
}

// eligibleFor is eligible with the pilot cohort given explicitly (nil: the
// channel is open to everyone).
func (d *Directory) eligibleFor(p int, s Step, slot Slot, lang civil.Language, pilot []bool) bool {
	pr := &d.profs[p]
	if pr.Capacity.Of(slot) <= 0 {
		return false
	}
	if pilot != nil && !pilot[p] {
		return false
	}
	if len(s.Roles) > 0 && !slices.Contains(s.Roles, pr.Role) {
		return false
	}
	for _, sk := range s.Skills {
		if !slices.Contains(pr.Skills, sk) {
			return false
		}
	}
	if s.MatchLanguage && !slices.Contains(pr.Languages, lang) {
		return false
	}
	return true
}

// matchLanguages returns ls matched to the supported languages, in a new
// slice. A malformed tag is kept as it is, for checkProfessional to report.
func matchLanguages(ls []civil.Language) []civil.Language {
	if ls == nil {
		return nil
	}
	out := make([]civil.Language, len(ls))
	for i, l := range ls {
		m, err := civil.ParseLanguage(string(l))
		if err != nil || l == "" {
			m = l
		}
		out[i] = m
	}
	return out
}
