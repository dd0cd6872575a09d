package scenario_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/scenario"
	"github.com/stretchr/testify/require"
)

func load(t testing.TB) []byte {
	b, err := os.ReadFile("testdata/city-day.json")
	require.NoError(t, err)
	return b
}

func parse(t *testing.T, edit func(map[string]any)) (*scenario.Scenario, error) {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(load(t), &m))
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return scenario.Parse(bytes.NewReader(b))
}

func TestParseErrors(t *testing.T) {
	first := func(m map[string]any, key string) map[string]any { return m[key].([]any)[0].(map[string]any) }
	for name, tc := range map[string]struct {
		edit func(map[string]any)
		want string
	}{
		"name":      {func(m map[string]any) { m["name"] = " " }, "name is required"},
		"start":     {func(m map[string]any) { m["start"] = "2.3.2026" }, "start"},
		"days":      {func(m map[string]any) { m["days"] = 0 }, "days 0"},
		"reps":      {func(m map[string]any) { m["replications"] = 0 }, "replications"},
		"target":    {func(m map[string]any) { m["service_level_target"] = "0s" }, "service_level_target"},
		"cutoff":    {func(m map[string]any) { m["same_day_cutoff"] = "2pm" }, "same_day_cutoff"},
		"unknown":   {func(m map[string]any) { m["colour"] = "blue" }, "colour"},
		"neighbour": {func(m map[string]any) { first(m, "areas")["neighbours"] = []any{"atlantis"} }, "atlantis"},
		"team area": {func(m map[string]any) { first(m, "teams")["area"] = "atlantis" }, "teams[0].area"},
		"roster":    {func(m map[string]any) { first(m, "teams")["roster"] = map[string]any{"weekday": []any{1, 2}} }, "roster.weekday"},
		"capacity":  {func(m map[string]any) { first(m, "teams")["capacity"] = map[string]any{"synchronous": 0} }, "capacity"},
		"target name": {func(m map[string]any) {
			first(m, "policies")["steps"] = []any{map[string]any{"target": "anyone"}}
		}, "anyone"},
		"channel":  {func(m map[string]any) { first(m, "demand")["channel"] = "pigeon" }, "demand[0].channel"},
		"hourly":   {func(m map[string]any) { first(m, "demand")["hourly"] = []any{1} }, "demand[0].hourly"},
		"handling": {func(m map[string]any) { first(m, "demand")["handling"] = map[string]any{"kind": "weibull"} }, "weibull"},
		"share": {func(m map[string]any) {
			d := m["demand"].([]any)[4].(map[string]any)
			d["callback_share"] = 0.5
		}, "inbound_phone only"},
		"population":       {func(m map[string]any) { m["clients"].(map[string]any)["population"] = 0 }, "population"},
		"own professional": {func(m map[string]any) { m["clients"].(map[string]any)["own_professional_share"] = 2 }, "clients.own_professional_share"},
		"policy":           {func(m map[string]any) { m["duplicates"].(map[string]any)["policy"] = "ignore" }, "duplicates.policy"},
		"no team":          {func(m map[string]any) { m["teams"] = m["teams"].([]any)[1:] }, "no team serves"},
		"callback roster": {func(m map[string]any) {
			first(m, "teams")["callback_roster"] = map[string]any{"weekday": []any{1}}
		}, "teams[0].callback_roster.weekday"},
		"first window": {func(m map[string]any) { m["callbacks"].(map[string]any)["first_window"] = "8am" }, "callbacks.first_window"},
		"day end":      {func(m map[string]any) { m["callbacks"].(map[string]any)["day_end"] = "07:00" }, "DayEnd"},
		"no answer":    {func(m map[string]any) { m["callbacks"].(map[string]any)["no_answer"] = 1.5 }, "callbacks.no_answer"},
		"retry gap":    {func(m map[string]any) { m["callbacks"].(map[string]any)["retry_gap"] = "-1m" }, "retry_gap"},
		"escalation edge": {func(m map[string]any) {
			first(m, "escalations")["to"] = "secure_message"
		}, "escalations[0]"},
		"escalation probability": {func(m map[string]any) { first(m, "escalations")["probability"] = -0.1 }, "escalations[0].probability"},
		"escalation handling": {func(m map[string]any) {
			first(m, "escalations")["handling"] = map[string]any{"kind": "weibull"}
		}, "weibull"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := parse(t, tc.edit)
			require.ErrorIs(t, err, scenario.ErrInvalid)
			require.Contains(t, err.Error(), tc.want)
		})
	}
}

func small(t *testing.T) *scenario.Scenario {
	s, err := parse(t, func(m map[string]any) {
		m["replications"] = 2
		m["clients"].(map[string]any)["population"] = 2000
		for _, d := range m["demand"].([]any) {
			pd := d.(map[string]any)["per_day"].(map[string]any)
			for k, v := range pd {
				pd[k] = v.(float64) / 4
			}
		}
		m["duplicates"].(map[string]any)["probability"] = 0.9
		m["duplicates"].(map[string]any)["after"] = "0s"
	})
	require.NoError(t, err)
	return s
}

func TestRun(t *testing.T) {
	s := small(t)
	var progress []int
	rep, err := scenario.Run(context.Background(), s, scenario.Options{Progress: func(done, total int) {
		require.Equal(t, 2, total)
		progress = append(progress, done)
	}})
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 1, 2}, progress)
	require.Len(t, rep.Runs, 2)
	kpi := map[string]scenario.Summary{}
	for _, k := range rep.KPIs {
		kpi[k.Team+"/"+k.Name] = k
	}
	for _, name := range []string{"service_level", "abandonment", "same_day_callback", "continuity", "first_contact_resolution", "duplicate_demand"} {
		v := kpi["/"+name].Mean
		require.True(t, v >= 0 && v <= 1, "%s = %v", name, v)
	}
	require.Greater(t, kpi["/contacts"].Mean, 400.0)
	require.Greater(t, kpi["/duplicate_demand"].Mean, 0.0, "clients who wait try chat too")
	require.Greater(t, kpi["/continuity"].Mean, 0.5)
	require.Greater(t, kpi["kallio-team/utilisation"].Mean, 0.0)
	require.Less(t, kpi["kallio-team/utilisation"].Mean, 1.0)
	require.LessOrEqual(t, kpi["/callback_delay_p50"].Mean, kpi["/callback_delay_p90"].Mean)
	// Callbacks go through the callback planner: requests are promised
	// windows, unanswered attempts are retried, promises are measured.
	require.Greater(t, kpi["/callback_requests"].Mean, 50.0)
	require.Greater(t, kpi["/callback_attempts"].Mean, 1.0, "15 % of attempts go unanswered and are retried")
	require.Less(t, kpi["/callback_attempts"].Mean, 1.5)
	for _, name := range []string{"callback_promise_kept", "same_day_callback"} {
		require.InDelta(t, 0.5, kpi["/"+name].Mean, 0.5, name)
	}
	// Contacts run as sessions: some switch channel (a callback or chat
	// continues on video).
	require.Greater(t, kpi["/escalations"].Mean, 0.0)
	require.Greater(t, kpi["/channel_switches"].Mean, 0.0)
	require.Less(t, kpi["/channel_switches"].Mean, 0.2)
	require.Len(t, rep.Profiles, 5, "one profile per team with home clients")
	require.Len(t, rep.Profiles[0].QueueLength, 96)

	// Deterministic for the seed.
	again, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	runsJSON := func(r *scenario.Report) string {
		b, err := json.Marshal(r.Runs) // NaN (a share of nothing) as null
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, runsJSON(rep), runsJSON(again))

	var text, js, cs bytes.Buffer
	require.NoError(t, rep.WriteText(&text))
	require.Contains(t, text.String(), "same_day_callback")
	require.NoError(t, rep.WriteJSON(&js))
	var decoded map[string]any
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	require.Equal(t, "city-day", decoded["scenario"])
	require.NoError(t, rep.WriteCSV(&cs))
	rows, err := csv.NewReader(strings.NewReader(cs.String())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, len(rep.KPIs)+1, len(rows))

	_, err = scenario.Run(context.Background(), s, scenario.Options{Level: 2})
	require.ErrorIs(t, err, scenario.ErrInvalid)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = scenario.Run(ctx, s, scenario.Options{})
	require.ErrorIs(t, err, context.Canceled)
}

// TestCallbackStaffing asks the researchers' question of the planner: with
// fewer professionals on callback duty, fewer requests made before the
// cut-off are called back the same day, and more are promised a later day.
func TestCallbackStaffing(t *testing.T) {
	run := func(perTeam int) map[string]float64 {
		s, err := parse(t, func(m map[string]any) {
			m["replications"] = 1 // 1 and 4 professionals per team differ far beyond the noise
			for _, tm := range m["teams"].([]any) {
				day := make([]any, 24)
				for h := range day {
					day[h] = 0
					if h >= 8 && h < 16 {
						day[h] = perTeam
					}
				}
				tm.(map[string]any)["callback_roster"] = map[string]any{"weekday": day}
			}
		})
		require.NoError(t, err)
		rep, err := scenario.Run(context.Background(), s, scenario.Options{})
		require.NoError(t, err)
		out := map[string]float64{}
		for _, k := range rep.KPIs {
			if k.Team == "" {
				out[k.Name] = k.Mean
			}
		}
		return out
	}
	few, many := run(1), run(4)
	require.Less(t, few["same_day_callback"], many["same_day_callback"])
	require.Greater(t, few["callback_next_day_breaches"], many["callback_next_day_breaches"])
	require.Greater(t, few["callback_delay_p90"], many["callback_delay_p90"])
}

// FuzzParse keeps its seeds small, so the fuzzer explores instead of
// minimising; the shipped scenarios are parsed by the ordinary tests.
func FuzzParse(f *testing.F) {
	f.Add(`{"name":"x"}`)
	f.Add(`{"name":"x","days":1,"replications":1,"seed":7}`)
	f.Add(`{"teams":[{}]}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, in string) {
		s, err := scenario.Parse(strings.NewReader(in))
		if err != nil {
			require.Nil(t, s)
			return
		}
		require.NoError(t, s.Validate())
	})
}

// BenchmarkRun runs one replication of the shipped city-day scenario.
func BenchmarkRun(b *testing.B) {
	s, err := scenario.Parse(bytes.NewReader(load(b)))
	require.NoError(b, err)
	s.Replications = 1
	for b.Loop() {
		_, err := scenario.Run(context.Background(), s, scenario.Options{})
		require.NoError(b, err)
	}
}

// TestRunDeterministic runs the shipped rural county (duplicates kept in
// both channels, secure messages, callbacks the planner joins) twice with
// one seed: the door and the workload give the same report.
func TestRunDeterministic(t *testing.T) {
	b, err := os.ReadFile("../scenarios/rural-county.json")
	require.NoError(t, err)
	s, err := scenario.Parse(bytes.NewReader(b))
	require.NoError(t, err)
	s.Days, s.Replications = 2, 1
	first, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	second, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	js := func(r *scenario.Report) string {
		// As JSON, NaN (a share of nothing) is null, so equal runs compare equal.
		b, err := json.Marshal([]any{r.Runs, r.Profiles})
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, js(first), js(second))
	s.Seed++
	other, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	require.NotEqual(t, js(first), js(other), "another seed, another run")
}

// TestSeries runs the small city day with the 15-minute series: every bin
// of the day has the whole-service KPIs, the bins' counts add up to the
// run's, and the CSV has a row per bin and KPI.
func TestSeries(t *testing.T) {
	s := small(t)
	rep, err := scenario.Run(context.Background(), s, scenario.Options{Series: true})
	require.NoError(t, err)
	require.Len(t, rep.Series, 96, "one bin per 15 minutes of the day")
	total := map[string]float64{}
	for _, k := range rep.KPIs {
		if k.Team == "" {
			total[k.Name] = k.Mean
		}
	}
	sum := map[string]float64{}
	for i, b := range rep.Series {
		require.Equal(t, rep.Series[0].Start.Add(time.Duration(i)*scenario.ProfileBin), b.Start)
		names := map[string]bool{}
		for _, k := range b.KPIs {
			names[k.Name] = true
			if !math.IsNaN(k.Mean) {
				sum[k.Name] += k.Mean
			}
		}
		for name := range total {
			require.True(t, names[name], "bin %d lacks %s", i, name)
		}
		require.True(t, names["mean_queue"] && names["utilisation"])
	}
	// Counts are additive over the bins (the mean of sums is the sum of
	// means): admissions, callback requests, escalations.
	for _, name := range []string{"contacts", "callback_requests", "escalations", "withdrawn_duplicates"} {
		require.InDelta(t, total[name], sum[name], 1e-6, name)
	}
	require.Positive(t, sum["contacts"])
	var cs bytes.Buffer
	require.NoError(t, rep.WriteSeriesCSV(&cs))
	rows, err := csv.NewReader(strings.NewReader(cs.String())).ReadAll()
	require.NoError(t, err)
	require.Equal(t, 1+96*len(rep.Series[0].KPIs), len(rows))
	require.Equal(t, []string{"scenario", "start", "minutes", "kpi", "unit", "mean", "half_width", "low", "high", "replications"}, rows[0])
	require.Equal(t, "2026-03-02T00:00:00+02:00", rows[1][1], "local time")

	// Without Options.Series the report has none, and the KPIs are the same.
	plain, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	require.Empty(t, plain.Series)
	js := func(r *scenario.Report) string {
		b, err := json.Marshal(r.Runs) // NaN as null
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, js(rep), js(plain))
}

// TestAccuracy checks the accuracy KPIs: what the door told the clients
// (the estimated wait, the promised callback window) against what
// happened. With callback duty cut to one professional per team the first
// attempts come later than promised more often than with four.
func TestAccuracy(t *testing.T) {
	run := func(perTeam int) map[string]float64 {
		s, err := parse(t, func(m map[string]any) {
			m["replications"] = 1
			for _, tm := range m["teams"].([]any) {
				day := make([]any, 24)
				for h := range day {
					day[h] = 0
					if h >= 8 && h < 16 {
						day[h] = perTeam
					}
				}
				tm.(map[string]any)["callback_roster"] = map[string]any{"weekday": day}
			}
		})
		require.NoError(t, err)
		rep, err := scenario.Run(context.Background(), s, scenario.Options{})
		require.NoError(t, err)
		out := map[string]float64{}
		for _, k := range rep.KPIs {
			if k.Team == "" {
				out[k.Name] = k.Mean
			}
		}
		return out
	}
	few, many := run(1), run(4)
	for _, k := range []map[string]float64{few, many} {
		for _, name := range []string{"wait_estimate_within_1m", "callback_window_early", "callback_window_late"} {
			require.True(t, k[name] >= 0 && k[name] <= 1, "%s = %v", name, k[name])
		}
		require.GreaterOrEqual(t, k["wait_estimate_error"], math.Abs(k["wait_estimate_bias"]), "|mean| <= mean |.|")
		// The planner's own promise-kept rate also counts a window that
		// ended unattempted as not kept; the first attempts alone keep
		// at least as many.
		require.LessOrEqual(t, k["callback_promise_kept"], 1-k["callback_window_early"]-k["callback_window_late"]+1e-9)
	}
	// With enough callback duty nearly every window is attempted, and the
	// two agree.
	require.InDelta(t, many["callback_promise_kept"], 1-many["callback_window_early"]-many["callback_window_late"], 0.03)
	require.Greater(t, few["callback_window_late"], many["callback_window_late"])
}

// ebookingSpec is e-booking of a follow-up visit in few calendar hours, so
// some clients find no time, join the waitlist and get cancelled times.
func ebookingSpec() map[string]any {
	hourly := make([]any, 24)
	for h := range hourly {
		hourly[h] = 0
		if h >= 7 && h < 20 {
			hourly[h] = 1
		}
	}
	return map[string]any{
		"service": "follow-up-visit", "errand": "chronic_follow_up", "duration": "20m", "hours": "10:00-12:00",
		"professionals": 1, "horizon": "48h", "min_notice": "1h",
		"per_day": map[string]any{"weekday": 200}, "hourly": hourly,
		"cancel": 0.3, "no_show": 0.1, "waitlist": 0.8, "from_waiting": 0.5, "after": "2m",
	}
}

// TestEBooking runs e-booking through the door: clients search, hold and
// confirm times, cancel some (the freed time goes to the waitlist), do not
// come to some, and clients waiting on the line or for a callback about
// the errand also book, so the booking settles their waiting contact.
func TestEBooking(t *testing.T) {
	s, err := parse(t, func(m map[string]any) {
		m["replications"] = 2
		m["days"] = 2
		m["clients"].(map[string]any)["population"] = 2000
		for _, d := range m["demand"].([]any) {
			pd := d.(map[string]any)["per_day"].(map[string]any)
			for k, v := range pd {
				pd[k] = v.(float64) / 4
			}
		}
		// A booking settles the errand unless admission merges it into
		// the waiting contact: keep both, so the booking withdraws it.
		m["duplicates"].(map[string]any)["policy"] = "keep_both"
		m["ebooking"] = ebookingSpec()
	})
	require.NoError(t, err)
	rep, err := scenario.Run(context.Background(), s, scenario.Options{})
	require.NoError(t, err)
	k := map[string]float64{}
	for _, x := range rep.KPIs {
		if x.Team == "" {
			k[x.Name] = x.Mean
		}
	}
	t.Logf("%v", k)
	require.Greater(t, k["ebook_searches"], 300.0)
	require.Positive(t, k["ebook_duplicate"], "clients waiting about the errand book too")
	require.Positive(t, k["ebook_booked"])
	require.Positive(t, k["ebook_no_time"], "two calendar hours a day run out")
	require.Positive(t, k["ebook_waitlisted"])
	require.Positive(t, k["ebook_cancelled"])
	require.Positive(t, k["ebook_freed_to_waitlist"], "cancelled times go to the waitlist")
	require.Positive(t, k["ebook_waitlist_filled"])
	require.LessOrEqual(t, k["ebook_waitlist_filled"], k["ebook_freed_to_waitlist"])
	require.Positive(t, k["ebook_searches_while_waiting"])
	require.Positive(t, k["ebook_settled_contacts"], "a booking withdraws the client's waiting contact")
	require.InDelta(t, 0.1, k["ebook_no_show"], 0.1)
	require.True(t, k["ebook_booking_share"] > 0 && k["ebook_booking_share"] < 1)

	// Without e-booking the report has no e-booking KPIs.
	plain, err := parse(t, func(m map[string]any) { m["replications"] = 1 })
	require.NoError(t, err)
	prep, err := scenario.Run(context.Background(), plain, scenario.Options{})
	require.NoError(t, err)
	for _, x := range prep.KPIs {
		require.NotContains(t, x.Name, "ebook_")
	}

	for name, edit := range map[string]func(map[string]any){
		"ebooking.hours":         func(e map[string]any) { e["hours"] = "12:00-10:00" },
		"ebooking.errand":        func(e map[string]any) { e["errand"] = "" },
		"ebooking.cancel":        func(e map[string]any) { e["cancel"] = 2 },
		"ebooking.hourly":        func(e map[string]any) { e["hourly"] = []any{1} },
		"ebooking.confirm_after": func(e map[string]any) { e["confirm_after"] = "3h" },
		"ebooking.duration":      func(e map[string]any) { e["duration"] = "0s" },
		"ebooking.per_day":       func(e map[string]any) { e["per_day"] = map[string]any{"weekday": -1} },
	} {
		_, err := parse(t, func(m map[string]any) {
			e := ebookingSpec()
			edit(e)
			m["ebooking"] = e
		})
		require.ErrorIs(t, err, scenario.ErrInvalid, name)
		require.ErrorContains(t, err, name)
	}
}

// TestRunParallel runs the replications two at a time: the report is the
// sequential run's.
func TestRunParallel(t *testing.T) {
	s := small(t)
	s.Replications = 3
	seq, err := scenario.Run(context.Background(), s, scenario.Options{Series: true})
	require.NoError(t, err)
	var last int
	par, err := scenario.Run(context.Background(), s, scenario.Options{Series: true, Parallel: 2, Progress: func(done, total int) {
		require.Equal(t, 3, total)
		last = done
	}})
	require.NoError(t, err)
	require.Equal(t, 3, last)
	js := func(r *scenario.Report) string {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return string(b)
	}
	require.Equal(t, js(seq), js(par))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = scenario.Run(ctx, s, scenario.Options{Parallel: 2})
	require.ErrorIs(t, err, context.Canceled)
	_, err = scenario.Run(context.Background(), s, scenario.Options{Parallel: -1})
	require.ErrorIs(t, err, scenario.ErrInvalid)
}
