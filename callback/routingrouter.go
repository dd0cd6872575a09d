package callback

import (
	"context"
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// RoutingRouter is the Router of a routing.Directory: the request is routed
// as a contact on channel.Callback, and each resolved policy step gives its
// candidate teams in order (the own professional's team, the own team, the
// home area's teams, the neighbour areas' teams, the central pool), each
// team once, named by the step's target ("own_team", "neighbour_areas",
// "central_pool", ...).
type RoutingRouter struct {
	Directory *routing.Directory
}

// Route implements Router. A routing.NoRouteError matches both ErrNoRoute
// and routing.ErrNoRoute; a malformed postal code matches ErrInvalidRequest.
func (r RoutingRouter) Route(ctx context.Context, req Request) (Route, error) {
	if err := ctx.Err(); err != nil {
		return Route{}, err
	}
	if r.Directory == nil {
		return Route{}, fmt.Errorf("%w: routing directory is nil", ErrConfig)
	}
	prio := routing.PriorityRoutine
	if req.Urgency == Urgent {
		prio = routing.PriorityUrgent
	}
	rt, err := r.Directory.Route(routing.Contact{
		Client: req.Client, Errand: req.Errand, Channel: channel.Callback, Priority: prio,
		PostalCode: routing.PostalCode(req.PostalCode), OwnProfessional: req.OwnProfessional,
		OwnTeam: req.OwnTeam, Language: req.Language,
	})
	switch {
	case errors.Is(err, routing.ErrNoRoute):
		return Route{}, fmt.Errorf("%w: %w", ErrNoRoute, err)
	case errors.Is(err, routing.ErrMalformedPostalCode), errors.Is(err, routing.ErrInvalid):
		return Route{}, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	case err != nil:
		return Route{}, fmt.Errorf("callback: routing: %w", err)
	}
	out := Route{Area: rt.Area}
	seen := map[carecontact.TeamID]bool{}
	for _, st := range rt.Steps {
		for _, team := range st.Teams {
			if !seen[team] {
				seen[team] = true
				out.Steps = append(out.Steps, Step{Name: st.Target.String(), Team: team})
			}
		}
	}
	return out, nil
}
