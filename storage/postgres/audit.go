package postgres

import (
	"context"
	"fmt"
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

var _ audit.Log = (*AuditLog)(nil)

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
	q := "SELECT id, at, actor_kind, actor_id, actor_role, action, subject, client, outcome, detail FROM audit_events"
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

func scanEvent(row pgx.CollectableRow) (audit.Event, error) {
	var e audit.Event
	var kind, outcome string
	err := row.Scan(&e.ID, &e.At, &kind, &e.Actor.ID, &e.Actor.Role, &e.Action, &e.Subject, &e.Client, &outcome, &e.Detail)
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

// insertEvents writes prepared events inside tx.
func insertEvents(ctx context.Context, tx pgx.Tx, events []audit.Event) error {
	if len(events) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for _, e := range events {
		var detail map[string]string
		if len(e.Detail) > 0 {
			detail = e.Detail
		}
		batch.Queue(`INSERT INTO audit_events (id, at, actor_kind, actor_id, actor_role, action, subject, client, outcome, detail)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			e.ID, e.At, string(e.Actor.Kind), e.Actor.ID, e.Actor.Role, e.Action, e.Subject, e.Client, string(e.Outcome), detail)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("postgres: write audit events: %w", err)
	}
	return nil
}
