package erlang_test

import (
	"context"
	"testing"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/stretchr/testify/require"
)

// The check's thresholds: an interval at most 1.5 % of the analytic value
// wide on each side, and 0.25 % tolerance beyond it. A 3 % bias then lies
// at least 1.25 % beyond the widened interval, 2.4 standard errors of
// the worst allowed estimate.
const (
	checkTol     = 0.0025
	checkMaxHalf = 0.015
)

// powerClients is the number of clients per replication (of 20) each
// reference case needs for 99 % intervals of at most 1.5 % on every
// figure, from pilot runs; the mean wait in heavy traffic is the slowest
// to settle (its waits are correlated over hundreds of clients).
var powerClients = map[string]int{
	"C4":  1_500_000,
	"C5":  2_250_000,
	"C12": 4_250_000,
	"A4":  300_000,
}

// TestSimulatePower runs every reference case through Simulate with enough
// clients that Check passes on the simulation as it is and fails on the
// same replications with a bias of +3 % or −3 % injected into any one
// figure (the test-only hook WithBias).
func TestSimulatePower(t *testing.T) {
	for _, ref := range loadReference(t) {
		t.Run(ref.ID, func(t *testing.T) {
			n, ok := powerClients[ref.ID]
			require.True(t, ok, "no sample size for %s", ref.ID)
			est, err := erlang.Simulate(context.Background(), ref.Model, erlang.SimConfig{Replications: 20, Clients: n, Seed: 20})
			require.NoError(t, err)
			require.NoError(t, erlang.Check(est, ref.Want, checkTol, checkMaxHalf))
			for _, k := range erlang.KPIs() {
				w := ref.Want.Value(k)
				ci := est.Get(k)
				if w == 0 {
					require.Zero(t, ci.Mean, k.String())
					continue
				}
				t.Logf("%s %s: %.6g ± %.3g (%.2f %% of %.6g), off by %+.2f %%", ref.ID, k, ci.Mean, ci.HalfWidth,
					100*ci.HalfWidth/w, w, 100*(ci.Mean-w)/w)
				for _, b := range []float64{0.03, -0.03} {
					err := erlang.Check(erlang.WithBias(est, k, b), ref.Want, checkTol, checkMaxHalf)
					require.ErrorIs(t, err, erlang.ErrCheckFailed, "%s with bias %+.0f %% passed", k, 100*b)
					require.ErrorIs(t, err, carecontact.ErrConflict)
					require.Contains(t, err.Error(), k.String())
				}
			}
		})
	}
}

func TestCheckNeedsPower(t *testing.T) {
	// Too few clients: the intervals are too wide to see a 3 % bias, and
	// Check says so even though the analytic values lie inside them.
	ref := loadReference(t)[1] // C5
	est, err := erlang.Simulate(context.Background(), ref.Model, erlang.SimConfig{Replications: 5, Clients: 2000, Seed: 1})
	require.NoError(t, err)
	err = erlang.Check(est, ref.Want, checkTol, checkMaxHalf)
	require.ErrorIs(t, err, erlang.ErrCheckFailed)
	require.Contains(t, err.Error(), "half-width")
}

func TestSimulateDeterministic(t *testing.T) {
	ref := loadReference(t)[3] // A4
	cfg := erlang.SimConfig{Replications: 3, Clients: 5000, Seed: 9}
	a, err := erlang.Simulate(context.Background(), ref.Model, cfg)
	require.NoError(t, err)
	b, err := erlang.Simulate(context.Background(), ref.Model, cfg)
	require.NoError(t, err)
	require.Equal(t, a.CI, b.CI)
	cfg.Seed = 10
	c, err := erlang.Simulate(context.Background(), ref.Model, cfg)
	require.NoError(t, err)
	require.NotEqual(t, a.Get(erlang.KPIMeanWait).Mean, c.Get(erlang.KPIMeanWait).Mean)
}

func TestSimulateErrors(t *testing.T) {
	m := erlang.Model{ArrivalsPerHour: 100, Handling: 60e9, Agents: 2, Target: 1e9}
	for name, tc := range map[string]struct {
		m    erlang.Model
		cfg  erlang.SimConfig
		want error
		text string
	}{
		"clients":      {m, erlang.SimConfig{}, erlang.ErrBadModel, "Clients"},
		"replications": {m, erlang.SimConfig{Clients: 10, Replications: 1}, erlang.ErrBadModel, "Replications"},
		"level":        {m, erlang.SimConfig{Clients: 10, Level: 1}, erlang.ErrBadModel, "Level"},
		"unstable":     {erlang.Model{ArrivalsPerHour: 200, Handling: 60e9, Agents: 2}, erlang.SimConfig{Clients: 10}, erlang.ErrUnstable, "load"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := erlang.Simulate(context.Background(), tc.m, tc.cfg)
			require.ErrorIs(t, err, tc.want)
			require.Contains(t, err.Error(), tc.text)
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := erlang.Simulate(ctx, m, erlang.SimConfig{Clients: 10})
	require.ErrorIs(t, err, context.Canceled)
}
