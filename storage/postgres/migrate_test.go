package postgres_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

func TestMigrationsAreNumberedFromOne(t *testing.T) {
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)
	for i, m := range ms {
		require.Equal(t, i+1, m.Version, "migrations are numbered 1, 2, 3, ... without gaps")
		require.NotEmpty(t, m.Name)
		require.NotEmpty(t, m.SQL)
	}
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	all := make([]int, len(ms))
	for i, m := range ms {
		all[i] = m.Version
	}

	t.Run("applies once, then nothing", func(t *testing.T) {
		dsn := newDatabase(t)
		db, err := postgres.Open(ctx, dsn)
		require.NoError(t, err)
		defer db.Close()
		applied, err := db.Migrate(ctx)
		require.NoError(t, err)
		require.Equal(t, all, applied)
		applied, err = db.Migrate(ctx)
		require.NoError(t, err)
		require.Empty(t, applied)
	})

	t.Run("replicas starting at once apply each migration exactly once", func(t *testing.T) {
		dsn := newDatabase(t)
		const replicas = 8
		results := make(chan []int, replicas)
		errs := make(chan error, replicas)
		for range replicas {
			go func() {
				db, err := postgres.Open(ctx, dsn)
				if err != nil {
					errs <- err
					return
				}
				defer db.Close()
				applied, err := db.Migrate(ctx)
				errs <- err
				results <- applied
			}()
		}
		var union []int
		for range replicas {
			require.NoError(t, <-errs)
			union = append(union, <-results...)
		}
		slices.Sort(union)
		require.Equal(t, all, union, "every version applied by exactly one replica")
		conn, err := pgx.Connect(ctx, dsn)
		require.NoError(t, err)
		defer conn.Close(ctx)
		var n int
		require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM carecontact_schema_migrations").Scan(&n))
		require.Equal(t, len(all), n)
	})

	t.Run("refuses a schema newer than the code", func(t *testing.T) {
		dsn := newDatabase(t)
		db, err := postgres.Open(ctx, dsn)
		require.NoError(t, err)
		defer db.Close()
		_, err = db.Migrate(ctx)
		require.NoError(t, err)
		_, err = db.Pool().Exec(ctx, "INSERT INTO carecontact_schema_migrations (version, name) VALUES (9999, 'future')")
		require.NoError(t, err)
		_, err = db.Migrate(ctx)
		require.ErrorIs(t, err, postgres.ErrSchemaTooNew)
	})
}

func TestPruneCommitMarkers(t *testing.T) {
	ctx := context.Background()
	db := openDBs(t, 1, 2)[0]
	for range 3 {
		_, err := db.RoutingStore().RegisterProfessional(ctx, "nurse-1", routing.Capacity{Chat: 1}, t0)
		require.NoError(t, err)
	}
	now, err := db.Now(ctx)
	require.NoError(t, err)
	n, err := db.PruneCommitMarkers(ctx, now.Add(-time.Hour))
	require.NoError(t, err)
	require.Zero(t, n, "recent markers are kept")
	n, err = db.PruneCommitMarkers(ctx, now.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, int64(3), n, "one marker per committed change")
}

func TestDatabaseClock(t *testing.T) {
	ctx := context.Background()
	db := openDBs(t, 1, 1)[0]
	dbNow, err := db.Now(ctx)
	require.NoError(t, err)
	require.Equal(t, time.UTC, dbNow.Location())
	// A replica whose clock is stuck two hours behind (and never moves).
	behind := dbNow.Add(-2 * time.Hour)
	clock, offset, err := db.DatabaseClock(ctx, carecontact.ClockFunc(func() time.Time { return behind }))
	require.NoError(t, err)
	require.InDelta(t, (2 * time.Hour).Seconds(), offset.Seconds(), 60, "the offset makes up the difference")
	require.WithinDuration(t, dbNow, clock.Now(), time.Minute, "the corrected clock tells the database's time")
	_, _, err = db.DatabaseClock(ctx, nil)
	require.Error(t, err)
}
