package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// Three replicas with an elected leader run a day of 500 chats, every
// operation (enqueue, accept, decline, finish) sent to a random replica;
// the server restarts (pg_ctl restart) after 150 and the leader is killed
// halfway. Each contact is accepted exactly once and finished, nobody is
// ever over capacity, and every invariant of checkStore holds after every
// round.
func TestLedReplicasDay(t *testing.T) {
	const (
		nReplicas  = 3
		nContacts  = 500
		batch      = 10
		ttl        = 600 * time.Millisecond
		renewEvery = ttl / 5
	)
	ctx := context.Background()
	dbs := openDBs(t, nReplicas, 4)
	vnow := t0
	clock := carecontact.ClockFunc(func() time.Time { return vnow })
	log := newEventLog(t)
	rng := rand.New(rand.NewPCG(14, 500))
	rs := make([]*replica, nReplicas)
	for i, db := range dbs {
		l, err := db.Lease(postgres.LeaseConfig{Holder: fmt.Sprintf("day-%d", i), TTL: ttl, RenewEvery: renewEvery})
		require.NoError(t, err)
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: failoverDirectory(t), Clock: clock,
			Store: db.RoutingStore(), Replicated: true, Leader: l, Sink: log.sink})
		require.NoError(t, err)
		rs[i] = &replica{db: db, lease: l, disp: d}
	}
	live := append([]*replica(nil), rs...)
	pick := func() *replica { return live[rng.IntN(len(live))] }
	step := func() { stepAll(t, ctx, live) }
	leaderOf := func() *replica {
		for _, r := range live {
			if r.disp.Leading() {
				return r
			}
		}
		return nil
	}
	awaitLeader := func() *replica {
		for range 50 {
			step()
			if l := leaderOf(); l != nil {
				return l
			}
			time.Sleep(renewEvery)
		}
		t.Fatal("no leader")
		return nil
	}
	for _, p := range failoverNurses {
		_, err := pick().disp.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	leader := awaitLeader()
	want := map[carecontact.ItemID]bool{}
	killed := false
	for n := 0; n < nContacts; {
		for range batch {
			n++
			id := carecontact.ItemID(fmt.Sprintf("chat-%03d", n))
			_, err := pick().disp.Enqueue(ctx, id, routing.Contact{Client: carecontact.ClientRef(fmt.Sprintf("k-%d", n)),
				Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a", Hold: true})
			require.NoError(t, err)
			want[id] = true
		}
		if n == 150 {
			// The server restarts: every connection drops, the lease row
			// survives, and a term that lapsed meanwhile is taken again.
			restartServer(t, dsnOf(dbs[0]))
			leader = awaitLeader()
		}
		if !killed && n >= nContacts/2 {
			killReplica(t, ctx, leader.db, pick().db)
			for i, r := range live {
				if r == leader {
					live = append(live[:i], live[i+1:]...)
					break
				}
			}
			leader, killed = awaitLeader(), true
		}
		for tries := 0; len(want) > 0 && tries < 100; tries++ {
			vnow = vnow.Add(routing.DefaultRefreshEvery)
			step()
			items := checkStore(t, ctx, leader.db, log, want, vnow)
			for _, it := range items {
				switch it.State {
				case routing.ItemOffered:
					if len(it.Excluded) == 0 && rng.IntN(10) == 0 { // one decline at most, so someone is left
						require.NoError(t, pick().disp.Decline(ctx, it.ID, it.Professional))
						continue
					}
					_, err := pick().disp.Accept(ctx, it.ID, it.Professional)
					require.NoError(t, err)
				case routing.ItemAccepted:
					_, err := pick().disp.Finish(ctx, it.ID, it.Professional)
					require.NoError(t, err)
					delete(want, it.ID)
				}
			}
		}
		require.Len(t, want, 0, "batch ending at %d handled", n)
	}
	checkStore(t, ctx, leader.db, log, want, vnow)
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Len(t, log.accepted, nContacts)
	for id, k := range log.accepted {
		require.Equal(t, 1, k, "%s accepted once", id)
	}
}

// BenchmarkLedContacts measures chats per second through one and through
// three replicas with an elected leader: each chat is enqueued, accepted
// and finished through random replicas; after an enqueue on a follower the
// leader refreshes (as its Notifier would have it) and offers.
func BenchmarkLedContacts(b *testing.B) {
	for _, n := range []int{1, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			ctx := context.Background()
			dbs := openDBs(b, n, 4)
			rng := rand.New(rand.NewPCG(14, uint64(n)))
			var disps []*routing.Dispatcher
			var lead *routing.Dispatcher
			for i, db := range dbs {
				l, err := db.Lease(postgres.LeaseConfig{Holder: fmt.Sprintf("bench-%d", i)})
				require.NoError(b, err)
				if i == 0 {
					_, ok, err := l.Acquire(ctx)
					require.NoError(b, err)
					require.True(b, ok)
				}
				d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: leaseDirectory(b), Clock: carecontact.SystemClock(),
					Store: db.RoutingStore(), Replicated: true, RefreshEvery: time.Hour, Leader: l})
				require.NoError(b, err)
				require.NoError(b, d.Advance(ctx))
				if i == 0 {
					lead = d
				}
				disps = append(disps, d)
			}
			pick := func() *routing.Dispatcher { return disps[rng.IntN(len(disps))] }
			_, err := pick().SetPresence(ctx, "aino", routing.PresenceAvailable)
			require.NoError(b, err)
			require.NoError(b, lead.Refresh(ctx))
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				id := carecontact.ItemID(fmt.Sprintf("chat-%d", i))
				via := pick()
				it, err := via.Enqueue(ctx, id, routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults,
					Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a", Hold: true})
				require.NoError(b, err)
				if it.State != routing.ItemOffered {
					require.NoError(b, lead.Refresh(ctx))
				}
				_, err = pick().Accept(ctx, id, "aino")
				require.NoError(b, err)
				_, err = pick().Finish(ctx, id, "aino")
				require.NoError(b, err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "contacts/s")
		})
	}
}
