// Package erlang computes the steady-state figures of a single queue of
// identical agents analytically, to check simulations against queueing
// theory:
//
//   - Erlang C (M/M/c): Poisson arrivals, exponential handling, c agents,
//     first come first served, infinite patience.
//   - Erlang A (M/M/c+M): the same with exponential patience, solved exactly
//     from the birth-death chain of the number in system (see A).
//
// For both it returns the share of arrivals who wait, the mean wait of all
// arrivals and of answered ones (ASA), the service level (share of ALL
// arrivals answered within the target; abandoners count as not answered) and
// the share who abandon. ReadReference reads a tab-separated table of
// reference values so tests can compare against figures computed elsewhere.
//
// Simulate and Check test a simulation against these figures with power.
// Simulate runs independent replications of the queue itself (the
// continuous-time Markov chain of the number in system, with each client's
// own first-come-first-served wait and patience; not the routing
// dispatcher, which the erlang subcommand checks), each starting in steady
// state so there is no warm-up bias, and gives each figure's Student-t
// interval over the replications (method of independent replications).
// Check accepts an estimate only if every interval is narrow (half-width at
// most maxHalf of the analytic value) and the analytic value lies within
// the interval widened by tol of it: with 99 % intervals, maxHalf = 1.5 %
// and tol = 0.25 %, a simulation biased by 3 % in any figure fails, as the
// package's power test shows for every reference case through a test-only
// bias hook. Mean waits in heavy traffic are correlated over hundreds of
// clients, so that takes millions of clients per replication (C12: 20 ×
// 4.25 million).
//
// Priority gives the mean waits of a queue whose agents take callback
// requests only when nobody waits on the line (non-preemptive priority,
// Cobham 1954), and SimulatePriority checks it.
//
// All functions are safe for concurrent use; all but Simulate are pure.
//
// Errors: ErrBadModel (the wrapped message names the field), ErrUnstable
// (Erlang C with load at or above the number of agents), ErrBadReference,
// ErrCheckFailed (a simulation that disagrees with theory or cannot tell).
package erlang
