// Command simulation drives the carecontact library in virtual time, for
// researchers and service planners: a discrete-event loop (package sim)
// moves a virtual clock that the library's components read, and calls their
// explicit Advance methods at their next deadlines, so a year of contacts
// runs in seconds and every run is deterministic for its seed.
//
// # Scenarios
//
//	go run ./examples/simulation scenarios              # list the shipped ones
//	go run ./examples/simulation run -scenario city-day  # or city-week, rural-county, rural-ebooking, kainuu-pooled, kainuu-own-nurse
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
// A scenario may add self-service booking (ebooking, scenario.EBookingSpec;
// the shipped rural-ebooking): clients search, hold and confirm a visit
// through Door.BookSearch, BookHold and BookConfirm in the area nurses'
// calendars; a confirmed booking is admitted through the door's
// duplicate-demand path and settles the errand, withdrawing the client's
// contacts still waiting about it; clients who find no time may join the
// service's waitlist, some cancel (the booker offers the freed time to the
// first waiting client as a hold, which they confirm) and some do not come
// (the nurse marks the visit fulfilled or a no-show); and clients waiting
// on the line or for a callback about the errand may also book, the
// duplicate demand of overlapping channels. Its KPIs are named ebook_*.
//
// The KPIs, with confidence intervals over the replications, go to stdout as
// text, CSV or JSON: inbound service level and abandonment; the planner's
// same-day callback share, delay p50/p90, promise-kept rate, next-day
// breaches and attempts; continuity with the own team, the sessions'
// first-contact resolution and channel switches; duplicate demand;
// utilisation per team; what the door refused or could not do
// (escalations refused, due callbacks routing could not queue); and how
// accurate what the door told clients was: the estimated wait of each
// answered inbound contact against its wait (mean absolute error, bias,
// share within a minute) and the first promised callback window against
// the first attempt (early, late, mean lateness). With -series FILE every
// whole-service KPI of every 15 minutes of the run goes to a CSV (one row
// per bin and KPI, mean and interval over the replications). Two SVG
// plots per scenario (clients waiting and the service level over the day,
// per home team) go to -out (simulation-out/<scenario>-queue.svg and
// -service-level.svg by default). A progress bar is drawn on stderr when it
// is a terminal, or with -progress.
//
// # Callbacks to the own nurse: the Kainuu change
//
//	go run ./examples/simulation kainuu [-replications 10] [-days 5]
//
// In Kainuu the same-day share of callbacks rose from 78.1 % to 97.8 %
// (Kajaani: 55 % to 96.6 %) when callback requests were routed to the
// caller's own nurse (Innokylä, "Toimintamalli hoidon jatkuvuuden
// varmistamiseen potilaiden yhteydenotoissa", Kainuu 2025). The shipped
// scenarios kainuu-pooled and kainuu-own-nurse are one health station
// before and after, with the same nurse-hours (40 a weekday) and demand:
// before, five phone-service nurses answer the line (line calls first)
// and three of them also call back from the same queue, and callbacks
// are handled outside the client's own team; after, two nurses answer the
// line and three own nurses call back (the client's own nurse first for
// ten minutes, ClientSpec.OwnProfessionalShare and the policy step
// own_professional, then the own team). The kainuu command runs both
// through the front door and prints the KPIs side by side with the
// reported figures. With the shipped seed and 10 replications the
// same-day share goes from 69.2 ± 5.8 % to 99.8 ± 0.3 % at about the
// same inbound service level (81.5 ± 1.6 % and 79.4 ± 2.9 %); run with
// the own team resolving no more than others (resolution.own_team 0.7)
// the own-nurse station reaches 86.8 ± 5.1 %, so about half of the
// effect is callback time no longer taken by the line and half the
// errands the own team settles at once (1068 callback requests in five
// days fall to 875). The size follows from the chosen load and rates;
// the direction is what the scenario shows.
//
// # Staffing
//
//	go run ./examples/simulation staff -scenario city-day -target-sameday 0.98 \
//	    -target-sl 0.8 -sl-within 60s -max-abandon 0.05 -out staffing
//
// The staff subcommand answers "how many nurses do we need?". From the
// scenario's weekday demand it computes each area team's offered load per
// local hour (contacts counted at their home team, mean handling plus
// wrap-up; chat over its concurrency), apart for the inbound line and for
// callbacks, and starts from square-root staffing, R + β√R (-beta, 1 by
// default), in the hours the team's own roster is open: that many on the
// inbound line plus that many on callback duty. It then scales the two
// parts by factors (stepping by 1.25 until each target group changes from
// failing to passing, then halving the brackets; at most -max-evals
// staffings) and simulates each staffing with -replications replications
// through the front door scenarios. A staffing meets the targets when the
// confidence bounds do: the lower bounds of the same-day callback share and
// of the service level at least their targets, the upper bound of
// abandonment at most its maximum. It prints the trade-off table (every
// simulated staffing, the scenario's own rosters first, KPIs with
// confidence intervals), the smallest staffing that meets every target and
// its rosters; with -out, the table as CSV and JSON, the trade-off plots
// (gonum.org/v1/plot: KPI against nurse-hours with confidence bands,
// target lines, the scenario's own and the chosen staffing marked) as SVG
// and PNG, and a manifest (seed, replications, code version, SHA-256 of
// the scenario) so a figure can be reproduced; -replot redraws them from
// the JSON.
//
// A long scenario (city-week) costs about a minute of CPU per replication:
// most of it is the callback planner's passes over the open requests
// (Planner.Advance and NextDeadline list and clone every open request from
// the store at each call, so the cost grows with the week's backlog). Two
// flags make a search feasible: -coarse N searches with N replications per
// staffing judged by the means, then simulates the cheapest staffings
// that passed (at most -confirm) again with -replications and judges them
// by the confidence bounds, so the answer always rests on the full
// intervals; -parallel N runs N replications at once (the same results)
// when there are CPUs to spare.
//
// The answer for the shipped city week, with the default targets (98 %
// same-day callbacks, 80 % answered within 60 s, at most 5 % abandoned):
//
//	go run ./examples/simulation staff -scenario city-week -replications 5 \
//	    -coarse 2 -confirm 3 -max-evals 9 -out staffing
//
// Before, the scenario's own rosters (310 weekday nurse-hours in the area
// teams, 186 on callback duty): same-day callbacks 90.1 ± 5.7 %, service
// level 76.8 ± 1.2 %, abandonment 8.0 ± 0.5 % (five replications). After,
// square-root staffing scaled by 0.8 for the line and for callbacks (405
// nurse-hours, 197 on callback duty): 100.0 ± 0.0 %, 86.5 ± 1.3 % and
// 3.3 ± 0.4 %, meeting every target by its confidence bounds. The search
// simulated nine staffings with two replications and the answer again with
// five, in 755 s on a shared machine (the earlier search took about 13
// minutes per staffing). The cheaper staffings it tried, 340-354
// nurse-hours, each missed the same-day or the abandonment target on
// their means, so the answer is the smallest the search proved, not
// necessarily the smallest there is.
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
// customers per second (-cpuprofile writes a CPU profile). Package erlang
// has the tests with statistical power (Simulate, Check): its own exact
// simulation of the queue, without the dispatcher, with millions of
// clients per replication so a 3 % bias in any figure fails; and Cobham's
// formula for callbacks served at low priority (Priority). Memory stays flat
// in the number of clients: client state lives in reusable slots and the
// statistics in fixed-size accumulators.
//
// default.pgo is a CPU profile of two erlang runs (four million clients of
// Erlang C, two million of Erlang A); go build and go test use it for
// profile-guided optimisation of this command, a few per cent faster. To
// refresh it after the dispatcher or the store changed:
//
//	go build -o /tmp/sim ./examples/simulation
//	/tmp/sim erlang -customers 4000000 -cpuprofile /tmp/c.prof
//	/tmp/sim erlang -customers 2000000 -patience 3m -seed 2 -cpuprofile /tmp/a.prof
//	go tool pprof -proto /tmp/c.prof /tmp/a.prof > examples/simulation/default.pgo
package main
