// Package scenario runs service scenarios through the carecontact library
// in virtual time: a Scenario (read from JSON with Parse) describes
// health-station areas, care teams and their hourly rosters, routing
// policies, demand streams per channel and errand with hourly and weekday
// profiles, handling and patience distributions, the share of phone
// clients who ask for a callback, first-contact resolution and
// duplicate-contact behaviour.
//
// Run simulates each replication with its own seed on a sim.Loop, driving
// one frontdoor.Door over memory stores through the injected clock and the
// door's deadlines (carecontact.Driven). The scenario is the workload and
// nothing else: clients arrive (Door.Contact) on a channel, some asking
// for a callback; rosters sign professionals in and out every local hour
// (Door.SetPresence; Finnish public holidays and eves run on the Sunday
// roster and demand); professionals accept their offers (Door.Accept),
// take a drawn handling time, continue some contacts on another channel by
// the scenario's Escalations (Door.Switch, the client identifying strongly
// for video), report unanswered callback attempts (Door.NoAnswer) and close
// the rest with an outcome drawn from the resolution rates (Door.Close);
// waiting clients hang up after a drawn patience or also try another
// channel, and an unresolved errand comes back later as a callback
// request. Admission and duplicate demand, routing, callback windows,
// dispatch and retries, sessions and the withdrawal of a settled errand's
// other contacts are the door's. With EBooking, clients also book visits
// through the door (search, hold, confirm), cancel, miss them and wait on
// the booker's waitlist for a freed time. The callback windows come from the teams'
// callback rosters (CallbackRoster; Europe/Helsinki hours, Finnish working
// days).
//
// The Report holds each replication's KPIs (service level, abandonment; the
// planner's same-day callback share, callback delay p50/p90 to the first
// attempt, promise-kept rate, next-day breaches, attempts per request;
// continuity with the own team; the sessions' first-contact resolution and
// channel switches; duplicate demand; utilisation and handled contacts per
// team; the accuracy of the estimated waits and of the promised callback
// windows the door gave), their Student-t confidence intervals over the
// replications, and time-of-day profiles per team for plots; with
// Options.Series, every whole-service KPI of every 15 minutes of the run
// (WriteSeriesCSV). It writes itself as text, CSV or JSON.
//
// Concurrency: Run is safe to call concurrently on different scenarios; a
// Scenario must not change while it runs. Errors: ErrInvalid (the message
// names the field), and those of the library wrapped with context.
package scenario
