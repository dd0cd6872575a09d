package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// TestIfVersion makes each change at the appointment's version (done) and
// at another one (ErrStaleVersion, nothing changed), and refuses a version
// below 1.
func TestIfVersion(t *testing.T) {
	ctx := context.Background()
	changes := []struct {
		name   string
		status booking.Status // before the change
		change func(v booking.Versioned, a booking.Appointment, next booking.Slot) (booking.Appointment, error)
		want   booking.Status
	}{
		{"confirm", booking.StatusPending, func(v booking.Versioned, a booking.Appointment, _ booking.Slot) (booking.Appointment, error) {
			return v.Confirm(ctx, a.ID, pro)
		}, booking.StatusBooked},
		{"mark", booking.StatusBooked, func(v booking.Versioned, a booking.Appointment, _ booking.Slot) (booking.Appointment, error) {
			return v.Mark(ctx, a.ID, booking.StatusArrived, pro)
		}, booking.StatusArrived},
		{"cancel", booking.StatusBooked, func(v booking.Versioned, a booking.Appointment, _ booking.Slot) (booking.Appointment, error) {
			res, err := v.Cancel(ctx, a.ID, "flu", pro)
			return res.Cancelled, err
		}, booking.StatusCancelled},
		{"reschedule", booking.StatusBooked, func(v booking.Versioned, a booking.Appointment, next booking.Slot) (booking.Appointment, error) {
			res, err := v.Reschedule(ctx, a.ID, next, pro)
			return res.Cancelled, err
		}, booking.StatusCancelled},
	}
	versions := []struct {
		name  string
		delta int // the version named, relative to the stored one
		err   error
	}{
		{"at the version", 0, nil},
		{"an older version", -1, booking.ErrStaleVersion},
		{"a later version", 1, booking.ErrStaleVersion},
	}
	for _, ch := range changes {
		for _, v := range versions {
			if v.delta < 0 && ch.status == booking.StatusPending {
				continue // a hold changes only by being confirmed or cancelled: no older version to name
			}
			t.Run(ch.name+"/"+v.name, func(t *testing.T) {
				f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
				slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 2, By: pro})
				require.NoError(t, err)
				req := booking.BookRequest{Slot: slots[0], Client: "c1", By: pro}
				a, err := f.b.Hold(ctx, req)
				require.NoError(t, err)
				if ch.status == booking.StatusBooked {
					a, err = f.b.Confirm(ctx, a.ID, pro)
					require.NoError(t, err)
				}
				if v.delta < 0 { // a change since the version named
					a, err = f.b.Mark(ctx, a.ID, booking.StatusCheckedIn, client("c1"))
					require.NoError(t, err)
				}
				got, err := ch.change(f.b.IfVersion(a.Version+v.delta), a, slots[1])
				stored, serr := f.store.Appointment(ctx, a.ID)
				require.NoError(t, serr)
				if v.err != nil {
					require.ErrorIs(t, err, v.err)
					require.ErrorIs(t, err, booking.ErrConflict)
					require.ErrorIs(t, err, carecontact.ErrConflict)
					require.Equal(t, a.Version, stored.Version, "nothing changed")
					require.Equal(t, a.Status, stored.Status)
					return
				}
				require.NoError(t, err)
				require.Equal(t, ch.want, got.Status)
				require.Equal(t, a.Version+1, stored.Version)
			})
		}
	}
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	for _, version := range []int{0, -1} {
		_, err := f.b.IfVersion(version).Confirm(ctx, "apt-1", pro)
		var fe *carecontact.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "version", fe.Field)
		require.ErrorIs(t, err, booking.ErrInvalid)
	}
}
