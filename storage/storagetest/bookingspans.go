package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// testBookingSpans checks a store's optional booking.SpanStore against its
// Busy: the same live claims per owner as whole-second spans (touching
// ones may come merged), the first hold expiry among them, and a claims
// version that moves with every change. Stores without it skip.
func testBookingSpans(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	ss, ok := s.(booking.SpanStore)
	if !ok {
		t.Skip("the store has no booking.SpanStore")
	}
	v0 := ss.ClaimsVersion()
	hold := bookingT0.Add(time.Hour)
	claimed(t, s, claimReq("s1", "c1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1", "room-1"))
	claimed(t, s, claimReq("s2", "c2", bookingAt(30), booking.StatusPending, hold, "nurse-1"))
	s3 := claimed(t, s, claimReq("s3", "c3", bookingAt(120), booking.StatusBooked, time.Time{}, "nurse-1"))
	v1 := ss.ClaimsVersion()
	require.NotEqual(t, v0, v1, "claims move the version")

	owners := []booking.CalendarID{"nurse-1", "nurse-9", "room-1"}
	tests := []struct {
		name    string
		iv      booking.Interval
		now     time.Time
		expires time.Time
	}{
		{"all, hold live", booking.Interval{Start: bookingAt(-60), End: bookingAt(240)}, bookingT0, hold},
		{"all, hold lapsed", booking.Interval{Start: bookingAt(-60), End: bookingAt(240)}, hold, time.Time{}},
		{"the morning only", booking.Interval{Start: bookingAt(10), End: bookingAt(40)}, bookingT0, hold},
		{"between claims", booking.Interval{Start: bookingAt(60), End: bookingAt(120)}, bookingT0, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			claims, err := s.Busy(ctx, owners, tc.iv, tc.now)
			require.NoError(t, err)
			var want [][]booking.BusySpan
			for _, o := range owners {
				var sp []booking.BusySpan
				for _, c := range claims {
					if c.Owner != o {
						continue
					}
					if n := len(sp); n > 0 && sp[n-1].End == c.Start.Unix() {
						sp[n-1].End = c.End.Unix()
						continue
					}
					sp = append(sp, booking.BusySpan{Start: c.Start.Unix(), End: c.End.Unix()})
				}
				want = append(want, sp)
			}
			r, err := ss.AppendBusy(ctx, nil, nil, owners, tc.iv, tc.now)
			require.NoError(t, err)
			require.Len(t, r.Ends, len(owners))
			from := int32(0)
			for i, end := range r.Ends {
				var got []booking.BusySpan
				for _, sp := range r.Spans[from:end] {
					if n := len(got); n > 0 && got[n-1].End == sp.Start {
						got[n-1].End = sp.End
						continue
					}
					got = append(got, sp)
				}
				require.Equal(t, want[i], got, "owner %s", owners[i])
				from = end
			}
			require.True(t, tc.expires.Equal(r.Expires), "expires %s, want %s", r.Expires, tc.expires)
			require.Equal(t, v1, r.Version)
		})
	}
	require.NoError(t, s.Transition(ctx, transitionTo(s3, booking.StatusCancelled, bookingT0)))
	require.NotEqual(t, v1, ss.ClaimsVersion(), "a cancellation moves the version")
}

// testBookingSpanSeats checks the open spans of a store's SpanStore: the
// seats of a shared slot with a seat left come as spans with Open set to
// the slot's key (not joined to the time next to them), a full slot's as
// plain busy time, and a lapsed held seat opens the slot again.
func testBookingSpanSeats(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	ss, ok := s.(booking.SpanStore)
	if !ok {
		t.Skip("the store has no booking.SpanStore")
	}
	hold := bookingT0.Add(time.Hour)
	claimed(t, s, claimReq("o1", "c-o1", bookingAt(-30), booking.StatusBooked, time.Time{}, "nurse-1"))
	claimed(t, s, sharedReq(claimReq("g1", "c-g1", bookingAt(0), booking.StatusBooked, time.Time{}, "nurse-1"), "flu@0", 2))
	iv := booking.Interval{Start: bookingAt(-60), End: bookingAt(60)}
	spans := func(now time.Time) []booking.BusySpan {
		r, err := ss.AppendBusy(ctx, nil, nil, []booking.CalendarID{"nurse-1"}, iv, now)
		require.NoError(t, err)
		var out []booking.BusySpan
		for _, sp := range r.Spans { // duplicate seats may come one by one
			if n := len(out); n > 0 && out[n-1] == sp && sp.Open != "" {
				continue
			}
			out = append(out, sp)
		}
		return out
	}
	before := booking.BusySpan{Start: bookingAt(-30).Unix(), End: bookingAt(0).Unix()}
	slot := booking.BusySpan{Start: bookingAt(0).Unix(), End: bookingAt(30).Unix()}
	open := slot
	open.Open = "flu@0"
	require.Equal(t, []booking.BusySpan{before, open}, spans(bookingT0), "one seat of two taken")
	claimed(t, s, sharedReq(claimReq("g2", "c-g2", bookingAt(0), booking.StatusPending, hold, "nurse-1"), "flu@0", 2))
	got := spans(bookingT0) // touching plain spans may come as one
	require.Equal(t, before.Start, got[0].Start)
	for _, sp := range got {
		require.Equal(t, "", sp.Open, "a full shared slot is busy")
		require.True(t, sp.Start >= before.Start && sp.End <= slot.End, "span %+v", sp)
	}
	require.Equal(t, slot.End, got[len(got)-1].End)
	require.Equal(t, []booking.BusySpan{before, open}, spans(hold), "the held seat lapsed")
}
