package demand

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// ContactState is where a contact stands in duplicate-demand tracking.
type ContactState string

// Contact states. Only ContactPending is open; the others are final.
const (
	// ContactPending: waiting in a queue or being handled.
	ContactPending ContactState = "pending"
	// ContactSettled: a professional settled the errand in this contact.
	ContactSettled ContactState = "settled"
	// ContactWithdrawn: another contact settled the errand; this one was
	// withdrawn so nobody calls the client twice.
	ContactWithdrawn ContactState = "withdrawn"
	// ContactMerged: a duplicate merged into the earlier contact at admission.
	ContactMerged ContactState = "merged"
	// ContactRedirected: a duplicate refused at admission; the client was
	// told where the errand already is.
	ContactRedirected ContactState = "redirected"
	// ContactClosed: ended without settling the errand (no answer, abandoned).
	ContactClosed ContactState = "closed"
)

// Policy says what admission does with a duplicate contact: the same client
// asking about the same errand while an earlier contact is still pending.
type Policy string

// Duplicate-demand policies.
const (
	// PolicyMerge records the new contact as merged into the earlier one;
	// the host does not queue it and hands its details to the earlier one.
	PolicyMerge Policy = "merge"
	// PolicyKeepBoth queues the new contact too, linked to the earlier one,
	// so the professional who takes either is told about the other.
	PolicyKeepBoth Policy = "keep_both"
	// PolicyRedirect refuses the new contact and tells the client where
	// the errand already is.
	PolicyRedirect Policy = "redirect"
)

// Valid reports whether p is one of the policies.
func (p Policy) Valid() bool { return p == PolicyMerge || p == PolicyKeepBoth || p == PolicyRedirect }

// Contact is one request of a client in one channel, as tracked for
// duplicate demand.
type Contact struct {
	ID     string                `json:"id"`
	Client carecontact.ClientRef `json:"client"` // pseudonymous client reference
	Errand channel.Errand        `json:"errand"`
	Kind   channel.Kind          `json:"kind"`
	// Ref is the host's reference for the contact in its channel: the
	// routing work item, the callback request or the session it became.
	Ref      string       `json:"ref,omitempty"`
	OpenedAt time.Time    `json:"opened_at"`
	State    ContactState `json:"state"`
	// LinkedTo is the earlier contact this one duplicates, "" when none.
	LinkedTo string `json:"linked_to,omitempty"`
	// Policy is the policy applied when this contact was a duplicate.
	Policy Policy `json:"policy,omitempty"`
	// Duplicates counts later contacts that duplicated this one.
	Duplicates int `json:"duplicates"`
	// ClosedAt is when the contact reached a final state.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Open reports whether the contact is still pending.
func (c Contact) Open() bool { return c.State == ContactPending }

// ResolveDuplicate applies policy p to a new pending contact c when existing
// (the client's earliest pending contact for the same errand) is not nil,
// returning the contact to store. Stores call it inside their atomic Admit.
func ResolveDuplicate(c Contact, existing *Contact, p Policy) Contact {
	if existing == nil {
		return c
	}
	c.LinkedTo = existing.ID
	c.Policy = p
	switch p {
	case PolicyMerge:
		c.State, c.ClosedAt = ContactMerged, c.OpenedAt
	case PolicyRedirect:
		c.State, c.ClosedAt = ContactRedirected, c.OpenedAt
	default:
		c.State = ContactPending
	}
	return c
}

// DefaultPolicy is the policy for duplicates when Config.Policy is empty.
const DefaultPolicy = PolicyMerge

// Config configures an Admitter.
type Config struct {
	// Matrix says which errands suit which channels. Required.
	Matrix channel.Suitability
	// Store keeps the contacts. Required.
	Store Store
	// Clock stamps admissions and settlements. Required.
	Clock carecontact.Clock
	// Audit records reads of pending contacts and refused attempts;
	// changes are audited by the Store with the change. Required.
	Audit audit.Recorder
	// Policy applies to duplicates. Defaults to DefaultPolicy.
	Policy Policy
	// PolicyFor, when set, chooses the policy per duplicate instead.
	// Defaults to nil: Policy applies to every duplicate.
	PolicyFor func(req Request, existing Contact) Policy
	// NewID makes contact IDs. IDs appear in audit subjects, so they must
	// not look like phone numbers or identity codes. Defaults to
	// NewContactID.
	NewID func() string
}

// NewContactID returns a random contact ID: "c" and 32 hex digits of a
// UUID, with no separators, so no run of digits in it can look like a phone
// number or an identity code to audit.Event.Validate.
func NewContactID() string { return "c" + strings.ReplaceAll(uuid.NewString(), "-", "") }

// Admitter is the admission step of every channel: it checks suitability,
// detects duplicate demand and settles errands across the client's
// contacts. It holds no state of its own and is safe for concurrent use.
type Admitter struct {
	cfg Config
}

// New checks cfg and returns an Admitter. A missing Matrix, Store, Clock
// or Audit, or an unknown Policy, is a *carecontact.FieldError that names
// the field and matches ErrInvalidConfig.
func New(cfg Config) (*Admitter, error) {
	switch {
	case cfg.Matrix == nil:
		return nil, carecontact.Invalid(ErrInvalidConfig, "Matrix", "is required")
	case cfg.Store == nil:
		return nil, carecontact.Invalid(ErrInvalidConfig, "Store", "is required")
	case cfg.Clock == nil:
		return nil, carecontact.Invalid(ErrInvalidConfig, "Clock", "is required")
	case cfg.Audit == nil:
		return nil, carecontact.Invalid(ErrInvalidConfig, "Audit", "is required")
	case cfg.Policy != "" && !cfg.Policy.Valid():
		return nil, carecontact.Invalid(ErrInvalidConfig, "Policy", fmt.Sprintf("unknown policy %q", cfg.Policy))
	}
	if cfg.Policy == "" {
		cfg.Policy = DefaultPolicy
	}
	if cfg.NewID == nil {
		cfg.NewID = NewContactID
	}
	return &Admitter{cfg: cfg}, nil
}

// Request is a client's request to be served in a channel.
type Request struct {
	Actor  audit.Actor           // who admits: the client, or the system on their behalf
	Client carecontact.ClientRef // pseudonymous client reference
	Errand channel.Errand
	Kind   channel.Kind
	Ref    string // the host's reference for the contact, optional
	// ID names the stored contact; it must be unique and must not look
	// like a phone number or identity code. Defaults to Config.NewID().
	ID string
}

// Admission is the result of Admit.
type Admission struct {
	// Contact is the stored contact.
	Contact Contact
	// Existing is the client's earlier pending contact for the errand when
	// this one duplicates it, nil otherwise.
	Existing *Contact
	// RequiredIdentity is the identification the errand needs in the channel.
	RequiredIdentity channel.IdentityLevel
}

// Duplicate reports whether the contact duplicates an earlier one.
func (a Admission) Duplicate() bool { return a.Existing != nil }

// Queue reports whether the host should queue the new contact: true unless
// it was merged into the earlier contact or redirected to it.
func (a Admission) Queue() bool { return a.Contact.State == ContactPending }

// Admit admits a client's request: the errand must suit the channel (an
// *channel.UnsuitableError otherwise); an earlier pending contact of the client for
// the same errand, in any channel, makes this one a duplicate handled by the
// configured policy. The admission and its outcome are audited as
// "channel.admit". A request without Client or Errand, or with an ID,
// Client, Errand or Ref longer than carecontact.MaxIDLen bytes, not UTF-8 or
// holding a control character, is a *carecontact.FieldError matching
// ErrInvalidAdmission.
func (a *Admitter) Admit(ctx context.Context, req Request) (Admission, error) {
	switch {
	case req.Client == "":
		return Admission{}, carecontact.Invalid(ErrInvalidAdmission, "Client", "is required")
	case req.Errand == "":
		return Admission{}, carecontact.Invalid(ErrInvalidAdmission, "Errand", "is required")
	case !req.Kind.Valid():
		return Admission{}, &carecontact.FieldError{Field: "Kind", Reason: "is not a known channel kind",
			Err: fmt.Errorf("%w (%w)", ErrInvalidAdmission, channel.ErrUnknownKind)}
	}
	for _, f := range []struct{ name, id string }{{"ID", req.ID}, {"Client", string(req.Client)}, {"Errand", string(req.Errand)}, {"Ref", req.Ref}} {
		if err := carecontact.ValidateID(ErrInvalidAdmission, f.name, f.id); err != nil {
			return Admission{}, err
		}
	}
	if req.ID != "" && audit.Redact(req.ID) != req.ID {
		return Admission{}, carecontact.Invalid(ErrInvalidAdmission, "ID", "looks like a phone number or identity code")
	}
	if err := req.Actor.Validate(); err != nil {
		return Admission{}, fmt.Errorf("demand: admit: actor: %w", err)
	}
	if err := a.actsFor(ctx, req.Actor, req.Client, "channel.admit", "contacts"); err != nil {
		return Admission{}, err
	}
	if ok, reason := a.cfg.Matrix.Suitable(req.Errand, req.Kind); !ok {
		return Admission{}, &channel.UnsuitableError{Errand: req.Errand, Kind: req.Kind, Reason: reason}
	}
	now := a.cfg.Clock.Now().UTC()
	id := req.ID
	if id == "" {
		id = a.cfg.NewID()
	}
	c := Contact{
		ID: id, Client: req.Client, Errand: req.Errand, Kind: req.Kind,
		Ref: req.Ref, OpenedAt: now, State: ContactPending,
	}
	policy := a.cfg.Policy
	events := func(stored Contact, existing *Contact) []audit.Event {
		d := map[string]string{"errand": string(stored.Errand), "kind": string(stored.Kind), "state": string(stored.State)}
		if existing != nil {
			d["duplicate_of"] = "contact/" + existing.ID
			d["policy"] = string(stored.Policy)
		}
		return []audit.Event{{At: now, Actor: req.Actor, Action: "channel.admit", Subject: "contact/" + stored.ID,
			Client: stored.Client, Outcome: audit.Allowed, Detail: d}}
	}
	if a.cfg.PolicyFor != nil {
		// The policy may depend on the existing contact, which only the
		// store's atomic step knows: look first, and let the store apply.
		pending, err := a.cfg.Store.Pending(ctx, req.Client)
		if err != nil {
			return Admission{}, fmt.Errorf("demand: admit: %w", err)
		}
		for _, p := range pending {
			if p.Errand == req.Errand {
				if chosen := a.cfg.PolicyFor(req, p); chosen.Valid() {
					policy = chosen
				}
				break
			}
		}
	}
	stored, existing, err := a.cfg.Store.Admit(ctx, c, policy, events)
	if err != nil {
		return Admission{}, fmt.Errorf("demand: admit contact %s: %w", c.ID, err)
	}
	return Admission{Contact: stored, Existing: existing,
		RequiredIdentity: a.cfg.Matrix.RequiredIdentity(req.Errand, req.Kind)}, nil
}

// Settlement is the result of Settle.
type Settlement struct {
	Contact Contact
	// Withdrawn are the client's other pending contacts for the errand,
	// now withdrawn: the host rescinds them from its queues (a callback
	// request, a chat queue entry) so nobody contacts the client twice.
	Withdrawn []Contact
}

// Settle records that contact id settled the client's errand and withdraws
// the client's other pending contacts for it, auditing "channel.settle" and
// one "channel.withdraw" per withdrawn contact.
func (a *Admitter) Settle(ctx context.Context, actor audit.Actor, id string) (Settlement, error) {
	if err := actor.Validate(); err != nil {
		return Settlement{}, fmt.Errorf("demand: settle: actor: %w", err)
	}
	if err := a.mayChange(ctx, actor, id, "channel.settle"); err != nil {
		return Settlement{}, err
	}
	now := a.cfg.Clock.Now().UTC()
	events := func(settled Contact, withdrawn []Contact) []audit.Event {
		evs := []audit.Event{{At: now, Actor: actor, Action: "channel.settle", Subject: "contact/" + settled.ID,
			Client: settled.Client, Outcome: audit.Allowed, Detail: map[string]string{"withdrawn": fmt.Sprint(len(withdrawn))}}}
		for _, w := range withdrawn {
			evs = append(evs, audit.Event{At: now, Actor: actor, Action: "channel.withdraw", Subject: "contact/" + w.ID,
				Client: w.Client, Outcome: audit.Allowed,
				Detail: map[string]string{"kind": string(w.Kind), "settled_by": "contact/" + settled.ID}})
		}
		return evs
	}
	settled, withdrawn, err := a.cfg.Store.Settle(ctx, id, now, events)
	if err != nil {
		return Settlement{}, fmt.Errorf("demand: settle contact %s: %w", id, err)
	}
	return Settlement{Contact: settled, Withdrawn: withdrawn}, nil
}

// Close records that contact id ended without settling the errand (no
// answer, abandoned), auditing "channel.close". Other contacts stay pending.
// The reason is free text: it reaches the audit detail through audit.Redact
// (a phone number or identity code in it is replaced, never refused); one
// longer than carecontact.MaxTextLen bytes, not UTF-8 or holding a control
// character is a *carecontact.FieldError naming "reason".
func (a *Admitter) Close(ctx context.Context, actor audit.Actor, id, reason string) (Contact, error) {
	if err := actor.Validate(); err != nil {
		return Contact{}, fmt.Errorf("demand: close: actor: %w", err)
	}
	if err := carecontact.ValidateText(ErrInvalidAdmission, "reason", reason); err != nil {
		return Contact{}, err
	}
	now := a.cfg.Clock.Now().UTC()
	c, err := a.cfg.Store.Get(ctx, id)
	if err != nil {
		return Contact{}, fmt.Errorf("demand: close contact %s: %w", id, err)
	}
	if err := a.actsFor(ctx, actor, c.Client, "channel.close", "contact/"+id); err != nil {
		return Contact{}, err
	}
	ev := audit.Event{At: now, Actor: actor, Action: "channel.close", Subject: "contact/" + id, Client: c.Client,
		Outcome: audit.Allowed, Detail: map[string]string{"reason": audit.Redact(reason)}}
	out, err := a.cfg.Store.Close(ctx, id, now, []audit.Event{ev})
	if err != nil {
		return Contact{}, fmt.Errorf("demand: close contact %s: %w", id, err)
	}
	return out, nil
}

// Pending returns the client's pending contacts, oldest first: where the
// client's errands already are. The read is audited "channel.pending"
// with the caller; a client reads only their own.
func (a *Admitter) Pending(ctx context.Context, actor audit.Actor, client carecontact.ClientRef) ([]Contact, error) {
	if err := actor.Validate(); err != nil {
		return nil, a.deny(ctx, actor, "channel.pending", "contacts", "", fmt.Errorf("demand: pending: actor: %w", err))
	}
	if err := carecontact.ValidateID(ErrInvalidAdmission, "client", string(client)); err != nil {
		return nil, err
	}
	if err := a.actsFor(ctx, actor, client, "channel.pending", "contacts"); err != nil {
		return nil, err
	}
	out, err := a.cfg.Store.Pending(ctx, client)
	if err != nil {
		return nil, fmt.Errorf("demand: pending contacts: %w", err)
	}
	ev := audit.Event{At: a.cfg.Clock.Now().UTC(), Actor: actor, Action: "channel.pending", Subject: "contacts", Client: client,
		Outcome: audit.Allowed, Detail: map[string]string{"count": fmt.Sprint(len(out))}}
	if err := a.cfg.Audit.Record(ctx, ev); err != nil {
		return nil, fmt.Errorf("demand: pending contacts: audit: %w", err)
	}
	return out, nil
}

// actsFor refuses a client acting on another client's contacts, auditing
// the refusal; professionals and the system act for any client.
func (a *Admitter) actsFor(ctx context.Context, actor audit.Actor, client carecontact.ClientRef, action, subject string) error {
	if actor.Kind != audit.ActorClient || actor.ID == string(client) {
		return nil
	}
	return a.deny(ctx, actor, action, subject, client, fmt.Errorf("demand: %s: another client's contacts: %w", action, ErrNotAllowed))
}

// mayChange checks that actor may settle or close contact id.
func (a *Admitter) mayChange(ctx context.Context, actor audit.Actor, id, action string) error {
	if actor.Kind != audit.ActorClient {
		return nil
	}
	c, err := a.cfg.Store.Get(ctx, id)
	if err != nil {
		return fmt.Errorf("demand: %s contact %s: %w", action, id, err)
	}
	return a.actsFor(ctx, actor, c.Client, action, "contact/"+id)
}

// deny records a refused attempt and returns cause; a failure to record
// is returned with it.
func (a *Admitter) deny(ctx context.Context, actor audit.Actor, action, subject string, client carecontact.ClientRef, cause error) error {
	ev := audit.Refusal(actor, a.cfg.Clock.Now(), action, subject, client, "not allowed")
	if err := a.cfg.Audit.Record(ctx, ev); err != nil {
		return fmt.Errorf("%w (recording the refusal failed: %v)", cause, err)
	}
	return cause
}

// Stats returns the duplicate-demand counters for contacts opened in
// [since, until). An until before since is a *carecontact.FieldError
// naming "until"; a zero until is no bound.
func (a *Admitter) Stats(ctx context.Context, since, until time.Time) (Stats, error) {
	if !until.IsZero() && until.Before(since) {
		return Stats{}, carecontact.Invalid(ErrInvalidAdmission, "until", "is before since")
	}
	s, err := a.cfg.Store.Stats(ctx, since, until)
	if err != nil {
		return Stats{}, fmt.Errorf("demand: stats: %w", err)
	}
	return s, nil
}
