package callback

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// RoutingDispatcher is the Dispatcher of a routing.Dispatcher: every due
// callback (each attempt) is enqueued as a routing work item on
// channel.Callback whose own team is the team that promised the window, so
// the routing dispatcher offers it to that team's signed-in professionals
// first and widens by its policy. When a professional accepts the item in
// routing, the host calls Service.Accept with RequestOf(item); when the
// call ends, Service.Complete and the routing dispatcher's Finish.
type RoutingDispatcher struct {
	Dispatcher *routing.Dispatcher
}

// Dispatch implements Dispatcher.
func (d RoutingDispatcher) Dispatch(ctx context.Context, r Record) error {
	if d.Dispatcher == nil {
		return fmt.Errorf("%w: routing dispatcher is nil", ErrConfig)
	}
	prio := routing.PriorityRoutine
	switch {
	case r.Urgency == Urgent:
		prio = routing.PriorityUrgent
	case r.Priority > 0:
		prio = routing.PriorityHigh
	}
	lang := routing.Language(r.Language)
	if !lang.Valid() {
		lang = ""
	}
	_, err := d.Dispatcher.Enqueue(ctx, ItemOf(r), routing.Contact{
		Client: routing.ClientRef(r.Client), Errand: r.Errand, Channel: channel.Callback, Priority: prio,
		Area: routing.AreaID(r.Area), OwnTeam: routing.TeamID(r.Team), Language: lang,
	})
	if err != nil {
		return fmt.Errorf("callback: enqueue %s in routing: %w", r.ID, err)
	}
	return nil
}

// ItemOf returns the routing item ID of the next attempt of r:
// "<request ID>.<attempt number>", so each retry is a new work item.
func ItemOf(r Record) routing.ItemID {
	return routing.ItemID(r.ID + "." + strconv.Itoa(len(r.Calls)+1))
}

// RequestOf returns the request ID of a routing item made by ItemOf, and
// false for any other item.
func RequestOf(item routing.ItemID) (string, bool) {
	i := strings.LastIndexByte(string(item), '.')
	if i <= 0 {
		return "", false
	}
	if _, err := strconv.Atoi(string(item[i+1:])); err != nil {
		return "", false
	}
	return string(item[:i]), true
}
