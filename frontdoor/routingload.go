package frontdoor

import (
	"context"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/routing"
)

// RoutingLoad is the callback.Load of a routing.Dispatcher: a team's
// inbound load is the dispatcher's TeamLoad of the team's synchronous
// work (its share of the queued calls, callbacks and video meetings, and
// its members free or busy on them). Set it as callback.Config.Load, so
// that callback.Planner.Estimate counts the calls a team is on and those
// waiting for it, not only the callbacks.
type RoutingLoad struct {
	Dispatcher *routing.Dispatcher
}

// InboundLoad implements callback.Load. A team routing does not know is
// an error matching routing.ErrUnknownTeam.
func (l RoutingLoad) InboundLoad(_ context.Context, team carecontact.TeamID) (callback.InboundLoad, error) {
	if l.Dispatcher == nil {
		return callback.InboundLoad{}, fmt.Errorf("%w: routing dispatcher is nil", callback.ErrConfig)
	}
	tl, err := l.Dispatcher.TeamLoad(team)
	if err != nil {
		return callback.InboundLoad{}, fmt.Errorf("frontdoor: load of team %s in routing: %w", team, err)
	}
	return callback.InboundLoad{Waiting: tl.Waiting, Free: tl.Free, Busy: tl.Busy}, nil
}
