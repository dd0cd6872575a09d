package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// BenchmarkLedContactsConcurrent measures chats per second through one
// and through three replicas, deployed as a host runs them: the leader
// driven by a carecontact.Driver with its lease and a Notifier (default
// MinInterval, and 5 ms), each replica on a pool of its own. Concurrent workers
// (one per nurse) each take the next chat, enqueue it through a random
// replica, wait for the leader's offer, and accept and finish it through
// random replicas. Reported as contacts/s; BenchmarkLedContacts is the
// one-at-a-time figure. Through followers the rate is bound by how often
// the leader refreshes on notification: every refresh re-reads all items
// and professionals, and MinInterval spaces them.
func BenchmarkLedContactsConcurrent(b *testing.B) {
	const workers = 8
	for _, tc := range []struct {
		replicas int
		interval time.Duration // the leader's Notifier's MinInterval; 0: the default
	}{{1, 0}, {3, 0}, {3, 5 * time.Millisecond}} {
		n := tc.replicas
		name := fmt.Sprintf("replicas=%d/workers=%d", n, workers)
		if tc.interval > 0 {
			name += "/notify=" + tc.interval.String()
		}
		b.Run(name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dbs := openDBs(b, n, workers)
			dir := nursesDirectory(b, workers)

			var mu sync.Mutex
			waiting := map[carecontact.ItemID]chan carecontact.ProfessionalID{}
			sink := func(e routing.Event) {
				if e.Kind != routing.EventOffered {
					return
				}
				mu.Lock()
				ch := waiting[e.Item]
				mu.Unlock()
				select {
				case ch <- e.Professional:
				default:
				}
			}
			lease, err := dbs[0].Lease(postgres.LeaseConfig{Holder: "bench-leader"})
			require.NoError(b, err)
			_, ok, err := lease.Acquire(ctx)
			require.NoError(b, err)
			require.True(b, ok)
			disps := make([]*routing.Dispatcher, n)
			for i, db := range dbs {
				cfg := routing.DispatcherConfig{Directory: dir, Clock: carecontact.SystemClock(), Store: db.RoutingStore(),
					Replicated: true, Leader: follows{}}
				if i == 0 {
					cfg.Leader, cfg.Sink = lease, sink
				}
				disps[i], err = routing.NewDispatcher(ctx, cfg)
				require.NoError(b, err)
			}
			notifier, err := dbs[0].Notifier(postgres.NotifierConfig{OnChange: disps[0].Refresh, MinInterval: tc.interval})
			require.NoError(b, err)
			drv, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{lease, notifier, disps[0]}})
			require.NoError(b, err)
			var bg sync.WaitGroup
			bg.Add(2)
			go func() { defer bg.Done(); _ = notifier.Listen(ctx) }()
			go func() { defer bg.Done(); _ = drv.Run(ctx) }()
			defer bg.Wait()
			defer cancel()
			for w := range workers {
				_, err := disps[w%n].SetPresence(ctx, nurseID(w), routing.PresenceAvailable)
				require.NoError(b, err)
			}
			require.NoError(b, disps[0].Refresh(ctx))

			var next atomic.Int64
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(14, uint64(w)))
					pick := func() *routing.Dispatcher { return disps[rng.IntN(n)] }
					for {
						k := next.Add(1)
						if k > int64(b.N) {
							return
						}
						id := carecontact.ItemID(fmt.Sprintf("chat-%d", k))
						offered := make(chan carecontact.ProfessionalID, 1)
						mu.Lock()
						waiting[id] = offered
						mu.Unlock()
						if _, err := pick().Enqueue(ctx, id, routing.Contact{Client: carecontact.ClientRef(fmt.Sprintf("k-%d", k)),
							Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a", Hold: true}); err != nil {
							b.Error(err)
							return
						}
						var p carecontact.ProfessionalID
						select {
						case p = <-offered:
						case <-time.After(30 * time.Second):
							b.Errorf("%s never offered", id)
							return
						}
						mu.Lock()
						delete(waiting, id)
						mu.Unlock()
						if _, err := pick().Accept(ctx, id, p); err != nil {
							b.Error(err)
							return
						}
						if _, err := pick().Finish(ctx, id, p); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "contacts/s")
		})
	}
}

func nurseID(i int) carecontact.ProfessionalID {
	return carecontact.ProfessionalID(fmt.Sprintf("nurse-%02d", i))
}

// nursesDirectory is Kallio's team of n nurses, one chat each.
func nursesDirectory(t testing.TB, n int) *routing.Directory {
	t.Helper()
	profs := make([]routing.Professional, n)
	for i := range profs {
		profs[i] = routing.Professional{ID: nurseID(i), Role: routing.RoleNurse, Languages: []civil.Language{"fi"},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Chat: 1}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00500", "00530"}}},
		Teams:         []routing.Team{{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"}},
		Professionals: profs,
		Policies:      []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	return dir
}
