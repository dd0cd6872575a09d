package routing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Target is whom a policy step offers work to.
type Target int

// The step targets, in the usual order of widening.
const (
	// TargetOwnProfessional: the client's own named professional.
	TargetOwnProfessional Target = iota + 1
	// TargetOwnTeam: the members of the client's own care team.
	TargetOwnTeam
	// TargetHomeArea: the members of every team of the client's home
	// health-station area.
	TargetHomeArea
	// TargetNeighbourAreas: the members of the teams of the home area and
	// of its neighbour areas (the home area stays included, so widening
	// never narrows).
	TargetNeighbourAreas
	// TargetCentralPool: the members of the central teams (Team.Central),
	// such as a city-wide remote reception unit.
	TargetCentralPool
	// TargetTeam: the members of one named team (Step.Team), e.g. a
	// mental-health team every area shares.
	TargetTeam
)

// String returns the target's name, e.g. "own_team".
func (t Target) String() string {
	switch t {
	case TargetOwnProfessional:
		return "own_professional"
	case TargetOwnTeam:
		return "own_team"
	case TargetHomeArea:
		return "home_area"
	case TargetNeighbourAreas:
		return "neighbour_areas"
	case TargetCentralPool:
		return "central_pool"
	case TargetTeam:
		return "team"
	default:
		return fmt.Sprintf("target(%d)", int(t))
	}
}

// Step is one step of a policy: a target, how long the item waits for it
// before widening to the next step, and the filters a professional must
// pass.
type Step struct {
	Target Target
	// Team is the team of a TargetTeam step.
	Team carecontact.TeamID
	// Timeout is how long an item waits in this step before it widens to
	// the next. Every step but the last needs one. On the last step a zero
	// Timeout waits until the item is served or rescinded; a positive one
	// drops the item with ReasonExhausted when it passes.
	Timeout time.Duration
	// Roles, if any, are the roles of which a professional must have one.
	Roles []Role
	// Skills, if any, are the skills a professional must all have.
	Skills []Skill
	// MatchLanguage requires the professional to speak the contact's
	// language.
	MatchLanguage bool
}

// Policy is the ordered list of steps for one errand, or one errand in one
// channel.
type Policy struct {
	// Errand is the errand the policy applies to; the policy with an empty
	// Errand is the default for errands that have none of their own.
	Errand channel.Errand
	// Channel, if set, limits the policy to contacts in that routed
	// channel: due callbacks can stay with the promising team's nurses on
	// callback duty while inbound calls of the same errand widen to the
	// central pool. A contact gets the most specific policy: its errand in
	// its channel, its errand, the default of its channel, the default.
	Channel channel.Kind
	Steps   []Step
}

// StandardPolicy returns the usual widening for an errand: own professional
// (2 min), own team (5 min), home area (10 min), neighbour areas (10 min),
// then the central pool until served. Filters apply to every step.
func StandardPolicy(errand channel.Errand, roles ...Role) Policy {
	steps := []Step{
		{Target: TargetOwnProfessional, Timeout: 2 * time.Minute},
		{Target: TargetOwnTeam, Timeout: 5 * time.Minute},
		{Target: TargetHomeArea, Timeout: 10 * time.Minute},
		{Target: TargetNeighbourAreas, Timeout: 10 * time.Minute},
		{Target: TargetCentralPool},
	}
	for i := range steps {
		steps[i].Roles = slices.Clone(roles)
	}
	return Policy{Errand: errand, Steps: steps}
}

func (s Step) validate(last bool) error {
	if s.Target < TargetOwnProfessional || s.Target > TargetTeam {
		return fmt.Errorf("target %d is not a target", int(s.Target))
	}
	if s.Target == TargetTeam && s.Team == "" {
		return fmt.Errorf("team is required for a team step")
	}
	if s.Target != TargetTeam && s.Team != "" {
		return fmt.Errorf("team is only for a team step")
	}
	if s.Timeout < 0 || (!last && s.Timeout == 0) {
		return fmt.Errorf("timeout must be positive (zero only on the last step)")
	}
	return nil
}

// filterKey is a canonical text of a step's role and skill filters, used to
// share queues between steps that filter alike. Each name is written with
// its length, so no name (one holding "," or "|", say) can make two
// different filters read alike.
func (s Step) filterKey() string {
	roles := make([]string, len(s.Roles))
	for i, r := range s.Roles {
		roles[i] = string(r)
	}
	skills := make([]string, len(s.Skills))
	for i, k := range s.Skills {
		skills[i] = string(k)
	}
	var b strings.Builder
	for _, names := range [][]string{roles, skills} {
		slices.Sort(names)
		names = slices.Compact(names)
		b.WriteString(strconv.Itoa(len(names)))
		for _, n := range names {
			b.WriteString(":" + strconv.Itoa(len(n)) + ":" + n)
		}
		b.WriteString(";")
	}
	return b.String()
}
