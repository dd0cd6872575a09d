// Package session keeps one client's contact whole from first contact to
// outcome, across channel switches: a callback that becomes a video call, a
// chat that becomes a callback, a team of professionals invited into one
// video meeting.
//
// # Model
//
// A Session is one client's errand: its channel legs (Leg; one runs at a
// time), the participants invited into a leg besides the assigned
// professional, the owning team and its transfers, notes, checklist marks,
// the client's identification level, transport failures and the outcome.
// The Manager changes sessions only through the state machine:
//
//	waiting -> assigned -> active -> wrap_up -> closed
//	             ^  |       |  ^
//	             |  +- <- --+  +-- escalate (a new leg in the same session)
//	   transfer: assigned/active -> waiting;  release (retry later): assigned -> waiting
//	   no answer/duplicate: waiting/assigned -> closed
//
// (see CanTransition). Every change is written with its audit event (who,
// what, when, from/to state) in one atomic Store operation; refused
// transitions write nothing and return a *StateError.
//
// # Access control
//
// Every operation takes the acting audit.Actor and checks that they may act
// on this session: the assigned professional and a supervisor (the
// configured role) may do everything; an invited participant and a member
// of the owning team may read, write notes and complete checklist items; a
// team member may take a waiting session for themselves; the client may
// read their own session; the system may do everything. A denied attempt is
// an audit event with outcome Denied and an *AccessError. Reads are audited
// too ("session.read", "session.report"). An invalid actor, or a session ID
// that looks like personal data, is refused before anything is read. The
// refusal is audited as denied under audit.StandIn. The error repeats
// neither the actor's ID nor such a session ID.
//
// Free text (a transfer, leg-end or release reason, an invite's role, an
// identification method) enters audit details through audit.Redact: a
// phone number or identity code in it is replaced, never refused.
//
// # Identity, suitability and checklists
//
// The session records the client's IdentityLevel. A leg or escalation needs
// the errand to suit the channel and the level the suitability matrix asks
// for (by default strong identification for video and chat), and
// Config.ActionIdentity may ask a level for any gated action; escalations
// also need the escalation graph's edge, with the client's consent where it
// asks. A ChecklistPolicy (implemented by the guidance package) names the
// checklist items that must be completed before ActionStartLeg,
// ActionEscalate, ActionInvite, ActionTransfer and ActionClose; missing
// items give a *ChecklistError naming them. PersonalCode validates a
// Finnish personal identity code (henkilötunnus) and never prints it; the
// Manager's VerifyPersonalCode checks a code the client told against the
// host's registry without storing or logging it.
//
// # Transports and failures
//
// The Manager drives the host's channel.Transports: it places the callback,
// creates the video room and invites the client, upgrades or hangs up the
// call, closes the chat, transfers the call. Transport work for a new leg is
// done before the change is committed; failures marked channel.ErrTransient
// are retried (TransportAttempts, without sleeping: the library starts no
// timers). A failure that persists leaves the session as it was (the client
// stays in the running leg), is recorded as a Failure with an audit event,
// and returns a *TransportError, unless an escalation's Fallback channel
// succeeds instead. Resources created for a change that is then refused are
// released (the room ended, the call hung up).
//
// # Duplicate demand
//
// A session opened for a duplicate-demand contact remembers its ID. When
// the session closes with an outcome that settles the errand, the Manager
// settles the contact through Config.Demand. That withdraws the client's
// other pending contacts for the errand, and CloseResult returns them for
// the host to rescind. The package does not import the demand package:
// frontdoor.SessionDemand adapts a *demand.Admitter to Demand. A session
// closed with no answer or as a follow-up (the errand is not settled)
// closes its own contact only.
//
// # KPIs
//
// Compute (and Manager.Report for a period) gives first-contact
// resolution, continuity with the client's own professional and team,
// channel switches, the duplicate-demand rate and handling time per channel
// from closed sessions.
//
// # Concurrency
//
// Manager holds no mutable state and is safe for concurrent use; several
// Managers (host replicas) may share one Store. Each change reads the
// session, checks it and writes it with a version compare-and-set, retrying
// on ErrConflict (ConflictRetries) after re-checking access and state on the
// fresh copy, so concurrent changes are serialised and none is lost. Nothing
// in the package starts goroutines or reads the wall clock.
//
// # Errors
//
// ErrNotFound, ErrExists, ErrConflict, ErrInvalid (naming the field),
// ErrIllegalTransition (*StateError), ErrAccessDenied (*AccessError),
// ErrChecklistIncomplete (*ChecklistError), ErrTransport (*TransportError,
// unwrapping to the transport's error), ErrParticipant,
// ErrInvalidPersonalCode and ErrIdentityMismatch; from the channel package
// ErrIdentityTooWeak (*channel.IdentityError), ErrUnsuitable,
// ErrEscalationNotAllowed and ErrConsentRequired pass through wrapped.
//
// Each sentinel wraps one root kind of carecontact, and each typed error
// matches its sentinel's: ErrInvalid and ErrInvalidPersonalCode invalid
// input; ErrNotFound not found; ErrExists, ErrConflict and ErrParticipant
// conflict; ErrAccessDenied and ErrIdentityMismatch not allowed;
// ErrIllegalTransition and ErrChecklistIncomplete illegal transition;
// ErrTransport unavailable.
package session
