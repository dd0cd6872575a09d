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
//   - audit_events: one row per audit.Event; seq (identity) is the recorded
//     order; indexes on (client, seq), (subject, seq), (actor_id, seq), at.
//
// # Transactions, retries and errors
//
// Every change is one transaction, and the audit events that describe a
// change are inserted in that same transaction: the trail never claims a
// change that did not happen nor misses one that did. Invariants are held by
// the database (constraints, row locks), never by read-then-write in Go.
//
// A transaction that fails transiently is repeated as a whole, following the
// DB's RetryPolicy: serialization failures (SQLSTATE 40001) and deadlocks
// (40P01), which the server rolled back, and lost or refused connections
// (pg_terminate_backend's 57P01, a restarting server's 57P03, connection
// resets), provided COMMIT had not yet been sent, because until then the
// server rolls the transaction back when the connection dies. A connection
// lost while COMMIT was in flight is reported as ErrOutcomeUnknown (not
// repeated: the change may have committed). ErrRetriesExhausted reports a
// failure that outlasted the policy. Reads are repeated after any transient
// failure. Constraint violations are mapped to the domain packages'
// sentinel errors by each store; other errors are wrapped with context.
// IsTransient tells a caller whether an error returned by this package may
// succeed if tried again.
//
// # Time
//
// The library passes explicit times (now arguments, event times) and the
// stores keep them as given, in UTC with PostgreSQL's microsecond precision.
// The database's own clock is used only for bookkeeping columns
// (applied_at). Hosts whose replicas' clocks may disagree can read the
// database clock with DB.Now and build their carecontact.Clock on it, so all
// replicas decide leases and expiries on one clock.
package postgres
