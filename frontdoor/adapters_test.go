package frontdoor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// A two-area city with a central pool. Area names and postal codes follow
// real Helsinki districts (Kallio 00530, Vallila 00550); staff are invented.
func routingDirectory(t testing.TB) *routing.Directory {
	t.Helper()
	nurse := func(id, team string) routing.Professional {
		return routing.Professional{ID: carecontact.ProfessionalID(id), Role: routing.RoleNurse,
			Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{carecontact.TeamID(team)},
			Capacity: routing.Capacity{Synchronous: 1}}
	}
	d, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{
			{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}, Neighbours: []carecontact.AreaID{"vallila"}},
			{ID: "vallila", NameFi: "Vallila", PostalCodes: []routing.PostalCode{"00550"}, Neighbours: []carecontact.AreaID{"kallio"}},
		},
		Teams: []routing.Team{
			{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"},
			{ID: "vallila-a", NameFi: "Vallila A", Area: "vallila"},
			{ID: "keskitetty", NameFi: "Keskitetty", Central: true},
		},
		Professionals: []routing.Professional{
			nurse("n-1", "kallio-a"), nurse("n-2", "kallio-a"), nurse("n-3", "vallila-a"), nurse("n-4", "keskitetty"),
		},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	return d
}

func calendars(t testing.TB) *booking.CalendarSet {
	t.Helper()
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	cal := func(id carecontact.ProfessionalID, team carecontact.TeamID, from, to int) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: "x", Team: team, Rules: []booking.WeeklyRule{
			{Weekdays: weekdays, Span: civil.Span{From: civil.At(7, 0), To: civil.At(8, 0)}, Block: booking.BlockSelfService},
			{Weekdays: weekdays, Span: civil.Span{From: civil.At(from, 0), To: civil.At(to, 0)}, Block: booking.BlockCallback},
		}}
	}
	set, err := booking.NewCalendarSet([]booking.Calendar{
		cal("n-1", "kallio-a", 8, 10), cal("n-2", "kallio-a", 8, 10), cal("n-3", "vallila-a", 8, 16), cal("n-4", "keskitetty", 12, 16),
	})
	require.NoError(t, err)
	return set
}

func TestRoutingRouterSteps(t *testing.T) {
	r := frontdoor.RoutingRouter{Directory: routingDirectory(t)}
	rt, err := r.Route(context.Background(), callback.Request{Client: "c1", Phone: "x", Errand: channel.ErrandOther, PostalCode: "00530", Language: "fi"})
	require.NoError(t, err)
	require.Equal(t, carecontact.AreaID("kallio"), rt.Area)
	require.Equal(t, []callback.Step{
		{Name: "home_area", Team: "kallio-a"},
		{Name: callback.StepNeighbourArea, Team: "vallila-a"},
		{Name: callback.StepCentralPool, Team: "keskitetty"},
	}, rt.Steps)
	own, err := r.Route(context.Background(), callback.Request{Client: "c1", Phone: "x", Errand: channel.ErrandOther,
		PostalCode: "00550", OwnTeam: "kallio-a", Language: "fi"})
	require.NoError(t, err)
	require.Equal(t, callback.Step{Name: callback.StepOwnTeam, Team: "kallio-a"}, own.Steps[0], "a known client's own team first")
	_, err = r.Route(context.Background(), callback.Request{Client: "c1", Errand: channel.ErrandOther, PostalCode: "12"})
	require.ErrorIs(t, err, callback.ErrInvalidRequest)
	pool, err := r.Route(context.Background(), callback.Request{Client: "c1", Errand: channel.ErrandOther, PostalCode: "99999", Language: "fi"})
	require.NoError(t, err)
	require.Equal(t, []callback.Step{{Name: callback.StepCentralPool, Team: "keskitetty"}}, pool.Steps, "outside every area: the central pool")
	_, err = r.Route(context.Background(), callback.Request{Client: "c1", Errand: channel.ErrandOther, PostalCode: "00530", Language: "xx"})
	require.ErrorIs(t, err, callback.ErrInvalidRequest)
	_, err = frontdoor.RoutingRouter{}.Route(context.Background(), callback.Request{})
	require.ErrorIs(t, err, callback.ErrConfig)
}

func TestCalendarCapacityHolidayAndAbsence(t *testing.T) {
	ctx := context.Background()
	c := frontdoor.NewCalendarCapacity(calendars(t))
	iv, err := c.CallbackCapacity(ctx, "kallio-a", at(2026, 4, 3, 0, 0)) // Good Friday
	require.NoError(t, err)
	require.Empty(t, iv)
	monday := at(2026, 3, 30, 0, 0) // first working day of summer time
	iv, err = c.CallbackCapacity(ctx, "kallio-a", monday)
	require.NoError(t, err)
	require.Equal(t, []callback.Interval{{Start: time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), Professionals: 2}}, iv, "08-10 EEST is 05-07 UTC")
	c.Absent("kallio-a", "n-2", monday.Add(9*time.Hour), monday.Add(24*time.Hour))
	iv, err = c.CallbackCapacity(ctx, "kallio-a", monday)
	require.NoError(t, err)
	require.Equal(t, []callback.Interval{
		{Start: time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), Professionals: 2},
		{Start: time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), Professionals: 1},
	}, iv)
	none, err := c.CallbackCapacity(ctx, "no-such-team", monday)
	require.NoError(t, err)
	require.Empty(t, none)
}

// A day through the real routing directory and booking calendars: the
// first Monday of summer time, an absence at 09:00, overflow to the
// neighbour area and the central pool.
func TestRoutingAndBookingDay(t *testing.T) {
	ctx := context.Background()
	capa := frontdoor.NewCalendarCapacity(calendars(t))
	n := 0
	monday := at(2026, 3, 30, 0, 0)
	now := monday
	svc, err := callback.New(callback.Config{Audit: memory.NewAuditLog(), Clock: carecontact.ClockFunc(func() time.Time { return now }),
		Store: memory.NewCallbackStore(nil), Router: frontdoor.RoutingRouter{Directory: routingDirectory(t)}, Capacity: capa,
		NewID: func() string { n++; return fmt.Sprintf("r%03d", n) }})
	require.NoError(t, err)
	steps := map[string]int{}
	for i := range 60 {
		r := req(fmt.Sprintf("c%d", i), callback.NonUrgent)
		r.PostalCode = "00530"
		now = monday.Add(7*time.Hour + time.Duration(i)*time.Second)
		p, err := svc.Request(ctx, r)
		require.NoError(t, err)
		require.False(t, p.NextDay)
		steps[p.Step+" "+string(p.Team)]++
		require.Equal(t, "2026-03-30", localDate(p.Window.Start))
	}
	// kallio-a: 2 nurses x 2 h = 24 calls; vallila-a: 8 h = 48 calls.
	require.Equal(t, map[string]int{"home_area kallio-a": 24, "neighbour_areas vallila-a": 36}, steps)
	first, err := svc.Get(ctx, audit.System("test"), "r001")
	require.NoError(t, err)
	require.Equal(t, callback.Window{Start: time.Date(2026, 3, 30, 5, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC)}, first.Window)
	// 12 more go to vallila-a, then 24 to the central pool (12-16), then Tuesday.
	for i := 60; i < 100; i++ {
		r := req(fmt.Sprintf("c%d", i), callback.NonUrgent)
		r.PostalCode = "00530"
		now = monday.Add(7*time.Hour + time.Duration(i)*time.Second)
		p, err := svc.Request(ctx, r)
		require.NoError(t, err)
		steps[p.Step+" "+string(p.Team)]++
		if p.NextDay {
			require.True(t, p.Breach)
			require.Equal(t, "2026-03-31", localDate(p.Window.Start))
		}
	}
	require.Equal(t, map[string]int{"home_area kallio-a": 24 + 4, "neighbour_areas vallila-a": 48, "central_pool keskitetty": 24}, steps)

	// n-2 falls ill at 09:00: kallio-a's 09-10 hour halves; 6 told promises move.
	capa.Absent("kallio-a", "n-2", monday.Add(9*time.Hour), monday.Add(24*time.Hour))
	now = monday.Add(8*time.Hour + 30*time.Minute)
	evs, err := svc.Plan(ctx)
	require.NoError(t, err)
	require.Positive(t, count(evs, callback.EventDue))
	require.Positive(t, count(evs, callback.EventPromiseAtRisk)+count(evs, callback.EventWidened))
}

// The routing directory is the session manager's team directory.
var _ session.TeamDirectory = (*routing.Directory)(nil)
