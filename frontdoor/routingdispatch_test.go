package frontdoor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
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
	disp, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: memory.NewRoutingStore(nil)})
	require.NoError(t, err)
	_, err = disp.SetPresence(ctx, "n-1", routing.PresenceAvailable)
	require.NoError(t, err)
	n := 0
	svc, err := callback.New(callback.Config{Audit: memory.NewAuditLog(), Clock: clock, Store: memory.NewCallbackStore(nil),
		Router: frontdoor.RoutingRouter{Directory: dir}, Capacity: frontdoor.NewCalendarCapacity(calendars(t)),
		Dispatcher: frontdoor.RoutingDispatcher{Dispatcher: disp}, NewID: func() string { n++; return fmt.Sprintf("cb%d", n) }})
	require.NoError(t, err)

	r := req("c1", callback.NonUrgent)
	r.PostalCode = "00530"
	p, err := svc.Request(ctx, r)
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("kallio-a"), p.Team)

	attempt := func(wantItem carecontact.ItemID, result callback.Result) {
		t.Helper()
		due := 0
		for range 10 {
			next, ok, err := svc.NextDeadline(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			now = next
			evs, err := svc.Plan(ctx)
			require.NoError(t, err)
			if due = count(evs, callback.EventDue); due > 0 {
				break
			}
		}
		require.Equal(t, 1, due)
		it, ok := disp.Item(wantItem)
		require.True(t, ok, "item %s enqueued", wantItem)
		require.Equal(t, routing.ItemOffered, it.State)
		require.Equal(t, carecontact.ProfessionalID("n-1"), it.Professional)
		_, err = disp.Accept(ctx, wantItem, "n-1")
		require.NoError(t, err)
		id, ok := frontdoor.RequestOf(wantItem)
		require.True(t, ok)
		_, err = svc.Accept(ctx, id, "n-1")
		require.NoError(t, err)
		now = now.Add(3 * time.Minute)
		_, _, err = svc.Complete(ctx, id, "n-1", result)
		require.NoError(t, err)
		_, err = disp.Finish(ctx, wantItem, "n-1")
		require.NoError(t, err)
	}
	attempt("cb1.1", callback.NoAnswer)
	require.Equal(t, at(2026, 3, 30, 8, 0).UTC(), now.Add(-3*time.Minute), "dispatched at window time")
	attempt("cb1.2", callback.Answered)
	require.Equal(t, at(2026, 3, 30, 8, 18).UTC(), now.Add(-3*time.Minute), "retried 15 minutes after the first attempt")
	rec, err := svc.Get(ctx, audit.System("test"), "cb1")
	require.NoError(t, err)
	require.Equal(t, callback.OutcomeReached, rec.Out)
	require.Len(t, rec.Calls, 2)

	_, ok := frontdoor.RequestOf("no-dot")
	require.False(t, ok)
	_, ok = frontdoor.RequestOf("cb1.x")
	require.False(t, ok)
}

// widening is a callback request of a Kallio client made due at 08:00 and
// offered to n-1 through routing, whose team's callback duty ends at 08:30;
// the neighbour team Vallila (n-3) is on duty from vallilaFrom. signedIn are
// the professionals available in routing.
type widening struct {
	svc  *callback.Planner
	disp *routing.Dispatcher
	now  time.Time
	due  []callback.Event // of the 08:00 Advance
}

func newWidening(t *testing.T, vallilaFrom civil.TimeOfDay, signedIn ...carecontact.ProfessionalID) *widening {
	t.Helper()
	ctx := context.Background()
	dir := routingDirectory(t)
	w := &widening{now: at(2026, 3, 30, 7, 30)}
	clock := carecontact.ClockFunc(func() time.Time { return w.now })
	var err error
	w.disp, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: memory.NewRoutingStore(nil), OfferTimeout: time.Hour})
	require.NoError(t, err)
	for _, p := range signedIn {
		_, err = w.disp.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("kallio-a", callback.Shift{Professional: "n-1", From: civil.At(8, 0), To: civil.At(8, 30)}))
	require.NoError(t, capa.SetTeam("vallila-a", callback.Shift{Professional: "n-3", From: vallilaFrom, To: civil.At(16, 0)}))
	w.svc, err = callback.New(callback.Config{Audit: memory.NewAuditLog(), Clock: clock, Store: memory.NewCallbackStore(nil),
		Router: frontdoor.RoutingRouter{Directory: dir}, Capacity: capa,
		Dispatcher: frontdoor.RoutingDispatcher{Dispatcher: w.disp}, NewID: func() string { return "cb1" }})
	require.NoError(t, err)
	r := req("c1", callback.NonUrgent)
	r.PostalCode = "00530"
	p, err := w.svc.Request(ctx, r)
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("kallio-a"), p.Team)
	w.now = at(2026, 3, 30, 8, 0)
	w.due, err = w.svc.Plan(ctx)
	require.NoError(t, err)
	first, ok := w.disp.Item("cb1.1")
	require.True(t, ok)
	require.Equal(t, carecontact.ProfessionalID("n-1"), first.Professional, "offered to the promising team")
	return w
}

// A due request whose team can no longer keep its window is widened to the
// neighbour area's team and dispatched again: the waiting routing item is
// rescinded and a new one, with the new team first, takes its place.
func TestWidenedDueRequestIsDispatchedAgain(t *testing.T) {
	ctx := context.Background()
	w := newWidening(t, civil.At(8, 0), "n-1", "n-3")
	require.Equal(t, 1, count(w.due, callback.EventDue))

	w.now = at(2026, 3, 30, 8, 31) // n-1 did not take it
	evs, err := w.svc.Plan(ctx)
	require.NoError(t, err, "dispatching again must not collide with the waiting item")
	require.Equal(t, 1, count(evs, callback.EventWidened))
	require.Equal(t, 1, count(evs, callback.EventDue))
	rec, err := w.svc.Get(ctx, audit.System("test"), "cb1")
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("vallila-a"), rec.Team)
	require.Equal(t, 2, rec.Dispatches)
	require.Equal(t, carecontact.ItemID("cb1.2"), frontdoor.ItemOf(rec))
	if old, ok := w.disp.Item("cb1.1"); ok {
		require.NotEqual(t, routing.ItemOffered, old.State, "the first item is rescinded")
	}
	require.NoError(t, frontdoor.RoutingDispatcher{Dispatcher: w.disp}.Dispatch(ctx, rec), "dispatching again is idempotent")
	second, ok := w.disp.Item("cb1.2")
	require.True(t, ok)
	require.Equal(t, routing.ItemOffered, second.State)
	require.Equal(t, carecontact.ProfessionalID("n-3"), second.Professional)
	_, err = w.disp.Accept(ctx, "cb1.2", "n-3")
	require.NoError(t, err)
	_, err = w.svc.Accept(ctx, "cb1", "n-3")
	require.NoError(t, err)
}

// A due request is widened only to a team that can call at once: its
// dispatch is never taken back, so a team that could call only later leaves
// it due where it is (routing widens the waiting item by its own policy)
// and the broken promise is reported.
func TestDueRequestIsNotWidenedIntoALaterWindow(t *testing.T) {
	ctx := context.Background()
	w := newWidening(t, civil.At(9, 0), "n-1")

	w.now = at(2026, 3, 30, 8, 31)
	evs, err := w.svc.Plan(ctx)
	require.NoError(t, err)
	require.Zero(t, count(evs, callback.EventWidened))
	require.Zero(t, count(evs, callback.EventDue))
	require.Positive(t, count(evs, callback.EventPromiseAtRisk)+count(evs, callback.EventReportedToLead))
	rec, err := w.svc.Get(ctx, audit.System("test"), "cb1")
	require.NoError(t, err)
	require.Equal(t, callback.StateDue, rec.State, "still due: its routing item is still waiting")
	require.Equal(t, carecontact.TeamID("kallio-a"), rec.Team)
	it, ok := w.disp.Item(frontdoor.ItemOf(rec))
	require.True(t, ok)
	require.Equal(t, routing.ItemOffered, it.State)
}

// When the previous dispatch was already accepted in routing but the host
// has not yet told the Planner, dispatching again would call the client
// twice: Advance reports a conflict and enqueues nothing new, and the
// professional's Accept still goes through.
func TestRedispatchOfAnAcceptedItemIsAConflict(t *testing.T) {
	ctx := context.Background()
	w := newWidening(t, civil.At(8, 0), "n-1", "n-3")
	_, err := w.disp.Accept(ctx, "cb1.1", "n-1")
	require.NoError(t, err)

	w.now = at(2026, 3, 30, 8, 31)
	_, err = w.svc.Plan(ctx)
	require.ErrorIs(t, err, callback.ErrConflict)
	_, ok := w.disp.Item("cb1.2")
	require.False(t, ok, "no second item while the first is being called")
	rec, err := w.svc.Accept(ctx, "cb1", "n-1")
	require.NoError(t, err)
	require.Equal(t, callback.StateInCall, rec.State)
}
