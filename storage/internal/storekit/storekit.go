package storekit

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Kit is one adapter's shared checks.
type Kit struct {
	// Name is the adapter's name ("memory", "postgres"). It prefixes the
	// messages that name the adapter.
	Name string
	// Precision is the time precision the adapter keeps: event times are
	// truncated to it. Zero keeps full precision.
	Precision time.Duration
}

// PrepareEvents validates events, assigns missing IDs and normalises times
// to UTC at the kit's precision, returning copies (the Detail maps too).
// Stores call it before they change anything, so a bad event fails the
// change before anything is written.
func (k Kit) PrepareEvents(events []audit.Event) ([]audit.Event, error) {
	out := make([]audit.Event, 0, len(events))
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("%s: audit event %d: %w", k.Name, i, err)
		}
		e = CloneEvent(e)
		if e.ID == "" {
			// Time-ordered (version 7): an adapter's unique index on the
			// IDs grows at its right edge instead of at random pages.
			e.ID = uuid.Must(uuid.NewV7()).String()
		}
		e.At = e.At.UTC().Truncate(k.Precision)
		out = append(out, e)
	}
	return out, nil
}

// CloneEvent returns e with a Detail map of its own.
func CloneEvent(e audit.Event) audit.Event {
	if e.Detail != nil {
		e.Detail = maps.Clone(e.Detail)
	}
	return e
}

// BookingChange checks the claims of one booking.Store change (with
// booking.ValidateClaim) and prepares the events of the change: those of
// the transition old (nil for none), then those of each claim.
func (k Kit) BookingChange(old *booking.TransitionRequest, claims []booking.ClaimRequest) ([]audit.Event, error) {
	var events []audit.Event
	if old != nil {
		events = append(events, old.Events...)
	}
	for _, c := range claims {
		if err := booking.ValidateClaim(c); err != nil {
			return nil, err
		}
		events = append(events, c.Events...)
	}
	return k.PrepareEvents(events)
}

// WaiterID checks the wait entry ID of booking.Store.TakeWaiter.
func (k Kit) WaiterID(id string) error {
	if id == "" {
		return fmt.Errorf("%w: waiter id is empty", booking.ErrInvalid)
	}
	return nil
}

// WaitEntry checks the entry of booking.Store.AddWaiter.
func (k Kit) WaitEntry(w booking.WaitEntry) error {
	if w.ID == "" || w.Area == "" || w.Service == "" || w.Client == "" || w.Since.IsZero() {
		return fmt.Errorf("%w: wait entry needs id, area, service, client and since", booking.ErrInvalid)
	}
	return nil
}

// CallbackOpen checks the record of callback.Store.OpenOrJoin.
func (k Kit) CallbackOpen(r callback.Record) error {
	if r.ID == "" || r.Client == "" || r.Errand == "" {
		return fmt.Errorf("%s: callback open: %w: id, client and errand are required", k.Name, callback.ErrInvalidRequest)
	}
	return nil
}

// CallbackUpdate checks that callback.Store.Update keeps the stored
// request's client and errand.
func (k Kit) CallbackUpdate(client carecontact.ClientRef, errand channel.Errand, next callback.Record) error {
	if client != next.Client || errand != next.Errand {
		return fmt.Errorf("%s: callback %s: %w: client and errand cannot change", k.Name, next.ID, callback.ErrInvalidRequest)
	}
	return nil
}

// CallbackReservation checks the reservation of callback.Store.OpenReserved
// and UpdateReserved: a day of the request's own team, a version not
// below 0, and a window to reserve for.
func (k Kit) CallbackReservation(r callback.Record, res callback.Reservation) error {
	switch {
	case res.Key.Team == "" || res.Key.Day.IsZero():
		return fmt.Errorf("%s: callback %s: %w: reservation: team and day are required", k.Name, r.ID, callback.ErrInvalidRequest)
	case res.Key.Team != r.Team:
		return fmt.Errorf("%s: callback %s: %w: reservation: not in the request's team", k.Name, r.ID, callback.ErrInvalidRequest)
	case res.Version < 0:
		return fmt.Errorf("%s: callback %s: %w: reservation: version is negative", k.Name, r.ID, callback.ErrInvalidRequest)
	case r.Window.IsZero():
		return fmt.Errorf("%s: callback %s: %w: reservation: the request has no window", k.Name, r.ID, callback.ErrInvalidRequest)
	}
	return nil
}

// Admission checks the contact of demand.Store.Admit.
func (k Kit) Admission(c demand.Contact) error {
	if c.ID == "" || c.Client == "" {
		return fmt.Errorf("%s: admit: %w: contact id and client are required", k.Name, demand.ErrInvalidAdmission)
	}
	return nil
}

// GuidanceSave checks the context and the record of guidance.Store.Save
// and prepares the events of the save.
func (k Kit) GuidanceSave(ctx context.Context, rec guidance.Record, events []audit.Event) ([]audit.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if rec.Subject == "" {
		return nil, fmt.Errorf("%s: guidance save: %w: record.subject is empty", k.Name, guidance.ErrInvalid)
	}
	prepared, err := k.PrepareEvents(events)
	if err != nil {
		return nil, fmt.Errorf("%s: guidance save %q: %w", k.Name, rec.Subject, err)
	}
	return prepared, nil
}

// Professional checks the ID of routing.Store.RegisterProfessional.
func (k Kit) Professional(id carecontact.ProfessionalID) error {
	if id == "" {
		return fmt.Errorf("%w: professional id is empty", routing.ErrInvalid)
	}
	return nil
}

// Presence checks the presence of routing.Store.SetPresence: a store sets
// only away, available or busy.
func (k Kit) Presence(p routing.Presence) error {
	if p != routing.PresenceAway && p != routing.PresenceAvailable && p != routing.PresenceBusy {
		return carecontact.Invalid(routing.ErrInvalid, "presence", fmt.Sprintf("%s cannot be set, only away, available or busy", p))
	}
	return nil
}

// NewItem checks the item of routing.Store.CreateItem.
func (k Kit) NewItem(it routing.Item) error {
	if it.ID == "" {
		return fmt.Errorf("%w: item id is empty", routing.ErrInvalid)
	}
	return k.ItemState(it.ID, it.State)
}

// ItemState checks that s is a state a stored item can be in.
func (k Kit) ItemState(id carecontact.ItemID, s routing.ItemState) error {
	if s < routing.ItemQueued || s > routing.ItemWrapUp {
		return fmt.Errorf("%w: item %s: state %d", routing.ErrInvalid, id, s)
	}
	return nil
}

// ItemVersion checks the precondition of routing.Store.Apply: the stored
// item id is at version, which must be the change's Expect.
func (k Kit) ItemVersion(id carecontact.ItemID, version, expect uint64) error {
	if version != expect {
		return fmt.Errorf("%w: item %s is at version %d, not %d", routing.ErrConflict, id, version, expect)
	}
	return nil
}

// Capacity checks that the professional in state ps can take the load c
// adds to its slot, and can join a call when c puts them in one
// (routing.ProfessionalState.CanJoinCall). A change that adds neither
// always fits.
func (k Kit) Capacity(c *routing.Change, ps *routing.ProfessionalState) error {
	if c.Load > 0 && !ps.CanTake(c.Slot) {
		return fmt.Errorf("%w: %s is %s with %d/%d %s", routing.ErrNoCapacity,
			c.Professional, ps.Effective(), ps.Load.Of(c.Slot), ps.Capacity.Of(c.Slot), c.Slot)
	}
	if c.InCall > 0 && !ps.CanJoinCall() {
		return fmt.Errorf("%w: %s is %s, in %d calls, with %d/%d synchronous; cannot join a call", routing.ErrNoCapacity,
			c.Professional, ps.Effective(), ps.InCall, ps.Load.Synchronous, ps.Capacity.Synchronous)
	}
	return nil
}

// NegativeCount is the error of routing.Store.Apply when the change would
// take the professional's load, wrap-up or call count below zero.
func (k Kit) NegativeCount(p carecontact.ProfessionalID) error {
	return fmt.Errorf("%w: professional %s: load, wrap-up or call count would go negative", routing.ErrConflict, p)
}

// NewSession checks the session of session.Store.Create.
func (k Kit) NewSession(v session.Session) error {
	if v.ID == "" {
		return fmt.Errorf("%s: create session: %w: id is required", k.Name, session.ErrInvalid)
	}
	return nil
}
