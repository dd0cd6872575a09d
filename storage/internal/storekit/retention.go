package storekit

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// The audit subjects of the records Purge deletes: Purge pseudonymises
// the events of these subjects.

// SessionSubject is the audit subject of a session.
func SessionSubject(id string) string { return "session/" + id }

// ContactSubject is the audit subject of a duplicate-demand contact.
func ContactSubject(id string) string { return "contact/" + id }

// AppointmentSubject is the audit subject of an appointment.
func AppointmentSubject(id string) string { return "appointment/" + id }

// WaitSubject is the audit subject of a wait entry.
func WaitSubject(id string) string { return "waitlist/" + id }

// ItemSubject is the audit subject of a routing item.
func ItemSubject(id carecontact.ItemID) string { return "item/" + string(id) }

// Past reports whether a record finished at finished (ok: it is finished
// at all) is past a retention of d days at now, days counted in
// Europe/Helsinki.
func Past(d carecontact.Days, finished time.Time, ok bool, now time.Time) bool {
	return ok && d.Expired(finished, now, civil.Helsinki())
}

// SessionFinished returns when a session finished: when it closed.
func SessionFinished(s session.Session) (time.Time, bool) {
	return s.ClosedAt, s.State == session.StateClosed
}

// CallbackFinished returns when a callback request finished: when it
// closed.
func CallbackFinished(r callback.Record) (time.Time, bool) { return r.Closed, !r.Open() }

// ContactFinished returns when a duplicate-demand contact finished.
func ContactFinished(c demand.Contact) (time.Time, bool) { return c.ClosedAt, !c.Open() }

// ItemAbandoned returns since when a routing item is purgeable: a queued
// item from when it was enqueued. Items that count on a professional are
// never purged.
func ItemAbandoned(it routing.Item) (time.Time, bool) {
	return it.EnqueuedAt, it.State == routing.ItemQueued
}

// AppointmentFinished returns when an appointment that is no longer active
// finished: the later of its end and its last change.
func AppointmentFinished(a booking.Appointment) (time.Time, bool) {
	return later(a.End, a.Updated), !a.Status.Active()
}

// WaitFinished returns when a wait entry counts as finished: the later of
// when it was added and the end of its window.
func WaitFinished(w booking.WaitEntry) (time.Time, bool) { return later(w.Since, w.Window.End), true }

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Erasing one client: the stores replace the client's reference with its
// pseudonym in every record and remove what identifies the client beyond
// the reference (a callback's phone number). They bump the version of each
// record they change, so a writer holding an older copy conflicts, reads
// again and cannot write the old reference back.

// EraseSession returns s pseudonymised.
func EraseSession(s session.Session, p carecontact.ClientRef) session.Session {
	s.Client = p
	return s
}

// EraseCallback returns r pseudonymised, without its phone number.
func EraseCallback(r callback.Record, p carecontact.ClientRef) callback.Record {
	r.Client, r.Phone = p, ""
	return r
}

// EraseItem returns it pseudonymised.
func EraseItem(it routing.Item, p carecontact.ClientRef) routing.Item {
	it.Contact.Client = p
	return it
}

// EraseRequest checks an erasure request and returns the pseudonym of the
// client. The actor must be one the trail can record.
func (k Kit) EraseRequest(actor audit.Actor, client carecontact.ClientRef, at time.Time) (carecontact.ClientRef, error) {
	if err := actor.Validate(); err != nil {
		return "", fmt.Errorf("%s: erase: %w", k.Name, err)
	}
	switch {
	case client == "":
		return "", carecontact.Invalid(carecontact.ErrErasure, "client", "is empty")
	case audit.IsPseudonym(client):
		return "", carecontact.Invalid(carecontact.ErrErasure, "client", "is a pseudonym already")
	case at.IsZero():
		return "", carecontact.Invalid(carecontact.ErrErasure, "at", "is zero")
	}
	if err := carecontact.ValidateID(carecontact.ErrErasure, "client", string(client)); err != nil {
		return "", err
	}
	if audit.Redact(string(client)) != string(client) {
		// No store holds data under such a reference: the audit trail
		// refuses it, and with it every change.
		return "", carecontact.Invalid(carecontact.ErrErasure, "client", "looks like a phone number or identity code, not a pseudonymous reference")
	}
	return audit.Pseudonym(client), nil
}

// PurgeRequest checks a purge request.
func (k Kit) PurgeRequest(now time.Time, r carecontact.Retention) error {
	if now.IsZero() {
		return carecontact.Invalid(carecontact.ErrRetention, "now", "is zero")
	}
	return r.Validate()
}

// EraseEvent is the audit event of an erasure: by the actor, about the
// pseudonym (the client's trail ends with it), with the counts and
// nothing personal.
func (k Kit) EraseEvent(actor audit.Actor, p carecontact.ClientRef, e carecontact.Purged, at time.Time) ([]audit.Event, error) {
	return k.PrepareEvents([]audit.Event{{
		At: at, Actor: actor, Action: "storage.erase", Subject: "erasure/" + string(p), Client: p,
		Outcome: audit.Allowed, Detail: e.Detail(),
	}})
}

// PurgeEvent is the audit event of a purge, by the system component
// "retention".
func (k Kit) PurgeEvent(p carecontact.Purged, now time.Time) ([]audit.Event, error) {
	return k.PrepareEvents([]audit.Event{{
		At: now, Actor: audit.System("retention"), Action: "storage.purge", Subject: "retention/purge",
		Outcome: audit.Allowed, Detail: p.Detail(),
	}})
}

// PseudonymiseEvent replaces the client of e and, when the chain holds the
// actor by digest (actorDigest != ""), a client actor's ID with their
// pseudonyms; erase limits the change to that client ("" for every
// client). It reports whether it changed anything.
func PseudonymiseEvent(e *audit.Event, actorDigest string, erase carecontact.ClientRef) bool {
	changed := false
	if e.Client != "" && !audit.IsPseudonym(e.Client) && (erase == "" || e.Client == erase) {
		e.Client = audit.Pseudonym(e.Client)
		changed = true
	}
	id := carecontact.ClientRef(e.Actor.ID)
	if actorDigest != "" && e.Actor.Kind == audit.ActorClient && !audit.IsPseudonym(id) && (erase == "" || id == erase) {
		e.Actor.ID = string(audit.Pseudonym(id))
		changed = true
	}
	return changed
}
