package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carecontact/carecontact"
)

// DB is one host replica's handle on the shared database: a connection pool
// plus the retry policy its stores use. Create it with Open or New, call
// Migrate once at start-up, then take the stores from it (AuditLog, ...).
// A DB and every store taken from it are safe for concurrent use; several
// DB values (in one process or in several replicas) over one database share
// all state through the database.
type DB struct {
	pool    *pgxpool.Pool
	owned   bool
	retry   RetryPolicy
	timeout time.Duration
	// idle is the server's idle_in_transaction_session_timeout for the
	// stores' transactions (0: the operation timeout, <0: none).
	idle time.Duration
}

// DefaultOperationTimeout is the deadline every store operation runs under
// unless WithOperationTimeout sets another.
const DefaultOperationTimeout = 5 * time.Second

// Option configures a DB.
type Option func(*DB)

// WithRetryPolicy replaces the default RetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(db *DB) { db.retry = p } }

// WithOperationTimeout sets the deadline of each store operation, retries
// included: waiting for a pooled connection, every attempt and the waits
// between them. It applies when the caller's context has no earlier
// deadline. An operation still unfinished at its deadline returns an error
// matching carecontact.ErrUnavailable and context.DeadlineExceeded, so a
// pool whose connections are all busy gives a typed error, never a hang.
// Defaults to DefaultOperationTimeout (5 s). d <= 0 turns the deadline off:
// the caller's context alone bounds each operation. Migrate never runs
// under it.
func WithOperationTimeout(d time.Duration) Option { return func(db *DB) { db.timeout = d } }

// WithIdleTransactionTimeout sets how long the server lets a transaction
// of the stores wait for its client's next statement before it ends the
// session and rolls the transaction back (idle_in_transaction_session_timeout,
// set in each transaction as it begins). It bounds what a replica cut off
// from the database in the middle of a transaction holds: its row locks,
// and the lease row it locked FOR SHARE to check its fence, which a
// takeover waits for. Without it the server would wait for the client
// until TCP gives up, hours later, and no replica could take over.
// Defaults to the operation timeout (WithOperationTimeout), beyond which
// the client has given the transaction up anyway, and so to none when
// that is off; d < 0 sets none. Migrate's transactions are not bounded.
// A transaction sent as one batch (a plain booking claim) sets none: the
// server arms the timeout only when it waits at the end of a batch, and
// that transaction has ended by then.
func WithIdleTransactionTimeout(d time.Duration) Option { return func(db *DB) { db.idle = d } }

// beginQuery returns the statement that begins a store transaction.
func (db *DB) beginQuery() string {
	idle := db.idle
	if idle == 0 {
		idle = db.timeout
	}
	if idle <= 0 {
		return "BEGIN"
	}
	ms := max(idle.Milliseconds(), 1)
	return fmt.Sprintf("BEGIN; SET LOCAL idle_in_transaction_session_timeout = %d", ms)
}

// Open connects a new pool to the database named by dsn (a libpq
// connection string or URL, see pgxpool.ParseConfig). The pool is closed by
// Close. Open does not apply migrations; call Migrate.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open pool: %w", err)
	}
	db := New(pool, opts...)
	db.owned = true
	return db, nil
}

// New wraps a pool the caller owns; Close does not close it.
func New(pool *pgxpool.Pool, opts ...Option) *DB {
	db := &DB{pool: pool, retry: DefaultRetryPolicy(), timeout: DefaultOperationTimeout}
	for _, o := range opts {
		o(db)
	}
	return db
}

// Pool returns the underlying pool.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes the pool if Open created it.
func (db *DB) Close() {
	if db.owned {
		db.pool.Close()
	}
}

// Ping checks that the database answers, retrying transient failures.
func (db *DB) Ping(ctx context.Context) error {
	return db.do(ctx, "ping", true, func(ctx context.Context) error { return db.pool.Ping(ctx) })
}

// Now returns the database server's clock (clock_timestamp()) in UTC. Hosts
// whose replicas' clocks may disagree can build their carecontact.Clock on
// it; see the package documentation for which times the stores take from the
// database and which from the caller.
func (db *DB) Now(ctx context.Context) (time.Time, error) {
	var now time.Time
	err := db.do(ctx, "now", true, func(ctx context.Context) error {
		return db.pool.QueryRow(ctx, "SELECT clock_timestamp()").Scan(&now)
	})
	return now.UTC(), err
}

var (
	errNilDB        = carecontact.Sentinel(carecontact.ErrInvalid, "postgres: nil DB")
	errNilBaseClock = carecontact.Sentinel(carecontact.ErrInvalid, "postgres: database clock: base clock is nil")
)

// DatabaseClock returns a clock that follows the database server's clock:
// base's time corrected by the offset between base and the database,
// measured now (at the midpoint of one round trip) and reported. Replicas
// whose own clocks disagree each build their carecontact.Clock this way and
// then agree on offer deadlines, hold expiries and callback windows to
// within their round-trip times. The offset is measured once; call again to
// re-measure (for example daily, from the host's driver).
func (db *DB) DatabaseClock(ctx context.Context, base carecontact.Clock) (carecontact.Clock, time.Duration, error) {
	if base == nil {
		return nil, 0, errNilBaseClock
	}
	before := base.Now()
	dbNow, err := db.Now(ctx)
	if err != nil {
		return nil, 0, err
	}
	after := base.Now()
	offset := dbNow.Sub(before.Add(after.Sub(before) / 2))
	return carecontact.ClockFunc(func() time.Time { return base.Now().Add(offset).UTC() }), offset, nil
}
