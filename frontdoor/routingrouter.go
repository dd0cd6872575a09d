package frontdoor

import (
	"context"
	"errors"
	"fmt"

	"github.com/carecontact/carecontact/callback"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// RoutingRouter is the callback.Router of a routing.Directory: the request
// is routed as a contact on channel.Callback, and each resolved policy step
// gives its candidate teams in order (the own professional's team, the own
// team, the home area's teams, the neighbour areas' teams, the central
// pool), each team once, named by the step's target ("own_team",
// "neighbour_areas", "central_pool", ...).
type RoutingRouter struct {
	Directory *routing.Directory
}

// Route implements callback.Router. A routing.NoRouteError matches both
// callback.ErrNoRoute and routing.ErrNoRoute; a malformed postal code
// matches callback.ErrInvalidRequest.
func (r RoutingRouter) Route(ctx context.Context, req callback.Request) (callback.Route, error) {
	if err := ctx.Err(); err != nil {
		return callback.Route{}, err
	}
	if r.Directory == nil {
		return callback.Route{}, fmt.Errorf("%w: routing directory is nil", callback.ErrConfig)
	}
	prio := routing.PriorityRoutine
	if req.Urgency == callback.Urgent {
		prio = routing.PriorityUrgent
	}
	rt, err := r.Directory.Route(routing.Contact{
		Client: req.Client, Errand: req.Errand, Channel: channel.Callback, Priority: prio,
		PostalCode: routing.PostalCode(req.PostalCode), OwnProfessional: req.OwnProfessional,
		OwnTeam: req.OwnTeam, Language: req.Language,
	})
	switch {
	case errors.Is(err, routing.ErrNoRoute):
		return callback.Route{}, fmt.Errorf("%w: %w", callback.ErrNoRoute, err)
	case errors.Is(err, routing.ErrMalformedPostalCode), errors.Is(err, routing.ErrInvalid):
		return callback.Route{}, fmt.Errorf("%w: %w", callback.ErrInvalidRequest, err)
	case err != nil:
		return callback.Route{}, fmt.Errorf("frontdoor: routing: %w", err)
	}
	out := callback.Route{Area: rt.Area}
	seen := map[carecontact.TeamID]bool{}
	for _, st := range rt.Steps {
		for _, team := range st.Teams {
			if !seen[team] {
				seen[team] = true
				out.Steps = append(out.Steps, callback.Step{Name: st.Target.String(), Team: team})
			}
		}
	}
	return out, nil
}
