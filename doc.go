// Package carecontact is the root of an embeddable library for the front door
// of public primary care: it decides who handles a client's contact
// (package routing), when (package booking), how (package channel), keeps the
// contact itself whole across channel switches (package session) and tells
// clients and professionals what to do (package guidance).
//
// This root package holds only what every other package shares: the Clock
// that time is injected through. No package of the library reads the wall
// clock itself or starts goroutines or timers behind the caller's back; time
// driven transitions are exposed as deadlines that an explicit driver
// advances, which is what lets the simulation run a year of contacts in
// seconds and makes every test exact.
//
// Storage is pluggable: each domain package owns the Store interface it needs;
// storage/memory is the embedded default and storage/postgres the adapter for
// several host replicas over one database. storage/storagetest is the
// conformance suite every adapter passes.
package carecontact
