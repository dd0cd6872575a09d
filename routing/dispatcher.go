package routing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// DefaultOfferTimeout is how long an offer waits for an answer unless
// DispatcherConfig.OfferTimeout says otherwise.
const DefaultOfferTimeout = 30 * time.Second

// DefaultGrace is how long an accepted contact stays with a professional
// who signed out before it is queued again, unless DispatcherConfig.Grace
// says otherwise.
const DefaultGrace = 5 * time.Minute

// DefaultHandling seeds the mean handling time of the wait estimate
// (Dispatcher.Wait) until the dispatcher has measured contacts, unless
// DispatcherConfig.Handling says otherwise.
const DefaultHandling = 8 * time.Minute

// DispatcherConfig configures a Dispatcher.
type DispatcherConfig struct {
	// Directory is the organisation to route in. Required.
	Directory *Directory
	// Clock tells the time of every operation. Required.
	Clock carecontact.Clock
	// Store keeps items and professionals' state. Required.
	Store Store
	// OfferTimeout is how long an offer waits for accept or decline. It
	// must not be negative. Defaults to DefaultOfferTimeout (30 seconds).
	OfferTimeout time.Duration
	// Ageing is the head start of each priority. Defaults to
	// DefaultAgeing() (high 20 minutes, urgent 60 minutes).
	Ageing Ageing
	// Sink receives an Event for every decision; without one the
	// dispatcher builds no events. Defaults to none.
	Sink Sink
	// SinkKinds, if not empty, limits the events built and passed to Sink
	// to these kinds; the dispatcher builds no Event of any other kind. An
	// unknown kind is ErrInvalid. Defaults to every kind.
	SinkKinds []EventKind
	// Grace is how long a contact a professional accepted stays with them
	// after they sign out (PresenceAway) before it is queued again
	// (EventReclaimed); signing in within the grace keeps it. Negative:
	// never reclaimed. Defaults to DefaultGrace.
	Grace time.Duration
	// Handling seeds the mean handling time (accept to finish) that Wait
	// estimates with, until contacts have been measured. Defaults to
	// DefaultHandling.
	Handling time.Duration
	// Audit, if true, records an audit event ("routing.enqueue",
	// "routing.offer", ...) in the same store operation as every change of
	// an item. Off, the dispatcher writes no audit events; the host may
	// audit from the Sink instead. Defaults to off.
	Audit bool
	// Replicated says other replicas' dispatchers share Store: before it
	// accepts, declines, finishes, completes, rescinds or joins an item,
	// the dispatcher reads the item from the store (so an item another
	// replica enqueued or changed is served here, never "not found"), and
	// Advance re-reads every professional and item every RefreshEvery (so
	// a professional signed in through another replica gets this
	// replica's offers). Defaults to off: the dispatcher is the store's
	// only writer and reads it only at start and after a conflict.
	Replicated bool
	// RefreshEvery is how often a replicated dispatcher's Advance
	// refreshes its view from the store (Refresh); NextDeadline is never
	// later than the next refresh. It must not be negative. Defaults to
	// DefaultRefreshEvery (2 seconds).
	RefreshEvery time.Duration
	// Leader, if set, is the election this replica takes part in: only
	// while Leader.Leading reports true does the dispatcher make
	// time-driven decisions (offer timeouts, widening, wrap-up ends,
	// reclaims) and offers, each carrying the term's Fence so the store
	// refuses it once another replica has taken over. A follower serves
	// every operation (enqueue, accept, decline, finish, presence) and
	// refreshes, and leaves the decisions to the leader. Taking over, it
	// rebuilds its view from the store and handles the deadlines that
	// passed meanwhile at the time it took over. Requires Replicated.
	// Defaults to none: this dispatcher makes every decision itself.
	Leader carecontact.Leadership
}

// Dispatcher queues work items and offers each to one eligible professional
// at a time. See the package documentation for the model. It is safe for
// concurrent use; it starts no goroutines and no timers: time-driven
// transitions happen in Advance (and at the start of every operation, for
// deadlines the clock has passed), and a carecontact.Driver drives Advance
// for a host.
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
	grace        time.Duration
	// handled is the mean handling time (accept to finish) per slot
	// class, an exponentially weighted mean seeded with Handling.
	handled [numSlots]time.Duration

	profs  []*prof
	pools  map[poolKey]*pool
	routes map[routeKey]*compiledRoute
	// lastKey and lastRoute remember the route looked up last, so a run
	// of contacts that route alike skips hashing the key.
	lastKey   routeKey
	lastRoute *compiledRoute
	items     map[carecontact.ItemID]*entry
	// spare holds entries of removed items for Enqueue to reuse; an entry
	// goes here only once nothing refers to it any more.
	spare []*entry
	// Deadlines live in two heaps: the steps of queued items (many, added
	// in time order) and the offers and wrap-ups (few, short-lived), so
	// the frequent offer and accept do not sift through every queued item.
	stepTimers, holdTimers iheap[tref]
	seq                    uint64
	counts                 [ItemWrapUp + 1]int
	// serving is the professional being freed and served right now: their
	// idle-heap entries are settled once, after the serving, rather than
	// pushed and at once removed again.
	serving *prof
	wake    chan struct{}
	// replicated, refreshEvery and refreshedAt: see
	// DispatcherConfig.Replicated.
	replicated   bool
	refreshEvery time.Duration
	refreshedAt  time.Time
	// leader, leading, fence, leadSince and deciding: see
	// DispatcherConfig.Leader and leader.go.
	leader    carecontact.Leadership
	leading   bool
	fence     carecontact.Fence
	leadSince time.Time
	deciding  bool
	// chg is the one Change the dispatcher builds at a time (under mu),
	// passed to Store.Apply by pointer: a Change of its own per operation
	// would escape to the heap through the interface call.
	chg Change
	// recent is the item offered last, while it is in items: its answer
	// (accept or decline) usually comes next, and lookup finds it without
	// hashing its ID.
	recent *entry
	// pst receives the professional's state from Store.Apply (a local
	// would escape to the heap through the interface call).
	pst ProfessionalState
	// seenNext and seenOK are what NextDeadline returned last (without a
	// Leader): arm wakes the driver only for an earlier deadline.
	seenNext time.Time
	seenOK   bool
}

// change returns the dispatcher's change buffer, cleared. The change is
// valid until the next call; apply does not call change.
func (d *Dispatcher) change() *Change {
	d.chg = Change{}
	return &d.chg
}

// ignoreStale drops errStale from a follow-up action: the store's newer
// state has been loaded and nothing is left to do.
func ignoreStale(err error) error {
	if err == errStale {
		return nil
	}
	return err
}

// staleAsConflict turns errStale into an ErrConflict for the caller of an
// operation whose item another replica changed first.
func staleAsConflict(err error, id carecontact.ItemID) error {
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

// profHint returns the dispatcher's view of professional id, or nil,
// without a directory lookup when hint is that professional.
func (d *Dispatcher) profHint(hint *prof, id carecontact.ProfessionalID) *prof {
	if hint != nil && hint.id == id {
		return hint
	}
	return d.profOf(id)
}

// holder returns the professional e is offered to, accepted by or in
// wrap-up with (e.it.Professional), or nil, and remembers them in e.by so
// the next call needs no lookup.
func (d *Dispatcher) holder(e *entry) *prof {
	p := d.profHint(e.by, e.it.Professional)
	e.by = p
	return p
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
		return nil, carecontact.Invalid(ErrInvalid, "config.directory", "is required")
	}
	if opts.Clock == nil {
		return nil, carecontact.Invalid(ErrInvalid, "config.clock", "is required")
	}
	if opts.Store == nil {
		return nil, carecontact.Invalid(ErrInvalid, "config.store", "is required")
	}
	if opts.OfferTimeout < 0 {
		return nil, carecontact.Invalid(ErrInvalid, "config.offer_timeout", "is negative")
	}
	d := &Dispatcher{
		dir: dir, store: opts.Store, clock: opts.Clock, offerTimeout: opts.OfferTimeout,
		sink: opts.Sink, audit: opts.Audit,
		pools: map[poolKey]*pool{}, routes: map[routeKey]*compiledRoute{}, items: map[carecontact.ItemID]*entry{},
		stepTimers: iheap[tref]{less: trefLess, set: setTimer},
		holdTimers: iheap[tref]{less: trefLess, set: setTimer},
		wake:       make(chan struct{}, 1),
	}
	if d.offerTimeout == 0 {
		d.offerTimeout = DefaultOfferTimeout
	}
	if opts.Handling < 0 {
		return nil, carecontact.Invalid(ErrInvalid, "config.handling", "is negative")
	}
	if opts.RefreshEvery < 0 {
		return nil, fmt.Errorf("%w: config: refresh_every is negative", ErrInvalid)
	}
	d.replicated, d.refreshEvery = opts.Replicated, opts.RefreshEvery
	if opts.Leader != nil && !opts.Replicated {
		return nil, fmt.Errorf("%w: config: leader requires replicated", ErrInvalid)
	}
	d.leader = opts.Leader
	if d.refreshEvery == 0 {
		d.refreshEvery = DefaultRefreshEvery
	}
	d.grace = opts.Grace
	if d.grace == 0 {
		d.grace = DefaultGrace
	}
	h := opts.Handling
	if h == 0 {
		h = DefaultHandling
	}
	for sl := range numSlots {
		d.handled[sl] = h
	}
	if len(opts.SinkKinds) == 0 {
		d.sinkKinds = ^uint64(0)
	}
	for _, k := range opts.SinkKinds {
		if k < EventQueued || k > lastEventKind {
			return nil, carecontact.Invalid(ErrInvalid, "config.sink_kinds", fmt.Sprintf("unknown event kind %d", int(k)))
		}
		d.sinkKinds |= 1 << uint(k)
	}
	ageing := opts.Ageing
	if ageing == nil {
		ageing = DefaultAgeing()
	}
	for p, h := range ageing {
		if p < PriorityRoutine || p > PriorityUrgent || h < 0 {
			return nil, carecontact.Invalid(ErrInvalid, "config.ageing", fmt.Sprintf("ageing[%d] = %s", p, h))
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
	d.refreshedAt = now
	return d, nil
}

func (d *Dispatcher) rank(enq time.Time, p Priority) int64 {
	return enq.UnixNano() - int64(d.headStart[p])
}

// stepPool returns the pool of the step e is in.
func (d *Dispatcher) stepPool(e *entry) *pool { return e.route.pools[e.it.Step] }

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
	if e.route != nil && step >= 0 && step < len(e.route.pol.Steps) {
		ev.Target = e.route.pol.Steps[step].Target
	}
	d.sink(ev)
}

// auditFor returns the audit event of a change when auditing is on. It
// takes the item by pointer and returns at once when auditing is off, so
// the hot path copies no item for it.
func (d *Dispatcher) auditFor(verb string, it *Item, t time.Time, actor carecontact.ProfessionalID) []audit.Event {
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
		Client: it.Contact.Client, Outcome: audit.Allowed, Detail: detail}}
}
