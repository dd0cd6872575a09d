// Package sim is a small engine for discrete-event simulation in virtual
// time, on which examples/simulation drives the carecontact library:
//
//   - Clock: a virtual clock that satisfies carecontact.Clock; library
//     components read the virtual time through it.
//   - Loop: a binary heap of events of any type, ordered by due time with
//     ties in scheduling order, that moves the Clock as events are popped.
//     No sleeping, no goroutine per client: a run is a plain loop, so a
//     year of contacts takes seconds and is deterministic for a seed.
//   - Distributions of durations (Exponential, LogNormal, Constant, Uniform)
//     and DistSpec, their JSON form; NewRand gives seeded PCG streams.
//   - Statistics in bounded memory, so memory stays flat however many
//     clients are simulated: Welford (mean and variance), Batches (batch
//     means with Student-t confidence intervals for one long run), MeanCI
//     (intervals over replications), Histogram (quantiles from fixed
//     log-linear buckets, within 1.6 %), Level (time-averaged levels such as
//     queue length in fixed bins, for plots).
//
// Concurrency: values of this package are not safe for concurrent use; a
// simulation run owns its Loop, Clock, generators and accumulators. Run
// replications in parallel by giving each its own.
//
// Errors: ErrBadDist (a DistSpec that describes no distribution; the message
// names the field).
package sim
