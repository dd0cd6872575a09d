package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// AuditLog is the audit.Log over the audit_events table. Domain stores of
// the same DB write their events into that table inside their own
// transactions.
type AuditLog struct{ db *DB }

// AuditLog returns the DB's audit log.
func (db *DB) AuditLog() *AuditLog { return &AuditLog{db: db} }

var (
	_ audit.Log      = (*AuditLog)(nil)
	_ audit.Verifier = (*AuditLog)(nil)
)

// Record validates the events and writes them in one transaction, all or
// none, exactly once (see the package documentation on commit markers).
func (l *AuditLog) Record(ctx context.Context, events ...audit.Event) error {
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	return l.db.inTx(ctx, "postgres: audit record", func(ctx context.Context, tx pgx.Tx) error {
		return insertEvents(ctx, tx, prepared)
	})
}

// Events returns the events that match f in recorded order.
func (l *AuditLog) Events(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Client != "" {
		add("client = ?", f.Client)
	}
	if f.Subject != "" {
		add("subject = ?", f.Subject)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.ActorID != "" {
		add("actor_id = ?", f.ActorID)
	}
	if !f.Since.IsZero() {
		add("at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		add("at < ?", f.Until)
	}
	q := "SELECT " + eventColumns + " FROM audit_events"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq"
	if f.Limit > 0 {
		q += " LIMIT " + strconv.Itoa(f.Limit)
	}
	var out []audit.Event
	err := l.db.do(ctx, "postgres: audit events", true, func(ctx context.Context) error {
		rows, err := l.db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, scanEvent)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit events: %w", err)
	}
	return out, nil
}

// eventColumns are the columns scanEvent reads, in its order.
const eventColumns = "id, at, actor_kind, actor_id, actor_role, action, subject, client, outcome, detail"

func scanEvent(row pgx.CollectableRow) (audit.Event, error) { return scanEventWith(row) }

// scanEventWith scans eventColumns and then more columns into more.
func scanEventWith(row pgx.Row, more ...any) (audit.Event, error) {
	var e audit.Event
	var kind, outcome string
	err := row.Scan(append([]any{&e.ID, &e.At, &kind, &e.Actor.ID, &e.Actor.Role, &e.Action, &e.Subject, &e.Client, &outcome, &e.Detail}, more...)...)
	e.Actor.Kind = audit.ActorKind(kind)
	e.Outcome = audit.Outcome(outcome)
	e.At = e.At.UTC()
	return e, err
}

// kit is the adapter's share of the checks and event preparation that
// every adapter makes alike. PostgreSQL keeps microseconds. Stores prepare
// events before opening their transaction, so a bad event fails the change
// before anything is written.
var kit = storekit.Kit{Name: "postgres", Precision: time.Microsecond}

// insertEvents writes prepared events inside tx, each linked into its
// subject's chain. The heads of the subjects are locked in subject order
// (an upsert locks the row it finds or makes), so two writers of the same
// subjects never deadlock on them; the new heads are written with the
// events.
func insertEvents(ctx context.Context, tx pgx.Tx, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	streams := eventStreams(events)
	lock := &pgx.Batch{}
	queueHeadLocks(lock, streams)
	br := tx.SendBatch(ctx, lock)
	heads, err := readHeads(br, streams)
	if cerr := br.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("postgres: lock audit chain: %w", cerr)
	}
	if err != nil {
		return err
	}
	batch := &pgx.Batch{}
	queueEvents(batch, heads, streams, events)
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("postgres: write audit events: %w", err)
	}
	return nil
}

// Verify checks the chain of every subject's events and reports the first
// broken link (streams in subject order). Rows recorded before the chain
// existed (migration 10) are counted in Unchained and not checked; a row
// whose link was removed in the middle of a stream leaves a gap that is.
func (l *AuditLog) Verify(ctx context.Context) (audit.Verification, error) {
	var v audit.Verification
	err := l.db.do(ctx, "postgres: audit verify", true, func(ctx context.Context) error {
		v = audit.Verification{}
		tx, err := l.db.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
		if err != nil {
			return err
		}
		defer func() { _ = tx.Rollback(ctx) }()
		heads := map[string]audit.Head{}
		rows, err := tx.Query(ctx, `SELECT stream, seq, hash FROM audit_heads`)
		if err != nil {
			return err
		}
		var streams []string
		for rows.Next() {
			var h audit.Head
			var hash []byte
			if err := rows.Scan(&h.Stream, &h.Seq, &hash); err != nil {
				rows.Close()
				return err
			}
			copy(h.Hash[:], hash)
			heads[h.Stream] = h
			streams = append(streams, h.Stream)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE stream_seq IS NULL`).Scan(&v.Unchained); err != nil {
			return err
		}
		// Streams with events but no head: a deleted head is a break too.
		orphans, err := tx.Query(ctx, `SELECT DISTINCT subject FROM audit_events e WHERE stream_seq IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM audit_heads h WHERE h.stream = e.subject)`)
		if err != nil {
			return err
		}
		for orphans.Next() {
			var st string
			if err := orphans.Scan(&st); err != nil {
				orphans.Close()
				return err
			}
			heads[st] = audit.Head{Stream: st}
			streams = append(streams, st)
		}
		orphans.Close()
		if err := orphans.Err(); err != nil {
			return err
		}
		slices.Sort(streams)
		v.Streams = len(streams)
		rows, err = tx.Query(ctx, `SELECT `+eventColumns+`, stream_seq, client_digest, actor_digest, pseudonymised, prev_hash, hash
			FROM audit_events WHERE stream_seq IS NOT NULL ORDER BY subject, seq`)
		if err != nil {
			return err
		}
		links := map[string][]audit.Link{}
		for rows.Next() {
			var ln audit.Link
			var prev, hash []byte
			e, err := scanEventWith(rows, &ln.Seq, &ln.ClientDigest, &ln.ActorDigest, &ln.Pseudonymised, &prev, &hash)
			if err != nil {
				rows.Close()
				return err
			}
			ln.Event = e
			copy(ln.Prev[:], prev)
			copy(ln.Hash[:], hash)
			links[e.Subject] = append(links[e.Subject], ln)
			v.Events++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, st := range streams {
			if b := audit.VerifyStream(heads[st], links[st]); b != nil {
				v.Broken = b
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return audit.Verification{}, fmt.Errorf("postgres: audit verify: %w", err)
	}
	return v, nil
}

// Heads returns the head of every stream, by stream.
func (l *AuditLog) Heads(ctx context.Context) ([]audit.Head, error) {
	var out []audit.Head
	err := l.db.do(ctx, "postgres: audit heads", true, func(ctx context.Context) error {
		rows, err := l.db.pool.Query(ctx, `SELECT stream, seq, hash FROM audit_heads ORDER BY stream`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (audit.Head, error) {
			var h audit.Head
			var hash []byte
			err := row.Scan(&h.Stream, &h.Seq, &hash)
			copy(h.Hash[:], hash)
			return h, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: audit heads: %w", err)
	}
	return out, nil
}
