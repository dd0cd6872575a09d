// Package memory is the embedded default store of the library. It
// implements every domain package's Store interface in process memory.
//
// New returns a DB: one store per domain, all writing to one audit log,
// with the same accessors as postgres.DB (RoutingStore, BookingStore,
// CallbackStore, SessionStore, GuidanceStore, DemandStore, AuditLog). The
// per-store constructors (NewRoutingStore, ...) remain for tests that need
// one store alone.
//
// # Concurrency
//
// Every store is safe for concurrent use. Invariants (a slot booked once, a
// work item offered to one professional at a time, a callback never lost)
// are kept by holding a lock for the duration of each store operation, so
// each operation is atomic. DB.Share returns another DB over the same
// state, as a second host replica sees one database; storagetest races
// such values against each other.
//
// State lives only as long as the process: use storage/postgres to keep it.
//
// # Retention and erasure
//
// DB.Purge(ctx, now, retention) deletes every record past its
// carecontact.Retention (closed sessions, closed callback requests with
// their phone numbers, closed demand contacts, abandoned queued routing
// items, appointments no longer active, wait entries; days counted in
// Europe/Helsinki) and pseudonymises the audit events of what it deleted:
// their client, and a client actor's ID, become audit.Pseudonym. The chain
// holds both by digest, so Verify still passes. DB.EraseClient(ctx, actor,
// client, at) replaces one client's reference with its pseudonym in every
// store and in the trail, removes their callback phone numbers, and
// records the erasure as an event by actor. Both change one store at a
// time under its own lock, as every operation of this package does, and
// record one event of their own ("storage.purge", "storage.erase") with
// the counts.
//
// # Errors
//
// The stores return the sentinels of the domain packages whose Store they
// implement. Input checks and audit event preparation are shared with
// storage/postgres (storage/internal/storekit), so both refuse the same
// input with the same error.
package memory
