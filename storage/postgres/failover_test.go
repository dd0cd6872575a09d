package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

var failoverNurses = []carecontact.ProfessionalID{"aino", "bertil", "cecilia"}

func failoverDirectory(t *testing.T) *routing.Directory {
	t.Helper()
	var profs []routing.Professional
	for _, id := range failoverNurses {
		profs = append(profs, routing.Professional{ID: id, Role: routing.RoleNurse, Languages: []civil.Language{"fi"},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Chat: 1}})
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

// eventLog checks the decisions of every replica as they are made: an item
// is never offered while an offer of it is open, and it remembers every
// (item, professional) offer and every acceptance.
type eventLog struct {
	mu       sync.Mutex
	t        *testing.T
	open     map[carecontact.ItemID]carecontact.ProfessionalID
	offered  map[[2]string]bool
	accepted map[carecontact.ItemID]int
	timedOut []routing.Event
}

func newEventLog(t *testing.T) *eventLog {
	return &eventLog{t: t, open: map[carecontact.ItemID]carecontact.ProfessionalID{}, offered: map[[2]string]bool{},
		accepted: map[carecontact.ItemID]int{}}
}

func (l *eventLog) sink(e routing.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch e.Kind {
	case routing.EventOffered:
		by, open := l.open[e.Item]
		require.False(l.t, open, "%s offered to %s while its offer to %s is open", e.Item, e.Professional, by)
		l.open[e.Item] = e.Professional
		l.offered[[2]string{string(e.Item), string(e.Professional)}] = true
	case routing.EventAccepted:
		l.accepted[e.Item]++
		delete(l.open, e.Item)
	case routing.EventTimedOut:
		l.timedOut = append(l.timedOut, e)
		delete(l.open, e.Item)
	case routing.EventDeclined, routing.EventRescinded, routing.EventNoRoute:
		delete(l.open, e.Item)
	}
}

type replica struct {
	db    *postgres.DB
	lease *postgres.Lease
	disp  *routing.Dispatcher
	dead  bool
}

// alive returns the replicas of rs not marked dead.
func alive(rs []*replica) []*replica {
	var out []*replica
	for _, r := range rs {
		if !r.dead {
			out = append(out, r)
		}
	}
	return out
}

// stepAll advances the lease and then the dispatcher of every live
// replica of rs, as each host's Driver would.
func stepAll(t testing.TB, ctx context.Context, rs []*replica) {
	t.Helper()
	for _, r := range alive(rs) {
		require.NoError(t, r.lease.Advance(ctx))
		require.NoError(t, r.disp.Advance(ctx))
	}
}

// killReplica terminates every connection of db's pool from another
// replica's connection, as when the replica's host is cut off or dies.
func killReplica(t *testing.T, ctx context.Context, victim, other *postgres.DB) {
	t.Helper()
	var pids []uint32
	for _, c := range victim.Pool().AcquireAllIdle(ctx) {
		pids = append(pids, c.Conn().PgConn().PID())
		c.Release()
	}
	require.NotEmpty(t, pids)
	admin, err := pgx.Connect(ctx, dsnOf(other))
	require.NoError(t, err)
	defer admin.Close(ctx)
	for _, pid := range pids {
		var ok bool
		require.NoError(t, admin.QueryRow(ctx, "SELECT pg_terminate_backend($1, 5000)", pid).Scan(&ok))
	}
}

// checkStore checks the invariants over the stored items and
// professionals: the items left are the ones not yet finished, nobody
// holds more than their capacity nor a load other than their items, no
// open offer has a deadline at or before now, and nobody is excluded from
// an item they were never offered.
func checkStore(t *testing.T, ctx context.Context, db *postgres.DB, log *eventLog, want map[carecontact.ItemID]bool, now time.Time) []routing.Item {
	t.Helper()
	store := db.RoutingStore()
	items, err := store.Items(ctx)
	require.NoError(t, err)
	got := map[carecontact.ItemID]bool{}
	load := map[carecontact.ProfessionalID]int{}
	for _, it := range items {
		got[it.ID] = true
		if it.Professional != "" {
			load[it.Professional]++
		}
		if it.State == routing.ItemOffered {
			require.True(t, it.Deadline.After(now), "%s offered with its deadline %s not after now %s", it.ID, it.Deadline, now)
		}
		log.mu.Lock()
		for _, p := range it.Excluded {
			require.True(t, log.offered[[2]string{string(it.ID), string(p)}], "%s excludes %s, who was never offered it", it.ID, p)
		}
		log.mu.Unlock()
	}
	require.Equal(t, want, got, "no item lost, none left over")
	for _, p := range failoverNurses {
		ps, err := store.Professional(ctx, p)
		require.NoError(t, err)
		require.LessOrEqual(t, ps.Load.Chat, ps.Capacity.Chat, "%s over capacity", p)
		require.Equal(t, load[p], ps.Load.Chat, "%s's load is their items", p)
	}
	return items
}

// stuckLeader claims a term it has lost: the zombie of a leader whose host
// froze and woke after the takeover.
type stuckLeader struct{ f carecontact.Fence }

func (s stuckLeader) Leading() (carecontact.Fence, bool) { return s.f, true }

// Three replicas (separate pools, separate dispatchers, each with its own
// lease handle) route chats. Three times the leader is killed while offers
// it made are open: its connections are terminated and its driver stops.
// Another replica takes over within the lease, and at takeover handles the
// offers whose deadlines passed during the outage (at the takeover time,
// re-offered with a deadline from then) and honours the others. No item is
// lost, none offered twice, nobody over capacity or excluded from an item
// they were never offered; a zombie leader of an ended term commits
// nothing.
func TestLeaderKilledMidOffer(t *testing.T) {
	const (
		nReplicas    = 3
		ttl          = 600 * time.Millisecond
		renewEvery   = ttl / 5
		offerTimeout = 30 * time.Second
	)
	ctx := context.Background()
	dbs := openDBs(t, nReplicas, 4)
	vnow := t0
	clock := carecontact.ClockFunc(func() time.Time { return vnow })
	log := newEventLog(t)
	rng := rand.New(rand.NewPCG(14, 3))
	rs := make([]*replica, nReplicas)
	for i, db := range dbs {
		l, err := db.Lease(postgres.LeaseConfig{Holder: fmt.Sprintf("replica-%d", i), TTL: ttl, RenewEvery: renewEvery})
		require.NoError(t, err)
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: failoverDirectory(t), Clock: clock,
			Store: db.RoutingStore(), Replicated: true, Leader: l, OfferTimeout: offerTimeout, Sink: log.sink})
		require.NoError(t, err)
		rs[i] = &replica{db: db, lease: l, disp: d}
	}
	any := func() *replica { a := alive(rs); return a[rng.IntN(len(a))] }
	step := func() { stepAll(t, ctx, rs) }
	// awaitLeader drives the live replicas in real time until one leads
	// and returns it with the number of renewal periods that took.
	awaitLeader := func() (*replica, int) {
		for tries := 0; tries < 50; tries++ {
			step()
			for _, r := range alive(rs) {
				if r.disp.Leading() {
					return r, tries
				}
			}
			time.Sleep(renewEvery)
		}
		t.Fatal("no replica took the lease")
		return nil, 0
	}
	chat := func(i int) routing.Contact {
		return routing.Contact{Client: carecontact.ClientRef(fmt.Sprintf("k-%d", i)), Errand: channel.ErrandLabResults,
			Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a", Hold: true}
	}
	for _, p := range failoverNurses {
		_, err := any().disp.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	want := map[carecontact.ItemID]bool{}
	n := 0
	leader, _ := awaitLeader()
	// The outage of each kill: two pass the deadlines of the open offers,
	// one does not.
	for round, outage := range []time.Duration{45 * time.Second, 10 * time.Second, 45 * time.Second} {
		for range 6 {
			n++
			id := carecontact.ItemID(fmt.Sprintf("chat-%03d", n))
			_, err := any().disp.Enqueue(ctx, id, chat(n))
			require.NoError(t, err)
			want[id] = true
		}
		vnow = vnow.Add(routing.DefaultRefreshEvery)
		step()
		items := checkStore(t, ctx, leader.db, log, want, vnow)
		var open []routing.Item
		for _, it := range items {
			if it.State == routing.ItemOffered {
				open = append(open, it)
			}
		}
		require.NotEmpty(t, open, "round %d: the leader made offers", round)

		// The leader dies with its offers open.
		killReplica(t, ctx, leader.db, any().db)
		leader.dead = true
		old := leader
		tookAt := vnow.Add(outage)
		vnow = tookAt
		var tries int
		leader, tries = awaitLeader()
		require.NotSame(t, old, leader)
		require.LessOrEqual(t, tries, int(ttl/renewEvery)+3, "round %d: taken over within the lease", round)
		t.Logf("round %d: takeover after %d renewal periods of %s (lease %s)", round, tries, renewEvery, ttl)

		items = checkStore(t, ctx, leader.db, log, want, vnow)
		byID := map[carecontact.ItemID]routing.Item{}
		for _, it := range items {
			byID[it.ID] = it
		}
		for _, was := range open {
			now := byID[was.ID]
			if was.Deadline.After(tookAt) {
				require.Equal(t, routing.ItemOffered, now.State, "round %d: %s's offer is honoured until its deadline", round, was.ID)
				require.Equal(t, was.Professional, now.Professional)
				require.Equal(t, was.Deadline, now.Deadline)
				continue
			}
			require.Contains(t, now.Excluded, was.Professional, "round %d: %s timed out", round, was.ID)
		}
		log.mu.Lock()
		for _, e := range log.timedOut {
			require.False(t, e.At.Before(t0), "sanity")
			if e.At.After(vnow.Add(-outage)) {
				require.Equal(t, tookAt, e.At, "round %d: a deadline passed in the outage is handled at the takeover", round)
			}
		}
		log.mu.Unlock()

		if round == 0 {
			// The replaced leader's zombie, which believes it still holds
			// the first term and whose clock runs far ahead, commits
			// nothing: the store refuses every decision it tries.
			before, err := dbs[0].RoutingStore().Items(ctx)
			require.NoError(t, err)
			late := carecontact.ClockFunc(func() time.Time { return vnow.Add(time.Hour) })
			zombie, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: failoverDirectory(t), Clock: late,
				Store: old.db.RoutingStore(), Replicated: true, Leader: stuckLeader{carecontact.Fence{Lease: postgres.DefaultLeaseName, Token: 1}},
				OfferTimeout: offerTimeout, Sink: log.sink})
			require.NoError(t, err)
			require.NoError(t, zombie.Advance(ctx))
			require.False(t, zombie.Leading(), "refused, it stops deciding")
			after, err := dbs[0].RoutingStore().Items(ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "the zombie changed nothing")
		}

		// The desks answer through random replicas: every open offer is
		// accepted and finished.
		for _, it := range items {
			switch it.State {
			case routing.ItemOffered:
				_, err := any().disp.Accept(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				_, err = any().disp.Finish(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				delete(want, it.ID)
			case routing.ItemAccepted:
				_, err := any().disp.Finish(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				delete(want, it.ID)
			}
		}
		vnow = vnow.Add(routing.DefaultRefreshEvery)
		step()
		checkStore(t, ctx, leader.db, log, want, vnow)
		// The dead replica restarts as a follower on a new pool handle.
		if round < 2 {
			old.dead = false
			l, err := old.db.Lease(postgres.LeaseConfig{Holder: fmt.Sprintf("replica-%d-r%d", round, round), TTL: ttl, RenewEvery: renewEvery})
			require.NoError(t, err)
			old.lease = l
			old.disp, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: failoverDirectory(t), Clock: clock,
				Store: old.db.RoutingStore(), Replicated: true, Leader: l, OfferTimeout: offerTimeout, Sink: log.sink})
			require.NoError(t, err)
		}
	}
	// The rest of the day: offers are answered until every item is done.
	for tries := 0; len(want) > 0 && tries < 40; tries++ {
		items := checkStore(t, ctx, leader.db, log, want, vnow)
		for _, it := range items {
			switch it.State {
			case routing.ItemOffered:
				_, err := any().disp.Accept(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				_, err = any().disp.Finish(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				delete(want, it.ID)
			case routing.ItemAccepted:
				_, err := any().disp.Finish(ctx, it.ID, it.Professional)
				require.NoError(t, err)
				delete(want, it.ID)
			}
		}
		vnow = vnow.Add(routing.DefaultRefreshEvery)
		step()
	}
	require.Empty(t, want, "every item handled")
	checkStore(t, ctx, leader.db, log, want, vnow)
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Len(t, log.accepted, n)
	for id, k := range log.accepted {
		require.Equal(t, 1, k, "%s accepted once", id)
	}
}
