package booking_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

var (
	nurse1  = booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1", Role: "nurse"}}
	south1  = booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "south-1", Role: "nurse"}}
	sysCals = booking.Requester{Actor: audit.System("calendar-admin")}
)

// nurseSlots searches nurse-1's nurse visits on Monday 14 December 2026
// as a client sees them.
func nurseSlots(t *testing.T, f *fixture) []hm {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1",
		From: helsinki(t, 2026, 12, 14, 8, 0), To: helsinki(t, 2026, 12, 14, 12, 0), Limit: 20, By: client("c1")})
	require.NoError(t, err)
	return starts(t, slots)
}

// TestAbsenceRemovesSlots adds an absence at run time: the next search no
// longer offers the slots it takes, though the search had cached the
// day's busy time and the index its blocks.
func TestAbsenceRemovesSlots(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	before := nurseSlots(t, f)
	require.Equal(t, []hm{{8, 0, "nurse-1"}, {8, 30, "nurse-1"}, {9, 0, "nurse-1"}, {9, 30, "nurse-1"}, {10, 0, "nurse-1"}, {10, 30, "nurse-1"}, {11, 30, "nurse-1"}}, before)
	require.Equal(t, before, nurseSlots(t, f), "the cached search answers the same")

	cur, err := f.b.Calendar(ctx, "nurse-1")
	require.NoError(t, err)
	require.Zero(t, cur.Version, "from the configured calendars until the first change")
	span := sp(t, "09:00-10:30")
	sc, err := f.b.AddAbsence(ctx, "nurse-1", 0, booking.Exception{Date: civil.NewDate(2026, time.December, 14), Kind: booking.Absence, Span: &span}, nurse1)
	require.NoError(t, err)
	require.Equal(t, 1, sc.Version)
	require.Equal(t, []hm{{8, 0, "nurse-1"}, {8, 30, "nurse-1"}, {10, 30, "nurse-1"}, {11, 30, "nurse-1"}}, nurseSlots(t, f))

	// The first change stored the other configured calendars too.
	stored, _, err := f.store.Calendars(ctx)
	require.NoError(t, err)
	require.Len(t, stored, len(fixtureCalendars(t)))
	other, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-2",
		From: helsinki(t, 2026, 12, 14, 8, 0), To: helsinki(t, 2026, 12, 14, 12, 0), Limit: 20, By: client("c1")})
	require.NoError(t, err)
	require.Len(t, other, 7, "nurse-2 keeps the day")

	// Two weeks of leave as one exception, then the whole day again.
	_, err = f.b.AddAbsence(ctx, "nurse-1", 1, booking.Exception{Date: civil.NewDate(2026, time.December, 10), Until: civil.NewDate(2026, time.December, 23), Kind: booking.Absence}, nurse1)
	require.NoError(t, err)
	require.Empty(t, nurseSlots(t, f))

	// A Booker of another replica over the same store sees the change.
	f2 := &fixture{store: f.store.Share()}
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2026, time.December, 1), 60)
	require.NoError(t, err)
	f2.b, err = booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: f2.store, Audit: f2.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)
	require.Empty(t, nurseSlots(t, f2))

	// Removing the leave brings the slots back.
	cur, err = f.b.Calendar(ctx, "nurse-1")
	require.NoError(t, err)
	c := cur.Calendar
	c.Exceptions = nil
	_, err = f2.b.PutCalendar(ctx, c, cur.Version, nurse1)
	require.NoError(t, err)
	require.Equal(t, before, nurseSlots(t, f))
}

// TestCalendarChangesAudited checks who may change a calendar and that
// every change and refusal is recorded with its caller and without
// personal data.
func TestCalendarChangesAudited(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	newNurse := nurse(t, "nurse-3", "team-a")
	cases := []struct {
		name    string
		by      booking.Requester
		cal     booking.Calendar
		version int
		err     error
	}{
		{"a client may not", client("c1"), newNurse, 0, booking.ErrNotAllowed},
		{"another area's professional may not", south1, newNurse, 0, booking.ErrNotAllowed},
		{"a professional of the area may", nurse1, newNurse, 0, nil},
		{"a second create is refused", nurse1, newNurse, 0, booking.ErrExists},
		{"a stale version is refused", nurse1, newNurse, 7, booking.ErrConflict},
		{"an invalid calendar is refused", nurse1, booking.Calendar{ID: "x", Kind: booking.OwnerProfessional}, 0, booking.ErrInvalid},
		{"the system may", sysCals, func() booking.Calendar { c := newNurse; c.Role = "doctor"; return c }(), 1, nil},
		{"moving it to another area needs both areas", nurse1, func() booking.Calendar { c := newNurse; c.Area = "south"; return c }(), 2, booking.ErrNotAllowed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.PutCalendar(ctx, tc.cal, tc.version, tc.by)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
		})
	}
	got, err := f.b.Calendar(ctx, "nurse-3")
	require.NoError(t, err)
	require.Equal(t, 2, got.Version)
	require.Equal(t, "doctor", got.Calendar.Role)
	require.ErrorIs(t, f.b.DeleteCalendar(ctx, "nurse-3", 2, south1), booking.ErrNotAllowed)
	require.ErrorIs(t, f.b.DeleteCalendar(ctx, "nurse-3", 1, nurse1), booking.ErrConflict)
	require.NoError(t, f.b.DeleteCalendar(ctx, "nurse-3", 2, nurse1))
	_, err = f.b.Calendar(ctx, "nurse-3")
	require.ErrorIs(t, err, booking.ErrNotFound)

	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "calendar/nurse-3"})
	require.NoError(t, err)
	type row struct {
		action, actor string
		outcome       audit.Outcome
	}
	var rows []row
	for _, e := range evs {
		require.Empty(t, e.Client, "a calendar change holds no client")
		require.NoError(t, e.Validate())
		rows = append(rows, row{e.Action, e.Actor.ID, e.Outcome})
	}
	require.Equal(t, []row{
		{"calendar.put", "c1", audit.Denied}, {"calendar.put", "south-1", audit.Denied}, {"calendar.put", "nurse-1", audit.Allowed},
		{"calendar.put", "calendar-admin", audit.Allowed}, {"calendar.put", "nurse-1", audit.Denied},
		{"calendar.delete", "south-1", audit.Denied}, {"calendar.delete", "nurse-1", audit.Allowed},
	}, rows)
	seeds, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "calendar.seed"})
	require.NoError(t, err)
	require.Len(t, seeds, len(fixtureCalendars(t)), "the first change stored the configured calendars, each recorded")

	_, err = f.b.SeedCalendars(ctx, nurse1)
	require.ErrorIs(t, err, booking.ErrNotAllowed, "seeding is the host's")
	n, err := f.b.SeedCalendars(ctx, sysCals)
	require.NoError(t, err)
	require.Zero(t, n, "already seeded")
}

// TestSeedAndDeleteConfigured stores the configured calendars explicitly
// and deletes one that was only configured.
func TestSeedAndDeleteConfigured(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	require.NoError(t, f.b.DeleteCalendar(ctx, "nurse-2", 0, nurse1), "a configured calendar, never stored")
	_, err := f.b.Calendar(ctx, "nurse-2")
	require.ErrorIs(t, err, booking.ErrNotFound)
	stored, _, err := f.store.Calendars(ctx)
	require.NoError(t, err)
	require.Len(t, stored, len(fixtureCalendars(t))-1, "the others were stored")
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-2", By: pro})
	require.NoError(t, err)
	require.Empty(t, slots)

	g := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	n, err := g.b.SeedCalendars(ctx, sysCals)
	require.NoError(t, err)
	require.Equal(t, len(fixtureCalendars(t)), n)
	sc, err := g.b.Calendar(ctx, "doctor-1")
	require.NoError(t, err)
	require.Equal(t, 1, sc.Version)
	require.Equal(t, []string{"diabetes"}, sc.Calendar.Skills)
	evs, err := g.store.AuditLog().Events(ctx, audit.Filter{Action: "calendar.seed"})
	require.NoError(t, err)
	require.Len(t, evs, n)
	require.Equal(t, "calendar-admin", evs[0].Actor.ID)

	// The only configured calendar deleted: the store is empty, and that
	// is what the Booker then uses.
	set, err := booking.NewCalendarSet([]booking.Calendar{nurse(t, "nurse-1", "team-a")})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2026, time.December, 1), 60)
	require.NoError(t, err)
	store := memory.NewBookingStore(nil)
	one, err := booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now })})
	require.NoError(t, err)
	require.NoError(t, one.DeleteCalendar(ctx, "nurse-1", 0, sysCals))
	_, err = one.Calendar(ctx, "nurse-1")
	require.ErrorIs(t, err, booking.ErrNotFound)
	slots, err = one.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", By: pro})
	require.NoError(t, err)
	require.Empty(t, slots)
	dels, err := store.AuditLog().Events(ctx, audit.Filter{Action: "calendar.delete"})
	require.NoError(t, err)
	require.Len(t, dels, 1)
}

// TestSearchWhileCalendarsChange searches from several goroutines while
// absences are added and removed (run with -race): every search answers
// as either calendar version would.
func TestSearchWhileCalendarsChange(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	full := len(nurseSlots(t, f))
	done := make(chan struct{})
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1",
					From: helsinki(t, 2026, 12, 14, 8, 0), To: helsinki(t, 2026, 12, 14, 12, 0), Limit: 20, By: client("c1")})
				if err != nil {
					errs <- err
					return
				}
				if n := len(slots); n != full && n != 0 {
					errs <- fmt.Errorf("%d slots: neither calendar", n)
					return
				}
			}
		}()
	}
	version := 0
	for i := range 20 {
		cur, err := f.b.Calendar(ctx, "nurse-1")
		require.NoError(t, err)
		require.Equal(t, version, cur.Version)
		c := cur.Calendar
		if i%2 == 0 {
			c.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, time.December, 14), Kind: booking.Absence}}
		} else {
			c.Exceptions = nil
		}
		sc, err := f.b.PutCalendar(ctx, c, cur.Version, sysCals)
		require.NoError(t, err)
		version = sc.Version
	}
	close(done)
	for range 4 {
		require.NoError(t, <-errs)
	}
	require.Equal(t, full, len(nurseSlots(t, f)))
}

// TestDeleteCalendarWithAppointmentsToCome: a calendar whose appointments
// are still to come is not deleted (its clients would get no reminders);
// the refusal is recorded; once they are over or cancelled it is.
func TestDeleteCalendarWithAppointmentsToCome(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	past := bookAt(t, f, "c-1", helsinki(t, 2026, 12, 8, 9, 0))
	coming := bookAt(t, f, "c-2", helsinki(t, 2026, 12, 9, 9, 0))

	f.set(helsinki(t, 2026, 12, 8, 12, 0)) // the first is over
	err := f.b.DeleteCalendar(ctx, "nurse-1", 0, nurse1)
	require.ErrorIs(t, err, booking.ErrCalendarInUse)
	require.ErrorIs(t, err, carecontact.ErrConflict)
	require.NotContains(t, err.Error(), "c-2")
	_, err = f.b.Calendar(ctx, "nurse-1")
	require.NoError(t, err, "still there")
	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "calendar/nurse-1", Action: "calendar.delete"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, audit.Denied, evs[0].Outcome)
	require.Equal(t, booking.ErrCalendarInUse.Error(), evs[0].Detail["reason"])
	require.Empty(t, evs[0].Client)

	_, err = f.b.Cancel(ctx, coming.ID, "peruttu", pro)
	require.NoError(t, err)
	require.NoError(t, f.b.DeleteCalendar(ctx, "nurse-1", 0, nurse1), "only a past appointment is left")
	got, err := f.store.Appointment(ctx, past.ID)
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, got.Status, "the past appointment stays as it is")
}

// TestSeedCompletesAPartialSeedOnly: a seed stopped part-way is completed
// by the next SeedCalendars, and a calendar deleted after the seed is not
// brought back.
func TestSeedCompletesAPartialSeedOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	cals := fixtureCalendars(t)
	// The seed that stopped after its first calendar.
	_, err := f.store.PutCalendar(ctx, booking.CalendarChange{Calendar: cals[0], Now: f.now})
	require.NoError(t, err)
	n, err := f.b.SeedCalendars(ctx, sysCals)
	require.NoError(t, err)
	require.Equal(t, len(cals)-1, n, "the rest is seeded")
	stored, _, err := f.store.Calendars(ctx)
	require.NoError(t, err)
	require.Len(t, stored, len(cals))

	require.NoError(t, f.b.DeleteCalendar(ctx, "nurse-2", 1, nurse1))
	n, err = f.b.SeedCalendars(ctx, sysCals) // the next start
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = f.b.Calendar(ctx, "nurse-2")
	require.ErrorIs(t, err, booking.ErrNotFound, "a deleted calendar stays deleted")
}
