package erlang

import (
	"context"
	"math"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// PriorityResult holds the mean waits (seconds) of the two classes of a
// queue where clients on the line go before callback requests.
type PriorityResult struct {
	// PWait is the Erlang C probability that an arrival of either class
	// waits (the classes share the agents, so it is the same for both).
	PWait float64 `json:"p_wait"`
	// LineWait is the mean wait of the clients waiting on the line.
	LineWait float64 `json:"line_wait_seconds"`
	// CallbackWait is the mean wait of the callback requests until an agent
	// takes them.
	CallbackWait float64 `json:"callback_wait_seconds"`
}

// Priority returns the mean waits of an M/M/c queue with two classes under
// non-preemptive priority: a share callbackShare of the arrivals of m are
// callback requests, which an agent takes only when no client waits on the
// line; both classes have the handling time of m and infinite patience
// (m.Patience must be 0). This is Cobham's formula (A. Cobham, "Priority
// assignment in waiting line problems", Operations Research 2(1):70–76,
// 1954), for exponential handling equal across classes:
//
//	W_line     = C / (cμ (1 − ρ₁))
//	W_callback = C / (cμ (1 − ρ₁)(1 − ρ))
//
// with C the Erlang C probability of waiting, ρ₁ = λ₁/(cμ) the load of
// the line and ρ = λ/(cμ) the total. It is the textbook model of a
// callback option in which callbacks fill the agents' idle time (compare
// Armony and Maglaras, "On customer contact centers with a call-back
// option", Operations Research 52(2):271–292, 2004, where the callbacks are
// likewise served at low priority); the waits' mean over both classes is
// the Erlang C mean wait (work conservation).
func Priority(m Model, callbackShare float64) (PriorityResult, error) {
	if !(callbackShare >= 0 && callbackShare <= 1) {
		return PriorityResult{}, carecontact.Invalid(ErrBadModel, "callbackShare", "must be between 0 and 1")
	}
	c, err := C(m)
	if err != nil {
		return PriorityResult{}, err
	}
	cmu := float64(m.Agents) / m.Handling.Seconds()
	lam := m.ArrivalsPerHour / 3600
	rho1 := lam * (1 - callbackShare) / cmu
	rho := lam / cmu
	return PriorityResult{
		PWait:        c.PWait,
		LineWait:     c.PWait / (cmu * (1 - rho1)),
		CallbackWait: c.PWait / (cmu * (1 - rho1) * (1 - rho)),
	}, nil
}

// SimulatePriority estimates the two classes' mean waits of Priority by
// independent replications of the queue's continuous-time Markov chain
// (each replication starts from the stationary number in system, the
// waiting ones split over the classes by the callback share, which is not
// the stationary split, so each replication's first tenth of clients is a
// warm-up left out), returning the intervals of the line's and
// the callbacks' mean wait.
func SimulatePriority(ctx context.Context, m Model, callbackShare float64, cfg SimConfig) (line, callback sim.CI, err error) {
	if _, err := Priority(m, callbackShare); err != nil {
		return sim.CI{}, sim.CI{}, err
	}
	if cfg.Replications == 0 {
		cfg.Replications = 20
	}
	if cfg.Level == 0 {
		cfg.Level = 0.99
	}
	if cfg.Replications < 2 || cfg.Clients < 1 || !(cfg.Level > 0 && cfg.Level < 1) {
		return sim.CI{}, sim.CI{}, carecontact.Invalid(ErrBadModel, "cfg", "want Replications >= 2, Clients >= 1, Level in (0, 1)")
	}
	pi := stationary(m)
	var lv, cv []float64
	for r := range cfg.Replications {
		if err := ctx.Err(); err != nil {
			return sim.CI{}, sim.CI{}, err
		}
		l, c := replicatePriority(m, pi, callbackShare, cfg.Clients, cfg.Seed, uint64(r))
		lv, cv = append(lv, l), append(cv, c)
	}
	return sim.MeanCI(lv, cfg.Level), sim.MeanCI(cv, cfg.Level), nil
}

// replicatePriority runs one replication: warm-up clients (a tenth of
// clients) are simulated but not measured; each class is a FIFO queue of
// arrival times.
func replicatePriority(m Model, pi []float64, share float64, clients int, seed, rep uint64) (lineWait, cbWait float64) {
	ev := seed*0x9e3779b97f4a7c15 ^ (2*rep+1)*0xbf58476d1ce4e5b9 ^ 0x5bd1e995
	lam := m.ArrivalsPerHour / 3600
	mu := 1 / m.Handling.Seconds()
	c := m.Agents
	var queues [2][]float64 // arrival times; negative: not measured
	var x uint64
	ev, x = splitmix(ev)
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
		ev, x = splitmix(ev)
		k := 0
		if unit(x) <= share {
			k = 1
		}
		queues[k] = append(queues[k], math.Inf(-1))
	}
	warm := clients / 10
	var (
		now     float64
		arrived int
		sum     [2]float64
		count   [2]float64
	)
	// Arrivals go on after the last measured one: later clients on the
	// line overtake waiting callbacks.
	for count[0]+count[1] < float64(clients) {
		rate := lam + float64(busy)*mu
		var y uint64
		ev, x = splitmix(ev)
		ev, y = splitmix(ev)
		now -= math.Log(unit(x)) / rate
		if (1-unit(y))*rate < lam {
			ev, x = splitmix(ev)
			k := 0
			if unit(x) <= share {
				k = 1
			}
			t := now
			if arrived < warm || arrived >= warm+clients {
				t = math.Inf(-1)
			}
			arrived++
			if busy < c {
				busy++
				if !math.IsInf(t, -1) {
					count[k]++
				}
				continue
			}
			queues[k] = append(queues[k], t)
			continue
		}
		k := 0
		if len(queues[0]) == 0 {
			k = 1
		}
		if len(queues[k]) == 0 {
			busy--
			continue
		}
		t := queues[k][0]
		queues[k] = queues[k][1:]
		if !math.IsInf(t, -1) {
			sum[k] += now - t
			count[k]++
		}
	}
	return sum[0] / count[0], sum[1] / count[1]
}
