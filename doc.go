// Package carecontact is the root of an embeddable library for the front
// door of public primary care. It decides who handles a client's contact
// (package routing), when (booking, callback), how (channel), keeps the
// errand whole across channel switches (session), recognises duplicate
// demand (demand) and tells clients and professionals what to do
// (guidance).
//
// This root package is the shared kernel. Every other package builds on
// it, and it imports none of them:
//
//   - The IDs several packages share: AreaID, TeamID, ProfessionalID,
//     ClientRef and ItemID. A value keeps its type from the host's request
//     through every package, so nothing is converted at the seams.
//   - The error kinds: ErrInvalid, ErrNotFound, ErrConflict, ErrNotAllowed,
//     ErrIllegalTransition and ErrUnavailable. Every sentinel of every
//     package wraps exactly one, so errors.Is(err, carecontact.ErrNotFound)
//     holds for any not-found error. HTTPStatus maps any error to a status.
//     FieldError names the field of bad input.
//   - The Clock that time is injected through. Nothing reads the wall clock
//     itself.
//   - The retention policy, Retention: how many calendar days each kind of
//     client data is kept after it is finished, which the stores' Purge
//     applies; Purged and Erasure report what a purge or an erasure did.
//   - The driver contract, Driven: NextDeadline and Advance. Routing's
//     dispatcher, booking's booker, callback's planner and the front door
//     implement it. Nothing starts goroutines or timers behind the
//     caller's back.
//
// # A host in five steps
//
// 1. Name the organisation once and build the front door (package
// frontdoor) over one store and one Clock:
//
//	clock := carecontact.SystemClock()
//	db := memory.New() // or postgres.Open(ctx, dsn): the same accessors
//	dir, _ := routing.NewDirectory(routing.Config{Areas: ..., Teams: ..., Professionals: ..., Policies: ...})
//	door, _ := frontdoor.New(ctx, frontdoor.Config{Clock: clock, Directory: dir, Capacity: capacity,
//		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(),
//			Session: db.SessionStore(), Demand: db.DemandStore(), Audit: db.AuditLog()}})
//
// 2. A client's contact goes through the one door: admitted once however
// often they click, a session opened, routed to a professional or
// promised a callback window:
//
//	c, err := door.Contact(ctx, frontdoor.ContactRequest{Client: "client-7f3a",
//		Errand: channel.ErrandLabResults, Channel: channel.Chat, PostalCode: "00530"})
//
// 3. Professionals work at their desk: SetPresence, Desk, Accept,
// Switch to video, Invite, Close with an outcome, which settles the errand
// and withdraws the client's other contacts for it.
//
// 4. Drive time with one supervised Driver, in a goroutine the host starts:
//
//	drv, _ := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{door}, Clock: clock, Logger: logger})
//	go drv.Run(ctx)
//
// 5. Branch on error kinds, not on texts:
//
//	http.Error(w, http.StatusText(carecontact.HTTPStatus(err)), carecontact.HTTPStatus(err))
//
// Storage: storage/memory for one process, storage/postgres for several
// replicas over one database. Both give one DB whose accessors share one
// audit log, so switching is one line. storage/storagetest is the
// conformance suite every adapter passes.
//
// The package Example runs these steps in virtual time. A simulation drives
// the very same door through the same contract with a virtual clock, which
// is how a year of contacts runs in seconds and every test is exact.
package carecontact
