package booking_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// nurseSlot returns nurse-1's nurse visit at at as by finds it.
func nurseSlot(t *testing.T, f *fixture, by booking.Requester, at time.Time) booking.Slot {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1",
		From: at, By: by, Limit: 1})
	require.NoError(t, err)
	require.Len(t, slots, 1)
	require.Equal(t, at, slots[0].Start)
	return slots[0]
}

// emptySearch is a client's search of Sunday's nurse visits, which finds
// nothing (nobody works on Sundays).
func emptySearch(t *testing.T, f *fixture, area carecontact.AreaID, svc string) {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: area, Service: svc, By: client("c9"),
		From: helsinki(t, 2027, time.March, 28, 8, 0), To: helsinki(t, 2027, time.March, 28, 20, 0)})
	require.NoError(t, err)
	require.Empty(t, slots)
}

// TestWorkload scripts a period around Sunday 28 March 2027, the day
// Finland moves to summer time (a day of 23 hours: 22:00Z to 21:00Z), and
// counts the north area's workload exactly, with the Helsinki days as the
// period's boundaries.
func TestWorkload(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2027, Month: time.March, Day: 22}, 21)
	sun := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 28, h, m) }
	tue := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 30, h, m) } // Easter Monday 29 March is closed
	wed := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 31, h, m) }

	// Saturday 23:59: an empty search, the day before.
	f.set(helsinki(t, 2027, time.March, 27, 23, 59))
	emptySearch(t, f, "north", "nurse-visit")
	// Sunday 00:00 (22:00Z on Saturday): an empty search, the first
	// instant of Sunday; one in another area.
	f.set(sun(0, 0))
	require.Equal(t, "2027-03-27T22:00:00Z", f.now.Format(time.RFC3339))
	emptySearch(t, f, "north", "nurse-visit")
	emptySearch(t, f, "night", "night-call")
	// 00:30: a client's hold and a professional's hold lapse at 01:00;
	// only the client's is a failed attempt.
	f.set(sun(0, 30))
	_, err := f.b.Hold(ctx, booking.BookRequest{Slot: nurseSlot(t, f, client("c1"), tue(9, 0)), Client: "c1", By: client("c1"),
		Answers: []booking.Answer{{QuestionID: "symptoms", Text: "yskä"}}})
	require.NoError(t, err)
	_, err = f.b.Hold(ctx, booking.BookRequest{Slot: nurseSlot(t, f, pro, tue(9, 30)), Client: "c5", By: pro})
	require.NoError(t, err)
	f.set(sun(1, 0))
	n, err := f.b.Expire(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	// 10:00: an override; a client's own booking and a professional's
	// booking, both cancelled by a professional (one correction); a
	// client's booking rescheduled by a professional (one correction).
	f.set(sun(10, 0))
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: nurseSlot(t, f, pro, wed(9, 0)), Client: "c2",
		By: overriding([]booking.Rule{booking.RuleLimit}, "hoitosuunnitelma"), Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.NoError(t, err)
	own, err := f.b.Book(ctx, booking.BookRequest{Slot: nurseSlot(t, f, client("c3"), tue(10, 0)), Client: "c3", By: client("c3"),
		Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.NoError(t, err)
	_, err = f.b.Cancel(ctx, own.ID, "asiakas soitti", pro)
	require.NoError(t, err)
	theirs, err := f.b.Book(ctx, booking.BookRequest{Slot: nurseSlot(t, f, pro, tue(11, 30)), Client: "c6", By: pro})
	require.NoError(t, err)
	_, err = f.b.Cancel(ctx, theirs.ID, "ei tarvetta", pro)
	require.NoError(t, err)
	moved, err := f.b.Book(ctx, booking.BookRequest{Slot: nurseSlot(t, f, client("c4"), tue(10, 30)), Client: "c4", By: client("c4"),
		Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.NoError(t, err)
	_, err = f.b.Reschedule(ctx, moved.ID, nurseSlot(t, f, pro, wed(8, 0)), pro)
	require.NoError(t, err)
	// 12:00: nurse-1 is absent on Wednesday: the two appointments there
	// are offered new times.
	f.set(sun(12, 0))
	plan, err := f.b.PlanAbsence(ctx, booking.AbsenceRequest{Owner: "nurse-1",
		Absence: booking.Exception{Date: civil.Date{Year: 2027, Month: time.March, Day: 31}, Kind: booking.Absence}, By: pro})
	require.NoError(t, err)
	require.Len(t, plan.Rebookings, 2)
	for _, r := range plan.Rebookings {
		require.NotEmpty(t, r.Alternatives)
	}
	// 23:59 (20:59Z): the last minute of Sunday; Monday 00:00 (21:00Z)
	// is the next day.
	f.set(sun(23, 59))
	emptySearch(t, f, "north", "nurse-visit")
	f.set(helsinki(t, 2027, time.March, 29, 0, 0))
	require.Equal(t, "2027-03-28T21:00:00Z", f.now.Format(time.RFC3339))
	emptySearch(t, f, "north", "nurse-visit")

	sunday := civil.Date{Year: 2027, Month: time.March, Day: 28}
	cases := []struct {
		name     string
		by       booking.Requester
		from, to civil.Date
		want     booking.WorkCounts
	}{
		{"the DST day, a professional of the area", pro, sunday, sunday,
			booking.WorkCounts{Overrides: 1, AbsenceRebookings: 2, Corrections: 2, EmptySearches: 2, LapsedHolds: 1}},
		{"from Saturday, the system", booking.Requester{Actor: audit.System("report")}, sunday.AddDays(-1), sunday,
			booking.WorkCounts{Overrides: 1, AbsenceRebookings: 2, Corrections: 2, EmptySearches: 3, LapsedHolds: 1}},
		{"to Monday", pro, sunday, sunday.AddDays(1),
			booking.WorkCounts{Overrides: 1, AbsenceRebookings: 2, Corrections: 2, EmptySearches: 3, LapsedHolds: 1}},
		{"Saturday only", pro, sunday.AddDays(-1), sunday.AddDays(-1), booking.WorkCounts{EmptySearches: 1}},
		{"a week later", pro, sunday.AddDays(7), sunday.AddDays(8), booking.WorkCounts{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := f.b.Workload(ctx, tc.by, "north", tc.from, tc.to)
			require.NoError(t, err)
			require.Equal(t, tc.want, w.Total)
			loc := civil.Helsinki()
			require.Equal(t, booking.Interval{Start: tc.from.Start(loc).UTC(), End: tc.to.AddDays(1).Start(loc).UTC()}, w.Period)
			if tc.want == (booking.WorkCounts{}) {
				require.Empty(t, w.Services)
				return
			}
			require.Equal(t, map[string]booking.WorkCounts{"nurse-visit": tc.want}, w.Services)
		})
	}
	w, err := f.b.Workload(ctx, pro, "north", sunday, sunday)
	require.NoError(t, err)
	require.Equal(t, 23*time.Hour, w.Period.Duration(), "the day summer time starts")
	require.Equal(t, 5, w.Total.Staff())
	require.Equal(t, 3, w.Total.Clients())
	night, err := f.b.Workload(ctx, booking.Requester{Actor: audit.System("report")}, "night", sunday, sunday)
	require.NoError(t, err)
	require.Equal(t, booking.WorkCounts{EmptySearches: 1}, night.Total)

	// Each report is a recorded read; the empty searches name nobody.
	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "workload/north"})
	require.NoError(t, err)
	require.Len(t, evs, len(cases)+1)
	require.Equal(t, "booking.read", evs[0].Action)
	empties, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.search.empty"})
	require.NoError(t, err)
	require.Len(t, empties, 5)
	for _, e := range empties {
		require.Empty(t, e.Client)
		require.Equal(t, audit.ActorSystem, e.Actor.Kind)
		require.NotContains(t, e.Detail, "client")
	}
}

// recordOnly is an audit recorder that cannot be read back.
type recordOnly struct{ audit.Recorder }

func TestWorkloadRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 30)
	day := civil.Date{Year: 2026, Month: time.December, Day: 7}
	south := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "south-1", Role: "nurse"}}
	cases := []struct {
		name     string
		by       booking.Requester
		area     carecontact.AreaID
		from, to civil.Date
		err      error
		field    string
	}{
		{"a client", client("c1"), "north", day, day, booking.ErrNotAllowed, ""},
		{"a professional of another area", south, "north", day, day, booking.ErrNotAllowed, ""},
		{"no requester", booking.Requester{}, "north", day, day, booking.ErrInvalid, ""},
		{"to before from", pro, "north", day, day.AddDays(-1), booking.ErrInvalid, "to"},
		{"bad from", pro, "north", civil.Date{Year: 2026, Month: 2, Day: 30}, day, booking.ErrInvalid, "from"},
		{"zero to", pro, "north", day, civil.Date{}, booking.ErrInvalid, "to"},
		{"too long", pro, "north", day, day.AddDays(booking.MaxWorkloadDays), booking.ErrInvalid, "to"},
		{"no area", pro, "", day, day, booking.ErrInvalid, "area"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.Workload(ctx, tc.by, tc.area, tc.from, tc.to)
			require.ErrorIs(t, err, tc.err)
			if tc.field != "" {
				var fe *carecontact.FieldError
				require.True(t, errors.As(err, &fe))
				require.Equal(t, tc.field, fe.Field)
			}
		})
	}
	denied, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "workload/north"})
	require.NoError(t, err)
	require.Len(t, denied, 3)
	for _, e := range denied {
		require.Equal(t, audit.Denied, e.Outcome)
	}

	// A recorder that does not read back cannot report.
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, day, 7)
	require.NoError(t, err)
	b, err := booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: f.store,
		Audit: recordOnly{f.store.AuditLog()}, Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)
	_, err = b.Workload(ctx, pro, "north", day, day)
	require.ErrorIs(t, err, booking.ErrNotAllowed)
}
