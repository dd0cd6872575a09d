package postgres_test

// Throughput on a durable server, next to the database's own limit.
//
// The package's throwaway server runs with fsync, synchronous_commit and
// full_page_writes off, so its figures are not durable throughput. The
// benchmark here starts a second throwaway server with all three on (the
// server's defaults) and measures, in the same run and by the same
// workers, a bare baseline: one single-statement INSERT per commit into a
// table with the same exclusion constraint as booking_claims. Each line
// reports the store's operations per second, the baseline's, and their
// ratio (of-baseline); the goal is at least 0.5 at 16 workers.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// startDurableServer starts a throwaway server with fsync,
// synchronous_commit and full_page_writes on, stopped when b ends.
func startDurableServer(b *testing.B) *server {
	b.Helper()
	if srv.bin == "" {
		b.Fatal("the durable benchmark starts its own server and needs the PostgreSQL binaries; CARECONTACT_PG_DSN names an existing server instead")
	}
	parent := ""
	if os.Geteuid() == 0 {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "ccpgd")
	require.NoError(b, err)
	s := &server{dir: dir, bin: srv.bin, cred: srv.cred}
	b.Cleanup(func() {
		_, _ = s.run("pg_ctl", "-D", s.dataDir(), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(dir)
	})
	require.NoError(b, os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o644))
	if s.cred != nil {
		require.NoError(b, os.Chown(dir, int(s.cred.Uid), int(s.cred.Gid)))
	}
	out, err := s.run("initdb", "-D", s.dataDir(), "-U", "ccadmin", "--auth=trust", "--no-locale", "-E", "UTF8")
	require.NoError(b, err, "initdb: %s", out)
	conf := strings.Join([]string{
		"listen_addresses = ''",
		"unix_socket_directories = '" + dir + "'",
		"fsync = on", "synchronous_commit = on", "full_page_writes = on",
		"max_connections = 100", "shared_buffers = 32MB",
		"dynamic_shared_memory_type = mmap", "max_parallel_workers_per_gather = 0",
		"log_min_messages = fatal", "logging_collector = off",
	}, "\n") + "\n"
	f, err := os.OpenFile(filepath.Join(s.dataDir(), "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		err = errors.Join(err, f.Close())
	}
	require.NoError(b, err)
	require.NoError(b, s.start())
	s.adminDSN = s.dsnForDB("postgres")
	s.dsnFor = s.dsnForDB
	return s
}

// durableDB creates database name on s, migrates it and opens a pool of
// conns connections, all opened before it returns.
func durableDB(b *testing.B, s *server, name string, conns int) *postgres.DB {
	b.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, s.adminDSN)
	require.NoError(b, err)
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	require.NoError(b, errors.Join(err, admin.Close(ctx)))
	pool := warmPool(b, s.dsnFor(name), conns)
	var fsync, syncCommit string
	require.NoError(b, pool.QueryRow(ctx, "SELECT current_setting('fsync'), current_setting('synchronous_commit')").Scan(&fsync, &syncCommit))
	require.Equal(b, []string{"on", "on"}, []string{fsync, syncCommit}, "the durable server is not durable")
	db := postgres.New(pool)
	_, err = db.Migrate(ctx)
	require.NoError(b, err)
	// The baseline's table: booking_claims' exclusion constraint and
	// nothing else.
	_, err = pool.Exec(ctx, `CREATE TABLE bench_baseline (
		owner       text      NOT NULL,
		appointment text      NOT NULL,
		during      tstzrange NOT NULL,
		shared      text,
		CONSTRAINT bench_baseline_no_overlap EXCLUDE USING gist (owner WITH =, during WITH &&, (coalesce(shared, appointment)) WITH <>))`)
	require.NoError(b, err)
	return db
}

// phase runs op(worker, i) for i in [0, n) spread over workers goroutines.
func phase(workers, n int, op func(w, i int) error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := op(w, i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// rounds is how many alternating rounds of baseline and store operations
// a durable run makes: interleaved, both see the same disk and the same
// neighbours, so their ratio stays meaningful on a shared machine.
const rounds = 10

// interleave makes n baseline inserts (base) and n store operations (op) in
// alternating rounds by the same workers, with b's timer running only for
// the store operations, and reports both rates per second (unit for op's,
// baseline/s), their ratio (of-baseline) and the WAL both wrote per
// operation (wal-B/op, baseline-wal-B/op: the server's WAL insert position
// before and after each round's phases, read on db's pool; the whole
// server's WAL, so a checkpoint or autovacuum in a phase counts too).
func interleave(b *testing.B, db *postgres.DB, workers int, unit string, op, base func(w, i int) error) {
	b.Helper()
	ctx := context.Background()
	lsn := func() int64 {
		var at int64
		require.NoError(b, db.Pool().QueryRow(ctx, "SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint").Scan(&at))
		return at
	}
	var opTime, baseTime time.Duration
	var opWAL, baseWAL int64
	b.ResetTimer()
	for r := range rounds {
		from, to := b.N*r/rounds, b.N*(r+1)/rounds
		b.StopTimer()
		at := lsn()
		t := time.Now()
		err := phase(workers, to-from, func(w, i int) error { return base(w, from+i) })
		baseTime += time.Since(t)
		require.NoError(b, err)
		baseWAL -= at
		at = lsn()
		baseWAL += at
		opWAL -= at
		b.StartTimer()
		t = time.Now()
		err = phase(workers, to-from, func(w, i int) error { return op(w, from+i) })
		opTime += time.Since(t)
		require.NoError(b, err)
		b.StopTimer()
		opWAL += lsn()
	}
	b.StopTimer()
	rate, baseRate := float64(b.N)/opTime.Seconds(), float64(b.N)/baseTime.Seconds()
	b.ReportMetric(rate, unit)
	b.ReportMetric(baseRate, "baseline/s")
	b.ReportMetric(rate/baseRate, "of-baseline")
	b.ReportMetric(float64(opWAL)/float64(b.N), "wal-B/op")
	b.ReportMetric(float64(baseWAL)/float64(b.N), "baseline-wal-B/op")
}

// manyCalendars is how many calendars the book-many case spreads its
// bookings over: a day of a health centre's appointment book, where the
// workers mostly book different professionals' calendars.
const manyCalendars = 64

// BenchmarkDurable measures bookings (booking.Store.Claim: the appointment,
// its claim under the exclusion constraint, the audit event, one
// transaction) and routing claims (an offer through routing.Store.Apply)
// on a durable server with 1, 4 and 16 workers. The same workers, on the
// same pool, make as many baseline inserts, in rounds alternating with the
// timed operations (interleave); the line reports bookings/s or claims/s,
// baseline/s and of-baseline, their ratio, and the WAL each wrote per
// operation.
//
// The book case spreads its bookings over 8 calendars (booking i books
// the next free slot of nurse-(i%8)), so at 16 workers about two workers
// book each calendar at once; book-many spreads them over manyCalendars,
// as the bookings of a real day spread over a centre's many calendars.
func BenchmarkDurable(b *testing.B) {
	ctx := context.Background()
	s := startDurableServer(b)
	var dbs atomic.Int64
	newDB := func(b *testing.B, workers int) *postgres.DB {
		return durableDB(b, s, fmt.Sprintf("durable_%d", dbs.Add(1)), workers)
	}
	// baseline inserts row i of the same shape as the i-th booking (owner
	// nurse-(i%calendars), consecutive 20-minute slots per owner), a week
	// before the bookings' slots so the two never overlap.
	baseline := func(db *postgres.DB, calendars int) func(w, i int) error {
		pool := db.Pool()
		from := slotStart(0).Add(-7 * 24 * time.Hour)
		return func(_, i int) error {
			start := from.Add(-time.Duration(i/calendars) * 20 * time.Minute)
			_, err := pool.Exec(ctx, "INSERT INTO bench_baseline (owner, appointment, during) VALUES ($1, $2, tstzrange($3, $4))",
				fmt.Sprintf("nurse-%d", i%calendars), fmt.Sprintf("b-%d", i), start, start.Add(20*time.Minute))
			return err
		}
	}
	for _, bc := range []struct {
		name      string
		calendars int
	}{{"book", 8}, {"book-many", manyCalendars}} {
		for _, workers := range benchWorkers {
			b.Run(fmt.Sprintf("%s/workers=%d", bc.name, workers), func(b *testing.B) {
				db := newDB(b, workers)
				st := db.BookingStore()
				n := bc.calendars
				interleave(b, db, workers, "bookings/s", func(w, i int) error {
					return st.Claim(ctx, bookReq(fmt.Sprintf("a-%d", i), fmt.Sprintf("client-%d", w),
						booking.CalendarID(fmt.Sprintf("nurse-%d", i%n)), slotStart(i/n), t0, time.Time{}))
				}, baseline(db, n))
			})
		}
	}
	for _, workers := range benchWorkers {
		b.Run(fmt.Sprintf("claim/workers=%d", workers), func(b *testing.B) {
			db := newDB(b, workers)
			st := db.RoutingStore()
			profs := make([]carecontact.ProfessionalID, workers)
			for w := range profs {
				profs[w] = carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", w))
				_, err := st.RegisterProfessional(ctx, profs[w], routing.Capacity{Chat: 1 << 30}, t0)
				require.NoError(b, err)
				_, err = st.SetPresence(ctx, profs[w], routing.PresenceAvailable, t0, nil)
				require.NoError(b, err)
			}
			items := make([]routing.Item, b.N)
			err := phase(workers, b.N, func(_, i int) error {
				it, err := st.CreateItem(ctx, workItem(i), nil)
				items[i] = it
				return err
			})
			require.NoError(b, err)
			interleave(b, db, workers, "claims/s", func(w, i int) error {
				next := items[i]
				next.State, next.Professional, next.Deadline = routing.ItemOffered, profs[w], t0.Add(30*time.Second)
				_, _, err := storeApply(ctx, st, &routing.Change{Item: next, Expect: items[i].Version,
					Professional: profs[w], Slot: routing.SlotChat, Load: 1})
				return err
			}, baseline(db, 8))
		})
	}
}
