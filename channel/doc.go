// Package channel is the "how" of a contact: the channel kinds a client can
// use (inbound phone, callback, video, chat, secure message, e-booking, in
// person), the errand types they contact primary care about and the identity
// levels that channels and actions require.
//
// # Suitability
//
// Matrix is the errand x channel suitability matrix: Suitable(errand, kind)
// says whether an errand may be handled in a channel and, when not, why;
// RequiredIdentity says how strongly the client must be identified there.
// DefaultMatrix covers the common primary-care errands; ParseMatrix reads a
// host's JSON configuration, optionally on top of the defaults (the format is
// documented on ParseMatrix, MarshalJSON writes it back).
//
// # Escalation
//
// Graph is the escalation graph: which switches a session may make (callback
// -> video, inbound phone -> video, chat -> callback or video, video ->
// callback as a fallback, any -> in person), and which need the client's
// consent or a stronger identification. Graph.Check returns
// ErrEscalationNotAllowed, ErrConsentRequired or an *IdentityError.
// DefaultGraph holds those edges; NewGraph and ParseGraph (JSON, documented
// on ParseGraph) build a host's own.
//
// # Duplicate demand
//
// Clients who cannot find the right channel try several at once. Admitter
// is the admission step: Admit refuses an errand the channel does not suit
// (*UnsuitableError) and, in one atomic DemandStore operation, looks for the
// client's earlier pending contact for the same errand in any channel. A
// duplicate is linked to it and handled by the Policy: merged into the
// earlier contact, kept but flagged for the professional, or refused with
// the client told where the errand already is. When a contact settles the
// errand, Settle withdraws the client's other pending contacts for it and
// returns them, so the host can rescind the queued callback or chat and
// nobody contacts the client twice. DemandStats counts admissions,
// duplicates and withdrawals for the duplicate-demand KPI.
//
// # Transports
//
// Telephony, VideoTransport and ChatTransport are the small interfaces a
// host implements; CallEnder, CallUpgrader and ParticipantRemover are
// optional capabilities found by type assertion. Transports get pseudonymous
// references only. A failure that is safe to retry wraps ErrTransient.
// Package channel/loopback is a recording transport for tests and examples.
//
// # Concurrency
//
// Matrix and Graph are immutable after construction and safe for concurrent
// use. Admitter keeps no state of its own; the guarantees of duplicate
// detection (two concurrent admissions of one client for one errand see each
// other; a contact is settled or withdrawn once) come from the DemandStore,
// whose implementations (storage/memory, storage/postgres) are proven by
// storage/storagetest. Nothing in this package starts goroutines or reads the
// wall clock: Admitter takes a Clock.
//
// # Errors
//
// ErrUnknownKind, ErrUnknownIdentityLevel, ErrInvalidMatrix (wrapped with
// the errand, channel and field at fault), ErrInvalidGraph,
// ErrEscalationNotAllowed, ErrConsentRequired, ErrIdentityTooWeak (matched
// by *IdentityError), ErrUnsuitable (matched by *UnsuitableError),
// ErrContactNotFound, ErrContactExists, ErrContactClosed,
// ErrInvalidAdmitterConfig and ErrInvalidAdmission (naming the field),
// ErrTransient and ErrNoTransport.
//
// Each sentinel wraps one root kind of carecontact, so a host can branch on
// the kind with errors.Is: invalid (ErrUnknownKind, ErrUnknownIdentityLevel,
// ErrInvalidMatrix, ErrInvalidGraph, ErrInvalidAdmitterConfig,
// ErrInvalidAdmission), not found (ErrContactNotFound), conflict
// (ErrContactExists), not allowed (ErrConsentRequired, ErrIdentityTooWeak,
// ErrUnsuitable), illegal transition (ErrEscalationNotAllowed: the graph is
// the channels' transitions; ErrContactClosed) and unavailable (ErrTransient,
// ErrNoTransport). The typed errors match their sentinel's kind too.
package channel
