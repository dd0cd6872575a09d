// Package audit defines the audit trail every package of the library writes:
// who did what to which client's data, when, and whether it was allowed.
//
// An Event names its Actor (a professional, the client or the system), the
// Action, the Subject it touched (an object reference such as "session/<id>")
// and the pseudonymous client reference it concerns. Events never carry
// personal identity codes, names or phone numbers: Validate rejects details
// that look like them, so a careless caller cannot leak them into the trail.
// Redact replaces them in free text (a reason, a role, a method) with
// "[redacted]"; packages redact free text before it enters a Detail, so
// such text never makes an operation fail. The detector knows the usual
// spellings of Finnish phone numbers and identity codes and lets
// identifiers such as "apt-00012345" and UUIDs pass (see Redact).
//
// Store adapters write the events that describe a change in the same
// transaction as the change (the memory store under the same lock), so an
// audit trail never claims a change that did not happen, nor misses one that
// did. Denied attempts are events too, with Outcome Denied. A caller
// whose actor cannot be recorded (the zero actor, an unknown kind, an ID
// that looks like personal data) is refused under StandIn: the
// Unidentified actor of its kind, with the kind in the detail
// "actor_kind". Its raw ID never enters the trail.
//
// The trail is tamper-evident. The events of one subject form a hash
// chain (Chain, Next): each event's link holds its place in the stream,
// the hash of the link before and its own SHA-256 hash over both and the
// event. Stores keep the head of every stream, implement Verifier, and
// VerifyStream reports the first broken link: an edited, deleted,
// reordered or renumbered event, or a deleted last one. The chain holds
// the client as ClientDigest and a client actor's ID as ActorDigest, so an
// erased client's events can be pseudonymised (both replaced with
// Pseudonym, the link marked Pseudonymised) and still verify. Nothing else
// of an event is ever changed: its detail never holds personal data, so
// it needs no pseudonymising, and a change to it breaks the chain. A host that needs proof against its own
// database administrators keeps the stores' heads elsewhere and compares.
//
// Errors: ErrInvalidEvent, a *carecontact.FieldError naming the field at
// fault ("actor.id", "subject", "detail.reason") without repeating its
// value, which wraps the root kind carecontact.ErrInvalid. An action,
// subject or client reference that is not UTF-8, holds a control character
// or is longer than 1024 bytes is refused like one that looks like personal
// data. ErrTampered, the kind conflict,
// with a *Break naming the stream and place.
package audit
