package booking

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// The defaults of Config's durations.
const (
	// DefaultHoldTTL is how long a held slot is kept by default.
	DefaultHoldTTL = 15 * time.Minute
	// DefaultOfferTTL is how long a waitlist offer is kept by default.
	DefaultOfferTTL = 2 * time.Hour
	// DefaultLateCancel is the default window before the start in which a
	// cancellation is late.
	DefaultLateCancel = 24 * time.Hour
)

// Config configures a Booker.
type Config struct {
	// Index holds the calendars (see NewIndex) while the Store holds
	// none; once a calendar is stored (PutCalendar, SeedCalendars), the
	// Booker reads the Store's calendars instead and indexes them over
	// the same days as Index. Required.
	Index *Index
	// Catalogues are the service areas' catalogues, one per area; the
	// services of an area without one are not found (ErrNotFound).
	// Defaults to none.
	Catalogues []*Catalogue
	// Services is the governed catalogue of e-bookable services; a
	// service found there wins over one of the same code in Catalogues.
	// Defaults to none: the Catalogues only.
	Services ServiceSource
	// Store keeps appointments; every change goes through one atomic
	// Store operation. Required.
	Store Store
	// Audit records reads of client data and refused attempts. Required.
	Audit audit.Recorder
	// Clock tells the time of every operation, Advance included. Required.
	Clock carecontact.Clock
	// HoldTTL is how long a client keeps a held slot. It must not be
	// negative. Defaults to DefaultHoldTTL (15 minutes).
	HoldTTL time.Duration
	// OfferTTL is how long a waiting client has to confirm an offered
	// slot. It must not be negative. Defaults to DefaultOfferTTL (2 hours).
	OfferTTL time.Duration
	// LateCancel is the window before the start in which a cancellation is
	// counted as late. It must not be negative. Defaults to
	// DefaultLateCancel (24 hours).
	LateCancel time.Duration
	// NewID makes appointment and waitlist IDs from a prefix ("apt",
	// "wait"). Simulations and examples pass a counter for reproducible
	// output. IDs must be unique and must not look like phone numbers
	// (see audit.Event.Validate). Defaults to the prefix followed by a
	// random UUID in hex.
	NewID func(prefix string) string
	// Staff is the host's authenticated staff directory. A professional
	// acts on the appointments of the areas they work in: where a calendar
	// of theirs is, the area the directory gives them, and where a grant
	// of CrossAreaRole reaches. Defaults to carecontact.NoStaff{}: only
	// the calendars tell.
	Staff carecontact.StaffDirectory
	// TokenKey is the host's secret key, at least MinTokenKeyLen bytes,
	// that signs booking invitations (Invite) and the cancel links of
	// reminders (Reminders) with HMAC-SHA256; changing it voids the
	// tokens given out. Defaults to none: Invite, Reminders and
	// CancelByToken fail with ErrNotAllowed.
	TokenKey []byte
	// CrossAreaRole is the grant role that lets a professional act on
	// appointments beyond their own area, as far as the grant's scope
	// reaches (a booking coordinator). Defaults to DefaultCrossAreaRole.
	CrossAreaRole string
}

// DefaultCrossAreaRole is the default Config.CrossAreaRole.
const DefaultCrossAreaRole = "booking-coordinator"

// Booker searches slots and books, holds, cancels and reschedules
// appointments. It is safe for concurrent use, and several Bookers (one per
// host replica) may share one Store. The only state it keeps is busy time
// read from a SpanStore for the searches that follow, used only while the
// store's ClaimsVersion is unchanged and none of the holds in it has lapsed,
// so a Booker never sees a claim another replica made as free.
type Booker struct {
	cfg   Config
	areas map[carecontact.AreaID]*Catalogue
	// seed is the calendars of Config.Index, used while the Store holds
	// no calendars; cur the view last built from the Store's calendars.
	seed *calView
	cur  atomic.Pointer[calView]
	// tokens signs invitations and cancel links; nil without a key.
	tokens *TokenSigner
}

// New checks cfg and returns a Booker.
func New(cfg Config) (*Booker, error) {
	switch {
	case cfg.Index == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.index", "is required")
	case cfg.Store == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.store", "is required")
	case cfg.Audit == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.audit", "is required")
	case cfg.Clock == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.clock", "is required")
	case cfg.HoldTTL < 0 || cfg.OfferTTL < 0 || cfg.LateCancel < 0:
		return nil, carecontact.Invalid(ErrInvalid, "config.holdTTL", "holdTTL, offerTTL and lateCancel must not be negative")
	}
	if cfg.HoldTTL == 0 {
		cfg.HoldTTL = DefaultHoldTTL
	}
	if cfg.OfferTTL == 0 {
		cfg.OfferTTL = DefaultOfferTTL
	}
	if cfg.LateCancel == 0 {
		cfg.LateCancel = DefaultLateCancel
	}
	if cfg.Staff == nil {
		cfg.Staff = carecontact.NoStaff{}
	}
	if cfg.CrossAreaRole == "" {
		cfg.CrossAreaRole = DefaultCrossAreaRole
	}
	if cfg.NewID == nil {
		cfg.NewID = newID
	}
	b := &Booker{cfg: cfg, areas: map[carecontact.AreaID]*Catalogue{}}
	if len(cfg.TokenKey) > 0 {
		s, err := NewTokenSigner(cfg.TokenKey)
		if err != nil {
			return nil, carecontact.Invalid(ErrInvalid, "config.tokenKey", fmt.Sprintf("is shorter than %d bytes", MinTokenKeyLen))
		}
		b.tokens = s
		b.cfg.TokenKey = nil // the signer keeps its own copy
	}
	for i, c := range cfg.Catalogues {
		if c == nil {
			return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("config.catalogues[%d]", i), "is nil")
		}
		if _, dup := b.areas[c.Area()]; dup {
			return nil, carecontact.Invalid(ErrInvalid, fmt.Sprintf("config.catalogues[%d]", i), fmt.Sprintf("second catalogue for area %s", c.Area()))
		}
		b.areas[c.Area()] = c
	}
	b.seed = b.newView(cfg.Index, 0)
	return b, nil
}

// newID returns prefix followed by a random UUID in hex without dashes.
// (A dashed UUID can contain a run such as "0412-4567" that the audit
// package's phone-number check rejects in event subjects.)
func newID(prefix string) string {
	u := uuid.New()
	return prefix + hex.EncodeToString(u[:])
}

// Requester is who asks: a client booking for themselves (Actor.Kind
// audit.ActorClient, with the client group the self-booking rules check) or
// a professional booking for a client.
type Requester struct {
	Actor       audit.Actor `json:"actor"`
	ClientGroup string      `json:"clientGroup,omitempty"`
	// Acute lets a professional book the acute same-day reserve.
	Acute bool `json:"acute,omitempty"`
	// Override, when set, makes a professional act for the client under
	// the client's rules with the rules it names set aside (see
	// Override). Only professionals may use it.
	Override *Override `json:"override,omitempty"`
	// invited is the service a checked invitation lets the client book
	// though their client group may not (see Booker.Invite); set by the
	// Booker only.
	invited svcKey
}

func (r Requester) self() bool { return r.Actor.Kind == audit.ActorClient }

// actsFor is the one access check of appointments and waitlist entries:
// nil when by may act on client's data in area, else an error matching
// ErrNotAllowed that what (such as "appointment a1") names. A client acts
// only for themselves and the system for anyone. A professional acts in
// the areas they work in (a calendar of theirs in the area, or the area
// the staff directory gives them) and where a grant of
// Config.CrossAreaRole reaches; the role a caller's actor claims counts
// for nothing. An error of the directory is returned as it is.
func (b *Booker) actsFor(ctx context.Context, by Requester, client carecontact.ClientRef, area carecontact.AreaID, what string) error {
	switch by.Actor.Kind {
	case audit.ActorSystem:
		return nil
	case audit.ActorClient:
		if by.Actor.ID == string(client) {
			return nil
		}
		return fmt.Errorf("booking: %s belongs to another client: %w", what, ErrNotAllowed)
	case audit.ActorProfessional:
		ok, err := b.worksIn(ctx, carecontact.ProfessionalID(by.Actor.ID), area)
		if err != nil || ok {
			return err
		}
		return fmt.Errorf("booking: %s is in an area the professional does not serve: %w", what, ErrNotAllowed)
	}
	return fmt.Errorf("booking: %s: unknown actor kind: %w", what, ErrNotAllowed)
}

// worksIn reports whether the professional may act on area's appointments.
func (b *Booker) worksIn(ctx context.Context, p carecontact.ProfessionalID, area carecontact.AreaID) (bool, error) {
	v, err := b.view(ctx)
	if err != nil {
		return false, err
	}
	if c, ok := v.ix.set.byID[CalendarID(p)]; ok && c.Kind == OwnerProfessional && c.Area == area {
		return true, nil
	}
	m, err := b.cfg.Staff.Member(ctx, p)
	if errors.Is(err, carecontact.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("booking: staff directory: %w", err)
	}
	return m.Works(carecontact.Place{Area: area}) || m.Holds(b.cfg.CrossAreaRole, carecontact.Place{Area: area}), nil
}

// Service returns the service code of area from Config.Catalogues;
// ServiceAt also reads Config.Services, as every booking operation does.
func (b *Booker) Service(area carecontact.AreaID, code string) (Service, error) {
	c, ok := b.areas[area]
	if !ok {
		return Service{}, fmt.Errorf("booking: area %s: %w", area, ErrNotFound)
	}
	s, ok := c.Service(code)
	if !ok {
		return Service{}, fmt.Errorf("booking: service %s in area %s: %w", code, area, ErrNotFound)
	}
	return s, nil
}

// Catalogue returns the area's catalogue.
func (b *Booker) Catalogue(area carecontact.AreaID) (*Catalogue, bool) {
	c, ok := b.areas[area]
	return c, ok
}

func (b *Booker) event(now time.Time, by Requester, action string, a Appointment, detail map[string]string) audit.Event {
	if detail == nil {
		detail = map[string]string{}
	}
	detail["service"] = a.Service
	detail["status"] = string(a.Status)
	detail["area"] = string(a.Area)
	if a.SelfBooked {
		detail["self_booked"] = "true"
	}
	overrideDetail(by, detail)
	return audit.Event{At: now, Actor: by.Actor, Action: action, Subject: "appointment/" + a.ID, Client: a.Client,
		Outcome: audit.Allowed, Detail: detail}
}

// deny records a refused attempt; the refusal itself is returned. An
// actor that cannot be recorded is recorded as audit.StandIn says, with
// its kind in the detail "actor_kind"; personal data in the subject is
// redacted.
func (b *Booker) deny(ctx context.Context, now time.Time, by Requester, action, subject string, client carecontact.ClientRef, cause error) error {
	who, kind := audit.StandIn(by.Actor)
	detail := map[string]string{}
	if who != by.Actor {
		detail["actor_kind"] = kind
	}
	reason := "refused"
	for _, e := range []error{ErrSlotTaken, ErrLimitReached, ErrNotAllowed, ErrCallInstead, ErrHoldExpired, ErrIllegalTransition, ErrConflict,
		ErrTokenInvalid, ErrTokenExpired, ErrInvitationUsed, ErrCalendarInUse} {
		if errors.Is(cause, e) {
			reason = e.Error()
		}
	}
	switch {
	case reason != "refused":
	case errors.Is(cause, audit.ErrInvalidEvent):
		reason = "invalid actor"
	case errors.Is(cause, ErrInvalid):
		reason = "invalid id"
	}
	detail["reason"] = reason
	// A client reference that looks like personal data (an identity code
	// sent as an id) is recorded redacted, so the refusal is still audited.
	ev := audit.Event{At: now, Actor: who, Action: action, Subject: audit.Redact(subject),
		Client: carecontact.ClientRef(audit.Redact(string(client))), Outcome: audit.Denied,
		Detail: detail}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return errors.Join(cause, fmt.Errorf("booking: audit: %w", err))
	}
	return cause
}

var _ carecontact.Driven = (*Booker)(nil)
