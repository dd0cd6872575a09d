package callback_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// Concurrent requests (some joining), an advancing planner and professionals
// taking and completing calls, over two store values sharing one state (two
// replicas): no request is lost and none is called back twice.
func TestConcurrentRequestAcceptComplete(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 8, civil.At(8, 0), civil.At(16, 0))...))
	log := memory.NewAuditLog()
	storeA := memory.NewCallbackStore(log)
	storeB := storeA.Share()
	// One virtual clock that only moves forward, read by both planners:
	// goroutines setting a mock clock each could set it back between a
	// Take and its Complete.
	start := at(2026, 11, 24, 8, 0)
	var clock atomic.Int64
	clock.Store(start.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	svcA, err := callback.New(cfgWith(callback.Config{Clock: carecontact.ClockFunc(now)}, storeA, testRouter(), capa))
	require.NoError(t, err)
	svcB, err := callback.New(cfgWith(callback.Config{Clock: carecontact.ClockFunc(now)}, storeB, testRouter(), capa))
	require.NoError(t, err)

	const clients = 120
	var ids sync.Map // client -> request ID
	var wg, requesters sync.WaitGroup
	for g := range 4 {
		requesters.Add(1)
		go func() {
			defer requesters.Done()
			for i := range clients {
				// Every client asks twice (from two goroutines): the second joins.
				if i%4 != g && (i+1)%4 != g {
					continue
				}
				p, err := svcA.Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent))
				if !assertNoError(t, err) {
					return
				}
				if prev, loaded := ids.LoadOrStore(i, p.Request); loaded && prev != p.Request {
					// Either may already be closed (the goroutine that got
					// the other stored it first); then a new request is
					// fine. Both open at once is the fault.
					a, errA := storeA.Get(ctx, prev.(string))
					b, errB := storeA.Get(ctx, p.Request)
					if assertNoError(t, errA) && assertNoError(t, errB) && a.Open() && b.Open() {
						t.Errorf("client %d got two open requests", i)
					}
				}
			}
		}()
	}
	var done atomic.Bool
	var taken atomic.Int64
	for p := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := svcA
			if p%2 == 1 {
				svc = svcB
			}
			prof := fmt.Sprintf("n-%d", p)
			for !done.Load() {
				r, err := svc.Take(ctx, "team-north", carecontact.ProfessionalID(prof))
				if errors.Is(err, callback.ErrNothingDue) {
					time.Sleep(100 * time.Microsecond)
					continue
				}
				if !assertNoError(t, err) {
					return
				}
				taken.Add(1)
				_, _, err = svc.Complete(ctx, r.ID, carecontact.ProfessionalID(prof), callback.Answered)
				assertNoError(t, err)
			}
		}()
	}
	requestersDone := make(chan struct{})
	go func() { requesters.Wait(); close(requestersDone) }()
	// The planner advances virtual time a minute at a time until every
	// request has been made and closed (at most five virtual days).
advance:
	for range 5 * 24 * 60 {
		clock.Add(int64(time.Minute))
		_, err := svcB.Plan(ctx)
		require.NoError(t, err)
		open, err := storeA.List(ctx, callback.Filter{OpenOnly: true})
		require.NoError(t, err)
		all, err := storeA.List(ctx, callback.Filter{})
		require.NoError(t, err)
		select {
		case <-requestersDone:
			if len(open) == 0 && len(all) >= clients {
				break advance
			}
		default:
		}
		time.Sleep(200 * time.Microsecond)
	}
	done.Store(true)
	wg.Wait()
	<-requestersDone

	all, err := storeA.List(ctx, callback.Filter{})
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, r := range all {
		require.Equal(t, callback.StateClosed, r.State, "request %s not lost", r.ID)
		require.Len(t, r.Calls, 1, "request %s called exactly once", r.ID)
		require.Equal(t, callback.Answered, r.Calls[0].Result)
		seen[string(r.Client)] = true
	}
	require.Len(t, seen, clients, "every client's request is there")
	require.Equal(t, int64(len(all)), taken.Load())
	completes, err := log.Events(ctx, audit.Filter{Action: "callback.complete"})
	require.NoError(t, err)
	perSubject := map[string]int{}
	for _, e := range completes {
		perSubject[e.Subject]++
		require.NotContains(t, fmt.Sprint(e), "401234567")
	}
	for s, n := range perSubject {
		require.Equal(t, 1, n, "%s completed once", s)
	}
}

func assertNoError(t *testing.T, err error) bool {
	t.Helper()
	if err != nil {
		t.Errorf("unexpected error: %v", err)
		return false
	}
	return true
}
