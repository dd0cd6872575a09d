package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

func day(y int, m time.Month, d int) civil.Date { return civil.NewDate(y, m, d) }

// worked sums a calendar's working time on day d.
func worked(t *testing.T, c booking.Calendar, d civil.Date) time.Duration {
	t.Helper()
	bs, err := c.BlocksOn(d)
	require.NoError(t, err)
	var sum time.Duration
	for _, b := range bs {
		sum += b.Duration()
	}
	return sum
}

func TestExceptionRanges(t *testing.T) {
	span := sp(t, "08:00-10:00")
	leave := booking.Exception{Date: day(2026, time.December, 14), Until: day(2026, time.December, 27), Kind: booking.Absence}
	var tenRows []booking.Exception
	for d := range leave.Days().All() {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			tenRows = append(tenRows, booking.Exception{Date: d, Kind: booking.Absence})
		}
	}
	require.Len(t, tenRows, 10)
	cases := []struct {
		name string
		exc  []booking.Exception
		want map[civil.Date]time.Duration
	}{
		{name: "two weeks of leave as one exception", exc: []booking.Exception{leave}, want: map[civil.Date]time.Duration{
			day(2026, time.December, 11): 7*time.Hour + 30*time.Minute, day(2026, time.December, 14): 0, day(2026, time.December, 18): 0,
			day(2026, time.December, 23): 0, day(2026, time.December, 28): 7*time.Hour + 30*time.Minute}},
		{name: "the same as ten rows", exc: tenRows, want: map[civil.Date]time.Duration{
			day(2026, time.December, 11): 7*time.Hour + 30*time.Minute, day(2026, time.December, 14): 0, day(2026, time.December, 18): 0,
			day(2026, time.December, 23): 0, day(2026, time.December, 28): 7*time.Hour + 30*time.Minute}},
		{name: "mornings off for a week", exc: []booking.Exception{{Date: day(2026, time.December, 7), Until: day(2026, time.December, 11), Kind: booking.Absence, Span: &span}},
			want: map[civil.Date]time.Duration{day(2026, time.December, 7): 5*time.Hour + 30*time.Minute, day(2026, time.December, 11): 5*time.Hour + 30*time.Minute, day(2026, time.December, 14): 7*time.Hour + 30*time.Minute}},
		{name: "extra Saturdays", exc: []booking.Exception{{Date: day(2026, time.December, 12), Until: day(2026, time.December, 13), Kind: booking.ExtraTime, Span: &span, Block: booking.BlockSelfService}},
			want: map[civil.Date]time.Duration{day(2026, time.December, 12): 2 * time.Hour, day(2026, time.December, 13): 2 * time.Hour, day(2026, time.December, 19): 0}},
		{name: "holidays stay closed inside extra time", exc: []booking.Exception{{Date: day(2026, time.December, 24), Until: day(2026, time.December, 26), Kind: booking.ExtraTime, Span: &span, Block: booking.BlockSelfService}},
			want: map[civil.Date]time.Duration{day(2026, time.December, 24): 0, day(2026, time.December, 25): 0, day(2026, time.December, 26): 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := nurse(t, "nurse-1", "team-a")
			c.Exceptions = tc.exc
			require.NoError(t, c.Validate())
			for d, want := range tc.want {
				require.Equal(t, want, worked(t, c, d), "%s", d)
			}
		})
	}
}

func TestExceptionRangeValidate(t *testing.T) {
	cases := []struct {
		name string
		exc  booking.Exception
		ok   bool
	}{
		{name: "one day", exc: booking.Exception{Date: day(2026, time.June, 1), Until: day(2026, time.June, 1), Kind: booking.Absence}, ok: true},
		{name: "until before date", exc: booking.Exception{Date: day(2026, time.June, 2), Until: day(2026, time.June, 1), Kind: booking.Absence}},
		{name: "invalid until", exc: booking.Exception{Date: day(2026, time.June, 2), Until: day(2026, time.June, 31), Kind: booking.Absence}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := nurse(t, "nurse-1", "team-a")
			c.Exceptions = []booking.Exception{tc.exc}
			if tc.ok {
				require.NoError(t, c.Validate())
			} else {
				require.ErrorIs(t, c.Validate(), booking.ErrInvalid)
			}
		})
	}
}

func TestRotas(t *testing.T) {
	early, late, mid := sp(t, "07:00-15:00"), sp(t, "12:00-20:00"), sp(t, "09:00-13:00")
	rota := func(every int, spans ...civil.Span) booking.Calendar {
		c := booking.Calendar{ID: "rota", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse"}
		anchor := day(2026, time.November, 2) // a Monday
		for i, s := range spans {
			r := booking.WeeklyRule{Weekdays: workdays, Span: s, Block: booking.BlockSelfService, EveryWeeks: every}
			if every > 1 {
				r.Anchor = anchor.AddDays(7*i + 2) // any day of the week will do
			}
			c.Rules = append(c.Rules, r)
		}
		return c
	}
	cases := []struct {
		name string
		cal  booking.Calendar
		want map[civil.Date]civil.TimeOfDay // the first working minute of the day, -1 for none
	}{
		{name: "two weeks alternate", cal: rota(2, early, late), want: map[civil.Date]civil.TimeOfDay{
			day(2026, time.November, 2): civil.At(7, 0), day(2026, time.November, 9): civil.At(12, 0), day(2026, time.November, 16): civil.At(7, 0),
			day(2026, time.November, 20): civil.At(7, 0), day(2026, time.November, 22): -1,
			day(2026, time.October, 26): civil.At(12, 0), // before the anchor
			day(2027, time.January, 4):  civil.At(12, 0), // across the new year: 9 weeks on
		}},
		{name: "three weeks", cal: rota(3, early, late, mid), want: map[civil.Date]civil.TimeOfDay{
			day(2026, time.November, 3): civil.At(7, 0), day(2026, time.November, 10): civil.At(12, 0), day(2026, time.November, 17): civil.At(9, 0),
			day(2026, time.November, 24): civil.At(7, 0), day(2026, time.October, 20): civil.At(12, 0), // two weeks before
		}},
		{name: "every week", cal: rota(0, mid), want: map[civil.Date]civil.TimeOfDay{
			day(2026, time.November, 3): civil.At(9, 0), day(2026, time.November, 10): civil.At(9, 0),
		}},
	}
	loc := civil.Helsinki()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.cal.Validate())
			for d, want := range tc.want {
				bs, err := tc.cal.BlocksOn(d)
				require.NoError(t, err)
				if want < 0 {
					require.Empty(t, bs, "%s", d)
					continue
				}
				require.NotEmpty(t, bs, "%s", d)
				require.Equal(t, want, civil.TimeOfDayOf(bs[0].Start, loc), "%s", d)
			}
		})
	}
	t.Run("invalid", func(t *testing.T) {
		for _, r := range []booking.WeeklyRule{
			{Weekdays: workdays, Span: mid, Block: booking.BlockSelfService, EveryWeeks: 2},
			{Weekdays: workdays, Span: mid, Block: booking.BlockSelfService, EveryWeeks: -1},
			{Weekdays: workdays, Span: mid, Block: booking.BlockSelfService, Anchor: day(2026, time.November, 2)},
			{Weekdays: workdays, Span: mid, Block: booking.BlockSelfService, NextDay: civil.At(6, 0)},
			{Weekdays: workdays, Span: sp(t, "22:00-24:00"), Block: booking.BlockSelfService, NextDay: civil.EndOfDay},
		} {
			c := booking.Calendar{ID: "rota", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse", Rules: []booking.WeeklyRule{r}}
			require.ErrorIs(t, c.Validate(), booking.ErrInvalid, "%+v", r)
		}
	})
}

// nightShift works Saturday nights 22:00-06:00.
func nightShift(t testing.TB, open bool) booking.Calendar {
	return booking.Calendar{ID: "night-1", Kind: booking.OwnerProfessional, Area: "night", Role: "nurse", OpenOnHolidays: open,
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Saturday, time.Thursday}, Span: sp(t, "22:00-24:00"), NextDay: civil.At(6, 0), Block: booking.BlockProfessionalOnly}}}
}

func TestOvernightAcrossDSTAndHolidays(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name             string
		night            civil.Date // the evening the shift starts
		open             bool
		evening, morning time.Duration
		slots            int // hour slots found from the evening to the morning
	}{
		{name: "an ordinary Saturday night", night: day(2026, time.March, 21), evening: 2 * time.Hour, morning: 6 * time.Hour, slots: 8},
		{name: "clocks go forward (last Sunday of March)", night: day(2026, time.March, 28), evening: 2 * time.Hour, morning: 5 * time.Hour, slots: 7},
		{name: "clocks go back (last Sunday of October)", night: day(2026, time.October, 24), evening: 2 * time.Hour, morning: 7 * time.Hour, slots: 9},
		{name: "into Independence Day", night: day(2026, time.December, 5), evening: 2 * time.Hour, morning: 0, slots: 2},
		{name: "into Independence Day, open on holidays", night: day(2026, time.December, 5), open: true, evening: 2 * time.Hour, morning: 6 * time.Hour, slots: 8},
		{name: "Christmas Eve into Christmas Day", night: day(2026, time.December, 24), evening: 0, morning: 0, slots: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := nightShift(t, tc.open)
			require.NoError(t, c.Validate())
			require.Equal(t, tc.evening, worked(t, c, tc.night))
			require.Equal(t, tc.morning, worked(t, c, tc.night.AddDays(1)))

			set, err := booking.NewCalendarSet([]booking.Calendar{c})
			require.NoError(t, err)
			ix, err := booking.NewIndex(set, tc.night.AddDays(-1), 4)
			require.NoError(t, err)
			cat, err := booking.NewCatalogue("night", []booking.Service{{Code: "night-visit", Area: "night", Names: civil.Names{FI: "Yökäynti"},
				Duration: time.Hour, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}}})
			require.NoError(t, err)
			store := memory.NewBookingStore(nil)
			now := tc.night.AddDays(-1).At(civil.At(12, 0), civil.Helsinki())
			b, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
				Clock: carecontact.ClockFunc(func() time.Time { return now })})
			require.NoError(t, err)
			nightPro := pro
			nightPro.Actor.ID = "night-1"
			from := tc.night.At(civil.At(12, 0), civil.Helsinki())
			slots, err := b.Search(ctx, booking.SearchRequest{Area: "night", Service: "night-visit", From: from, To: from.Add(24 * time.Hour), By: nightPro, Limit: 20})
			require.NoError(t, err)
			require.Len(t, slots, tc.slots)
			for i := 1; i < len(slots); i++ {
				require.Equal(t, slots[i-1].End, slots[i].Start, "one block across midnight")
			}
			if tc.slots >= 3 {
				// The slot from 24:00 is bookable and so is the one that
				// crosses midnight when the grid does.
				_, err := b.Book(ctx, booking.BookRequest{Slot: slots[2], Client: "c1", By: nightPro})
				require.NoError(t, err)
			}
		})
	}
}

// TestOvernightSlotCrossesMidnight checks that a slot off the hour grid
// crosses midnight inside an overnight block, whether the search reads the
// index (twice: the second search reuses the busy time it kept) or
// computes days outside it.
func TestOvernightSlotCrossesMidnight(t *testing.T) {
	ctx := context.Background()
	night := day(2026, time.March, 21)
	c := nightShift(t, false)
	set, err := booking.NewCalendarSet([]booking.Calendar{c})
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("night", []booking.Service{{Code: "night-visit", Area: "night", Names: civil.Names{FI: "Yökäynti"},
		Duration: 45 * time.Minute, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}}})
	require.NoError(t, err)
	loc := civil.Helsinki()
	var want []time.Time
	for s := night.At(civil.At(22, 0), loc); !s.Add(45 * time.Minute).After(night.AddDays(1).At(civil.At(6, 0), loc)); s = s.Add(45 * time.Minute) {
		want = append(want, s.UTC())
	}
	for _, tc := range []struct {
		name string
		from civil.Date
		days int
	}{
		{"indexed", night.AddDays(-1), 4},
		{"outside the index", night.AddDays(10), 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ix, err := booking.NewIndex(set, tc.from, tc.days)
			require.NoError(t, err)
			store := memory.NewBookingStore(nil)
			now := night.AddDays(-1).At(civil.At(12, 0), loc)
			b, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
				Clock: carecontact.ClockFunc(func() time.Time { return now })})
			require.NoError(t, err)
			from := night.At(civil.At(12, 0), loc)
			for range 3 {
				slots, err := b.Search(ctx, booking.SearchRequest{Area: "night", Service: "night-visit", From: from, To: from.Add(24 * time.Hour), By: pro, Limit: 20})
				require.NoError(t, err)
				var got []time.Time
				for _, s := range slots {
					got = append(got, s.Start)
				}
				require.Equal(t, want, got)
			}
			// A search from just after midnight still sees the block that
			// began the evening before, on its grid.
			slots, err := b.Search(ctx, booking.SearchRequest{Area: "night", Service: "night-visit", From: night.AddDays(1).At(civil.At(0, 5), loc), By: pro, Limit: 1})
			require.NoError(t, err)
			require.Len(t, slots, 1)
			require.Equal(t, want[3], slots[0].Start)
		})
	}
}
