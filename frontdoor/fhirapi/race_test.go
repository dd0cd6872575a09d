package fhirapi_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// racingStore runs between, once, just before the read it is armed for:
// another writer's change lands between the handler's If-Match check and
// the booker's own read.
type racingStore struct {
	booking.Store
	reads   int
	at      int
	between func()
}

func (s *racingStore) Appointment(ctx context.Context, id string) (booking.Appointment, error) {
	s.reads++
	if s.reads == s.at && s.between != nil {
		f := s.between
		s.between = nil
		f()
	}
	return s.Store.Appointment(ctx, id)
}

// TestIfMatchRace: a change made after the handler compared the If-Match
// with the stored version, but before the booker changes the appointment,
// is answered 412 and not overwritten, for each kind of change.
func TestIfMatchRace(t *testing.T) {
	tests := []struct {
		name   string
		change func(a booking.Appointment) booking.Appointment
		actor  string
	}{
		{"mark arrived", func(a booking.Appointment) booking.Appointment {
			return with(a, func(a *booking.Appointment) { a.Status = booking.StatusArrived })
		}, nurse},
		{"cancel", func(a booking.Appointment) booking.Appointment {
			return with(a, func(a *booking.Appointment) { a.Status, a.CancelReason = booking.StatusCancelled, "flu" })
		}, nurse},
		{"reschedule", func(a booking.Appointment) booking.Appointment {
			return with(a, func(a *booking.Appointment) { a.Start, a.End = a.Start.Add(30*time.Minute), a.End.Add(30*time.Minute) })
		}, nurse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			racer := &racingStore{}
			f := newFixture(t, func(c *booking.Config) { racer.Store = c.Store; c.Store = racer })
			a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
			// The update's first read is the handler's check; the
			// client checks in just before the booker's read.
			racer.reads, racer.at = 0, 2
			racer.between = func() {
				r := f.put(t, with(a, func(a *booking.Appointment) { a.Status = booking.StatusCheckedIn }), "", client1, ifMatch(1)...)
				require.Equal(t, http.StatusOK, r.status, string(r.raw))
			}
			r := f.put(t, tc.change(a), "", tc.actor, ifMatch(1)...)
			require.Nil(t, racer.between, "the other change ran")
			require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))
			code, expr := issue(t, r)
			require.Equal(t, "conflict", code)
			require.Equal(t, []any{"If-Match"}, expr)
			// The check-in stands.
			r = f.do(t, http.MethodGet, "/Appointment/apt.5F1", client1, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.raw))
			require.Equal(t, "checked-in", r.body["status"])
			require.Equal(t, `W/"2"`, r.header.Get("ETag"))
		})
	}
}
