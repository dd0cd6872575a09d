// Package routing decides who handles a client's contact.
//
// # Model
//
// A Directory describes the organisation: health-station areas (names in
// Finnish and Swedish, postal codes, neighbour areas, opening hours in
// Europe/Helsinki time), care teams (each in an area, or central),
// professionals (role, skills, languages fi/sv/en, team memberships,
// per-slot concurrent Capacity such as one synchronous contact and three
// chats, and a wrap-up time), policies and pilot cohorts. It is built once
// with NewDirectory, validated whole, and read-only afterwards.
//
// A Policy is the ordered list of Steps for an errand: typically the
// client's own professional, then the own care team, the home area, the
// home and neighbour areas, and finally the central pool. Each step has a
// timeout and optional role, skill and language filters. A Pilot restricts
// a channel (say video) to the members of named teams.
//
// Directory.Route is the pure routing decision: for a Contact it returns
// the Route, the usable steps with their candidate teams and professionals,
// and the steps skipped with the reason. A contact no step can serve gets a
// *NoRouteError (errors.Is(err, ErrNoRoute)) with a NoRouteReason, never
// silence. Planners such as the same-day callback planner call Route to
// see, team by team, who could take a contact before anything is queued.
//
// # Storage
//
// Store is the storage interface the dispatcher needs: work items and the
// professionals' dynamic state (presence, load per slot, wrap-ups). Every
// change is one atomic conditional operation on one item and at most one
// professional (Change): the offer of an item is a compare-and-set on the
// item's version together with a capacity check on the professional, so an
// item is never offered to two professionals and no professional ever holds
// more than their capacity, even with several host replicas over one
// database. storage/memory provides the embedded implementation and
// storage/storagetest the conformance suite.
//
// # Errors
//
// Bad input fails with an error wrapping ErrInvalid (or
// ErrMalformedPostalCode) that names the field. Lookups fail with
// ErrUnknownArea, ErrUnknownTeam, ErrUnknownProfessional, ErrUnknownPostalCode
// or ErrItemNotFound. Store conditions fail with ErrConflict, ErrNoCapacity
// or ErrDuplicateItem. Error texts never contain client data beyond the
// pseudonymous references the caller passed.
//
// # Concurrency
//
// A Directory is safe for concurrent use. Store implementations are safe
// for concurrent use.
package routing
