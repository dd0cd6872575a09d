package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/simulation/callbacksim"
)

// arrivals spreads n non-urgent requests from postal code evenly over [from, to).
func arrivals(prefix, postal string, n int, from, to time.Time) []callbacksim.Arrival {
	out := make([]callbacksim.Arrival, n)
	step := to.Sub(from) / time.Duration(n)
	for i := range out {
		r := req(fmt.Sprintf("%s-%d", prefix, i), callback.NonUrgent)
		r.PostalCode = postal
		out[i] = callbacksim.Arrival{At: from.Add(time.Duration(i) * step), Request: r}
	}
	return out
}

func count(evs []callback.Event, k callback.EventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == k {
			n++
		}
	}
	return n
}

func TestNormalDay(t *testing.T) {
	day := at(2026, 11, 24, 0, 0) // Tuesday
	sc := callbacksim.Scenario{
		Router: testRouter(),
		Teams:  []callbacksim.Team{{Name: "team-north", Shifts: shifts("n", 4, civil.At(8, 0), civil.At(16, 0))}},
		// 4 nurses x 8 h = 32 h of callback time; 120 requests x 10 min = 20 h.
		Arrivals: arrivals("c", "00100", 120, day.Add(7*time.Hour), day.Add(14*time.Hour)),
		Start:    day.Add(7 * time.Hour), End: day.Add(20 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	require.Len(t, res.Promises, 120)
	debugKPIs(t, res)
	dumpUnkept(t, res)
	for _, p := range res.Promises {
		require.Equal(t, carecontact.TeamID("team-north"), p.Team)
		require.False(t, p.NextDay)
		require.False(t, p.Unplaced)
		require.True(t, p.Window.End.Sub(p.Window.Start) <= 2*time.Hour)
		require.True(t, localDate(p.Window.Start) == "2026-11-24")
	}
	k := res.KPIs
	require.Equal(t, 120, k.Requests)
	require.Equal(t, 120, k.BeforeCutoff)
	require.Equal(t, 120, k.SameDay)
	require.Equal(t, 1.0, k.SameDayShare)
	require.True(t, k.TargetMet)
	require.Equal(t, 1.0, k.PromiseKeptRate)
	require.Equal(t, 120, k.Reached)
	require.Equal(t, 1.0, k.AttemptsPerRequest)
	require.Zero(t, k.Breaches)
	require.Zero(t, k.Open)
	require.LessOrEqual(t, k.DelayP90, 2*time.Hour)
	require.Zero(t, count(res.Events, callback.EventPromiseAtRisk))
}

func localDate(t time.Time) string { return t.In(hki).Format("2006-01-02") }

// windowLoad sums the handling time promised into each (team, 2-hour window
// start) and checks it against the professionals on duty in that window.
func requireWithinCapacity(t *testing.T, res callbacksim.Result, nurses map[string]int) {
	t.Helper()
	load := map[string]time.Duration{}
	for _, r := range res.Records {
		if r.Window.IsZero() {
			continue
		}
		l := r.Window.Start.In(hki)
		start := time.Date(l.Year(), l.Month(), l.Day(), l.Hour()/2*2, 0, 0, 0, hki)
		load[string(r.Team)+" "+start.Format(time.RFC3339)] += r.Handling
	}
	for k, v := range load {
		team := k[:len(k)-len(" 2026-11-24T10:00:00+02:00")]
		require.LessOrEqual(t, v, time.Duration(nurses[team])*2*time.Hour, "window %s overfilled", k)
	}
}

func debugKPIs(t *testing.T, res callbacksim.Result) {
	t.Helper()
	k := res.KPIs
	t.Logf("requests=%d sameDay=%d/%d share=%.3f nextDay=%d breaches=%d unplaced=%d p50=%v p90=%v kept=%d/%d attempts/req=%.2f reached=%d closedByOutcome=%d open=%d",
		k.Requests, k.SameDay, k.BeforeCutoff, k.SameDayShare, k.NextDay, k.Breaches, k.Unplaced, k.DelayP50, k.DelayP90,
		k.Kept, k.Promised, k.AttemptsPerRequest, k.Reached, k.ClosedByOutcome, k.Open)
	kinds := map[callback.EventKind]int{}
	for _, e := range res.Events {
		kinds[e.Kind]++
	}
	t.Logf("events %v", kinds)
}

func TestTwoNursesAbsentAfterTen(t *testing.T) {
	day := at(2026, 11, 25, 0, 0) // Wednesday
	sc := callbacksim.Scenario{
		Router: testRouter(),
		Teams: []callbacksim.Team{
			{Name: "team-north", Shifts: shifts("n", 4, civil.At(8, 0), civil.At(16, 0))},
			{Name: "team-south", Shifts: shifts("s", 2, civil.At(8, 0), civil.At(16, 0))},
		},
		Absences: []callbacksim.Absence{
			{Team: "team-north", Professional: "n-0", From: day.Add(10 * time.Hour), To: day.Add(24 * time.Hour)},
			{Team: "team-north", Professional: "n-1", From: day.Add(10 * time.Hour), To: day.Add(24 * time.Hour)},
		},
		// 150 requests x 10 min = 25 h before 10:00; the team had 32 h, keeps 4x2 + 2x6 = 20 h.
		Arrivals: arrivals("c", "00100", 150, day.Add(7*time.Hour), day.Add(10*time.Hour)),
		Start:    day.Add(7 * time.Hour), End: day.Add(6 * 24 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	dumpUnkept(t, res)
	for _, p := range res.Promises {
		require.False(t, p.NextDay, "before the absence every promise was same-day")
	}
	atRisk := 0
	for _, e := range res.Events {
		if e.Kind != callback.EventPromiseAtRisk {
			continue
		}
		atRisk++
		r := record(t, res, e.Request)
		require.Equal(t, day.Add(10*time.Hour).UTC(), e.At, "reported when the absence became known")
		require.True(t, e.At.Before(r.Promised.End), "reported before the told window ends")
		require.False(t, r.Promised.Contains(r.Calls[0].Start))
	}
	require.Positive(t, atRisk)
	k := res.KPIs
	require.Equal(t, 150, k.Requests)
	require.Zero(t, k.Open, "nothing lost: every request closed by the end")
	require.Equal(t, 150, k.Reached)
	require.Less(t, k.PromiseKeptRate, 1.0)
	require.Equal(t, k.Promised-atRisk, k.Kept, "exactly the re-planned promises were not kept")
	require.True(t, k.TargetMet, "overflow to the neighbour team keeps the same-day target")
	require.Equal(t, k.BeforeCutoff-k.SameDay, k.Breaches, "every request not called the same day was an explicit breach")
	for _, r := range res.Records {
		if r.NextDay {
			require.True(t, r.Broken, "moved to a later day only through an early report")
		}
	}
	require.Positive(t, count(res.Events, callback.EventWidened))
	requireWithinCapacity(t, res, map[string]int{"team-north": 4, "team-south": 2})
}

func record(t *testing.T, res callbacksim.Result, id string) callback.Record {
	t.Helper()
	for _, r := range res.Records {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("record %s not found", id)
	return callback.Record{}
}

func TestFloodAtEight(t *testing.T) {
	day := at(2026, 11, 26, 0, 0) // Thursday
	var arr []callbacksim.Arrival
	for _, a := range arrivals("c", "00100", 260, day.Add(8*time.Hour), day.Add(8*time.Hour+time.Minute)) {
		a.At = day.Add(8 * time.Hour) // all at once
		arr = append(arr, a)
	}
	sc := callbacksim.Scenario{
		Router: testRouter(),
		Teams: []callbacksim.Team{
			{Name: "team-north", Shifts: shifts("n", 4, civil.At(8, 0), civil.At(16, 0))}, // 192 calls
			{Name: "team-south", Shifts: shifts("s", 1, civil.At(8, 0), civil.At(16, 0))}, // 48 calls
			{Name: "pool", Shifts: shifts("p", 1, civil.At(12, 0), civil.At(16, 0))},      // 24 calls
		},
		Arrivals: arr,
		Start:    day.Add(7 * time.Hour), End: day.Add(5 * 24 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	dumpUnkept(t, res)
	byStep := map[string]int{}
	nextDay := 0
	for i, p := range res.Promises {
		byStep[p.Step]++
		if p.NextDay {
			nextDay++
			require.True(t, p.Breach)
			require.True(t, p.OfferEBooking)
			require.Equal(t, "team-north", p.Team, "a next-day promise is the own team's")
		}
		if i > 0 && res.Promises[i-1].Step == callback.StepCentralPool {
			require.NotEqual(t, callback.StepOwnTeam, p.Step, "steps fill in policy order")
		}
	}
	// 192 + 48 + 24 = 264 calls of capacity, less the minutes lost at 8:00.
	require.Equal(t, 192, byStep[callback.StepOwnTeam]-nextDay)
	require.Equal(t, 48, byStep[callback.StepNeighbourArea])
	require.Equal(t, 20, byStep[callback.StepCentralPool])
	require.Zero(t, nextDay)
	k := res.KPIs
	require.Equal(t, 260, k.SameDay)
	require.Equal(t, 1.0, k.PromiseKeptRate)
	require.Zero(t, k.Open)
	requireWithinCapacity(t, res, map[string]int{"team-north": 4, "team-south": 1, "pool": 1})
}

func TestFloodBeyondCapacityIsExplicit(t *testing.T) {
	day := at(2026, 11, 26, 0, 0) // Thursday
	var arr []callbacksim.Arrival
	for _, a := range arrivals("c", "00300", 100, day.Add(8*time.Hour), day.Add(8*time.Hour+time.Minute)) {
		a.At = day.Add(8 * time.Hour)
		arr = append(arr, a)
	}
	sc := callbacksim.Scenario{
		Router:   testRouter(),                                                                                     // east has no neighbours and no pool staff
		Teams:    []callbacksim.Team{{Name: "team-east", Shifts: shifts("e", 1, civil.At(8, 0), civil.At(12, 0))}}, // 24 calls a day
		Arrivals: arr,
		Start:    day.Add(7 * time.Hour), End: day.Add(7 * 24 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	var sameDay, nextDay, unplaced int
	for _, p := range res.Promises {
		switch {
		case p.Unplaced:
			unplaced++
			require.True(t, p.OfferEBooking)
			require.True(t, p.Window.IsZero())
		case p.NextDay:
			nextDay++
			require.True(t, p.Breach)
		default:
			sameDay++
		}
	}
	// Thursday, Friday, Monday: 3 working days to the statutory outer bound
	// (Thursday 26 Nov + 3 weekdays = Tuesday 1 Dec), 24 calls a day.
	require.Equal(t, 24, sameDay)
	require.Equal(t, 24*3, nextDay)
	require.Equal(t, 4, unplaced, "beyond the outer bound: kept, reported, never dropped")
	k := res.KPIs
	require.Equal(t, 100, k.Requests)
	// The unplaced requests, already reported, get the first window that
	// frees up: Wednesday 2 December, past the bound; still a breach each.
	require.Equal(t, 76, k.Breaches)
	require.Zero(t, k.Unplaced)
	require.InDelta(t, 0.24, k.SameDayShare, 1e-9)
	require.False(t, k.TargetMet)
	require.Zero(t, k.Open, "nothing dropped")
	require.Equal(t, 100, k.Reached)
	require.Equal(t, 1.0, k.PromiseKeptRate)
	reported := map[string]bool{}
	for _, e := range res.Events {
		if e.Kind == callback.EventReportedToLead {
			reported[e.Request] = true
		}
	}
	for _, p := range res.Promises {
		if p.Unplaced {
			require.True(t, reported[p.Request])
			require.Equal(t, "2026-12-02", localDate(record(t, res, p.Request).Calls[0].Start))
		}
	}
}

func TestAfterCutoffBeforeChristmas(t *testing.T) {
	// Wednesday 23 Dec 2026; Christmas Eve, Christmas Day and Boxing Day
	// (Thu-Sat) and the weekend close the station: the next working day
	// is Monday 28 Dec.
	day := at(2026, 12, 23, 0, 0)
	arr := append(arrivals("early", "00100", 20, day.Add(9*time.Hour), day.Add(12*time.Hour)),
		arrivals("late", "00100", 40, day.Add(14*time.Hour), day.Add(15*time.Hour+30*time.Minute))...)
	sc := callbacksim.Scenario{
		Router:   testRouter(),
		Teams:    []callbacksim.Team{{Name: "team-north", Shifts: shifts("n", 1, civil.At(8, 0), civil.At(16, 0))}}, // 48 calls a day
		Arrivals: arr,
		Start:    day.Add(7 * time.Hour), End: at(2026, 12, 29, 0, 0),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	sameDayLate, monday := 0, 0
	for _, p := range res.Promises[:20] {
		require.False(t, p.NextDay)
		require.Equal(t, "2026-12-23", localDate(p.Window.Start))
	}
	for _, p := range res.Promises[20:] {
		require.False(t, p.Breach, "after the cut-off a next-day promise is no breach")
		require.Equal(t, callback.StepOwnTeam, p.Step, "after the cut-off there is no overflow")
		switch localDate(p.Window.Start) {
		case "2026-12-23":
			sameDayLate++
		case "2026-12-28":
			monday++
			require.True(t, p.NextDay)
			require.True(t, p.OfferEBooking)
			require.Equal(t, at(2026, 12, 28, 16, 0).UTC(), p.Deadline)
		default:
			t.Fatalf("promise on %s", localDate(p.Window.Start))
		}
	}
	// From 14:00 the nurse has 2 h = 12 calls, less those still due from the morning.
	require.Equal(t, 40, sameDayLate+monday)
	require.Equal(t, 12, sameDayLate)
	k := res.KPIs
	require.Equal(t, 20, k.BeforeCutoff)
	require.Equal(t, 20, k.SameDay)
	require.Equal(t, 1.0, k.SameDayShare)
	require.Equal(t, 28, k.NextDay)
	require.Zero(t, k.Breaches)
	require.Zero(t, k.Open)
	require.Equal(t, 1.0, k.PromiseKeptRate)
}

func TestOverflowToNeighbourTeam(t *testing.T) {
	day := at(2026, 11, 27, 0, 0) // Friday
	sc := callbacksim.Scenario{
		Router: testRouter(),
		Teams: []callbacksim.Team{
			{Name: "team-north", Shifts: shifts("n", 1, civil.At(8, 0), civil.At(12, 0))}, // 24 calls
			{Name: "team-south", Shifts: shifts("s", 2, civil.At(8, 0), civil.At(16, 0))}, // 96 calls
		},
		Arrivals: arrivals("c", "00100", 60, day.Add(8*time.Hour), day.Add(11*time.Hour)),
		Start:    day.Add(7 * time.Hour), End: day.Add(20 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	own, neighbour := 0, 0
	for _, p := range res.Promises {
		require.False(t, p.NextDay)
		switch p.Step {
		case callback.StepOwnTeam:
			own++
			require.Equal(t, carecontact.TeamID("team-north"), p.Team)
		case callback.StepNeighbourArea:
			neighbour++
			require.Equal(t, carecontact.TeamID("team-south"), p.Team)
		}
	}
	require.Equal(t, 60, own+neighbour)
	require.Positive(t, neighbour)
	require.Equal(t, 24, own, "the own team first, to its capacity")
	k := res.KPIs
	require.Equal(t, 1.0, k.SameDayShare)
	require.True(t, k.TargetMet)
	require.Zero(t, k.Breaches)
	require.Zero(t, k.Open)
	require.Equal(t, 1.0, k.PromiseKeptRate)
	requireWithinCapacity(t, res, map[string]int{"team-north": 1, "team-south": 2})
}

func TestRetriesThenSecureMessage(t *testing.T) {
	day := at(2026, 11, 24, 0, 0)
	sc := callbacksim.Scenario{
		Router:   testRouter(),
		Teams:    []callbacksim.Team{{Name: "team-north", Shifts: shifts("n", 2, civil.At(8, 0), civil.At(16, 0))}},
		Arrivals: arrivals("c", "00100", 30, day.Add(8*time.Hour), day.Add(11*time.Hour)),
		// Every third client never answers; every other of the rest answers the second attempt.
		Answers: func(id string, attempt int) bool {
			var n int
			_, _ = fmt.Sscanf(id, "cb-%d", &n)
			switch {
			case n%3 == 0:
				return false
			case n%2 == 0:
				return attempt >= 2
			default:
				return true
			}
		},
		Start: day.Add(7 * time.Hour), End: day.Add(20 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	for _, r := range res.Records {
		var n int
		_, _ = fmt.Sscanf(r.ID, "cb-%d", &n)
		require.Equal(t, callback.StateClosed, r.State)
		switch {
		case n%3 == 0:
			require.Len(t, r.Calls, 3)
			require.Equal(t, callback.OutcomeSecureMessage, r.Out)
			for i := 1; i < 3; i++ {
				require.Equal(t, callback.NoAnswer, r.Calls[i].Result)
				require.GreaterOrEqual(t, r.Calls[i].Start.Sub(r.Calls[i-1].End), 15*time.Minute, "retry gap")
			}
		case n%2 == 0:
			require.Len(t, r.Calls, 2)
			require.Equal(t, callback.OutcomeReached, r.Out)
		default:
			require.Len(t, r.Calls, 1)
		}
	}
	k := res.KPIs
	// 10 never answer (3 attempts), 10 answer the second (2), 10 the first (1).
	require.Equal(t, 60, k.Attempts)
	require.InDelta(t, 2.0, k.AttemptsPerRequest, 1e-9)
	require.Equal(t, 10, k.ClosedByOutcome)
	require.Equal(t, 20, k.Reached)
	require.Equal(t, 1.0, k.SameDayShare)
	require.Equal(t, 2*10+1*10, count(res.Events, callback.EventRetryScheduled))
}

// everyDay is a Workdays of an on-call pool that works every day.
type everyDay struct{}

func (everyDay) Workday(civil.Date) bool { return true }

func TestDSTChangeDays(t *testing.T) {
	for _, tc := range []struct {
		name      string
		day       time.Time
		firstUTC  int // 08:00 local in UTC
		offsetUTC time.Duration
	}{
		{"spring forward (Sunday 29 March 2026)", at(2026, 3, 29, 0, 0), 5, 3 * time.Hour},
		{"fall back (Sunday 25 October 2026)", at(2026, 10, 25, 0, 0), 6, 2 * time.Hour},
	} {
		t.Run(tc.name, func(t *testing.T) {
			day := tc.day
			sc := callbacksim.Scenario{
				Config:   callback.Config{Workdays: everyDay{}},
				Router:   testRouter(),
				Teams:    []callbacksim.Team{{Name: "team-north", Shifts: shifts("n", 2, civil.At(8, 0), civil.At(16, 0))}},
				Arrivals: arrivals("c", "00100", 80, day.Add(7*time.Hour), day.Add(13*time.Hour)),
				Start:    day.Add(6 * time.Hour), End: day.Add(22 * time.Hour),
			}
			res, err := callbacksim.Run(context.Background(), sc)
			require.NoError(t, err)
			for _, p := range res.Promises {
				require.Equal(t, localDate(day), localDate(p.Window.Start))
				_, off := p.Window.Start.In(hki).Zone()
				require.Equal(t, tc.offsetUTC, time.Duration(off)*time.Second)
				l := p.Window.Start.In(hki)
				require.True(t, l.Hour() >= 8 && l.Hour() < 16)
				require.LessOrEqual(t, p.Window.End.Sub(p.Window.Start), 2*time.Hour, "windows are 2 h of wall clock and of real time")
			}
			require.Equal(t, time.Date(day.Year(), day.Month(), day.Day(), tc.firstUTC, 0, 0, 0, time.UTC), res.Promises[0].Window.Start)
			k := res.KPIs
			require.Equal(t, 80, k.SameDay)
			require.Equal(t, 1.0, k.PromiseKeptRate)
			require.Zero(t, k.Open)
			requireWithinCapacity(t, res, map[string]int{"team-north": 2})
		})
	}
}

func TestOuterBoundSkipsWeekendAndHoliday(t *testing.T) {
	// Urgent deadline 2 h; non-urgent same day; outer bound 3 working days:
	// from Thursday 2 April 2026 the bound skips Good Friday, the weekend
	// and Easter Monday: Tue 7, Wed 8, Thu 9 April.
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(9, 0))...)) // 6 calls a day
	svc, _ := newPlanner(t, callback.Config{}, capa)
	now := at(2026, 4, 2, 8, 0)
	var got []callback.Promise
	for i := range 26 {
		p, err := on(svc, now).Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent))
		require.NoError(t, err)
		got = append(got, p)
	}
	days := map[string]int{}
	for _, p := range got[:24] {
		days[localDate(p.Window.Start)]++
	}
	require.Equal(t, map[string]int{"2026-04-02": 6, "2026-04-07": 6, "2026-04-08": 6, "2026-04-09": 6}, days)
	require.True(t, got[24].Unplaced)
	require.Equal(t, at(2026, 4, 9, 16, 0).UTC(), got[24].Deadline, "the outer bound")
	require.Equal(t, callback.EventReportedToLead, got[24].Events[1].Kind)

	// An urgent request when today is full: the earliest window on the next
	// working day, a breach reported to the team lead at once.
	svc2, _ := newPlanner(t, callback.Config{}, capa)
	for i := range 6 {
		_, err := on(svc2, now).Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent))
		require.NoError(t, err)
	}
	u, err := on(svc2, now).Request(ctx, req("urgent", callback.Urgent))
	require.NoError(t, err)
	require.True(t, u.NextDay)
	require.True(t, u.Breach)
	require.Equal(t, "2026-04-07", localDate(u.Window.Start))
	require.Equal(t, 1, count(u.Events, callback.EventReportedToLead))
}

func TestReplanCallsRunLongAndUrgentArrivals(t *testing.T) {
	day := at(2026, 11, 24, 0, 0)
	arr := arrivals("c", "00100", 60, day.Add(7*time.Hour), day.Add(9*time.Hour))
	for i := range 6 {
		r := req(fmt.Sprintf("urgent-%d", i), callback.Urgent)
		arr = append(arr, callbacksim.Arrival{At: day.Add(11*time.Hour + time.Duration(i)*10*time.Minute), Request: r})
	}
	sc := callbacksim.Scenario{
		Router: testRouter(),
		Teams: []callbacksim.Team{
			{Name: "team-north", Shifts: shifts("n", 2, civil.At(8, 0), civil.At(16, 0))},
			{Name: "team-south", Shifts: shifts("s", 1, civil.At(8, 0), civil.At(16, 0))},
		},
		Arrivals: arr,
		// Calls of team north run 50 % long from 10:00.
		CallLength: func(r callback.Record, answered bool) time.Duration {
			if r.Team == "team-north" && !r.Calls[len(r.Calls)-1].Start.Before(day.Add(10*time.Hour).UTC()) {
				return r.Handling * 3 / 2
			}
			return r.Handling
		},
		Start: day.Add(7 * time.Hour), End: day.Add(20 * time.Hour),
	}
	res, err := callbacksim.Run(context.Background(), sc)
	require.NoError(t, err)
	debugKPIs(t, res)
	for _, p := range res.Promises {
		if p.Request == "" {
			continue
		}
		r := record(t, res, p.Request)
		if r.Urgency == callback.Urgent {
			require.False(t, p.NextDay)
			require.LessOrEqual(t, p.Window.End, r.RequestedAt.Add(2*time.Hour), "urgent within 2 h")
			require.True(t, r.Calls[0].Start.Before(r.RequestedAt.Add(2*time.Hour)), "urgent called within 2 h")
		}
	}
	k := res.KPIs
	require.Zero(t, k.Open)
	require.Equal(t, 66, k.Reached)
	risk := count(res.Events, callback.EventPromiseAtRisk)
	require.Positive(t, risk+count(res.Events, callback.EventWidened), "long calls force re-planning")
	require.Equal(t, k.Promised-k.Kept, risk, "every promise not kept was reported early")
}
