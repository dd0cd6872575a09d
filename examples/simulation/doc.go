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
// areas, teams with hourly rosters and callback rosters, routing policies,
// demand per channel and errand with hourly and weekday profiles, handling
// and patience distributions, the callback share, the callback planner's
// rules (windows, attempts, no-answer rate), channel escalations,
// first-contact resolution and duplicate-contact behaviour. A scenario
// generates the workload and drives one frontdoor.Door over memory stores,
// in virtual time; the door does the work and keeps every rule:
//
//   - Door.Contact admits every contact (duplicate demand across channels
//     merged, kept or redirected), queues it in routing (team routing with
//     overflow) or promises a callback window from the teams' callback
//     rosters, and opens its session;
//   - the roster signs professionals in and out (Door.SetPresence); they
//     accept what they are offered (Door.Accept), continue a contact on
//     another channel (Door.Switch: a callback or chat on video, a chat as
//     a call, which holds the professional in routing), report unanswered
//     callback attempts (Door.NoAnswer: the planner retries) and close
//     each contact with an outcome drawn from the scenario (Door.Close:
//     resolved withdraws the client's other contacts for the errand,
//     follow-up brings the errand back later as a callback);
//   - the loop advances the door at its deadlines (carecontact.Driven):
//     offer time-outs, routing steps, wrap-up, the planner's windows,
//     re-planning and retries.
//
// The KPIs, with confidence intervals over the replications, go to stdout as
// text, CSV or JSON: inbound service level and abandonment; the planner's
// same-day callback share, delay p50/p90, promise-kept rate, next-day
// breaches and attempts; continuity with the own team, the sessions'
// first-contact resolution and channel switches; duplicate demand;
// utilisation per team; and what the door refused or could not do
// (escalations refused, due callbacks routing could not queue). Two SVG
// plots per scenario (clients waiting and the service level over the day,
// per home team) go to -out (simulation-out/<scenario>-queue.svg and
// -service-level.svg by default). A progress bar is drawn on stderr when it
// is a terminal, or with -progress.
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
