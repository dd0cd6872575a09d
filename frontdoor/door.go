package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"strings"
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

// Stores are the stores a Door runs on: take them from one storage
// adapter (storage/memory or storage/postgres), so they share one audit log
// and, for PostgreSQL, one database.
type Stores struct {
	Routing  routing.Store
	Callback callback.Store
	Session  session.Store
	Demand   demand.Store
	// Audit records reads of client data and refused attempts.
	Audit audit.Recorder
}

// Config configures a Door.
type Config struct {
	// Clock tells the time of every part. Required.
	Clock carecontact.Clock
	// Organisation, when set, is the whole configuration named once
	// (Organisation.Build checks it across packages); the Door takes its
	// Directory, Capacity, Matrix and Graph from it, so those fields stay
	// unset. Defaults to none: Directory and Capacity are then required.
	Organisation *Organisation
	// Directory is the organisation: areas, teams, professionals,
	// policies and pilots. Organisation sets it; otherwise Required.
	Directory *routing.Directory
	// Staff is the host's authenticated staff directory: the grants and
	// scopes access decisions take (carecontact.StaffDirectory), never the
	// Role a caller's actor claims. Organisation sets it. Defaults to
	// StaffOf(Directory, nil), every professional without grants.
	Staff carecontact.StaffDirectory
	// Identifier is the host's strong identification service: a session
	// becomes strongly identified only as far as it confirms (see
	// session.Manager.Identify). Defaults to none: Identify records weak
	// identification only.
	Identifier session.Identifier
	// Stores keep everything. Required.
	Stores Stores
	// Capacity tells each team's callback capacity, for example a
	// CalendarCapacity over the booking calendars. Organisation sets it;
	// otherwise Required.
	Capacity callback.Capacity
	// Callback sets the callback service levels. Its Clock, Store, Router,
	// Capacity, Dispatcher, Load, NewID, Audit and Staff are the Door's and
	// must be left unset.
	// Defaults to the callback package's defaults.
	Callback callback.Config
	// Matrix says which errands suit which channels and the identification
	// each needs. Defaults to channel.DefaultMatrix().
	Matrix *channel.Matrix
	// Duplicates is what happens to a client's second contact about the
	// same errand while the first still waits. Defaults to
	// demand.DefaultPolicy (merge into the first).
	Duplicates demand.Policy
	// OfferTimeout is how long an offer waits for an answer. Defaults to
	// routing.DefaultOfferTimeout.
	OfferTimeout time.Duration
	// Grace is how long a contact stays with a professional who signed out
	// before it returns to the queue. Defaults to routing.DefaultGrace.
	Grace time.Duration
	// Replicated says doors of other replicas share Stores: the routing
	// dispatcher reads each item from the store before it acts on it and
	// refreshes its view every RefreshEvery, so a contact enqueued on one
	// replica is served on any (routing.DispatcherConfig.Replicated).
	// Callback promises are safe across replicas either way (they reserve
	// capacity in the store). Defaults to off: one replica per store.
	Replicated bool
	// RefreshEvery is how often a replicated door's dispatcher refreshes
	// from the store. Defaults to routing.DefaultRefreshEvery (2 seconds).
	RefreshEvery time.Duration
	// Leader, if set, is the election of the replicas' leader
	// (routing.DispatcherConfig.Leader): only the replica that leads makes
	// offers, times them out and widens steps, each decision fenced by the
	// lease's token; the others serve every operation and refresh. The
	// callback planner's Advance plans only on the leader
	// (callback.Config.Leader). Requires Replicated. Defaults to none: this door decides itself.
	Leader carecontact.Leadership
	// Transports are the host's telephony, video and chat. Defaults to
	// none: legs are only recorded.
	Transports channel.Transports
	// Graph is the escalation graph between channels. Defaults to
	// channel.DefaultGraph().
	Graph *channel.Graph
	// Checklists gate professionals' actions. Defaults to none.
	Checklists session.ChecklistPolicy
	// ActionIdentity is the identification a gated action needs whatever
	// the channel (see session.Config). Defaults to none.
	ActionIdentity map[string]channel.IdentityLevel
	// OnEvent receives every Event, synchronously and in order, while a
	// part holds its lock: it must return quickly and must not call the
	// Door. Defaults to none.
	OnEvent func(Event)
	// NewID makes contact IDs. They name the contact in routing, in the
	// callback planner and in audit subjects, so they must not look like
	// phone numbers or identity codes. Defaults to "k" and 32 hex digits of
	// a random UUID.
	NewID func() string
	// Guide serves the client texts and channel advice that professionals
	// maintain: Contact and the booking calls read what it has published
	// at the clock's now. Defaults to none: answers carry no text.
	Guide *guidance.Guide
	// Booker is the e-booking service behind BookSearch, BookHold and
	// BookConfirm. Defaults to none: those calls fail with ErrNoBooking.
	Booker *booking.Booker
}

// ErrConfig is the sentinel of a bad Door configuration.
var ErrConfig = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid config")

// ErrInvalidContact is the sentinel of a malformed ContactRequest.
var ErrInvalidContact = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid contact")

// Door is the front door: one service for a contact's life over routing,
// the callback planner, duplicate demand and sessions. It holds no state of
// its own beyond the parts, so several Doors over one PostgreSQL store
// serve the same contacts. It implements carecontact.Driven over all its
// parts.
type Door struct {
	cfg      Config
	dir      *routing.Directory
	disp     *routing.Dispatcher
	cb       *callback.Planner
	admit    *demand.Admitter
	sessions *session.Manager
	system   audit.Actor
}

// New builds the parts over cfg.Stores and returns the Door.
func New(ctx context.Context, cfg Config) (*Door, error) {
	if cfg.Organisation != nil {
		if cfg.Directory != nil || cfg.Capacity != nil || cfg.Matrix != nil || cfg.Graph != nil || cfg.Staff != nil {
			return nil, carecontact.Invalid(ErrConfig, "organisation", "names the directory, capacity, matrix, graph and staff: leave them unset")
		}
		built, err := cfg.Organisation.Build()
		if err != nil {
			return nil, err
		}
		cfg.Directory, cfg.Capacity, cfg.Matrix, cfg.Graph = built.Directory, built.Capacity, built.Matrix, built.Graph
		cfg.Staff = built.Staff
	}
	switch {
	case cfg.Clock == nil:
		return nil, carecontact.Invalid(ErrConfig, "clock", "is required")
	case cfg.Directory == nil:
		return nil, carecontact.Invalid(ErrConfig, "directory", "is required")
	case cfg.Stores.Routing == nil || cfg.Stores.Callback == nil || cfg.Stores.Session == nil ||
		cfg.Stores.Demand == nil || cfg.Stores.Audit == nil:
		return nil, carecontact.Invalid(ErrConfig, "stores", "routing, callback, session, demand and audit are required")
	case cfg.Capacity == nil:
		return nil, carecontact.Invalid(ErrConfig, "capacity", "is required")
	case cfg.Callback.Clock != nil || cfg.Callback.Store != nil || cfg.Callback.Router != nil ||
		cfg.Callback.Capacity != nil || cfg.Callback.Dispatcher != nil || cfg.Callback.NewID != nil || cfg.Callback.Load != nil ||
		cfg.Callback.Audit != nil || cfg.Callback.Staff != nil || cfg.Callback.Leader != nil:
		return nil, carecontact.Invalid(ErrConfig, "callback", "clock, store, router, capacity, dispatcher, load, newID, audit, staff and leader are the door's")
	}
	if cfg.Matrix == nil {
		cfg.Matrix = channel.DefaultMatrix()
	}
	if cfg.Staff == nil {
		staff, err := StaffOf(cfg.Directory, nil)
		if err != nil {
			return nil, err
		}
		cfg.Staff = staff
	}
	if cfg.NewID == nil {
		cfg.NewID = func() string { return "k" + strings.ReplaceAll(uuid.NewString(), "-", "") }
	}
	if cfg.Graph == nil {
		cfg.Graph = channel.DefaultGraph()
	}
	if err := callbacksKept(cfg.Directory, cfg.Matrix); err != nil {
		return nil, err
	}
	d := &Door{cfg: cfg, dir: cfg.Directory, system: audit.System("frontdoor")}
	var sink routing.Sink
	if cfg.OnEvent != nil {
		sink = func(e routing.Event) {
			if ev, ok := fromRouting(e); ok {
				cfg.OnEvent(ev)
			}
		}
	}
	var err error
	d.disp, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: cfg.Directory, Clock: cfg.Clock,
		Store: cfg.Stores.Routing, OfferTimeout: cfg.OfferTimeout, Grace: cfg.Grace, Sink: sink,
		Replicated: cfg.Replicated, RefreshEvery: cfg.RefreshEvery, Leader: cfg.Leader})
	if err != nil {
		return nil, fmt.Errorf("frontdoor: routing: %w", err)
	}
	cbc := cfg.Callback
	cbc.Clock, cbc.Store, cbc.Capacity, cbc.Audit, cbc.Staff = cfg.Clock, cfg.Stores.Callback, cfg.Capacity, cfg.Stores.Audit, cfg.Staff
	cbc.Leader = cfg.Leader
	cbc.Router = RoutingRouter{Directory: cfg.Directory}
	cbc.Dispatcher = RoutingDispatcher{Dispatcher: d.disp}
	cbc.Load = RoutingLoad{Dispatcher: d.disp}
	if cbc.OnEvent != nil {
		return nil, carecontact.Invalid(ErrConfig, "callback.onEvent", "is the door's: use Config.OnEvent")
	}
	cbc.OnEvent = d.emitCallback
	if d.cb, err = callback.New(cbc); err != nil {
		return nil, fmt.Errorf("frontdoor: callback: %w", err)
	}
	if d.admit, err = demand.New(demand.Config{Matrix: cfg.Matrix, Store: cfg.Stores.Demand, Clock: cfg.Clock, Audit: cfg.Stores.Audit, Policy: cfg.Duplicates}); err != nil {
		return nil, fmt.Errorf("frontdoor: demand: %w", err)
	}
	if d.sessions, err = session.New(session.Config{Store: cfg.Stores.Session, Audit: cfg.Stores.Audit,
		Clock: cfg.Clock, Teams: cfg.Directory, Staff: cfg.Staff, Identifier: cfg.Identifier, Matrix: cfg.Matrix, Demand: SessionDemand{Admitter: d.admit},
		Graph: cfg.Graph, Transports: cfg.Transports, Checklists: cfg.Checklists, ActionIdentity: cfg.ActionIdentity}); err != nil {
		return nil, fmt.Errorf("frontdoor: session: %w", err)
	}
	return d, nil
}

// callbacksKept refuses a routing policy that would drop a due callback:
// one whose last step for channel.Callback has a timeout (routing drops an
// item when it passes). A due callback nobody takes waits and is reported
// at risk by the callback planner instead.
func callbacksKept(dir *routing.Directory, m *channel.Matrix) error {
	for _, e := range append(m.Errands(), "") {
		pol, ok := dir.Policy(e, channel.Callback)
		if !ok || len(pol.Steps) == 0 {
			continue
		}
		if last := pol.Steps[len(pol.Steps)-1]; last.Timeout > 0 {
			name := string(pol.Errand)
			if name == "" {
				name = "default"
			}
			return carecontact.Invalid(ErrConfig, "directory.policies",
				fmt.Sprintf("the %s policy for callbacks ends with a timeout of %s: routing would drop a due callback nobody took; give its last step no timeout", name, last.Timeout))
		}
	}
	return nil
}

// Parts are the Door's components, for hosts that need an operation the
// Door does not offer (a directory-wide Stats, the callback KPIs). Changing
// a contact through them directly bypasses the rules the Door keeps.
type Parts struct {
	Dispatcher *routing.Dispatcher
	Callbacks  *callback.Planner
	Demand     *demand.Admitter
	Sessions   *session.Manager
}

// Parts returns the Door's components.
func (d *Door) Parts() Parts {
	return Parts{Dispatcher: d.disp, Callbacks: d.cb, Demand: d.admit, Sessions: d.sessions}
}

// ContactRequest is a client's new contact.
type ContactRequest struct {
	// Actor is who makes the contact: the client, or the system on their
	// behalf (a phone menu). Defaults to the system.
	Actor audit.Actor
	// Client is the pseudonymous client reference. Required.
	Client carecontact.ClientRef
	// Errand is what the client contacts about. Required.
	Errand channel.Errand
	// Channel is where the contact arrives. Required.
	Channel channel.Kind
	// PostalCode gives the home area. Required unless OwnTeam is set.
	PostalCode routing.PostalCode
	// OwnTeam and OwnProfessional are the client's own, routed to first.
	OwnTeam         carecontact.TeamID
	OwnProfessional carecontact.ProfessionalID
	// Language is the client's language as any well-formed BCP 47 tag
	// ("sv-FI", "en-GB", "se"). Guidance texts are matched against the
	// content's own languages, falling back to the content's default
	// (Finnish); routing and the callback planner get it matched to fi, sv
	// or en (civil.ParseLanguage). Defaults to Finnish.
	Language string
	// Group is the client group ("adult", "senior") that channel advice and
	// self-booking rules check. Defaults to none.
	Group string
	// Phone is the number to call back (callbacks only). It is never
	// logged, stored in audit details or marshalled.
	Phone callback.Phone
	// Urgency of a callback. Defaults to callback.NonUrgent.
	Urgency callback.Urgency
	// Priority orders an inbound contact in its queue (an urgent symptom
	// the phone menu recognised). Defaults to routing.PriorityRoutine.
	Priority routing.Priority
	// Identity is the identification the client has already established
	// (strong after a bank login to chat). Defaults to none, except on the
	// phone (inbound calls and callbacks), where the professional asks who
	// is calling: weak, method "asked_in_call", as the matrix allows.
	Identity       channel.IdentityLevel
	IdentityMethod string
}

// Contact is the answer to a ContactRequest.
type Contact struct {
	// ID names the contact in routing (the work item of an inbound
	// contact), in the callback planner (the request) and in the
	// duplicate-demand record.
	ID string
	// Duplicate: the client already waits about the same errand. When
	// Merged, this contact joined that one (ExistingID) and nothing new was
	// queued.
	Duplicate  bool
	Merged     bool
	ExistingID string
	// Item is the routing work item of an inbound contact, and Wait its
	// place in the queue and estimated wait (routing.Dispatcher.Wait
	// documents the method).
	Item routing.Item
	Wait routing.Wait
	// Promise is the callback window of a callback request.
	Promise *callback.Promise
	// Text is what to tell the client, from Config.Guide: the callback
	// confirmation with its window, the notice that the client already
	// waits elsewhere (Merged), or the advice text of the contact's
	// channel. It carries the language actually used and the content
	// version. Zero without a Guide or when nothing is published for it.
	Text Text
	// Advice is a better channel for the errand, when guidance ranks one
	// above the contact's own channel (see Advice); nil otherwise.
	Advice *Advice
}

// Contact admits a client's contact through the one duplicate-demand
// path and either queues it in routing or promises a callback window. The
// answer says what to tell the client: the queue position and estimated
// wait or the promised window, and with Config.Guide the guidance text and
// any advice on a better channel. An error after admission comes with the
// admitted contact: it is queued or promised, so do not contact again.
func (d *Door) Contact(ctx context.Context, req ContactRequest) (Contact, error) {
	switch {
	case req.Client == "":
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "client", "is required")
	case req.Errand == "":
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "errand", "is required")
	case req.Channel == "":
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "channel", "is required")
	case req.PostalCode == "" && req.OwnTeam == "":
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "postalCode", "is required without an own team")
	case req.Channel == channel.Callback && req.Phone == "":
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "phone", "is required for a callback")
	case !req.Channel.Valid():
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "channel", "is not a known channel")
	}
	for _, f := range []struct{ name, id string }{{"client", string(req.Client)}, {"errand", string(req.Errand)},
		{"ownTeam", string(req.OwnTeam)}, {"ownProfessional", string(req.OwnProfessional)}, {"group", req.Group},
		{"identityMethod", req.IdentityMethod}} {
		if err := carecontact.ValidateID(ErrInvalidContact, f.name, f.id); err != nil {
			return Contact{}, err
		}
	}
	if audit.Redact(string(req.Client)) != string(req.Client) {
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "client", "looks like a phone number or identity code: pass the pseudonymous reference")
	}
	lang, err := parseLanguage(req.Language)
	if err != nil {
		return Contact{}, carecontact.Invalid(ErrInvalidContact, "language", "is not a BCP 47 tag")
	}
	actor := req.Actor
	if actor.Kind == "" {
		actor = d.system
	}
	id := d.cfg.NewID()
	ad, err := d.admit.Admit(ctx, demand.Request{Actor: actor, Client: req.Client, Errand: req.Errand, Kind: req.Channel, Ref: id, ID: "d" + id})
	if err != nil {
		return Contact{}, fmt.Errorf("frontdoor: admit: %w", err)
	}
	out := Contact{ID: ad.Contact.Ref, Duplicate: ad.Duplicate()}
	if ad.Existing != nil {
		out.ExistingID = ad.Existing.Ref
	}
	now := d.cfg.Clock.Now().UTC()
	if !ad.Queue() {
		out.Merged = true
		d.emit(Event{Kind: EventMerged, At: now, Contact: out.ExistingID, Client: req.Client, Errand: req.Errand,
			Channel: req.Channel, Duplicate: true})
		var existing channel.Kind
		if ad.Existing != nil {
			existing = ad.Existing.Kind
		}
		return out, d.tell(ctx, req, lang, existing, &out)
	}
	d.emit(Event{Kind: EventAdmitted, At: now, Contact: id, Client: req.Client, Errand: req.Errand,
		Channel: req.Channel, Duplicate: out.Duplicate})
	if req.Channel == channel.Callback {
		p, err := d.cb.Request(ctx, callback.Request{ID: id, Client: req.Client, Phone: req.Phone, Errand: req.Errand,
			Urgency: req.Urgency, PostalCode: string(req.PostalCode), Language: lang.civil,
			OwnTeam: req.OwnTeam, OwnProfessional: req.OwnProfessional})
		if err != nil {
			return Contact{}, d.refuse(ctx, req, ad, id, fmt.Errorf("frontdoor: callback: %w", err))
		}
		if p.Joined {
			// The client already waits for a callback about the errand: this
			// request joined it, one contact in the planner as in demand.
			out.Merged, out.Duplicate, out.ExistingID, out.Promise = true, true, p.Request, &p
			d.emit(Event{Kind: EventMerged, At: now, Contact: p.Request, Client: req.Client, Errand: req.Errand,
				Channel: channel.Callback, Duplicate: true})
			return out, d.undoAdmission(ctx, ad.Contact.ID, nil)
		}
		out.Promise = &p
		d.emit(Event{Kind: EventCallbackPromised, At: now, Contact: id, Client: req.Client, Errand: req.Errand,
			Channel: channel.Callback, Team: p.Team, Window: p.Window, Duplicate: out.Duplicate})
		if err := d.open(ctx, req, ad, id, p.Team, ""); err != nil {
			return out, err
		}
		return out, d.tell(ctx, req, lang, "", &out)
	}
	it, err := d.disp.Enqueue(ctx, carecontact.ItemID(id), routing.Contact{Client: req.Client, Errand: req.Errand,
		Channel: req.Channel, Priority: req.Priority, PostalCode: req.PostalCode, OwnTeam: req.OwnTeam,
		OwnProfessional: req.OwnProfessional, Language: lang.civil})
	if err != nil {
		return Contact{}, d.refuse(ctx, req, ad, id, fmt.Errorf("frontdoor: routing: %w", err))
	}
	out.Item = it
	if out.Wait, err = d.disp.Wait(it.ID); err != nil && !errors.Is(err, routing.ErrItemNotFound) {
		return out, fmt.Errorf("frontdoor: wait: %w", err)
	}
	team := req.OwnTeam
	if _, err := d.dir.Team(team); err != nil {
		// No own team, or one the directory does not know (routing skipped
		// its step): the session belongs to the first team of the route.
		team = ""
		if rt, err := d.dir.Route(it.Contact); err == nil && len(rt.Steps) > 0 && len(rt.Steps[0].Teams) > 0 {
			team = rt.Steps[0].Teams[0]
		}
	}
	if err := d.open(ctx, req, ad, id, team, carecontact.ItemID(id)); err != nil {
		return out, err
	}
	return out, d.tell(ctx, req, lang, "", &out)
}

// open opens the session of a queued contact under the contact's ID; the
// session holds the identification the client established and, when it
// closes, settles the errand.
func (d *Door) open(ctx context.Context, req ContactRequest, ad demand.Admission, id string, team carecontact.TeamID, item carecontact.ItemID) error {
	if team == "" {
		return fmt.Errorf("%w: contact %s has no owning team", routing.ErrNoRoute, id)
	}
	if req.Identity == channel.IdentityNone && (req.Channel == channel.InboundPhone || req.Channel == channel.Callback) {
		req.Identity, req.IdentityMethod = channel.IdentityWeak, "asked_in_call"
	}
	_, err := d.sessions.Open(ctx, d.system, session.OpenRequest{ID: id, Client: req.Client, Errand: req.Errand,
		Team: team, OwnProfessional: req.OwnProfessional, OwnTeam: req.OwnTeam, WorkItem: item,
		Contact: ad.Contact.ID, Duplicate: ad.Duplicate(), Identity: req.Identity, IdentityMethod: req.IdentityMethod})
	if err != nil {
		return fmt.Errorf("frontdoor: session open: %w", err)
	}
	return nil
}

// refuse reports contact id, admitted but neither queued nor promised, as
// EventRefused (Reason: why), undoes its admission and returns cause.
func (d *Door) refuse(ctx context.Context, req ContactRequest, ad demand.Admission, id string, cause error) error {
	reason := "refused"
	var nr *routing.NoRouteError
	if errors.As(cause, &nr) {
		reason = string(nr.Reason)
	}
	d.emit(Event{Kind: EventRefused, At: d.cfg.Clock.Now().UTC(), Contact: id, Client: req.Client, Errand: req.Errand,
		Channel: req.Channel, Reason: reason})
	return d.undoAdmission(ctx, ad.Contact.ID, cause)
}

// undoAdmission closes the demand record of a contact that could not be
// queued, so nothing half-written stays behind, and returns cause.
func (d *Door) undoAdmission(ctx context.Context, contact string, cause error) error {
	if _, err := d.admit.Close(ctx, d.system, contact, "not queued"); err != nil {
		return errors.Join(cause, fmt.Errorf("frontdoor: close admission: %w", err))
	}
	return cause
}

// SetPresence signs a professional in or out, or marks them busy.
func (d *Door) SetPresence(ctx context.Context, p carecontact.ProfessionalID, pr routing.Presence) (routing.ProfessionalState, error) {
	return d.disp.SetPresence(ctx, p, pr)
}

// Accept takes an offered work item for professional p in one step: in
// routing, in the callback planner when the item is a due callback, and in
// the contact's session (assigned, first leg started). It returns the
// session, whose ID is the contact's ID.
func (d *Door) Accept(ctx context.Context, p carecontact.ProfessionalID, item carecontact.ItemID) (session.Session, error) {
	it, err := d.disp.Accept(ctx, item, p)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: accept: %w", err)
	}
	contact := contactOfItem(item)
	if req, ok := RequestOf(item); ok {
		rec, err := d.cb.Accept(ctx, req, p)
		if err != nil {
			return session.Session{}, fmt.Errorf("frontdoor: callback accept: %w", err)
		}
		now := d.cfg.Clock.Now().UTC()
		d.emit(Event{Kind: EventAccepted, At: now, Contact: req, Item: item, Client: rec.Client, Errand: rec.Errand,
			Channel: channel.Callback, Team: rec.Team, Professional: p, Target: d.continuity(ctx, rec, p),
			Waited: now.Sub(it.EnqueuedAt)})
		if now.After(rec.Deadline) {
			d.emit(Event{Kind: EventCallbackBreached, At: now, Contact: req, Item: item, Client: rec.Client,
				Errand: rec.Errand, Channel: channel.Callback, Team: rec.Team, Professional: p, Window: rec.Promised,
				Reason: "called " + now.Sub(rec.Deadline).Round(time.Minute).String() + " after the deadline"})
		}
	}
	actor := professional(p)
	if _, err := d.sessions.Assign(ctx, d.system, contact, p); err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: session assign: %w", err)
	}
	s, err := d.sessions.StartLeg(ctx, actor, contact, it.Contact.Channel, string(item))
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: session leg: %w", err)
	}
	return s, nil
}

// continuity tells whose call a callback is: the client's own
// professional's, their own team's, or another team's (routing.TargetTeam).
func (d *Door) continuity(ctx context.Context, rec callback.Record, p carecontact.ProfessionalID) routing.Target {
	switch {
	case rec.OwnProfessional != "" && rec.OwnProfessional == p:
		return routing.TargetOwnProfessional
	case rec.OwnTeam != "":
		if in, err := d.dir.IsMember(ctx, rec.OwnTeam, p); err == nil && in {
			return routing.TargetOwnTeam
		}
	}
	return routing.TargetTeam
}

// Closed is the result of Close.
type Closed struct {
	Session session.Session
	// Withdrawn are the client's other contacts for the errand that the
	// outcome settled: rescinded from routing or withdrawn from the
	// callback planner, so nobody contacts the client twice.
	Withdrawn []session.WithdrawnContact
}

// Close ends professional p's contact in session id with outcome: the work
// item is finished in routing (and the callback completed as answered),
// the session is closed, and an outcome that settles the errand withdraws
// the client's other pending contacts for it.
func (d *Door) Close(ctx context.Context, p carecontact.ProfessionalID, id string, outcome session.Outcome) (Closed, error) {
	actor := professional(p)
	s, err := d.sessions.Get(ctx, actor, id)
	if err != nil {
		return Closed{}, fmt.Errorf("frontdoor: close: %w", err)
	}
	if err := d.leaveAll(ctx, p, s); err != nil {
		return Closed{}, fmt.Errorf("frontdoor: close: %w", err)
	}
	item, err := d.itemOf(ctx, s)
	if err != nil {
		return Closed{}, fmt.Errorf("frontdoor: close: %w", err)
	}
	if s.WorkItem == "" { // a callback: its attempt reached the client
		if err := d.answered(ctx, s.ID, p); err != nil {
			return Closed{}, err
		}
	}
	if s.State == session.StateActive {
		if _, err := d.sessions.FinishContact(ctx, actor, id); err != nil {
			return Closed{}, fmt.Errorf("frontdoor: wrap-up: %w", err)
		}
	}
	res, err := d.sessions.Close(ctx, actor, id, outcome)
	if err != nil {
		return Closed{}, fmt.Errorf("frontdoor: session close: %w", err)
	}
	now := d.cfg.Clock.Now().UTC()
	out := Closed{Session: res.Session, Withdrawn: res.Withdrawn}
	// The client's other contacts leave their queues before the
	// professional is free, so nobody is offered a contact the outcome
	// just settled.
	var errs []error
	for _, w := range res.Withdrawn {
		if err := d.settled(ctx, w, s.Client, s.Errand, "settled by "+id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := d.finishItem(ctx, item, p); err != nil {
		errs = append(errs, err)
	}
	d.emit(Event{Kind: EventClosed, At: now, Contact: id, Item: item, Client: s.Client, Errand: s.Errand,
		Channel: res.Session.LastKind(), Team: res.Session.Team, Professional: p, Outcome: outcome})
	return out, errors.Join(errs...)
}

// answered records p's call on callback id as answered, unless the call's
// end already did (LineCallEnded).
func (d *Door) answered(ctx context.Context, id string, p carecontact.ProfessionalID) error {
	rec, err := d.cbRecord(ctx, id)
	if err != nil {
		return fmt.Errorf("frontdoor: callback: %w", err)
	}
	if rec.State != callback.StateInCall {
		return nil
	}
	_, evs, err := d.cb.Complete(ctx, id, p, callback.Answered)
	if err != nil {
		return fmt.Errorf("frontdoor: callback complete: %w", err)
	}
	d.emitCallbacks(evs)
	return nil
}

// finishItem ends p's routing item: finished when still accepted, its
// wrap-up completed when the call already ended (LineCallEnded), nothing
// when it is gone.
func (d *Door) finishItem(ctx context.Context, item carecontact.ItemID, p carecontact.ProfessionalID) error {
	it, ok := d.disp.Item(item)
	var err error
	switch {
	case !ok:
		return nil
	case it.State == routing.ItemWrapUp:
		err = d.disp.Complete(ctx, item, p)
	default:
		_, err = d.disp.Finish(ctx, item, p)
	}
	if err != nil && !errors.Is(err, routing.ErrItemNotFound) {
		return fmt.Errorf("frontdoor: finish: %w", err)
	}
	return nil
}

// settled withdraws w, a contact of client about errand that another
// contact's outcome made unnecessary, and reports it (EventWithdrawn,
// Outcome merged) unless it is being handled.
func (d *Door) settled(ctx context.Context, w session.WithdrawnContact, client carecontact.ClientRef, errand channel.Errand, reason string) error {
	done, err := d.withdraw(ctx, w)
	if done {
		d.emit(Event{Kind: EventWithdrawn, At: d.cfg.Clock.Now().UTC(), Contact: w.Ref, Client: client, Errand: errand,
			Channel: w.Kind, Outcome: session.OutcomeDuplicateMerged, Reason: reason})
	}
	return err
}

// withdraw takes a contact the settled errand made unnecessary out of its
// queue. A contact already being handled is left to finish.
func (d *Door) withdraw(ctx context.Context, w session.WithdrawnContact) (bool, error) {
	if w.Ref == "" {
		return false, nil
	}
	if w.Kind == channel.Callback {
		rec, evs, err := d.cb.Withdraw(ctx, w.Ref, d.system)
		d.emitCallbacks(evs)
		switch {
		case errors.Is(err, callback.ErrInCall), errors.Is(err, callback.ErrNotFound):
			return false, nil // in a call the professional closes it; unknown, nothing waits
		case err != nil:
			return false, fmt.Errorf("frontdoor: callback withdraw: %w", err)
		}
		if rec.Dispatches > 0 {
			if err := d.rescind(ctx, ItemOf(rec), "settled elsewhere"); err != nil {
				return false, err
			}
		}
		return true, d.closeWithdrawn(ctx, w.Ref)
	}
	it, ok := d.disp.Item(carecontact.ItemID(w.Ref))
	if ok && it.State != routing.ItemQueued && it.State != routing.ItemOffered {
		return false, nil // being handled: the professional closes it
	}
	if err := d.rescind(ctx, carecontact.ItemID(w.Ref), "settled elsewhere"); err != nil {
		return false, err
	}
	return true, d.closeWithdrawn(ctx, w.Ref)
}

// closeWithdrawn closes the session of a contact another contact's outcome
// settled, as merged into it; a session someone already handles, or none,
// is left alone.
func (d *Door) closeWithdrawn(ctx context.Context, id string) error {
	s, err := d.sessions.Get(ctx, d.system, id)
	switch {
	case errors.Is(err, session.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("frontdoor: withdrawn session: %w", err)
	case s.State != session.StateWaiting && s.State != session.StateAssigned:
		return nil
	}
	if _, err := d.sessions.Close(ctx, d.system, id, session.OutcomeDuplicateMerged); err != nil {
		return fmt.Errorf("frontdoor: close withdrawn session: %w", err)
	}
	return nil
}

// rescind takes item out of routing while it waits (queued or offered),
// with reason; an item being handled is left for its professional.
func (d *Door) rescind(ctx context.Context, item carecontact.ItemID, reason string) error {
	it, ok := d.disp.Item(item)
	if !ok || (it.State != routing.ItemQueued && it.State != routing.ItemOffered) {
		return nil // gone, or being handled: the professional finishes it
	}
	if err := d.disp.Rescind(ctx, item, reason); err != nil && !errors.Is(err, routing.ErrItemNotFound) {
		return fmt.Errorf("frontdoor: rescind: %w", err)
	}
	return nil
}

// parts are the Door's time-driven components: routing, the callback
// planner and, when configured, the booker (holds expire, waitlist offers
// lapse).
func (d *Door) parts() []carecontact.Driven {
	ps := []carecontact.Driven{d.disp, d.cb}
	if d.cfg.Booker != nil {
		ps = append(ps, d.cfg.Booker)
	}
	return ps
}

// Advance implements carecontact.Driven over all the Door's parts: routing,
// the callback planner and the booker. Every part advances even when
// another fails; the errors are joined. The callback planner re-plans on
// every Advance, so a capacity change reaches the promises at the next
// one.
func (d *Door) Advance(ctx context.Context) error {
	var errs []error
	for _, p := range d.parts() {
		errs = append(errs, p.Advance(ctx))
	}
	return errors.Join(errs...)
}

// NextDeadline implements carecontact.Driven: the earliest deadline of the
// Door's parts.
func (d *Door) NextDeadline(ctx context.Context) (time.Time, bool, error) {
	var (
		next  time.Time
		found bool
		errs  []error
	)
	for _, p := range d.parts() {
		t, ok, err := p.NextDeadline(ctx)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok && (!found || t.Before(next)) {
			next, found = t, true
		}
	}
	if err := errors.Join(errs...); err != nil {
		return time.Time{}, false, err
	}
	return next, found, nil
}

// Wake implements carecontact.Waker with routing's wake-ups.
func (d *Door) Wake() <-chan struct{} { return d.disp.Wake() }

var _ interface {
	carecontact.Driven
	carecontact.Waker
} = (*Door)(nil)

// cbRecord reads callback request id from the store for the door's own
// bookkeeping (which item a contact is in, whether a call still runs).
// Nothing of it reaches a caller, so it is not a read of client data to
// audit; reads for a person go through callback.Planner.Get.
func (d *Door) cbRecord(ctx context.Context, id string) (callback.Record, error) {
	r, err := d.cfg.Stores.Callback.Get(ctx, id)
	if err != nil {
		return callback.Record{}, fmt.Errorf("callback: get %s: %w", id, err)
	}
	return r, nil
}
