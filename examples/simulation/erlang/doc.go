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
// All functions are pure and safe for concurrent use.
//
// Errors: ErrBadModel (the wrapped message names the field), ErrUnstable
// (Erlang C with load at or above the number of agents), ErrBadReference.
package erlang
