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

// bookAt books nurse-1's nurse visit at at for client c, as a professional.
func bookAt(t *testing.T, f *fixture, c string, at time.Time) booking.Appointment {
	t.Helper()
	ctx := context.Background()
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: at, By: pro, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, at, slots[0].Start)
	a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: carecontact.ClientRef(c), By: pro,
		Answers: []booking.Answer{{QuestionID: "symptoms", Text: "yskä"}}, GuidanceVersion: "g-3"})
	require.NoError(t, err)
	return a
}

type when struct {
	local string // in Helsinki, "Mon 2 Jan 15:04"
	utc   string // "15:04Z"
	who   booking.CalendarID
}

func whens(slots []booking.Slot) []when {
	var out []when
	for _, s := range slots {
		out = append(out, when{s.Start.In(civil.Helsinki()).Format("Mon 2 Jan 15:04"), s.Start.UTC().Format("15:04Z"), s.Participants[0]})
	}
	return out
}

// TestPlanAbsence adds a sickness absence over booked times in the week of
// Easter 2027, which is also the week Finland moves to summer time
// (Sunday 28 March): the nearest new times skip Good Friday (26 March),
// the weekend and Easter Monday (29 March) and keep the wall clock across
// the change of offset.
func TestPlanAbsence(t *testing.T) {
	ctx := context.Background()
	thu := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 25, h, m) }
	cases := []struct {
		name string
		now  time.Time
		req  func(f *fixture) booking.AbsenceRequest
		// want are the alternatives per affected appointment; nil: moved
		// to the waitlist.
		want [][]when
	}{
		{name: "sick on the day, own nurse: the Tuesday after Easter in summer time", now: thu(7, 0),
			req: func(f *fixture) booking.AbsenceRequest {
				return booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence},
					Alternatives: 2, KeepProfessional: true, By: nurse1}
			},
			want: [][]when{
				{{"Tue 30 Mar 08:00", "05:00Z", "nurse-1"}, {"Tue 30 Mar 08:30", "05:30Z", "nurse-1"}},
				{{"Tue 30 Mar 08:00", "05:00Z", "nurse-1"}, {"Tue 30 Mar 08:30", "05:30Z", "nurse-1"}},
			}},
		{name: "planned ahead, own nurse: the nearest times on either side", now: helsinki(t, 2027, time.March, 22, 7, 0),
			req: func(f *fixture) booking.AbsenceRequest {
				return booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence},
					Alternatives: 2, KeepProfessional: true, By: nurse1}
			},
			want: [][]when{
				// Wednesday's professional-only afternoon is nearer than Tuesday the 30th.
				{{"Wed 24 Mar 13:30", "11:30Z", "nurse-1"}, {"Wed 24 Mar 13:00", "11:00Z", "nurse-1"}},
				{{"Wed 24 Mar 13:30", "11:30Z", "nurse-1"}, {"Wed 24 Mar 13:00", "11:00Z", "nurse-1"}},
			}},
		{name: "any nurse: a colleague at the same time", now: thu(7, 0),
			req: func(f *fixture) booking.AbsenceRequest {
				return booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence},
					Alternatives: 1, By: nurse1}
			},
			want: [][]when{{{"Thu 25 Mar 09:00", "07:00Z", "nurse-2"}}, {{"Thu 25 Mar 10:00", "08:00Z", "nurse-2"}}}},
		{name: "nothing within three days: the waitlist", now: thu(7, 0),
			req: func(f *fixture) booking.AbsenceRequest {
				return booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence},
					Within: 3 * 24 * time.Hour, KeepProfessional: true, By: nurse1}
			},
			want: [][]when{nil, nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.NewDate(2027, time.March, 1), 60)
			f.set(helsinki(t, 2027, time.March, 22, 7, 0))
			a1 := bookAt(t, f, "c-1", thu(9, 0))
			a2 := bookAt(t, f, "c-2", thu(10, 0))
			other := bookAt(t, f, "c-3", helsinki(t, 2027, time.March, 26-2, 9, 0)) // Wednesday: not affected
			f.set(tc.now)
			plan, err := f.b.PlanAbsence(ctx, tc.req(f))
			require.NoError(t, err)
			require.Equal(t, 1, plan.Calendar.Version)
			require.Len(t, plan.Rebookings, 2)
			for i, want := range tc.want {
				r := plan.Rebookings[i]
				require.Equal(t, []string{a1.ID, a2.ID}[i], r.Appointment.ID)
				if want != nil {
					require.Equal(t, want, whens(r.Alternatives))
					require.Nil(t, r.Waiting)
					require.Equal(t, booking.StatusBooked, r.Appointment.Status)
					continue
				}
				require.Empty(t, r.Alternatives)
				require.NotNil(t, r.Waiting)
				require.Equal(t, booking.StatusCancelled, r.Appointment.Status)
				require.Equal(t, "absence", r.Appointment.CancelReason)
				stored, err := f.store.Appointment(ctx, r.Appointment.ID)
				require.NoError(t, err)
				require.Equal(t, booking.StatusCancelled, stored.Status)
				require.Equal(t, r.Appointment.Client, r.Waiting.Client)
				require.Equal(t, "g-3", r.Waiting.GuidanceVersion, "the waiting client keeps what they saw and answered")
				require.Equal(t, stored.Answers, r.Waiting.Answers)
			}
			if tc.want[0] == nil {
				ws, err := f.store.Waiters(ctx, "north", "nurse-visit")
				require.NoError(t, err)
				require.Len(t, ws, 2)
				evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Client: "c-1"})
				require.NoError(t, err)
				var actions []string
				for _, e := range evs {
					actions = append(actions, e.Action+"/"+e.Actor.ID)
					require.NoError(t, e.Validate())
				}
				require.Equal(t, []string{"booking.book/staff-7", "booking.read/nurse-1", "booking.wait/nurse-1", "booking.cancel/nurse-1"}, actions)
			}
			// The other appointment is untouched, and the absent day is
			// offered to nobody.
			got, err := f.store.Appointment(ctx, other.ID)
			require.NoError(t, err)
			require.Equal(t, booking.StatusBooked, got.Status)
			slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: thu(0, 0), To: thu(23, 0), By: pro})
			require.NoError(t, err)
			require.Empty(t, slots)
		})
	}
}

// TestPlanAbsenceRefusals checks the request's checks: nothing is stored.
func TestPlanAbsenceRefusals(t *testing.T) {
	ctx := context.Background()
	absence := booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence}
	cases := []struct {
		name string
		req  booking.AbsenceRequest
		err  error
	}{
		{"too many alternatives", booking.AbsenceRequest{Owner: "nurse-1", Absence: absence, Alternatives: 21, By: nurse1}, booking.ErrInvalid},
		{"negative window", booking.AbsenceRequest{Owner: "nurse-1", Absence: absence, Within: -time.Hour, By: nurse1}, booking.ErrInvalid},
		{"not an absence", booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{Date: absence.Date, Kind: booking.ExtraTime}, By: nurse1}, booking.ErrInvalid},
		{"another area's professional", booking.AbsenceRequest{Owner: "nurse-1", Absence: absence, By: south1}, booking.ErrNotAllowed},
		{"a client", booking.AbsenceRequest{Owner: "nurse-1", Absence: absence, By: client("c-1")}, booking.ErrNotAllowed},
		{"a stale version", booking.AbsenceRequest{Owner: "nurse-1", Version: 4, Absence: absence, By: nurse1}, booking.ErrConflict},
		{"an unknown calendar", booking.AbsenceRequest{Owner: "nobody", Absence: absence, By: nurse1}, booking.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.NewDate(2027, time.March, 1), 60)
			f.set(helsinki(t, 2027, time.March, 22, 7, 0))
			_, err := f.b.PlanAbsence(ctx, tc.req)
			require.ErrorIs(t, err, tc.err)
			v, err := f.store.CalendarsVersion(ctx)
			require.NoError(t, err)
			require.Zero(t, v, "nothing stored")
		})
	}
}

// TestCancelAfterAbsenceOffersNothing: cancelling an appointment whose
// time an absence took does not offer that time to a waiting client.
func TestCancelAfterAbsenceOffersNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2027, time.March, 1), 60)
	f.set(helsinki(t, 2027, time.March, 22, 7, 0))
	a := bookAt(t, f, "c-1", helsinki(t, 2027, time.March, 25, 9, 0))
	_, err := f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c-9", By: pro})
	require.NoError(t, err)
	_, err = f.b.AddAbsence(ctx, "nurse-1", 0, booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence}, nurse1)
	require.NoError(t, err)
	res, err := f.b.Cancel(ctx, a.ID, "sairaus", pro)
	require.NoError(t, err)
	require.Nil(t, res.Offer)
	ws, err := f.store.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Len(t, ws, 1, "still waiting")
}

// failingTransitions is a store whose Transition of one appointment fails.
type failingTransitions struct {
	booking.Store
	fail string
}

func (s *failingTransitions) Transition(ctx context.Context, req booking.TransitionRequest) error {
	if req.Next.ID == s.fail {
		return errors.New("store: disk full")
	}
	return s.Store.Transition(ctx, req)
}

// TestPlanAbsenceMovesOnlyWhatIsToCome: an absence entered during the
// morning it covers leaves the appointment that already started and the
// checked-in one as they are (Affected still lists them), and a failure
// with one appointment is recorded in its Rebooking while the next client
// is still handled.
func TestPlanAbsenceMovesOnlyWhatIsToCome(t *testing.T) {
	ctx := context.Background()
	thu := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 25, h, m) }
	f := newFixture(t, civil.NewDate(2027, time.March, 1), 60)
	store := &failingTransitions{Store: f.store}
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2027, time.March, 1), 60)
	require.NoError(t, err)
	f.b, err = booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: store, Audit: f.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)

	f.set(helsinki(t, 2027, time.March, 22, 7, 0))
	started := bookAt(t, f, "c-1", thu(9, 0))
	checkedIn := bookAt(t, f, "c-2", thu(10, 0))
	failing := bookAt(t, f, "c-3", thu(10, 30))
	later := bookAt(t, f, "c-4", thu(11, 30))
	store.fail = failing.ID
	f.set(thu(9, 55))
	_, err = f.b.Mark(ctx, checkedIn.ID, booking.StatusCheckedIn, client("c-2"))
	require.NoError(t, err)

	absence := booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence}
	all, err := f.b.Affected(ctx, "nurse-1", absence, nurse1)
	require.NoError(t, err)
	require.Len(t, all, 4, "Affected lists everyone the absence touches")

	plan, err := f.b.PlanAbsence(ctx, booking.AbsenceRequest{Owner: "nurse-1", Absence: absence,
		Within: 3 * 24 * time.Hour, KeepProfessional: true, By: nurse1})
	require.NoError(t, err, "one appointment's failure does not fail the plan")
	require.Len(t, plan.Rebookings, 2, "neither the started nor the checked-in appointment is moved")

	r := plan.Rebookings[0]
	require.Equal(t, failing.ID, r.Appointment.ID)
	require.Contains(t, r.Err, "cancel after absence")
	require.NotContains(t, r.Err, "c-3")
	require.NotContains(t, r.Err, "yskä")
	require.NotNil(t, r.Waiting, "the client is on the waitlist, the cancellation failed")
	require.Equal(t, booking.StatusBooked, r.Appointment.Status)

	r = plan.Rebookings[1]
	require.Equal(t, later.ID, r.Appointment.ID)
	require.Empty(t, r.Err)
	require.NotNil(t, r.Waiting)
	require.Equal(t, booking.StatusCancelled, r.Appointment.Status)

	for id, want := range map[string]booking.Status{started.ID: booking.StatusBooked, checkedIn.ID: booking.StatusCheckedIn,
		failing.ID: booking.StatusBooked, later.ID: booking.StatusCancelled} {
		got, err := f.store.Appointment(ctx, id)
		require.NoError(t, err)
		require.Equal(t, want, got.Status, id)
	}
}

// bookingDuringAbsence is a store where another Booker books while the
// absence's calendar change is on its way to the store.
type bookingDuringAbsence struct {
	booking.Store
	during func()
}

func (s *bookingDuringAbsence) PutCalendar(ctx context.Context, ch booking.CalendarChange) (booking.StoredCalendar, error) {
	if s.during != nil {
		s.during()
		s.during = nil
	}
	return s.Store.PutCalendar(ctx, ch)
}

// TestPlanAbsenceSeesBookingMadeMeanwhile: an appointment booked while the
// absence is being stored is among the plan's rebookings.
func TestPlanAbsenceSeesBookingMadeMeanwhile(t *testing.T) {
	ctx := context.Background()
	thu := func(h, m int) time.Time { return helsinki(t, 2027, time.March, 25, h, m) }
	other := newFixture(t, civil.NewDate(2027, time.March, 1), 60) // the other replica
	store := &bookingDuringAbsence{Store: other.store}
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2027, time.March, 1), 60)
	require.NoError(t, err)
	f := &fixture{store: other.store}
	f.b, err = booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: store, Audit: other.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)
	f.set(helsinki(t, 2027, time.March, 22, 7, 0))
	other.set(f.now)
	first := bookAt(t, f, "c-1", thu(9, 0))
	var meanwhile booking.Appointment
	store.during = func() { meanwhile = bookAt(t, other, "c-2", thu(10, 0)) }

	plan, err := f.b.PlanAbsence(ctx, booking.AbsenceRequest{Owner: "nurse-1",
		Absence: booking.Exception{Date: civil.NewDate(2027, time.March, 25), Kind: booking.Absence}, Alternatives: 1, By: nurse1})
	require.NoError(t, err)
	require.NotEmpty(t, meanwhile.ID)
	var ids []string
	for _, r := range plan.Rebookings {
		ids = append(ids, r.Appointment.ID)
		require.Empty(t, r.Err)
	}
	require.Equal(t, []string{first.ID, meanwhile.ID}, ids)
}
