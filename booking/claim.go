package booking

import (
	"context"
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
)

// BookRequest asks to hold or book a slot found by Search.
type BookRequest struct {
	Slot   Slot
	Client carecontact.ClientRef
	By     Requester
	// Answers to the service's pre-questions, kept with the appointment.
	// Each text is free text (see carecontact.ValidateText).
	Answers []Answer
	// GuidanceVersion identifies the guidance text version the client saw.
	GuidanceVersion string
	// Invitation, when set, is the token of the invitation (see
	// Booker.Invite) the client redeems with this booking (Book only).
	Invitation string
}

// checkSlot verifies that slot is bookable by the requester under the
// service's rules and the calendars (claims are checked by the store).
func (b *Booker) checkSlot(v *calView, svc *Service, by Requester, slot Slot, now time.Time) (BlockType, error) {
	lo, hi, err := b.bounds(svc, by, now, slot.Start, slot.Start.Add(time.Second))
	if err != nil {
		return "", err
	}
	switch {
	case slot.Area != svc.Area || slot.Service != svc.Code:
		return "", carecontact.Invalid(ErrInvalid, "slot.service", "is not the service booked")
	case slot.End.Sub(slot.Start) != svc.Duration:
		return "", carecontact.Invalid(ErrInvalid, "slot", fmt.Sprintf("end - start must be the service duration %s", svc.Duration))
	case slot.Start.Before(lo) || !slot.Start.Before(hi):
		return "", fmt.Errorf("booking: slot at %s: outside the bookable window (notice, horizon): %w", slot.Start.UTC().Format(time.RFC3339), ErrNotAllowed)
	case len(slot.Participants) != len(svc.Requires):
		return "", carecontact.Invalid(ErrInvalid, "slot.participants", fmt.Sprintf("want %d", len(svc.Requires)))
	}
	set := v.ix.set
	q := &search{rules: newRules(by, now), svc: svc, set: set, ix: v.ix, dur: int64(svc.Duration / time.Second)}
	var block BlockType
	for i, id := range slot.Participants {
		c, ok := set.byID[id]
		r := svc.Requires[i]
		if !ok || c.Area != svc.Area || c.Kind != r.Kind || c.Role != r.Role || (r.Skill != "" && !slices.Contains(c.Skills, r.Skill)) ||
			slices.Index(slot.Participants, id) != i {
			return "", carecontact.Invalid(ErrInvalid, fmt.Sprintf("slot.participants[%d]", i), fmt.Sprintf("does not meet the requirement %s %s", r.Kind, r.Role))
		}
		bt, ok := q.fits(set.pos[id], -1, c.Kind == OwnerResource, slot.Start.Unix())
		if !ok {
			return "", fmt.Errorf("booking: slot.participants[%d] %s at %s: not bookable working time: %w", i, id, slot.Start.UTC().Format(time.RFC3339), ErrNotAllowed)
		}
		if i == 0 {
			block = blockCodes[bt]
		}
	}
	return block, nil
}

// newClaim prepares the appointment and claims for a slot.
// Required pre-questions are enforced when requireAnswers is set (a client
// booking a new appointment).
func (b *Booker) newClaim(ctx context.Context, svc *Service, req BookRequest, status Status, now time.Time, ttl time.Duration, requireAnswers bool) (ClaimRequest, error) {
	if err := validateClient(req.Client, req.GuidanceVersion); err != nil {
		return ClaimRequest{}, err
	}
	if err := b.actsFor(ctx, req.By, req.Client, svc.Area, "the booking"); err != nil {
		return ClaimRequest{}, err
	}
	if err := svc.checkAnswers(req.Answers, requireAnswers); err != nil {
		return ClaimRequest{}, err
	}
	v, err := b.view(ctx)
	if err != nil {
		return ClaimRequest{}, err
	}
	block, err := b.checkSlot(v, svc, req.By, req.Slot, now)
	if err != nil {
		return ClaimRequest{}, err
	}
	a := Appointment{ID: b.cfg.NewID("apt"), Area: svc.Area, Service: svc.Code, Client: req.Client,
		Participants: slices.Clone(req.Slot.Participants), Start: req.Slot.Start.UTC(), End: req.Slot.End.UTC(),
		Status: status, Channel: svc.Channel, Block: block, SelfBooked: req.By.clientRules(), Answers: slices.Clone(req.Answers),
		GuidanceVersion: req.GuidanceVersion, Created: now, Updated: now, Version: 1}
	if status == StatusPending {
		a.HoldUntil = now.Add(ttl)
	}
	cr := claimRequest(svc, a, now)
	if req.By.overrides(RuleLimit) {
		cr.Limit = nil
	}
	return cr, nil
}

// claimRequest builds the store request that claims the time of the new
// appointment a, for every path that claims (book, hold, reschedule,
// waitlist offer): one claim per participant over the appointment widened
// by the service's buffers, expiring with the hold (a booking's never
// expire), and for a self-booked appointment the service's per-client
// limit.
func claimRequest(svc *Service, a Appointment, now time.Time) ClaimRequest {
	cr := ClaimRequest{Appointment: a, Now: now}
	for _, p := range a.Participants {
		c := Claim{Owner: p, Appointment: a.ID,
			Interval: Interval{a.Start.Add(-svc.BufferBefore), a.End.Add(svc.BufferAfter)}, Expires: a.HoldUntil}
		if svc.Capacity > 1 {
			c.Shared, c.Capacity = sharedKey(svc, a.Start.Unix()), svc.Capacity
		}
		cr.Claims = append(cr.Claims, c)
	}
	if a.SelfBooked && svc.MaxPerClient > 0 {
		cr.Limit = &ClientLimit{Service: svc.Code, From: a.Start.Add(-svc.Period), To: a.Start.Add(svc.Period), Max: svc.MaxPerClient}
	}
	return cr
}

// sharedKey names the shared slot of a service with Capacity > 1 that
// starts at start (Unix seconds): the appointments of one service at one
// start share their participants' time.
func sharedKey(svc *Service, start int64) string {
	return fmt.Sprintf("%s/%s@%d", svc.Area, svc.Code, start)
}

// validateClient checks the client reference and the guidance version of a
// booking or a wait: a client is required, and both are bounded IDs (see
// carecontact.ValidateID).
func validateClient(client carecontact.ClientRef, guidanceVersion string) error {
	if client == "" {
		return carecontact.Invalid(ErrInvalid, "client", "is empty")
	}
	if err := carecontact.ValidateID(ErrInvalid, "client", string(client)); err != nil {
		return err
	}
	return carecontact.ValidateID(ErrInvalid, "guidanceVersion", guidanceVersion)
}
