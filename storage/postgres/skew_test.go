package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// skewedClock is the system clock off by skew.
func skewedClock(skew time.Duration) carecontact.Clock {
	return carecontact.ClockFunc(func() time.Time { return time.Now().Add(skew) })
}

// Three replicas whose own clocks are 30 s behind, right and 30 s ahead.
// Their leases schedule on those clocks, but the term is decided on the
// database's clock: while the leader renews, no follower takes over,
// however far ahead its clock runs. Their dispatchers decide on
// DB.DatabaseClock over their own clocks. The leader (the replica 30 s
// behind) makes two offers and dies; a replica up to 60 s ahead of it
// takes over and times neither offer out before its deadline: one is
// accepted through the replica furthest ahead 5 s before it, the other
// times out at it.
func TestLeaderClockSkew(t *testing.T) {
	const (
		ttl          = 3 * time.Second // long enough that a loaded machine under -race renews in time
		renewEvery   = ttl / 5
		offerTimeout = 30 * time.Second
	)
	ctx := context.Background()
	skews := []time.Duration{-30 * time.Second, 0, 30 * time.Second}
	dbs := openDBs(t, len(skews), 4)
	vnow := t0
	// dbAt is the database's time corresponding to the test's virtual
	// time: the true time every replica should agree on.
	var dbOffset time.Duration
	dbAt := func() time.Time { return vnow.Add(dbOffset) }
	log := newEventLog(t)
	deadlines := map[carecontact.ItemID]time.Time{}
	sink := func(e routing.Event) {
		switch e.Kind {
		case routing.EventOffered:
			deadlines[e.Item] = e.At.Add(offerTimeout)
		case routing.EventTimedOut:
			require.False(t, dbAt().Add(time.Second).Before(deadlines[e.Item]),
				"%s timed out at %s, before its deadline %s", e.Item, dbAt(), deadlines[e.Item])
		}
		log.sink(e)
	}
	rs := make([]*replica, len(skews))
	for i, db := range dbs {
		l, err := db.Lease(postgres.LeaseConfig{Holder: fmt.Sprintf("replica-%d", i), TTL: ttl, RenewEvery: renewEvery,
			Clock: skewedClock(skews[i])})
		require.NoError(t, err)
		own := carecontact.ClockFunc(func() time.Time { return vnow.Add(skews[i]) })
		clock, off, err := db.DatabaseClock(ctx, own)
		require.NoError(t, err)
		if i == 1 {
			dbOffset = off
		}
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: failoverDirectory(t), Clock: clock,
			Store: db.RoutingStore(), Replicated: true, Leader: l, OfferTimeout: offerTimeout, Sink: sink})
		require.NoError(t, err)
		rs[i] = &replica{db: db, lease: l, disp: d}
	}
	step := func() { stepAll(t, ctx, rs) }

	// The replica 30 s behind takes the lease; the others, ahead of it,
	// try for five renewal periods and cannot.
	f, ok, err := rs[0].lease.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	for range 5 {
		step()
		time.Sleep(renewEvery)
	}
	for i, r := range rs {
		lf, leading := r.lease.Leading()
		require.Equal(t, i == 0, leading, "replica %d", i)
		if leading {
			require.Equal(t, f, lf, "one term throughout")
		}
	}
	require.True(t, rs[0].disp.Leading())

	for _, p := range failoverNurses[:2] {
		_, err := rs[2].disp.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	for i := range 2 {
		_, err := rs[1].disp.Enqueue(ctx, carecontact.ItemID(fmt.Sprintf("chat-%d", i)), routing.Contact{
			Client: carecontact.ClientRef(fmt.Sprintf("k-%d", i)), Errand: channel.ErrandLabResults, Channel: channel.Chat,
			PostalCode: "00530", OwnTeam: "kallio-a", Hold: true})
		require.NoError(t, err)
	}
	vnow = vnow.Add(routing.DefaultRefreshEvery)
	step()
	store := dbs[1].RoutingStore()
	offers := map[carecontact.ItemID]routing.Item{}
	for i := range 2 {
		it, err := store.Item(ctx, carecontact.ItemID(fmt.Sprintf("chat-%d", i)))
		require.NoError(t, err)
		require.Equal(t, routing.ItemOffered, it.State, "the leader offered %s", it.ID)
		offers[it.ID] = it
	}

	// The leader dies; a replica ahead of it takes over 20 s into the
	// offers.
	killReplica(t, ctx, dbs[0], dbs[1])
	rs[0].dead = true
	vnow = vnow.Add(20 * time.Second)
	var leader *replica
	for tries := 0; leader == nil && tries < 50; tries++ {
		step()
		for _, r := range rs[1:] {
			if r.disp.Leading() {
				leader = r
			}
		}
		time.Sleep(renewEvery)
	}
	require.NotNil(t, leader, "taken over")
	for id, was := range offers {
		it, err := store.Item(ctx, id)
		require.NoError(t, err)
		require.Equal(t, routing.ItemOffered, it.State, "%s not timed out early by a clock ahead", id)
		require.Equal(t, was.Deadline, it.Deadline)
	}

	// 5 s before the deadline, the first is accepted through the replica
	// furthest ahead; at the deadline the second times out.
	vnow = offers["chat-0"].Deadline.Add(-dbOffset - 5*time.Second)
	step()
	_, err = rs[2].disp.Accept(ctx, "chat-0", offers["chat-0"].Professional)
	require.NoError(t, err, "accepted 5 s before its deadline, on a clock 30 s ahead")
	vnow = offers["chat-1"].Deadline.Add(-dbOffset + time.Millisecond)
	step()
	it, err := store.Item(ctx, "chat-1")
	require.NoError(t, err)
	require.Contains(t, it.Excluded, offers["chat-1"].Professional, "timed out at its deadline")
	require.NotEqual(t, routing.ItemAccepted, it.State)
}
