package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/stretchr/testify/require"
)

func TestSqrtStaff(t *testing.T) {
	for _, tc := range []struct {
		r, beta float64
		want    int
	}{{0, 1, 0}, {1, 1, 2}, {16, 1, 20}, {16, 0.5, 18}, {9.5, 0, 10}} {
		require.Equal(t, tc.want, sqrtStaff(tc.r, tc.beta), "%v", tc)
	}
}

func TestOfferedLoadsAndRosters(t *testing.T) {
	s, err := loadScenario("city-day")
	require.NoError(t, err)
	loads, err := offeredLoads(s)
	require.NoError(t, err)
	require.Len(t, loads, 5, "the five area teams; the central team is left out")
	// The offered load over the day equals the demand's work: every
	// weekday contact's mean handling plus wrap-up, chat over its
	// concurrency, split between line and callbacks.
	var in, cb float64
	for _, l := range loads {
		for h := range 24 {
			in += l.In[h]
			cb += l.CB[h]
		}
	}
	wrap := time.Minute.Hours()
	wantCB := 1008*0.6*(6.0/60+wrap) + 384*0.7*(8.0/60+wrap) + 336*0.5*(4.0/60+wrap) + 96*0.5*(12.0/60+wrap)
	require.InDelta(t, wantCB, cb, 1e-6)
	wantIn := 1008*0.4*(6.0/60+wrap) + 384*0.3*(8.0/60+wrap) + 336*0.5*(4.0/60+wrap) + 96*0.5*(12.0/60+wrap) +
		(528*(14.0/60+wrap)+288*(8.0/60+wrap))/3 + 60*(15.0/60+wrap)
	require.InDelta(t, wantIn, in, 1e-6)

	r1 := staffRosters(s, loads, 1, 1, 1)
	r2 := staffRosters(s, loads, 1, 1.5, 1.5)
	for _, team := range s.Teams {
		if team.Central {
			require.NotContains(t, r1, team.ID)
			continue
		}
		ro := r1[team.ID]
		for h := range 24 {
			if team.Roster.Weekday[h] == 0 {
				require.Zero(t, ro[0][h], "closed hours stay closed")
				continue
			}
			require.GreaterOrEqual(t, ro[0][h], ro[1][h]+1, "callback duty is on top of the line")
			require.GreaterOrEqual(t, r2[team.ID][0][h], ro[0][h])
		}
	}
}

func testStaffResult() *staffResult {
	ci := func(m, hw float64) sim.CI {
		return sim.CI{Mean: m, HalfWidth: hw, Low: m - hw, High: m + hw, Level: 0.95, N: 5}
	}
	return &staffResult{
		Scenario: "test", Hash: "abc", Seed: 1, Days: 1, Replications: 5, Level: 0.95, Beta: 1,
		Targets: staffTargets{SameDay: 0.98, SL: 0.8, MaxAbandon: 0.05}, SLWithin: time.Minute, Best: 2,
		Points: []staffPoint{
			{Label: "scenario", Shipped: true, NurseHours: 310, CBHours: 150, SameDay: ci(1, 0), SL: ci(0.89, 0.02), Abandon: ci(0.04, 0.005), MeetsCB: true, MeetsSL: true},
			{Label: "sqrt-1", In: 1, CB: 1, NurseHours: 470, CBHours: 230, SameDay: ci(1, 0), SL: ci(0.98, 0.01), Abandon: ci(0.006, 0.002), MeetsCB: true, MeetsSL: true},
			{Label: "sqrt-2", In: 0.8, CB: 0.8, NurseHours: 300, CBHours: 140, SameDay: ci(0.99, 0.005), SL: ci(0.9, 0.02), Abandon: ci(0.02, 0.005), MeetsCB: true, MeetsSL: true,
				Rosters: map[string][2][]int{"a": {make([]int, 24), make([]int, 24)}}},
			{Label: "sqrt-3", In: 0.64, CB: 0.64, NurseHours: 250, CBHours: 120, SameDay: ci(0.9, 0.02), SL: ci(0.7, 0.03), Abandon: ci(0.07, 0.01)},
		},
	}
}

func TestStaffFiles(t *testing.T) {
	r := testStaffResult()
	var out bytes.Buffer
	require.NoError(t, r.writeText(&out))
	require.Contains(t, out.String(), "smallest staffing meeting every target: sqrt-2, 300 weekday nurse-hours")
	require.Contains(t, out.String(), "BEST")
	dir := t.TempDir()
	files, err := r.writeFiles(dir)
	require.NoError(t, err)
	for _, suffix := range []string{".csv", ".json", ".svg", ".png", "-manifest.json"} {
		p := filepath.Join(dir, "test-staffing"+suffix)
		require.Contains(t, files, p)
		st, err := os.Stat(p)
		require.NoError(t, err)
		require.Positive(t, st.Size(), p)
	}
	png, err := os.ReadFile(filepath.Join(dir, "test-staffing.png"))
	require.NoError(t, err)
	require.Equal(t, "\x89PNG", string(png[:4]))
	var m map[string]any
	b, err := os.ReadFile(filepath.Join(dir, "test-staffing-manifest.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &m))
	for _, k := range []string{"seed", "version", "scenario_sha256", "replications", "files"} {
		require.Contains(t, m, k)
	}

	// -replot reads the JSON back and writes the same table.
	var again, errb bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"staff", "-replot", filepath.Join(dir, "test-staffing.json"), "-out", t.TempDir()}, &again, &errb))
	require.Equal(t, out.String(), again.String())
}

func TestStaffCommandErrors(t *testing.T) {
	for _, args := range [][]string{
		{"staff", "-target-sl", "2"},
		{"staff", "-replications", "1"},
		{"staff", "-sl-within", "0s"},
		{"staff", "extra"},
		{"staff", "-scenario", "nosuch"},
		{"staff", "-replot", "nosuch.json"},
		{"staff", "-scale", "x", "-replications", "2", "-days", "1"},
	} {
		var out, errb bytes.Buffer
		require.Error(t, run(context.Background(), args, &out, &errb), "%v", args)
	}
}

func TestChooseBestSkipsCoarse(t *testing.T) {
	pts := []staffPoint{
		{Label: "scenario", NurseHours: 300, MeetsCB: true, MeetsSL: true},
		{Label: "sqrt-1", NurseHours: 200, MeetsCB: true, MeetsSL: true, Coarse: true},
		{Label: "sqrt-1-full", NurseHours: 200, MeetsCB: true, MeetsSL: false},
		{Label: "sqrt-2", NurseHours: 250, MeetsCB: true, MeetsSL: true},
	}
	require.Equal(t, 3, chooseBest(pts), "a coarse pass is not an answer")
	require.Equal(t, -1, chooseBest(pts[1:3]))
}

// TestStaffCoarse runs a small coarse-to-fine search end to end: the
// search steps are judged by their means with two replications, the
// answer (if any) by its bounds with three.
func TestStaffCoarse(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"staff", "-scenario", "rural-county", "-days", "1", "-replications", "3",
		"-coarse", "2", "-confirm", "1", "-max-evals", "2", "-parallel", "2", "-target-sameday", "0.5", "-target-sl", "0.5",
		"-max-abandon", "0.5", "-out", dir}, &out, &errb)
	require.NoError(t, err, errb.String())
	require.Contains(t, out.String(), "(means)")
	require.Contains(t, out.String(), "search: 2 replication(s) per staffing judged by the means")
	require.Contains(t, out.String(), "-full")
	b, err := os.ReadFile(filepath.Join(dir, "rural-county-staffing.json"))
	require.NoError(t, err)
	var res staffResult
	require.NoError(t, json.Unmarshal(b, &res))
	require.Equal(t, 2, res.Coarse)
	require.GreaterOrEqual(t, res.Best, 0, out.String())
	best := res.Points[res.Best]
	require.False(t, best.Coarse)
	require.Equal(t, 3, best.Replications)
}
