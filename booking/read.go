package booking

import (
	"context"
	"errors"
	"fmt"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Appointment returns an appointment, recording the read in the audit log.
// A client may read only their own. An invalid actor (the zero actor
// included) and an ID that looks like personal data are refused and
// audited as denied (see audit.StandIn); the error never repeats such an
// ID.
func (b *Booker) Appointment(ctx context.Context, id string, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	if err := by.Actor.Validate(); err != nil {
		return Appointment{}, b.deny(ctx, now, by, "booking.read", "appointment/"+id, "", fmt.Errorf("booking: read: actor: %w", err))
	}
	if err := carecontact.ValidateID(ErrInvalid, "id", id); err != nil {
		return Appointment{}, err
	}
	if audit.Redact(id) != id {
		return Appointment{}, b.deny(ctx, now, by, "booking.read", "appointment/"+id, "",
			carecontact.Invalid(ErrInvalid, "id", "looks like personal data"))
	}
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if err := b.actsFor(ctx, by, a.Client, a.Area, "appointment "+id); err != nil {
		return Appointment{}, b.deny(ctx, now, by, "booking.read", "appointment/"+id, "", err)
	}
	if err := b.cfg.Audit.Record(ctx, b.event(now, by, "booking.read", a, nil)); err != nil {
		return Appointment{}, fmt.Errorf("booking: audit read: %w", err)
	}
	return a, nil
}

// ClientAppointments returns a client's appointments by start, recording
// the read; LateCancellations counts those cancelled late.
func (b *Booker) ClientAppointments(ctx context.Context, client carecontact.ClientRef, by Requester) ([]Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	if err := by.Actor.Validate(); err != nil {
		return nil, b.deny(ctx, now, by, "booking.read", "client-appointments", "", fmt.Errorf("booking: read: actor: %w", err))
	}
	if err := carecontact.ValidateID(ErrInvalid, "client", string(client)); err != nil {
		return nil, err
	}
	if by.self() && by.Actor.ID != string(client) {
		return nil, b.deny(ctx, now, by, "booking.read", "client-appointments", client, fmt.Errorf("booking: appointments of another client: %w", ErrNotAllowed))
	}
	as, err := b.cfg.Store.ClientAppointments(ctx, client)
	if err != nil {
		return nil, err
	}
	// A professional reads the appointments of the areas they serve.
	withheld := 0
	for i := 0; i < len(as); {
		if err := b.actsFor(ctx, by, client, as[i].Area, "appointment"); errors.Is(err, ErrNotAllowed) {
			as, withheld = append(as[:i], as[i+1:]...), withheld+1
			continue
		} else if err != nil {
			return nil, err
		}
		i++
	}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.read", Subject: "client-appointments", Client: client,
		Outcome: audit.Allowed, Detail: map[string]string{"count": fmt.Sprint(len(as))}}
	if withheld > 0 {
		ev.Detail["withheld"] = fmt.Sprint(withheld)
	}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return nil, fmt.Errorf("booking: audit read: %w", err)
	}
	return as, nil
}

// LateCancellations counts the appointments in as that were cancelled late
// and started at or after since.
func LateCancellations(as []Appointment, since time.Time) int {
	n := 0
	for _, a := range as {
		if a.Status == StatusCancelled && a.LateCancel && !a.Start.Before(since) {
			n++
		}
	}
	return n
}
