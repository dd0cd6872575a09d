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
		{"admin shutdown (pg_terminate_backend)", pg("57P01"), connectionLost},
		{"crash shutdown", pg("57P02"), connectionLost},
		{"starting up", pg("57P03"), connectionLost},
		{"connection exception class", pg("08006"), connectionLost},
		{"unique violation", pg("23505"), permanent},
		{"exclusion violation", pg("23P01"), permanent},
		{"syntax error", pg("42601"), permanent},
		{"EOF", fmt.Errorf("read: %w", io.ErrUnexpectedEOF), connectionLost},
		{"reset", fmt.Errorf("read: %w", syscall.ECONNRESET), connectionLost},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), connectionLost},
		{"canceled", context.Canceled, permanent},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), permanent},
		{"plain", errors.New("boom"), permanent},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, classify(tc.err))
			require.Equal(t, tc.want != permanent, IsTransient(tc.err))
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
