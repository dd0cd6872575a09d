package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// At window time the due callback goes through the routing dispatcher: it
// is offered to a signed-in nurse of the promising team; the nurse accepts
// in routing and the attempt is recorded here; the unanswered first attempt
// comes back 15 minutes later as a new work item.
func TestDispatchThroughRouting(t *testing.T) {
	ctx := context.Background()
	dir := routingDirectory(t)
	now := at(2026, 3, 30, 7, 30)
	clock := carecontact.ClockFunc(func() time.Time { return now })
	disp, err := routing.NewDispatcher(ctx, dir, routing.Options{Clock: clock, Store: memory.NewRoutingStore(nil)})
	require.NoError(t, err)
	_, err = disp.SetPresence(ctx, "n-1", routing.PresenceAvailable)
	require.NoError(t, err)
	n := 0
	svc, err := callback.New(callback.Config{}, memory.NewCallbackStore(nil), callback.RoutingRouter{Directory: dir},
		callback.NewCalendarCapacity(calendars(t)), callback.WithDispatcher(callback.RoutingDispatcher{Dispatcher: disp}),
		callback.WithIDs(func() string { n++; return fmt.Sprintf("cb%d", n) }))
	require.NoError(t, err)

	r := req("c1", callback.NonUrgent)
	r.PostalCode = "00530"
	p, err := svc.Request(ctx, r, now)
	require.NoError(t, err)
	require.Equal(t, "kallio-a", p.Team)

	attempt := func(wantItem routing.ItemID, result callback.Result) {
		t.Helper()
		due := 0
		for range 10 {
			next, ok, err := svc.NextDeadline(ctx, now)
			require.NoError(t, err)
			require.True(t, ok)
			now = next
			evs, err := svc.Advance(ctx, now)
			require.NoError(t, err)
			if due = count(evs, callback.EventDue); due > 0 {
				break
			}
		}
		require.Equal(t, 1, due)
		it, ok := disp.Item(wantItem)
		require.True(t, ok, "item %s enqueued", wantItem)
		require.Equal(t, routing.ItemOffered, it.State)
		require.Equal(t, routing.ProfessionalID("n-1"), it.Professional)
		_, err = disp.Accept(ctx, wantItem, "n-1")
		require.NoError(t, err)
		id, ok := callback.RequestOf(wantItem)
		require.True(t, ok)
		_, err = svc.Accept(ctx, id, "n-1", now)
		require.NoError(t, err)
		now = now.Add(3 * time.Minute)
		_, _, err = svc.Complete(ctx, id, "n-1", result, now)
		require.NoError(t, err)
		_, err = disp.Finish(ctx, wantItem, "n-1")
		require.NoError(t, err)
	}
	attempt("cb1.1", callback.NoAnswer)
	require.Equal(t, at(2026, 3, 30, 8, 0).UTC(), now.Add(-3*time.Minute), "dispatched at window time")
	attempt("cb1.2", callback.Answered)
	require.Equal(t, at(2026, 3, 30, 8, 18).UTC(), now.Add(-3*time.Minute), "retried 15 minutes after the first attempt")
	rec, err := svc.Get(ctx, "cb1")
	require.NoError(t, err)
	require.Equal(t, callback.OutcomeReached, rec.Out)
	require.Len(t, rec.Calls, 2)

	_, ok := callback.RequestOf("no-dot")
	require.False(t, ok)
	_, ok = callback.RequestOf("cb1.x")
	require.False(t, ok)
}
