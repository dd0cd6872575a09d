package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact/callback"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

// RoutingDispatcher is the callback.Dispatcher of a routing.Dispatcher:
// every due callback (each attempt) is enqueued as a routing work item on
// channel.Callback whose own team is the team that promised the window, so
// the routing dispatcher offers it to that team's signed-in professionals
// first and widens by its policy. When the callback.Planner widens a
// request that is already due to another team, the request is dispatched
// again: the previous item, if still queued or offered, is rescinded and a
// new one (ItemOf) is enqueued with the new team first. Dispatching the
// same dispatch twice (a host retrying after an error) enqueues it once.
// When a professional accepts the item in routing, the host calls
// callback.Planner.Accept with RequestOf(item); when the call ends,
// callback.Planner.Complete and the routing dispatcher's Finish.
type RoutingDispatcher struct {
	Dispatcher *routing.Dispatcher
}

// HandedTo implements callback.Handover: a dispatch of the request is
// accepted in routing by professional (the latest, or an earlier one
// accepted before a re-dispatch could withdraw it).
func (d RoutingDispatcher) HandedTo(_ context.Context, r callback.Record, professional carecontact.ProfessionalID) (bool, error) {
	if d.Dispatcher == nil {
		return false, fmt.Errorf("%w: routing dispatcher is nil", callback.ErrConfig)
	}
	for n := r.Dispatches; n >= 1; n-- {
		it, ok := d.Dispatcher.Item(carecontact.ItemID(r.ID + "." + strconv.Itoa(n)))
		if ok && it.State == routing.ItemAccepted && it.Professional == professional {
			return true, nil
		}
	}
	return false, nil
}

// Dispatch implements callback.Dispatcher.
func (d RoutingDispatcher) Dispatch(ctx context.Context, r callback.Record) error {
	if d.Dispatcher == nil {
		return fmt.Errorf("%w: routing dispatcher is nil", callback.ErrConfig)
	}
	prio := routing.PriorityRoutine
	switch {
	case r.Urgency == callback.Urgent:
		prio = routing.PriorityUrgent
	case r.Priority > 0:
		prio = routing.PriorityHigh
	}
	if r.Dispatches > 1 {
		if err := d.withdrawPrevious(ctx, r); err != nil {
			return err
		}
	}
	_, err := d.Dispatcher.Enqueue(ctx, ItemOf(r), routing.Contact{
		Client: r.Client, Errand: r.Errand, Channel: channel.Callback, Priority: prio,
		Area: r.Area, OwnTeam: r.Team, OwnProfessional: r.OwnProfessional, Language: r.Language,
		Hold: true, // promised: it waits for whoever signs in
	})
	if errors.Is(err, routing.ErrDuplicateItem) {
		// This dispatch is in routing already (a host retrying after an
		// error): Dispatch is idempotent.
		return nil
	}
	if err != nil {
		return fmt.Errorf("frontdoor: enqueue %s in routing: %w", r.ID, err)
	}
	return nil
}

// withdrawPrevious takes r's previous dispatch out of routing when it still
// waits there (a due request widened to another team): queued or offered,
// it is rescinded; finished, or taken for an attempt the callback.Planner
// has recorded, it is left alone. One a professional accepted in routing
// whose attempt the Planner has not recorded yet is a conflict: the host is
// about to call Planner.Accept for it, and a second item would call the
// client twice.
func (d RoutingDispatcher) withdrawPrevious(ctx context.Context, r callback.Record) error {
	prev := carecontact.ItemID(r.ID + "." + strconv.Itoa(r.Dispatches-1))
	it, ok := d.Dispatcher.Item(prev)
	if !ok {
		return nil
	}
	switch it.State {
	case routing.ItemQueued, routing.ItemOffered:
		err := d.Dispatcher.Rescind(ctx, prev, "callback dispatched again")
		if err != nil && !errors.Is(err, routing.ErrItemNotFound) && !errors.Is(err, routing.ErrWrongState) {
			return fmt.Errorf("frontdoor: rescind %s in routing: %w", prev, err)
		}
	case routing.ItemAccepted:
		if n := len(r.Calls); n == 0 || r.Calls[n-1].Professional != it.Professional || r.Calls[n-1].Start.Before(it.EnqueuedAt) {
			return fmt.Errorf("frontdoor: %s: %w: its previous dispatch %s is accepted in routing by a professional; call Planner.Accept",
				r.ID, callback.ErrConflict, prev)
		}
	}
	return nil
}

// ItemOf returns the routing item ID of r's latest dispatch:
// "<request ID>.<Dispatches>", so each retry, and each dispatch again after
// widening, is a new work item.
func ItemOf(r callback.Record) carecontact.ItemID {
	return carecontact.ItemID(r.ID + "." + strconv.Itoa(r.Dispatches))
}

// RequestOf returns the request ID of a routing item made by ItemOf, and
// false for any other item.
func RequestOf(item carecontact.ItemID) (string, bool) {
	i := strings.LastIndexByte(string(item), '.')
	if i <= 0 {
		return "", false
	}
	if _, err := strconv.Atoi(string(item[i+1:])); err != nil {
		return "", false
	}
	return string(item[:i]), true
}
