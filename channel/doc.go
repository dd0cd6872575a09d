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
// # Unsuitable channels
//
// Suitability is what admission (package demand) and sessions need of a
// matrix. A contact refused because its errand does not suit the channel
// gets an *UnsuitableError, which matches ErrUnsuitable. Duplicate demand
// (one client waiting in several channels) is package demand's.
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
// use. Nothing in this package starts goroutines or reads the wall clock.
//
// # Errors
//
// ErrUnknownKind, ErrUnknownIdentityLevel, ErrInvalidMatrix (wrapped with
// the errand, channel and field at fault), ErrInvalidGraph,
// ErrEscalationNotAllowed, ErrConsentRequired, ErrIdentityTooWeak (matched
// by *IdentityError), ErrUnsuitable (matched by *UnsuitableError),
// ErrTransient and ErrNoTransport.
//
// Each sentinel wraps one root kind of carecontact, so a host can branch on
// the kind with errors.Is: invalid (ErrUnknownKind, ErrUnknownIdentityLevel,
// ErrInvalidMatrix, ErrInvalidGraph), not allowed (ErrConsentRequired,
// ErrIdentityTooWeak, ErrUnsuitable), illegal transition
// (ErrEscalationNotAllowed: the graph is the channels' transitions) and
// unavailable (ErrTransient, ErrNoTransport). The typed errors match their
// sentinel's kind too.
package channel
