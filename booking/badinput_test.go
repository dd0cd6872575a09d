package booking_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// A second cancellation, or any change to the status an appointment
// already has, is refused with a *TransitionError and changes nothing: a
// client cannot erase their own late cancellation by cancelling again.
func TestSameStatusTransitionsAreRefused(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		first func(f *fixture, a booking.Appointment) error
		again func(f *fixture, a booking.Appointment) error
		to    booking.Status
	}{
		{"cancel a late cancellation again",
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Cancel(ctx, a.ID, "sick", client("c1"))
				return err
			},
			func(f *fixture, a booking.Appointment) error {
				f.set(f.now.Add(time.Minute))
				_, err := f.b.Cancel(ctx, a.ID, "sick again", client("c1"))
				return err
			}, booking.StatusCancelled},
		{"cancel again on behalf of the client",
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Cancel(ctx, a.ID, "sick", client("c1"))
				return err
			},
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Cancel(ctx, a.ID, "sick", pro)
				return err
			}, booking.StatusCancelled},
		{"check in twice",
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Mark(ctx, a.ID, booking.StatusCheckedIn, client("c1"))
				return err
			},
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Mark(ctx, a.ID, booking.StatusCheckedIn, client("c1"))
				return err
			}, booking.StatusCheckedIn},
		{"entered in error twice",
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Mark(ctx, a.ID, booking.StatusEnteredInError, pro)
				return err
			},
			func(f *fixture, a booking.Appointment) error {
				_, err := f.b.Mark(ctx, a.ID, booking.StatusEnteredInError, pro)
				return err
			}, booking.StatusEnteredInError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			a := book(t, f, findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0)), "c1")
			f.set(a.Start.Add(-time.Hour)) // late for a cancellation
			require.NoError(t, tc.first(f, a))
			before, err := f.store.Appointment(ctx, a.ID)
			require.NoError(t, err)

			err = tc.again(f, a)
			require.ErrorIs(t, err, carecontact.ErrIllegalTransition)
			require.ErrorIs(t, err, booking.ErrIllegalTransition)
			var te *booking.TransitionError
			require.True(t, errors.As(err, &te))
			require.Equal(t, booking.TransitionError{Appointment: a.ID, From: tc.to, To: tc.to}, *te)

			after, err := f.store.Appointment(ctx, a.ID)
			require.NoError(t, err)
			require.Equal(t, before, after, "a refused transition changes nothing")
		})
	}
}

// The store refuses a same-status transition too, whoever builds it.
func TestValidateTransitionRefusesSameStatus(t *testing.T) {
	for _, s := range booking.Statuses() {
		require.False(t, booking.CanTransition(s, s), s)
		prev := booking.Appointment{ID: "a1", Status: s, Version: 3}
		next := prev
		next.Version = 4
		err := booking.ValidateTransition(prev, booking.TransitionRequest{Next: next})
		require.ErrorIs(t, err, carecontact.ErrIllegalTransition, s)
	}
}

// A phone number or identity code in a cancel reason does not block the
// cancellation; the audit detail has it redacted, and the appointment keeps
// the reason as the client gave it.
func TestCancelReasonWithPersonalData(t *testing.T) {
	ctx := context.Background()
	for _, reason := range []string{"soittakaa 040 123 4567", "hetu 131052-308T", "+358 (0)40 1234567 kiitos"} {
		t.Run(reason, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			a := book(t, f, findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0)), "c1")
			res, err := f.b.Cancel(ctx, a.ID, reason, client("c1"))
			require.NoError(t, err)
			require.Equal(t, booking.StatusCancelled, res.Cancelled.Status)
			require.Equal(t, reason, res.Cancelled.CancelReason)
			evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.cancel"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, audit.Allowed, evs[0].Outcome)
			require.Contains(t, evs[0].Detail["reason"], audit.Redacted)
			require.Equal(t, evs[0].Detail["reason"], audit.Redact(evs[0].Detail["reason"]), "nothing personal is left")
		})
	}
}

// A search whose end is before its start is an error naming the field,
// not an empty answer.
func TestSearchEndBeforeStart(t *testing.T) {
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	from := helsinki(t, 2026, 12, 9, 9, 0)
	for _, tc := range []struct {
		name string
		to   time.Time
		ok   bool
	}{
		{"a day before", from.Add(-24 * time.Hour), false},
		{"a nanosecond before", from.Add(-1), false},
		{"open end", time.Time{}, true},
		{"a week after", from.Add(7 * 24 * time.Hour), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "nurse-visit", From: from, To: tc.to, By: pro})
			if tc.ok {
				require.NoError(t, err)
				require.NotEmpty(t, slots)
				return
			}
			require.ErrorIs(t, err, booking.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, "to", fe.Field)
		})
	}
}

// Bad input booking accepted before issue 15: each is now a field error.
func TestBookingBadInputRegressions(t *testing.T) {
	ctx := context.Background()
	mib := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, field string
		run         func(f *fixture, s booking.Slot, a booking.Appointment) error
	}{
		{"a mebibyte cancel reason", "reason", func(f *fixture, _ booking.Slot, a booking.Appointment) error {
			_, err := f.b.Cancel(ctx, a.ID, mib, pro)
			return err
		}},
		{"a cancel reason with NUL", "reason", func(f *fixture, _ booking.Slot, a booking.Appointment) error {
			_, err := f.b.Cancel(ctx, a.ID, "sick\x00", pro)
			return err
		}},
		{"a cancel reason that is not UTF-8", "reason", func(f *fixture, _ booking.Slot, a booking.Appointment) error {
			_, err := f.b.Cancel(ctx, a.ID, "sick \xff", pro)
			return err
		}},
		{"a mebibyte client", "client", func(f *fixture, s booking.Slot, _ booking.Appointment) error {
			_, err := f.b.Book(ctx, booking.BookRequest{Slot: s, Client: carecontact.ClientRef(mib), By: pro})
			return err
		}},
		{"a mebibyte guidance version", "guidanceVersion", func(f *fixture, s booking.Slot, _ booking.Appointment) error {
			_, err := f.b.Book(ctx, booking.BookRequest{Slot: s, Client: "c2", By: pro, GuidanceVersion: mib})
			return err
		}},
		{"a slot naming no service", "slot.service", func(f *fixture, _ booking.Slot, _ booking.Appointment) error {
			_, err := f.b.Book(ctx, booking.BookRequest{Client: "c2", By: pro})
			return err
		}},
		{"a negative search limit", "limit", func(f *fixture, s booking.Slot, _ booking.Appointment) error {
			_, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", From: s.Start, Limit: -1, By: pro})
			return err
		}},
		{"a mebibyte waitlist client", "client", func(f *fixture, _ booking.Slot, _ booking.Appointment) error {
			_, err := f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: carecontact.ClientRef(mib), By: pro})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			a := book(t, f, findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0)), "c1")
			s := findSlot(t, f, helsinki(t, 2026, 12, 9, 9, 0))
			err := tc.run(f, s, a)
			require.ErrorIs(t, err, booking.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, tc.field, fe.Field)
			require.Less(t, len(err.Error()), 300)
		})
	}
}
