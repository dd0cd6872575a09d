package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/stretchr/testify/require"
)

// TestErlangAgainstReference simulates the reference models through the
// routing dispatcher and checks every reference value lies inside the
// simulation's 99.9 % batch-means confidence interval. The reference values
// are in erlang/testdata/erlang.tsv (copied from the project's reference
// data, computed with mpmath).
func TestErlangAgainstReference(t *testing.T) {
	f, err := os.Open("erlang/testdata/erlang.tsv")
	require.NoError(t, err)
	defer f.Close()
	refs, err := erlang.ReadReference(f)
	require.NoError(t, err)
	require.NotEmpty(t, refs)
	for _, ref := range refs {
		t.Run(ref.ID, func(t *testing.T) {
			t.Parallel()
			n := 20000
			r, err := runErlang(context.Background(), erlangConfig{
				Model: ref.Model, Customers: n, Warmup: n / 50, Seed: 7, Batches: 10, Level: 0.999,
				checkDeadlines: true,
			})
			require.NoError(t, err)
			require.Equal(t, ref.Want.Model, r.Model)
			require.Equal(t, n, r.Customers)
			w := ref.Want
			in := func(name string, want float64, got float64, ci interval) {
				t.Helper()
				require.True(t, ci.Low <= want && want <= ci.High,
					"%s: reference %.6g outside [%.6g, %.6g] (simulated %.6g)", name, want, ci.Low, ci.High, got)
			}
			in("p_wait", w.PWait, r.PWait, r.CI.PWait)
			in("mean_wait", w.MeanWaitAll, r.MeanWaitSeconds, r.CI.MeanWaitSeconds)
			in("asa", w.ASA, r.ASASeconds, r.CI.ASASeconds)
			in("service_level", w.ServiceLevel, r.ServiceLevel, r.CI.ServiceLevel)
			if w.PAbandon > 0 {
				in("p_abandon", w.PAbandon, r.PAbandon, r.CI.PAbandon)
			} else {
				require.Zero(t, r.PAbandon)
			}
			// The analytic block is the package's, to 5 digits.
			require.InEpsilon(t, w.PWait, r.Analytic.PWait, 1e-5)
			require.InEpsilon(t, w.ServiceLevel, r.Analytic.ServiceLevel, 1e-5)
			require.InDelta(t, r.Analytic.Occupancy, r.Occupancy, 0.03)
			require.Positive(t, r.CustomersPerSecond)
		})
	}
}

func TestErlangDeterministic(t *testing.T) {
	cfg := erlangConfig{Model: erlang.Model{ArrivalsPerHour: 270, Handling: 240e9, Agents: 20, Target: 20e9, Patience: 180e9},
		Customers: 3000, Warmup: 30, Seed: 3, Batches: 5, Level: 0.95, checkDeadlines: true}
	a, err := runErlang(context.Background(), cfg)
	require.NoError(t, err)
	b, err := runErlang(context.Background(), cfg)
	require.NoError(t, err)
	require.Equal(t, a.PWait, b.PWait)
	require.Equal(t, a.MeanWaitSeconds, b.MeanWaitSeconds)
	require.Equal(t, a.PAbandon, b.PAbandon)
	cfg.Seed = 4
	c, err := runErlang(context.Background(), cfg)
	require.NoError(t, err)
	require.NotEqual(t, a.MeanWaitSeconds, c.MeanWaitSeconds)
}

// TestErlangDeadlineGuard gives the professionals a wrap-up, a deadline
// the erlang loop does not drive: checking after every event, the run
// fails at the first one. (Checking every 65,536 events, this run fails
// sooner on its own: the client slot freed at the end of the call is
// reused while its item is still in wrap-up.)
func TestErlangDeadlineGuard(t *testing.T) {
	for _, every := range []bool{true, false} {
		cfg := erlangConfig{Model: erlang.Model{ArrivalsPerHour: 270, Handling: 240e9, Agents: 20, Target: 20e9},
			Customers: 100000, Warmup: 0, Seed: 1, Batches: 5, Level: 0.95, checkDeadlines: every, wrapUp: 30e9}
		_, err := runErlang(context.Background(), cfg)
		if every {
			require.ErrorContains(t, err, "deadline pending")
		} else {
			require.Error(t, err)
		}
	}
}

func TestErlangCommand(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"erlang", "-arrivals-per-hour", "270", "-handling", "4m", "-agents", "20",
		"-target", "20s", "-customers", "5000", "-seed", "1", "-patience", "3m", "-format", "json"}, &out, &errb)
	require.NoError(t, err, errb.String())
	var m map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &m))
	for _, k := range []string{"customers", "p_wait", "asa_seconds", "mean_wait_seconds", "service_level", "p_abandon", "customers_per_second", "analytic", "ci"} {
		require.Contains(t, m, k)
	}
	require.EqualValues(t, 5000, m["customers"])
	require.Equal(t, "ErlangA", m["analytic"].(map[string]any)["model"])

	out.Reset()
	require.NoError(t, run(context.Background(), []string{"erlang", "-customers", "2000"}, &out, &errb))
	require.Contains(t, out.String(), "ErlangC")
	require.Contains(t, out.String(), "service level")

	for _, args := range [][]string{
		{"erlang", "-format", "xml"},
		{"erlang", "-agents", "0", "-customers", "100"},
		{"erlang", "-customers", "1"},
		{"erlang", "-level", "2"},
		{"erlang", "extra"},
		{"nosuch"},
	} {
		require.Error(t, run(context.Background(), args, &out, &errb), "%v", args)
	}
}

// BenchmarkErlang measures one simulated client of the M/M/20 model at load
// 0.9 through the routing dispatcher (arrival, offer, accept, finish).
func BenchmarkErlang(b *testing.B) {
	cfg := erlangBenchConfig()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := runErlang(context.Background(), cfg); err != nil {
			b.Fatal(err)
		}
	}
	reportPerCustomer(b, cfg, cpu0)
}
