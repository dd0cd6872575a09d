package erlang

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// ErrCheckFailed reports a simulation estimate that does not agree with the
// analytic value, or whose confidence interval is too wide to tell (the
// wrapped message names the figures).
var ErrCheckFailed = carecontact.Sentinel(carecontact.ErrConflict, "erlang: simulation disagrees with theory")

// KPI names one figure a simulation estimates.
type KPI int

// The figures Simulate estimates, in the order of Estimate.KPIs.
const (
	KPIPWait KPI = iota
	KPIMeanWait
	KPIServiceLevel
	KPIPAbandon
	kpiCount
)

var kpiNames = [kpiCount]string{"p_wait", "mean_wait", "service_level", "p_abandon"}

// String returns the figure's name.
func (k KPI) String() string {
	if k < 0 || k >= kpiCount {
		return fmt.Sprintf("KPI(%d)", int(k))
	}
	return kpiNames[k]
}

// KPIs lists the figures Simulate estimates.
func KPIs() []KPI { return []KPI{KPIPWait, KPIMeanWait, KPIServiceLevel, KPIPAbandon} }

// Value returns the analytic value of k.
func (r Result) Value(k KPI) float64 {
	switch k {
	case KPIPWait:
		return r.PWait
	case KPIMeanWait:
		return r.MeanWaitAll
	case KPIServiceLevel:
		return r.ServiceLevel
	case KPIPAbandon:
		return r.PAbandon
	}
	return math.NaN()
}

// SimConfig sets up Simulate.
type SimConfig struct {
	// Replications is the number of independent replications. Defaults to 20.
	Replications int
	// Clients is the number of arrivals measured in each replication. Required.
	Clients int
	// Seed selects the random streams; replication r uses streams of its
	// own. Defaults to 0.
	Seed uint64
	// Level is the confidence level of the intervals. Defaults to 0.99.
	Level float64
}

// Estimate is the result of Simulate: for each figure, the Student-t
// interval over the replications' values.
type Estimate struct {
	Level        float64
	Replications int
	Clients      int // per replication
	CI           [kpiCount]sim.CI

	// reps holds each replication's value of each figure, for the
	// test-only bias hook (export_test.go).
	reps [kpiCount][]float64
}

// withBias returns e with every replication's value of k multiplied by
// 1 + b and the interval recomputed: the estimate of a simulation that is
// off by b, for the power test of Check. Only tests call it.
func (e Estimate) withBias(k KPI, b float64) Estimate {
	vals := make([]float64, len(e.reps[k]))
	for i, v := range e.reps[k] {
		vals[i] = v * (1 + b)
	}
	e.reps[k] = vals
	e.CI[k] = sim.MeanCI(vals, e.Level)
	return e
}

// Get returns the interval of k.
func (e Estimate) Get(k KPI) sim.CI { return e.CI[k] }

// stationary returns the stationary distribution of the number of clients
// in the system of m (birth-death chain), truncated where the tail is
// below 1e-16.
func stationary(m Model) []float64 {
	lam := m.ArrivalsPerHour / 3600
	mu := 1 / m.Handling.Seconds()
	theta := 0.0
	if m.Patience > 0 {
		theta = 1 / m.Patience.Seconds()
	}
	c := m.Agents
	// Work relative to π(c) = 1 to keep the numbers representable.
	p := make([]float64, c+1)
	p[c] = 1
	for n := c; n > 0; n-- {
		p[n-1] = p[n] * float64(n) / (lam / mu)
	}
	total := 0.0
	for _, v := range p {
		total += v
	}
	q := 1.0
	for j := 1; ; j++ {
		q *= lam / (float64(c)*mu + float64(j)*theta)
		p = append(p, q)
		total += q
		if q < 1e-16*total && float64(c)*mu+float64(j)*theta > lam {
			break
		}
		if j > 10_000_000 {
			break
		}
	}
	for i := range p {
		p[i] /= total
	}
	return p
}

// Simulate estimates the figures of m by independent replications of the
// queue on a sim.Loop of its own (Poisson arrivals, exponential handling
// and patience, first come first served), without the routing dispatcher:
// the dispatcher's agreement with theory is the erlang subcommand's, this
// is a fast, exact model of the queue for tests with statistical power.
//
// Each replication starts in steady state: the number of clients present is
// drawn from the stationary distribution of the birth-death chain, those
// being served get a fresh exponential handling time and those waiting a
// fresh exponential patience (both memoryless), so there is no warm-up
// bias and the replications are independent and identically distributed.
// A replication measures the first cfg.Clients arrivals after time 0.
func Simulate(ctx context.Context, m Model, cfg SimConfig) (Estimate, error) {
	if err := m.validate(); err != nil {
		return Estimate{}, err
	}
	if m.Patience == 0 {
		if _, err := C(m); err != nil {
			return Estimate{}, err
		}
	}
	if cfg.Replications == 0 {
		cfg.Replications = 20
	}
	if cfg.Level == 0 {
		cfg.Level = 0.99
	}
	switch {
	case cfg.Replications < 2:
		return Estimate{}, carecontact.Invalid(ErrBadModel, "Replications", "must be at least 2")
	case cfg.Clients < 1:
		return Estimate{}, carecontact.Invalid(ErrBadModel, "Clients", "must be positive")
	case !(cfg.Level > 0 && cfg.Level < 1):
		return Estimate{}, carecontact.Invalid(ErrBadModel, "Level", "must be between 0 and 1")
	}
	pi := stationary(m)
	est := Estimate{Level: cfg.Level, Replications: cfg.Replications, Clients: cfg.Clients}
	for r := range cfg.Replications {
		if err := ctx.Err(); err != nil {
			return Estimate{}, err
		}
		v := replicate(m, pi, cfg.Clients, cfg.Seed, uint64(r))
		for k := range kpiCount {
			est.reps[k] = append(est.reps[k], v[k])
		}
	}
	for k := range kpiCount {
		est.CI[k] = sim.MeanCI(est.reps[k], cfg.Level)
	}
	return est, nil
}

// waiter is a client in the queue; times in seconds.
type waiter struct {
	arrived, deadline float64 // abandons at deadline unless answered
	measured          bool
}

// replicate runs one replication and returns its figures.
//
// The queue is simulated as the continuous-time Markov chain it is: with b
// agents busy the next event comes after an exponential time of rate
// λ + bμ and is an arrival with probability λ/(λ + bμ), otherwise a
// completion (exponential handling is memoryless, so which agent finishes
// does not matter). Each waiting client carries its own patience deadline;
// a client whose deadline has passed when it reaches the head of the queue
// left at its deadline (lazy deletion: abandonment changes neither the
// arrival nor the completion rate, as every agent is busy while anyone
// waits). Waits are those of the individual clients, first come first
// served.
func replicate(m Model, pi []float64, clients int, seed, rep uint64) [kpiCount]float64 {
	// Two splitmix64 streams held in local variables: the generator sits
	// in registers, which keeps long runs fast also under the race
	// detector.
	ev := seed*0x9e3779b97f4a7c15 ^ (2*rep+1)*0xbf58476d1ce4e5b9
	pt := seed*0x94d049bb133111eb ^ (2*rep+2)*0xd6e8feb86659fd93
	lam := m.ArrivalsPerHour / 3600
	mu := 1 / m.Handling.Seconds()
	meanPatience := m.Patience.Seconds()
	target := m.Target.Seconds()
	c := m.Agents

	// Ring buffer of waiting clients; its length is a power of two.
	q := make([]waiter, 64)
	mask := len(q) - 1
	head, size := 0, 0
	push := func(w waiter) {
		if size == len(q) {
			nq := make([]waiter, 2*len(q))
			for i := range size {
				nq[i] = q[(head+i)&mask]
			}
			q, head, mask = nq, 0, len(nq)-1
		}
		q[(head+size)&mask] = w
		size++
	}
	deadline := func(now float64) float64 {
		if meanPatience == 0 {
			return math.Inf(1)
		}
		var x uint64
		pt, x = splitmix(pt)
		return now - math.Log(unit(x))*meanPatience
	}

	// Steady-state start.
	ev, x := splitmix(ev)
	u := 1 - unit(x)
	n := len(pi) - 1
	for i, p := range pi {
		if u < p {
			n = i
			break
		}
		u -= p
	}
	busy := min(n, c)
	for range n - busy {
		push(waiter{deadline: deadline(0)})
	}

	var (
		now                         float64
		arrived, done               int
		waited, withinSL, abandoned float64
		waitSum                     float64
	)
	for done < clients {
		rate := lam + float64(busy)*mu
		var x, y uint64
		ev, x = splitmix(ev)
		ev, y = splitmix(ev)
		now -= math.Log(unit(x)) / rate
		if (1-unit(y))*rate < lam {
			if arrived > clients {
				continue // later arrivals cannot change the measured ones' fate
			}
			measured := arrived < clients
			arrived++
			if busy < c {
				busy++ // the queue is empty while an agent is free
				if measured {
					done++
				}
				continue
			}
			push(waiter{arrived: now, deadline: deadline(now), measured: measured})
			continue
		}
		// A completion: the agent takes the first client still waiting.
		answered := false
		for size > 0 {
			w := q[head]
			head = (head + 1) & mask
			size--
			if w.deadline < now {
				if w.measured {
					done++
					abandoned++
					waited++
					waitSum += w.deadline - w.arrived
				}
				continue
			}
			if w.measured {
				done++
				wt := now - w.arrived
				waited++
				waitSum += wt
				if wt <= target {
					withinSL++
				}
			}
			answered = true
			break
		}
		if !answered {
			busy--
		}
	}
	nd := float64(done)
	var v [kpiCount]float64
	v[KPIPWait] = waited / nd
	v[KPIMeanWait] = waitSum / nd
	v[KPIServiceLevel] = (nd - waited + withinSL) / nd
	v[KPIPAbandon] = abandoned / nd
	return v
}

// splitmix advances a splitmix64 state and returns the new state and a
// 64-bit output (Steele, Lea and Flood, "Fast splittable pseudorandom
// number generators", OOPSLA 2014).
func splitmix(s uint64) (uint64, uint64) {
	s += 0x9e3779b97f4a7c15
	z := s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return s, z ^ (z >> 31)
}

// unit maps 64 random bits to (0, 1].
func unit(x uint64) float64 { return float64(x>>11+1) / (1 << 53) }

// Check compares an estimate with the analytic figures: for each figure it
// requires the interval's half-width to be at most maxHalf of the analytic
// value (the run has the power to see a bias), and the analytic value to
// lie inside the interval widened by tol of the analytic value on each side
// (the simulation agrees). Figures whose analytic value is 0 (P(abandon) of
// Erlang C) must be estimated as exactly 0. With maxHalf = 0.01 and
// tol = 0.005 a bias of 3 % exceeds the widened interval by at least
// 1.5 % of the value, about four standard errors at the 99 % level. It
// returns nil or an error matching ErrCheckFailed naming every failing
// figure.
func Check(est Estimate, want Result, tol, maxHalf float64) error {
	var bad []string
	for _, k := range KPIs() {
		ci, w := est.CI[k], want.Value(k)
		if w == 0 {
			if ci.Mean != 0 {
				bad = append(bad, fmt.Sprintf("%s: %.6g, want 0", k, ci.Mean))
			}
			continue
		}
		aw := math.Abs(w)
		if ci.HalfWidth > maxHalf*aw {
			bad = append(bad, fmt.Sprintf("%s: half-width %.3g %% of %.6g, want at most %.3g %%", k, 100*ci.HalfWidth/aw, w, 100*maxHalf))
		}
		if d := math.Abs(ci.Mean - w); d > ci.HalfWidth+tol*aw {
			bad = append(bad, fmt.Sprintf("%s: %.6g ± %.3g is %.3g %% off %.6g (tolerance %.3g %% beyond the interval)",
				k, ci.Mean, ci.HalfWidth, 100*d/aw, w, 100*tol))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%w: %s", ErrCheckFailed, strings.Join(bad, "; "))
	}
	return nil
}
