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
