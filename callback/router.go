package callback

import (
	"context"
	"fmt"

	"github.com/carecontact/carecontact"
)

// Step names of the default policy.
const (
	StepOwnTeam       = "own_team"
	StepNeighbourArea = "neighbour_areas"
	StepCentralPool   = "central_pool"
)

// Step is one routing step: the team that calls back at that step.
type Step struct {
	Name string             `json:"name"`
	Team carecontact.TeamID `json:"team"`
}

// Route is a routing decision for a callback request: the client's area and
// the ordered steps (own team first, then overflow steps).
type Route struct {
	Area  carecontact.AreaID
	Steps []Step
}

// Router decides who calls back. frontdoor.RoutingRouter adapts the
// routing package; StaticRouter serves tests and simulations.
type Router interface {
	// Route returns the ordered steps for r, or an error wrapping ErrNoRoute.
	Route(ctx context.Context, r Request) (Route, error)
}

// StaticRouter routes by postal code to an area's team, then to the
// neighbour areas' teams, then to a central pool. A known client's own team
// (Request.OwnTeam) comes first. Its maps must not change while in use.
type StaticRouter struct {
	// Areas maps postal codes to areas.
	Areas map[string]carecontact.AreaID
	// Teams maps areas to their callback team.
	Teams map[carecontact.AreaID]carecontact.TeamID
	// Neighbours lists each area's neighbour areas, nearest first.
	Neighbours map[carecontact.AreaID][]carecontact.AreaID
	// Pool is the central pool's team; empty for none.
	Pool carecontact.TeamID
}

// Route implements Router.
func (s StaticRouter) Route(ctx context.Context, r Request) (Route, error) {
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	area, known := s.Areas[r.PostalCode]
	if !known && r.OwnTeam == "" {
		return Route{}, fmt.Errorf("%w: postal code not in any area", ErrNoRoute)
	}
	var rt Route
	rt.Area = area
	seen := map[carecontact.TeamID]bool{}
	add := func(name string, team carecontact.TeamID) {
		if team != "" && !seen[team] {
			seen[team] = true
			rt.Steps = append(rt.Steps, Step{Name: name, Team: team})
		}
	}
	add(StepOwnTeam, r.OwnTeam)
	add(StepOwnTeam, s.Teams[area])
	for _, n := range s.Neighbours[area] {
		add(StepNeighbourArea, s.Teams[n])
	}
	add(StepCentralPool, s.Pool)
	if len(rt.Steps) == 0 {
		return Route{}, fmt.Errorf("%w: no team for the postal code's area", ErrNoRoute)
	}
	return rt, nil
}
