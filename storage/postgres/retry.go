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

// ErrOutcomeUnknown reports that a change was sent to be committed but no
// answer came (the connection was lost, the statement was cancelled, or
// the deadline passed) and the store could not find out whether it was
// made: a single statement outside a transaction, or a transaction whose
// commit marker could not be resolved in time. It is not retried
// automatically because repeating a change that did commit could double
// it; the caller re-reads and decides.
var ErrOutcomeUnknown = carecontact.Sentinel(carecontact.ErrUnavailable, "postgres: commit unanswered, outcome unknown")

// ErrRetriesExhausted reports that an operation kept failing transiently
// (serialization failures, deadlocks, statement or lock timeouts, lost
// connections) until the RetryPolicy gave up. Nothing of the failed
// attempts was written. The last failure stays in the error's chain.
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
		if ctx.Err() != nil {
			return ended(ctx, what, err)
		}
		return fmt.Errorf("%s: %w (last failure: %w)", what, werr, err)
	}
	return nil
}

// failure classifies an error for the retry loop.
type failure int

const (
	permanent         failure = iota // report as is
	contextEnded                     // the operation's context ended: stop
	txRolledBack                     // the server aborted the transaction: always safe to repeat
	statementCanceled                // the server cancelled a statement (and so its transaction): safe to repeat unless COMMIT was cancelled
	connectionLost                   // the connection broke: safe to repeat unless commit was in flight
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
	codeIdleInTxTimeout      = "25P03" // idle_in_transaction_session_timeout: the session ended, its transaction rolled back
)

func classify(err error) failure {
	if err == nil {
		return permanent
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return contextEnded
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == codeSerializationFailure, pgErr.Code == codeDeadlockDetected,
			pgErr.Code == codeIdleInTxTimeout:
			return txRolledBack
		case pgErr.Code == codeQueryCanceled, pgErr.Code == codeLockNotAvailable:
			return statementCanceled
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
// serialization failure, a deadlock, a statement the server cancelled at
// its statement_timeout or lock_timeout, or a lost or refused connection
// (the failures the stores retry themselves), or any error that matches
// carecontact.ErrUnavailable, such as the one an operation returns when its
// deadline passed. A caller's own cancellation is not transient.
func IsTransient(err error) bool {
	if errors.Is(err, carecontact.ErrUnavailable) {
		return true
	}
	switch classify(err) {
	case permanent, contextEnded:
		return false
	}
	return true
}

// unavailableError is a failure that matches carecontact.ErrUnavailable as
// well as everything its err matches: an operation whose deadline passed
// before it could finish. Its text is err's.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string   { return e.err.Error() }
func (e *unavailableError) Unwrap() []error { return []error{e.err, carecontact.ErrUnavailable} }

// ended returns the error an operation reports when its context ended
// (ctx.Err() is set, or the last failure err says so): past a deadline
// (the DB's operation timeout or the caller's own) it matches
// carecontact.ErrUnavailable and context.DeadlineExceeded; cancelled by
// the caller it matches context.Canceled only. Either way err stays in the
// chain.
func ended(ctx context.Context, what string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%s: store did not answer in time: %w", what, err)
		} else {
			err = fmt.Errorf("%s: store did not answer in time: %w (last failure: %w)", what, context.DeadlineExceeded, err)
		}
		return &unavailableError{err: err}
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", what, err)
	}
	return fmt.Errorf("%s: %w (last failure: %w)", what, context.Canceled, err)
}

// bound returns ctx limited by the DB's operation timeout, unless ctx
// already ends sooner or the timeout is off.
func (db *DB) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	if db.timeout <= 0 {
		return ctx, func() {}
	}
	if d, ok := ctx.Deadline(); ok && time.Until(d) <= db.timeout {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, db.timeout)
}

// do runs a non-transactional operation with retries, under the DB's
// operation timeout. idempotent says the operation may be repeated even if
// the connection broke after it was sent (reads); otherwise only failures
// before sending are retried. A statement the server cancelled (at its
// statement_timeout or lock_timeout) is repeated either way: its implicit
// transaction was rolled back.
func (db *DB) do(ctx context.Context, what string, idempotent bool, op func(ctx context.Context) error) error {
	if db == nil {
		return errNilDB
	}
	ctx, cancel := db.bound(ctx)
	defer cancel()
	p := db.retry
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		f := classify(err)
		switch {
		case f == permanent:
			return err
		case f == connectionLost && !idempotent && !pgconn.SafeToRetry(err):
			return fmt.Errorf("%s: %w: %w", what, ErrOutcomeUnknown, err)
		case f == contextEnded && !idempotent:
			// The change may have been sent before the context ended.
			return fmt.Errorf("%w: %w", ErrOutcomeUnknown, ended(ctx, what, err))
		case f == contextEnded || ctx.Err() != nil:
			return ended(ctx, what, err)
		}
		if err := p.backOff(ctx, what, attempt, err); err != nil {
			return err
		}
	}
}

// newMarker returns a fresh commit marker: a time-ordered UUID (version
// 7), so markers of consecutive commits land next to each other at the
// right edge of carecontact_commits' primary key instead of on a random
// leaf page of it, which every commit would otherwise dirty (and, after
// each checkpoint, write to the WAL whole) and split half-empty.
func newMarker() uuid.UUID { return uuid.Must(uuid.NewV7()) }

// inTx runs fn in one transaction and commits it, exactly once, under the
// DB's operation timeout:
//
//   - after a transient failure before COMMIT was sent (the server rolled
//     the transaction back, nothing of it remains) the whole transaction is
//     run again; fn must not keep results of a failed attempt, it is called
//     afresh on each;
//   - the transaction also inserts a commit marker (a fresh UUID) into
//     carecontact_commits, so when COMMIT was sent but its answer never
//     came (the connection broke, the server cancelled it, or the deadline
//     passed) inTx resolves the outcome (see resolve): made, inTx succeeds;
//     not made, the transaction is run again under a fresh marker (unless
//     the deadline passed).
//
// Errors fn returns are passed through unchanged and roll the transaction
// back. ErrOutcomeUnknown is returned only when the outcome could not be
// resolved in time.
func (db *DB) inTx(ctx context.Context, what string, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.runTx(ctx, what, false, fn)
}

// runTx is inTx; idempotent transactions (Migrate) write no commit marker,
// are simply run again when the connection breaks during COMMIT, and run
// without the operation timeout (a migration may take long): only ctx
// bounds them.
func (db *DB) runTx(ctx context.Context, what string, idempotent bool, fn func(ctx context.Context, tx pgx.Tx) error) error {
	if db == nil {
		return errNilDB
	}
	if !idempotent {
		var cancel context.CancelFunc
		ctx, cancel = db.bound(ctx)
		defer cancel()
	}
	p := db.retry
	begin := db.beginQuery()
	marker := newMarker()
	for attempt := 1; ; attempt++ {
		committing := false
		err := func() error {
			var opts pgx.TxOptions
			if !idempotent {
				opts.BeginQuery = begin
			}
			tx, err := db.pool.BeginTx(ctx, opts)
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
		if again, err := db.afterFailedTx(ctx, p, what, attempt, err, committing && !idempotent, &marker); !again {
			return err
		}
	}
}

// resolve finds out whether the transaction that wrote marker committed,
// after its COMMIT went unanswered. It inserts the marker itself (ON
// CONFLICT DO NOTHING) in a transaction it rolls back: the server makes
// that insert wait until the original transaction has ended, however it
// ended, so the answer is final: a conflict means the original committed;
// an insert means it rolled back and never will commit. (A plain look-up
// could run before a COMMIT still in flight on the old backend landed.)
// When ctx has already ended (the deadline passed during COMMIT), resolve
// takes a fresh budget of the operation timeout for this alone.
func (db *DB) resolve(ctx context.Context, what string, marker uuid.UUID) (made bool, err error) {
	if ctx.Err() != nil {
		budget := db.timeout
		if budget <= 0 {
			budget = DefaultOperationTimeout
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), budget)
		defer cancel()
	}
	err = db.do(ctx, what+": resolve commit", true, func(ctx context.Context) error {
		tx, err := db.pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
		tag, err := tx.Exec(ctx, "INSERT INTO carecontact_commits (id) VALUES ($1) ON CONFLICT (id) DO NOTHING", marker)
		if err != nil {
			return err
		}
		made = tag.RowsAffected() == 0
		return nil
	})
	return made, err
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

// afterFailedTx decides what follows a transaction's failed attempt err:
// again (after the back-off) or the final error. When the commit may have
// been sent (resolveCommit) and the failure does not prove the
// transaction rolled back, it first asks the store whether the commit
// marker landed: if so the operation happened and the final error is nil;
// if not, a new marker replaces the old one for the next attempt.
func (db *DB) afterFailedTx(ctx context.Context, p RetryPolicy, what string, attempt int, err error, resolveCommit bool, marker *uuid.UUID) (again bool, final error) {
	f := classify(err)
	if f == permanent {
		return false, err
	}
	if resolveCommit && f != txRolledBack {
		made, lerr := db.resolve(ctx, what, *marker)
		if lerr != nil {
			return false, fmt.Errorf("%s: %w: %w (resolving the commit: %w)", what, ErrOutcomeUnknown, err, lerr)
		}
		if made {
			return false, nil
		}
		*marker = newMarker() // resolve may have left the old one committed
	}
	if f == contextEnded || ctx.Err() != nil {
		return false, ended(ctx, what, err)
	}
	if err := p.backOff(ctx, what, attempt, err); err != nil {
		return false, err
	}
	return true, nil
}
