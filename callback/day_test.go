package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/callback/callbacksim"
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
		Teams:  []callbacksim.Team{{Name: "team-north", Shifts: shifts("n", 4, 8*time.Hour, 16*time.Hour)}},
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
		require.Equal(t, "team-north", p.Team)
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
		load[r.Team+" "+start.Format(time.RFC3339)] += r.Handling
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
			{Name: "team-north", Shifts: shifts("n", 4, 8*time.Hour, 16*time.Hour)},
			{Name: "team-south", Shifts: shifts("s", 2, 8*time.Hour, 16*time.Hour)},
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
