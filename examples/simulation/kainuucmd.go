package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"text/tabwriter"

	"github.com/carecontact/carecontact/examples/simulation/scenario"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// The reported effect of routing callback requests to the caller's own
// nurse (Innokylä, "Toimintamalli hoidon jatkuvuuden varmistamiseen
// potilaiden yhteydenotoissa", Kainuu 2025): the same-day share of
// callbacks before and after.
var kainuuReported = []struct {
	Where         string
	Before, After float64
}{
	{"Kainuu (weeks 24 and 47 of 2025)", 0.781, 0.978},
	{"Kajaani", 0.55, 0.966},
}

// kainuuKPIs are the whole-service KPIs the comparison shows.
var kainuuKPIs = []string{"same_day_callback", "callback_delay_p90", "callback_next_day_breaches", "callback_requests",
	"first_contact_resolution", "continuity", "continuity_own_professional", "service_level", "abandonment"}

// kainuuResult is the two runs of the comparison.
type kainuuResult struct {
	Pooled, OwnNurse *scenario.Report
	// NurseHours are the weekday nurse-hours of each (every team).
	PooledHours, OwnHours int
}

// runKainuu runs the shipped kainuu-pooled and kainuu-own-nurse scenarios
// with the same seed, replications and days (0: the scenarios' own).
func runKainuu(ctx context.Context, reps, days int, seed int64) (*kainuuResult, error) {
	var res kainuuResult
	for _, v := range []struct {
		name  string
		rep   **scenario.Report
		hours *int
	}{{"kainuu-pooled", &res.Pooled, &res.PooledHours}, {"kainuu-own-nurse", &res.OwnNurse, &res.OwnHours}} {
		s, err := loadScenario(v.name)
		if err != nil {
			return nil, err
		}
		if reps > 0 {
			s.Replications = reps
		}
		if days > 0 {
			s.Days = days
		}
		if seed >= 0 {
			s.Seed = uint64(seed)
		}
		if err := s.Validate(); err != nil {
			return nil, err
		}
		for _, t := range s.Teams {
			for _, n := range t.Roster.Weekday {
				*v.hours += n
			}
		}
		if *v.rep, err = scenario.Run(ctx, s, scenario.Options{}); err != nil {
			return nil, err
		}
	}
	return &res, nil
}

func kainuuCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kainuu", flag.ContinueOnError)
	fs.SetOutput(stderr)
	reps := fs.Int("replications", 0, "override the scenarios' number of replications")
	days := fs.Int("days", 0, "override the scenarios' number of days")
	seed := fs.Int64("seed", -1, "override the scenarios' seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("kainuu: unexpected argument %q", fs.Arg(0))
	}
	res, err := runKainuu(ctx, *reps, *days, *seed)
	if err != nil {
		return fmt.Errorf("kainuu: %w", err)
	}
	return res.writeText(stdout)
}

func kainuuKPI(rep *scenario.Report, name string) (sim.CI, string) {
	for _, k := range rep.KPIs {
		if k.Team == "" && k.Name == name {
			return k.CI, k.Unit
		}
	}
	return sim.CI{Mean: math.NaN(), HalfWidth: math.NaN()}, ""
}

func (r *kainuuResult) writeText(w io.Writer) error {
	fmt.Fprintf(w, "callbacks from one pooled queue (kainuu-pooled) against callbacks routed to the client's own nurse (kainuu-own-nurse)\n")
	fmt.Fprintf(w, "%d day(s), %d replication(s), seed %d, %.0f %% confidence intervals; weekday nurse-hours %d and %d\n\n",
		r.Pooled.Days, r.Pooled.Replications, r.Pooled.Seed, 100*r.Pooled.Level, r.PooledHours, r.OwnHours)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kpi\tpooled\town nurse\tchange\t")
	val := func(c sim.CI, unit string) string {
		if unit == "share" {
			return fmt.Sprintf("%.1f ± %.1f %%", 100*c.Mean, 100*c.HalfWidth)
		}
		return fmt.Sprintf("%.1f ± %.1f", c.Mean, c.HalfWidth)
	}
	for _, name := range kainuuKPIs {
		a, unit := kainuuKPI(r.Pooled, name)
		b, _ := kainuuKPI(r.OwnNurse, name)
		change := "-"
		switch {
		case math.IsNaN(a.Mean) || math.IsNaN(b.Mean):
		case unit == "share":
			change = fmt.Sprintf("%+.1f points", 100*(b.Mean-a.Mean))
		default:
			change = fmt.Sprintf("%+.1f", b.Mean-a.Mean)
		}
		if math.IsNaN(a.Mean) {
			fmt.Fprintf(tw, "%s\t-\t%s\t%s\t\n", name, val(b, unit), change)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, val(a, unit), val(b, unit), change)
	}
	for _, rp := range kainuuReported {
		fmt.Fprintf(tw, "reported same-day share, %s\t%.1f %%\t%.1f %%\t%+.1f points\t\n", rp.Where, 100*rp.Before, 100*rp.After, 100*(rp.After-rp.Before))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nreported: Innokylä, Toimintamalli hoidon jatkuvuuden varmistamiseen potilaiden yhteydenotoissa (Kainuu, 2025)")
	return err
}
