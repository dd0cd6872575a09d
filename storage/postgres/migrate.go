package postgres

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// ErrSchemaTooNew reports a database migrated by a newer version of this
// package than the running one: it holds migrations this code does not know.
var ErrSchemaTooNew = carecontact.Sentinel(carecontact.ErrConflict, "postgres: database schema is newer than this code")

// migrateLockKey is the pg_advisory_xact_lock key that serialises Migrate
// across replicas ("carecontact" in ASCII, as a number).
const migrateLockKey int64 = 0x63617265636f6e74

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded schema migrations in version order.
func Migrations() ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		num, rest, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 || !strings.HasSuffix(rest, ".sql") {
			return nil, fmt.Errorf("postgres: migration file %q: want NNNN_name.sql", name)
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", name))
		if err != nil {
			return nil, fmt.Errorf("postgres: read migration %q: %w", name, err)
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(rest, ".sql"), SQL: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("postgres: migration version %d appears twice", out[i].Version)
		}
	}
	return out, nil
}

// Migrate brings the database schema up to date and reports the versions it
// applied (empty when the schema was already current). It runs in one
// transaction holding a transaction-scoped advisory lock, so replicas that
// start at the same moment apply each migration exactly once: the others
// wait for the lock and then find nothing to do. A failing migration rolls
// the whole call back. Calling Migrate again is harmless.
func (db *DB) Migrate(ctx context.Context) ([]int, error) {
	migrations, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []int
	err = db.runTx(ctx, "postgres: migrate", true, func(ctx context.Context, tx pgx.Tx) error {
		applied = applied[:0]
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS carecontact_schema_migrations (
			version    integer PRIMARY KEY,
			name       text NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT version FROM carecontact_schema_migrations")
		if err != nil {
			return err
		}
		done, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		for _, v := range done {
			if !slices.ContainsFunc(migrations, func(m Migration) bool { return m.Version == v }) {
				return fmt.Errorf("%w: unknown migration %d", ErrSchemaTooNew, v)
			}
		}
		for _, m := range migrations {
			if slices.Contains(done, m.Version) {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("postgres: migration %d %s: %w", m.Version, m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO carecontact_schema_migrations (version, name) VALUES ($1, $2)",
				m.Version, m.Name); err != nil {
				return err
			}
			applied = append(applied, m.Version)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return applied, nil
}
