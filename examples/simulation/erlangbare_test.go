package main

import (
	"testing"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// erlangBenchConfig is the model of the erlang benchmarks: M/M/20 at load
// 0.9, 200,000 clients.
func erlangBenchConfig() erlangConfig {
	return erlangConfig{Model: erlang.Model{ArrivalsPerHour: 1080, Handling: time.Minute, Agents: 20, Target: 20 * time.Second},
		Customers: 200000, Warmup: 2000, Seed: 1, Batches: 20, Level: 0.95}
}

// bareErlang simulates the M/M/c queue of cfg on the same event loop, with
// the same random streams (and the next arrival kept outside the heap), as
// runErlang, but with a FIFO queue and a count
// of free agents in place of the routing dispatcher and its store. It
// returns the share of clients who waited: the baseline that says how much
// of runErlang's time the dispatcher takes.
func bareErlang(cfg erlangConfig) float64 {
	m := cfg.Model
	clock := sim.NewClock(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	type event struct{} // a service completion
	loop := sim.NewLoop[event](clock)
	arrivals := sim.NewRand(cfg.Seed, 1)
	handling := sim.NewRand(cfg.Seed, 2)
	interArrival := sim.Exponential{M: time.Duration(float64(time.Hour) / m.ArrivalsPerHour)}
	service := sim.Exponential{M: m.Handling}
	free := m.Agents
	var queue []time.Duration // arrival times of the waiting clients, oldest first
	head, next, waited := 0, 0, 0
	arriveAt, arriveTicket, arriving := interArrival.Sample(arrivals), loop.Ticket(), true
	for {
		arrive := arriving && loop.Before(arriveAt, arriveTicket)
		if arrive {
			clock.Set(arriveAt)
			arriving = false
		} else if _, ok := loop.Next(); !ok {
			break
		}
		now := loop.Now()
		if arrive {
			next++
			if next < cfg.Customers {
				arriveAt, arriveTicket, arriving = now+interArrival.Sample(arrivals), loop.Ticket(), true
			}
			if free > 0 {
				free--
				loop.At(now+service.Sample(handling), event{})
				continue
			}
			queue = append(queue, now)
			continue
		}
		if head < len(queue) {
			if queue[head] < now {
				waited++
			}
			head++
			if head > 1024 && head*2 > len(queue) {
				queue = append(queue[:0], queue[head:]...)
				head = 0
			}
			loop.At(now+service.Sample(handling), event{})
			continue
		}
		free++
	}
	return float64(waited) / float64(cfg.Customers)
}

// BenchmarkErlangBare is BenchmarkErlang's model on a bare event loop
// (bareErlang): the ratio of the two ns/customer figures is what routing
// through the real dispatcher costs.
func BenchmarkErlangBare(b *testing.B) {
	cfg := erlangBenchConfig()
	var pWait float64
	cpu0 := cpuTime()
	for b.Loop() {
		pWait = bareErlang(cfg)
	}
	reportPerCustomer(b, cfg, cpu0)
	if pWait <= 0 || pWait >= 1 {
		b.Fatalf("P(wait > 0) = %v", pWait)
	}
}

// reportPerCustomer reports the wall and (where measured) CPU time per
// simulated client of a benchmark that started at CPU time cpu0: on a
// shared machine the CPU time is the steadier figure.
func reportPerCustomer(b *testing.B, cfg erlangConfig, cpu0 time.Duration) {
	n := float64(b.N) * float64(cfg.Customers)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/customer")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/customer")
	}
}
