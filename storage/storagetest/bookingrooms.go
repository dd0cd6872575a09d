package storagetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// testBookingProfessionalAndRoom checks that a claim of a professional and
// a room together is all or nothing: a taken room leaves the free
// professional unclaimed, a taken professional the free room, and touching
// times of one room are both claimed.
func testBookingProfessionalAndRoom(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	require.NoError(t, s.Claim(ctx, claimReq("a1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1", "room-1")))
	tests := []struct {
		name   string
		req    booking.ClaimRequest
		free   []booking.CalendarID // owners left unclaimed by the refusal
		target error
	}{
		{"free nurse, taken room", claimReq("a2", "c2", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-2", "room-1"),
			[]booking.CalendarID{"nurse-2"}, booking.ErrSlotTaken},
		{"taken nurse, free room", claimReq("a3", "c3", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1", "room-2"),
			[]booking.CalendarID{"room-2"}, booking.ErrSlotTaken},
		{"free nurse, room held", claimReq("a4", "c4", bookingAt(60), booking.StatusPending, bookingT0.Add(time.Hour), "nurse-2", "room-1"),
			nil, nil},
		{"free nurse, room held by another", claimReq("a5", "c5", bookingAt(75), booking.StatusBooked, time.Time{}, "nurse-3", "room-1"),
			[]booking.CalendarID{"nurse-3"}, booking.ErrSlotTaken},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Claim(ctx, tc.req)
			if tc.target == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.target)
			_, err = s.Appointment(ctx, tc.req.Appointment.ID)
			require.ErrorIs(t, err, booking.ErrNotFound, "nothing half-written")
			iv := tc.req.Claims[0].Interval
			busy, err := s.Busy(ctx, tc.free, iv, bookingT0)
			require.NoError(t, err)
			require.Empty(t, busy, "the free owner is not claimed by a refused claim")
		})
	}
	busy, err := s.Busy(ctx, []booking.CalendarID{"room-1"}, booking.Interval{Start: bookingAt(0), End: bookingAt(120)}, bookingT0)
	require.NoError(t, err)
	require.Len(t, busy, 2)
	require.Equal(t, "a1", busy[0].Appointment)
	require.Equal(t, "a4", busy[1].Appointment)
}

// testBookingRaceForLastRoom races clients, each with a nurse of their
// own, for the one room left at a time (the other is booked): exactly one
// gets a booking, and the losers' nurses stay free.
func testBookingRaceForLastRoom(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 4)
	require.NoError(t, stores[0].Claim(ctx, claimReq("taken", "c0", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-0", "room-1")))
	const racers = 12
	var wg sync.WaitGroup
	results := make([]error, racers)
	for r := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, until := booking.StatusBooked, time.Time{}
			if r%3 == 0 {
				status, until = booking.StatusPending, bookingT0.Add(time.Hour)
			}
			results[r] = stores[r%len(stores)].Claim(ctx, claimReq(fmt.Sprintf("r%d", r), carecontact.ClientRef(fmt.Sprintf("c%d", r+1)),
				bookingAt(0), status, until, booking.CalendarID(fmt.Sprintf("nurse-%d", r+1)), "room-2"))
		}()
	}
	wg.Wait()
	winner := -1
	for r, err := range results {
		switch {
		case err == nil:
			require.Equal(t, -1, winner, "one winner for the last room")
			winner = r
		case errors.Is(err, booking.ErrSlotTaken):
		default:
			require.NoError(t, err)
		}
	}
	require.NotEqual(t, -1, winner, "the free room goes to someone")
	iv := booking.Interval{Start: bookingAt(0), End: bookingAt(30)}
	for _, s := range stores {
		busy, err := s.Busy(ctx, []booking.CalendarID{"room-2"}, iv, bookingT0)
		require.NoError(t, err)
		require.Len(t, busy, 1)
		require.Equal(t, fmt.Sprintf("r%d", winner), busy[0].Appointment)
		for r := range racers {
			busy, err := s.Busy(ctx, []booking.CalendarID{booking.CalendarID(fmt.Sprintf("nurse-%d", r+1))}, iv, bookingT0)
			require.NoError(t, err)
			if r == winner {
				require.Len(t, busy, 1)
				continue
			}
			require.Empty(t, busy, "a loser's nurse is not claimed")
			_, err = s.Appointment(ctx, fmt.Sprintf("r%d", r))
			require.ErrorIs(t, err, booking.ErrNotFound)
		}
	}
}
