package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// DefaultOfferTimeout is how long an offer waits for an answer unless
// DispatcherConfig.OfferTimeout says otherwise.
const DefaultOfferTimeout = 30 * time.Second

// DispatcherConfig configures a Dispatcher.
type DispatcherConfig struct {
	// Directory is the organisation to route in. Required.
	Directory *Directory
	// Clock tells the time of every operation. Required.
	Clock carecontact.Clock
	// Store keeps items and professionals' state (required).
	Store Store
	// OfferTimeout is how long an offer waits for accept or decline;
	// zero means DefaultOfferTimeout.
	OfferTimeout time.Duration
	// Ageing is the head start of each priority; nil means
	// DefaultAgeing().
	Ageing Ageing
	// Sink receives an Event for every decision; nil builds none.
	Sink Sink
	// SinkKinds, if not empty, limits the events built and passed to Sink
	// to these kinds; the dispatcher builds no Event of any other kind.
	// Empty means every kind. An unknown kind is ErrInvalid.
	SinkKinds []EventKind
	// Audit, if true, records an audit event ("routing.enqueue",
	// "routing.offer", ...) in the same store operation as every change of
	// an item. Off, the dispatcher writes no audit events; the host may
	// audit from the Sink instead.
	Audit bool
}

// Dispatcher queues work items and offers each to one eligible professional
// at a time. See the package documentation for the model. It is safe for
// concurrent use; it starts no goroutines and no timers: time-driven
// transitions happen in Advance (and at the start of every operation, for
// deadlines the clock has passed), and Run drives Advance for a host.
type Dispatcher struct {
	mu           sync.Mutex
	dir          *Directory
	store        Store
	clock        carecontact.Clock
	offerTimeout time.Duration
	headStart    [PriorityUrgent + 1]time.Duration
	sink         Sink
	sinkKinds    uint64 // bit k set: events of kind k go to sink
	audit        bool

	profs  []*prof
	pools  map[poolKey]*pool
	routes map[routeKey]*croute
	// lastKey and lastRoute remember the route looked up last, so a run
	// of contacts that route alike skips hashing the key.
	lastKey   routeKey
	lastRoute *croute
	items     map[carecontact.ItemID]*entry
	// spare holds entries of removed items for Enqueue to reuse; an entry
	// goes here only once nothing refers to it any more.
	spare []*entry
	// Deadlines live in two heaps: the steps of queued items (many, added
	// in time order) and the offers and wrap-ups (few, short-lived), so
	// the frequent offer and accept do not sift through every queued item.
	stepTimers, holdTimers iheap[*entry]
	seq                    uint64
	counts                 [ItemWrapUp + 1]int
	// serving is the professional being freed and served right now: their
	// idle-heap entries are settled once, after the serving, rather than
	// pushed and at once removed again.
	serving *prof
	wake    chan struct{}
}

// quiet drops errStale from a follow-up action: the store's newer state has
// been loaded and nothing is left to do.
func quiet(err error) error {
	if err == errStale {
		return nil
	}
	return err
}

// public turns errStale into an ErrConflict for the caller of an operation
// whose item another replica changed first.
func public(err error, id carecontact.ItemID) error {
	if err == errStale {
		return fmt.Errorf("%w: item %s changed in the store; read it and try again", ErrConflict, id)
	}
	return err
}

// profOf returns the dispatcher's view of professional id, or nil.
func (d *Dispatcher) profOf(id carecontact.ProfessionalID) *prof {
	if i, ok := d.dir.profIdx[id]; ok {
		return d.profs[i]
	}
	return nil
}

// errRetry and errStale tell an offer attempt to try again: the
// professional (errRetry) or the item (errStale) had changed in the store.
var (
	errRetry = errors.New("routing: retry offer")
	errStale = errors.New("routing: stale item")
)

// NewDispatcher registers the directory's professionals in the store
// (keeping any presence and load stored there), rebuilds the queues from
// the items already in the store, and makes the offers that are due. Items
// whose route no longer resolves under dir are dropped with EventNoRoute.
func NewDispatcher(ctx context.Context, opts DispatcherConfig) (*Dispatcher, error) {
	dir := opts.Directory
	if dir == nil {
		return nil, fmt.Errorf("%w: config: directory is nil", ErrInvalid)
	}
	if opts.Clock == nil {
		return nil, fmt.Errorf("%w: config: clock is nil", ErrInvalid)
	}
	if opts.Store == nil {
		return nil, fmt.Errorf("%w: config: store is nil", ErrInvalid)
	}
	if opts.OfferTimeout < 0 {
		return nil, fmt.Errorf("%w: config: offer_timeout is negative", ErrInvalid)
	}
	d := &Dispatcher{
		dir: dir, store: opts.Store, clock: opts.Clock, offerTimeout: opts.OfferTimeout,
		sink: opts.Sink, audit: opts.Audit,
		pools: map[poolKey]*pool{}, routes: map[routeKey]*croute{}, items: map[carecontact.ItemID]*entry{},
		stepTimers: iheap[*entry]{less: timerLess, set: setTimer},
		holdTimers: iheap[*entry]{less: timerLess, set: setTimer},
		wake:       make(chan struct{}, 1),
	}
	if d.offerTimeout == 0 {
		d.offerTimeout = DefaultOfferTimeout
	}
	if len(opts.SinkKinds) == 0 {
		d.sinkKinds = ^uint64(0)
	}
	for _, k := range opts.SinkKinds {
		if k < EventQueued || k > EventNoRoute {
			return nil, fmt.Errorf("%w: options: sink_kinds: unknown event kind %d", ErrInvalid, int(k))
		}
		d.sinkKinds |= 1 << uint(k)
	}
	ageing := opts.Ageing
	if ageing == nil {
		ageing = DefaultAgeing()
	}
	for p, h := range ageing {
		if p < PriorityRoutine || p > PriorityUrgent || h < 0 {
			return nil, fmt.Errorf("%w: options: ageing[%d] = %s", ErrInvalid, p, h)
		}
		d.headStart[p] = h
	}
	now := d.clock.Now().UTC()
	d.profs = make([]*prof, len(dir.profs))
	for i, p := range dir.profs {
		st, err := d.store.RegisterProfessional(ctx, p.ID, p.Capacity, now)
		if err != nil {
			return nil, fmt.Errorf("routing: register %s: %w", p.ID, err)
		}
		d.profs[i] = &prof{idx: i, id: p.ID, st: st, wrapUp: p.WrapUp}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.recover(ctx, now); err != nil {
		return nil, err
	}
	return d, nil
}

// recover indexes the items found in the store.
func (d *Dispatcher) recover(ctx context.Context, now time.Time) error {
	items, err := d.store.Items(ctx)
	if err != nil {
		return fmt.Errorf("routing: load items: %w", err)
	}
	es := make([]*entry, 0, len(items))
	for _, it := range items {
		rt, err := d.routeFor(it.Contact)
		if err == nil && (it.Step < 0 || it.Step >= len(rt.pools) || rt.pools[it.Step] == nil) {
			err = fmt.Errorf("step %d no longer resolves", it.Step)
		}
		if err == nil && it.Professional != "" && d.profOf(it.Professional) == nil {
			err = fmt.Errorf("professional %s is no longer in the directory", it.Professional)
		}
		e := &entry{it: it, rt: rt, qidx: -1, tidx: -1, rank: d.rank(it.EnqueuedAt, it.Contact.Priority)}
		if err != nil {
			if err := d.drop(ctx, e, now, ReasonNoCandidates, err.Error()); err != nil {
				return err
			}
			continue
		}
		es = append(es, e)
	}
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].rank != es[j].rank {
			return es[i].rank < es[j].rank
		}
		return es[i].it.EnqueuedAt.Before(es[j].it.EnqueuedAt)
	})
	for _, e := range es {
		d.seq++
		e.seq = d.seq
		d.items[e.it.ID] = e
		d.counts[e.it.State]++
		switch e.it.State {
		case ItemQueued:
			d.rt(e).queue.push(e)
			d.armStep(e)
		case ItemOffered, ItemWrapUp:
			d.arm(e, e.it.Deadline)
		}
		d.track(e, 0, "", false)
	}
	if err := d.advanceLocked(ctx, now); err != nil {
		return err
	}
	for _, p := range d.profs {
		if err := d.serve(ctx, p, now); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dispatcher) rank(enq time.Time, p Priority) int64 {
	return enq.UnixNano() - int64(d.headStart[p])
}

// rt returns the pool of the step e is in.
func (d *Dispatcher) rt(e *entry) *pool { return e.rt.pools[e.it.Step] }

// Enqueue routes contact c as work item id and queues it in its first
// usable step (a step is skipped at once when none of its candidates is
// signed in or its area is closed), offering it at once if a candidate is
// free. It returns the item as stored (queued or already offered).
//
// It fails with ErrInvalid or ErrMalformedPostalCode for bad input,
// ErrDuplicateItem if id is in the store, and a *NoRouteError (ErrNoRoute)
// when no step has a candidate or none is signed in.
func (d *Dispatcher) Enqueue(ctx context.Context, id carecontact.ItemID, c Contact) (Item, error) {
	if id == "" {
		return Item{}, fmt.Errorf("%w: item id is empty", ErrInvalid)
	}
	if c.Priority < PriorityRoutine || c.Priority > PriorityUrgent {
		return Item{}, fmt.Errorf("%w: contact: priority %d is not routine, high or urgent", ErrInvalid, c.Priority)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	rt, err := d.routeFor(c)
	if err != nil {
		return Item{}, err
	}
	e := d.newEntry()
	*e = entry{it: Item{ID: id, Contact: c, State: ItemQueued, EnqueuedAt: now, StepAt: now}, rt: rt, qidx: -1, tidx: -1}
	if rt.noRoute != nil {
		d.emit(EventNoRoute, e, now, -1, "", string(rt.noRoute.Reason))
		return Item{}, rt.noRoute
	}
	step := d.nextUsable(e, 0, now)
	if step < 0 {
		nr := &NoRouteError{Reason: ReasonNobodySignedIn, Errand: c.Errand, Channel: c.Channel}
		for i := range rt.pools {
			_, why := d.usable(rt, i, now)
			nr.Skipped = append(nr.Skipped, SkippedStep{Index: i, Target: rt.pol.Steps[i].Target, Reason: why})
		}
		d.emit(EventNoRoute, e, now, -1, "", string(nr.Reason))
		return Item{}, nr
	}
	e.it.Step = step
	it, err := d.store.CreateItem(ctx, e.it, d.auditFor("enqueue", e.it, now, ""))
	if err != nil {
		return Item{}, fmt.Errorf("routing: enqueue %s: %w", id, err)
	}
	e.it = it
	d.seq++
	e.seq = d.seq
	e.rank = d.rank(now, c.Priority)
	d.items[id] = e
	d.counts[ItemQueued]++
	d.emit(EventQueued, e, now, step, "", "")
	d.rt(e).queue.push(e)
	d.armStep(e)
	if err := d.tryOffer(ctx, e, now); err != nil {
		return e.it, err
	}
	return e.it, nil
}

// nextUsable returns the first step >= from that e may enter at t, emitting
// EventSkipped for the others, or -1.
func (d *Dispatcher) nextUsable(e *entry, from int, t time.Time) int {
	for i := from; i < len(e.rt.pools); i++ {
		ok, why := d.usable(e.rt, i, t)
		if ok {
			return i
		}
		d.emit(EventSkipped, e, t, i, "", why)
	}
	return -1
}

// Accept accepts the offer of item id to professional by. It fails with
// ErrItemNotFound, ErrOfferExpired if the offer to by has timed out, and
// ErrWrongState if the item is not offered to by.
func (d *Dispatcher) Accept(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) (Item, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.offered(id, by)
	if err != nil {
		return Item{}, err
	}
	next := e.it
	next.State = ItemAccepted
	next.Deadline = time.Time{}
	if err := d.apply(ctx, e, &Change{Item: next}, nil, "accept", now, by); err != nil {
		return Item{}, public(err, id)
	}
	d.disarm(e)
	d.emit(EventAccepted, e, now, e.it.Step, by, "")
	return e.it, nil
}

// Decline declines the offer of item id to professional by; the item is
// queued again (keeping its place) and offered to someone else. Errors as
// for Accept.
func (d *Dispatcher) Decline(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, err := d.offered(id, by)
	if err != nil {
		return err
	}
	return public(d.release(ctx, e, now, EventDeclined, ""), id)
}

// offered returns the entry of item id if it is offered to by.
func (d *Dispatcher) offered(id carecontact.ItemID, by carecontact.ProfessionalID) (*entry, error) {
	e, ok := d.items[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrItemNotFound, id)
	}
	if e.it.State != ItemOffered || e.it.Professional != by {
		if e.timedOut == by {
			return nil, fmt.Errorf("%w: item %s to %s", ErrOfferExpired, id, by)
		}
		return nil, fmt.Errorf("%w: item %s is %s, not offered to %s", ErrWrongState, id, e.it.State, by)
	}
	return e, nil
}

// release returns an offered item to its queue after a decline or a
// timeout, frees the professional's slot and offers again.
func (d *Dispatcher) release(ctx context.Context, e *entry, t time.Time, kind EventKind, reason string) error {
	by := e.it.Professional
	p := d.profs[d.dir.profIdx[by]]
	next := e.it
	next.State = ItemQueued
	next.Professional = ""
	next.Deadline = time.Time{}
	next.Excluded = append(slices.Clip(e.it.Excluded), by)
	verb := "decline"
	if kind == EventTimedOut {
		verb = "timeout"
	}
	defer d.unhold(d.hold(p))
	if err := d.apply(ctx, e, &Change{Item: next, Professional: by, Slot: e.rt.slot, Load: -1}, p, verb, t, by); err != nil {
		return err
	}
	d.disarm(e)
	if kind == EventTimedOut {
		e.timedOut = by
	}
	d.emit(kind, e, t, e.it.Step, by, reason)
	if err := d.requeue(ctx, e, t); err != nil {
		return err
	}
	return d.serve(ctx, p, t)
}

// requeue puts a queued item back in its step's queue, or widens it at once
// if the step's time is up.
func (d *Dispatcher) requeue(ctx context.Context, e *entry, t time.Time) error {
	d.rt(e).queue.push(e)
	if to := e.rt.pol.Steps[e.it.Step].Timeout; to > 0 && !e.it.StepAt.Add(to).After(t) {
		return d.widen(ctx, e, t)
	}
	d.armStep(e)
	return d.tryOffer(ctx, e, t)
}

// Finish ends the contact of item id, which by has accepted. The item goes
// to wrap-up for the professional's wrap-up time (during which they get no
// offers), or is completed at once if that time is zero. It returns the
// item in wrap-up, or the zero Item if it was completed.
func (d *Dispatcher) Finish(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) (Item, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return Item{}, err
	}
	e, err := d.held(id, by, ItemAccepted)
	if err != nil {
		return Item{}, err
	}
	p := d.profs[d.dir.profIdx[by]]
	if p.wrapUp == 0 {
		return Item{}, public(d.complete(ctx, e, now, 0), id)
	}
	next := e.it
	next.State = ItemWrapUp
	next.Deadline = now.Add(p.wrapUp)
	if err := d.apply(ctx, e, &Change{Item: next, Professional: by, WrapUps: 1}, p, "finish", now, by); err != nil {
		return Item{}, public(err, id)
	}
	d.arm(e, e.it.Deadline)
	d.emit(EventWrapUp, e, now, e.it.Step, by, "")
	return e.it, nil
}

// Complete ends the wrap-up of item id early (the professional is ready);
// the item is removed. Without it the wrap-up ends at its deadline.
func (d *Dispatcher) Complete(ctx context.Context, id carecontact.ItemID, by carecontact.ProfessionalID) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, err := d.held(id, by, ItemWrapUp)
	if err != nil {
		return err
	}
	return public(d.complete(ctx, e, now, -1), id)
}

func (d *Dispatcher) held(id carecontact.ItemID, by carecontact.ProfessionalID, s ItemState) (*entry, error) {
	e, ok := d.items[id]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrItemNotFound, id)
	}
	if e.it.State != s || e.it.Professional != by {
		return nil, fmt.Errorf("%w: item %s is %s with %q, not %s with %s", ErrWrongState, id, e.it.State, e.it.Professional, s, by)
	}
	return e, nil
}

// complete removes an accepted (wraps 0) or wrapping-up (wraps -1) item and
// frees its professional.
func (d *Dispatcher) complete(ctx context.Context, e *entry, t time.Time, wraps int) error {
	by := e.it.Professional
	p := d.profs[d.dir.profIdx[by]]
	c := Change{Item: e.it, Remove: true, Professional: by, Slot: e.rt.slot, Load: -1, WrapUps: wraps, IdleSince: t}
	defer d.unhold(d.hold(p))
	if err := d.apply(ctx, e, &c, p, "complete", t, by); err != nil {
		return err
	}
	d.disarm(e)
	d.emit(EventCompleted, e, t, e.it.Step, by, "")
	return d.serve(ctx, p, t)
}

// Rescind withdraws a queued or offered item (the client left, or the
// errand was settled elsewhere); reason is recorded in the event. An
// accepted item cannot be rescinded (ErrWrongState): the professional
// finishes it.
func (d *Dispatcher) Rescind(ctx context.Context, id carecontact.ItemID, reason string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return err
	}
	e, ok := d.items[id]
	if !ok {
		return fmt.Errorf("%w: %s", ErrItemNotFound, id)
	}
	switch e.it.State {
	case ItemQueued:
		if err := d.apply(ctx, e, &Change{Item: e.it, Remove: true}, nil, "rescind", now, ""); err != nil {
			return public(err, id)
		}
		d.disarm(e)
		d.emit(EventRescinded, e, now, e.it.Step, "", reason)
		return nil
	case ItemOffered:
		by := e.it.Professional
		p := d.profs[d.dir.profIdx[by]]
		c := Change{Item: e.it, Remove: true, Professional: by, Slot: e.rt.slot, Load: -1}
		defer d.unhold(d.hold(p))
		if err := d.apply(ctx, e, &c, p, "rescind", now, ""); err != nil {
			return public(err, id)
		}
		d.disarm(e)
		d.emit(EventRescinded, e, now, e.it.Step, by, reason)
		return d.serve(ctx, p, now)
	}
	return fmt.Errorf("%w: item %s is %s; only a queued or offered item can be rescinded", ErrWrongState, id, e.it.State)
}

// SetPresence sets professional id's presence (away, available or busy)
// and, if they can now take work, offers it. Offers pending when a
// professional becomes away or busy are declined on their behalf (reason
// "professional is away") and offered to someone else at once.
func (d *Dispatcher) SetPresence(ctx context.Context, id carecontact.ProfessionalID, pr Presence) (ProfessionalState, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now, err := d.begin(ctx)
	if err != nil {
		return ProfessionalState{}, err
	}
	i, ok := d.dir.profIdx[id]
	if !ok {
		return ProfessionalState{}, fmt.Errorf("%w: %s", ErrUnknownProfessional, id)
	}
	var events []audit.Event
	if d.audit {
		events = []audit.Event{{At: now, Actor: audit.Actor{Kind: audit.ActorProfessional, ID: string(id)},
			Action: "routing.presence", Subject: "professional/" + string(id), Outcome: audit.Allowed,
			Detail: map[string]string{"presence": pr.String()}}}
	}
	st, err := d.store.SetPresence(ctx, id, pr, now, events)
	if err != nil {
		return ProfessionalState{}, fmt.Errorf("routing: presence of %s: %w", id, err)
	}
	p := d.profs[i]
	defer d.unhold(d.hold(p))
	d.update(p, st)
	if pr != PresenceAvailable {
		// Offers still pending go back to the queue at once rather than
		// waiting for their timeout.
		for _, e := range slices.Clone(p.offers) {
			if e.it.State != ItemOffered || e.it.Professional != id {
				continue
			}
			if err := quiet(d.release(ctx, e, now, EventDeclined, "professional is "+pr.String())); err != nil {
				return p.st, err
			}
		}
	}
	err = d.serve(ctx, p, now)
	return p.st, err
}

// Advance implements carecontact.Driven. It makes every time-driven
// transition due at or before the clock's now, in
// deadline order and each at its own deadline: offers time out and are
// re-offered, steps time out and widen, wrap-ups end and free their
// professionals. Every other operation does the same for the clock's time
// first, so Advance is only needed when time passes without other calls.
func (d *Dispatcher) Advance(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return d.advanceLocked(ctx, d.clock.Now().UTC())
}

// NextDeadline implements carecontact.Driven: it returns the earliest
// pending deadline (offer timeout, step timeout or wrap-up end); ok is
// false when there is none. It reads no store, so err is always nil.
func (d *Dispatcher) NextDeadline(context.Context) (t time.Time, ok bool, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	e := d.nextTimer()
	if e == nil {
		return time.Time{}, false, nil
	}
	return e.deadline, true, nil
}

// Wake implements carecontact.Waker: it receives when an operation made a
// deadline earlier than the one last returned by NextDeadline.
func (d *Dispatcher) Wake() <-chan struct{} { return d.wake }

var _ interface {
	carecontact.Driven
	carecontact.Waker
} = (*Dispatcher)(nil)

// nextTimer returns the item with the earliest deadline, or nil.
func (d *Dispatcher) nextTimer() *entry {
	var e *entry
	if d.stepTimers.len() > 0 {
		e = d.stepTimers.a[0]
	}
	if d.holdTimers.len() > 0 && (e == nil || timerLess(d.holdTimers.a[0], e)) {
		e = d.holdTimers.a[0]
	}
	return e
}

// begin checks ctx, reads the clock and makes the transitions it has made
// due.
func (d *Dispatcher) begin(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	now := d.clock.Now().UTC()
	return now, d.advanceLocked(ctx, now)
}

func (d *Dispatcher) advanceLocked(ctx context.Context, now time.Time) error {
	for {
		e := d.nextTimer()
		if e == nil || e.deadline.After(now) {
			return nil
		}
		t := e.deadline
		d.disarm(e)
		var err error
		switch e.it.State {
		case ItemQueued:
			err = d.widen(ctx, e, t)
		case ItemOffered:
			err = quiet(d.release(ctx, e, t, EventTimedOut, ""))
		case ItemWrapUp:
			err = quiet(d.complete(ctx, e, t, -1))
		}
		if err != nil {
			if _, live := d.items[e.it.ID]; live && e.tidx < 0 {
				d.arm(e, t) // try again on the next call
			}
			return err
		}
	}
}

// widen moves a queued item whose step has timed out to the next usable
// step. With none, an item on a step that can still become usable later
// waits one more timeout of its step; an item past its last step is
// dropped with ReasonExhausted.
func (d *Dispatcher) widen(ctx context.Context, e *entry, t time.Time) error {
	next := d.nextUsable(e, e.it.Step+1, t)
	if next < 0 {
		for i := e.it.Step + 1; i < len(e.rt.pools); i++ {
			if e.rt.pools[i] != nil {
				d.arm(e, t.Add(e.rt.pol.Steps[e.it.Step].Timeout))
				return nil
			}
		}
		return d.drop(ctx, e, t, ReasonExhausted, "")
	}
	it := e.it
	it.Step = next
	it.StepAt = t
	from := d.rt(e)
	if err := d.apply(ctx, e, &Change{Item: it}, nil, "widen", t, ""); err != nil {
		if err != errStale && e.tidx < 0 {
			d.arm(e, t) // try again on the next call
		}
		return quiet(err)
	}
	from.queue.remove(e.qidx)
	d.emit(EventWidened, e, t, next, "", "")
	d.rt(e).queue.push(e)
	d.armStep(e)
	return d.tryOffer(ctx, e, t)
}

// drop removes a queued item that has no route any more.
func (d *Dispatcher) drop(ctx context.Context, e *entry, t time.Time, reason NoRouteReason, detail string) error {
	c := Change{Item: e.it, Remove: true}
	if e.it.Professional != "" {
		// Recovery drops items that were offered or held: free the slot.
		c.Professional = e.it.Professional
		c.Slot, _ = SlotOf(e.it.Contact.Channel)
		c.Load = -1
		if e.it.State == ItemWrapUp {
			c.WrapUps = -1
		}
	}
	if err := d.apply(ctx, e, &c, d.profOf(e.it.Professional), "drop", t, ""); err != nil {
		return quiet(err)
	}
	d.disarm(e)
	if d.wants(EventNoRoute) {
		if detail != "" {
			detail = ": " + detail
		}
		d.emit(EventNoRoute, e, t, e.it.Step, "", string(reason)+detail)
	}
	return nil
}

// tryOffer offers a queued item to the best idle member of its step's pool
// who has not declined it.
func (d *Dispatcher) tryOffer(ctx context.Context, e *entry, t time.Time) error {
	for range 4 {
		if e.it.State != ItemQueued {
			return nil
		}
		pl := d.rt(e)
		i := pl.idle.best(func(m *membership) bool { return !e.excludes(m.p.id) })
		if i < 0 {
			return nil
		}
		err := d.offer(ctx, e, pl.idle.a[i].p, t)
		if err != errRetry && err != errStale {
			return err
		}
	}
	return nil
}

// serve offers professional p the best queued items of their pools while
// they have free capacity.
func (d *Dispatcher) serve(ctx context.Context, p *prof, t time.Time) error {
	for s := range numSlots {
		for tries := 0; tries < 64 && p.st.CanTake(s); tries++ {
			var best *entry
			for _, m := range p.mem[s] {
				q := &m.pool.queue
				i := q.best(func(e *entry) bool { return !e.excludes(p.id) })
				if i >= 0 && (best == nil || queueLess(q.a[i], best)) {
					best = q.a[i]
				}
			}
			if best == nil {
				break
			}
			err := d.offer(ctx, best, p, t)
			if err != nil && err != errRetry && err != errStale {
				return err
			}
		}
	}
	return nil
}

// offer offers queued item e to p in one conditional store operation. A
// refused condition refreshes the dispatcher's view (another replica
// changed the item or the professional) and returns errRetry or errStale.
func (d *Dispatcher) offer(ctx context.Context, e *entry, p *prof, t time.Time) error {
	c := Change{Item: e.it, Professional: p.id, Slot: e.rt.slot, Load: 1}
	c.Item.State = ItemOffered
	c.Item.Professional = p.id
	c.Item.Deadline = t.Add(d.offerTimeout)
	err := d.apply(ctx, e, &c, p, "offer", t, "")
	switch {
	case err == nil:
	case errors.Is(err, ErrNoCapacity):
		st, gerr := d.store.Professional(ctx, p.id)
		if gerr != nil {
			return gerr
		}
		d.update(p, st)
		return errRetry
	default:
		return err
	}
	if e.qidx >= 0 {
		d.rt(e).queue.remove(e.qidx)
	}
	d.arm(e, e.it.Deadline)
	d.emit(EventOffered, e, t, e.it.Step, p.id, "")
	return nil
}

// apply writes change c of item e (and of professional p, if not nil) and
// brings the dispatcher's view up to date. A conflict means another
// replica changed the item: it is reloaded and errStale returned.
func (d *Dispatcher) apply(ctx context.Context, e *entry, c *Change, p *prof, verb string, t time.Time, actor carecontact.ProfessionalID) error {
	c.Item.ID = e.it.ID
	c.Expect = e.it.Version
	if c.Remove {
		c.Events = d.auditFor(verb, e.it, t, actor)
	} else {
		c.Events = d.auditFor(verb, c.Item, t, actor)
	}
	it, st, err := d.store.Apply(ctx, *c)
	if err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrItemNotFound) {
			if rerr := d.reload(ctx, e); rerr != nil {
				return rerr
			}
			return errStale
		}
		return fmt.Errorf("routing: %s %s: %w", verb, e.it.ID, err)
	}
	old, oldBy := e.it.State, e.it.Professional
	if c.Remove {
		d.forget(e)
	} else {
		e.it = it
		d.counts[old]--
		d.counts[it.State]++
	}
	d.track(e, old, oldBy, c.Remove)
	if p != nil {
		d.update(p, st)
	}
	return nil
}

// track keeps each professional's list of pending offers up to date after
// e changed from state old (offered to oldBy) or was removed.
func (d *Dispatcher) track(e *entry, old ItemState, oldBy carecontact.ProfessionalID, removed bool) {
	if old == ItemOffered && (removed || e.it.State != ItemOffered || e.it.Professional != oldBy) {
		if p := d.profOf(oldBy); p != nil {
			if i := slices.Index(p.offers, e); i >= 0 {
				p.offers = slices.Delete(p.offers, i, i+1)
			}
		}
	}
	if !removed && e.it.State == ItemOffered && (old != ItemOffered || e.it.Professional != oldBy) {
		if p := d.profOf(e.it.Professional); p != nil {
			p.offers = append(p.offers, e)
		}
	}
}

// reload replaces the dispatcher's view of e with the store's after a
// conflicting change by someone else.
func (d *Dispatcher) reload(ctx context.Context, e *entry) error {
	it, err := d.store.Item(ctx, e.it.ID)
	if errors.Is(err, ErrItemNotFound) {
		d.forget(e)
		return nil
	}
	if err != nil {
		return err
	}
	if e.qidx >= 0 {
		d.rt(e).queue.remove(e.qidx)
	}
	d.disarm(e)
	d.counts[e.it.State]--
	old, oldBy := e.it.State, e.it.Professional
	e.it = it
	d.counts[it.State]++
	d.track(e, old, oldBy, false)
	switch it.State {
	case ItemQueued:
		d.rt(e).queue.push(e)
		d.armStep(e)
	case ItemOffered, ItemWrapUp:
		d.arm(e, it.Deadline)
	}
	return nil
}

// forget removes e from every index.
func (d *Dispatcher) forget(e *entry) {
	d.track(e, e.it.State, e.it.Professional, true)
	if e.qidx >= 0 {
		d.rt(e).queue.remove(e.qidx)
	}
	d.disarm(e)
	if cur, ok := d.items[e.it.ID]; ok {
		d.counts[e.it.State]--
		delete(d.items, e.it.ID)
		if cur == e && len(d.spare) < maxSpare {
			// The operation under way may still read e, but only Enqueue
			// reuses it, after every transition it started with is done.
			d.spare = append(d.spare, e)
		}
	}
}

// maxSpare bounds the entries kept for reuse.
const maxSpare = 256

// newEntry returns a spare entry of a removed item, or a new one; the
// caller overwrites it whole.
func (d *Dispatcher) newEntry() *entry {
	if n := len(d.spare); n > 0 {
		e := d.spare[n-1]
		d.spare[n-1] = nil
		d.spare = d.spare[:n-1]
		return e
	}
	return new(entry)
}

// update replaces the view of p's state and re-indexes p in the pools whose
// order or eligibility changed.
func (d *Dispatcher) update(p *prof, st ProfessionalState) {
	old := p.st
	p.st = st
	if (old.Presence == PresenceAway) != (st.Presence == PresenceAway) {
		delta := 1
		if st.Presence == PresenceAway {
			delta = -1
		}
		for s := range numSlots {
			for _, m := range p.mem[s] {
				m.pool.signedIn += delta
			}
		}
	}
	if p == d.serving {
		return // settled when the hold ends
	}
	for s := range numSlots {
		if old.CanTake(s) == st.CanTake(s) && old.Load.Of(s) == st.Load.Of(s) && old.IdleSince.Equal(st.IdleSince) {
			continue
		}
		d.reindex(p, s)
	}
}

// hold defers p's idle-heap updates while p is freed and served; unhold of
// what it returns ends the hold and settles p in the heaps. Holds nest: an
// inner hold returns nil, and unhold(nil) is a no-op.
func (d *Dispatcher) hold(p *prof) *prof {
	if d.serving != nil {
		return nil
	}
	d.serving = p
	return p
}

// unhold ends the hold hold returned (p), if any.
func (d *Dispatcher) unhold(p *prof) {
	if p == nil {
		return
	}
	d.serving = nil
	for s := range numSlots {
		d.reindex(p, s)
	}
}

// reindex puts p in or out of (or re-orders p in) the idle heaps of the
// pools of slot class s, as p's state says.
func (d *Dispatcher) reindex(p *prof, s Slot) {
	{
		can := p.st.CanTake(s)
		for _, m := range p.mem[s] {
			switch {
			case can && m.hidx < 0:
				m.pool.idle.push(m)
			case can:
				m.pool.idle.fix(m.hidx)
			case m.hidx >= 0:
				m.pool.idle.remove(m.hidx)
			}
		}
	}
}

// armStep sets a queued item's deadline to the end of its step, if the step
// has a timeout.
func (d *Dispatcher) armStep(e *entry) {
	if to := e.rt.pol.Steps[e.it.Step].Timeout; to > 0 {
		d.arm(e, e.it.StepAt.Add(to))
	} else {
		d.disarm(e)
	}
}

// arm sets e's deadline to t, in the heap for its state.
func (d *Dispatcher) arm(e *entry, t time.Time) {
	h := &d.holdTimers
	if e.it.State == ItemQueued {
		h = &d.stepTimers
	}
	if e.tidx >= 0 && e.timers != h {
		d.disarm(e)
	}
	e.deadline = t
	e.timers = h
	if e.tidx >= 0 {
		h.fix(e.tidx)
	} else {
		h.push(e)
	}
	if e.tidx == 0 {
		select {
		case d.wake <- struct{}{}:
		default:
		}
	}
}

func (d *Dispatcher) disarm(e *entry) {
	if e.tidx >= 0 {
		e.timers.remove(e.tidx)
	}
}

// wants reports whether events of kind k are built and sent to the sink.
func (d *Dispatcher) wants(k EventKind) bool {
	return d.sink != nil && d.sinkKinds&(1<<uint(k)) != 0
}

func (d *Dispatcher) emit(k EventKind, e *entry, t time.Time, step int, p carecontact.ProfessionalID, reason string) {
	if !d.wants(k) {
		return
	}
	ev := Event{Kind: k, At: t, Item: e.it.ID, Client: e.it.Contact.Client, Errand: e.it.Contact.Errand,
		Channel: e.it.Contact.Channel, Priority: e.it.Contact.Priority, Step: step, Professional: p,
		Reason: reason, Waited: t.Sub(e.it.EnqueuedAt)}
	if e.rt != nil && step >= 0 && step < len(e.rt.pol.Steps) {
		ev.Target = e.rt.pol.Steps[step].Target
	}
	d.sink(ev)
}

// auditFor returns the audit event of a change when auditing is on.
func (d *Dispatcher) auditFor(verb string, it Item, t time.Time, actor carecontact.ProfessionalID) []audit.Event {
	if !d.audit {
		return nil
	}
	a := audit.System("routing")
	if actor != "" {
		a = audit.Actor{Kind: audit.ActorProfessional, ID: string(actor)}
	}
	detail := map[string]string{"step": fmt.Sprint(it.Step), "channel": string(it.Contact.Channel)}
	if it.Professional != "" {
		detail["professional"] = string(it.Professional)
	}
	return []audit.Event{{At: t, Actor: a, Action: "routing." + verb, Subject: "item/" + string(it.ID),
		Client: carecontact.ClientRef(string(it.Contact.Client)), Outcome: audit.Allowed, Detail: detail}}
}
