package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code}) }
	tests := []struct {
		name string
		err  error
		want failure
	}{
		{"nil", nil, permanent},
		{"serialization failure", pg("40001"), txRolledBack},
		{"deadlock", pg("40P01"), txRolledBack},
		{"idle in transaction timeout", pg("25P03"), txRolledBack},
		{"admin shutdown (pg_terminate_backend)", pg("57P01"), connectionLost},
		{"crash shutdown", pg("57P02"), connectionLost},
		{"starting up", pg("57P03"), connectionLost},
		{"connection exception class", pg("08006"), connectionLost},
		{"statement_timeout", pg("57014"), statementCanceled},
		{"lock_timeout", pg("55P03"), statementCanceled},
		{"unique violation", pg("23505"), permanent},
		{"exclusion violation", pg("23P01"), permanent},
		{"syntax error", pg("42601"), permanent},
		{"EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), connectionLost},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), connectionLost},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), connectionLost},
		{"canceled", context.Canceled, contextEnded},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), contextEnded},
		{"plain", errors.New("boom"), permanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, classify(tc.err))
			require.Equal(t, tc.want != permanent && tc.want != contextEnded, IsTransient(tc.err))
		})
	}
}

func TestRetryPolicyDelay(t *testing.T) {
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 5 * time.Millisecond, MaxDelay: 30 * time.Millisecond}
	tests := []struct {
		attempt int
		want    time.Duration
	}{{1, 5 * time.Millisecond}, {2, 10 * time.Millisecond}, {3, 20 * time.Millisecond}, {4, 30 * time.Millisecond}, {9, 30 * time.Millisecond}}
	for _, tc := range tests {
		require.Equal(t, tc.want, p.delay(tc.attempt), "attempt %d", tc.attempt)
	}
}

func TestDoRetries(t *testing.T) {
	var waits []time.Duration
	var observed []int
	db := &DB{retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Second,
		Wait:    func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil },
		Observe: func(_ string, attempt int, _ error) { observed = append(observed, attempt) }}}
	ctx := context.Background()

	t.Run("transient then success", func(t *testing.T) {
		waits, observed = nil, nil
		calls := 0
		err := db.do(ctx, "op", false, func(context.Context) error {
			calls++
			if calls < 3 {
				return &pgconn.PgError{Code: "40001"}
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, 3, calls)
		require.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond}, waits)
		require.Equal(t, []int{1, 2}, observed, "every retried failure is observed")
	})
	t.Run("gives up", func(t *testing.T) {
		err := db.do(ctx, "op", false, func(context.Context) error { return &pgconn.PgError{Code: "40P01"} })
		require.ErrorIs(t, err, ErrRetriesExhausted)
	})
	t.Run("lost connection on a write is not repeated", func(t *testing.T) {
		calls := 0
		err := db.do(ctx, "op", false, func(context.Context) error { calls++; return io.ErrUnexpectedEOF })
		require.ErrorIs(t, err, ErrOutcomeUnknown)
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF, "the root cause stays in the chain")
		require.Contains(t, err.Error(), "outcome unknown")
		require.Equal(t, 1, calls)
	})
	t.Run("lost connection on a read is repeated", func(t *testing.T) {
		calls := 0
		err := db.do(ctx, "op", true, func(context.Context) error {
			calls++
			if calls == 1 {
				return io.ErrUnexpectedEOF
			}
			return nil
		})
		require.NoError(t, err)
		require.Equal(t, 2, calls)
	})
	t.Run("a cancelled statement is repeated, even a write", func(t *testing.T) {
		for _, code := range []string{codeQueryCanceled, codeLockNotAvailable} {
			calls := 0
			err := db.do(ctx, "op", false, func(context.Context) error {
				calls++
				if calls == 1 {
					return &pgconn.PgError{Code: code}
				}
				return nil
			})
			require.NoError(t, err, code)
			require.Equal(t, 2, calls, code)
		}
	})
	t.Run("permanent errors pass through", func(t *testing.T) {
		boom := errors.New("boom")
		err := db.do(ctx, "op", true, func(context.Context) error { return boom })
		require.Same(t, boom, err)
	})
}

// Failures that may pass (retries exhausted, a commit whose outcome is
// unknown, a server-side timeout) match carecontact.ErrUnavailable and keep
// their text; a caller's own cancellation and permanent failures do not.
func TestTransientFailuresAreUnavailable(t *testing.T) {
	pg := func(code string) error { return fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: code, Message: "m"}) }
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name        string
		ctx         context.Context
		idempotent  bool
		fail        error
		unavailable bool
	}{
		{"statement_timeout", context.Background(), true, pg(codeQueryCanceled), true},
		{"lock_timeout", context.Background(), true, pg(codeLockNotAvailable), true},
		{"serialization failures until the policy gives up", context.Background(), true, pg(codeSerializationFailure), true},
		{"connection lost during a change", context.Background(), false, fmt.Errorf("write: %w", syscall.ECONNRESET), true},
		{"unique violation", context.Background(), true, pg(codeUniqueViolation), false},
		{"cancelled by the caller", canceled, true, pg(codeQueryCanceled), false},
		{"plain", context.Background(), true, errors.New("boom"), false},
	}
	db := &DB{retry: RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond,
		Wait: func(context.Context, time.Duration) error { return nil }}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.do(tc.ctx, "op", tc.idempotent, func(context.Context) error { return tc.fail })
			require.Error(t, err)
			require.Equal(t, tc.unavailable, errors.Is(err, carecontact.ErrUnavailable), "%v", err)
			require.Equal(t, tc.unavailable, IsTransient(err))
			require.ErrorIs(t, err, tc.fail, "the failure stays in the chain")
			require.Contains(t, err.Error(), tc.fail.Error(), "the text stays")
		})
	}
	var nilDB *DB
	require.ErrorIs(t, nilDB.do(context.Background(), "op", true, nil), carecontact.ErrInvalid)
}

func TestBound(t *testing.T) {
	db := &DB{timeout: time.Second}
	ctx, cancel := db.bound(context.Background())
	d, ok := ctx.Deadline()
	cancel()
	require.True(t, ok, "no deadline of the caller's: the default applies")
	require.WithinDuration(t, time.Now().Add(time.Second), d, 100*time.Millisecond)

	early, cancelEarly := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancelEarly()
	want, _ := early.Deadline()
	ctx, cancel = db.bound(early)
	d, _ = ctx.Deadline()
	cancel()
	require.Equal(t, want, d, "the caller's earlier deadline is kept")

	late, cancelLate := context.WithTimeout(context.Background(), time.Hour)
	defer cancelLate()
	ctx, cancel = db.bound(late)
	d, _ = ctx.Deadline()
	cancel()
	require.WithinDuration(t, time.Now().Add(time.Second), d, 100*time.Millisecond, "a later deadline is shortened")

	off := &DB{timeout: 0}
	ctx, cancel = off.bound(context.Background())
	_, ok = ctx.Deadline()
	cancel()
	require.False(t, ok, "timeout off: no deadline")
}

// An operation still failing, or still waiting (for a connection, say),
// at its deadline reports ErrUnavailable and DeadlineExceeded, with the
// last failure in the chain; the caller's own cancellation is not
// unavailable.
func TestDeadlineIsUnavailable(t *testing.T) {
	db := &DB{timeout: 30 * time.Millisecond, retry: RetryPolicy{MaxAttempts: 1 << 20, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}}
	ctx := context.Background()

	t.Run("blocked until the deadline", func(t *testing.T) {
		start := time.Now()
		err := db.do(ctx, "op", true, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.True(t, IsTransient(err))
		require.Contains(t, err.Error(), "op: store did not answer in time")
		require.Less(t, time.Since(start), time.Second)
	})
	t.Run("failing transiently until the deadline", func(t *testing.T) {
		timeout := &pgconn.PgError{Code: codeQueryCanceled, Message: "canceling statement due to statement timeout"}
		calls := 0
		err := db.do(ctx, "op", true, func(context.Context) error { calls++; return timeout })
		require.ErrorIs(t, err, carecontact.ErrUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.ErrorIs(t, err, timeout, "the last failure stays in the chain")
		require.Contains(t, err.Error(), "statement timeout")
		require.Greater(t, calls, 1, "retried until the deadline")
	})
	t.Run("cancelled by the caller", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err := db.do(cctx, "op", true, func(ctx context.Context) error { return ctx.Err() })
		require.ErrorIs(t, err, context.Canceled)
		require.NotErrorIs(t, err, carecontact.ErrUnavailable)
		require.False(t, IsTransient(err))
	})
}

// A change outside a transaction that was cut off by its deadline may have
// been sent: its outcome is unknown.
func TestDeadlineOnAChangeOutsideATransaction(t *testing.T) {
	db := &DB{timeout: 20 * time.Millisecond, retry: DefaultRetryPolicy()}
	err := db.do(context.Background(), "op", false, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	require.ErrorIs(t, err, ErrOutcomeUnknown)
	require.ErrorIs(t, err, carecontact.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// Each store transaction tells the server how long it may sit idle: the
// idle timeout if set, else the operation timeout; none when both are off.
func TestBeginQuery(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		want string
	}{
		{"the operation timeout", nil, "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 5000"},
		{"its own", []Option{WithIdleTransactionTimeout(1500 * time.Millisecond)}, "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 1500"},
		{"a shorter operation timeout", []Option{WithOperationTimeout(time.Second)}, "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 1000"},
		{"below a millisecond", []Option{WithIdleTransactionTimeout(time.Microsecond)}, "BEGIN; SET LOCAL idle_in_transaction_session_timeout = 1"},
		{"turned off", []Option{WithIdleTransactionTimeout(-1)}, "BEGIN"},
		{"no operation timeout either", []Option{WithOperationTimeout(0)}, "BEGIN"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, New(nil, tc.opts...).beginQuery())
		})
	}
}
