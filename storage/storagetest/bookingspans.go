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
