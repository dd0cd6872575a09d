package callback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
)

// Dispatcher receives requests whose window (or retry time) has come, in
// dispatch order, at most once per request per Advance. A request already
// due may be dispatched again when widening moves it to a team that can call
// at once: r.Dispatches has grown, and the dispatcher must withdraw the
// previous dispatch (unless a professional has already taken it) so the
// client is called once. frontdoor.RoutingDispatcher adapts the routing
// package's dispatcher and does so.
type Dispatcher interface {
	Dispatch(ctx context.Context, r Record) error
}

// Handover is a Dispatcher that knows whom it handed a request to: the
// professional its routing offered the request's dispatch to and who took
// it. Accept lets such a professional accept the request whatever their
// team, since the routing that widened it decided they may.
type Handover interface {
	HandedTo(ctx context.Context, r Record, professional carecontact.ProfessionalID) (bool, error)
}

// Planner promises callback windows, keeps them current and dispatches
// requests when their windows come. Its methods are safe for concurrent
// use: planning (Request, Advance) is serialised by a lock of the Planner,
// and every change to a request is a compare-and-set in the Store, so
// concurrent Accept/Take/Complete calls from many goroutines or replicas
// never lose a request or call one twice.
type Planner struct {
	cfg        Config
	store      Store
	router     Router
	capacity   Capacity
	dispatcher Dispatcher
	newID      func() string
	actor      audit.Actor

	mu     sync.Mutex
	status map[string]Status
}

// New returns a Planner. cfg.Clock, cfg.Store, cfg.Router and
// cfg.Capacity are required; Validate tells what else is wrong.
func New(cfg Config) (*Planner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	switch {
	case cfg.Clock == nil:
		return nil, carecontact.Invalid(ErrConfig, "Clock", "is required")
	case cfg.Store == nil:
		return nil, carecontact.Invalid(ErrConfig, "Store", "is required")
	case cfg.Router == nil:
		return nil, carecontact.Invalid(ErrConfig, "Router", "is required")
	case cfg.Capacity == nil:
		return nil, carecontact.Invalid(ErrConfig, "Capacity", "is required")
	case cfg.Audit == nil:
		return nil, carecontact.Invalid(ErrConfig, "Audit", "is required")
	}
	cfg = cfg.withDefaults()
	s := &Planner{
		cfg: cfg, store: cfg.Store, router: cfg.Router, capacity: cfg.Capacity, dispatcher: cfg.Dispatcher,
		newID: cfg.NewID, actor: audit.System("callback"), status: map[string]Status{},
	}
	if s.newID == nil {
		s.newID = newRequestID
	}
	return s, nil
}

// now is the service's clock's time in UTC.
func (s *Planner) now() time.Time { return s.cfg.Clock.Now().UTC() }

// newRequestID returns "cb" and a random UUID's 32 hex digits. The hex
// digits run on from the prefix, so no part of an ID can look like a phone
// number or identity code to audit.Event.Validate (a dashed UUID can).
func newRequestID() string { return "cb" + strings.ReplaceAll(uuid.NewString(), "-", "") }

// Config returns the configuration in use, defaults filled in.
func (s *Planner) Config() Config { return s.cfg }

// Promise is the answer to a callback request.
type Promise struct {
	// Request is the ID of the (new or joined) request.
	Request string
	// Joined: the client already had an open request for the errand; this
	// is that request's promise.
	Joined bool
	// Team and Step say who calls back.
	Team carecontact.TeamID
	Step string
	// Window is the promised window (zero when Unplaced).
	Window Window
	// Deadline is the request's deadline.
	Deadline time.Time
	// NextDay: the window is on a later day than the request.
	NextDay bool
	// Breach: a next-day promise to a request made before the cut-off (or
	// an urgent deadline missed); it counts against the same-day target.
	Breach bool
	// OfferEBooking: the client should be offered e-booking instead.
	OfferEBooking bool
	// Unplaced: no capacity holds the request up to its outer bound; the
	// request is kept and reported to the team lead.
	Unplaced bool
	// Events are what happened, for the host to act on.
	Events []Event
}

func promiseOf(r Record, joined bool) Promise {
	p := Promise{Request: r.ID, Joined: joined, Team: r.Team, Window: r.Window, Deadline: r.Deadline,
		NextDay: r.NextDay, Breach: r.NextDay && r.BeforeCutoff, Unplaced: r.Unplaced}
	if r.StepIndex < len(r.Steps) {
		p.Step = r.Steps[r.StepIndex].Name
	}
	p.OfferEBooking = p.NextDay || p.Unplaced
	return p
}

// Request routes a callback request and promises it a window, or joins the
// client's open request for the same errand. A request that no capacity can
// hold is still stored (Unplaced) and reported; it is never dropped.
func (s *Planner) Request(ctx context.Context, req Request) (Promise, error) {
	return s.request(ctx, req, s.now())
}

func (s *Planner) request(ctx context.Context, req Request, now time.Time) (Promise, error) {
	if err := req.Validate(); err != nil {
		return Promise{}, err
	}
	if err := checkTime("now", now); err != nil {
		return Promise{}, err
	}
	lang, err := civil.ParseLanguage(string(req.Language))
	if err != nil {
		return Promise{}, languageError()
	}
	req.Language = lang
	now = now.UTC()
	route, err := s.router.Route(ctx, req)
	if err != nil {
		return Promise{}, fmt.Errorf("callback: route: %w", err)
	}
	if len(route.Steps) == 0 {
		return Promise{}, fmt.Errorf("callback: route: %w: no steps", ErrNoRoute)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.ID == "" {
		req.ID = s.newID()
	}
	// Each attempt plans from the state as the store has it; a promise
	// that lost its race for the day's capacity (ErrPlanChanged) is planned
	// again from the new state.
	var got Record
	var joined bool
	var events []Event
	for attempt := 1; ; attempt++ {
		got, joined, events, err = s.promise(ctx, req, route, now)
		if err == nil {
			break
		}
		if !errors.Is(err, ErrPlanChanged) || attempt >= maxPlanAttempts {
			return Promise{}, err
		}
	}
	if joined {
		pr := promiseOf(got, true)
		pr.Events = []Event{{Kind: EventJoined, At: now, Request: got.ID, Team: got.Team, Window: got.Window}}
		return pr, nil
	}
	pr := promiseOf(got, false)
	switch {
	case got.Unplaced:
		events = append(events,
			Event{Kind: EventUnplaced, At: now, Request: got.ID, Team: got.Team, Reason: "no capacity up to the outer bound"},
			Event{Kind: EventReportedToLead, At: now, Request: got.ID, Team: got.Team, Reason: "unplaced"})
	case got.NextDay:
		events = append([]Event{{Kind: EventPromised, At: now, Request: got.ID, Team: got.Team, Window: got.Window}},
			append(events, Event{Kind: EventNextDay, At: now, Request: got.ID, Team: got.Team, Window: got.Window})...)
	default:
		events = append([]Event{{Kind: EventPromised, At: now, Request: got.ID, Team: got.Team, Window: got.Window}}, events...)
	}
	pr.Events = events
	return pr, nil
}

// maxPlanAttempts bounds the attempts of one promise that keeps losing
// its day's capacity to other planners (ErrPlanChanged). Each loss means
// another promise was made, so planning makes progress; the bound only
// keeps a request from spinning under an extreme burst.
const maxPlanAttempts = 64

// promise plans req at now from the store's current state and opens (or
// joins) its request, reserving the window's capacity in the store. It
// returns the stored request and the events of the planning. ErrPlanChanged
// means another promise took capacity of the chosen day meanwhile: nothing
// was stored.
func (s *Planner) promise(ctx context.Context, req Request, route Route, now time.Time) (Record, bool, []Event, error) {
	cfg := s.cfg
	today := localDay(now)
	workday := isWorkday(cfg.Workdays, today)
	beforeCutoff := workday && now.Before(at(today, cfg.Cutoff))
	sameDayEnd := at(today, cfg.DayEnd)
	next, err := addWorkdays(cfg.Workdays, today, 1)
	if err != nil {
		return Record{}, false, nil, fmt.Errorf("callback: request at %s: %w", now.Format(time.RFC3339), err)
	}
	outerDay, err := addWorkdays(cfg.Workdays, today, cfg.OuterWorkdays)
	if err != nil {
		return Record{}, false, nil, fmt.Errorf("callback: request at %s: %w", now.Format(time.RFC3339), err)
	}
	outer := at(outerDay, cfg.DayEnd)
	deadline := sameDayEnd
	if !beforeCutoff {
		deadline = at(next, cfg.DayEnd)
	}
	if req.Urgency == Urgent {
		deadline = now.Add(cfg.UrgentWithin)
	}
	if deadline.After(outer) {
		deadline = outer
	}
	rec := Record{
		ID: req.ID, Client: req.Client, Phone: req.Phone, Errand: req.Errand, Urgency: req.Urgency,
		Area: route.Area, OwnProfessional: req.OwnProfessional, OwnTeam: req.OwnTeam, Language: req.Language, RequestedAt: now, Deadline: deadline.UTC(),
		Handling: cfg.handling(req.Errand), Steps: slices.Clone(route.Steps), Team: route.Steps[0].Team,
		BeforeCutoff: beforeCutoff, State: StatePlanned,
	}
	if req.Urgency == Urgent {
		rec.Priority = 1
	}
	versions, err := s.planVersions(ctx, now)
	if err != nil {
		return Record{}, false, nil, err
	}
	p := s.newPlanner(ctx, now, map[carecontact.TeamID][]Record{}, versions)
	var res Reservation
	var events []Event
	placed := false
	// Target phase: every step for same-day (and urgent) requests, the own
	// team only after the cut-off, each day up to the deadline.
	steps := rec.Steps
	if !beforeCutoff && req.Urgency != Urgent {
		steps = steps[:1]
	}
	for i, st := range steps {
		win, day, ok, err := p.placeIn(st.Team, today, localDay(rec.Deadline), rec.Deadline, rec.Handling)
		if err != nil {
			return Record{}, false, nil, err
		}
		if ok {
			rec.StepIndex, rec.Team, rec.Window, placed = i, st.Team, win, true
			res = p.reservation(st.Team, day)
			break
		}
	}
	if !placed {
		// Breach phase: the own team's first window up to the outer bound.
		win, day, ok, err := p.placeIn(rec.Steps[0].Team, today, localDay(outer), outer, rec.Handling)
		if err != nil {
			return Record{}, false, nil, err
		}
		if ok {
			rec.Window, placed = win, true
			res = p.reservation(rec.Steps[0].Team, day)
			rec.Deadline = win.End
		}
		if req.Urgency == Urgent {
			rec.Escalation = EscalationReportedToLead
			events = append(events, Event{Kind: EventReportedToLead, At: now, Request: rec.ID, Team: rec.Team,
				Window: rec.Window, Reason: "urgent deadline cannot be met"})
		}
	}
	if placed {
		rec.Promised = rec.Window
		rec.NextDay = !localDay(rec.Window.Start).Equal(today)
	} else {
		rec.Unplaced = true
		rec.Deadline = outer.UTC()
		rec.Escalation = EscalationReportedToLead
	}
	var got Record
	var joined bool
	if placed {
		got, joined, err = s.store.OpenReserved(ctx, rec, res, s.actor, now)
	} else {
		got, joined, err = s.store.OpenOrJoin(ctx, rec, s.actor, now)
	}
	if err != nil {
		return Record{}, false, nil, fmt.Errorf("callback: open request: %w", err)
	}
	return got, joined, events, nil
}

// Get returns the stored request, auditing the read "callback.read" with
// the caller: the record holds the client's phone number. A client reads
// only their own request; a refusal is audited as denied.
func (s *Planner) Get(ctx context.Context, actor audit.Actor, id string) (Record, error) {
	now := s.now()
	if err := actor.Validate(); err != nil {
		return Record{}, s.deny(ctx, actor, "callback.read", id, "", now, fmt.Errorf("callback: get: actor: %w", err))
	}
	if err := validID(id); err != nil {
		return Record{}, err
	}
	r, err := s.store.Get(ctx, id)
	if err != nil {
		return Record{}, fmt.Errorf("callback: get %s: %w", id, err)
	}
	if actor.Kind == audit.ActorClient && actor.ID != string(r.Client) {
		return Record{}, s.deny(ctx, actor, "callback.read", id, "", now, fmt.Errorf("callback: request %s belongs to another client: %w", id, ErrNotAllowed))
	}
	ev := audit.Event{At: now, Actor: actor, Action: "callback.read", Subject: "callback/" + r.ID, Client: r.Client, Outcome: audit.Allowed}
	if err := s.cfg.Audit.Record(ctx, ev); err != nil {
		return Record{}, fmt.Errorf("callback: get %s: audit: %w", id, err)
	}
	return r, nil
}

// deny records a refused attempt on request id and returns cause; a
// failure to record is returned with it.
func (s *Planner) deny(ctx context.Context, actor audit.Actor, action, id string, client carecontact.ClientRef, now time.Time, cause error) error {
	subject := "callback/" + id
	if audit.Redact(id) != id || carecontact.ValidateID(ErrInvalidRequest, "id", id) != nil {
		subject = "callback/" + audit.Redacted
	}
	ev := audit.Refusal(actor, now, action, subject, client, "not allowed")
	if err := s.cfg.Audit.Record(ctx, ev); err != nil {
		return fmt.Errorf("%w (recording the refusal failed: %v)", cause, err)
	}
	return cause
}

// mayAccept reports whether professional may accept r: the one a Handover
// dispatcher handed it to, a member of a team the request has reached (its
// steps up to the one in use) or the client's own team, or one whom a
// grant of CrossTeamRole gives r's team.
func (s *Planner) mayAccept(ctx context.Context, r Record, professional carecontact.ProfessionalID) (bool, error) {
	if h, ok := s.dispatcher.(Handover); ok {
		if handed, err := h.HandedTo(ctx, r, professional); err != nil || handed {
			return handed, err
		}
	}
	m, err := s.cfg.Staff.Member(ctx, professional)
	if errors.Is(err, carecontact.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("callback: staff directory: %w", err)
	}
	if r.OwnTeam != "" && slices.Contains(m.Teams, r.OwnTeam) {
		return true, nil
	}
	for i, st := range r.Steps {
		if i > r.StepIndex {
			break
		}
		if slices.Contains(m.Teams, st.Team) {
			return true, nil
		}
	}
	if slices.Contains(m.Teams, r.Team) {
		return true, nil
	}
	area, err := s.cfg.Staff.TeamArea(ctx, r.Team)
	if err != nil && !errors.Is(err, carecontact.ErrNotFound) {
		return false, fmt.Errorf("callback: staff directory: %w", err)
	}
	return m.Holds(s.cfg.CrossTeamRole, carecontact.Place{Team: r.Team, Area: area}), nil
}

// Status returns the request's estimated start and slack as of the last
// Advance, and false when the request is not in the current plan.
func (s *Planner) Status(id string) (Status, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, ok := s.status[id]
	return st, ok
}

// update writes r with a compare-and-set, recording one audit event.
func (s *Planner) update(ctx context.Context, r Record, action string, actor audit.Actor, at time.Time, detail map[string]string) (Record, error) {
	ev := changeEvent(action, r, actor, at, detail)
	return s.store.Update(ctx, r, []audit.Event{ev})
}

// updateFenced is update for a decision of the leader's pass, under its
// fence.
func (s *Planner) updateFenced(ctx context.Context, r Record, fence carecontact.Fence, action string, actor audit.Actor, at time.Time, detail map[string]string) (Record, error) {
	ev := changeEvent(action, r, actor, at, detail)
	return s.store.UpdateFenced(ctx, r, fence, []audit.Event{ev})
}

// updateReserved is update for a change that places r in the day of res.
func (s *Planner) updateReserved(ctx context.Context, r Record, res Reservation, action string, actor audit.Actor, at time.Time, detail map[string]string) (Record, error) {
	ev := changeEvent(action, r, actor, at, detail)
	return s.store.UpdateReserved(ctx, r, res, []audit.Event{ev})
}

// Accept hands the due request id to professional: the attempt starts now.
// It fails with ErrNotDue when the request is not waiting (already taken,
// closed or not yet due) and ErrConflict when it changed concurrently.
func (s *Planner) Accept(ctx context.Context, id string, professional carecontact.ProfessionalID) (Record, error) {
	return s.accept(ctx, id, professional, s.now())
}

func (s *Planner) accept(ctx context.Context, id string, professional carecontact.ProfessionalID, now time.Time) (Record, error) {
	if err := validID(id); err != nil {
		return Record{}, err
	}
	if professional == "" {
		return Record{}, carecontact.Invalid(ErrInvalidRequest, "professional", "is empty")
	}
	var refused *Record
	got, _, err := s.change(ctx, id, func(r *Record) (string, []Event, error) {
		if r.State != StateDue {
			return "", nil, fmt.Errorf("%w (state %s)", ErrNotDue, r.State)
		}
		if ok, err := s.mayAccept(ctx, *r, professional); err != nil {
			return "", nil, err
		} else if !ok {
			refused = r
			return "", nil, fmt.Errorf("callback: request of team %s: the professional serves another team: %w", r.Team, ErrNotAllowed)
		}
		r.State = StateInCall
		r.Calls = append(r.Calls, Attempt{Professional: professional, Start: now.UTC()})
		return "callback.attempt", nil, nil
	}, professionalActor(professional), now)
	if refused != nil {
		err = s.deny(ctx, professionalActor(professional), "callback.attempt", id, refused.Client, now, err)
	}
	if err != nil {
		return Record{}, fmt.Errorf("callback: accept %s: %w", id, err)
	}
	return got, nil
}

// maxCAS bounds the compare-and-set retries of one change.
const maxCAS = 16

// change applies f to the stored request and writes it with a
// compare-and-set, re-reading and re-applying f when another writer (a
// join, a re-plan) changed the request in between. f validates the state it
// is given and names the audit action.
func (s *Planner) change(ctx context.Context, id string, f func(*Record) (string, []Event, error), actor audit.Actor, now time.Time) (Record, []Event, error) {
	for range maxCAS {
		r, err := s.store.Get(ctx, id)
		if err != nil {
			return Record{}, nil, err
		}
		action, evs, err := f(&r)
		if err != nil {
			return Record{}, nil, err
		}
		detail := map[string]string{"attempt": strconv.Itoa(len(r.Calls))}
		if n := len(r.Calls); n > 0 && r.Calls[n-1].Result != "" {
			detail["result"] = string(r.Calls[n-1].Result)
		}
		got, err := s.update(ctx, r, action, actor, now, detail)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return Record{}, nil, err
		}
		return got, evs, nil
	}
	return Record{}, nil, ErrConflict
}

func professionalActor(id carecontact.ProfessionalID) audit.Actor {
	return audit.Actor{Kind: audit.ActorProfessional, ID: string(id)}
}

// Take gives professional the first due request of team in dispatch order
// (priority, then earliest deadline, then original request time), or
// ErrNothingDue.
func (s *Planner) Take(ctx context.Context, team carecontact.TeamID, professional carecontact.ProfessionalID) (Record, error) {
	return s.take(ctx, team, professional, s.now())
}

func (s *Planner) take(ctx context.Context, team carecontact.TeamID, professional carecontact.ProfessionalID, now time.Time) (Record, error) {
	if team == "" {
		return Record{}, carecontact.Invalid(ErrInvalidRequest, "team", "is empty")
	}
	if err := carecontact.ValidateID(ErrInvalidRequest, "team", string(team)); err != nil {
		return Record{}, err
	}
	recs, err := s.store.List(ctx, Filter{Team: team, OpenOnly: true})
	if err != nil {
		return Record{}, fmt.Errorf("callback: take: %w", err)
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return r.State != StateDue })
	slices.SortFunc(recs, urgencyOrder)
	for _, r := range recs {
		got, err := s.accept(ctx, r.ID, professional, now)
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotDue) {
			continue
		}
		return got, err
	}
	return Record{}, fmt.Errorf("callback: take for team %s: %w", team, ErrNothingDue)
}

// Complete records the result of professional's attempt on request id.
// Answered closes it as reached; an unanswered attempt schedules a retry
// after RetryGap, or closes the request with the closing outcome after
// MaxAttempts attempts. The returned events say which. A clock that reads
// before the call's start is an ErrInvalidRequest *carecontact.FieldError
// naming "clock"; the call stays in progress.
func (s *Planner) Complete(ctx context.Context, id string, professional carecontact.ProfessionalID, result Result) (Record, []Event, error) {
	return s.complete(ctx, id, professional, result, s.now())
}

func (s *Planner) complete(ctx context.Context, id string, professional carecontact.ProfessionalID, result Result, now time.Time) (Record, []Event, error) {
	if err := validID(id); err != nil {
		return Record{}, nil, err
	}
	if result != Answered && result != NoAnswer {
		return Record{}, nil, carecontact.Invalid(ErrInvalidRequest, "result", "is not answered or no_answer")
	}
	now = now.UTC()
	got, evs, err := s.change(ctx, id, func(r *Record) (string, []Event, error) {
		if r.State != StateInCall || len(r.Calls) == 0 || r.Calls[len(r.Calls)-1].Professional != professional {
			return "", nil, ErrNotInCall
		}
		last := &r.Calls[len(r.Calls)-1]
		if now.Before(last.Start) {
			return "", nil, carecontact.Invalid(ErrInvalidRequest, "clock", "reads before the call's start")
		}
		last.End, last.Result = now, result
		var ev Event
		switch {
		case result == Answered:
			r.State, r.Out, r.Closed = StateClosed, OutcomeReached, now
			ev = Event{Kind: EventClosed, At: now, Request: r.ID, Team: r.Team, Outcome: OutcomeReached}
		case len(r.Calls) >= s.cfg.MaxAttempts:
			r.State, r.Out, r.Closed = StateClosed, s.cfg.ClosingOutcome, now
			ev = Event{Kind: EventClosed, At: now, Request: r.ID, Team: r.Team, Outcome: s.cfg.ClosingOutcome}
		default:
			r.State, r.Retry = StatePlanned, now.Add(s.cfg.RetryGap)
			ev = Event{Kind: EventRetryScheduled, At: now, Request: r.ID, Team: r.Team, Window: Window{Start: r.Retry, End: r.Window.End}}
		}
		return "callback.complete", []Event{ev}, nil
	}, professionalActor(professional), now)
	if err != nil {
		return Record{}, nil, fmt.Errorf("callback: complete %s: %w", id, err)
	}
	return got, evs, nil
}

// Withdraw closes the open request id with OutcomeWithdrawn so that nobody
// calls the client: the errand was settled in another channel (the
// demand.Admitter's Settle returns the contacts to withdraw) or the client
// cancelled. actor is who withdrew it (the system, a professional or the
// client). Withdrawing a closed request returns it unchanged; a request in a
// call fails with ErrInCall, as the professional is already talking to the
// client and completes it.
func (s *Planner) Withdraw(ctx context.Context, id string, actor audit.Actor) (Record, []Event, error) {
	return s.withdraw(ctx, id, actor, s.now())
}

func (s *Planner) withdraw(ctx context.Context, id string, actor audit.Actor, now time.Time) (Record, []Event, error) {
	if err := validID(id); err != nil {
		return Record{}, nil, err
	}
	if err := actor.Validate(); err != nil {
		return Record{}, nil, fmt.Errorf("callback: withdraw %s: %w", id, err)
	}
	now = now.UTC()
	var already Record
	got, evs, err := s.change(ctx, id, func(r *Record) (string, []Event, error) {
		switch r.State {
		case StateClosed:
			already = *r
			return "", nil, errAlreadyClosed
		case StateInCall:
			return "", nil, ErrInCall
		}
		r.State, r.Out, r.Closed = StateClosed, OutcomeWithdrawn, now
		return "callback.withdraw", []Event{{Kind: EventClosed, At: now, Request: r.ID, Team: r.Team, Outcome: OutcomeWithdrawn}}, nil
	}, actor, now)
	if errors.Is(err, errAlreadyClosed) {
		return already, nil, nil
	}
	if err != nil {
		return Record{}, nil, fmt.Errorf("callback: withdraw %s: %w", id, err)
	}
	return got, evs, nil
}

// errAlreadyClosed stops change without writing when Withdraw finds the
// request closed already.
var errAlreadyClosed = errors.New("callback: already closed")

// validID reports a request ID that no request can have: empty, longer
// than carecontact.MaxIDLen bytes, not UTF-8 or holding a control
// character. The error names "id" and never repeats it.
func validID(id string) error {
	if id == "" {
		return carecontact.Invalid(ErrInvalidRequest, "id", "is empty")
	}
	return carecontact.ValidateID(ErrInvalidRequest, "id", id)
}
