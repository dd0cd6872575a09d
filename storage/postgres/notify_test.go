package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// A change through one replica's store wakes the other replica's
// Notifier, whose Advance then calls OnChange once for the burst.
func TestNotifierWakesOnChange(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbs := openDBs(t, 2, 2)
	calls := 0
	n, err := dbs[0].Notifier(postgres.NotifierConfig{OnChange: func(context.Context) error { calls++; return nil }, MinInterval: time.Nanosecond})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- n.Listen(ctx) }()
	await := func(what string) {
		t.Helper()
		select {
		case <-n.Wake():
		case <-time.After(10 * time.Second):
			t.Fatalf("no wake: %s", what)
		}
		// Give the burst's other notifications a moment to arrive.
		time.Sleep(10 * time.Millisecond)
		require.NoError(t, n.Advance(ctx))
	}
	await("listening")
	require.Equal(t, 1, calls, "a refresh once listening: changes before were missed")

	store := dbs[1].RoutingStore()
	_, err = store.RegisterProfessional(ctx, "aino", routing.Capacity{Chat: 1}, t0)
	require.NoError(t, err)
	await("a professional registered on the other replica")
	require.Equal(t, 2, calls)
	_, err = store.CreateItem(ctx, workItem(1), nil)
	require.NoError(t, err)
	await("an item created on the other replica")
	require.Equal(t, 3, calls)
	_, ok, err := n.NextDeadline(ctx)
	require.NoError(t, err)
	require.False(t, ok, "nothing pending")

	_, err = dbs[0].Notifier(postgres.NotifierConfig{})
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// BenchmarkFollowerToLeader measures the latency from a follower's
// enqueue to the leader's offer of the item, with the leader driven by a
// carecontact.Driver on the system clock: woken by LISTEN/NOTIFY (at most
// one refresh per MinInterval: the default, 50 ms, and 5 ms), and by
// polling alone every 500 ms. Reported as p50 and p99 in milliseconds.
func BenchmarkFollowerToLeader(b *testing.B) {
	for _, tc := range []struct {
		name     string
		notify   bool
		interval time.Duration
	}{{"notify-default", true, 0}, {"notify-5ms", true, 5 * time.Millisecond}, {"poll-500ms", false, 0}} {
		notify := tc.notify
		b.Run(tc.name, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dbs := openDBs(b, 2, 4)
			offered := make(chan carecontact.ItemID, 16)
			lease, err := dbs[0].Lease(postgres.LeaseConfig{TTL: 5 * time.Second})
			require.NoError(b, err)
			_, ok, err := lease.Acquire(ctx)
			require.NoError(b, err)
			require.True(b, ok)
			newDisp := func(db *postgres.DB, leader carecontact.Leadership, sink routing.Sink) *routing.Dispatcher {
				d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: leaseDirectory(b), Clock: carecontact.SystemClock(),
					Store: db.RoutingStore(), Replicated: true, RefreshEvery: 500 * time.Millisecond, Leader: leader, Sink: sink})
				require.NoError(b, err)
				return d
			}
			leader := newDisp(dbs[0], lease, func(e routing.Event) {
				if e.Kind == routing.EventOffered {
					offered <- e.Item
				}
			})
			follower := newDisp(dbs[1], follows{}, nil)
			parts := []carecontact.Driven{lease}
			if notify {
				n, err := dbs[0].Notifier(postgres.NotifierConfig{OnChange: leader.Refresh, MinInterval: tc.interval})
				require.NoError(b, err)
				go func() { _ = n.Listen(ctx) }()
				parts = append(parts, n)
			}
			parts = append(parts, leader)
			drv, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: parts})
			require.NoError(b, err)
			go func() { _ = drv.Run(ctx) }()
			_, err = follower.SetPresence(ctx, "aino", routing.PresenceAvailable)
			require.NoError(b, err)

			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				id := carecontact.ItemID(fmt.Sprintf("chat-%d", i))
				start := time.Now()
				_, err := follower.Enqueue(ctx, id, routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults,
					Channel: channel.Chat, PostalCode: "00530", OwnTeam: "kallio-a", Hold: true})
				require.NoError(b, err)
				for got := <-offered; got != id; got = <-offered {
				}
				lat = append(lat, time.Since(start))
				_, err = follower.Accept(ctx, id, "aino")
				require.NoError(b, err)
				_, err = follower.Finish(ctx, id, "aino")
				require.NoError(b, err)
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds())/1000, "p99-ms")
		})
	}
}

// follows is a Leadership that never leads.
type follows struct{}

func (follows) Leading() (carecontact.Fence, bool) { return carecontact.Fence{}, false }
