// Package postgres stores the library's state in PostgreSQL, so that several
// replicas of a host backend can share one database and still keep every
// invariant the memory store keeps: the same storagetest conformance suite
// runs against both.
//
// # Use
//
//	db, err := postgres.Open(ctx, "postgres://app@db/carecontact")
//	...
//	defer db.Close()
//	if _, err := db.Migrate(ctx); err != nil { ... } // once per start-up, from any replica
//	log := db.AuditLog()                              // audit.Log
//	routes := db.RoutingStore()                       // routing.Store
//	callbacks := db.CallbackStore()                   // callback.Store
//	demand := db.DemandStore()                        // demand.Store
//	bookings := db.BookingStore()                     // booking.Store
//	sessions := db.SessionStore()                     // session.Store
//	texts := db.GuidanceStore()                       // guidance.Store
//
// A DB wraps a pgxpool.Pool (Open makes one, New wraps the caller's) and
// hands out the stores. All of them are safe for concurrent use; several DB
// values, in one process or many, share state only through the database.
// pgxpool runs its own background health-check goroutine for the pool's
// lifetime; this package starts nothing else.
//
// # Schema and migrations
//
// The schema is a list of numbered SQL files embedded in the package
// (migrations/NNNN_name.sql, see Migrations) recorded in the table
// carecontact_schema_migrations. Migrate applies the missing ones in one
// transaction under pg_advisory_xact_lock, so replicas starting together
// apply each exactly once and a failed migration leaves nothing behind. A
// database migrated by newer code is refused with ErrSchemaTooNew.
//
// Tables:
//
//   - carecontact_schema_migrations: the applied migration versions.
//   - carecontact_commits: commit markers (see below), indexed by time.
//   - audit_events: one row per audit.Event; seq (identity) is the recorded
//     order; indexes on (client, seq), (subject, seq), (actor_id, seq), at.
//     stream_seq, prev_hash and hash are the event's link in its subject's
//     hash chain (audit.Chain), client_digest the client as the chain holds
//     it, actor_digest a client actor's ID as it holds it (migration 11;
//     empty on older rows), pseudonymised whether client or actor_id was
//     replaced by an erasure or a purge. audit_heads: the last link of each
//     subject's chain; writers lock
//     the heads they extend in subject order, in the change's transaction.
//     AuditLog.Verify checks every chain in one repeatable-read snapshot.
//   - routing_items: work items; version is the compare-and-set counter, doc
//     the routing.Item as JSON, state/professional/deadline copied out;
//     client, a stored generated column (doc's Contact.Client, migration
//     20), is the only column indexed besides id, so an item's updates
//     change no indexed value and stay on its page (HOT, fillfactor 70)
//     without index writes. routing_professionals: presence, capacity and load per slot
//     class (CHECK load >= 0), wrap-ups, idle time, version.
//   - callback_requests: the callback.Record as JSON (doc) with the phone
//     number in its own column, never in doc, events or indexes; a partial
//     unique index allows one open request per (client, errand).
//     callback_plans: one row per team's local day with a callback
//     promised in it, its plan version (the reservations made in it).
//   - demand_contacts: duplicate-demand contacts (demand.Contact) as
//     columns; a partial index finds a client's pending contacts per errand.
//   - guidance_records: one row per guidance subject, its versions as JSON,
//     and a revision every Save compares and sets.
//   - booking_appointments: the booking.Appointment as JSON with status,
//     client, service, start and hold expiry copied out and indexed, and
//     the invitation it redeemed under a unique index (an invitation
//     books once);
//     booking_claims: one row per participant's claimed time (owner,
//     tstzrange, expiry for holds, the shared slot key and capacity of a
//     seat) under the exclusion constraint EXCLUDE USING gist (owner WITH
//     =, during WITH &&, coalesce(shared, appointment) WITH <>)
//     (btree_gist), so only the seats of one shared slot overlap;
//     booking_waiters: the waitlist; booking_calendars: each stored
//     calendar (booking.CalendarStore) as JSON with its version, which a
//     change compares; booking_calendars_clock: one row counting the
//     calendar changes, whose row lock serialises them.
//   - carecontact_leases: one row per leader lease (migration 14).
//   - sessions: the session.Session as JSON (doc) with version (the
//     compare-and-set counter), client, state, opened_at and closed_at
//     copied out and indexed; Update is UPDATE ... WHERE id AND version.
//
// How each invariant is held: a work item is offered to one professional at
// a time because Apply locks the item row (SELECT ... FOR UPDATE), checks the
// version, then locks the professional's row and checks its capacity before
// changing either (item before professional, always, so no deadlock); the
// lease on an offer is the item's deadline, and a crashed replica's offers
// come back when any replica's dispatcher advances past it. A callback
// request is opened once per client and errand by the partial unique index
// (INSERT ... ON CONFLICT DO NOTHING, then join the winner's row). A
// callback promise reserves its team's day: OpenReserved and UpdateReserved
// bump the day's callback_plans row only at the version the planner planned
// from (UPDATE ... WHERE version = $planned, or INSERT ... ON CONFLICT DO
// NOTHING for the day's first promise) in the transaction that writes the
// request, so of planners on any replicas that planned from one state one
// wins and the others plan again (callback.ErrPlanChanged). Admit,
// Settle and Close of one client's errand are serialised by
// pg_advisory_xact_lock on (client, errand). A slot is booked once because
// every appointment's and every hold's time is a row of booking_claims and
// the exclusion constraint refuses overlapping rows of one professional or
// resource (SQLSTATE 23P01, mapped to booking.ErrSlotTaken), save the
// seats of one shared slot, which the claiming transaction counts against
// their capacity under the owners' advisory locks; a claiming
// transaction first deletes the holds that expired by the Now it was
// given where they overlap its claims. A plain claim (no limit, no shared
// seat) and a transition take those locks shared, so they never wait for
// each other, only for a change that takes them exclusively (a shared
// seat, a limited claim, a reschedule, a waiting client's offer), which
// the constraint alone cannot order; plain claims insert their claims in
// owner order, so their waits on each other's rows never form a deadlock.
// Every compare-and-set (sessions, guidance, callbacks, work
// items, appointments) is a version check under the row lock or in the
// UPDATE's WHERE clause.
//
// # Retention and erasure
//
// DB.Purge(ctx, now, retention) deletes, in one transaction, every record
// past its carecontact.Retention (closed sessions, closed callback
// requests with their phone numbers, closed demand contacts, abandoned
// queued routing items, appointments no longer active with their claims,
// wait entries; days counted in Europe/Helsinki) and pseudonymises the
// audit rows of what it deleted: client and, where actor_digest is set, a
// client actor's actor_id become audit.Pseudonym, and pseudonymised is
// set. Nothing else of a row changes, so the chain still verifies. It
// records an event "storage.purge" with the counts.
//
// DB.EraseClient(ctx, actor, client, at) replaces, in one transaction, the
// client's reference with its pseudonym in every table, empties the phone
// column of their callback requests, bumps the version of every document
// it changes (a writer with an older copy conflicts instead of writing the
// reference back), pseudonymises their audit rows the same way, and
// records an event "storage.erase" by actor about the pseudonym. Rows
// written before migration 11 chain a client actor's ID as it is: their
// actor_id stays. Guidance records hold no client data and are not
// touched. Indexes of migration 12 find a client's rows in every table.
//
// # Transactions, retries and errors
//
// Every change is one transaction, and the audit events that describe a
// change are inserted in that same transaction: the trail never claims a
// change that did not happen nor misses one that did. Invariants are held by
// the database (constraints, row locks), never by read-then-write in Go.
//
// A failed attempt is repeated only when it surely did not happen. The
// DB's RetryPolicy sets how often and how patiently:
//
//   - serialization failure (SQLSTATE 40001), deadlock (40P01) or a
//     session ended at idle_in_transaction_session_timeout (25P03): the
//     server rolled the transaction back; repeated.
//   - statement cancelled at statement_timeout (57014) or lock_timeout
//     (55P03): the statement and its transaction were rolled back;
//     repeated, in a transaction or not.
//   - connection lost or refused before COMMIT was sent
//     (pg_terminate_backend's 57P01, a restarting server's 57P03, other
//     57P0x and 08xxx codes, resets, EOF): the server rolls an unfinished
//     transaction back; repeated.
//   - COMMIT sent but unanswered (the connection broke, the statement was
//     cancelled, or the deadline passed): the outcome is resolved, see
//     below; never repeated blindly.
//   - a single change outside a transaction whose connection broke after
//     it was sent: not repeated; ErrOutcomeUnknown.
//   - anything else (constraint violations, bad SQL): returned at once.
//
// Reads are repeated after any transient failure.
//
// Every change writes a commit marker (a fresh UUID in carecontact_commits)
// in its transaction. When COMMIT goes unanswered, the store inserts the
// same marker itself, in a transaction it rolls back. The server makes that
// insert wait until the first transaction has ended, however it ended. A
// conflict means the change was made: the call succeeds. An insert means it
// was not, and never will be: the transaction runs again under a new
// marker. So each change is made exactly once across connection kills and
// server restarts. ErrOutcomeUnknown is reported only if the outcome cannot
// be resolved in time. Markers accumulate until the host calls
// DB.PruneCommitMarkers (for example hourly, from its driver).
//
// The hot changes are pipelined. A booking claim without a limit or a
// shared seat is one batch, one round trip: the owners' shared locks, the
// release of expired holds, the appointment, its claims, the audit heads
// it starts (a new appointment's subject has no chain yet; a subject that
// has one sends the claim again as two batches, below), the audit events
// and the commit marker, with no BEGIN or COMMIT: the server runs the
// statements of one Sync as one implicit transaction, committed at the
// Sync or rolled back at the first error, and never arms its idle
// transaction timeout inside it. The routing store's writes (Apply,
// RegisterProfessional, SetPresence, CreateItem) and a booking transition
// alone (a hold's confirmation, a cancellation) send their statements in
// two batches instead of one round trip each. The first is BEGIN, the idle
// transaction timeout and the statements that lock and read (the fence,
// the rows, the audit heads); the store checks what they returned in Go
// as before and sends the writes, the audit events, the commit marker and
// COMMIT as the second. (RegisterProfessional, SetPresence and CreateItem
// have nothing to read first: their one write, whose result decides, is in
// the first batch, before the audit heads' locks.) The statements, their order, the locks and the
// retries are those of the transaction sent statement by statement; a
// batch stops at its first error and the transaction is rolled back.
// Between the batches the server waits with its idle transaction timeout
// armed. A transaction that sends NOTIFY holds PostgreSQL's notification
// lock (one for the whole server) from just before its commit until the
// commit is flushed, so such commits are flushed one at a time, not in
// groups: on a durable server that bounds them to about one per disk
// flush, however many workers. The routing store therefore notifies by
// itself (see Change notification): its own durable commits send no
// NOTIFY and are flushed together with the other pending commits.
//
// On a durable server the commits of concurrent transactions share their
// WAL flushes, so what a change costs there is mostly the WAL it writes
// and its statements. A plain booking writes its appointment, its claims,
// its audit event with the event's chain head and the commit marker: five
// rows and about a dozen index entries, about 2.6 KB of WAL (the
// appointment's document and the event's digests and hashes are most of
// the rows' bytes); its chain head and event are one statement. A routing
// offer (Apply) writes about 1.1 KB: the item's new version, which changes
// no indexed column and stays on its page (a heap-only tuple: no index
// entries; migration 20, fillfactor 70), the professional's (also HOT),
// the two row locks and the commit marker; the item's and the
// professional's writes are one statement. Commit markers and the audit
// events' default IDs are time-ordered UUIDs (version 7), so their unique
// indexes grow at their right edge: after a checkpoint a commit dirties
// the same few leaf pages as the others instead of a random one whose
// first change writes the whole page to the WAL.
//
// # Deadlines
//
// Every store operation runs under a deadline: WithOperationTimeout,
// DefaultOperationTimeout (5 s) unless set. It covers waiting for a pooled
// connection, every attempt and the waits between them. The caller's
// context applies instead when its deadline is earlier. So a pool whose
// connections are all busy, or a server that does not answer, gives an
// error, never a hang. Resolving an unanswered COMMIT gets a fresh budget
// of the same length when the deadline passed during COMMIT. Migrate runs
// under the caller's context only, since a migration may take long. The
// package sets no statement_timeout; hosts may set one in the DSN (for
// example options=-c%20statement_timeout=2s) and the stores then repeat
// statements it cancels, as above. Keep it below the operation timeout.
//
// # What a host sees
//
// Every transient failure a caller sees matches carecontact.ErrUnavailable
// (HTTP 503 through carecontact.HTTPStatus), with the last failure in its
// chain:
//
//   - ErrOutcomeUnknown: the change may or may not have been made; re-read
//     before trying again. Check for it first: it may also match
//     context.DeadlineExceeded.
//   - ErrRetriesExhausted: transient failures outlasted the RetryPolicy;
//     nothing was written.
//   - a deadline that passed (the operation timeout or the caller's): the
//     error also matches context.DeadlineExceeded; nothing was written.
//
// A caller's own cancellation matches context.Canceled, not
// ErrUnavailable. IsTransient reports whether an error may pass if tried
// again. Constraint violations are mapped to the domain packages' sentinel
// errors by each store; other errors are wrapped with context.
// ErrSchemaTooNew matches carecontact.ErrConflict.
//
// # Several replicas
//
// A deployment runs two to four replicas over one database (two survive
// one crash; more add desks, not safety), each with its own pool (Open)
// and its own front door built with frontdoor.Config{Replicated: true,
// Leader: lease}, and runs Migrate at start-up from any of them. What
// holds across replicas:
//
//   - every item, professional, session, booking and callback change is a
//     compare-and-set or a constraint in the database (above), so no
//     contact is offered twice, no slot booked twice, nobody over capacity;
//   - a replicated dispatcher reads an item from the store before it acts
//     on it, so any replica serves a contact enqueued on another, and
//     refreshes every professional and item every RefreshEvery (default
//     2 s) from Advance, so the leader sees the followers' enqueues and
//     sign-ins, and the followers' desks the leader's offers, within that
//     time;
//   - one elected leader makes the routing decisions: offers, offer
//     timeouts, widening, wrap-up ends and reclaims (see Leader election);
//   - callback promises reserve capacity per team and day
//     (callback_plans), so planners on every replica together never
//     promise more than there is;
//   - an offer is a lease until its deadline: the offers of a leader that
//     died are honoured until their deadline by the one that takes over,
//     and those whose deadline passed during the outage time out at the
//     takeover and are made again with a deadline from then.
//
// # Deployment
//
// How many replicas: two to four. Two survive the loss of either; a third
// keeps two running through a deploy that restarts one at a time; beyond
// four the leader's refreshes (each re-reads every item and professional)
// and the lease's renewals grow with nothing gained, since one leader
// decides whatever the count. Front doors on every replica serve every
// operation, so a load balancer may send any request anywhere, without
// stickiness.
//
// The lease: LeaseConfig.TTL (default 7 s) is how long a leader that
// vanished keeps the lead; a follower takes over at most TTL plus
// RenewEvery (a third of TTL) later, about 9.3 s by default. A shorter TTL
// fails over sooner but costs a renewal per RenewEvery per replica, and a
// leader paused longer than the TTL (a long GC, a frozen VM) loses the
// lead. Keep the DB's operation timeout (WithOperationTimeout, 5 s) below
// the TTL: the server ends a store transaction idle that long
// (WithIdleTransactionTimeout, the same by default), so a leader cut off
// in the middle of a decision releases the lease row it holds FOR SHARE
// in time for the takeover, instead of when TCP gives up.
//
// What a host must run, on every replica:
//
//	db, _ := postgres.Open(ctx, dsn)             // its own pool
//	db.Migrate(ctx)                              // any replica, at every start
//	clock, _, _ := db.DatabaseClock(ctx, carecontact.SystemClock())
//	lease, _ := db.Lease(postgres.LeaseConfig{}) // a Holder unique per process by default
//	door, _ := frontdoor.New(ctx, frontdoor.Config{Replicated: true, Leader: lease, Clock: clock, ...})
//	notifier, _ := db.Notifier(postgres.NotifierConfig{OnChange: door.Parts().Dispatcher.Refresh})
//	go notifier.Listen(ctx)
//	drv, _ := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{lease, notifier, door}})
//	go drv.Run(ctx)
//	...
//	lease.Release(shutdownCtx)                   // at a clean shutdown: a follower takes over at once
//
// and now and then, from any one replica, DB.PruneCommitMarkers and
// DB.Purge. The database (tested with PostgreSQL 15) needs btree_gist
// (contrib), max_connections above the sum of the replicas' pool sizes plus one
// listening connection per replica, and no connection pooler in
// transaction mode between a Notifier and the server (LISTEN needs a
// session of its own). The replicas' clocks may disagree (every replica
// decides on the database's clock); tested with ±30 s.
//
// Tests against a throwaway server show it: TestLedReplicasDay (500 chats
// through three replicas, every operation to a random one, the leader
// killed halfway and the server restarted with pg_ctl after 150),
// TestLeaderKilledMidOffer (three kills mid-offer), TestLeaderCutOff (the
// leader behind a severed link while the followers go on),
// TestLeaderClockSkew, and the planners' race of storagetest.
// BenchmarkLedContacts and BenchmarkLedContactsConcurrent measure chats
// per second through one and three replicas, BenchmarkFollowerToLeader
// the latency from a follower's write to the leader's decision (p50,
// p99).
//
// # Leader election
//
// DB.Lease returns a replica's handle on a lease: one row of
// carecontact_leases (migration 14) with the holder, a fencing token and
// an expiry. Acquire takes the lease when it is free or expired and then
// increases the token (a new term), or renews the holder's own term;
// Renew extends it (ErrLeaseLost once it has ended); Release ends it at a
// clean shutdown. Every expiry is computed and compared by the database,
// now() + TTL, so the replicas' own clocks never decide who leads. The
// replica's Clock only schedules renewals and tells it when, by its own
// reckoning, its term may have lapsed (TTL after the renewal was sent,
// never later than the database's expiry): Leading then reports false.
// LeaseConfig.TTL defaults to 7 s and RenewEvery to a third of it, so a
// dead leader is replaced within TTL + RenewEvery (at most about 9.3 s by
// default; less with a shorter TTL, at the cost of a renewal per
// RenewEvery per replica and a takeover after every pause longer than the
// TTL).
//
// A Lease is a carecontact.Leadership for routing.DispatcherConfig.Leader
// (frontdoor.Config.Leader). A dispatcher that does not lead makes no
// decision: it serves every operation (enqueue, accept, decline, finish,
// presence) and refreshes. The leader's decisions carry the term's fence
// (routing.Change.Fence), and RoutingStore.Apply checks it in the
// decision's own transaction: SELECT on the lease row FOR SHARE, the
// token must be the current one and the term unexpired, otherwise
// routing.ErrNotLeader (matching carecontact.ErrConflict) and nothing is
// written. A takeover updates the lease row, so it waits for decisions
// already checked, and every later decision of the old term is refused:
// a leader that was cut off, paused or slow cannot commit a decision
// after another replica has taken over, however late it arrives. On
// becoming the leader a dispatcher rebuilds its view from the store and
// handles every deadline that passed before the takeover at the takeover
// time: no offer is made with a deadline in the past and nobody is
// excluded for an offer they never saw.
//
// Why a lease row rather than pg_advisory_lock on a dedicated connection:
// a session advisory lock belongs to one connection, and pools recycle,
// health-check and drop connections (pgxpool does), so the lock would end
// with a connection the application did not choose to close, and a
// replica cut off from the database learns nothing until its connection
// times out, while the server may already have granted the lock to
// another. Nothing in another transaction can check who holds an
// advisory lock or since when. A lease row survives pool churn and server
// restarts, expires on the database's clock, and its token is a fence any
// transaction can check under FOR SHARE.
//
// Skew: the lease tolerates any skew between the replicas' clocks (only
// the database's is used). Offer and step deadlines are set and compared
// on the clock each dispatcher is given: give every replica
// DB.DatabaseClock over its own clock, so a new leader ahead of the old
// one does not time the old one's offers out early. Tested with clocks
// 30 s behind and ahead.
//
// The callback planner's Advance (re-planning, hand-over of due requests,
// escalation) runs only on the leader too (callback.Config.Leader, set by
// the door). Every write of its pass carries the fence of the term the
// pass began in, checked the same way in the write's own transaction
// (callback.ErrNotLeader): the reservations of its re-planning
// (callback.Reservation.Fence, CallbackStore.UpdateReserved) and its
// other decisions, escalations and due and hand-over marks
// (CallbackStore.UpdateFenced). So a deposed leader's pass can neither
// move a promise into a day nor escalate, and the pass stops at the first
// refused write. Promises made at Request, and Accept, Take, Complete and
// Withdraw, on any replica, are front-door operations, not leader
// decisions: the per-day reservations and the records' compare-and-set
// hold them.
//
// # Change notification
//
// Migration 15 adds statement triggers on routing_items and
// routing_professionals that NOTIFY carecontact_routing, and migration 17
// triggers on callback_requests and callback_plans that NOTIFY
// carecontact_callback, when a change commits (no payload, so no
// identifier travels). The routing store's own writes are the exception
// (Apply: every offer, answer, completion, removal and load change of a
// work item; RegisterProfessional, SetPresence and CreateItem): each is a
// pipelined transaction (two batches, as above) that sets
// carecontact.notify_after to 'on', for which the routing triggers do not
// fire (migration 19), and whose second batch carries, after its COMMIT, a
// one-statement transaction of its own that notifies carecontact_routing
// with synchronous_commit off. That transaction changes no data and does
// not wait for a flush, so it holds the notification lock only briefly,
// and the change's own commit stays durable and is group-committed; the
// listeners hear of the change in the same round trip, after it is
// visible. Should the notification fail once the change committed, the
// store still reports the change made (the commit marker decides, as
// always): the listeners then see it at their next poll. Every other
// writer (plain SQL, another program) notifies through the triggers.
// DB.Notifier returns a Notifier: its Listen holds
// one connection of its own (outside the pool) under LISTEN on both
// channels, reconnecting after it is lost, and is run by the host in a
// goroutine of its own. As a carecontact.Waker it wakes the Driver on
// every notification, and as a Driven part it then calls OnChange (the
// dispatcher's Refresh) for routing changes and OnCallbackChange (if set:
// a host's own view of callbacks) for callback changes, each at most once
// per MinInterval (default 50 ms). The Driver's step after a wake
// advances every part, the door and so the callback planner among them,
// and the planner reads the open requests from the store on each pass:
// so the leader reacts to a follower's enqueue, sign-in or callback
// request, and the followers' desks see the leader's offers and due
// callbacks, within tens of milliseconds instead of a poll. Polling stays
// the fallback for notifications lost with the connection: routing's
// RefreshEvery, and the Driver's MaxWait (default 1 s) for the planner;
// Listen asks for one refresh after every reconnect. Every refresh
// re-reads all items and professionals, so a busy deployment keeps
// MinInterval well above the time one refresh takes. Booking has no
// channel: no leader decides for it (any replica expires holds, each
// under the appointment's compare-and-set), and each replica reads the
// next hold expiry from the store at every step.
// BenchmarkFollowerToLeader measures the latency from a follower's
// enqueue to the leader's offer; TestCallbackRequestReachesLeader checks
// that a follower's callback request wakes a leader that would otherwise
// sleep for an hour.
//
// What a host must run on every replica: a carecontact.Driver with the
// lease, then the notifier, then the door
// (carecontact.DriverConfig{Parts: {lease, notifier, door}}), so each
// step first renews or tries to take over, refreshes if notified, and
// then lets the door decide; the notifier's Listen in a goroutine;
// Release at a clean shutdown; PruneCommitMarkers now and then (from any
// replica).
//
// # Time
//
// The library passes explicit times (now arguments, event times) and the
// stores keep them as given, in UTC with PostgreSQL's microsecond precision.
// The database's own clock is used only for bookkeeping columns
// (carecontact_schema_migrations.applied_at, carecontact_commits.at, which
// PruneCommitMarkers compares with). Hold expiry, offer deadlines and
// callback windows are decided on the times the library passes in, so
// simulations stay in virtual time. Hosts whose replicas' clocks may
// disagree read the database's clock with DB.Now, or take
// DB.DatabaseClock(ctx, carecontact.SystemClock()) as the clock they give
// the library, so all replicas decide leases and expiries on one clock.
package postgres
