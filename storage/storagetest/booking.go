package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

var bookingT0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func bookingEvent(action, id string, client carecontact.ClientRef) audit.Event {
	return audit.Event{At: bookingT0, Actor: audit.Actor{Kind: audit.ActorClient, ID: string(client)}, Action: action,
		Subject: "appointment/" + id, Client: client, Outcome: audit.Allowed}
}

// claimReq builds a claim of owners for [start, start+30min) + offset.
func claimReq(id string, client carecontact.ClientRef, start time.Time, status booking.Status, holdUntil time.Time, owners ...booking.CalendarID) booking.ClaimRequest {
	a := booking.Appointment{ID: id, Area: "north", Service: "nurse-visit", Client: client, Participants: owners,
		Start: start, End: start.Add(30 * time.Minute), Status: status, Channel: channel.InPerson,
		Block: booking.BlockSelfService, HoldUntil: holdUntil, Created: bookingT0, Updated: bookingT0, Version: 1}
	req := booking.ClaimRequest{Appointment: a, Now: bookingT0, Events: []audit.Event{bookingEvent("booking.book", id, client)}}
	for _, o := range owners {
		req.Claims = append(req.Claims, booking.Claim{Owner: o, Appointment: id,
			Interval: booking.Interval{Start: start, End: a.End}, Expires: holdUntil})
	}
	return req
}

func transitionTo(a booking.Appointment, s booking.Status, now time.Time) booking.TransitionRequest {
	n := a.Clone()
	n.Status, n.Version, n.Updated = s, a.Version+1, now
	if s != booking.StatusPending {
		n.HoldUntil = time.Time{}
	}
	return booking.TransitionRequest{Next: n, Now: now, Events: []audit.Event{bookingEvent("booking."+string(s), a.ID, a.Client)}}
}

// claimed claims req on s and returns the stored appointment.
func claimed(t *testing.T, s booking.Store, req booking.ClaimRequest) booking.Appointment {
	t.Helper()
	require.NoError(t, s.Claim(t.Context(), req))
	a, err := s.Appointment(t.Context(), req.Appointment.ID)
	require.NoError(t, err)
	return a
}

// runBooking runs the booking.Store cases, each as a parallel subtest over
// backing state of its own from h.Booking.
func runBooking(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Harness)
	}{
		{"book if free", testBookingBookIfFree},
		{"holds count as taken until they expire", testBookingHoldsTakeTime},
		{"confirm makes a hold permanent", testBookingConfirm},
		{"transitions", testBookingTransitions},
		{"cancel releases the time", testBookingCancel},
		{"client limit", testBookingClientLimit},
		{"reschedule is atomic", testBookingReschedule},
		{"waitlist", testBookingWaitlist},
		{"reschedule offers the freed time to a waiter in the same operation", testBookingRescheduleOffer},
		{"audit events are written with the change", testBookingAuditEvents},
		{"race: one winner per slot", testBookingRaceForSlot},
		{"a professional and a room are claimed together or not at all", testBookingProfessionalAndRoom},
		{"race: one booking for the last room", testBookingRaceForLastRoom},
		{"shared slots hold up to their capacity", testBookingSharedSlots},
		{"race: N winners for a shared slot of capacity N", testBookingRaceForSharedSlot},
		{"race: concurrent transitions of one appointment", testBookingRaceTransitions},
		{"span store agrees with Busy", testBookingSpans},
		{"span store opens shared slots with seats left", testBookingSpanSeats},
		{"an invitation books once", testBookingInvitationOnce},
		{"race: one booking per invitation", testBookingInvitationRace},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, h)
		})
	}
	runBookingCalendars(t, h)
}

// bookingAt returns the time min minutes after 08:00 UTC on the day after
// bookingT0.
func bookingAt(min int) time.Time {
	return bookingT0.Add(24*time.Hour + time.Duration(min)*time.Minute)
}

// testBookingBookIfFree checks that a claim succeeds only on free time,
// writes nothing when refused, and that touching intervals do not overlap.
func testBookingBookIfFree(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	require.NoError(t, s.Claim(ctx, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1", "room-1")))
	tests := []struct {
		name   string
		req    booking.ClaimRequest
		target error
	}{
		{"same time same nurse", claimReq("a2", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"), booking.ErrSlotTaken},
		{"overlapping room", claimReq("a3", "c2", bookingAt(15), booking.StatusBooked, time.Time{}, "nurse-2", "room-1"), booking.ErrSlotTaken},
		{"repeated id", claimReq("a1", "c2", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-2"), booking.ErrExists},
		{"empty claims", func() booking.ClaimRequest {
			r := claimReq("a4", "c2", bookingAt(60), booking.StatusBooked, time.Time{})
			return r
		}(), booking.ErrInvalid},
		{"hold in the past", claimReq("a5", "c2", bookingAt(60), booking.StatusPending, bookingT0, "nurse-2"), booking.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, s.Claim(ctx, tc.req), tc.target)
			_, err := s.Appointment(ctx, tc.req.Appointment.ID)
			if tc.req.Appointment.ID != "a1" {
				require.ErrorIs(t, err, booking.ErrNotFound, "nothing half-written")
			}
		})
	}
	// Touching intervals do not overlap.
	require.NoError(t, s.Claim(ctx, claimReq("a6", "c2", bookingAt(30), booking.StatusBooked, time.Time{}, "nurse-1", "room-1")))
	busy, err := s.Busy(ctx, []booking.CalendarID{"nurse-1", "room-1", "nurse-9"}, booking.Interval{Start: bookingAt(0), End: bookingAt(60)}, bookingT0)
	require.NoError(t, err)
	require.Len(t, busy, 4)
	require.Equal(t, booking.CalendarID("nurse-1"), busy[0].Owner)
	require.Equal(t, "a1", busy[0].Appointment)
	require.Equal(t, "a6", busy[1].Appointment)
	got, err := s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, []booking.CalendarID{"nurse-1", "room-1"}, got.Participants)
	require.Equal(t, time.UTC, got.Start.Location())
}

// testBookingHoldsTakeTime checks that a live hold takes its time and an
// expired one does not and can no longer be confirmed, with NextHoldExpiry
// and ExpiredHolds.
func testBookingHoldsTakeTime(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	until := bookingT0.Add(10 * time.Minute)
	require.NoError(t, s.Claim(ctx, claimReq("h1", "c1", bookingAt(0), booking.StatusPending, until, "nurse-1")))
	require.ErrorIs(t, s.Claim(ctx, claimReq("b1", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")), booking.ErrSlotTaken)
	next, ok, err := s.NextHoldExpiry(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, next.Equal(until))
	late := claimReq("b2", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")
	late.Now = until
	require.NoError(t, s.Claim(ctx, late), "an expired hold no longer takes the time")
	h1, err := s.Appointment(ctx, "h1")
	require.NoError(t, err)
	require.ErrorIs(t, s.Transition(ctx, transitionTo(h1, booking.StatusBooked, until)), booking.ErrHoldExpired)
	exp, err := s.ExpiredHolds(ctx, until, 10)
	require.NoError(t, err)
	require.Len(t, exp, 1)
	require.NoError(t, s.Transition(ctx, transitionTo(h1, booking.StatusCancelled, until)))
	exp, err = s.ExpiredHolds(ctx, until, 10)
	require.NoError(t, err)
	require.Empty(t, exp)
}

// testBookingConfirm checks that confirming a hold makes its claims
// permanent.
func testBookingConfirm(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	until := bookingT0.Add(10 * time.Minute)
	h1 := claimed(t, s, claimReq("h1", "c1", bookingAt(0), booking.StatusPending, until, "nurse-1"))
	require.NoError(t, s.Transition(ctx, transitionTo(h1, booking.StatusBooked, bookingT0.Add(time.Minute))))
	later := claimReq("b1", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")
	later.Now = until.Add(time.Hour)
	require.ErrorIs(t, s.Claim(ctx, later), booking.ErrSlotTaken)
	_, ok, err := s.NextHoldExpiry(ctx)
	require.NoError(t, err)
	require.False(t, ok)
}

// testBookingTransitions checks the version compare-and-set and the legal
// transitions (a status never goes to itself).
func testBookingTransitions(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	a1 := claimed(t, s, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"))
	stale := transitionTo(a1, booking.StatusCancelled, bookingT0)
	stale.Next.Version = 5
	require.ErrorIs(t, s.Transition(ctx, stale), booking.ErrConflict)
	require.ErrorIs(t, s.Transition(ctx, transitionTo(a1, booking.StatusWaitlist, bookingT0)), booking.ErrIllegalTransition)
	require.ErrorIs(t, s.Transition(ctx, transitionTo(a1, booking.StatusBooked, bookingT0)), booking.ErrIllegalTransition,
		"a status never goes to itself")
	moved := transitionTo(a1, booking.StatusCancelled, bookingT0)
	moved.Next.Start = moved.Next.Start.Add(time.Hour)
	require.ErrorIs(t, s.Transition(ctx, moved), booking.ErrInvalid)
	missing := transitionTo(a1, booking.StatusCancelled, bookingT0)
	missing.Next.ID = "nope"
	require.ErrorIs(t, s.Transition(ctx, missing), booking.ErrNotFound)
	require.NoError(t, s.Transition(ctx, transitionTo(a1, booking.StatusFulfilled, bookingT0)))
	a1, err := s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusFulfilled, a1.Status)
	require.Equal(t, 2, a1.Version)
	require.ErrorIs(t, s.Transition(ctx, transitionTo(a1, booking.StatusCancelled, bookingT0)), booking.ErrIllegalTransition)
	require.ErrorIs(t, s.Claim(ctx, claimReq("a2", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")), booking.ErrSlotTaken,
		"a fulfilled appointment keeps its time")
}

// testBookingCancel checks that a cancellation releases the appointment's
// time and that the store keeps its reason, the text and the codes.
func testBookingCancel(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	a1 := claimed(t, s, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"))
	cancel := transitionTo(a1, booking.StatusCancelled, bookingT0)
	codes := []booking.ReasonCode{{System: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", Code: "pat-cpp", Display: "Patient: Canceled via Patient Portal"}, {Code: "local"}}
	cancel.Next.CancelReason, cancel.Next.CancelCodes = "ill", codes
	require.NoError(t, s.Transition(ctx, cancel))
	got, err := s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, "ill", got.CancelReason)
	require.Equal(t, codes, got.CancelCodes)
	require.NoError(t, s.Claim(ctx, claimReq("a2", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")))
}

// testBookingClientLimit checks the per-client limit of a claim: it
// counts the client's active self-booked appointments of the service that
// start in the window, not those professionals booked for the client.
func testBookingClientLimit(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	lim := func(r booking.ClaimRequest) booking.ClaimRequest {
		r.Appointment.SelfBooked = true
		r.Limit = &booking.ClientLimit{Service: "nurse-visit", From: bookingAt(-600), To: bookingAt(600), Max: 2}
		return r
	}
	for _, step := range []struct {
		name string
		req  booking.ClaimRequest
		want error
	}{
		{"a professional's booking", claimReq("p1", "c1", bookingAt(-60), booking.StatusBooked, time.Time{}, "nurse-2"), nil},
		{"another professional's booking", claimReq("p2", "c1", bookingAt(-120), booking.StatusBooked, time.Time{}, "nurse-2"), nil},
		{"first self-booking", lim(claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")), nil},
		{"second self-booking", lim(claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1")), nil},
		{"third self-booking", lim(claimReq("a3", "c1", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1")), booking.ErrLimitReached},
		{"another client", lim(claimReq("a4", "c2", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1")), nil},
	} {
		err := s.Claim(ctx, step.req)
		if step.want == nil {
			require.NoError(t, err, step.name)
		} else {
			require.ErrorIs(t, err, step.want, step.name)
		}
	}
	as, err := s.ClientAppointments(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, as, 4)
	require.Equal(t, "p2", as[0].ID)
}

// testBookingReschedule checks that a reschedule takes the new time and
// frees the old in one operation, or changes nothing.
func testBookingReschedule(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	a1 := claimed(t, s, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"))
	require.NoError(t, s.Claim(ctx, claimReq("x", "c2", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1")))
	// Target taken: nothing changes.
	err := s.Reschedule(ctx, transitionTo(a1, booking.StatusCancelled, bookingT0), claimReq("a2", "c1", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1"), nil)
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	a1again, err := s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, a1again.Status)
	require.ErrorIs(t, s.Claim(ctx, claimReq("y", "c3", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")), booking.ErrSlotTaken)
	// Overlapping its own old time is fine.
	require.NoError(t, s.Reschedule(ctx, transitionTo(a1, booking.StatusCancelled, bookingT0), claimReq("a2", "c1", bookingAt(15), booking.StatusBooked, time.Time{}, "nurse-1"), nil))
	a1, err = s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, a1.Status)
	busy, err := s.Busy(ctx, []booking.CalendarID{"nurse-1"}, booking.Interval{Start: bookingAt(0), End: bookingAt(60)}, bookingT0)
	require.NoError(t, err)
	require.Len(t, busy, 1)
	require.Equal(t, "a2", busy[0].Appointment)
}

// testBookingWaitlist checks adding waiters and handing freed time to one in
// the operation that frees it.
func testBookingWaitlist(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	for i, c := range []string{"w-late", "w-early"} {
		w := booking.WaitEntry{ID: c, Area: "north", Service: "nurse-visit", Client: carecontact.ClientRef("client-" + c), Since: bookingT0.Add(time.Duration(1-i) * time.Hour)}
		require.NoError(t, s.AddWaiter(ctx, w, []audit.Event{bookingEvent("booking.wait", c, w.Client)}))
	}
	require.ErrorIs(t, s.AddWaiter(ctx, booking.WaitEntry{ID: "w-late", Area: "north", Service: "nurse-visit", Client: "x", Since: bookingT0}, nil), booking.ErrExists)
	ws, err := s.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Equal(t, "w-early", ws[0].ID)
	require.Len(t, ws, 2)
	a1 := claimed(t, s, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"))
	cancel := transitionTo(a1, booking.StatusCancelled, bookingT0)
	offer := claimReq("o1", "client-w-early", bookingAt(0), booking.StatusPending, bookingT0.Add(time.Hour), "nurse-1")
	require.ErrorIs(t, s.TakeWaiter(ctx, "nobody", &cancel, offer), booking.ErrNotFound)
	a1, err = s.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, a1.Status, "nothing half-written")
	require.NoError(t, s.TakeWaiter(ctx, "w-early", &cancel, offer))
	ws, err = s.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Len(t, ws, 1)
	o1, err := s.Appointment(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, o1.Status)
}

// testBookingRescheduleOffer checks that a reschedule offers the freed time
// to a waiting client in the same operation, or changes nothing.
func testBookingRescheduleOffer(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 2)
	s := stores[0]
	w := booking.WaitEntry{ID: "w1", Area: "north", Service: "nurse-visit", Client: "c9", Since: bookingT0}
	require.NoError(t, s.AddWaiter(ctx, w, []audit.Event{bookingEvent("booking.wait", "w1", "c9")}))
	a1 := claimed(t, s, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1", "room-1"))
	require.NoError(t, s.Claim(ctx, claimReq("x", "c2", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1")))
	move := transitionTo(a1, booking.StatusCancelled, bookingT0)
	offerOn := func(id, waiter string, min int, owners ...booking.CalendarID) *booking.WaitOffer {
		return &booking.WaitOffer{WaiterID: waiter, Claim: claimReq(id, "c9", bookingAt(min), booking.StatusPending, bookingT0.Add(2*time.Hour), owners...)}
	}
	tests := []struct {
		name  string
		next  booking.ClaimRequest
		offer *booking.WaitOffer
		want  error
	}{
		{"new slot taken", claimReq("a2", "c1", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("o1", "w1", 0, "nurse-1", "room-1"), booking.ErrSlotTaken},
		{"offer overlaps the new slot", claimReq("a2", "c1", bookingAt(15), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("o1", "w1", 0, "nurse-1", "room-1"), booking.ErrSlotTaken},
		{"waiter gone", claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("o1", "nobody", 0, "nurse-1", "room-1"), booking.ErrNotFound},
		{"offer to the rescheduling client", claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1"),
			&booking.WaitOffer{WaiterID: "w1", Claim: claimReq("o1", "c1", bookingAt(0), booking.StatusPending, bookingT0.Add(time.Hour), "nurse-1")}, booking.ErrInvalid},
		{"offer reuses the new appointment's id", claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("a2", "w1", 0, "nurse-1", "room-1"), booking.ErrExists},
		{"offer without waiter", claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("o1", "", 0, "nurse-1", "room-1"), booking.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, s.Reschedule(ctx, move, tc.next, tc.offer), tc.want)
			got, err := s.Appointment(ctx, "a1")
			require.NoError(t, err)
			require.Equal(t, booking.StatusBooked, got.Status, "nothing half-written")
			for _, id := range []string{"a2", "o1"} {
				_, err := s.Appointment(ctx, id)
				require.ErrorIs(t, err, booking.ErrNotFound, "nothing half-written")
			}
			ws, err := s.Waiters(ctx, "north", "nurse-visit")
			require.NoError(t, err)
			require.Len(t, ws, 1, "the wait entry stays")
		})
	}
	require.NoError(t, s.Reschedule(ctx, move, claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-1"), offerOn("o1", "w1", 0, "nurse-1", "room-1")))
	other := stores[1]
	a1, err := other.Appointment(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, a1.Status)
	o1, err := other.Appointment(ctx, "o1")
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, o1.Status)
	require.Equal(t, carecontact.ClientRef("c9"), o1.Client)
	ws, err := other.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Empty(t, ws, "the wait entry is taken")
	busy, err := other.Busy(ctx, []booking.CalendarID{"nurse-1", "room-1"}, booking.Interval{Start: bookingAt(0), End: bookingAt(90)}, bookingT0)
	require.NoError(t, err)
	var holders []string
	for _, c := range busy {
		holders = append(holders, fmt.Sprintf("%s/%s", c.Owner, c.Appointment))
	}
	require.Equal(t, []string{"nurse-1/o1", "nurse-1/a2", "room-1/o1"}, holders, "the offer holds the old time, the client the new")
	require.ErrorIs(t, other.Claim(ctx, claimReq("y", "c3", bookingAt(0), booking.StatusBooked, time.Time{}, "room-1")), booking.ErrSlotTaken, "nobody else gets the freed time first")
	if r, ok := other.(audit.Reader); ok {
		evs, err := r.Events(ctx, audit.Filter{Client: "c9"})
		require.NoError(t, err)
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		require.Equal(t, []string{"booking.wait", "booking.book"}, actions, "the offer's event is written with the change")
	}
}

// testBookingAuditEvents checks that the change's audit events are written
// with it, and that an invalid event stops the change.
func testBookingAuditEvents(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	bad := claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")
	bad.Events[0].Detail = map[string]string{"phone": "+358401234567"}
	require.ErrorIs(t, s.Claim(ctx, bad), audit.ErrInvalidEvent)
	_, err := s.Appointment(ctx, "a1")
	require.ErrorIs(t, err, booking.ErrNotFound)
	require.NoError(t, s.Claim(ctx, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")))
	if r, ok := s.(audit.Reader); ok {
		evs, err := r.Events(ctx, audit.Filter{Client: "c1"})
		require.NoError(t, err)
		require.Len(t, evs, 1)
	}
}

// testBookingRaceForSlot races claims over several store values: each slot
// gets exactly one winner.
func testBookingRaceForSlot(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 4)
	require.Len(t, stores, 4)
	const slots, racers = 8, 12
	var wins [slots]atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, slots*racers)
	for r := range racers {
		for sl := range slots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[(r+sl)%len(stores)]
				// Racers overlap by 15 minutes with the slot: every claim of
				// one slot conflicts with every other; different slots
				// never do. Holds and bookings race alike.
				start := bookingAt(sl*60 + (r%2)*15)
				status, until := booking.StatusBooked, time.Time{}
				if r%3 == 0 {
					status, until = booking.StatusPending, bookingT0.Add(time.Hour)
				}
				err := s.Claim(ctx, claimReq(fmt.Sprintf("r%d-s%d", r, sl), carecontact.ClientRef(fmt.Sprintf("c%d", r)), start, status, until, "nurse-1", booking.CalendarID(fmt.Sprintf("room-%d", sl))))
				switch {
				case err == nil:
					wins[sl].Add(1)
				case errors.Is(err, booking.ErrSlotTaken):
				default:
					errs <- err
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for sl := range slots {
		require.EqualValues(t, 1, wins[sl].Load(), "slot %d has exactly one winner", sl)
	}
	for _, s := range stores {
		busy, err := s.Busy(ctx, []booking.CalendarID{"nurse-1"}, booking.Interval{Start: bookingAt(-60), End: bookingAt(slots * 60)}, bookingT0)
		require.NoError(t, err)
		require.Len(t, busy, slots, "every value sees every claim")
	}
}

// testBookingRaceTransitions races transitions of one appointment: exactly
// one wins.
func testBookingRaceTransitions(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 3)
	require.NoError(t, stores[0].Claim(ctx, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")))
	a1, err := stores[1].Appointment(ctx, "a1")
	require.NoError(t, err)
	var ok atomic.Int32
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status := booking.StatusCancelled
			if i%2 == 0 {
				status = booking.StatusFulfilled
			}
			err := stores[i%3].Transition(ctx, transitionTo(a1, status, bookingT0))
			if err == nil {
				ok.Add(1)
			} else if !errors.Is(err, booking.ErrConflict) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	require.EqualValues(t, 1, ok.Load())
}

// sharedReq is claimReq with every claim a seat of the shared slot key of
// the given capacity.
func sharedReq(req booking.ClaimRequest, key string, capacity int) booking.ClaimRequest {
	for i := range req.Claims {
		req.Claims[i].Shared, req.Claims[i].Capacity = key, capacity
	}
	return req
}

// testBookingSharedSlots checks that claims of one shared slot overlap up
// to its capacity and conflict with everything else.
func testBookingSharedSlots(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	hold := bookingT0.Add(time.Hour)
	seat := func(id string, min int, key string) booking.ClaimRequest {
		return sharedReq(claimReq(id, carecontact.ClientRef("c-"+id), bookingAt(min), booking.StatusBooked, time.Time{}, "nurse-1", "room-1"), key, 3)
	}
	for _, step := range []struct {
		name string
		req  booking.ClaimRequest
		want error
	}{
		{"first seat", seat("g1", 0, "flu@0"), nil},
		{"second seat", seat("g2", 0, "flu@0"), nil},
		{"a held third seat", sharedReq(claimReq("g3", "c-g3", bookingAt(0), booking.StatusPending, hold, "nurse-1", "room-1"), "flu@0", 3), nil},
		{"a fourth seat", seat("g4", 0, "flu@0"), booking.ErrSlotTaken},
		{"an ordinary claim over the slot", claimReq("o1", "c-o1", bookingAt(15), booking.StatusBooked, time.Time{}, "room-1"), booking.ErrSlotTaken},
		{"another shared slot over it", seat("x1", 15, "flu@15"), booking.ErrSlotTaken},
		{"the same key at another time", seat("x2", 15, "flu@0"), booking.ErrSlotTaken},
		{"a shared slot right after", seat("n1", 30, "flu@30"), nil},
		{"a capacity without a key", func() booking.ClaimRequest {
			r := claimReq("bad", "c-bad", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1")
			r.Claims[0].Capacity = 2
			return r
		}(), booking.ErrInvalid},
	} {
		err := s.Claim(ctx, step.req)
		if step.want == nil {
			require.NoError(t, err, step.name)
		} else {
			require.ErrorIs(t, err, step.want, step.name)
		}
	}
	busy, err := s.Busy(ctx, []booking.CalendarID{"room-1"}, booking.Interval{Start: bookingAt(0), End: bookingAt(30)}, bookingT0)
	require.NoError(t, err)
	require.Len(t, busy, 3)
	for _, c := range busy {
		require.Equal(t, "flu@0", c.Shared)
		require.Equal(t, 3, c.Capacity)
	}
	// A cancellation frees its seat; so does a lapsed hold.
	a, err := s.Appointment(ctx, "g1")
	require.NoError(t, err)
	require.NoError(t, s.Transition(ctx, transitionTo(a, booking.StatusCancelled, bookingT0)))
	require.NoError(t, s.Claim(ctx, seat("g5", 0, "flu@0")))
	require.ErrorIs(t, s.Claim(ctx, seat("g6", 0, "flu@0")), booking.ErrSlotTaken)
	late := seat("g7", 0, "flu@0")
	late.Now = hold
	require.NoError(t, s.Claim(ctx, late), "the held seat lapsed")
}

// testBookingRaceForSharedSlot races capacity+1 claims for one shared slot
// through several store values: exactly capacity win.
func testBookingRaceForSharedSlot(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 4)
	const capacity = 5
	for _, racers := range []int{capacity + 1, 2 * capacity} {
		key := fmt.Sprintf("group@%d", racers)
		var wins atomic.Int32
		var wg sync.WaitGroup
		errs := make(chan error, racers)
		for r := range racers {
			wg.Go(func() {
				id := fmt.Sprintf("s%d-r%d", racers, r)
				err := stores[r%len(stores)].Claim(ctx, sharedReq(claimReq(id, carecontact.ClientRef("c"+id), bookingAt(racers*60), booking.StatusBooked, time.Time{}, "nurse-1", "room-1"), key, capacity))
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, booking.ErrSlotTaken):
				default:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.EqualValues(t, capacity, wins.Load(), "%d racers", racers)
		for _, s := range stores {
			busy, err := s.Busy(ctx, []booking.CalendarID{"nurse-1", "room-1"}, booking.Interval{Start: bookingAt(racers * 60), End: bookingAt(racers*60 + 30)}, bookingT0)
			require.NoError(t, err)
			require.Len(t, busy, 2*capacity)
		}
	}
}
