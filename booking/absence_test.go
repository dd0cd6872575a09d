package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
)

func TestAffectedByAbsence(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, day(2026, time.December, 7), 21)
	book := func(c string, at time.Time) booking.Appointment {
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: at, By: pro, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, at, slots[0].Start)
		a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: carecontact.ClientRef("c-" + c), By: pro})
		require.NoError(t, err)
		return a
	}
	tue := book("1", helsinki(t, 2026, time.December, 8, 9, 0))
	wed := book("2", helsinki(t, 2026, time.December, 9, 13, 0))
	nextWeek := book("3", helsinki(t, 2026, time.December, 15, 8, 0))
	cancelled := book("4", helsinki(t, 2026, time.December, 10, 9, 0))
	_, err := f.b.Cancel(ctx, cancelled.ID, "ei tarvetta", pro)
	require.NoError(t, err)
	morning := sp(t, "08:00-10:00")
	cases := []struct {
		name    string
		owner   booking.CalendarID
		absence booking.Exception
		by      booking.Requester
		want    []string
		err     error
	}{
		{name: "a week of leave", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 7), Until: day(2026, time.December, 13), Kind: booking.Absence},
			by: pro, want: []string{tue.ID, wed.ID}},
		{name: "two weeks of mornings", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 7), Until: day(2026, time.December, 18), Kind: booking.Absence, Span: &morning},
			by: pro, want: []string{tue.ID, nextWeek.ID}},
		{name: "a day without bookings", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 11), Kind: booking.Absence}, by: pro},
		{name: "another nurse", owner: "nurse-2", absence: booking.Exception{Date: day(2026, time.December, 8), Kind: booking.Absence}, by: pro},
		{name: "extra time is not an absence", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 8), Kind: booking.ExtraTime, Span: &morning, Block: booking.BlockSelfService}, by: pro, err: booking.ErrInvalid},
		{name: "unknown calendar", owner: "nobody", absence: booking.Exception{Date: day(2026, time.December, 8), Kind: booking.Absence}, by: pro, err: booking.ErrNotFound},
		{name: "a client may not ask", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 8), Kind: booking.Absence}, by: client("c-1"), err: booking.ErrNotAllowed},
		{name: "a professional of another area may not ask", owner: "nurse-1", absence: booking.Exception{Date: day(2026, time.December, 8), Kind: booking.Absence},
			by: booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "south-1", Role: "nurse"}}, err: booking.ErrNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			as, err := f.b.Affected(ctx, tc.owner, tc.absence, tc.by)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			var ids []string
			for _, a := range as {
				ids = append(ids, a.ID)
			}
			require.Equal(t, tc.want, ids)
		})
	}
	var absence booking.Exception
	absence.Date, absence.Until, absence.Kind = day(2026, time.March, 28), day(2026, time.March, 29), booking.Absence
	ivs := absence.Intervals()
	require.Len(t, ivs, 1, "whole days merge")
	require.Equal(t, 47*time.Hour, ivs[0].Duration(), "the night the clocks go forward")
}
