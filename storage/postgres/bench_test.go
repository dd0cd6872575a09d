package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
	"github.com/carecontact/carecontact/storage/postgres"
)

// benchWorkers are the concurrency levels the throughput benchmarks run at.
var benchWorkers = []int{1, 4, 16}

// warmPool opens a pool of conns connections to dsn, every connection
// opened now, so the timed part measures work, not connection set-up. The
// pool closes when the benchmark ends.
func warmPool(b *testing.B, dsn string, conns int) *pgxpool.Pool {
	b.Helper()
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(b, err)
	cfg.MaxConns = int32(conns)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	held := make([]*pgxpool.Conn, conns)
	for i := range held {
		held[i], err = pool.Acquire(ctx)
		require.NoError(b, err)
	}
	for _, c := range held {
		c.Release()
	}
	return pool
}

// benchDB opens one DB over a fresh, migrated database with a pool of
// conns connections.
func benchDB(b *testing.B, conns int) *postgres.DB {
	b.Helper()
	ctx := context.Background()
	db := postgres.New(warmPool(b, newDatabase(b), conns))
	_, err := db.Migrate(ctx)
	require.NoError(b, err)
	return db
}

// runWorkers runs op(worker, i) for i in [0, b.N) spread over workers
// goroutines and reports the throughput.
func runWorkers(b *testing.B, workers int, unit string, op func(w, i int) error) {
	b.Helper()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				if err := op(w, i); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit+"/s")
}

// BenchmarkClaim measures work-item claims (an offer: compare-and-set on
// the item's version plus the professional's capacity check and load
// change, one transaction on postgres) with 1, 4 and 16 concurrent
// workers, each claiming for its own professional, against the memory
// store and the throwaway PostgreSQL server.
func BenchmarkClaim(b *testing.B) {
	ctx := context.Background()
	backends := []struct {
		name string
		open func(b *testing.B, workers int) routing.Store
	}{
		{"memory", func(*testing.B, int) routing.Store { return memory.NewRoutingStore(nil) }},
		{"postgres", func(b *testing.B, workers int) routing.Store { return benchDB(b, workers).RoutingStore() }},
	}
	for _, be := range backends {
		for _, workers := range benchWorkers {
			b.Run(fmt.Sprintf("%s/workers=%d", be.name, workers), func(b *testing.B) {
				s := be.open(b, workers)
				profs := make([]carecontact.ProfessionalID, workers)
				for w := range profs {
					profs[w] = carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", w))
					_, err := s.RegisterProfessional(ctx, profs[w], routing.Capacity{Chat: 1 << 30}, t0)
					require.NoError(b, err)
					_, err = s.SetPresence(ctx, profs[w], routing.PresenceAvailable, t0, nil)
					require.NoError(b, err)
				}
				items := make([]routing.Item, b.N)
				for i := range items {
					it, err := s.CreateItem(ctx, workItem(i), nil)
					require.NoError(b, err)
					items[i] = it
				}
				runWorkers(b, workers, "claims", func(w, i int) error {
					next := items[i]
					next.State, next.Professional, next.Deadline = routing.ItemOffered, profs[w], t0.Add(30e9)
					_, _, err := storeApply(ctx, s, &routing.Change{Item: next, Expect: items[i].Version,
						Professional: profs[w], Slot: routing.SlotChat, Load: 1})
					return err
				})
			})
		}
	}
}
