package memory

import (
	"context"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// Purge deletes every record past its retention at now (see
// carecontact.Retention: closed sessions, closed callback requests with
// their phone numbers, closed demand contacts, abandoned queued routing
// items, appointments no longer active, wait entries) and pseudonymises
// the audit events of the deleted records: each event's client, and a
// client actor's ID, is replaced with audit.Pseudonym, so the trail is
// kept and still verifies. It records one event of the purge (actor
// audit.System("retention"), action "storage.purge", the counts in its
// detail) and returns the counts. Each store is purged under its own
// lock, one after the other: a record that passes its retention while
// Purge runs is left for the next run.
func (db *DB) Purge(ctx context.Context, now time.Time, r carecontact.Retention) (carecontact.Purged, error) {
	if err := ctx.Err(); err != nil {
		return carecontact.Purged{}, err
	}
	if err := kit.PurgeRequest(now, r); err != nil {
		return carecontact.Purged{}, err
	}
	var out carecontact.Purged
	subjects := map[string]bool{}
	out.Sessions = db.session.purge(now, r.Sessions, subjects)
	out.Callbacks = db.callback.purge(now, r.Callbacks, subjects)
	out.DemandContacts = db.demand.purge(now, r.DemandContacts, subjects)
	out.RoutingItems = db.routing.purge(now, r.RoutingItems, subjects)
	out.Appointments, out.WaitEntries = db.booking.purge(now, r.Appointments, r.WaitEntries, subjects)
	out.AuditEvents = db.log.pseudonymise(func(e audit.Event) bool { return subjects[e.Subject] }, "")
	ev, err := kit.PurgeEvent(out, now)
	if err != nil {
		return carecontact.Purged{}, err
	}
	db.log.appendLocked(ev)
	return out, nil
}

// EraseClient erases the client's data on request: in every store the
// client's reference is replaced with its pseudonym (audit.Pseudonym) and
// a callback request loses its phone number; in the audit trail the
// client's events, and the events the client made themselves, name the
// pseudonym instead (the chain holds both by digest, so it still
// verifies). The erasure is recorded as one event by actor about the
// pseudonym (action "storage.erase", the counts in its detail, nothing
// personal), at at. Afterwards no read by the old reference finds
// anything; the client's trail is found under Erasure.Pseudonym.
//
// Live work (an open session or callback request, a booked appointment, a
// queued routing item) is kept, under the pseudonym: the host cancels what
// it no longer wants done before it erases (an open callback request has
// no number to call any more). Other fields are kept as recorded,
// including a session's notes and an appointment's answers, which are the
// care record. Each store is changed under its own lock, one after the
// other; data written for the old reference while EraseClient runs may
// need a second call.
func (db *DB) EraseClient(ctx context.Context, actor audit.Actor, client carecontact.ClientRef, at time.Time) (carecontact.Erasure, error) {
	if err := ctx.Err(); err != nil {
		return carecontact.Erasure{}, err
	}
	p, err := kit.EraseRequest(actor, client, at)
	if err != nil {
		return carecontact.Erasure{}, err
	}
	var n carecontact.Purged
	n.Sessions = db.session.erase(client, p)
	n.Callbacks = db.callback.erase(client, p)
	n.DemandContacts = db.demand.erase(client, p)
	n.RoutingItems = db.routing.erase(client, p)
	n.Appointments, n.WaitEntries = db.booking.erase(client, p)
	n.AuditEvents = db.log.pseudonymise(func(audit.Event) bool { return true }, client)
	ev, err := kit.EraseEvent(actor, p, n, at)
	if err != nil {
		return carecontact.Erasure{}, err
	}
	db.log.appendLocked(ev)
	return carecontact.Erasure{Pseudonym: p, Changed: n}, nil
}

// pseudonymise pseudonymises the events pick selects (only client's, or
// every client's when client is ""), and counts the events it changed.
func (l *AuditLog) pseudonymise(pick func(audit.Event) bool, client carecontact.ClientRef) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for i := range l.links {
		ln := &l.links[i]
		if !pick(ln.Event) {
			continue
		}
		if storekit.PseudonymiseEvent(&ln.Event, ln.ActorDigest, client) {
			ln.Pseudonymised = true
			n++
		}
	}
	return n
}

func (s *SessionStore) purge(now time.Time, d carecontact.Days, subjects map[string]bool) int {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	n := 0
	for id, v := range s.st.sessions {
		if at, ok := storekit.SessionFinished(v); storekit.Past(d, at, ok, now) {
			delete(s.st.sessions, id)
			subjects[storekit.SessionSubject(id)] = true
			n++
		}
	}
	return n
}

func (s *SessionStore) erase(client, p carecontact.ClientRef) int {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	n := 0
	for id, v := range s.st.sessions {
		if v.Client == client {
			v = storekit.EraseSession(v, p)
			v.Version++
			s.st.sessions[id] = v
			n++
		}
	}
	return n
}

func (s *CallbackStore) purge(now time.Time, d carecontact.Days, subjects map[string]bool) int {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for id, r := range st.recs {
		if at, ok := storekit.CallbackFinished(*r); storekit.Past(d, at, ok, now) {
			delete(st.recs, id)
			subjects[callback.Subject(id)] = true
			n++
		}
	}
	return n
}

func (s *CallbackStore) erase(client, p carecontact.ClientRef) int {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	n := 0
	for id, r := range st.recs {
		if r.Client != client {
			continue
		}
		next := storekit.EraseCallback(r.Clone(), p)
		next.Version++
		st.recs[id] = &next
		if key := callback.Key(client, r.Errand); st.open[key] == id {
			delete(st.open, key)
			st.open[callback.Key(p, r.Errand)] = id
		}
		n++
	}
	return n
}

func (s *DemandStore) purge(now time.Time, d carecontact.Days, subjects map[string]bool) int {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	gone := map[string]bool{}
	for id, c := range st.contacts {
		if at, ok := storekit.ContactFinished(c); storekit.Past(d, at, ok, now) {
			gone[id] = true
		}
	}
	if len(gone) == 0 {
		return 0
	}
	for id := range gone {
		c := st.contacts[id]
		delete(st.contacts, id)
		subjects[storekit.ContactSubject(id)] = true
		key := string(c.Client)
		st.byClient[key] = slices.DeleteFunc(st.byClient[key], func(x string) bool { return gone[x] })
		if len(st.byClient[key]) == 0 {
			delete(st.byClient, key)
		}
	}
	st.order = slices.DeleteFunc(st.order, func(x string) bool { return gone[x] })
	return len(gone)
}

func (s *DemandStore) erase(client, p carecontact.ClientRef) int {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	ids := st.byClient[string(client)]
	n := 0
	for _, id := range ids {
		c, ok := st.contacts[id]
		if !ok || c.Client != client {
			continue
		}
		c.Client = p
		st.contacts[id] = c
		n++
	}
	if len(ids) > 0 {
		delete(st.byClient, string(client))
		st.byClient[string(p)] = append(st.byClient[string(p)], ids...)
	}
	return n
}

func (s *RoutingStore) purge(now time.Time, d carecontact.Days, subjects map[string]bool) int {
	n := 0
	for i := range s.items {
		sh := &s.items[i]
		sh.mu.Lock()
		for id, r := range sh.m {
			if r.Version == 0 {
				continue // a tombstone: holds nothing but the ID
			}
			if at, ok := storekit.ItemAbandoned(r.Item); storekit.Past(d, at, ok, now) {
				sh.bury(r)
				subjects[storekit.ItemSubject(id)] = true
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

func (s *RoutingStore) erase(client, p carecontact.ClientRef) int {
	n := 0
	for i := range s.items {
		sh := &s.items[i]
		sh.mu.Lock()
		for _, r := range sh.m {
			if r.Version != 0 && r.Contact.Client == client {
				r.Item = storekit.EraseItem(r.Item, p)
				r.Version++
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

func (b *BookingStore) purge(now time.Time, appts, waits carecontact.Days, subjects map[string]bool) (int, int) {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	na := 0
	for id, a := range s.appts {
		if at, ok := storekit.AppointmentFinished(a); storekit.Past(appts, at, ok, now) {
			s.releaseLocked(a)
			delete(s.appts, id)
			subjects[storekit.AppointmentSubject(id)] = true
			na++
		}
	}
	before := len(s.waiters)
	s.waiters = slices.DeleteFunc(s.waiters, func(w booking.WaitEntry) bool {
		at, ok := storekit.WaitFinished(w)
		if storekit.Past(waits, at, ok, now) {
			subjects[storekit.WaitSubject(w.ID)] = true
			return true
		}
		return false
	})
	return na, before - len(s.waiters)
}

func (b *BookingStore) erase(client, p carecontact.ClientRef) (int, int) {
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	na, nw := 0, 0
	for id, a := range s.appts {
		if a.Client == client {
			a.Client = p
			a.Version++
			s.appts[id] = a
			na++
		}
	}
	for i := range s.waiters {
		if s.waiters[i].Client == client {
			s.waiters[i].Client = p
			nw++
		}
	}
	return na, nw
}
