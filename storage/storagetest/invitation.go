package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// testBookingInvitationOnce checks that an invitation books once: a
// second appointment with the same Invitation is refused, also after the
// first is cancelled, also in one change, and writes nothing.
func testBookingInvitationOnce(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 2)
	first := claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1")
	first.Appointment.Invitation = "inv-1"
	a1 := claimed(t, s[0], first)
	require.Equal(t, "inv-1", a1.Invitation)

	again := claimReq("a2", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-2")
	again.Appointment.Invitation = "inv-1"
	require.ErrorIs(t, s[1].Claim(ctx, again), booking.ErrInvitationUsed)
	_, err := s[1].Appointment(ctx, "a2")
	require.ErrorIs(t, err, booking.ErrNotFound, "nothing written")

	require.NoError(t, s[0].Transition(ctx, transitionTo(a1, booking.StatusCancelled, bookingT0)))
	require.ErrorIs(t, s[1].Claim(ctx, again), booking.ErrInvitationUsed, "a cancelled booking used the invitation up")

	other := claimReq("a3", "c1", bookingAt(60), booking.StatusBooked, time.Time{}, "nurse-2")
	other.Appointment.Invitation = "inv-2"
	claimed(t, s[1], other)
	plain := claimReq("a4", "c2", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-2")
	claimed(t, s[1], plain)
	plain2 := claimReq("a5", "c3", bookingAt(180), booking.StatusBooked, time.Time{}, "nurse-2")
	claimed(t, s[0], plain2)
}

// testBookingInvitationRace redeems one invitation from several store
// values at once, each for a different slot: exactly one books.
func testBookingInvitationRace(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 4)
	const racers = 8
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := claimReq(fmt.Sprintf("a%d", i), "c1", bookingAt(60*i), booking.StatusBooked, time.Time{}, booking.CalendarID(fmt.Sprintf("nurse-%d", i)))
			req.Appointment.Invitation = "inv-1"
			errs[i] = stores[i%len(stores)].Claim(ctx, req)
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.ErrorIs(t, err, booking.ErrInvitationUsed)
	}
	require.Equal(t, 1, wins)
}
