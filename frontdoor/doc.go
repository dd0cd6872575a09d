// Package frontdoor is the composition layer of the library. The domain
// packages (routing, booking, callback, demand, session, guidance) never
// import each other. What two of them must agree on is composed here.
//
// For now the package holds the adapters between domains:
//
//   - RoutingRouter routes callback requests with a routing.Directory
//     (a callback.Router).
//   - RoutingDispatcher enqueues due callbacks in a routing.Dispatcher
//     (a callback.Dispatcher). ItemOf and RequestOf name its work items.
//   - CalendarCapacity reads callback capacity from booking calendars
//     (a callback.Capacity).
//   - SessionDemand settles a session's contact in a demand.Admitter
//     (a session.Demand).
//
// The next step builds the whole front door here: one service for the life
// of a contact, from admission to outcome.
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
// The adapters return the errors of the packages they join, wrapped so
// that both sides match: a routing.NoRouteError from RoutingRouter matches
// callback.ErrNoRoute and routing.ErrNoRoute. A nil wrapped value is
// callback.ErrConfig.
package frontdoor
