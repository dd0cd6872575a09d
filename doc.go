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
//   - The driver contract, Driven: NextDeadline and Advance. Routing's
//     dispatcher, booking's booker and callback's service implement it.
//     Nothing starts goroutines or timers behind the caller's back.
//
// # A host in five steps
//
// 1. Build the parts, each with New(cfg Config), the same Clock and its
// store from one storage adapter (step 5):
//
//	clock := carecontact.SystemClock()
//	db := memory.New() // or postgres.Open(ctx, dsn): the same accessors
//	dir, _ := routing.NewDirectory(routing.Config{Areas: ..., Teams: ..., Professionals: ..., Policies: ...})
//	disp, _ := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: db.RoutingStore()})
//	cb, _ := callback.New(callback.Config{Clock: clock, Store: db.CallbackStore(), Router: router, Capacity: capacity})
//
// 2. Route a contact, or promise a callback window:
//
//	item, err := disp.Enqueue(ctx, "chat-1", routing.Contact{Client: "client-7f3a", Channel: channel.Chat, PostalCode: "00530"})
//	promise, err := cb.Request(ctx, callback.Request{Client: "client-7f3a", Phone: phone, PostalCode: "00530"})
//
// 3. Drive time with one supervised Driver, in a goroutine the host starts:
//
//	drv, _ := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{disp, cb}, Clock: clock, Logger: logger})
//	go drv.Run(ctx)
//
// 4. Branch on error kinds, not on texts:
//
//	http.Error(w, http.StatusText(carecontact.HTTPStatus(err)), carecontact.HTTPStatus(err))
//
// 5. Pick storage: storage/memory for one process, storage/postgres for
// several replicas over one database. Both give one DB whose accessors
// (RoutingStore, CallbackStore, ...) share one audit log, so switching is
// one line. storage/storagetest is the conformance suite every adapter
// passes.
//
// The package Example runs these steps in virtual time. A simulation drives
// the very same parts through the same contract with a virtual clock, which
// is how a year of contacts runs in seconds and every test is exact.
package carecontact
