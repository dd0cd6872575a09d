package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"text/tabwriter"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/erlang"
)

func erlangCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("erlang", flag.ContinueOnError)
	fs.SetOutput(stderr)
	perHour := fs.Float64("arrivals-per-hour", 270, "Poisson arrival rate per hour")
	handling := fs.Duration("handling", 4*time.Minute, "mean (exponential) handling time")
	agents := fs.Int("agents", 20, "number of identical professionals")
	target := fs.Duration("target", 20*time.Second, "service-level target: answered within")
	customers := fs.Int("customers", 1_000_000, "number of clients to simulate")
	seed := fs.Uint64("seed", 1, "random seed")
	patience := fs.Duration("patience", 0, "mean (exponential) patience; 0 = clients never abandon (Erlang C)")
	warmup := fs.Int("warmup", -1, "clients at the start left out of the statistics (-1: 1 % of -customers)")
	batches := fs.Int("batches", 20, "batches for the batch-means confidence intervals")
	level := fs.Float64("level", 0.95, "confidence level of the intervals")
	format := fs.String("format", "text", "output format: text or json")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("erlang: unexpected argument %q", fs.Arg(0))
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("erlang: -format %q: want text or json", *format)
	}
	if !(*level > 0 && *level < 1) {
		return fmt.Errorf("erlang: -level %v: want a share between 0 and 1", *level)
	}
	if *batches < 2 || *batches > 1000 {
		return fmt.Errorf("erlang: -batches %d: want 2..1000", *batches)
	}
	if *customers < *batches {
		return fmt.Errorf("erlang: -customers %d: want at least -batches", *customers)
	}
	w := *warmup
	if w < 0 {
		w = *customers / 100
	}
	cfg := erlangConfig{
		Model: erlang.Model{ArrivalsPerHour: *perHour, Handling: *handling, Agents: *agents,
			Patience: *patience, Target: *target},
		Customers: *customers, Warmup: w, Seed: *seed, Batches: *batches, Level: *level,
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("erlang: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("erlang: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	// The run allocates short-lived work items at a high rate and keeps
	// little live data: a lazier collector trades a few megabytes for
	// speed, and memory stays flat either way.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	r, err := runErlang(ctx, cfg)
	if err != nil {
		return fmt.Errorf("erlang: %w", err)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return r.writeText(stdout)
}

func (r *erlangResult) writeText(w io.Writer) error {
	fmt.Fprintf(w, "%s: %.6g arrivals/h, handling %v, %d agents, target %v", r.Model, r.ArrivalsPerHour,
		time.Duration(r.HandlingSeconds*float64(time.Second)), r.Agents, time.Duration(r.TargetSeconds*float64(time.Second)))
	if r.PatienceSeconds > 0 {
		fmt.Fprintf(w, ", patience %v", time.Duration(r.PatienceSeconds*float64(time.Second)))
	}
	fmt.Fprintf(w, "\n%d customers (%d measured after %d warm-up), seed %d, %.0f %% intervals from %d batch means\n\n",
		r.Customers, r.Measured, r.Warmup, r.Seed, 100*r.ConfidenceLevel, r.Batches)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tsimulated\t± half-width\tanalytic\t")
	row := func(name string, v float64, ci interval, a float64) {
		fmt.Fprintf(tw, "%s\t%.5f\t%.5f\t%.5f\t\n", name, v, ci.HalfWidth, a)
	}
	row("P(wait > 0)", r.PWait, r.CI.PWait, r.Analytic.PWait)
	row("mean wait of all (s)", r.MeanWaitSeconds, r.CI.MeanWaitSeconds, r.Analytic.MeanWaitAll)
	row("ASA of answered (s)", r.ASASeconds, r.CI.ASASeconds, r.Analytic.ASA)
	row("service level", r.ServiceLevel, r.CI.ServiceLevel, r.Analytic.ServiceLevel)
	row("P(abandon)", r.PAbandon, r.CI.PAbandon, r.Analytic.PAbandon)
	fmt.Fprintf(tw, "occupancy\t%.5f\t\t%.5f\t\n", r.Occupancy, r.Analytic.Occupancy)
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\nwait p50 %.1f s, p90 %.1f s; %.0f simulated hours in %.2f s: %.0f customers/s\n",
		r.WaitP50Seconds, r.WaitP90Seconds, r.SimulatedHours, r.WallSeconds, r.CustomersPerSecond)
	return err
}
