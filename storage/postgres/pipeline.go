package postgres

import (
	"context"
	"crypto/sha256"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/carecontact/carecontact/audit"
)

// A pipelined transaction is inTx in two round trips instead of one per
// statement. The first batch is BEGIN, the SET LOCAL of the idle
// transaction timeout and the statements that lock and read (fence, rows,
// audit heads); the caller checks what they returned in Go, exactly as
// the statement-by-statement path does, and queues the writes; the second
// batch is the writes, the commit marker and COMMIT. Between the two
// batches the server waits in an open transaction with its idle timeout
// armed, as between the statements of inTx. A batch runs its statements
// in order and stops at the first error; the transaction is then rolled
// back.

// pipeRead reads the results of the statements a pipeStep queued, in
// queue order.
type pipeRead func(br pgx.BatchResults) error

// pipeFn is the caller's part of a pipelined transaction. It queues the
// reading statements on first and returns the function that reads their
// results and queues the writes on second (nil: none), whose results the
// returned pipeRead reads.
type pipeFn func(first *pgx.Batch) (read func(br pgx.BatchResults, second *pgx.Batch) (pipeRead, error))

// inPipelinedTx runs fn as one transaction in two round trips, with inTx's
// retries, commit marker and outcome resolution.
func (db *DB) inPipelinedTx(ctx context.Context, what string, fn pipeFn) error {
	return db.pipelinedTx(ctx, what, "", fn)
}

// notifyAfterSetting is the transaction-local setting by which a writer
// tells the notification triggers (migration 19) that it notifies the
// channel itself after its commit, so they send nothing.
const notifyAfterSetting = "carecontact.notify_after"

// inPipelinedTxNotifying is inPipelinedTx for a transaction that changes
// tables whose triggers notify channel, with the notification sent by a
// transaction of its own instead of the triggers'. A notifying commit holds
// PostgreSQL's notification lock (one per cluster) until its commit record
// is flushed, so notifying commits are flushed one at a time and never in
// groups. Here the transaction sets notifyAfterSetting, so the triggers
// stay silent and its durable commit is flushed with whatever other
// commits are pending; the second batch then carries, after its COMMIT, a
// tiny transaction that only notifies channel, with synchronous_commit off:
// it holds the lock only while its commit record is written, not while it
// is flushed, and changes no data, so nothing is lost if its record never
// reaches the disk. The listeners hear it after the change is visible, in
// the same round trip. If the notification fails after the change
// committed, the change is reported made (it was; the commit marker and
// the outcome resolution are those of inPipelinedTx): a lost notification
// costs the listeners a poll, never a change.
func (db *DB) inPipelinedTxNotifying(ctx context.Context, what, channel string, fn pipeFn) error {
	return db.pipelinedTx(ctx, what, channel, fn)
}

// notifyStatements are the statements of the transaction that notifies
// channel after a change committed: one statement, so its own implicit
// transaction (a pipeline's statements after a COMMIT and before its Sync
// are one), with synchronous_commit off for that transaction alone.
func notifyStatements(channel string) []string {
	return []string{"SELECT set_config('synchronous_commit', 'off', true), pg_notify('" + channel + "', '')"}
}

// notifyingBegin is begin (beginStatements) with notifyAfterSetting set
// for the transaction too, in the same statement as the idle timeout.
func notifyingBegin(begin []string, idle int64) []string {
	set := "SELECT set_config('" + notifyAfterSetting + "', 'on', true)"
	if len(begin) == 1 {
		return append(begin, set)
	}
	return []string{begin[0], fmt.Sprintf("%s, set_config('idle_in_transaction_session_timeout', '%d', true)", set, idle)}
}

// pipelinedTx is inPipelinedTx, and inPipelinedTxNotifying when notify
// names a channel.
func (db *DB) pipelinedTx(ctx context.Context, what, notify string, fn pipeFn) error {
	if db == nil {
		return errNilDB
	}
	ctx, cancel := db.bound(ctx)
	defer cancel()
	p := db.retry
	begin := db.beginStatements()
	var after []string
	if notify != "" {
		begin = notifyingBegin(begin, db.idleMillis())
		after = notifyStatements(notify)
	}
	marker := newMarker()
	for attempt := 1; ; attempt++ {
		committing := false
		err := func() error {
			conn, err := db.pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer releaseRolledBack(ctx, conn)
			first := &pgx.Batch{}
			for _, q := range begin {
				first.Queue(q)
			}
			read := fn(first)
			second := &pgx.Batch{}
			br := conn.SendBatch(ctx, first)
			var readSecond pipeRead
			err = func() error {
				for range begin {
					if _, err := br.Exec(); err != nil {
						return err
					}
				}
				var err error
				readSecond, err = read(br, second)
				return err
			}()
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			second.Queue(markerInsert, marker)
			second.Queue("COMMIT")
			for _, q := range after {
				second.Queue(q)
			}
			committing = true
			committed := false
			br = conn.SendBatch(ctx, second)
			err = func() error {
				if readSecond != nil {
					if err := readSecond(br); err != nil {
						return err
					}
				}
				if _, err := br.Exec(); err != nil {
					return err
				}
				tag, err := br.Exec()
				if err == nil && tag.String() != "COMMIT" {
					err = fmt.Errorf("%s: commit answered %q", what, tag.String())
				}
				if err != nil {
					return err
				}
				committed = true
				// The change is made; whatever the notification
				// answers, the listeners' poll is its fallback.
				for range after {
					if _, err := br.Exec(); err != nil {
						break
					}
				}
				return nil
			}()
			if cerr := br.Close(); err == nil && !committed {
				err = cerr
			}
			return err
		}()
		if err == nil {
			return nil
		}
		if again, err := db.afterFailedTx(ctx, p, what, attempt, err, committing, &marker); !again {
			return err
		}
	}
}

// releaseRolledBack rolls back whatever transaction conn is still in
// (after a failed batch) and returns it to the pool; a connection that
// cannot be rolled back is closed by the pool on release.
func releaseRolledBack(ctx context.Context, conn *pgxpool.Conn) {
	if conn.Conn().PgConn().TxStatus() != 'I' && !conn.Conn().IsClosed() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "ROLLBACK")
	}
	conn.Release()
}

// beginStatements are the statements that begin a store transaction in a
// pipeline: beginQuery's, one per statement.
func (db *DB) beginStatements() []string {
	idle := db.idleMillis()
	if idle <= 0 {
		return []string{"BEGIN"}
	}
	return []string{"BEGIN", fmt.Sprintf("SET LOCAL idle_in_transaction_session_timeout = %d", idle)}
}

// idleMillis is the idle transaction timeout the store's transactions
// set, in milliseconds (at least 1), or 0 for none.
func (db *DB) idleMillis() int64 {
	idle := db.idle
	if idle == 0 {
		idle = db.timeout
	}
	if idle <= 0 {
		return 0
	}
	return max(idle.Milliseconds(), 1)
}

// eventStreams returns the subjects of events, sorted and distinct: the
// order their chain heads are locked in.
func eventStreams(events []audit.Event) []string {
	streams := make([]string, 0, len(events))
	for _, e := range events {
		streams = append(streams, e.Subject)
	}
	slices.Sort(streams)
	return slices.Compact(streams)
}

// queueHeadLocks queues the upserts that lock the chain heads of streams.
func queueHeadLocks(b *pgx.Batch, streams []string) {
	for _, st := range streams {
		b.Queue(`INSERT INTO audit_heads (stream, seq, hash) VALUES ($1, 0, $2)
			ON CONFLICT (stream) DO UPDATE SET seq = audit_heads.seq RETURNING seq, hash`, st, make([]byte, sha256.Size))
	}
}

// readHeads reads the results of queueHeadLocks.
func readHeads(br pgx.BatchResults, streams []string) (map[string]audit.Head, error) {
	heads := make(map[string]audit.Head, len(streams))
	for _, st := range streams {
		var h audit.Head
		var hash []byte
		if err := br.QueryRow().Scan(&h.Seq, &hash); err != nil {
			return nil, fmt.Errorf("postgres: lock audit chain: %w", err)
		}
		h.Stream = st
		copy(h.Hash[:], hash)
		heads[st] = h
	}
	return heads, nil
}

// eventInsert is the insert of one audit event with its link, its
// arguments ($1 to $15) those eventArgs returns.
const eventInsert = `INSERT INTO audit_events (id, at, actor_kind, actor_id, actor_role, action, subject, client, outcome, detail,
		stream_seq, client_digest, actor_digest, prev_hash, hash)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`

// eventArgs returns eventInsert's arguments for e linked by ln, with room
// for extra more.
func eventArgs(e audit.Event, ln audit.Link, more ...any) []any {
	var detail map[string]string
	if len(e.Detail) > 0 {
		detail = e.Detail
	}
	return append([]any{e.ID, e.At, string(e.Actor.Kind), e.Actor.ID, e.Actor.Role, e.Action, e.Subject, e.Client, string(e.Outcome), detail,
		ln.Seq, ln.ClientDigest, ln.ActorDigest, ln.Prev[:], ln.Hash[:]}, more...)
}

// queueEvents queues the inserts of events, linked to heads, and the
// updates of the heads; it returns how many statements it queued.
func queueEvents(b *pgx.Batch, heads map[string]audit.Head, streams []string, events []audit.Event) int {
	n := b.Len()
	for _, e := range events {
		ln := audit.Next(heads[e.Subject], e)
		heads[e.Subject] = audit.Head{Stream: e.Subject, Seq: ln.Seq, Hash: ln.Hash}
		b.Queue(eventInsert, eventArgs(e, ln)...)
	}
	for _, st := range streams {
		h := heads[st]
		b.Queue(`UPDATE audit_heads SET seq = $2, hash = $3 WHERE stream = $1`, st, h.Seq, h.Hash[:])
	}
	return b.Len() - n
}

// readEvents reads the results of n statements queueEvents queued.
func readEvents(br pgx.BatchResults, n int) error {
	for range n {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("postgres: write audit events: %w", err)
		}
	}
	return nil
}

// batchFn is the caller's part of a one-batch transaction: it queues the
// transaction's statements on b, among them the insert of the commit
// marker (markerInsert, or the same nested in one of its statements), and
// returns the function that reads their results, in queue order. An error
// means the batch is not sent: a batch commits by itself at its end, so
// one that could not be queued whole must never reach the server.
type batchFn func(b *pgx.Batch, marker uuid.UUID) (pipeRead, error)

// markerInsert is the insert of a transaction's commit marker, $1.
const markerInsert = "INSERT INTO carecontact_commits (id) VALUES ($1)"

// inOneBatchTx runs fn as one transaction in a single round trip, with
// inTx's retries, commit marker and outcome resolution. It suits a
// transaction with nothing to check in Go between its reads and its
// writes. The batch is fn's statements, the commit marker's among them,
// sent with one Sync and no BEGIN or COMMIT: the server runs the statements before a
// Sync as one implicit transaction and commits it at the Sync, unless a
// statement fails, which ends the batch and rolls the transaction back.
// There is no idle timeout to set: the server arms
// idle_in_transaction_session_timeout only when it waits at a Sync, and
// this transaction has ended by then.
func (db *DB) inOneBatchTx(ctx context.Context, what string, fn batchFn) error {
	if db == nil {
		return errNilDB
	}
	ctx, cancel := db.bound(ctx)
	defer cancel()
	p := db.retry
	marker := newMarker()
	for attempt := 1; ; attempt++ {
		sent := false
		err := func() error {
			conn, err := db.pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer releaseRolledBack(ctx, conn)
			b := &pgx.Batch{}
			read, err := fn(b, marker)
			if err != nil {
				return err
			}
			sent = true
			br := conn.SendBatch(ctx, b)
			err = read(br)
			if cerr := br.Close(); err == nil {
				err = cerr
			}
			return err
		}()
		if err == nil {
			return nil
		}
		if again, err := db.afterFailedTx(ctx, p, what, attempt, err, sent, &marker); !again {
			return err
		}
	}
}
