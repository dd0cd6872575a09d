package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// Checklist-gated actions: the action strings a ChecklistPolicy is asked
// about, with the channel kind they concern.
const (
	// ActionStartLeg: starting a leg (kind: the leg's channel).
	ActionStartLeg = "leg.start"
	// ActionEscalate: switching to another channel (kind: the target). An
	// escalation starts a leg, so the items for ActionStartLeg in the
	// target channel are required too.
	ActionEscalate = "leg.escalate"
	// ActionInvite: inviting a participant (kind: the running leg's channel).
	ActionInvite = "participant.invite"
	// ActionTransfer: transferring to another team (kind: the latest leg's
	// channel, "" before any leg).
	ActionTransfer = "transfer"
	// ActionClose: closing the session (kind: the latest leg's channel).
	ActionClose = "close"
)

// ChecklistPolicy says which checklist items must be completed before an
// action in a channel (for example "identity_verified" and "private_place"
// before a video leg starts). The guidance package implements it from its
// published professional checklists.
type ChecklistPolicy interface {
	Required(action string, kind channel.Kind) []string
}

// TeamDirectory answers whether a professional belongs to a team, and
// whether a team or professional exists at all (Invite and Transfer refuse
// unknown ones). *routing.Directory implements it (frontdoor passes its
// directory), as may the host's staff directory or a fixed Teams.
type TeamDirectory interface {
	IsMember(ctx context.Context, team carecontact.TeamID, professional carecontact.ProfessionalID) (bool, error)
	HasTeam(ctx context.Context, team carecontact.TeamID) (bool, error)
	HasProfessional(ctx context.Context, professional carecontact.ProfessionalID) (bool, error)
}

// Teams is a fixed TeamDirectory: team -> member staff IDs. The
// professionals it knows are the members of its teams.
type Teams map[carecontact.TeamID][]carecontact.ProfessionalID

// IsMember implements TeamDirectory.
func (t Teams) IsMember(_ context.Context, team carecontact.TeamID, professional carecontact.ProfessionalID) (bool, error) {
	return slices.Contains(t[team], professional), nil
}

// HasTeam implements TeamDirectory.
func (t Teams) HasTeam(_ context.Context, team carecontact.TeamID) (bool, error) {
	_, ok := t[team]
	return ok, nil
}

// HasProfessional implements TeamDirectory.
func (t Teams) HasProfessional(_ context.Context, professional carecontact.ProfessionalID) (bool, error) {
	for _, members := range t {
		if slices.Contains(members, professional) {
			return true, nil
		}
	}
	return false, nil
}

// Suitability is what the session needs of the suitability matrix;
// *channel.Matrix implements it.
type Suitability = channel.Suitability

// Demand is what a Manager needs of duplicate-demand tracking: settling or
// closing the contact a session was opened for. The composition layer
// implements it (frontdoor.SessionDemand over a *demand.Admitter), so this
// package does not import the demand package.
type Demand interface {
	// Settle records that contact settled the client's errand and
	// withdraws the client's other pending contacts for it, returning
	// them. A contact that is no longer pending (settled elsewhere first)
	// is no error: nothing is withdrawn.
	Settle(ctx context.Context, actor audit.Actor, contact string) ([]WithdrawnContact, error)
	// Close records that contact ended without settling the errand. A
	// contact that is no longer pending is no error.
	Close(ctx context.Context, actor audit.Actor, contact, reason string) error
}

// WithdrawnContact is a client's pending contact in another channel that
// closing a session withdrew: the host rescinds it from its queue.
type WithdrawnContact struct {
	// ID is the duplicate-demand contact ID.
	ID string `json:"id"`
	// Kind is the channel the contact waited in.
	Kind channel.Kind `json:"kind"`
	// Ref is the host's reference for the contact in its channel (the
	// routing work item, the callback request), "" when none was given.
	Ref string `json:"ref,omitempty"`
}

// DefaultSupervisorRole is the role of a staff grant that gives supervisor
// access.
const DefaultSupervisorRole = "supervisor"

// Defaults of Config.
const (
	DefaultTransportAttempts = 3
	DefaultConflictRetries   = 8
)

// Config configures a Manager.
type Config struct {
	// Store keeps the sessions. Required.
	Store Store
	// Audit records reads and denied attempts. Required.
	Audit audit.Recorder
	// Clock stamps every change. Required.
	Clock carecontact.Clock
	// Teams tells who belongs to which team. Required.
	Teams TeamDirectory
	// Matrix gives suitability and identity levels. Defaults to
	// channel.DefaultMatrix().
	Matrix Suitability
	// Graph is the escalation graph. Defaults to channel.DefaultGraph().
	Graph *channel.Graph
	// Transports are the host's telephony, video and chat. Defaults to
	// none: legs in a channel without a transport are only recorded.
	Transports channel.Transports
	// Checklists gates actions. Defaults to none, which gates nothing.
	Checklists ChecklistPolicy
	// ActionIdentity is the client identification a gated action (the
	// Action constants) needs whatever the channel, e.g.
	// {ActionInvite: channel.IdentityStrong} before health data is shared
	// with more professionals. Legs also need the level the Matrix asks.
	// Defaults to none.
	ActionIdentity map[string]channel.IdentityLevel
	// Demand, when set, settles the session's contact when it closes and
	// withdraws the client's other pending contacts for the errand.
	// frontdoor.SessionDemand adapts a *demand.Admitter. Defaults to nil:
	// contacts are not tracked.
	Demand Demand
	// Staff is the host's authenticated staff directory: a professional
	// holds supervisor access only where it grants them SupervisorRole
	// (see carecontact.Scope); the Role of a caller's actor is a claim and
	// grants nothing. Defaults to carecontact.NoStaff{}: nobody supervises.
	Staff carecontact.StaffDirectory
	// Identifier is the host's strong identification service: a session is
	// strongly identified only as far as it confirms (see Identify).
	// Defaults to none: no session becomes strongly identified after it is
	// opened.
	Identifier Identifier
	// SupervisorRole is the role a grant of the Staff directory names for
	// supervisor access. Defaults to DefaultSupervisorRole.
	SupervisorRole string
	// TransportAttempts is how many times an operation that fails with
	// channel.ErrTransient is tried. Defaults to DefaultTransportAttempts.
	TransportAttempts int
	// ConflictRetries is how often a change is re-applied after a version
	// conflict. Defaults to DefaultConflictRetries.
	ConflictRetries int
	// NewID makes session IDs. IDs appear in audit subjects, so they must
	// not look like phone numbers or identity codes. Defaults to NewID.
	NewID func() string
}

// NewID returns a random session ID: "s" and 32 hex digits of a UUID, with
// no separators, so no run of digits in it can look like a phone number or
// an identity code to audit.Event.Validate (a plain UUID sometimes does).
func NewID() string { return "s" + strings.ReplaceAll(uuid.NewString(), "-", "") }

// Manager runs sessions: it checks access, the state machine, identity,
// suitability and checklists, drives the transports and writes every change
// through the Store with its audit events. It holds no mutable state and is
// safe for concurrent use; concurrent changes to one session are serialised
// by the Store's version compare-and-set.
type Manager struct {
	cfg Config
}

// New checks cfg and returns a Manager.
func New(cfg Config) (*Manager, error) {
	switch {
	case cfg.Store == nil:
		return nil, invalid("config.Store", "is required")
	case cfg.Audit == nil:
		return nil, invalid("config.Audit", "is required")
	case cfg.Clock == nil:
		return nil, invalid("config.Clock", "is required")
	case cfg.Teams == nil:
		return nil, invalid("config.Teams", "is required")
	case cfg.TransportAttempts < 0 || cfg.ConflictRetries < 0:
		return nil, invalid("config", "attempts and retries must not be negative")
	}
	if cfg.Matrix == nil {
		cfg.Matrix = channel.DefaultMatrix()
	}
	if cfg.Graph == nil {
		cfg.Graph = channel.DefaultGraph()
	}
	if cfg.SupervisorRole == "" {
		cfg.SupervisorRole = DefaultSupervisorRole
	}
	if cfg.Staff == nil {
		cfg.Staff = carecontact.NoStaff{}
	}
	if cfg.TransportAttempts == 0 {
		cfg.TransportAttempts = DefaultTransportAttempts
	}
	if cfg.ConflictRetries == 0 {
		cfg.ConflictRetries = DefaultConflictRetries
	}
	if cfg.NewID == nil {
		cfg.NewID = NewID
	}
	return &Manager{cfg: cfg}, nil
}

func (m *Manager) now() time.Time { return m.cfg.Clock.Now().UTC() }

func subject(id string) string { return "session/" + id }

func event(actor audit.Actor, action string, s *Session, now time.Time, outcome audit.Outcome, detail map[string]string) audit.Event {
	return audit.Event{At: now, Actor: actor, Action: action, Subject: subject(s.ID), Client: s.Client,
		Outcome: outcome, Detail: detail}
}

// OpenRequest describes a new session.
type OpenRequest struct {
	// ID, when set, is the new session's ID (the front door uses the
	// contact's ID, so routing, callbacks and the session name it alike).
	// It appears in audit subjects, so it must not look like a phone number
	// or identity code. Defaults to an ID from Config.NewID.
	ID     string
	Client carecontact.ClientRef // pseudonymous client reference, required
	Errand channel.Errand
	Team   carecontact.TeamID // owning team, required
	// OwnProfessional and OwnTeam are the client's own, for continuity.
	OwnProfessional carecontact.ProfessionalID
	OwnTeam         carecontact.TeamID
	WorkItem        carecontact.ItemID
	// Contact is the demand.Contact ID this session handles, and Duplicate
	// whether admission found it a duplicate.
	Contact   string
	Duplicate bool
	// Identity is the identification already established (a client who
	// logged in with strong identification to chat), and IdentityMethod
	// its short label (at most 40 characters).
	Identity       channel.IdentityLevel
	IdentityMethod string
}

// Open creates a waiting session, audited "session.open". The client may
// open their own session, a professional one for a team they belong to (or
// any, as supervisor), the system any. An ID or reference longer than
// carecontact.MaxIDLen bytes, not UTF-8 or holding a control character is
// an ErrInvalid *carecontact.FieldError naming the field, and so are an ID
// that looks like a phone number or identity code and a team the directory
// does not know.
func (m *Manager) Open(ctx context.Context, actor audit.Actor, req OpenRequest) (Session, error) {
	switch {
	case req.Client == "":
		return Session{}, invalid("client", "is required")
	case req.Errand == "":
		return Session{}, invalid("errand", "is required")
	case req.Team == "":
		return Session{}, invalid("team", "is required")
	case !req.Identity.Valid():
		return Session{}, invalid("identity", "is not a known level")
	case len(req.IdentityMethod) > 40:
		return Session{}, invalid("identityMethod", "must be at most 40 characters")
	}
	for _, f := range []struct{ name, id string }{
		{"id", req.ID}, {"client", string(req.Client)}, {"errand", string(req.Errand)}, {"team", string(req.Team)},
		{"ownProfessional", string(req.OwnProfessional)}, {"ownTeam", string(req.OwnTeam)},
		{"workItem", string(req.WorkItem)}, {"contact", req.Contact}, {"identityMethod", req.IdentityMethod},
	} {
		if err := carecontact.ValidateID(ErrInvalid, f.name, f.id); err != nil {
			return Session{}, err
		}
	}
	if req.ID != "" && audit.Redact(req.ID) != req.ID {
		return Session{}, invalid("id", "looks like a phone number or identity code")
	}
	if err := actor.Validate(); err != nil {
		return Session{}, fmt.Errorf("session: open: actor: %w", err)
	}
	if ok, err := m.cfg.Teams.HasTeam(ctx, req.Team); err != nil {
		return Session{}, fmt.Errorf("session: team directory: %w", err)
	} else if !ok {
		return Session{}, invalid("team", "is not in the team directory")
	}
	now := m.now()
	id := req.ID
	if id == "" {
		id = m.cfg.NewID()
	}
	s := Session{
		ID: id, Client: req.Client, Errand: req.Errand, State: StateWaiting, Team: req.Team,
		OwnProfessional: req.OwnProfessional, OwnTeam: req.OwnTeam, WorkItem: req.WorkItem,
		Contact: req.Contact, Duplicate: req.Duplicate, Identity: req.Identity, IdentityMethod: req.IdentityMethod,
		OpenedAt: now,
	}
	if reason, ok, err := m.mayOpen(ctx, actor, &s); err != nil {
		return Session{}, err
	} else if !ok {
		return Session{}, m.deny(ctx, actor, "session.open", &s, now, reason)
	}
	d := map[string]string{"to": string(StateWaiting), "errand": string(s.Errand), "team": string(s.Team),
		"identity": s.Identity.String()}
	if s.Contact != "" {
		d["contact"] = "contact/" + s.Contact
	}
	if err := m.cfg.Store.Create(ctx, s, []audit.Event{event(actor, "session.open", &s, now, audit.Allowed, d)}); err != nil {
		return Session{}, fmt.Errorf("session: open %s: %w", s.ID, err)
	}
	s.Version = 1
	return s, nil
}

// Get returns the session, audited "session.read". Any involved
// professional (assignee, participant, team member, supervisor), the client
// themselves and the system may read it. The client's view leaves out the
// professionals' notes, and the client reads it only with the
// identification the Matrix names for the errand as a secure message, in
// force now (the session's own or the Identifier's); else ErrNotIdentified,
// audited as denied. A refusal is audited as denied:
// an invalid actor (see audit.StandIn) and an ID that looks like personal
// data too. Such an ID is never repeated in the error.
func (m *Manager) Get(ctx context.Context, actor audit.Actor, id string) (Session, error) {
	if err := m.checkActor(ctx, actor, "session.read", id); err != nil {
		return Session{}, err
	}
	s, err := m.load(ctx, id)
	if err != nil {
		return Session{}, err
	}
	now := m.now()
	if reason, ok, err := m.authorize(ctx, actor, &s, accessRead, ""); err != nil {
		return Session{}, err
	} else if !ok {
		return Session{}, m.deny(ctx, actor, "session.read", &s, now, reason)
	}
	var detail map[string]string
	if actor.Kind == audit.ActorClient {
		// A session holds health data: the client reads it with the
		// identification the matrix names for the errand in writing.
		if err := m.clientMayRead(ctx, &s, now); err != nil {
			ev := event(actor, "session.read", &s, now, audit.Denied, map[string]string{"reason": "identification too weak"})
			if aerr := m.cfg.Audit.Record(ctx, ev); aerr != nil {
				return Session{}, fmt.Errorf("%w (recording the refusal failed: %v)", err, aerr)
			}
			return Session{}, err
		}
		// The client's view: professionals' notes are theirs, not the
		// client's to read.
		s.Notes = nil
		detail = map[string]string{"view": "client"}
	}
	if err := m.cfg.Audit.Record(ctx, event(actor, "session.read", &s, now, audit.Allowed, detail)); err != nil {
		return Session{}, fmt.Errorf("session: read %s: audit: %w", id, err)
	}
	return s, nil
}

// checkID checks a session ID a caller passed. It is required, a valid
// identifier, and must not look like personal data. The error never
// repeats the ID.
func checkID(id string) error {
	if id == "" {
		return invalid("id", "is required")
	}
	if err := carecontact.ValidateID(ErrInvalid, "id", id); err != nil {
		return err
	}
	if audit.Redact(id) != id {
		return invalid("id", "looks like personal data")
	}
	return nil
}

// checkActor refuses an invalid actor or an ID that looks like personal
// data before anything is read. The refusal is audited as denied under
// audit.StandIn, with the actor's kind and no raw identity.
func (m *Manager) checkActor(ctx context.Context, actor audit.Actor, action, id string) error {
	aerr := actor.Validate()
	ierr := checkID(id)
	if aerr == nil && ierr == nil {
		return nil
	}
	err, reason, subj := ierr, "invalid id", subject(audit.Redacted)
	if aerr != nil {
		err, reason = fmt.Errorf("session: %s: actor: %w", action, aerr), "invalid actor"
		if ierr == nil {
			subj = subject(id)
		}
	} else if audit.Redact(id) == id {
		// A malformed ID (too long, not UTF-8) is bad input, not a refusal.
		return ierr
	}
	who, kind := audit.StandIn(actor)
	ev := audit.Event{At: m.now(), Actor: who, Action: action, Subject: subj, Outcome: audit.Denied,
		Detail: map[string]string{"reason": reason, "actor_kind": kind}}
	if rerr := m.cfg.Audit.Record(ctx, ev); rerr != nil {
		return fmt.Errorf("%w (recording the denial failed: %v)", err, rerr)
	}
	return err
}

func (m *Manager) load(ctx context.Context, id string) (Session, error) {
	if err := checkID(id); err != nil {
		return Session{}, err
	}
	s, err := m.cfg.Store.Get(ctx, id)
	if err != nil {
		return Session{}, fmt.Errorf("session: %s: %w", id, err)
	}
	return s, nil
}

// change is one attempt at a mutation: it checks and changes s in place,
// returning the audit detail of the change.
type change func(s *Session, now time.Time) (map[string]string, error)

// update loads the session, checks access, applies fn and writes it with a
// version compare-and-set, re-applying fn on a fresh copy after a conflict.
func (m *Manager) update(ctx context.Context, actor audit.Actor, id, action string, acc access, target carecontact.ProfessionalID, fn change) (Session, error) {
	if err := m.checkActor(ctx, actor, action, id); err != nil {
		return Session{}, err
	}
	for range m.cfg.ConflictRetries + 1 {
		s, err := m.load(ctx, id)
		if err != nil {
			return Session{}, err
		}
		now := m.now()
		if reason, ok, err := m.authorize(ctx, actor, &s, acc, target); err != nil {
			return Session{}, err
		} else if !ok {
			return Session{}, m.deny(ctx, actor, action, &s, now, reason)
		}
		from := s.State
		detail, err := fn(&s, now)
		if err != nil {
			return Session{}, err
		}
		if detail == nil {
			detail = map[string]string{}
		}
		if s.State != from {
			detail["from"], detail["to"] = string(from), string(s.State)
		}
		err = m.cfg.Store.Update(ctx, s, []audit.Event{event(actor, action, &s, now, audit.Allowed, detail)})
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Session{}, fmt.Errorf("session: %s %s: %w", action, id, err)
		}
		s.Version++
		return s, nil
	}
	return Session{}, fmt.Errorf("session: %s %s: %w after %d attempts", action, id, ErrConflict, m.cfg.ConflictRetries+1)
}

// Assign gives a waiting session to a professional: waiting -> assigned,
// audited "session.assign". A team member may take it for themselves; a
// supervisor or the system may assign anyone.
func (m *Manager) Assign(ctx context.Context, actor audit.Actor, id string, professional carecontact.ProfessionalID) (Session, error) {
	if professional == "" {
		return Session{}, invalid("professional", "is required")
	}
	return m.update(ctx, actor, id, "session.assign", accessAssign, professional, func(s *Session, now time.Time) (map[string]string, error) {
		if err := transition("assign", s.State, StateAssigned); err != nil {
			return nil, err
		}
		s.State, s.Assignee = StateAssigned, professional
		return map[string]string{"assignee": string(professional)}, nil
	})
}

// Identify records how strongly the client has been identified, audited
// "session.identify". Method is a short label such as "bank_id",
// "mobile_certificate" or "asked_in_call"; never the code itself.
//
// A professional may record weak identification (asked in the call). A
// strong level comes from Config.Identifier only: the client's current
// identification there must reach level and hold now, and the session
// takes its level, method and expiry (see Session.IdentityAt). Without an
// Identifier, or when it does not confirm, the attempt is an
// *channel.IdentityError matching ErrNotIdentified, audited as denied.
func (m *Manager) Identify(ctx context.Context, actor audit.Actor, id string, level channel.IdentityLevel, method string) (Session, error) {
	if !level.Valid() {
		return Session{}, invalid("level", "is not a known identity level")
	}
	if method == "" || len(method) > 40 {
		return Session{}, invalid("method", "must be 1 to 40 characters")
	}
	s, err := m.update(ctx, actor, id, "session.identify", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if s.State == StateClosed {
			return nil, &StateError{Op: "identify", From: s.State}
		}
		prev := s.Identity
		until := time.Time{}
		if level > channel.IdentityWeak {
			ident, err := m.identification(ctx, s.Client, now)
			if err != nil {
				return nil, err
			}
			if ident.Level < level {
				return nil, fmt.Errorf("%w: %w", ErrNotIdentified, &channel.IdentityError{Required: level, Have: ident.Level})
			}
			level, method, until = ident.Level, ident.Method, ident.Until.UTC()
		}
		s.Identity, s.IdentityMethod, s.IdentifiedUntil = level, method, until
		d := map[string]string{"level": level.String(), "previous": prev.String(), "method": audit.Redact(method)}
		if !until.IsZero() {
			d["until"] = until.Format(time.RFC3339)
		}
		return d, nil
	})
	if errors.Is(err, ErrNotIdentified) {
		if pre, perr := m.load(ctx, id); perr == nil {
			ev := event(actor, "session.identify", &pre, m.now(), audit.Denied,
				map[string]string{"reason": "not confirmed by the identification service", "level": level.String()})
			if aerr := m.cfg.Audit.Record(ctx, ev); aerr != nil {
				return Session{}, fmt.Errorf("%w (recording the refusal failed: %v)", err, aerr)
			}
		}
	}
	return s, err
}

// clientMayRead checks that the client of s is identified, now, at least
// at the level the matrix names for s's errand as a secure message (the
// written channel through which a client reads health data): by the
// session's own identification in force or by the Identifier. A shortfall
// is an *channel.IdentityError matching ErrNotIdentified.
func (m *Manager) clientMayRead(ctx context.Context, s *Session, now time.Time) error {
	need := m.cfg.Matrix.RequiredIdentity(s.Errand, channel.SecureMessage)
	have := s.IdentityAt(now)
	if have < need && m.cfg.Identifier != nil {
		ident, err := m.identification(ctx, s.Client, now)
		switch {
		case err == nil && ident.Level > have:
			have = ident.Level
		case err != nil && !errors.Is(err, ErrNotIdentified):
			return err
		}
	}
	if have < need {
		return fmt.Errorf("session: read: %w: %w", ErrNotIdentified, &channel.IdentityError{Required: need, Have: have})
	}
	return nil
}

// identification asks the Identifier for the client's identification in
// force at now; none is an error matching ErrNotIdentified.
func (m *Manager) identification(ctx context.Context, client carecontact.ClientRef, now time.Time) (Identification, error) {
	if m.cfg.Identifier == nil {
		return Identification{}, fmt.Errorf("%w: no identification service", ErrNotIdentified)
	}
	ident, err := m.cfg.Identifier.Identification(ctx, client)
	if errors.Is(err, carecontact.ErrNotFound) {
		return Identification{}, fmt.Errorf("%w: the client has not identified", ErrNotIdentified)
	}
	if err != nil {
		return Identification{}, fmt.Errorf("session: identification service: %w", err)
	}
	if !ident.Holds(now) {
		return Identification{}, fmt.Errorf("%w: the identification has expired", ErrNotIdentified)
	}
	return ident, nil
}

// VerifyPersonalCode checks a personal identity code the client told a
// professional: it must be a valid henkilötunnus and lookup (the host's
// registry) must map it to the session's client. On a match the session's
// identification becomes at least IdentityWeak with method "personal_code";
// a mismatch is audited as denied and returns ErrIdentityMismatch. Access
// is checked before lookup is called: a caller who may not handle the
// session is refused, audited, and the register is never asked. The code
// itself appears in no error, event or session field.
func (m *Manager) VerifyPersonalCode(ctx context.Context, actor audit.Actor, id, code string, lookup func(context.Context, PersonalCode) (carecontact.ClientRef, error)) (Session, error) {
	pc, err := ParsePersonalCode(code)
	if err != nil {
		return Session{}, err
	}
	if lookup == nil {
		return Session{}, invalid("lookup", "is required")
	}
	// Access first: the register is asked only for a caller who may
	// identify the session's client.
	pre, err := m.precheck(ctx, actor, id, "session.identify", accessHandle, "")
	if err != nil {
		return Session{}, err
	}
	client, err := lookup(ctx, pc)
	if err != nil {
		return Session{}, fmt.Errorf("session: verify personal code: lookup: %w", err)
	}
	if client != pre.Client {
		ev := event(actor, "session.identify", &pre, m.now(), audit.Denied, map[string]string{"reason": "code belongs to another client"})
		if err := m.cfg.Audit.Record(ctx, ev); err != nil {
			return Session{}, errors.Join(ErrIdentityMismatch, err)
		}
		return Session{}, ErrIdentityMismatch
	}
	return m.update(ctx, actor, id, "session.identify", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if s.State == StateClosed {
			return nil, &StateError{Op: "identify", From: s.State}
		}
		prev := s.Identity
		s.Identity, s.IdentityMethod = max(s.Identity, channel.IdentityWeak), "personal_code"
		return map[string]string{"level": s.Identity.String(), "previous": prev.String(), "method": s.IdentityMethod}, nil
	})
}

// AddNote adds a professional's note, audited "session.note" (the text
// stays in the session, never in the audit trail).
func (m *Manager) AddNote(ctx context.Context, actor audit.Actor, id, text string) (Session, error) {
	if text == "" || len(text) > 10000 {
		return Session{}, invalid("text", "must be 1 to 10000 bytes")
	}
	if err := carecontact.ValidateText(ErrInvalid, "text", text); err != nil {
		return Session{}, err
	}
	return m.update(ctx, actor, id, "session.note", accessInvolved, "", func(s *Session, now time.Time) (map[string]string, error) {
		if s.State == StateClosed {
			return nil, &StateError{Op: "note", From: s.State}
		}
		if actor.Kind != audit.ActorProfessional {
			return nil, invalid("actor", "must be a professional to write notes")
		}
		s.Notes = append(s.Notes, Note{By: professionalOf(actor), At: now, Text: text})
		return map[string]string{"note": fmt.Sprint(len(s.Notes)), "length": fmt.Sprint(len(text))}, nil
	})
}

// CompleteChecklistItem records that the acting professional completed a
// checklist item (for example "identity_verified"), audited
// "session.checklist". Completing an item twice keeps the first mark.
func (m *Manager) CompleteChecklistItem(ctx context.Context, actor audit.Actor, id, item string) (Session, error) {
	if item == "" || len(item) > 100 {
		return Session{}, invalid("item", "must be 1 to 100 characters")
	}
	if err := carecontact.ValidateID(ErrInvalid, "item", item); err != nil {
		return Session{}, err
	}
	return m.update(ctx, actor, id, "session.checklist", accessInvolved, "", func(s *Session, now time.Time) (map[string]string, error) {
		if s.State == StateClosed {
			return nil, &StateError{Op: "checklist", From: s.State}
		}
		if !s.Completed(item) {
			s.Checklist = append(s.Checklist, ChecklistMark{Item: item, By: professionalOf(actor), At: now})
		}
		return map[string]string{"item": audit.Redact(item)}, nil
	})
}

// gate checks what a gated action needs besides access and state: the
// identification level ActionIdentity asks for (an *channel.IdentityError),
// then the checklist (a *ChecklistError naming the missing items). Further
// actions add their checklist items (an escalation also starts a leg); the
// error names the first action.
func (m *Manager) gate(s *Session, action string, kind channel.Kind, also ...string) error {
	if need, ok := m.cfg.ActionIdentity[action]; ok {
		if err := channel.RequireIdentity(need, s.IdentityAt(m.now())); err != nil {
			return fmt.Errorf("session: %s: %w", action, err)
		}
	}
	if m.cfg.Checklists == nil {
		return nil
	}
	var missing []string
	for _, a := range append([]string{action}, also...) {
		for _, item := range m.cfg.Checklists.Required(a, kind) {
			if !s.Completed(item) && !slices.Contains(missing, item) {
				missing = append(missing, item)
			}
		}
	}
	if len(missing) > 0 {
		return &ChecklistError{Action: action, Kind: kind, Missing: missing}
	}
	return nil
}

// legAllowed checks suitability and identity for a leg of kind k.
func (m *Manager) legAllowed(s *Session, k channel.Kind) error {
	if ok, reason := m.cfg.Matrix.Suitable(s.Errand, k); !ok {
		return &channel.UnsuitableError{Errand: s.Errand, Kind: k, Reason: reason}
	}
	if err := channel.RequireIdentity(m.cfg.Matrix.RequiredIdentity(s.Errand, k), s.IdentityAt(m.now())); err != nil {
		return fmt.Errorf("session: %s leg: %w", k, err)
	}
	return nil
}
