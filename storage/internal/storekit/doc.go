// Package storekit is what the store adapters (storage/memory,
// storage/postgres) share: the checks every Store contract asks of its
// input, and the preparation of audit events before a change is written.
// The checks are written once here, so both adapters refuse the same input
// with the same sentinel and the same words.
//
// A Kit is one adapter's view: its name prefixes the messages that name
// the adapter, and its time precision is what its storage keeps.
//
// # Concurrency
//
// A Kit is a small value with no state; its methods are pure and safe for
// concurrent use.
//
// # Errors
//
// Each check returns the sentinel of the domain package whose Store it
// serves (booking.ErrInvalid, callback.ErrInvalidRequest,
// demand.ErrInvalidAdmission, guidance.ErrInvalid, routing.ErrInvalid,
// session.ErrInvalid), all of the root kind invalid input. PrepareEvents
// wraps audit.ErrInvalidEvent with the index of the bad event.
package storekit
