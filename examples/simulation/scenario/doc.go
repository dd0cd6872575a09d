// Package scenario runs service scenarios through the carecontact library
// in virtual time: a Scenario (read from JSON with Parse) describes
// health-station areas, care teams and their hourly rosters, routing
// policies, demand streams per channel and errand with hourly and weekday
// profiles, handling and patience distributions, the share of phone
// clients who ask for a callback, first-contact resolution and
// duplicate-contact behaviour.
//
// Run simulates each replication with its own seed on a sim.Loop, driving
// the library's components over memory stores through the injected clock
// and their explicit deadlines: clients are admitted through
// demand.Admitter (duplicate demand across channels detected and merged,
// kept or redirected by the scenario's policy); inbound contacts and
// messages are queued, offered, accepted, finished and rescinded through
// routing.Dispatcher; callback requests go to callback.Planner, which routes
// them with the same routing directory, promises windows from the teams'
// callback rosters (CallbackRoster; Europe/Helsinki hours, Finnish working
// days), and at each window dispatches them into routing, where they
// compete with inbound work; unanswered attempts are retried by the
// planner. Every handled contact is a session (session.Manager): opened,
// assigned, a leg per channel, escalated to another channel by the
// scenario's Escalations (the client identifying strongly where the channel
// needs it), wrapped up and closed as resolved (the client's other contacts
// for the errand are withdrawn from routing and the planner) or follow-up
// (the errand comes back later as a callback request). Rosters sign
// professionals in and out every local hour; Finnish public holidays and
// eves run on the Sunday roster and demand.
//
// The Report holds each replication's KPIs (service level, abandonment; the
// planner's same-day callback share, callback delay p50/p90 to the first
// attempt, promise-kept rate, next-day breaches, attempts per request; the
// sessions' continuity with the own team, first-contact resolution and
// channel switches; duplicate demand; utilisation and handled contacts per
// team), their Student-t confidence intervals over the replications, and
// time-of-day profiles per team for plots; it writes itself as text, CSV
// or JSON.
//
// Concurrency: Run is safe to call concurrently on different scenarios; a
// Scenario must not change while it runs. Errors: ErrInvalid (the message
// names the field), and those of the library wrapped with context.
package scenario
