package sim_test

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)

func TestClock(t *testing.T) {
	var c carecontact.Clock = sim.NewClock(epoch)
	require.Equal(t, epoch, c.Now())
	vc := c.(*sim.Clock)
	require.True(t, vc.Set(time.Hour))
	require.False(t, vc.Set(time.Minute), "a clock never runs backwards")
	require.Equal(t, epoch.Add(time.Hour), c.Now())
	require.Equal(t, time.Hour, vc.Elapsed())
	require.Equal(t, epoch.Add(2*time.Hour), vc.At(2*time.Hour))
}

func TestLoopOrder(t *testing.T) {
	l := sim.NewLoop[string](sim.NewClock(epoch))
	l.At(3*time.Second, "c")
	l.At(time.Second, "a1")
	l.At(2*time.Second, "b")
	l.At(time.Second, "a2") // same time: scheduling order
	var got []string
	var at []time.Duration
	for {
		if ev, ok := l.Next(); ok {
			got = append(got, ev)
			at = append(at, l.Now())
			if ev == "b" {
				l.After(-time.Second, "now") // past means now
				l.After(500*time.Millisecond, "b+")
			}
			continue
		}
		break
	}
	require.Equal(t, []string{"a1", "a2", "b", "now", "b+", "c"}, got)
	require.Equal(t, []time.Duration{time.Second, time.Second, 2 * time.Second, 2 * time.Second, 2500 * time.Millisecond, 3 * time.Second}, at)
	_, ok := l.Peek()
	require.False(t, ok)
	require.Zero(t, l.Len())
}

// TestLoopTicket merges a time-ordered stream kept outside the loop (with
// Ticket and Before) and checks the order is the one At gives, ties with
// the loop's events included: times on a coarse grid make ties common.
func TestLoopTicket(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		run := func(outside bool) []string {
			r := sim.NewRand(seed, 0)
			clock := sim.NewClock(epoch)
			l := sim.NewLoop[string](clock)
			var got []string
			n := 0
			var streamAt time.Duration
			var ticket uint64
			schedule := func(at time.Duration) {
				if outside {
					streamAt, ticket = at, l.Ticket()
				} else {
					l.At(at, "stream")
				}
			}
			schedule(time.Duration(r.IntN(4)) * time.Second)
			pending := true
			for {
				var ev string
				if outside && pending && l.Before(streamAt, ticket) {
					require.True(t, clock.Set(streamAt))
					ev, pending = "stream", false
				} else {
					var ok bool
					if ev, ok = l.Next(); !ok {
						break
					}
				}
				got = append(got, fmt.Sprintf("%s@%v", ev, l.Now()))
				if ev == "stream" {
					n++
					if n < 300 {
						schedule(l.Now() + time.Duration(r.IntN(3))*time.Second)
						pending = true
					}
					l.After(time.Duration(r.IntN(5))*time.Second, fmt.Sprintf("job%d", n))
				}
			}
			return got
		}
		require.Equal(t, run(false), run(true), "seed %d", seed)
	}
}

func TestLoopHeapRandom(t *testing.T) {
	r := sim.NewRand(7, 0)
	l := sim.NewLoop[int](sim.NewClock(epoch))
	for i := range 5000 {
		l.At(time.Duration(r.IntN(1000)), i)
	}
	prev := time.Duration(-1)
	for l.Len() > 0 {
		next, _ := l.Peek()
		_, _ = l.Next()
		require.GreaterOrEqual(t, l.Now(), prev)
		require.Equal(t, next, l.Now())
		prev = l.Now()
	}
}

func TestDistributions(t *testing.T) {
	ln, err := sim.NewLogNormal(6*time.Minute, 4*time.Minute)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		d       sim.Dist
		mean    float64
		sd      float64
		minimum time.Duration
	}{
		"exponential": {sim.Exponential{M: time.Minute}, 60, 60, 0},
		"lognormal":   {ln, 360, 240, 0},
		"constant":    {sim.Constant{D: 30 * time.Second}, 30, 0, 30 * time.Second},
		"uniform":     {sim.Uniform{Min: time.Minute, Max: 3 * time.Minute}, 120, 120 / math.Sqrt(12), time.Minute},
	} {
		t.Run(name, func(t *testing.T) {
			r := sim.NewRand(1, 2)
			var w sim.Welford
			below := 0
			for range 60000 {
				x := tc.d.Sample(r)
				if x < tc.minimum {
					below++
				}
				w.Add(x.Seconds())
			}
			require.Zero(t, below, "samples below the minimum")
			require.InDelta(t, tc.mean, w.Mean(), tc.mean*0.02+1e-9)
			require.InDelta(t, tc.sd, math.Sqrt(w.Var()), tc.sd*0.05+1e-9)
			require.InDelta(t, tc.mean, tc.d.Mean().Seconds(), 1e-9)
		})
	}
}

func TestDistSpec(t *testing.T) {
	for in, want := range map[string]string{
		`{"kind":"exponential","mean":"4m"}`:         "",
		`{"kind":"lognormal","mean":"6m","sd":"4m"}`: "",
		`{"kind":"constant","mean":"30s"}`:           "",
		`{"kind":"uniform","min":"1m","max":"3m"}`:   "",
		`{"kind":"exponential"}`:                     "handling: exponential needs mean",
		`{"kind":"lognormal","mean":"0s"}`:           "handling: sim: invalid distribution: lognormal",
		`{"kind":"uniform","min":"3m","max":"1m"}`:   "handling: uniform",
		`{"kind":"weibull","mean":"1m"}`:             `unknown kind "weibull"`,
		`{"kind":"constant","mean":"-1s"}`:           "constant needs mean >= 0",
	} {
		var s sim.DistSpec
		require.NoError(t, json.Unmarshal([]byte(in), &s), in)
		d, err := s.Dist("handling")
		if want == "" {
			require.NoError(t, err, in)
			require.Positive(t, d.Mean(), in)
			continue
		}
		require.ErrorIs(t, err, sim.ErrBadDist, in)
		require.Contains(t, err.Error(), want, in)
	}
	var s sim.DistSpec
	require.ErrorContains(t, json.Unmarshal([]byte(`{"kind":"constant","mean":"4 minutes"}`), &s), "4 minutes")
	require.ErrorContains(t, json.Unmarshal([]byte(`{"kind":"constant","mean":4}`), &s), "duration must be a string")
	b, err := json.Marshal(sim.DistSpec{Kind: "constant", Mean: sim.Duration(90 * time.Second)})
	require.NoError(t, err)
	require.JSONEq(t, `{"kind":"constant","mean":"1m30s"}`, string(b))
}

func FuzzDistSpec(f *testing.F) {
	f.Add(`{"kind":"lognormal","mean":"6m","sd":"4m"}`)
	f.Add(`{"kind":"uniform","min":"1m","max":"3m"}`)
	f.Fuzz(func(t *testing.T, in string) {
		var s sim.DistSpec
		if json.Unmarshal([]byte(in), &s) != nil {
			return
		}
		d, err := s.Dist("f")
		if err != nil {
			require.ErrorIs(t, err, sim.ErrBadDist)
			return
		}
		r := sim.NewRand(1, 1)
		for range 10 {
			require.GreaterOrEqual(t, d.Sample(r), time.Duration(0))
		}
	})
}

func TestStudentTQuantile(t *testing.T) {
	// Standard table values (two-sided 95 %).
	for df, want := range map[float64]float64{1: 12.7062, 2: 4.30265, 5: 2.57058, 19: 2.09302, 30: 2.04227, 1000: 1.96234} {
		require.InDelta(t, want, sim.StudentTQuantile(0.975, df), 1e-4, "df %v", df)
	}
	require.InDelta(t, -2.09302, sim.StudentTQuantile(0.025, 19), 1e-4)
	require.InDelta(t, 0, sim.StudentTQuantile(0.5, 7), 1e-9)
	require.True(t, math.IsInf(sim.StudentTQuantile(1, 3), 1))
}

func TestBetaInc(t *testing.T) {
	require.InDelta(t, 0.5, sim.BetaInc(2, 2, 0.5), 1e-14)
	// I_x(a,1) = x^a and I_x(1,b) = 1-(1-x)^b.
	require.InDelta(t, math.Pow(0.3, 7.5), sim.BetaInc(7.5, 1, 0.3), 1e-14)
	require.InDelta(t, 1-math.Pow(0.7, 12), sim.BetaInc(1, 12, 0.3), 1e-13)
	require.True(t, math.IsNaN(sim.BetaInc(-1, 1, 0.5)))
	require.Zero(t, sim.BetaInc(2, 3, 0))
	require.Equal(t, 1.0, sim.BetaInc(2, 3, 1))
}

func TestMeanCIAndBatches(t *testing.T) {
	ci := sim.MeanCI([]float64{1, 2, 3, 4, 5}, 0.95)
	require.InDelta(t, 3, ci.Mean, 1e-12)
	require.InDelta(t, 2.776445*math.Sqrt(2.5/5), ci.HalfWidth, 1e-5)
	require.True(t, ci.Contains(3))
	require.False(t, ci.Contains(5))
	require.True(t, math.IsInf(sim.MeanCI([]float64{1}, 0.95).HalfWidth, 1))

	b := sim.NewBatches(4)
	for i := range 400 {
		b.Add(i/100, float64(i%2))
	}
	bc := b.CI(0.95)
	require.InDelta(t, 0.5, bc.Mean, 1e-12)
	require.InDelta(t, 0, bc.HalfWidth, 1e-12)
	r := sim.NewBatches(2)
	r.AddRatio(0, 10, 2)
	r.AddRatio(1, 30, 2)
	require.InDelta(t, 10, r.Mean(), 1e-12)
	require.Equal(t, 2, r.Len())
}

func TestHistogram(t *testing.T) {
	h := sim.NewHistogram()
	require.Zero(t, h.Quantile(0.5))
	for i := 1; i <= 100000; i++ {
		h.Add(time.Duration(i) * time.Millisecond)
	}
	require.EqualValues(t, 100000, h.Count())
	for _, q := range []float64{0.1, 0.5, 0.9, 0.99} {
		want := q * 100
		got := h.Quantile(q).Seconds()
		require.InDelta(t, want, got, want/64+0.001, "q %v", q)
	}
	require.Equal(t, time.Millisecond, h.Quantile(0))
	require.Equal(t, 100*time.Second, h.Quantile(1))
	o := sim.NewHistogram()
	o.Add(-time.Second)
	o.Add(1000 * time.Hour)
	h.Merge(o)
	require.Equal(t, time.Duration(0), h.Quantile(0))
	require.Equal(t, 1000*time.Hour, h.Quantile(1))
	h.Add(time.Duration(math.MaxInt64))
	require.Equal(t, time.Duration(math.MaxInt64), h.Quantile(1))
}

func TestLevel(t *testing.T) {
	l := sim.NewLevel(time.Hour, 3)
	l.Set(30*time.Minute, 2) // 0 for 30 min, then 2
	l.Add(90*time.Minute, 2) // 4 from 1:30
	l.Set(4*time.Hour, 0)    // past the last bin: accumulated there
	l.Close(4 * time.Hour)
	require.InDelta(t, 1, l.BinMean(0), 1e-12)
	require.InDelta(t, 3, l.BinMean(1), 1e-12)
	require.InDelta(t, 8, l.BinMean(2), 1e-12) // two hours of 4 in one 1 h bin
	require.Zero(t, l.BinMean(5))
	require.InDelta(t, (1+3+8)/4.0, l.Mean(), 1e-12)
	require.Equal(t, 3, l.Bins())
	require.Zero(t, l.Value())
}

// BenchmarkLoop measures one schedule + pop on a heap holding about 1000
// pending events, the size of a busy contact centre's event list.
func BenchmarkLoop(b *testing.B) {
	l := sim.NewLoop[int](sim.NewClock(epoch))
	r := sim.NewRand(1, 1)
	d := sim.Exponential{M: time.Minute}
	for i := range 1000 {
		l.After(d.Sample(r), i)
	}
	b.ReportAllocs()
	for b.Loop() {
		ev, _ := l.Next()
		l.After(d.Sample(r), ev)
	}
}
