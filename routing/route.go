package routing

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// Contact is what routing needs to know about a client's contact. It holds
// no personal data: the client is a pseudonymous reference.
type Contact struct {
	// Client is the client's pseudonymous reference.
	Client carecontact.ClientRef
	// Errand selects the policy.
	Errand channel.Errand
	// Channel is the channel the work arrives on; it selects the slot
	// class and any pilot restriction.
	Channel channel.Kind
	// Priority orders the queue (with ageing).
	Priority Priority
	// PostalCode is the client's postal code; it gives the home area
	// unless Area is set.
	PostalCode PostalCode
	// Area is the client's home area, overriding PostalCode.
	Area carecontact.AreaID
	// OwnProfessional is the client's named professional, if any.
	OwnProfessional carecontact.ProfessionalID
	// OwnTeam is the client's own care team, if any.
	OwnTeam carecontact.TeamID
	// Language is the language the client is served in: any well-formed
	// BCP 47 tag, matched to fi, sv or en as civil.ParseLanguage does
	// ("sv-FI" is sv; unsupported tags and empty are fi). A malformed tag is
	// ErrInvalid.
	Language civil.Language
	// Hold: when nobody is signed in for any step, the item waits in its
	// first step that has candidates, instead of being refused with
	// ReasonNobodySignedIn. Work promised already (a due callback) holds;
	// a caller who can be told "try later" does not.
	Hold bool
}

// RouteStep is one usable step of a contact's route.
type RouteStep struct {
	// Index is the step's index in the policy.
	Index int
	// Target is the step's target.
	Target Target
	// Timeout is the step's timeout (zero: wait until served).
	Timeout time.Duration
	// Areas are the areas the step covers (home area, or home and
	// neighbour areas), ascending; empty for other targets.
	Areas []carecontact.AreaID
	// Teams are the teams in the step's scope that have at least one
	// candidate, ascending.
	Teams []carecontact.TeamID
	// Professionals are the candidates: the professionals in the step's
	// scope who pass its filters, take work on the channel and, for a
	// piloted channel, are in the pilot cohort; ascending.
	Professionals []carecontact.ProfessionalID
}

// SkippedStep is a policy step a route leaves out, and why.
type SkippedStep struct {
	Index  int
	Target Target
	Reason string
}

// Route is the ordered plan for a contact: the steps the dispatcher will try,
// each with its candidates, regardless of who is signed in right now.
type Route struct {
	Errand  channel.Errand
	Channel channel.Kind
	// Area is the contact's home area, empty if it has none.
	Area    carecontact.AreaID
	Steps   []RouteStep
	Skipped []SkippedStep
}

// scope is the set of professionals a step reaches before filters.
type scope struct {
	target Target
	id     string // professional, team or area ID; empty for the central pool
	skip   string // non-empty: the step cannot be resolved for this contact
}

// resolved is a contact's validated facts and the scopes of its policy.
type resolved struct {
	pol    *compiledPolicy
	slot   Slot
	lang   civil.Language
	home   carecontact.AreaID
	scopes []scope
}

// Route returns the contact's route: the policy steps for its errand, each
// resolved to its candidate teams and professionals, with the steps that
// have no candidate listed as skipped. It is a pure function of the
// directory and the contact; it ignores presence and opening hours, which
// the dispatcher checks when an item reaches a step. Planners (such as the
// same-day callback planner) use it to see, team by team, who could take a
// contact.
//
// It fails with ErrInvalid or ErrMalformedPostalCode for bad input, and with
// a *NoRouteError (matching ErrNoRoute) when no step has a candidate.
func (d *Directory) Route(c Contact) (Route, error) {
	r, err := d.resolve(c)
	if err != nil {
		return Route{}, err
	}
	out := Route{Errand: c.Errand, Channel: c.Channel, Area: r.home}
	anyUnpiloted := false
	for i, sc := range r.scopes {
		s := r.pol.Steps[i]
		if sc.skip != "" {
			out.Skipped = append(out.Skipped, SkippedStep{Index: i, Target: s.Target, Reason: sc.skip})
			continue
		}
		cands, why, pilotOnly := d.candidates(sc, s, c.Channel, r.slot, r.lang)
		anyUnpiloted = anyUnpiloted || pilotOnly
		if len(cands) == 0 {
			out.Skipped = append(out.Skipped, SkippedStep{Index: i, Target: s.Target, Reason: why})
			continue
		}
		rs := RouteStep{Index: i, Target: s.Target, Timeout: s.Timeout, Areas: d.scopeAreas(sc)}
		for _, p := range cands {
			rs.Professionals = append(rs.Professionals, d.profs[p].ID)
		}
		rs.Teams = d.scopeTeams(sc, cands)
		out.Steps = append(out.Steps, rs)
	}
	if len(out.Steps) == 0 {
		reason := ReasonNoCandidates
		if anyUnpiloted {
			reason = ReasonNotInPilot
		}
		return Route{}, &NoRouteError{Reason: reason, Errand: c.Errand, Channel: c.Channel, Skipped: out.Skipped}
	}
	return out, nil
}

// candidates returns the professionals of scope sc who pass step s for work
// on channel k; with none, why says so, and pilotOnly tells whether some
// would qualify but for the channel's pilot.
func (d *Directory) candidates(sc scope, s Step, k channel.Kind, slot Slot, lang civil.Language) (cands []int, why string, pilotOnly bool) {
	members := d.scopeMembers(sc)
	for _, p := range members {
		if d.eligible(p, s, k, slot, lang) {
			cands = append(cands, p)
		} else if d.pilot[k] != nil && d.eligibleFor(p, s, slot, lang, nil) {
			pilotOnly = true
		}
	}
	switch {
	case len(cands) > 0:
	case len(members) == 0:
		why = "nobody in the step's scope"
	case pilotOnly:
		why = "nobody in the step's scope is in the " + string(k) + " pilot"
	default:
		why = "no professional matches the step's filters and takes work on " + string(k)
	}
	return cands, why, pilotOnly
}

// resolve validates c and finds the scope of every step of its policy.
func (d *Directory) resolve(c Contact) (resolved, error) {
	var r resolved
	if c.Errand == "" {
		return r, carecontact.Invalid(ErrInvalid, "errand", "is empty")
	}
	if err := validateRefs(c); err != nil {
		return r, err
	}
	slot, err := SlotOf(c.Channel)
	if err != nil {
		return r, carecontact.Invalid(ErrInvalid, "channel", "is not routed work")
	}
	r.slot = slot
	if err := validatePriority(c.Priority); err != nil {
		return r, err
	}
	r.lang, err = civil.ParseLanguage(string(c.Language))
	if err != nil {
		return r, &carecontact.FieldError{Field: "language", Reason: "is not a BCP 47 tag",
			Err: fmt.Errorf("%w (%w)", ErrInvalid, civil.ErrInvalid)}
	}
	homeWhy := ""
	switch {
	case c.Area != "":
		if _, ok := d.areaIdx[c.Area]; !ok {
			homeWhy = fmt.Sprintf("home area %s is unknown", c.Area)
		} else {
			r.home = c.Area
		}
	case c.PostalCode != "":
		a, err := d.AreaOf(string(c.PostalCode))
		switch {
		case err == nil:
			r.home = a.ID
		case errors.Is(err, ErrMalformedPostalCode):
			return r, err
		default:
			homeWhy = fmt.Sprintf("postal code %s is in no area", c.PostalCode)
		}
	default:
		homeWhy = "contact has no postal code or home area"
	}
	r.pol = d.policyFor(c.Errand, c.Channel)
	if r.pol == nil {
		return r, &NoRouteError{Reason: ReasonNoPolicy, Errand: c.Errand, Channel: c.Channel}
	}
	r.scopes = make([]scope, len(r.pol.Steps))
	for i, s := range r.pol.Steps {
		sc := scope{target: s.Target}
		switch s.Target {
		case TargetOwnProfessional:
			sc.id, sc.skip = own("professional", string(c.OwnProfessional), d.hasProf(c.OwnProfessional))
		case TargetOwnTeam:
			sc.id, sc.skip = own("team", string(c.OwnTeam), d.hasTeam(c.OwnTeam))
		case TargetHomeArea, TargetNeighbourAreas:
			if r.home == "" {
				sc.skip = homeWhy
			} else {
				sc.id = string(r.home)
			}
		case TargetTeam:
			sc.id = string(s.Team)
		case TargetCentralPool:
		}
		r.scopes[i] = sc
	}
	return r, nil
}

// own resolves an own-professional or own-team step: the ID, or why not.
func own(what, id string, known bool) (string, string) {
	switch {
	case id == "":
		return "", "contact has no own " + what
	case !known:
		return "", fmt.Sprintf("own %s %s is unknown", what, id)
	}
	return id, ""
}

func (d *Directory) hasProf(id carecontact.ProfessionalID) bool { _, ok := d.profIdx[id]; return ok }
func (d *Directory) hasTeam(id carecontact.TeamID) bool         { _, ok := d.teamIdx[id]; return ok }

// scopeTeamIdx returns the team indices a scope covers (nil for a single
// professional).
func (d *Directory) scopeTeamIdx(sc scope) []int {
	switch sc.target {
	case TargetOwnTeam, TargetTeam:
		return []int{d.teamIdx[carecontact.TeamID(sc.id)]}
	case TargetHomeArea:
		return d.areaTeams[d.areaIdx[carecontact.AreaID(sc.id)]]
	case TargetNeighbourAreas:
		ai := d.areaIdx[carecontact.AreaID(sc.id)]
		ts := slices.Clone(d.areaTeams[ai])
		for _, n := range d.areas[ai].Neighbours {
			ts = append(ts, d.areaTeams[d.areaIdx[n]]...)
		}
		slices.Sort(ts)
		return slices.Compact(ts)
	case TargetCentralPool:
		return d.centralTeams
	}
	return nil
}

// scopeMembers returns the professional indices a scope covers, ascending.
func (d *Directory) scopeMembers(sc scope) []int {
	if sc.target == TargetOwnProfessional {
		return []int{d.profIdx[carecontact.ProfessionalID(sc.id)]}
	}
	var out []int
	for _, t := range d.scopeTeamIdx(sc) {
		out = append(out, d.teamMembers[t]...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (d *Directory) scopeAreas(sc scope) []carecontact.AreaID {
	switch sc.target {
	case TargetHomeArea:
		return []carecontact.AreaID{carecontact.AreaID(sc.id)}
	case TargetNeighbourAreas:
		a := d.areas[d.areaIdx[carecontact.AreaID(sc.id)]]
		out := append([]carecontact.AreaID{a.ID}, a.Neighbours...)
		slices.Sort(out)
		return slices.Compact(out)
	}
	return nil
}

// scopeTeams returns the teams of the scope that hold at least one of the
// candidates; for a single professional, that professional's teams.
func (d *Directory) scopeTeams(sc scope, cands []int) []carecontact.TeamID {
	var out []carecontact.TeamID
	if sc.target == TargetOwnProfessional {
		out = slices.Clone(d.profs[cands[0]].Teams)
		slices.Sort(out)
		return slices.Compact(out)
	}
	for _, t := range d.scopeTeamIdx(sc) {
		for _, p := range d.teamMembers[t] {
			if _, found := slices.BinarySearch(cands, p); found {
				out = append(out, d.teams[t].ID)
				break
			}
		}
	}
	return out
}

// validateRefs checks the references of a contact: the client, errand,
// area, own team and own professional are at most carecontact.MaxIDLen
// bytes of UTF-8 without control characters. An error names the field and
// never repeats the value.
func validateRefs(c Contact) error {
	for _, f := range []struct{ name, id string }{{"client", string(c.Client)}, {"errand", string(c.Errand)},
		{"area", string(c.Area)}, {"ownTeam", string(c.OwnTeam)}, {"ownProfessional", string(c.OwnProfessional)}} {
		if err := carecontact.ValidateID(ErrInvalid, f.name, f.id); err != nil {
			return err
		}
	}
	return nil
}

// validatePriority reports a priority that is not routine, high or urgent.
func validatePriority(p Priority) error {
	if p < PriorityRoutine || p > PriorityUrgent {
		return carecontact.Invalid(ErrInvalid, "priority", "is not routine, high or urgent")
	}
	return nil
}
