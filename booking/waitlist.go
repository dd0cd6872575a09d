package booking

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// WaitRequest puts a client on a service's waitlist.
type WaitRequest struct {
	Area    carecontact.AreaID
	Service string
	Client  carecontact.ClientRef
	// Window, when set, limits the slots the client wants: a zero Start
	// is no lower bound, a zero End none above (see WaitEntry.Window).
	Window Interval
	// Answers and GuidanceVersion go with the offered appointment.
	Answers         []Answer
	GuidanceVersion string
	By              Requester
}

// Wait puts a client on the waitlist of a service: the next cancelled slot
// that suits (within the window, if set) is offered to the waiting clients
// in the order they joined. A client waits at most once per service: a
// second Wait for the same area and service is an ErrInvalid
// *carecontact.FieldError naming "client". The check reads the stored
// waitlist before adding, so two concurrent Waits of one client can still
// both be added.
func (b *Booker) Wait(ctx context.Context, req WaitRequest) (WaitEntry, error) {
	now := b.cfg.Clock.Now().UTC()
	svc, err := b.service(ctx, req.Area, req.Service)
	if err != nil {
		return WaitEntry{}, err
	}
	if err := validateClient(req.Client, req.GuidanceVersion); err != nil {
		return WaitEntry{}, err
	}
	by := req.By
	if err := by.Actor.Validate(); err != nil {
		return WaitEntry{}, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	if err := b.actsFor(ctx, by, req.Client, svc.Area, "the waitlist entry"); err != nil {
		return WaitEntry{}, b.deny(ctx, now, by, "booking.wait", "service/"+svc.Code, req.Client, err)
	}
	if by.self() && !slices.Contains(svc.SelfBookGroups, by.ClientGroup) {
		return WaitEntry{}, b.deny(ctx, now, by, "booking.wait", "service/"+svc.Code, req.Client, fmt.Errorf("booking: waitlist for %s: %w", svc.Code, ErrNotAllowed))
	}
	if !req.Window.Start.IsZero() && !req.Window.End.IsZero() && !req.Window.Start.Before(req.Window.End) {
		return WaitEntry{}, carecontact.Invalid(ErrInvalid, "window", "start must be before end")
	}
	if err := svc.checkAnswers(req.Answers, by.self()); err != nil {
		return WaitEntry{}, err
	}
	waiting, err := b.cfg.Store.Waiters(ctx, svc.Area, svc.Code)
	if err != nil {
		return WaitEntry{}, err
	}
	if slices.ContainsFunc(waiting, func(w WaitEntry) bool { return w.Client == req.Client }) {
		return WaitEntry{}, carecontact.Invalid(ErrInvalid, "client", "is already on the service's waitlist")
	}
	w := WaitEntry{ID: b.cfg.NewID("wait"), Area: svc.Area, Service: svc.Code, Client: req.Client, Since: now, Window: req.Window,
		Answers: slices.Clone(req.Answers), GuidanceVersion: req.GuidanceVersion}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.wait", Subject: "waitlist/" + w.ID, Client: req.Client,
		Outcome: audit.Allowed, Detail: map[string]string{"service": svc.Code}}
	if err := b.cfg.Store.AddWaiter(ctx, w, []audit.Event{ev}); err != nil {
		return WaitEntry{}, err
	}
	return w, nil
}

// offer tries the clients waiting for a's service, oldest first, on the
// time a frees: take stores the hold for one waiter together with the
// change that frees the time. It returns the offered hold, nil if nobody
// took it (the caller then makes the change alone), or an error that stops
// the change.
func (b *Booker) offer(ctx context.Context, a Appointment, now time.Time, take func(waiterID string, cr ClaimRequest) error) (*Appointment, error) {
	ws, err := b.cfg.Store.Waiters(ctx, a.Area, a.Service)
	if err != nil {
		return nil, err
	}
	svc, err := b.service(ctx, a.Area, a.Service)
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, nil
	}
	if ok, err := b.stillWorking(ctx, &svc, a); err != nil || !ok {
		// An absence or a changed rota took the time: nobody gets it.
		return nil, err
	}
	sys := audit.System("booking.waitlist")
	for _, w := range ws {
		if w.Client == a.Client || !windowAdmits(w.Window, Interval{a.Start, a.End}) {
			continue
		}
		o := Appointment{ID: b.cfg.NewID("apt"), Area: a.Area, Service: a.Service, Client: w.Client,
			Participants: slices.Clone(a.Participants), Start: a.Start, End: a.End, Status: StatusPending,
			Channel: a.Channel, Block: a.Block, HoldUntil: now.Add(b.cfg.OfferTTL), SelfBooked: true, FromWaitlist: w.ID,
			Answers: slices.Clone(w.Answers), GuidanceVersion: w.GuidanceVersion, Created: now, Updated: now, Version: 1}
		cr := claimRequest(&svc, o, now)
		cr.Events = []audit.Event{b.event(now, Requester{Actor: sys}, "booking.offer", o, map[string]string{"waiter": w.ID, "from": a.ID})}
		err := take(w.ID, cr)
		switch {
		case err == nil:
			return &o, nil
		case errors.Is(err, ErrLimitReached), errors.Is(err, ErrNotFound):
			// This client may not take it, or the entry was just taken.
			continue
		case errors.Is(err, ErrSlotTaken):
			// The freed time does not fit (e.g. buffers changed, or a
			// reschedule reuses part of it): no offer.
			return nil, nil
		default:
			return nil, err
		}
	}
	return nil, nil
}

// windowAdmits reports whether a wait window admits the time iv: iv lies
// within it, a zero Start or End leaving that side open (the zero window
// admits any time).
func windowAdmits(w, iv Interval) bool {
	return (w.Start.IsZero() || !iv.Start.Before(w.Start)) && (w.End.IsZero() || !iv.End.After(w.End))
}
