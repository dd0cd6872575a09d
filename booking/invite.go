package booking

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
)

// DefaultInviteTTL is how long an invitation is valid by default.
const DefaultInviteTTL = 7 * 24 * time.Hour

// InviteRequest asks for a booking invitation.
type InviteRequest struct {
	Area    carecontact.AreaID
	Service string
	// Client is the invited client's pseudonymous reference.
	Client carecontact.ClientRef
	// TTL is how long the invitation is valid, at most 90 days; 0 means
	// DefaultInviteTTL (7 days).
	TTL time.Duration
	// By is the professional who sends the invitation.
	By Requester
}

// Invitation is a one-use booking invitation.
type Invitation struct {
	ID      string                     `json:"id"`
	Area    carecontact.AreaID         `json:"area"`
	Service string                     `json:"service"`
	Client  carecontact.ClientRef      `json:"client"`
	By      carecontact.ProfessionalID `json:"by"`
	Expires time.Time                  `json:"expires"`
	// Token is the signed token the host sends the client (in a link);
	// the client passes it back in SearchRequest.Invitation and
	// BookRequest.Invitation.
	Token string `json:"token"`
}

// Invite makes a one-use invitation for a client to book a service
// themselves: a professional of the service's area sends it (the system
// and clients may not). Redeemed by the invited client before it expires
// (BookRequest.Invitation, with Book), it books the service once even if
// the client's group is not among the service's SelfBookGroups, or the
// service has none (a service professionals otherwise book); the other
// rules of a client's booking (notice, horizon, self-service time, the
// per-client limit, pre-questions) apply as usual. A second booking with
// the same invitation fails with ErrInvitationUsed, also after the first
// was cancelled; a hold (Hold) does not take invitations. The invitation
// is recorded with its professional and client.
func (b *Booker) Invite(ctx context.Context, req InviteRequest) (Invitation, error) {
	now := b.cfg.Clock.Now().UTC()
	if b.tokens == nil {
		return Invitation{}, fmt.Errorf("booking: invitations need Config.TokenKey: %w", ErrNotAllowed)
	}
	svc, err := b.service(ctx, req.Area, req.Service)
	if err != nil {
		return Invitation{}, err
	}
	if err := validateClient(req.Client, ""); err != nil {
		return Invitation{}, err
	}
	if req.Client == "" {
		return Invitation{}, carecontact.Invalid(ErrInvalid, "client", "is empty")
	}
	ttl := req.TTL
	switch {
	case ttl == 0:
		ttl = DefaultInviteTTL
	case ttl < 0 || ttl > 90*24*time.Hour:
		return Invitation{}, carecontact.Invalid(ErrInvalid, "ttl", "is not 0 to 90 days")
	}
	by := req.By
	if err := by.Actor.Validate(); err != nil {
		return Invitation{}, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	if by.Actor.Kind != audit.ActorProfessional {
		return Invitation{}, b.deny(ctx, now, by, "booking.invite", "service/"+svc.Code, req.Client,
			fmt.Errorf("booking: invitations are sent by professionals: %w", ErrNotAllowed))
	}
	if err := b.actsFor(ctx, by, req.Client, svc.Area, "the invitation"); err != nil {
		return Invitation{}, b.deny(ctx, now, by, "booking.invite", "service/"+svc.Code, req.Client, err)
	}
	inv := Invitation{ID: b.cfg.NewID("inv"), Area: svc.Area, Service: svc.Code, Client: req.Client,
		By: carecontact.ProfessionalID(by.Actor.ID), Expires: now.Add(ttl).Truncate(time.Second)}
	inv.Token, err = b.tokens.Sign(Token{Kind: TokenInvite, ID: inv.ID, Area: inv.Area, Service: inv.Service, Client: inv.Client, By: inv.By, Expires: inv.Expires})
	if err != nil {
		return Invitation{}, err
	}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.invite", Subject: "invitation/" + inv.ID, Client: inv.Client,
		Outcome: audit.Allowed, Detail: map[string]string{"service": svc.Code, "expires": inv.Expires.Format(time.RFC3339)}}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return Invitation{}, fmt.Errorf("booking: audit invitation: %w", err)
	}
	return inv, nil
}

// invited checks an invitation token for a client's search or booking of
// area's service and returns the requester it lets book the service.
func (b *Booker) invited(token string, by Requester, area carecontact.AreaID, service string, now time.Time) (Requester, Token, error) {
	if b.tokens == nil {
		return by, Token{}, fmt.Errorf("booking: invitations need Config.TokenKey: %w", ErrNotAllowed)
	}
	t, err := b.tokens.Parse(token, now)
	if err != nil {
		return by, Token{}, err
	}
	if t.Kind != TokenInvite || !by.self() || by.Actor.ID != string(t.Client) || t.Area != area || t.Service != service {
		return by, Token{}, &TokenError{Reason: TokenMisused}
	}
	by.invited = svcKey{area, service}
	return by, t, nil
}

// Reminder is an appointment's reminder for the host's SMS or e-mail
// transport to send.
type Reminder struct {
	// At is when the reminder is due: the appointment's start less the
	// lead time.
	At time.Time `json:"at"`
	// Appointment is the appointment without its pre-question answers
	// (health information the message does not need and the transport
	// must not carry): Answers is always nil.
	Appointment Appointment `json:"appointment"`
	// ServiceNames are the service's names, for the text.
	ServiceNames civil.Names `json:"serviceNames,omitzero"`
	// CancelToken is a signed token for the reminder's cancel link, valid
	// until the appointment starts (see CancelByToken).
	CancelToken string `json:"cancelToken"`
}

// Reminders lists the reminders due in [from, to): one for each booked
// appointment that starts lead after an instant of the period, on any
// calendar the Booker knows, by due time. It sends nothing and keeps no
// state: the host calls it for consecutive periods (from its own
// scheduler) and hands each reminder to its transport, so each is listed
// once. Only the system may ask (ErrNotAllowed, recorded); each
// appointment listed is recorded as read (reason "reminder").
func (b *Booker) Reminders(ctx context.Context, from, to time.Time, lead time.Duration, by Requester) ([]Reminder, error) {
	now := b.cfg.Clock.Now().UTC()
	switch {
	case b.tokens == nil:
		return nil, fmt.Errorf("booking: reminders need Config.TokenKey: %w", ErrNotAllowed)
	case !from.Before(to):
		return nil, carecontact.Invalid(ErrInvalid, "to", "is not after from")
	case lead < 0:
		return nil, carecontact.Invalid(ErrInvalid, "lead", "is negative")
	}
	if err := by.Actor.Validate(); err != nil {
		return nil, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
	}
	if by.Actor.Kind != audit.ActorSystem {
		return nil, b.deny(ctx, now, by, "booking.read", "reminders/due", "", fmt.Errorf("booking: reminders are the host's: %w", ErrNotAllowed))
	}
	v, err := b.view(ctx)
	if err != nil {
		return nil, err
	}
	starts := Interval{from.Add(lead).UTC(), to.Add(lead).UTC()}
	apps, err := b.claimedIn(ctx, v.ix.set.IDs(), starts, now, nil)
	if err != nil {
		return nil, fmt.Errorf("booking: reminders: %w", err)
	}
	var out []Reminder
	for _, a := range apps {
		if a.Status != StatusBooked || a.Start.Before(starts.Start) || !a.Start.Before(starts.End) {
			continue
		}
		tok, err := b.tokens.Sign(Token{Kind: TokenCancel, ID: a.ID, Client: a.Client, Expires: a.Start})
		if err != nil {
			return nil, err
		}
		a.Answers = nil // health information stays out of the transport
		r := Reminder{At: a.Start.Add(-lead), Appointment: a, CancelToken: tok}
		if svc, err := b.service(ctx, a.Area, a.Service); err == nil {
			r.ServiceNames = svc.Names
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y Reminder) int {
		if c := x.At.Compare(y.At); c != 0 {
			return c
		}
		return cmp.Compare(x.Appointment.ID, y.Appointment.ID)
	})
	for _, r := range out {
		if err := b.cfg.Audit.Record(ctx, b.event(now, by, "booking.read", r.Appointment, map[string]string{"reason": "reminder"})); err != nil {
			return nil, fmt.Errorf("booking: audit read: %w", err)
		}
	}
	return out, nil
}

// CancelByToken cancels the appointment of a reminder's cancel link for
// its client, under the client's rules (the service's cancellation
// cut-off included), like Cancel with the client as the requester; an
// empty reason is recorded as "cancelled by link". A changed, foreign or
// expired token (one past the appointment's start) is a *TokenError.
func (b *Booker) CancelByToken(ctx context.Context, token, reason string) (CancelResult, error) {
	now := b.cfg.Clock.Now().UTC()
	if b.tokens == nil {
		return CancelResult{}, fmt.Errorf("booking: cancel links need Config.TokenKey: %w", ErrNotAllowed)
	}
	t, err := b.tokens.Parse(token, now)
	if err != nil {
		return CancelResult{}, err
	}
	if t.Kind != TokenCancel {
		return CancelResult{}, &TokenError{Reason: TokenMisused}
	}
	if reason == "" {
		reason = "cancelled by link"
	}
	return b.Cancel(ctx, t.ID, reason, Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: string(t.Client)}})
}
