package erlang_test

import (
	"context"
	"testing"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/stretchr/testify/require"
)

func TestPriorityConservesErlangC(t *testing.T) {
	for _, ref := range loadReference(t) {
		if ref.Model.Patience != 0 {
			continue
		}
		for _, share := range []float64{0, 0.3, 0.6, 1} {
			p, err := erlang.Priority(ref.Model, share)
			require.NoError(t, err)
			require.InEpsilon(t, ref.Want.PWait, p.PWait, 1e-5)
			mean := (1-share)*p.LineWait + share*p.CallbackWait
			require.InEpsilon(t, ref.Want.MeanWaitAll, mean, 1e-5, "%s share %v: work conservation", ref.ID, share)
			require.LessOrEqual(t, p.LineWait, p.CallbackWait)
		}
	}
	_, err := erlang.Priority(erlang.Model{ArrivalsPerHour: 1, Handling: time.Minute, Agents: 1}, 1.5)
	require.ErrorIs(t, err, erlang.ErrBadModel)
}

// TestPriorityAgainstSimulation checks Cobham's formula for the callback
// queue against the simulated queue: 20 nurses, 4-minute calls, 250 an
// hour of which 40 % ask for a callback (load 0.83).
func TestPriorityAgainstSimulation(t *testing.T) {
	m := erlang.Model{ArrivalsPerHour: 250, Handling: 4 * time.Minute, Agents: 20, Target: 20 * time.Second}
	want, err := erlang.Priority(m, 0.4)
	require.NoError(t, err)
	line, cb, err := erlang.SimulatePriority(context.Background(), m, 0.4, erlang.SimConfig{Replications: 20, Clients: 400_000, Seed: 4})
	require.NoError(t, err)
	t.Logf("line wait %.4g ± %.3g s (Cobham %.4g); callback wait %.4g ± %.3g s (Cobham %.4g)",
		line.Mean, line.HalfWidth, want.LineWait, cb.Mean, cb.HalfWidth, want.CallbackWait)
	require.True(t, line.Contains(want.LineWait))
	require.True(t, cb.Contains(want.CallbackWait))
	require.Less(t, line.HalfWidth, 0.05*want.LineWait)
	require.Less(t, cb.HalfWidth, 0.05*want.CallbackWait)
}
