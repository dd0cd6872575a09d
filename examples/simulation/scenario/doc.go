// Package scenario runs service scenarios through the carecontact library
// in virtual time: a Scenario (read from JSON with Parse) describes
// health-station areas, care teams and their hourly rosters, routing
// policies, demand streams per channel and errand with hourly and weekday
// profiles, handling and patience distributions, the share of phone
// clients who ask for a callback, first-contact resolution and
// duplicate-contact behaviour.
//
// Run simulates each replication with its own seed on a sim.Loop: clients
// are admitted through channel.Admitter (duplicate demand across channels
// detected and merged, kept or redirected by the scenario's policy; a
// settled errand withdraws the client's other contacts), queued, offered,
// accepted, finished and rescinded through routing.Dispatcher with the
// memory store; rosters sign professionals in and out every local hour
// (Europe/Helsinki, Finnish public holidays and eves run on the Sunday
// roster and demand). Callback requests are routed work items of channel
// callback at routine priority, so clients on the line go first; a request
// made while nobody is signed in waits for the next sign-in. An unresolved
// errand comes back later as a callback request.
//
// The Report holds each replication's KPIs (service level, abandonment,
// same-day callback share, callback delay p50/p90, continuity with the own
// team, first-contact resolution, duplicate demand, utilisation and handled
// contacts per team), their Student-t confidence intervals over the
// replications, and time-of-day profiles per team for plots; it writes
// itself as text, CSV or JSON.
//
// Concurrency: Run is safe to call concurrently on different scenarios; a
// Scenario must not change while it runs. Errors: ErrInvalid (the message
// names the field), and those of the library wrapped with context.
package scenario
