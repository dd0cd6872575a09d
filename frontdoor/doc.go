// Package frontdoor is the composition layer of the library. The domain
// packages (routing, booking, callback, demand, session, guidance) never
// import each other. What two of them must agree on is composed here.
//
// Door is the front door: one service for a contact's life, over routing,
// the callback planner, duplicate demand, sessions and, when configured,
// guidance and booking, on one set of stores and one Clock.
//
// The client side: Contact admits a contact through the one
// duplicate-demand path, opens its session and either queues it in
// routing (with its place in the queue and estimated wait) or promises a
// callback window, and says what to tell the client. Withdraw, ReceiveChat
// and the Book methods go through the same door.
//
// The professional side: SetPresence signs in and out. Desk lists a
// professional's offers, the contacts in hand and the work waiting in the
// queues they serve, each with the actions allowed now. Accept and Decline
// answer an offer in routing, the callback planner and the session in one
// step. Switch continues a chat or call on video (the pilot, the
// escalation graph, identity, consent and checklists gate it, and the
// professional is held in a call in routing). Invite brings in a colleague,
// who gets no offers while in the room; Leave takes them out. Transfer
// moves a contact to another team. NoAnswer releases an unanswered
// callback to its retry. Close ends the contact with an outcome, which
// settles the errand: the client's other contacts for it are rescinded or
// withdrawn, with audit.
//
// What happens on the line: Line takes the host's transport events (a
// call answered, failed or ended; someone joined or left a video room; a
// chat message; a client gone quiet), so the Door acts on what happened.
//
// Nothing is silently lost: a contact whose professional signs out
// returns to the queue after Config.Grace; a due callback nobody takes
// waits in routing (routing.Contact.Hold), is handed over again when a
// dispatch failed, and is reported at risk by the planner; a routing
// policy that would drop a due callback is refused at New.
//
// Events: Config.OnEvent receives one typed stream of what happened
// (queued, offered, accepted with its continuity, escalated, callback
// promised, due, at risk or breached, closed with its outcome, withdrawn).
//
// One ID names a contact everywhere: the routing item of an inbound
// contact, the callback request (whose dispatches are ItemOf), the session
// and the demand record's Ref. Door implements carecontact.Driven over all
// its parts, so one carecontact.Driver runs it.
//
// Door holds no state beyond its parts, which keep theirs in the stores.
// Parts gives hosts the components for what the Door does not offer;
// changing a contact through them bypasses the rules the Door keeps.
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
// # The client side
//
// Contact is the one call for a client's new contact. Besides the routing
// item and its queue position and estimated wait, or the callback
// promise, its answer says what to tell the client when Config.Guide is
// set: a Text rendered from the guidance published at that moment (the
// callback confirmation with its window, the notice that the client
// already waits in another channel, or the advice text of the contact's
// channel), and an Advice when guidance ranks another channel above the
// client's. A Text carries the language actually used and the version of
// the content (guidance.Ref), so a change published later reaches the
// next contact and what each client was shown can be traced.
//
// ContactRequest.Language is any BCP 47 tag, kept as a string rather than
// a civil.Language: guidance matches it against the content's own
// languages, which may be more than fi, sv and en. Guidance picks the most
// specific text that has the client's language ("sv-FI" gets sv); when no
// text has it, the most specific text in the content's default language,
// Finnish. Routing and the callback planner get the tag matched to fi, sv
// or en.
//
// Withdraw is the client withdrawing a contact nobody has taken: it is
// rescinded from routing, or its callback withdrawn (and a due callback's
// dispatch rescinded), its demand record closed as withdrawn, and
// EventWithdrawn emitted; the session closes as session.OutcomeWithdrawn,
// which does not settle the errand, and the audit event
// "frontdoor.withdraw" names who withdrew it. A contact a professional has
// taken is ErrContactInHand.
//
// SendChat (a professional or the system) and ReceiveChat (the client)
// post messages through the chat transport; the text goes nowhere else:
// not into audit details, errors or logs.
//
// BookSearch, BookHold and BookConfirm are self-booking over
// Config.Booker, each with the service's booking guidance in the client's
// language (falling back to Finnish as above); the held appointment keeps
// the version of the text the client read. A confirmed booking with an
// errand (given, or the service's in guidance's booking configuration) is
// admitted through the duplicate-demand path as channel.EBooking and
// settles the errand, withdrawing the client's other pending contacts for
// it, unless the duplicate policy merged it into one of them.
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
// ErrConfig (a bad Config), ErrInvalidContact (a malformed
// ContactRequest or client call) and ErrInvalidBooking are invalid input;
// each is a *carecontact.FieldError that names the field.
// ErrUnknownContact is not found; ErrContactInHand, ErrContactClosed and
// ErrNotChat are illegal transitions; ErrChatDenied is not allowed and
// ErrNoBooking unavailable. Errors of the parts are wrapped and keep their
// kinds.
//
// The adapters return the errors of the packages they join, wrapped so
// that both sides match: a routing.NoRouteError from RoutingRouter matches
// callback.ErrNoRoute and routing.ErrNoRoute. A nil wrapped value is
// callback.ErrConfig.
package frontdoor
