package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// killMidway runs op while another connection holds lock on table, waits
// until op's backend is blocked on that lock inside its transaction (its
// statement matches queryLike), terminates that backend with
// pg_terminate_backend, releases the lock, and returns op's error. The
// store's retry must then complete op on a fresh connection.
func killMidway(t *testing.T, dsn, table, queryLike string, op func() error) error {
	t.Helper()
	return killWhileBlocked(t, dsn, "LOCK TABLE "+table+" IN EXCLUSIVE MODE", true, queryLike, op)
}

// killWhileBlocked is killMidway with the blocking statements given: block
// runs in a transaction of another connection, op runs until its backend
// waits for a lock that transaction holds (its statement matching
// queryLike), the backend is terminated, and the blocking transaction is
// committed (commit) or rolled back.
func killWhileBlocked(t *testing.T, dsn, block string, commit bool, queryLike string, op func() error) error {
	t.Helper()
	ctx := context.Background()
	locker, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer locker.Close(ctx)
	tx, err := locker.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.Exec(ctx, block)
	require.NoError(t, err)
	// The watcher polls pg_stat_activity outside any transaction: inside
	// one, PostgreSQL would keep serving the first snapshot of it.
	watcher, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer watcher.Close(ctx)
	lockerPID := locker.PgConn().PID()

	done := make(chan error, 1)
	go func() { done <- op() }()

	var pid int
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := watcher.QueryRow(ctx, `SELECT pid FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $2
			  AND wait_event_type = 'Lock' AND query LIKE $1 LIMIT 1`, queryLike, lockerPID).Scan(&pid)
		if err == nil {
			break
		}
		require.ErrorIs(t, err, pgx.ErrNoRows)
		select {
		case err := <-done:
			t.Fatalf("operation finished before it could be interrupted: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			rows, _ := watcher.Query(ctx, `SELECT concat_ws(' | ', state, wait_event_type, wait_event, query)
				FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
			activity, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			t.Fatalf("operation never blocked behind %q; backends: %v", block, activity)
		}
		time.Sleep(2 * time.Millisecond)
	}
	var killed bool
	require.NoError(t, watcher.QueryRow(ctx, "SELECT pg_terminate_backend($1)", pid).Scan(&killed))
	require.True(t, killed)
	if commit {
		require.NoError(t, tx.Commit(ctx))
	} else {
		require.NoError(t, tx.Rollback(ctx))
	}
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("operation did not finish after its connection was killed")
		return nil
	}
}

// restartServer restarts the test server (pg_ctl restart, fast mode) when
// the tests started it. Against a server named by CARECONTACT_PG_DSN, which
// the tests cannot restart, it terminates every other connection to the
// database instead, which clients see the same way: every connection
// breaks at once.
func restartServer(t *testing.T, dsn string) {
	t.Helper()
	if srv.bin != "" {
		require.NoError(t, srv.restart())
		return
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	require.NoError(t, err)
}
