package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/postgres"
)

// failures records the transient failures a RetryPolicy observed.
type failures struct {
	mu   sync.Mutex
	errs []error
	// first, if not nil, is closed at the first failure.
	first chan struct{}
}

func (f *failures) observe(_ string, _ int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, err)
	if f.first != nil && len(f.errs) == 1 {
		close(f.first)
	}
}

func (f *failures) codes() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, err := range f.errs {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			out = append(out, pgErr.Code)
		} else {
			out = append(out, err.Error())
		}
	}
	return out
}

func (f *failures) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.errs)
}

// tunedDB returns a fresh, migrated database's DSN and a DB over it on a
// pool of maxConns connections (with tune applied to the pool's config, if
// not nil), its retry policy observed by obs.
func tunedDB(t *testing.T, maxConns int, tune func(*pgxpool.Config), obs *failures, opts ...postgres.Option) (*postgres.DB, string) {
	t.Helper()
	dsn := dsnOf(openDBs(t, 1, 2)[0])
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.MaxConns = int32(maxConns)
	if tune != nil {
		tune(cfg)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	policy := postgres.DefaultRetryPolicy()
	policy.Observe = obs.observe
	return postgres.New(pool, append([]postgres.Option{postgres.WithRetryPolicy(policy)}, opts...)...), dsn
}

func auditEvent(i int) audit.Event {
	return audit.Event{
		At:     time.Date(2026, 11, 23, 8, 0, i, 0, time.UTC),
		Actor:  audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1"},
		Action: "session.read", Subject: "session/1", Client: "client-1", Outcome: audit.Allowed,
	}
}

// connect opens a connection of the test's own to dsn, closed when t ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// requireEvents checks that the audit log of db holds n events.
func requireEvents(t *testing.T, db *postgres.DB, n int, msg string) {
	t.Helper()
	all, err := db.AuditLog().Events(context.Background(), audit.Filter{})
	require.NoError(t, err, msg)
	require.Len(t, all, n, msg)
}

// lockTable holds an exclusive lock on table from a connection of its own
// until the returned function (commit the locking transaction) is called.
func lockTable(t *testing.T, dsn, table string) (release func()) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "LOCK TABLE "+table+" IN EXCLUSIVE MODE")
	require.NoError(t, err)
	var once sync.Once
	release = func() {
		once.Do(func() {
			require.NoError(t, tx.Commit(ctx))
			require.NoError(t, conn.Close(ctx))
		})
	}
	t.Cleanup(release)
	return release
}

// within runs op and fails the test if it has not returned by limit: the
// check that an operation cannot hang.
func within(t *testing.T, limit time.Duration, op func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- op() }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("operation still running after %v", limit)
		return nil
	}
}

func statementTimeout(cfg *pgxpool.Config) {
	cfg.ConnConfig.RuntimeParams["statement_timeout"] = "100ms"
}

// A statement cancelled at the server's statement_timeout rolled its
// transaction back, so the store repeats it; when it keeps timing out, the
// caller gets ErrUnavailable (with the timeout in the chain), not a raw
// database error.
func TestStatementTimeout(t *testing.T) {
	ctx := context.Background()
	t.Run("keeps timing out: unavailable", func(t *testing.T) {
		var obs failures
		db, dsn := tunedDB(t, 2, statementTimeout, &obs, postgres.WithOperationTimeout(2*time.Second))
		release := lockTable(t, dsn, "audit_events")
		start := time.Now()
		err := within(t, 30*time.Second, func() error { return db.AuditLog().Record(ctx, auditEvent(1)) })
		elapsed := time.Since(start)
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.True(t, postgres.IsTransient(err))
		require.Equal(t, 503, carecontact.HTTPStatus(err))
		require.GreaterOrEqual(t, obs.count(), 2, "retried: %v", obs.codes())
		require.Contains(t, obs.codes(), "57014")
		require.Less(t, elapsed, 5*time.Second, "bounded by the operation timeout")
		t.Logf("after %v and %d retries: %v", elapsed.Round(time.Millisecond), obs.count(), err)
		release()
		requireEvents(t, db, 0, "no attempt was written")
	})
	t.Run("retries exhausted: the timeout is the root cause", func(t *testing.T) {
		var obs failures
		db, dsn := tunedDB(t, 2, statementTimeout, &obs)
		policy := postgres.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, Observe: obs.observe}
		db = postgres.New(db.Pool(), postgres.WithRetryPolicy(policy))
		lockTable(t, dsn, "audit_events")
		err := within(t, 30*time.Second, func() error { return db.AuditLog().Record(ctx, auditEvent(1)) })
		require.ErrorIs(t, err, postgres.ErrRetriesExhausted)
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr)
		require.Equal(t, "57014", pgErr.Code)
		require.Equal(t, 2, obs.count())
	})
	t.Run("timed out once, then succeeds", func(t *testing.T) {
		obs := failures{first: make(chan struct{})}
		db, dsn := tunedDB(t, 2, statementTimeout, &obs)
		release := lockTable(t, dsn, "audit_events")
		go func() {
			<-obs.first
			release()
		}()
		err := within(t, 30*time.Second, func() error { return db.AuditLog().Record(ctx, auditEvent(1)) })
		require.NoError(t, err)
		require.Equal(t, "57014", obs.codes()[0])
		requireEvents(t, db, 1, "written once")
	})
}

// With every connection of the pool taken, an operation waits for one only
// until its deadline and then reports ErrUnavailable.
func TestPoolExhausted(t *testing.T) {
	ctx := context.Background()
	var obs failures
	db, _ := tunedDB(t, 1, nil, &obs)
	held, err := db.Pool().Acquire(ctx)
	require.NoError(t, err)
	exhausted := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.True(t, postgres.IsTransient(err))
		require.Contains(t, err.Error(), "store did not answer in time")
	}

	t.Run("default deadline", func(t *testing.T) {
		start := time.Now()
		err := within(t, postgres.DefaultOperationTimeout+5*time.Second, func() error {
			return db.AuditLog().Record(ctx, auditEvent(1))
		})
		exhausted(t, err)
		require.GreaterOrEqual(t, time.Since(start), postgres.DefaultOperationTimeout-50*time.Millisecond)
		t.Log(err)
	})
	short := postgres.New(db.Pool(), postgres.WithOperationTimeout(200*time.Millisecond))
	t.Run("configured deadline, a change", func(t *testing.T) {
		exhausted(t, within(t, 5*time.Second, func() error { return short.AuditLog().Record(ctx, auditEvent(1)) }))
	})
	t.Run("configured deadline, a read", func(t *testing.T) {
		exhausted(t, within(t, 5*time.Second, func() error {
			_, err := short.AuditLog().Events(ctx, audit.Filter{})
			return err
		}))
	})
	t.Run("the caller's earlier deadline", func(t *testing.T) {
		long := postgres.New(db.Pool(), postgres.WithOperationTimeout(time.Hour))
		cctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		exhausted(t, within(t, 5*time.Second, func() error { return long.AuditLog().Record(cctx, auditEvent(1)) }))
	})
	t.Run("the caller's cancellation is not unavailable", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		err := within(t, 5*time.Second, func() error { return db.AuditLog().Record(cctx, auditEvent(1)) })
		require.ErrorIs(t, err, context.Canceled)
		require.NotErrorIs(t, err, carecontact.ErrUnavailable)
	})
	held.Release()
	require.NoError(t, short.AuditLog().Record(ctx, auditEvent(1)), "works once a connection is free")
	requireEvents(t, db, 1, "the operations that timed out wrote nothing")
}

// A serialization failure rolled the transaction back; the store runs it
// again and it succeeds.
func TestSerializationFailureIsRetried(t *testing.T) {
	ctx := context.Background()
	var obs failures
	db, dsn := tunedDB(t, 2, nil, &obs)
	other := connect(t, dsn)
	_, err := other.Exec(ctx, "CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)")
	require.NoError(t, err)

	attempts := 0
	err = db.InTx(ctx, func(ctx context.Context, tx pgx.Tx) error {
		attempts++
		if _, err := tx.Exec(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n); err != nil {
			return err
		}
		if attempts == 1 { // a concurrent change after this snapshot was taken
			if _, err := other.Exec(ctx, "UPDATE counter SET n = n + 100 WHERE id = 1"); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, "UPDATE counter SET n = $1 WHERE id = 1", n+1)
		return err
	})
	require.NoError(t, err)
	require.Equal(t, 2, attempts)
	require.Equal(t, []string{"40001"}, obs.codes())
	var n int
	require.NoError(t, other.QueryRow(ctx, "SELECT n FROM counter WHERE id = 1").Scan(&n))
	require.Equal(t, 101, n, "the second attempt saw the concurrent change")
}

// A connection terminated between operations (pg_terminate_backend, as an
// administrator or a failover does) breaks the next operation on it before
// anything was sent that could commit: the store repeats it on a fresh
// connection.
func TestTerminatedConnectionIsRetried(t *testing.T) {
	ctx := context.Background()
	var obs failures
	// One connection, never pinged before use: the next operation meets
	// the terminated connection itself.
	db, dsn := tunedDB(t, 1, func(cfg *pgxpool.Config) {
		cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	}, &obs)
	admin := connect(t, dsn)
	terminate := func() {
		t.Helper()
		var pid uint32
		require.NoError(t, db.Pool().QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid))
		var ok bool
		require.NoError(t, admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 10000)", pid).Scan(&ok))
		require.True(t, ok)
	}
	log := db.AuditLog()
	require.NoError(t, log.Record(ctx, auditEvent(1)))

	terminate()
	require.NoError(t, log.Record(ctx, auditEvent(2)), "a change")
	require.Equal(t, 1, obs.count(), "the broken attempt was retried: %v", obs.codes())

	terminate()
	requireEvents(t, db, 2, "a read; each change written once")
	require.Equal(t, 2, obs.count(), "the broken attempt was retried: %v", obs.codes())
	t.Logf("retried after: %v", obs.codes())
}

// Resolving a commit whose answer was lost waits until the transaction
// that wrote the marker has ended, so a COMMIT still in flight on the old
// connection is never mistaken for one that did not happen.
func TestResolveWaitsForTheCommit(t *testing.T) {
	ctx := context.Background()
	var obs failures
	db, dsn := tunedDB(t, 2, nil, &obs)
	watcher := connect(t, dsn)

	// inFlight opens a transaction that wrote marker and has not ended, and
	// starts resolving marker; it returns once the resolution is waiting
	// for that transaction.
	inFlight := func(t *testing.T, rctx context.Context, marker uuid.UUID) (pgx.Tx, chan error, *bool) {
		t.Helper()
		conn := connect(t, dsn)
		tx, err := conn.Begin(ctx)
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "INSERT INTO carecontact_commits (id) VALUES ($1)", marker)
		require.NoError(t, err)
		done := make(chan error, 1)
		var made bool
		go func() {
			var err error
			made, err = db.Resolve(rctx, marker)
			done <- err
		}()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var waiting bool
			require.NoError(t, watcher.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
				WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%ON CONFLICT%')`).Scan(&waiting))
			if waiting {
				return tx, done, &made
			}
			select {
			case err := <-done:
				t.Fatalf("resolved before the transaction ended: %v", err)
			default:
			}
			require.True(t, time.Now().Before(deadline), "the resolution never waited")
			time.Sleep(2 * time.Millisecond)
		}
	}

	t.Run("committed", func(t *testing.T) {
		tx, done, made := inFlight(t, ctx, uuid.New())
		require.NoError(t, tx.Commit(ctx))
		require.NoError(t, within(t, 10*time.Second, func() error { return <-done }))
		require.True(t, *made)
	})
	t.Run("rolled back", func(t *testing.T) {
		marker := uuid.New()
		tx, done, made := inFlight(t, ctx, marker)
		require.NoError(t, tx.Rollback(ctx))
		require.NoError(t, within(t, 10*time.Second, func() error { return <-done }))
		require.False(t, *made)
		var n int
		require.NoError(t, watcher.QueryRow(ctx, "SELECT count(*) FROM carecontact_commits WHERE id = $1", marker).Scan(&n))
		require.Zero(t, n, "resolving leaves no marker behind")
	})
	t.Run("still undecided at the deadline", func(t *testing.T) {
		rctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		tx, done, _ := inFlight(t, rctx, uuid.New())
		err := within(t, 10*time.Second, func() error { return <-done })
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NoError(t, tx.Rollback(ctx))
	})
	t.Run("never written", func(t *testing.T) {
		made, err := db.Resolve(ctx, uuid.New())
		require.NoError(t, err)
		require.False(t, made)
	})
}
