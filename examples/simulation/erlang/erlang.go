package erlang

import (
	"fmt"
	"math"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// ErrBadModel reports parameters that describe no valid queue (named field
// in the wrapped message).
var ErrBadModel = carecontact.Sentinel(carecontact.ErrInvalid, "erlang: invalid model")

// ErrUnstable reports an Erlang C model whose offered load is not below the
// number of agents: without abandonment the queue grows without bound.
var ErrUnstable = carecontact.Sentinel(carecontact.ErrInvalid, "erlang: offered load must be below the number of agents")

// Model is one queue of identical agents: Poisson arrivals, exponential
// handling times, first come first served, and exponential patience when
// Patience > 0 (Erlang A); Patience == 0 means clients never leave
// (Erlang C).
type Model struct {
	ArrivalsPerHour float64
	Handling        time.Duration // mean handling time
	Agents          int
	Patience        time.Duration // mean patience; 0 = infinite
	Target          time.Duration // service-level target
}

// Result holds the steady-state figures of a Model. Waits are in seconds.
type Result struct {
	Model string `json:"model"` // "ErlangC" or "ErlangA"
	// Load is the offered load in erlangs (arrival rate × mean handling time).
	Load float64 `json:"load_erlangs"`
	// PWait is the share of arrivals who wait more than zero.
	PWait float64 `json:"p_wait"`
	// MeanWaitAll is the mean time in queue of all arrivals (abandoners up to
	// when they left).
	MeanWaitAll float64 `json:"mean_wait_seconds"`
	// ASA is the mean wait of answered arrivals.
	ASA float64 `json:"asa_seconds"`
	// ServiceLevel is the share of all arrivals answered within Target.
	ServiceLevel float64 `json:"service_level"`
	// LeftQueueWithinTarget is the share of all arrivals whose time in queue
	// (until answer or abandonment) is at most Target.
	LeftQueueWithinTarget float64 `json:"left_queue_within_target"`
	// PAbandon is the share of arrivals who abandon.
	PAbandon float64 `json:"p_abandon"`
	// Occupancy is the mean share of agents busy.
	Occupancy float64 `json:"occupancy"`
}

func (m Model) validate() error {
	switch {
	case !(m.ArrivalsPerHour > 0) || math.IsInf(m.ArrivalsPerHour, 0):
		return fmt.Errorf("%w: ArrivalsPerHour must be positive and finite", ErrBadModel)
	case m.Handling <= 0:
		return fmt.Errorf("%w: Handling must be positive", ErrBadModel)
	case m.Agents <= 0:
		return fmt.Errorf("%w: Agents must be positive", ErrBadModel)
	case m.Agents > 100000:
		return fmt.Errorf("%w: Agents must be at most 100000", ErrBadModel)
	case m.Patience < 0:
		return fmt.Errorf("%w: Patience must not be negative", ErrBadModel)
	case m.Target < 0:
		return fmt.Errorf("%w: Target must not be negative", ErrBadModel)
	}
	return nil
}

// Solve returns the Erlang C figures when m.Patience is 0 and the Erlang A
// figures otherwise.
func Solve(m Model) (Result, error) {
	if m.Patience == 0 {
		return C(m)
	}
	return A(m)
}

// erlangB returns the Erlang B blocking probability for load a and c agents
// by the stable recursion B(k) = a B(k-1) / (k + a B(k-1)).
func erlangB(a float64, c int) float64 {
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// C returns the Erlang C (M/M/c) figures. The probability of waiting is
// C = c·B / (c − a(1 − B)) with B the Erlang B value; waits are
// exponential given waiting, with rate cμ − λ.
func C(m Model) (Result, error) {
	if err := m.validate(); err != nil {
		return Result{}, err
	}
	if m.Patience != 0 {
		return Result{}, fmt.Errorf("%w: Patience must be 0 for Erlang C", ErrBadModel)
	}
	lam := m.ArrivalsPerHour / 3600 // per second
	mu := 1 / m.Handling.Seconds()
	a := lam / mu
	c := float64(m.Agents)
	if a >= c {
		return Result{}, fmt.Errorf("%w: load %.4g erlangs, %d agents", ErrUnstable, a, m.Agents)
	}
	b := erlangB(a, m.Agents)
	pw := c * b / (c - a*(1-b))
	r := c*mu - lam
	w := pw / r
	sl := 1 - pw*math.Exp(-r*m.Target.Seconds())
	return Result{
		Model: "ErlangC", Load: a, PWait: pw, MeanWaitAll: w, ASA: w,
		ServiceLevel: sl, LeftQueueWithinTarget: sl, Occupancy: a / c,
	}, nil
}

// A returns the Erlang A (M/M/c+M) figures from the exact birth-death chain
// of the number of clients in the system, truncated where the remaining
// probability is below 1e-18.
//
// An arrival that finds j clients waiting ahead of it (probability π(c+j),
// by PASTA) leaves the queue at rate cμ + (j+1)θ in each of the j+1 stages
// until it reaches an agent or gives up, so:
//
//   - it is answered with probability cμ / (cμ + (j+1)θ);
//   - its mean time in queue is (j+1) / (cμ + (j+1)θ);
//   - its offered wait V (the wait if it had infinite patience) is a sum of
//     exponentials with rates cμ + iθ, i = 0..j, which is distributed as
//     −ln(U)/θ with U ~ Beta(cμ/θ, j+1), so P(answered, wait ≤ t) =
//     E[e^{−θV}; V ≤ t] = cμ/(cμ+(j+1)θ) · (1 − I_x(cμ/θ+1, j+1)) with
//     x = e^{−θt}, I the regularized incomplete beta function.
func A(m Model) (Result, error) {
	if err := m.validate(); err != nil {
		return Result{}, err
	}
	if m.Patience == 0 {
		return Result{}, fmt.Errorf("%w: Patience must be positive for Erlang A", ErrBadModel)
	}
	lam := m.ArrivalsPerHour / 3600
	mu := 1 / m.Handling.Seconds()
	theta := 1 / m.Patience.Seconds()
	t := m.Target.Seconds()
	c := m.Agents
	cmu := float64(c) * mu
	a := lam / mu

	// Unnormalised probabilities relative to π(c) = 1: states below c
	// by the Erlang B recursion in reverse, states above c by the product
	// of λ / (cμ + jθ).
	var below float64 // Σ_{n<c} π(n)/π(c)
	{
		p := 1.0
		for n := c; n > 0; n-- {
			p *= float64(n) / a // π(n-1)/π(c)
			below += p
			if p > 1e300 {
				return Result{}, fmt.Errorf("%w: load too small for %d agents to represent", ErrBadModel, c)
			}
		}
	}
	beta := cmu / theta
	x := math.Exp(-theta * t)
	var (
		total     = below
		waitMass  float64 // Σ π(c+j)
		served    float64 // Σ π(c+j) P(answered | j)
		servedW   float64 // Σ π(c+j) E[W; answered | j]
		queueTime float64 // Σ π(c+j) E[time in queue | j]
		slWait    float64 // Σ π(c+j) P(answered, W ≤ t | j)
		leftWait  float64 // Σ π(c+j) P(time in queue ≤ t | j)
		stageSum  float64 // Σ_{i=0}^{j} 1/(cμ+(i+1)θ)
	)
	p := 1.0
	for j := 0; ; j++ {
		if j > 0 {
			p *= lam / (cmu + float64(j)*theta)
		}
		rate := cmu + float64(j+1)*theta
		stageSum += 1 / rate
		pa := cmu / rate
		total += p
		waitMass += p
		served += p * pa
		servedW += p * pa * stageSum
		queueTime += p * float64(j+1) / rate
		// P(V ≤ t) = P(U ≥ x) with U ~ Beta(β, j+1).
		pV := 1 - sim.BetaInc(beta, float64(j+1), x)
		slWait += p * pa * (1 - sim.BetaInc(beta+1, float64(j+1), x))
		leftWait += p * (1 - x*(1-pV))
		if j > 10 && cmu+float64(j)*theta > lam && p < 1e-18*total {
			break
		}
		if j > 10_000_000 {
			return Result{}, fmt.Errorf("%w: queue distribution does not converge", ErrBadModel)
		}
	}
	pw := waitMass / total
	pAnsweredWait := served / total
	pServe := (below / total) + pAnsweredWait
	res := Result{
		Model:                 "ErlangA",
		Load:                  a,
		PWait:                 pw,
		MeanWaitAll:           queueTime / total,
		ASA:                   (servedW / total) / pServe,
		ServiceLevel:          below/total + slWait/total,
		LeftQueueWithinTarget: below/total + leftWait/total,
		PAbandon:              1 - pServe,
		Occupancy:             lam * pServe / cmu,
	}
	return res, nil
}
