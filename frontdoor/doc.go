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
// desk view, the event stream, pilots and KPIs go through Parts for now.
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
// EventWithdrawn emitted. The session package has no withdrawn outcome, so
// the session closes as session.OutcomeNoAnswer, the only outcome that
// closes an untaken contact without settling the errand; the audit event
// "frontdoor.withdraw" and the demand record say it was withdrawn. A
// contact a professional has taken is ErrContactInHand.
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
