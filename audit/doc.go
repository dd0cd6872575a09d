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
// Errors: ErrInvalidEvent (wrapped with the field at fault), which wraps
// the root kind carecontact.ErrInvalid.
package audit
