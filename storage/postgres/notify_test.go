package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
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

// A callback request promised through a follower reaches the leader's
// planner through notification: the leader's Driver sleeps (nothing open,
// MaxWait and the lease's renewals far off) until the follower's write
// notifies carecontact_callback, and its next step makes the request due.
// Without a listener, polling (the Driver's MaxWait) still gets it there.
func TestCallbackRequestReachesLeader(t *testing.T) {
	for _, tc := range []struct {
		name    string
		listen  bool
		maxWait time.Duration
	}{
		{"notified", true, time.Hour},
		{"polled as fallback", false, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dbs := openDBs(t, 2, 4)
			// The planners' and the driver's clock: real time from a Monday
			// 10:05 in Helsinki, so the day has capacity whenever the test runs.
			base, start := time.Date(2026, 11, 23, 10, 5, 0, 0, civil.Helsinki()).UTC(), time.Now()
			clock := carecontact.ClockFunc(func() time.Time { return base.Add(time.Since(start)) })
			lease, err := dbs[0].Lease(postgres.LeaseConfig{Holder: "leader", TTL: 2 * time.Minute, Clock: clock})
			require.NoError(t, err)
			_, ok, err := lease.Acquire(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			capa := callback.NewStaticCapacity(nil)
			require.NoError(t, capa.SetTeam("team-a", callback.Shift{Professional: "n-1", From: civil.At(8, 0), To: civil.At(16, 0)}))
			router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "area-a"},
				Teams: map[carecontact.AreaID]carecontact.TeamID{"area-a": "team-a"}}
			due := make(chan string, 4)
			newPlanner := func(db *postgres.DB, name string, leader carecontact.Leadership) *callback.Planner {
				n := 0
				p, err := callback.New(callback.Config{Audit: db.AuditLog(), Clock: clock, Store: db.CallbackStore(),
					Router: router, Capacity: capa, Leader: leader,
					NewID: func() string { n++; return fmt.Sprintf("cb%s%d", name, n) },
					OnEvent: func(e callback.Event) {
						if e.Kind == callback.EventDue {
							due <- e.Request
						}
					}})
				require.NoError(t, err)
				return p
			}
			leader := newPlanner(dbs[0], "a", lease)
			follower := newPlanner(dbs[1], "b", follows{})

			seen := make(chan struct{}, 16)
			n, err := dbs[0].Notifier(postgres.NotifierConfig{Clock: clock, MinInterval: time.Millisecond,
				OnChange: func(context.Context) error { return nil },
				OnCallbackChange: func(context.Context) error {
					select {
					case seen <- struct{}{}:
					default:
					}
					return nil
				}})
			require.NoError(t, err)
			drv, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{lease, n, leader},
				Clock: clock, MaxWait: tc.maxWait})
			require.NoError(t, err)
			ran := make(chan error, 2)
			go func() { ran <- drv.Run(ctx) }()
			if tc.listen {
				go func() { ran <- n.Listen(ctx) }()
				select { // listening: Listen asks for one refresh on connecting
				case <-seen:
				case <-time.After(30 * time.Second):
					t.Fatal("the notifier did not connect")
				}
			}

			p, err := follower.Request(ctx, callback.Request{Client: "client-1", Phone: "0401234567",
				Errand: channel.ErrandLabResults, PostalCode: "00100", Urgency: callback.NonUrgent})
			require.NoError(t, err)
			require.False(t, p.Window.Start.After(clock.Now()), "its window has begun: %v", p.Window)
			select {
			case id := <-due:
				require.Equal(t, p.Request, id, "the leader made the follower's request due")
			case <-time.After(30 * time.Second):
				t.Fatal("the leader never made the follower's request due")
			}
			if tc.listen {
				select {
				case <-seen:
				default:
					t.Fatal("the follower's write was not notified")
				}
			}
			got, err := dbs[1].CallbackStore().Get(ctx, p.Request)
			require.NoError(t, err)
			require.Equal(t, callback.StateDue, got.State, "the follower sees the leader's decision")
			cancel()
			require.ErrorIs(t, <-ran, context.Canceled)
			if tc.listen {
				require.ErrorIs(t, <-ran, context.Canceled)
			}
		})
	}
}
