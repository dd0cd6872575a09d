// Package demand tracks duplicate demand: one client's open contacts
// across channels. Clients who cannot find the right channel try several
// at once; this package makes sure they are served once.
//
// # Model
//
// A Contact is one request of a client in one channel. Admitter is the
// admission step of every channel. Admit refuses an errand the channel
// does not suit (a *channel.UnsuitableError). In one atomic Store
// operation it then looks for the client's earlier pending contact for the
// same errand, in any channel. A duplicate is linked to it and handled by
// the Policy:
//
//   - PolicyMerge merges it into the earlier contact;
//   - PolicyKeepBoth keeps it, flagged for the professional;
//   - PolicyRedirect refuses it and tells the client where the errand is.
//
// When a contact settles the errand, Settle withdraws the client's other
// pending contacts for it and returns them. The host rescinds the queued
// callback or chat, and nobody contacts the client twice. Close ends a
// contact without settling the errand. Stats counts admissions,
// duplicates and withdrawals for the duplicate-demand KPI.
//
// Admissions and their outcomes are audited as "channel.admit",
// "channel.settle", "channel.withdraw" and "channel.close". Contact IDs
// appear in audit subjects; NewContactID makes IDs that never look like a
// phone number or an identity code.
//
// # Concurrency
//
// Admitter keeps no state of its own and is safe for concurrent use. The
// guarantees come from the Store: two concurrent admissions of one client
// for one errand see each other, and a contact is settled or withdrawn
// once. The implementations (storage/memory, storage/postgres) are proven
// by storage/storagetest. Nothing in this package starts goroutines or
// reads the wall clock: Admitter takes a Clock.
//
// # Errors
//
// Each sentinel wraps one root kind of carecontact: ErrInvalidConfig and
// ErrInvalidAdmission are invalid input (a *carecontact.FieldError names
// the field), ErrContactNotFound is not found, ErrContactExists a conflict
// and ErrContactClosed an illegal transition. Admit also returns
// *channel.UnsuitableError (matching channel.ErrUnsuitable, not allowed)
// and channel.ErrUnknownKind.
package demand
