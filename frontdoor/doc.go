// Package frontdoor is the composition layer of the library. The domain
// packages (routing, booking, callback, demand, session, guidance) never
// import each other. What two of them must agree on is composed here.
//
// Door is the front door: one service for a contact's life. Contact admits
// a client's contact through the one duplicate-demand path, opens its
// session and either queues it in routing or promises a callback window.
// Accept takes an offer in routing, in the callback planner and in the
// session in one step. Close finishes the work, closes the session with its
// outcome and, when the outcome settles the errand, rescinds or withdraws
// the client's other contacts for it. One ID names a contact everywhere:
// the routing item of an inbound contact, the callback request (whose
// dispatches are ItemOf), the session and the demand record's Ref. Door
// implements carecontact.Driven over routing and the callback planner.
//
// Door holds no state beyond its parts, which keep theirs in the stores.
// It does not yet cover the whole of a contact's life: escalation to
// video, invitations, transfers, releasing an unanswered callback, the
// desk view, the event stream and pilots go through Parts for now.
//
// # KPIs
//
// Tally turns the Door's events (Config.OnEvent, or a recorded stream
// with ComputeKPIs) into the front door's KPIs: duplicate and failure
// demand, first-contact resolution, the same-day callback share, promises
// kept, delay percentiles and continuity with the own professional and
// team. Each is a Ratio of counts, so replicas pool; KPIs documents each
// definition. A client's repeat of the same errand and channel within
// TallyConfig.Debounce is a double click, not duplicate demand, and
// duplicates are the Door's one duplicate-demand path's, never counted
// again. TallyConfig.Cohorts splits the report, PilotCohorts into a
// pilot's professionals and the rest, with the professionals' Feedback on
// guidance in their cohort. The Tally does no I/O, reads no clock and
// reports no client reference.
//
// # Organisation
//
// Organisation is the configuration a host fills once: the routing
// organisation (areas, teams, professionals, policies, pilots), the
// client groups, the booking calendars and services, the callback rosters,
// the guidance content, the channel matrix and the escalation graph. Check
// validates each part with its own package and then the parts against each
// other: every team, professional and area a calendar, closure, service or
// roster names exists in routing (a professional in the team named with
// them), guidance names only routing areas, guidance advises e-booking only
// of a service booking offers in that area to those client groups, and
// pilots and escalations lead to channels the matrix suits for some
// errand. The error joins one error per problem, each naming the item.
// Build returns the parts built from it (Built): the routing Directory,
// the calendar set and catalogues, the callback capacity, the guidance
// catalog, the matrix and the graph.
//
// The package also holds the adapters between domains:
//
//   - RoutingRouter routes callback requests with a routing.Directory
//     (a callback.Router).
//   - RoutingDispatcher enqueues due callbacks in a routing.Dispatcher
//     (a callback.Dispatcher). ItemOf and RequestOf name its work items.
//   - CalendarCapacity reads callback capacity from booking calendars
//     (a callback.Capacity).
//   - RoutingLoad reads a team's live inbound load from a
//     routing.Dispatcher (a callback.Load), for callback estimates.
//   - SessionDemand settles a session's contact in a demand.Admitter
//     (a session.Demand).
//
// # Concurrency
//
// The adapters keep no state of their own beyond what they wrap. They are
// as safe for concurrent use as the values they wrap: routing's Directory,
// Dispatcher, booking's CalendarSet and the demand Admitter all are.
// CalendarCapacity's embedded Absences has its own lock.
//
// # Errors
//
// ErrConfig (a bad Config) and ErrInvalidContact (a malformed
// ContactRequest) are invalid input; each is a *carecontact.FieldError
// that names the field. Errors of the parts are wrapped and keep their
// kinds. An Organisation's error joins such field errors, and the errors
// of the parts' own validation wrapped in ErrConfig.
//
// The adapters return the errors of the packages they join, wrapped so
// that both sides match: a routing.NoRouteError from RoutingRouter matches
// callback.ErrNoRoute and routing.ErrNoRoute. A nil wrapped value is
// callback.ErrConfig.
package frontdoor
