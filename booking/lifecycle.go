package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

func (b *Booker) claim(ctx context.Context, req BookRequest, status Status, action string) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	if req.Slot.Area == "" || req.Slot.Service == "" {
		return Appointment{}, carecontact.Invalid(ErrInvalid, "slot.service", "names no area and service")
	}
	svc, err := b.service(ctx, req.Slot.Area, req.Slot.Service)
	if err != nil {
		return Appointment{}, err
	}
	var inv Token
	if req.Invitation != "" {
		if status != StatusBooked {
			return Appointment{}, carecontact.Invalid(ErrInvalid, "invitation", "is redeemed by Book, not by a hold")
		}
		if req.By, inv, err = b.invited(req.Invitation, req.By, svc.Area, svc.Code, now); err != nil {
			return Appointment{}, b.deny(ctx, now, req.By, action, "service/"+svc.Code, req.Client, err)
		}
	}
	cr, err := b.newClaim(ctx, &svc, req, status, now, b.cfg.HoldTTL, req.By.self())
	if err != nil {
		return Appointment{}, b.deny(ctx, now, req.By, action, "service/"+svc.Code, req.Client, err)
	}
	detail := map[string]string{"start": cr.Appointment.Start.Format(time.RFC3339)}
	if inv.ID != "" {
		cr.Appointment.Invitation = inv.ID
		detail["invitation"] = inv.ID
	}
	cr.Events = []audit.Event{b.event(now, req.By, action, cr.Appointment, detail)}
	if err := b.cfg.Store.Claim(ctx, cr); err != nil {
		return Appointment{}, b.deny(ctx, now, req.By, action, "service/"+svc.Code, req.Client, err)
	}
	return cr.Appointment, nil
}

// Hold keeps a slot for the client for HoldTTL as a pending appointment;
// Confirm books it. Fails with ErrSlotTaken if anyone holds or booked any
// participant's time.
func (b *Booker) Hold(ctx context.Context, req BookRequest) (Appointment, error) {
	return b.claim(ctx, req, StatusPending, "booking.hold")
}

// Book books a slot directly, without a hold.
func (b *Booker) Book(ctx context.Context, req BookRequest) (Appointment, error) {
	return b.claim(ctx, req, StatusBooked, "booking.book")
}

// transition reads the appointment, lets change modify it, and stores it
// with a compare-and-set on its version. A want other than 0 is the
// version the caller expects it at (IfVersion).
func (b *Booker) transition(ctx context.Context, id string, want int, by Requester, action string, now time.Time,
	change func(a *Appointment) error) (Appointment, error) {
	if err := carecontact.ValidateID(ErrInvalid, "id", id); err != nil {
		return Appointment{}, err
	}
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if err := b.actsFor(ctx, by, a.Client, a.Area, "appointment "+id); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, "", err)
	}
	if err := checkOverride(by); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	if err := checkVersion(a, want); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	prev := a.Status
	next := a.Clone()
	if err := change(&next); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	next.Version, next.Updated = a.Version+1, now
	req := TransitionRequest{Next: next, Now: now,
		Events: []audit.Event{b.event(now, by, action, next, map[string]string{"from": string(prev)})}}
	if err := b.cfg.Store.Transition(ctx, req); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	return next, nil
}

// Confirm books a held slot; ErrHoldExpired once the hold has lapsed.
func (b *Booker) Confirm(ctx context.Context, id string, by Requester) (Appointment, error) {
	return b.confirm(ctx, id, 0, by)
}

func (b *Booker) confirm(ctx context.Context, id string, want int, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	return b.transition(ctx, id, want, by, "booking.confirm", now, func(a *Appointment) error {
		if a.Status != StatusPending {
			return fmt.Errorf("booking: appointment %s is %s, not held: %w", a.ID, a.Status, ErrIllegalTransition)
		}
		a.Status, a.HoldUntil = StatusBooked, time.Time{}
		return nil
	})
}

// Mark records what happened to an appointment: checked-in, arrived,
// fulfilled, noshow or entered-in-error. Clients may only check in;
// fulfilled and noshow are refused before the start (ErrIllegalTransition).
func (b *Booker) Mark(ctx context.Context, id string, status Status, by Requester) (Appointment, error) {
	return b.mark(ctx, id, status, 0, by)
}

func (b *Booker) mark(ctx context.Context, id string, status Status, want int, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	switch status {
	case StatusCheckedIn, StatusArrived, StatusFulfilled, StatusNoShow, StatusEnteredInError:
	default:
		return Appointment{}, carecontact.Invalid(ErrInvalid, "status", "is not checked-in, arrived, fulfilled, noshow or entered-in-error")
	}
	if by.self() && status != StatusCheckedIn {
		return Appointment{}, b.deny(ctx, now, by, "booking.mark", "appointment/"+id, "", fmt.Errorf("booking: clients may only check in: %w", ErrNotAllowed))
	}
	return b.transition(ctx, id, want, by, "booking."+string(status), now, func(a *Appointment) error {
		if err := checkTransition(*a, status); err != nil {
			return err
		}
		if (status == StatusNoShow || status == StatusFulfilled) && now.Before(a.Start) {
			return fmt.Errorf("booking: appointment %s has not started: %w", a.ID, ErrIllegalTransition)
		}
		a.Status = status
		return nil
	})
}

// CancelResult tells what a cancellation did.
type CancelResult struct {
	Cancelled Appointment
	// Offer is the hold made for the first waiting client the freed slot
	// was offered to, if any.
	Offer *Appointment
}

// Cancel cancels an appointment with a reason. An appointment that is
// already cancelled, or ended, is refused with a *TransitionError
// (ErrIllegalTransition); its late-cancellation mark stays. The reason is
// kept with the appointment as given; its audit detail has any phone number
// or identity code replaced by "[redacted]" (audit.Redact). A cancellation
// within LateCancel of the start is marked late (LateCancel). The freed time is
// offered first to the clients waiting for the same service, oldest first:
// the first one it suits gets it as a hold for OfferTTL, atomically with the
// cancellation, so that nobody else can take it in between. An empty
// reason, or one longer than carecontact.MaxTextLen bytes, not UTF-8 or
// holding a control character, is an ErrInvalid *carecontact.FieldError
// naming "reason".
func (b *Booker) Cancel(ctx context.Context, id, reason string, by Requester) (CancelResult, error) {
	return b.cancel(ctx, id, reason, nil, 0, by)
}

// CancelCoded is Cancel with the reason given as codes of code systems
// (Appointment.CancelCodes, a FHIR cancelationReason's codings) beside the
// text, or instead of it: reason may be empty when codes are given. More
// than MaxReasonCodes codes, a code without Code, or an element Cancel
// would refuse as a reason is an ErrInvalid *carecontact.FieldError naming
// it ("codes[1].code"); no reason and no codes is one naming "reason". The
// audit detail has the codes ("codes", as system|code, redacted as the
// reason is), not their display texts.
func (b *Booker) CancelCoded(ctx context.Context, id, reason string, codes []ReasonCode, by Requester) (CancelResult, error) {
	return b.cancel(ctx, id, reason, codes, 0, by)
}

func (b *Booker) cancel(ctx context.Context, id, reason string, codes []ReasonCode, want int, by Requester) (CancelResult, error) {
	now := b.cfg.Clock.Now().UTC()
	if reason == "" && len(codes) == 0 {
		return CancelResult{}, carecontact.Invalid(ErrInvalid, "reason", "is empty")
	}
	if err := carecontact.ValidateText(ErrInvalid, "reason", reason); err != nil {
		return CancelResult{}, err
	}
	if err := validateReasonCodes(codes); err != nil {
		return CancelResult{}, err
	}
	if err := carecontact.ValidateID(ErrInvalid, "id", id); err != nil {
		return CancelResult{}, err
	}
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return CancelResult{}, err
	}
	if err := b.actsFor(ctx, by, a.Client, a.Area, "appointment "+id); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, "", err)
	}
	if err := checkVersion(a, want); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
	}
	if err := checkTransition(a, StatusCancelled); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
	}
	if err := checkOverride(by); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
	}
	if svc, err := b.service(ctx, a.Area, a.Service); err == nil {
		if err := checkCutOff(&svc, by, a, now, "cancel"); err != nil {
			return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
		}
	}
	next := a.Clone()
	next.Status, next.CancelReason, next.HoldUntil = StatusCancelled, reason, time.Time{}
	next.CancelCodes = slices.Clone(codes)
	next.LateCancel = a.Status == StatusBooked && now.After(a.Start.Add(-b.cfg.LateCancel))
	next.Version, next.Updated = a.Version+1, now
	detail := map[string]string{"from": string(a.Status), "reason": audit.Redact(reason)}
	if len(codes) > 0 {
		cs := make([]string, len(codes))
		for i, c := range codes {
			cs[i] = c.System + "|" + c.Code
		}
		detail["codes"] = audit.Redact(strings.Join(cs, " "))
	}
	if next.LateCancel {
		detail["late"] = "true"
	}
	old := TransitionRequest{Next: next, Now: now, Events: []audit.Event{b.event(now, by, "booking.cancel", next, detail)}}
	if a.Status == StatusBooked && a.Start.After(now) {
		offer, err := b.offer(ctx, a, now, func(waiterID string, cr ClaimRequest) error {
			return b.cfg.Store.TakeWaiter(ctx, waiterID, &old, cr)
		})
		if err != nil {
			return CancelResult{}, err
		}
		if offer != nil {
			return CancelResult{Cancelled: next, Offer: offer}, nil
		}
	}
	if err := b.cfg.Store.Transition(ctx, old); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
	}
	return CancelResult{Cancelled: next}, nil
}

// RescheduleResult tells what a reschedule did.
type RescheduleResult struct {
	// Moved is the new appointment.
	Moved Appointment
	// Cancelled is the old appointment, cancelled with reason "rescheduled".
	Cancelled Appointment
	// Offer is the hold made for the first waiting client the freed slot
	// was offered to, if any.
	Offer *Appointment
}

// Reschedule moves an appointment to a new slot atomically: the new slot is
// booked and the old appointment cancelled (reason "rescheduled") in one
// store operation, so the client never loses the old time without getting
// the new one. The new appointment keeps the answers and guidance version.
// Like a cancellation, a reschedule of a booked future appointment offers
// the freed time first to the clients waiting for the service, oldest
// first, as a hold for OfferTTL in the same store operation.
func (b *Booker) Reschedule(ctx context.Context, id string, slot Slot, by Requester) (RescheduleResult, error) {
	return b.reschedule(ctx, id, slot, 0, by)
}

func (b *Booker) reschedule(ctx context.Context, id string, slot Slot, want int, by Requester) (RescheduleResult, error) {
	now := b.cfg.Clock.Now().UTC()
	if err := carecontact.ValidateID(ErrInvalid, "id", id); err != nil {
		return RescheduleResult{}, err
	}
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return RescheduleResult{}, err
	}
	fail := func(err error) (RescheduleResult, error) {
		return RescheduleResult{}, b.deny(ctx, now, by, "booking.reschedule", "appointment/"+id, a.Client, err)
	}
	if err := b.actsFor(ctx, by, a.Client, a.Area, "appointment "+id); err != nil {
		return fail(err)
	}
	if err := checkVersion(a, want); err != nil {
		return fail(err)
	}
	if a.Status != StatusBooked && a.Status != StatusPending {
		return fail(fmt.Errorf("booking: appointment %s is %s: %w", id, a.Status, ErrIllegalTransition))
	}
	if slot.Area != a.Area || slot.Service != a.Service {
		return fail(carecontact.Invalid(ErrInvalid, "slot.service", "a reschedule keeps the service"))
	}
	svc, err := b.service(ctx, a.Area, a.Service)
	if err != nil {
		return RescheduleResult{}, err
	}
	if err := checkOverride(by); err != nil {
		return fail(err)
	}
	if err := checkCutOff(&svc, by, a, now, "reschedule"); err != nil {
		return fail(err)
	}
	cr, err := b.newClaim(ctx, &svc, BookRequest{Slot: slot, Client: a.Client, By: by, Answers: a.Answers, GuidanceVersion: a.GuidanceVersion}, StatusBooked, now, 0, false)
	if err != nil {
		return fail(err)
	}
	cr.Appointment.RescheduledFrom = a.ID
	next := a.Clone()
	next.Status, next.CancelReason, next.RescheduledTo, next.HoldUntil = StatusCancelled, "rescheduled", cr.Appointment.ID, time.Time{}
	next.Version, next.Updated = a.Version+1, now
	old := TransitionRequest{Next: next, Now: now,
		Events: []audit.Event{b.event(now, by, "booking.reschedule", next, map[string]string{"to": cr.Appointment.ID})}}
	cr.Events = []audit.Event{b.event(now, by, "booking.book", cr.Appointment, map[string]string{"from": a.ID, "start": cr.Appointment.Start.Format(time.RFC3339)})}
	res := RescheduleResult{Moved: cr.Appointment, Cancelled: next}
	if a.Status == StatusBooked && a.Start.After(now) {
		offer, err := b.offer(ctx, a, now, func(waiterID string, oc ClaimRequest) error {
			return b.cfg.Store.Reschedule(ctx, old, cr, &WaitOffer{WaiterID: waiterID, Claim: oc})
		})
		if err != nil {
			return fail(err)
		}
		if offer != nil {
			res.Offer = offer
			return res, nil
		}
	}
	// Nobody waiting took the time (or an offer did not fit): the plain
	// reschedule, which also reports a new slot that is taken.
	if err := b.cfg.Store.Reschedule(ctx, old, cr, nil); err != nil {
		return fail(err)
	}
	return res, nil
}
