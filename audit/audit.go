package audit

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/carecontact/carecontact"
)

// ActorKind says what kind of party acted.
type ActorKind string

// The kinds of actor.
const (
	ActorProfessional ActorKind = "professional"
	ActorClient       ActorKind = "client"
	ActorSystem       ActorKind = "system"
)

// Actor is the party that performed an action. ID is the party's identifier
// in the host system (a professional's staff ID, a client's pseudonymous
// reference, a system component's name); it is never a personal identity
// code. Role carries the professional's role or an explicit grant such as
// "supervisor" when access decisions depend on it.
type Actor struct {
	Kind ActorKind `json:"kind"`
	ID   string    `json:"id"`
	Role string    `json:"role,omitempty"`
}

// System returns the Actor for an automatic action of the named component.
func System(component string) Actor { return Actor{Kind: ActorSystem, ID: component} }

// String returns "kind:id", suitable for logs.
func (a Actor) String() string { return string(a.Kind) + ":" + a.ID }

// Validate reports whether the actor is well formed.
func (a Actor) Validate() error {
	switch a.Kind {
	case ActorProfessional, ActorClient, ActorSystem:
	case "":
		return carecontact.Invalid(ErrInvalidEvent, "actor.kind", "is empty")
	default:
		return carecontact.Invalid(ErrInvalidEvent, "actor.kind", "is not professional, client or system")
	}
	if a.ID == "" {
		return carecontact.Invalid(ErrInvalidEvent, "actor.id", "is empty")
	}
	if err := carecontact.ValidateID(ErrInvalidEvent, "actor.id", a.ID); err != nil {
		return err
	}
	if looksPersonal(a.ID) {
		return carecontact.Invalid(ErrInvalidEvent, "actor.id", "looks like personal data")
	}
	return nil
}

// Unidentified is the actor ID StandIn records for a caller whose own ID
// cannot be recorded.
const Unidentified = "unidentified"

// StandIn returns the actor under which a refusal of a is recorded, and
// its kind for the detail "actor_kind". A valid actor stands for itself.
// An actor that Validate refuses (the zero actor, an unknown kind, an
// empty ID, an ID that looks like personal data) is recorded as the
// Unidentified actor of its kind, without its role. An unknown kind is
// recorded as a system actor, with actor_kind "unknown" ("none" when it
// is empty). The refused ID and role never reach the trail.
func StandIn(a Actor) (Actor, string) {
	if a.Validate() == nil {
		return a, string(a.Kind)
	}
	switch a.Kind {
	case ActorProfessional, ActorClient, ActorSystem:
		return Actor{Kind: a.Kind, ID: Unidentified}, string(a.Kind)
	case "":
		return Actor{Kind: ActorSystem, ID: Unidentified}, "none"
	}
	return Actor{Kind: ActorSystem, ID: Unidentified}, "unknown"
}

// Refusal returns the event that records a refused attempt of a: the
// actor stands in as StandIn says (with "actor_kind" and the reason
// "invalid actor" when a cannot be recorded), and the detail "reason" is
// reason otherwise.
func Refusal(a Actor, at time.Time, action, subject string, client carecontact.ClientRef, reason string) Event {
	who, kind := StandIn(a)
	d := map[string]string{"reason": reason}
	if who != a {
		d["actor_kind"], d["reason"] = kind, "invalid actor"
	}
	return Event{At: at.UTC(), Actor: who, Action: action, Subject: subject, Client: client, Outcome: Denied, Detail: d}
}

// Outcome says whether the audited action was carried out.
type Outcome string

// The outcomes.
const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
)

// Event is one entry of the audit trail.
type Event struct {
	// ID identifies the event; adapters assign one when it is empty.
	ID string `json:"id"`
	// At is when the action happened, in UTC.
	At time.Time `json:"at"`
	// Actor is who acted.
	Actor Actor `json:"actor"`
	// Action names what was done, as "package.verb", e.g. "session.open",
	// "booking.book", "routing.offer", "guidance.approve", "session.read".
	Action string `json:"action"`
	// Subject references the object acted on, e.g. "session/8c1f...".
	Subject string `json:"subject"`
	// Client is the pseudonymous reference of the client whose data the
	// action read or changed, empty when none.
	Client carecontact.ClientRef `json:"client,omitempty"`
	// Outcome says whether the action was carried out.
	Outcome Outcome `json:"outcome"`
	// Detail holds further facts as short key/value pairs (a reason, a
	// previous state). Never personal identity codes, names or phone numbers.
	Detail map[string]string `json:"detail,omitempty"`
}

// ErrInvalidEvent reports an event that cannot be recorded.
var ErrInvalidEvent = carecontact.Sentinel(carecontact.ErrInvalid, "audit: invalid event")

// Validate reports whether e can be recorded: a time, a valid actor, an
// action, a subject and an outcome, and nothing in it that looks like a
// personal identity code or phone number.
func (e Event) Validate() error {
	if e.At.IsZero() {
		return carecontact.Invalid(ErrInvalidEvent, "at", "is zero")
	}
	if err := e.Actor.Validate(); err != nil {
		return err
	}
	if e.Action == "" {
		return carecontact.Invalid(ErrInvalidEvent, "action", "is empty")
	}
	if e.Subject == "" {
		return carecontact.Invalid(ErrInvalidEvent, "subject", "is empty")
	}
	if e.Outcome != Allowed && e.Outcome != Denied {
		return carecontact.Invalid(ErrInvalidEvent, "outcome", "is not allowed or denied")
	}
	for _, f := range []struct{ name, value string }{{"action", e.Action}, {"subject", e.Subject}, {"client", string(e.Client)}} {
		if err := validRef(f.name, f.value); err != nil {
			return err
		}
	}
	for k, v := range e.Detail {
		if looksPersonal(k) || looksPersonal(v) {
			return carecontact.Invalid(ErrInvalidEvent, "detail."+redactKey(k), "looks like personal data")
		}
	}
	return nil
}

// maxRefLen is the longest action, subject or client reference an event
// may hold: a subject is a kind and an ID of at most carecontact.MaxIDLen
// bytes, such as "session/<id>".
const maxRefLen = 4 * carecontact.MaxIDLen

// validRef reports a reference of an event (its action, subject or
// client) that is too long, not UTF-8, holds a control character or looks
// like personal data, naming field. The reason never repeats the value.
func validRef(field, s string) error {
	switch {
	case len(s) > maxRefLen:
		return carecontact.Invalid(ErrInvalidEvent, field, fmt.Sprintf("is longer than %d bytes", maxRefLen))
	case !utf8.ValidString(s):
		return carecontact.Invalid(ErrInvalidEvent, field, "is not valid UTF-8")
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return carecontact.Invalid(ErrInvalidEvent, field, "holds a control character")
	case looksPersonal(s):
		return carecontact.Invalid(ErrInvalidEvent, field, "looks like personal data")
	}
	return nil
}

func redactKey(k string) string {
	if looksPersonal(k) {
		return "<redacted>"
	}
	return k
}

// Filter selects events from a Reader. Zero fields match everything.
type Filter struct {
	Client  carecontact.ClientRef
	Subject string
	Action  string
	ActorID string
	Since   time.Time // inclusive
	Until   time.Time // exclusive
	Limit   int       // 0: no limit
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Event) bool {
	switch {
	case f.Client != "" && e.Client != f.Client,
		f.Subject != "" && e.Subject != f.Subject,
		f.Action != "" && e.Action != f.Action,
		f.ActorID != "" && e.Actor.ID != f.ActorID,
		!f.Since.IsZero() && e.At.Before(f.Since),
		!f.Until.IsZero() && !e.At.Before(f.Until):
		return false
	}
	return true
}

// Recorder records audit events that are not part of a store change, such
// as a read of a client's data or a denied attempt.
type Recorder interface {
	Record(ctx context.Context, events ...Event) error
}

// Reader lists recorded events in the order they were recorded.
type Reader interface {
	Events(ctx context.Context, f Filter) ([]Event, error)
}

// Log is a Recorder that can also be read back.
type Log interface {
	Recorder
	Reader
}
