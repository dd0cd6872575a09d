// Package callback promises same-day callback windows and keeps them.
//
// A client asks to be called back. The Planner routes the request (Router:
// the client's own team first, then the policy's overflow steps such as a
// neighbour area's team and a central pool) and promises it a window
// (e.g. 10:00-12:00 today, Europe/Helsinki) from the target team's callback
// capacity (Capacity: professionals on callback duty, absences removed),
// minus the callbacks already promised into that window with their expected
// handling time and the calls in progress. A window is promised only when
// the capacity left in it holds the request; the client's second request
// for the same errand joins the open one.
//
// # Deadlines and the same-day service level
//
// Urgent requests must be called within Config.UrgentWithin; non-urgent
// requests made before Config.Cutoff the same day; every request within the
// statutory outer bound of Config.OuterWorkdays working days (weekends and
// Finnish public holidays skipped, see civil.FinnishWorkdays). A request made
// before the cut-off tries every routing step the same day before it is
// promised a later day; such a next-day promise is explicit (Promise.NextDay,
// Promise.Breach, EventNextDay), counts against the same-day target and
// comes with Promise.OfferEBooking. A request no capacity can hold up to the
// outer bound is stored Unplaced and reported to the team lead: nothing is
// dropped.
//
// # Time
//
// The package starts no goroutines or timers; it reads the time only from
// Config.Clock. Planner implements carecontact.Driven: every time-driven
// step happens in Advance (or Plan, which returns the events): re-planning the
// windows not yet due (promises already told kept first, those that cannot
// be kept reported early), dispatching requests whose window or retry time
// has come (earliest deadline first within priority, to the Dispatcher),
// and recomputing each request's slack (deadline - now - estimated wait at
// its position, from the professional time left today), escalating low
// slack: promote, widen to the next routing step, report to the team lead.
// Record.Escalation keeps the EscalationLevel reached.
// NextDeadline tells when to call Advance next. A request keeps its original
// request time for ordering through re-planning, widening and retries.
//
// Times are not inputs: a request's time, a call's start and end are the
// Clock's readings. The planner trusts its clock, so a request stamped 25
// years ago by a clock that far behind is accepted as the clock says
// (simulations and tests run at any date). One thing it checks: a call
// whose completion reads before its start (a clock behind the replica
// that started it) is refused with an ErrInvalidRequest
// *carecontact.FieldError naming "clock", and the call stays in progress
// until a later Complete.
//
// Professionals take due requests (Take, or Accept of a request the
// routing dispatcher offered) and report each attempt (Complete): no answer
// schedules a retry after Config.RetryGap, up to Config.MaxAttempts, then
// the closing outcome (a secure message). Every attempt is recorded.
// KPIs reports the same-day share, the delay to the first attempt (p50,
// p90), the promise-kept rate and attempts per request; Estimate the
// expected wait of a new callback or inbound call (from the callback work
// ahead and, with Config.Load, the team's live inbound queue).
//
// # Adapters
//
// The Planner depends on small interfaces of its own: Router (who calls
// back), Capacity (the team's callback time) and, optionally, Dispatcher
// (who takes a due callback) and Load (the team's live inbound queue, for
// Estimate). The package imports neither routing nor booking. The adapters
// to them live in the composition package frontdoor: RoutingRouter
// (routing.Directory.Route decides), CalendarCapacity (the callback blocks
// of a team's professionals in booking calendars, minus holidays, closures
// and absences), RoutingDispatcher (a due callback becomes a routing work
// item offered to the promising team first) and RoutingLoad (the routing
// dispatcher's TeamLoad). StaticRouter and StaticCapacity serve tests
// and simulations. Package examples/simulation/callbacksim drives a
// Planner through simulated days in virtual time.
//
// # Concurrency
//
// A Planner is safe for concurrent use. Planning (Request, Advance) is
// serialised by the Planner's lock. Every change to a request is an atomic
// compare-and-set in the Store (OpenOrJoin for one open request per client
// and errand, Update on Version), so concurrent Accept, Take and Complete
// calls from many goroutines or replicas never lose a request or call one
// twice; a losing writer gets ErrConflict or ErrNotDue.
//
// Capacity is reserved in the store, so any number of Planners over one
// Store (replicas over one database) never promise the same capacity
// twice. Each team's local day has a plan version in the Store
// (Store.PlanVersions). A planning step reads the versions first, then the
// requests it plans from, and writes each promise it makes in a day
// (Request's new window; Advance's re-placed, widened and newly placed
// windows) with Store.OpenReserved or Store.UpdateReserved, which write
// only at the version planned from and bump it in the same atomic
// operation. A promise that lost its race (ErrPlanChanged) is planned again
// from the new state: Request tries up to 64 times; Plan runs its pass
// again, up to three runs, then leaves the request as stored for the next
// Advance. What a day's plan does not guard: a no-answer retry time set by
// Complete, and capacity that shrinks (an absence), which the next Advance
// re-plans as before.
//
// With Config.Leader (replicas electing a leader), only the leader's
// Advance plans, and every write of its pass carries the fence of the term
// it began in: reservations through Reservation.Fence, its other decisions
// (escalations, due and hand-over marks) through Store.UpdateFenced. A
// store shared by replicas checks the fence in the write's own atomic
// operation and refuses a deposed leader's write with ErrNotLeader; the
// pass then stops and drops the events of what it could not write.
//
// # Privacy
//
// Clients are pseudonymous references. The phone number is a Phone, which
// formats and marshals to JSON as "<redacted>" everywhere; it is stored for
// the host's telephony and never appears in events, errors or the audit
// trail. A request's phone must read as a number (Phone.Validate). Every change of a
// request is an audit event ("callback.open", "callback.join",
// "callback.due", "callback.replan", "callback.escalate",
// "callback.attempt", "callback.complete") written in the same store
// operation.
//
// # Errors
//
// ErrInvalidRequest (naming the field), ErrNoRoute, ErrNotFound,
// ErrConflict, ErrPlanChanged, ErrNotDue, ErrNotInCall, ErrInCall,
// ErrNothingDue, ErrConfig; all wrapped with context, to be tested with
// errors.Is. Each wraps one root kind of carecontact: ErrInvalidRequest and
// ErrConfig invalid input; ErrNotFound, ErrNothingDue and ErrNoRoute not
// found; ErrConflict and ErrPlanChanged conflict; ErrNotDue, ErrNotInCall
// and ErrInCall illegal transition. Request returns ErrPlanChanged only
// when its promise lost the race for its day's capacity 64 times in a row.
package callback
