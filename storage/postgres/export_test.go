package postgres

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// Hooks for the package's external tests, which run against the test
// server.

// InTx runs fn through the stores' transaction loop.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context, tx pgx.Tx) error) error {
	return db.inTx(ctx, "test", fn)
}

// Resolve resolves the outcome of the transaction that wrote marker.
func (db *DB) Resolve(ctx context.Context, marker uuid.UUID) (bool, error) {
	return db.resolve(ctx, "test", marker)
}

// Tamper changes the stored events of subject behind the log's back, with
// plain SQL as someone with write access to the database would, for the
// conformance suite's tampering cases (how is a storagetest.Tampering).
func (l *AuditLog) Tamper(ctx context.Context, how, subject string) error {
	const nth = `(SELECT seq FROM audit_events WHERE subject = $1 ORDER BY seq OFFSET $2 LIMIT 1)`
	var q string
	args := []any{subject}
	switch how {
	case "edit":
		q, args = `UPDATE audit_events SET detail = '{"i":"edited"}' WHERE seq = `+nth, append(args, 1)
	case "delete":
		q, args = `DELETE FROM audit_events WHERE seq = `+nth, append(args, 1)
	case "delete-last":
		q = `DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events WHERE subject = $1)`
	case "reorder":
		q = `UPDATE audit_events SET stream_seq = 3 - stream_seq WHERE subject = $1 AND stream_seq IN (1, 2)`
	case "client":
		q, args = `UPDATE audit_events SET client = 'someone-else' WHERE seq = `+nth, append(args, 0)
	default:
		panic("unknown tampering " + how)
	}
	_, err := l.db.pool.Exec(ctx, q, args...)
	return err
}

// NotifyingTx runs stmt with args as the write of a pipelined transaction
// that notifies channel after its commit, as the routing store's Apply
// does.
func (db *DB) NotifyingTx(ctx context.Context, channel, stmt string, args ...any) error {
	return db.inPipelinedTxNotifying(ctx, "test", channel, func(*pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		return func(_ pgx.BatchResults, second *pgx.Batch) (pipeRead, error) {
			second.Queue(stmt, args...)
			return func(br pgx.BatchResults) error {
				_, err := br.Exec()
				return err
			}, nil
		}
	})
}
