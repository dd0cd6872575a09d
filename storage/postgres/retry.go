package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrOutcomeUnknown reports that the connection was lost while a change was
// being committed and the store could not find out whether it was made: a
// single statement outside a transaction, or a transaction whose commit
// marker could not be looked up before the retry policy gave up. It is not
// retried automatically because repeating a change that did commit could
// double it; the caller re-reads and decides.
var ErrOutcomeUnknown = carecontact.Sentinel(carecontact.ErrUnavailable, "postgres: connection lost during commit, outcome unknown")

// ErrRetriesExhausted reports that an operation kept failing transiently
// (serialization failures, deadlocks, lost connections) until the
// RetryPolicy gave up. Nothing of the failed attempts was written.
var ErrRetriesExhausted = carecontact.Sentinel(carecontact.ErrUnavailable, "postgres: transient failures, retries exhausted")

// RetryPolicy says how often and how patiently an operation is repeated
// after a transient failure. An attempt that failed transiently was rolled
// back by the server as a whole, so repeating it never doubles anything.
type RetryPolicy struct {
	// MaxAttempts bounds the attempts of one operation (>= 1).
	MaxAttempts int
	// BaseDelay is the wait after the first failure; it doubles per attempt
	// up to MaxDelay.
	BaseDelay, MaxDelay time.Duration
	// Wait waits d or until ctx ends. Nil waits on a timer in the calling
	// goroutine; simulations and tests may pass their own.
	Wait func(ctx context.Context, d time.Duration) error
	// Observe, if not nil, is told of every transient failure that is about
	// to be retried (what names the operation), e.g. to count deadlocks
	// and lost connections in the host's metrics. It must not block.
	Observe func(what string, attempt int, err error)
}

// DefaultRetryPolicy retries up to 40 times, from 5ms doubling to 500ms:
// enough to ride out a server restart of several seconds.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 40, BaseDelay: 5 * time.Millisecond, MaxDelay: 500 * time.Millisecond}
}

func (p RetryPolicy) delay(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	return min(d, p.MaxDelay)
}

func (p RetryPolicy) wait(ctx context.Context, d time.Duration) error {
	if p.Wait != nil {
		return p.Wait(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// backOff waits before attempt+1 after a transient failure err, or returns
// the error to report when the policy or ctx says to stop.
func (p RetryPolicy) backOff(ctx context.Context, what string, attempt int, err error) error {
	if attempt >= p.MaxAttempts {
		return fmt.Errorf("%s: %w after %d attempts: %w", what, ErrRetriesExhausted, attempt, err)
	}
	if p.Observe != nil {
		p.Observe(what, attempt, err)
	}
	if werr := p.wait(ctx, p.delay(attempt)); werr != nil {
		return fmt.Errorf("%s: %w (last failure: %v)", what, werr, err)
	}
	return nil
}

// failure classifies an error for the retry loop.
type failure int

const (
	permanent      failure = iota // report as is
	txRolledBack                  // the server aborted the transaction: always safe to repeat
	connectionLost                // the connection broke: safe to repeat unless commit was in flight
)

// SQLSTATE codes the stores branch on.
const (
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeUniqueViolation      = "23505"
	codeExclusionViolation   = "23P01"
	codeForeignKeyViolation  = "23503"
	codeCheckViolation       = "23514"
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeCannotConnectNow     = "57P03"
	codeQueryCanceled        = "57014" // statement_timeout, or a cancel by an administrator
	codeLockNotAvailable     = "55P03" // lock_timeout
)

func classify(err error) failure {
	if err == nil {
		return permanent
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return permanent
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == codeSerializationFailure, pgErr.Code == codeDeadlockDetected:
			return txRolledBack
		case pgErr.Code == codeAdminShutdown, pgErr.Code == codeCrashShutdown,
			pgErr.Code == codeCannotConnectNow, strings.HasPrefix(pgErr.Code, "08"):
			return connectionLost
		}
		return permanent
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case pgconn.SafeToRetry(err), errors.As(err, &connectErr), errors.As(err, &netErr),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ENOENT),
		errors.Is(err, pgx.ErrTxClosed):
		return connectionLost
	}
	// pgconn reports a connection closed under it with these texts.
	msg := err.Error()
	if strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") ||
		strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") {
		return connectionLost
	}
	return permanent
}

// IsTransient reports whether err is a failure that a retry may overcome: a
// serialization failure, a deadlock, or a lost or refused connection (the
// failures the stores retry themselves), or any error that matches
// carecontact.ErrUnavailable, such as a statement the server cancelled at
// its statement_timeout.
func IsTransient(err error) bool {
	return classify(err) != permanent || errors.Is(err, carecontact.ErrUnavailable)
}

// unavailableError is a failure the stores do not retry but that is
// transient all the same: a statement cancelled by the server's
// statement_timeout or lock_timeout. Its text is the failure's own; it
// matches both the failure and carecontact.ErrUnavailable.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.err, carecontact.ErrUnavailable} }

// settle returns err as an operation reports it once the retry loop stops
// on it: a server-side timeout (while ctx is still live, so the caller did
// not cancel) is marked to match carecontact.ErrUnavailable; anything else
// is returned unchanged.
func settle(ctx context.Context, err error) error {
	if ctx.Err() != nil || errors.Is(err, carecontact.ErrUnavailable) {
		return err
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == codeQueryCanceled || pgErr.Code == codeLockNotAvailable) {
		return &unavailableError{err: err}
	}
	return err
}

// do runs a non-transactional operation with retries. idempotent says the
// operation may be repeated even if the connection broke after it was sent
// (reads); otherwise only failures before sending are retried.
func (db *DB) do(ctx context.Context, what string, idempotent bool, op func(ctx context.Context) error) error {
	if db == nil {
		return errNilDB
	}
	p := db.retry
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		switch classify(err) {
		case permanent:
			return settle(ctx, err)
		case connectionLost:
			if !idempotent && !pgconn.SafeToRetry(err) {
				return fmt.Errorf("%s: %w: %w", what, ErrOutcomeUnknown, err)
			}
		}
		if err := p.backOff(ctx, what, attempt, err); err != nil {
			return err
		}
	}
}

// inTx runs fn in one transaction and commits it, exactly once:
//
//   - after a transient failure before COMMIT was sent (the server rolled
//     the transaction back, nothing of it remains) the whole transaction is
//     run again; fn must not keep results of a failed attempt, it is called
//     afresh on each;
//   - the transaction also inserts a commit marker (a fresh UUID) into
//     carecontact_commits, so when the connection breaks while COMMIT is in
//     flight, inTx looks the marker up (retrying until the server answers):
//     found, the change was made and inTx succeeds; not found, it was not
//     and the transaction is run again.
//
// Errors fn returns are passed through unchanged (a server-side
// statement or lock timeout also matches carecontact.ErrUnavailable) and
// roll the transaction back. ErrOutcomeUnknown is returned only when the marker could not be
// looked up before the retry policy gave up.
func (db *DB) inTx(ctx context.Context, what string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.runTx(ctx, what, false, fn)
}

// runTx is inTx; idempotent transactions (Migrate) write no commit marker
// and are simply run again when the connection breaks during COMMIT.
func (db *DB) runTx(ctx context.Context, what string, idempotent bool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if db == nil {
		return errNilDB
	}
	p := db.retry
	marker := uuid.New()
	for attempt := 1; ; attempt++ {
		committing := false
		err := func() error {
			tx, err := db.pool.Begin(ctx)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
			if err := fn(ctx, tx); err != nil {
				return err
			}
			if !idempotent {
				if _, err := tx.Exec(ctx, "INSERT INTO carecontact_commits (id) VALUES ($1)", marker); err != nil {
					return err
				}
			}
			committing = true
			return tx.Commit(ctx)
		}()
		if err == nil {
			return nil
		}
		switch classify(err) {
		case permanent:
			return settle(ctx, err)
		case connectionLost:
			if committing && !idempotent {
				var made bool
				lerr := db.do(ctx, what, true, func(ctx context.Context) error {
					return db.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM carecontact_commits WHERE id = $1)", marker).Scan(&made)
				})
				if lerr != nil {
					return fmt.Errorf("%s: %w: %w (looking up the commit: %v)", what, ErrOutcomeUnknown, err, lerr)
				}
				if made {
					return nil
				}
			}
		}
		if err := p.backOff(ctx, what, attempt, err); err != nil {
			return err
		}
	}
}

// PruneCommitMarkers deletes the commit markers (see the package
// documentation) written before `before`, by the database's clock, and
// reports how many it deleted. Hosts call it now and then from their
// driver, with a time well past any operation still in flight (an hour
// ago, say); the package itself runs nothing in the background.
func (db *DB) PruneCommitMarkers(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.do(ctx, "postgres: prune commit markers", true, func(ctx context.Context) error {
		tag, err := db.pool.Exec(ctx, "DELETE FROM carecontact_commits WHERE at < $1", before)
		n = tag.RowsAffected()
		return err
	})
	return n, err
}

// pgCode returns the SQLSTATE of err and the constraint it names, if err is
// a server error.
func pgCode(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}
