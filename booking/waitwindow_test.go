package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// TestWaitWindowOpenEnds: a wait window may have a start only (from then
// on) or an end only (until then), as R4's requestedPeriod may; the freed
// time is offered exactly when it lies within the window, the open side
// bounding nothing.
func TestWaitWindowOpenEnds(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		window  func(from booking.Slot) booking.Interval
		offered bool
	}{
		{"no window", func(booking.Slot) booking.Interval { return booking.Interval{} }, true},
		{"from before the time on", func(s booking.Slot) booking.Interval { return booking.Interval{Start: s.Start.Add(-time.Hour)} }, true},
		{"from the time's start on", func(s booking.Slot) booking.Interval { return booking.Interval{Start: s.Start} }, true},
		{"from after the time's start on", func(s booking.Slot) booking.Interval { return booking.Interval{Start: s.Start.Add(time.Minute)} }, false},
		{"until after the time", func(s booking.Slot) booking.Interval { return booking.Interval{End: s.End.Add(time.Hour)} }, true},
		{"until the time's end", func(s booking.Slot) booking.Interval { return booking.Interval{End: s.End} }, true},
		{"until before the time's end", func(s booking.Slot) booking.Interval { return booking.Interval{End: s.End.Add(-time.Minute)} }, false},
		{"both ends around the time", func(s booking.Slot) booking.Interval { return booking.Interval{Start: s.Start, End: s.End} }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			from := findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0))
			to := findSlot(t, f, helsinki(t, 2026, 12, 9, 9, 0))
			wait(t, f, "c5", tc.window(from))
			a := book(t, f, from, "c1")
			f.set(f.now.Add(time.Minute))
			rr, err := f.b.Reschedule(ctx, a.ID, to, client("c1"))
			require.NoError(t, err)
			if !tc.offered {
				require.Nil(t, rr.Offer)
				return
			}
			require.NotNil(t, rr.Offer)
			require.Equal(t, "c5", string(rr.Offer.Client))
		})
	}
	// A window with both ends must not end before it starts; one open
	// end is no such window.
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	start := helsinki(t, 2026, 12, 8, 9, 0)
	_, err := f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c5", By: client("c5"),
		Window: booking.Interval{Start: start, End: start.Add(-time.Hour)}, Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.ErrorIs(t, err, booking.ErrInvalid)
}
