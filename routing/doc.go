// Package routing decides who handles a client's contact: the health-station
// area and care team it belongs to, the policy steps it widens through, and
// the professional it is offered to.
//
// # Directory
//
// A Directory describes the organisation: health-station areas (names in
// Finnish and Swedish, postal codes, neighbour areas, opening hours read in
// Europe/Helsinki time; closed on Finnish public holidays, and on eves but
// for the area's EveHours, see Area.IsOpen), care teams (each in an area,
// or central), professionals (role, skills, languages fi/sv/en as
// civil.Language, any BCP 47 tag matched to them, team memberships, a
// per-slot concurrent Capacity such as one synchronous contact, a call or
// a video meeting, plus up to three chats, and a wrap-up time), policies and
// pilot cohorts. NewDirectory validates a Config whole; the Directory is
// read-only afterwards. AreaOf resolves a postal code (ErrMalformedPostalCode,
// ErrUnknownPostalCode).
//
// # Policies and the pure decision
//
// A Policy is the ordered list of Steps for an errand (the policy with an
// empty Errand is the default), optionally in one channel (Policy.Channel:
// the most specific policy applies, errand and channel first): typically the client's own professional,
// the own care team, the home area, the home and neighbour areas, and the
// central pool (StandardPolicy). Each step has a timeout and optional role,
// skill and language filters. A Pilot enables a channel, say video, for a
// cohort only: the members of named teams and named professionals, who
// keep their own teams; its work is never offered to anyone else.
// Directory.InPilot and Directory.Pilots let hosts and KPIs split the
// cohort from the others.
//
// Directory.Route is the pure routing decision. For a Contact it returns the
// Route: the usable steps in order, each with its timeout and its candidate
// teams and professionals, and the steps skipped with the reason. A contact
// no step can serve gets a *NoRouteError (errors.Is(err, ErrNoRoute)) with a
// NoRouteReason, never silence. The callback planner calls Route to plan
// same-day callback capacity team by team before anything is queued.
//
// # Dispatcher
//
// A Dispatcher queues work items and offers each to one professional at a
// time. Enqueue places an item in the first step that has a candidate
// signed in (presence not away) and whose area is open; the steps before it
// are skipped at once, each reported as EventSkipped. When a step's timeout
// passes the item widens to the next usable step; it keeps its enqueue time
// and so its place. An item on the last step waits until served if that
// step has no timeout, and is dropped with ReasonExhausted if it has one,
// unless its contact holds (Contact.Hold: a due callback): a held item is
// never dropped, and is queued in its first step with candidates even when
// nobody is signed in.
//
// Queues are ordered by rank: the enqueue time minus the priority's head
// start (Ageing; by default high priority 20 minutes and urgent 60
// minutes), then by enqueue order. An urgent contact thus goes before
// routine ones, but a routine contact that has waited longer than the head
// start goes first: nothing starves.
//
// The professional an item is offered to is chosen least busy first, then
// longest idle: among the step's candidates who are available, not wrapping
// up, with free capacity in the item's slot class, the one with the fewest
// items of that class, then the one whose IdleSince (sign-in or last
// completed contact) is earliest, then by ID. For one-at-a-time synchronous
// work this is the classic longest-idle rule; for chats it spreads the load
// before filling anyone's capacity. When a professional becomes free they
// are offered the best-ranked item waiting in any step they are a
// candidate of.
//
// An item's lifecycle is queued -> offered -> accepted | declined | timed
// out | rescinded, then accepted -> wrap-up -> completed. Every state has an
// exit: an offer times out after DispatcherConfig.OfferTimeout; a declined or
// timed-out item is queued again and offered to someone else (never again
// to the professionals in Item.Excluded; the choice looks past at most 16
// excluded candidates, so an item many have declined may wait for its step
// to widen); Rescind withdraws a queued or
// offered item (the client left, or the errand was settled elsewhere);
// Finish puts an accepted item in wrap-up for the professional's wrap-up
// time, during which they get no offers; the wrap-up ends at its deadline
// or by Complete. Completed, rescinded and dropped items are removed from
// the store, so memory stays flat however many contacts pass.
//
// A contact in hand may take more than its slot. Continue switches it to
// another channel: a chat continued as a call or video holds its
// professional in a call (ProfessionalState.InCall), so they get no offers
// until it ends. Invite brings a colleague in as a guest, in a call until
// Leave. An accepted contact whose professional signs out returns to its
// queue after DispatcherConfig.Grace (EventReclaimed); signing in again
// within it keeps the contact.
//
// For desks and clients: Assigned lists what concerns a professional
// (offers, contacts in hand, as a guest), Waiting the queued items they
// could be offered next, Wait a queued item's position and estimated wait
// (position x mean handling time / the serving slots), and TeamLoad a
// team's share of the synchronous queue and its free and busy members.
//
// Every decision emits an Event (queued, skipped, widened, offered,
// accepted, declined, timed out, rescinded, wrap-up, completed, no route,
// continued, joined, left, reclaimed)
// with the policy step and target that matched, to the optional Sink: the
// share of accepted items whose target is the own professional or own team
// measures continuity of care. With a nil Sink no event is built, and with
// DispatcherConfig.SinkKinds only events of the kinds listed are built. With
// DispatcherConfig.Audit each change also records an audit event in the same store
// operation.
//
// # Time
//
// Nothing in the package reads the wall clock or starts a goroutine or
// timer by itself. Operations take their time from DispatcherConfig.Clock.
// Time-driven transitions (offer timeouts, step timeouts, wrap-up ends, the
// grace of a signed-out professional) are made by Advance, in deadline
// order and each at its own deadline, and by every other operation for the
// deadlines the clock has passed; NextDeadline tells when the next one is
// due. The Dispatcher is a carecontact.Driven: a host runs it with a
// carecontact.Driver (alone or inside a frontdoor.Door); a simulation calls
// NextDeadline and Advance from its own event loop. Given the same clock
// readings and the same calls, a dispatcher makes the same decisions in the
// same order.
//
// # Storage and concurrency
//
// Store keeps work items and the professionals' dynamic state (presence,
// load per slot class, wrap-ups). Every change is one atomic conditional
// operation on one item and at most one professional (Change): an offer is
// a compare-and-set on the item's version together with a capacity check on
// the professional, so an item is never offered to two professionals and
// nobody holds more than their capacity, whatever the interleaving and
// however many host replicas share the database. No store operation locks
// all items or all professionals. storage/memory provides the embedded
// store and storage/storagetest the conformance suite every store passes.
// A store may hand out a reference of its own with every item (Item.Ref,
// which the memory store uses to find its record without a lookup by ID);
// the dispatcher passes it back with each change of the item, and a
// removal carries only the item's ID and Ref.
//
// A Directory is safe for concurrent use. A Dispatcher is safe for
// concurrent use: it serialises its own operations with a mutex around its
// in-memory index (per-step queues and idle professionals in heaps, a heap
// of deadlines), so each operation costs O(log n) in the queued items and
// professionals, never a scan. Several dispatchers over one store stay
// safe: the store refuses any change another one made first (so no item is
// offered twice and no professional exceeds their capacity), the dispatcher
// then reloads the item or professional, and an operation on a stale item
// fails with ErrConflict. By default a dispatcher queues only the items it
// enqueued or found in the store when it was built, so for one shared queue
// a deployment runs one dispatcher per store at a time (a new one recovers
// the queue from the store). With DispatcherConfig.Replicated, dispatchers
// of several replicas share one store: each reads an item from the store
// before it accepts, declines, finishes, completes, rescinds or changes
// it (an item another replica enqueued or changed is served, never "not
// found"), and Advance refreshes every professional and item from the
// store every RefreshEvery (Refresh), so a professional signed in through
// one replica gets the others' offers within that time. An offer or
// wrap-up whose deadline passed before the replica learnt of it (its own
// replica stopped) is handled at the replica's now, so an offer made again
// never gets a deadline in the past. With DispatcherConfig.Leader as well,
// only the replica its Leadership elects makes offers, times them out,
// widens steps, ends wrap-ups and reclaims, each decision carrying the
// term's Fence (Change.Fence) for the store to check; the others serve
// every operation and refresh. On taking over, a dispatcher rebuilds its
// view from the store and handles the deadlines that passed before it
// took over at the takeover time. Without a Leader every replicated
// dispatcher decides on its own clock (the store's compare-and-set keeps
// each transition once). Replicas learn of each other's changes by
// polling only. The Sink is called with the lock held.
//
// # Errors
//
// Bad input fails with an error wrapping ErrInvalid (or
// ErrMalformedPostalCode) that names the field: for a contact, a postal code
// and a dispatcher operation a *carecontact.FieldError ("client",
// "postalCode", "priority", ...); a Config's errors name the item in their
// text. A contact's client, errand, area and own team and professional are
// bounded like IDs (carecontact.ValidateID). Lookups fail with
// ErrUnknownArea, ErrUnknownTeam, ErrUnknownProfessional, ErrUnknownPostalCode
// or ErrItemNotFound; no route with *NoRouteError. Store conditions fail with
// ErrConflict, ErrNoCapacity or ErrDuplicateItem; dispatcher actions in the
// wrong state with ErrWrongState, and an answer to an offer that has timed
// out with ErrOfferExpired. Error texts carry no client data beyond the
// pseudonymous references the caller passed.
//
// Each sentinel wraps one root kind of carecontact: ErrInvalid and
// ErrMalformedPostalCode are invalid input; the unknown-* errors,
// ErrItemNotFound and ErrNoRoute (so *NoRouteError too) not found;
// ErrConflict, ErrNoCapacity and ErrDuplicateItem conflict; ErrWrongState
// and ErrOfferExpired illegal transitions.
package routing
