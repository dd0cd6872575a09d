// Command simulation drives the carecontact library in virtual time, for
// researchers and service planners: a discrete-event loop (package sim)
// moves a virtual clock that the library's components read, and calls their
// explicit Advance methods at their next deadlines, so a year of contacts
// runs in seconds and every run is deterministic for its seed.
//
// The erlang subcommand validates the engine against queueing theory: one
// team of identical professionals, Poisson arrivals, exponential handling
// and (with -patience) exponential patience, every client queued, offered,
// accepted, finished or rescinded through the routing package's real
// dispatcher and memory store:
//
//	go run ./examples/simulation erlang -arrivals-per-hour 270 -handling 4m -agents 20 \
//	    -target 20s -customers 1000000 -seed 1 [-patience 3m] -format json
//
// It prints the simulated share of clients who wait, mean waits, service
// level and abandonment with batch-means confidence intervals next to the
// Erlang C (or Erlang A) values of package erlang. Memory stays flat in the
// number of clients: client state lives in reusable slots and statistics in
// fixed-size accumulators.
package main
