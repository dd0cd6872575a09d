// Command simulation drives the carecontact library in virtual time, for
// researchers and service planners: a discrete-event loop (package sim)
// moves a virtual clock that the library's components read, and calls their
// explicit Advance methods at their next deadlines, so a year of contacts
// runs in seconds and every run is deterministic for its seed.
//
// # Scenarios
//
//	go run ./examples/simulation scenarios              # list the shipped ones
//	go run ./examples/simulation run -scenario city-day  # or city-week, rural-county
//	go run ./examples/simulation run -scenario my.json -format csv -out plots
//
// A scenario (package scenario; the shipped ones are in scenarios/) names
// areas, teams with hourly rosters, routing policies, demand per channel and
// errand with hourly and weekday profiles, handling and patience
// distributions, the callback share, first-contact resolution and
// duplicate-contact behaviour. Contacts go through channel.Admitter
// (duplicate demand) and routing.Dispatcher (team routing with overflow).
// The KPIs, with confidence intervals over the replications, go to stdout as
// text, CSV or JSON; two SVG plots per scenario (clients waiting and the
// service level over the day, per home team) go to -out
// (simulation-out/<scenario>-queue.svg and -service-level.svg by default).
// A progress bar is drawn on stderr when it is a terminal, or with
// -progress. Callbacks are modelled as routed work items of channel callback
// at routine priority, not through the callback package's window planner.
//
// # Validation against queueing theory
//
// The erlang subcommand simulates one team of identical professionals,
// Poisson arrivals, exponential handling and (with -patience) exponential
// patience, every client queued, offered, accepted, finished or rescinded
// through the routing package's real dispatcher and memory store:
//
//	go run ./examples/simulation erlang -arrivals-per-hour 270 -handling 4m -agents 20 \
//	    -target 20s -customers 1000000 -seed 1 [-patience 3m] -format json
//
// It prints the simulated share of clients who wait, mean waits, service
// level and abandonment with batch-means confidence intervals next to the
// Erlang C (or Erlang A) values of package erlang, and the speed in
// customers per second (-cpuprofile writes a CPU profile). Memory stays flat
// in the number of clients: client state lives in reusable slots and the
// statistics in fixed-size accumulators.
package main
