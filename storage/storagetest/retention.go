package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Retainer is what an adapter's DB offers for retention and erasure.
type Retainer interface {
	// Purge deletes what is past its retention at now and pseudonymises
	// the audit events about it.
	Purge(ctx context.Context, now time.Time, r carecontact.Retention) (carecontact.Purged, error)
	// EraseClient pseudonymises one client's data in every store and in
	// the audit trail, and records the erasure by actor at at.
	EraseClient(ctx context.Context, actor audit.Actor, client carecontact.ClientRef, at time.Time) (carecontact.Erasure, error)
}

// RetentionDB is one fresh DB of the adapter as the retention and erasure
// cases use it: its stores over one backing state, its audit log (which
// must also be an audit.Verifier) and the DB itself.
type RetentionDB struct {
	DB       Retainer
	Log      audit.Log
	Session  session.Store
	Callback callback.Store
	Demand   demand.Store
	Routing  routing.Store
	Booking  booking.Store
}

func runRetention(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Harness, RetentionDB)
	}{
		{"erase a client", testEraseClient},
		{"erase refuses bad requests", testEraseRefuses},
		{"race: writers cannot write an erased reference back", testEraseRace},
		{"purge at the boundary, across a change of daylight saving time", testPurgeBoundary},
		{"purge refuses a policy without every kind", testPurgeRefuses},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, h, h.Retention(t))
		})
	}
}

// seeded are the records seedClient made for one client.
type seeded struct {
	client                                    carecontact.ClientRef
	openSession, closedSession, callback, cid string
	item                                      carecontact.ItemID
	appointment, wait                         string
}

// seedClient gives client one record of every kind (and two sessions),
// each with its audit events, some made by the client as actor. n makes
// the IDs and the times of different clients distinct.
func seedClient(t *testing.T, db RetentionDB, client carecontact.ClientRef, n int) seeded {
	t.Helper()
	ctx := t.Context()
	at := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Hour)
	id := func(kind string) string { return fmt.Sprintf("%s-%d", kind, n) }
	self := audit.Actor{Kind: audit.ActorClient, ID: string(client)}
	sd := seeded{client: client, openSession: id("s-open"), closedSession: id("s-closed"), callback: id("cb"),
		cid: id("contact"), item: carecontact.ItemID(id("item")), appointment: id("appt"), wait: id("wait")}

	open := newSession(sd.openSession, client, 0)
	open.OpenedAt = at
	require.NoError(t, db.Session.Create(ctx, open, []audit.Event{{At: at, Actor: self, Action: "session.open",
		Subject: "session/" + open.ID, Client: client, Outcome: audit.Allowed}}))
	closed := newSession(sd.closedSession, client, 0)
	closed.OpenedAt, closed.State, closed.ClosedAt = at, session.StateClosed, at.Add(time.Hour)
	require.NoError(t, db.Session.Create(ctx, closed, sessionEvent(closed, "session.close")))

	r := callbackRecord(sd.callback, client, channel.ErrandLabResults, at)
	_, _, err := db.Callback.OpenOrJoin(ctx, r, self, at)
	require.NoError(t, err)

	_, _, err = db.Demand.Admit(ctx, demand.Contact{ID: sd.cid, Client: client, Errand: channel.ErrandLabResults,
		Kind: channel.Chat, OpenedAt: at, State: demand.ContactPending}, demand.PolicyMerge, demandEvents("channel.admit"))
	require.NoError(t, err)

	it := routingItem(n)
	it.ID, it.Contact.Client, it.EnqueuedAt, it.StepAt = sd.item, client, at, at
	_, err = db.Routing.CreateItem(ctx, it, []audit.Event{routingEvent("routing.enqueue", it)})
	require.NoError(t, err)

	req := claimReq(sd.appointment, client, at.Add(24*time.Hour), booking.StatusBooked, time.Time{}, booking.CalendarID(id("nurse")))
	require.NoError(t, db.Booking.Claim(ctx, req))
	w := booking.WaitEntry{ID: sd.wait, Area: "north", Service: "nurse-visit", Client: client, Since: at}
	require.NoError(t, db.Booking.AddWaiter(ctx, w, []audit.Event{{At: at, Actor: self, Action: "booking.wait",
		Subject: "waitlist/" + w.ID, Client: client, Outcome: audit.Allowed}}))
	return sd
}

// clientReads returns everything the stores and the trail give for a
// client reference.
func clientReads(t *testing.T, db RetentionDB, client carecontact.ClientRef) (sessions []session.Session, contacts []demand.Contact, appts []booking.Appointment, byClient, byActor []audit.Event) {
	t.Helper()
	ctx := t.Context()
	var err error
	sessions, err = db.Session.List(ctx, session.Filter{Client: client})
	require.NoError(t, err)
	contacts, err = db.Demand.Pending(ctx, client)
	require.NoError(t, err)
	appts, err = db.Booking.ClientAppointments(ctx, client)
	require.NoError(t, err)
	byClient, err = db.Log.Events(ctx, audit.Filter{Client: client})
	require.NoError(t, err)
	byActor, err = db.Log.Events(ctx, audit.Filter{ActorID: string(client)})
	require.NoError(t, err)
	return
}

func requireVerifies(t *testing.T, l audit.Log) audit.Verification {
	t.Helper()
	v, err := verifierOf(t, l).Verify(t.Context())
	require.NoError(t, err)
	require.Nil(t, v.Broken, "the trail verifies")
	return v
}

func testEraseClient(t *testing.T, h Harness, db RetentionDB) {
	ctx := t.Context()
	a := seedClient(t, db, "client-erase-a", 1)
	b := seedClient(t, db, "client-keep-b", 2)
	read := audit.Event{At: time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC), Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"},
		Action: "session.read", Subject: "session/" + a.openSession, Client: a.client, Outcome: audit.Allowed, Detail: map[string]string{"view": "full"}}
	require.NoError(t, db.Log.Record(ctx, read))
	requireVerifies(t, db.Log)
	_, _, _, aEvents, _ := clientReads(t, db, a.client)
	bSessions, bContacts, bAppts, bEvents, bActed := clientReads(t, db, b.client)
	require.NotEmpty(t, aEvents)
	staleSession, err := db.Session.Get(ctx, a.openSession)
	require.NoError(t, err)
	staleCallback, err := db.Callback.Get(ctx, a.callback)
	require.NoError(t, err)

	dpo := audit.Actor{Kind: audit.ActorProfessional, ID: "dpo-1", Role: "data-protection"}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	er, err := db.DB.EraseClient(ctx, dpo, a.client, at)
	require.NoError(t, err)
	p := er.Pseudonym
	require.Equal(t, audit.Pseudonym(a.client), p, "the stable pseudonym")
	require.Equal(t, carecontact.Purged{Sessions: 2, Callbacks: 1, DemandContacts: 1, RoutingItems: 1,
		Appointments: 1, WaitEntries: 1, AuditEvents: len(aEvents)}, er.Changed)

	v := requireVerifies(t, db.Log)
	require.Equal(t, len(aEvents)+len(bEvents)+1, v.Events, "nothing deleted from the trail; the erasure recorded")

	sessions, contacts, appts, byClient, byActor := clientReads(t, db, a.client)
	require.Empty(t, sessions, "no session by the old reference")
	require.Empty(t, contacts, "no demand contact by the old reference")
	require.Empty(t, appts, "no appointment by the old reference")
	require.Empty(t, byClient, "no audit event by the old reference")
	require.Empty(t, byActor, "no audit event by the old reference as actor")

	sessions, contacts, appts, byClient, byActor = clientReads(t, db, p)
	require.Len(t, sessions, 2)
	require.Len(t, contacts, 1)
	require.Len(t, appts, 1)
	require.Len(t, byClient, len(aEvents)+1, "the client's events, and the erasure, under the pseudonym")
	require.NotEmpty(t, byActor, "the client's own actions under the pseudonym")
	last := byClient[len(byClient)-1]
	require.Equal(t, "storage.erase", last.Action)
	require.Equal(t, dpo, last.Actor, "the erasure is recorded as the caller's")
	require.True(t, last.At.Equal(at))
	for _, e := range byClient {
		require.NotContains(t, fmt.Sprint(e), string(a.client), "no trace of the old reference in event %s", e.Action)
	}

	cb, err := db.Callback.Get(ctx, a.callback)
	require.NoError(t, err)
	require.Equal(t, p, cb.Client)
	require.Empty(t, cb.Phone.Number(), "the phone number is removed")
	it, err := db.Routing.Item(ctx, a.item)
	require.NoError(t, err)
	require.Equal(t, p, it.Contact.Client)
	ws, err := db.Booking.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	for _, w := range ws {
		require.NotEqual(t, a.client, w.Client)
		if w.ID == a.wait {
			require.Equal(t, p, w.Client)
		}
	}

	// A writer holding a copy from before cannot write the old reference back.
	staleSession.Assignee = "nurse-1"
	require.ErrorIs(t, db.Session.Update(ctx, staleSession, nil), session.ErrConflict)
	staleCallback.Priority++
	_, err = db.Callback.Update(ctx, staleCallback, nil)
	require.ErrorIs(t, err, callback.ErrConflict)

	// The other client is untouched.
	s2, c2, a2, e2, acted2 := clientReads(t, db, b.client)
	require.Equal(t, len(bSessions), len(s2))
	require.Equal(t, bContacts, c2)
	require.Equal(t, bAppts, a2)
	require.Equal(t, bEvents, e2)
	require.Equal(t, bActed, acted2)
	bcb, err := db.Callback.Get(ctx, b.callback)
	require.NoError(t, err)
	require.Equal(t, "0401234567", bcb.Phone.Number())

	// Erasing again finds nothing more and still verifies.
	again, err := db.DB.EraseClient(ctx, dpo, a.client, at.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, carecontact.Purged{}, again.Changed)
	requireVerifies(t, db.Log)

	// A pseudonymised trail is still tamper-evident.
	h.Tamper(t, db.Log, TamperEdit, "session/"+a.openSession)
	v, err = verifierOf(t, db.Log).Verify(ctx)
	require.NoError(t, err)
	require.NotNil(t, v.Broken, "an edit of a pseudonymised stream is found")
	require.Equal(t, "session/"+a.openSession, v.Broken.Stream)
}

func testEraseRefuses(t *testing.T, h Harness, db RetentionDB) {
	ctx := t.Context()
	dpo := audit.Actor{Kind: audit.ActorProfessional, ID: "dpo-1"}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		actor  audit.Actor
		client carecontact.ClientRef
		at     time.Time
		want   error
		field  string
	}{
		{"no client", dpo, "", at, carecontact.ErrErasure, "client"},
		{"a pseudonym", dpo, audit.Pseudonym("client-x"), at, carecontact.ErrErasure, "client"},
		{"no time", dpo, "client-x", time.Time{}, carecontact.ErrErasure, "at"},
		{"no actor", audit.Actor{}, "client-x", at, audit.ErrInvalidEvent, ""},
		{"an actor the trail cannot record", audit.Actor{Kind: audit.ActorProfessional, ID: "040 123 4567"}, "client-x", at, audit.ErrInvalidEvent, ""},
	} {
		_, err := db.DB.EraseClient(ctx, tc.actor, tc.client, tc.at)
		require.ErrorIs(t, err, tc.want, tc.name)
		require.ErrorIs(t, err, carecontact.ErrInvalid, tc.name)
		require.NotContains(t, err.Error(), "123 4567", tc.name)
		if tc.field != "" {
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe, tc.name)
			require.Equal(t, tc.field, fe.Field, tc.name)
		}
	}
	all, err := db.Log.Events(ctx, audit.Filter{})
	require.NoError(t, err)
	require.Empty(t, all, "a refused erasure records nothing")
}

// The purge cases run on 30 March 2026, the day after Finland moved to
// summer time (29 March 03:00 EET became 04:00 EEST): 12:00 in Helsinki is
// 09:00 UTC, and two calendar days earlier, 28 March 12:00 EET, is 10:00
// UTC, 47 hours before. A record finished exactly then is past a two-day
// retention; one finished a microsecond later is not. Counting 48 hours
// would keep both.
var (
	purgeNow      = time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC)
	purgeBoundary = time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC)
)

// finishedAt gives each kind one record finished at at, for client, with
// an audit event each. n keeps IDs apart.
func finishedAt(t *testing.T, db RetentionDB, client carecontact.ClientRef, n int, at time.Time) seeded {
	t.Helper()
	ctx := t.Context()
	id := func(kind string) string { return fmt.Sprintf("%s-%d", kind, n) }
	self := audit.Actor{Kind: audit.ActorClient, ID: string(client)}
	sd := seeded{client: client, closedSession: id("s"), callback: id("cb"), cid: id("contact"),
		item: carecontact.ItemID(id("item")), appointment: id("appt"), wait: id("wait")}
	early := at.Add(-72 * time.Hour)

	s := newSession(sd.closedSession, client, 0)
	s.OpenedAt, s.State, s.ClosedAt = early, session.StateClosed, at
	require.NoError(t, db.Session.Create(ctx, s, []audit.Event{{At: early, Actor: self, Action: "session.open",
		Subject: "session/" + s.ID, Client: client, Outcome: audit.Allowed}}))

	r, _, err := db.Callback.OpenOrJoin(ctx, callbackRecord(sd.callback, client, channel.ErrandLabResults, early), self, early)
	require.NoError(t, err)
	r.State, r.Out, r.Closed = callback.StateClosed, callback.OutcomeReached, at
	_, err = db.Callback.Update(ctx, r, nil)
	require.NoError(t, err)

	c := demand.Contact{ID: sd.cid, Client: client, Errand: channel.ErrandLabResults, Kind: channel.Chat, OpenedAt: early, State: demand.ContactPending}
	_, _, err = db.Demand.Admit(ctx, c, demand.PolicyMerge, demandEvents("channel.admit"))
	require.NoError(t, err)
	_, err = db.Demand.Close(ctx, sd.cid, at, nil)
	require.NoError(t, err)

	it := routingItem(n)
	it.ID, it.Contact.Client, it.EnqueuedAt, it.StepAt = sd.item, client, at, at
	_, err = db.Routing.CreateItem(ctx, it, []audit.Event{routingEvent("routing.enqueue", it)})
	require.NoError(t, err)

	// Booked for a time that ended before at, and cancelled (late) at at.
	req := claimReq(sd.appointment, client, early, booking.StatusBooked, time.Time{}, booking.CalendarID(id("nurse")))
	req.Now = early
	a := claimed(t, db.Booking, req)
	require.NoError(t, db.Booking.Transition(ctx, transitionTo(a, booking.StatusCancelled, at)))

	require.NoError(t, db.Booking.AddWaiter(ctx, booking.WaitEntry{ID: sd.wait, Area: "north", Service: "nurse-visit",
		Client: client, Since: at}, []audit.Event{{At: at, Actor: self, Action: "booking.wait",
		Subject: "waitlist/" + sd.wait, Client: client, Outcome: audit.Allowed}}))
	return sd
}

// exists reports which of sd's records the stores still hold.
func exists(t *testing.T, db RetentionDB, sd seeded) map[string]bool {
	t.Helper()
	ctx := t.Context()
	out := map[string]bool{}
	_, err := db.Session.Get(ctx, sd.closedSession)
	out["session"] = err == nil
	_, err = db.Callback.Get(ctx, sd.callback)
	out["callback"] = err == nil
	_, err = db.Demand.Get(ctx, sd.cid)
	out["contact"] = err == nil
	_, err = db.Routing.Item(ctx, sd.item)
	out["item"] = err == nil
	_, err = db.Booking.Appointment(ctx, sd.appointment)
	out["appointment"] = err == nil
	ws, err := db.Booking.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	out["wait"] = false
	for _, w := range ws {
		if w.ID == sd.wait {
			out["wait"] = true
		}
	}
	return out
}

func all(v bool) map[string]bool {
	return map[string]bool{"session": v, "callback": v, "contact": v, "item": v, "appointment": v, "wait": v}
}

func testPurgeBoundary(t *testing.T, h Harness, db RetentionDB) {
	ctx := t.Context()
	two := carecontact.Days(2)
	policy := carecontact.Retention{Sessions: two, Callbacks: two, DemandContacts: two, RoutingItems: two, Appointments: two, WaitEntries: two}
	gone := finishedAt(t, db, "client-gone", 1, purgeBoundary)
	kept := finishedAt(t, db, "client-kept", 2, purgeBoundary.Add(time.Microsecond))
	live := seedClient(t, db, "client-live", 3) // open, booked, queued: in November, after now
	_ = live
	_, _, _, goneEvents, _ := clientReads(t, db, gone.client)
	_, _, _, keptEvents, _ := clientReads(t, db, kept.client)
	require.NotEmpty(t, goneEvents)

	// The day before, nothing is past: 29 March 09:00 UTC less two days is 27 March.
	n, err := db.DB.Purge(ctx, purgeNow.Add(-24*time.Hour), policy)
	require.NoError(t, err)
	require.Equal(t, carecontact.Purged{}, n)
	require.Equal(t, all(true), exists(t, db, gone))

	n, err = db.DB.Purge(ctx, purgeNow, policy)
	require.NoError(t, err)
	require.Equal(t, carecontact.Purged{Sessions: 1, Callbacks: 1, DemandContacts: 1, RoutingItems: 1,
		Appointments: 1, WaitEntries: 1, AuditEvents: len(goneEvents)}, n)
	require.Equal(t, all(false), exists(t, db, gone), "finished exactly two calendar days ago: purged")
	require.Equal(t, all(true), exists(t, db, kept), "a microsecond later: kept")
	require.Equal(t, all(true), exists(t, db, seeded{closedSession: live.openSession, callback: live.callback, cid: live.cid,
		item: live.item, appointment: live.appointment, wait: live.wait}), "live work is kept")

	v := requireVerifies(t, db.Log)
	_, _, _, byClient, byActor := clientReads(t, db, gone.client)
	require.Empty(t, byClient, "the purged records' events no longer name the client")
	require.Empty(t, byActor)
	_, _, _, byPseudonym, _ := clientReads(t, db, audit.Pseudonym(gone.client))
	require.Len(t, byPseudonym, len(goneEvents), "they are kept under the pseudonym")
	_, _, _, stillKept, _ := clientReads(t, db, kept.client)
	require.Equal(t, keptEvents, stillKept, "the kept records' events are untouched")
	purges, err := db.Log.Events(ctx, audit.Filter{Action: "storage.purge"})
	require.NoError(t, err)
	require.Len(t, purges, 2, "each purge is recorded")
	require.Equal(t, "1", purges[1].Detail["sessions"])
	require.Equal(t, audit.System("retention"), purges[1].Actor)
	require.Equal(t, v.Events, countEvents(t, db.Log), "the trail lost nothing")

	// Again at the same instant: nothing more. A kind kept forever stays.
	forever := policy
	forever.Sessions = carecontact.KeepForever
	n, err = db.DB.Purge(ctx, purgeNow.Add(time.Hour), forever)
	require.NoError(t, err)
	require.Equal(t, carecontact.Purged{Callbacks: 1, DemandContacts: 1, RoutingItems: 1, Appointments: 1,
		WaitEntries: 1, AuditEvents: len(keptEvents) - 1}, n, "the kept records pass their retention; the session is kept forever")
	require.Equal(t, map[string]bool{"session": true, "callback": false, "contact": false, "item": false, "appointment": false, "wait": false},
		exists(t, db, kept))
	requireVerifies(t, db.Log)
}

func countEvents(t *testing.T, l audit.Log) int {
	t.Helper()
	all, err := l.Events(t.Context(), audit.Filter{})
	require.NoError(t, err)
	return len(all)
}

func testPurgeRefuses(t *testing.T, h Harness, db RetentionDB) {
	ctx := t.Context()
	one := carecontact.Days(1)
	full := carecontact.Retention{Sessions: one, Callbacks: one, DemandContacts: one, RoutingItems: one, Appointments: one, WaitEntries: one}
	for _, tc := range []struct {
		field  string
		change func(r *carecontact.Retention)
	}{
		{"sessions", func(r *carecontact.Retention) { r.Sessions = 0 }},
		{"callbacks", func(r *carecontact.Retention) { r.Callbacks = -2 }},
		{"demandContacts", func(r *carecontact.Retention) { r.DemandContacts = 0 }},
		{"routingItems", func(r *carecontact.Retention) { r.RoutingItems = 0 }},
		{"appointments", func(r *carecontact.Retention) { r.Appointments = 0 }},
		{"waitEntries", func(r *carecontact.Retention) { r.WaitEntries = 0 }},
	} {
		r := full
		tc.change(&r)
		_, err := db.DB.Purge(ctx, purgeNow, r)
		require.ErrorIs(t, err, carecontact.ErrRetention, tc.field)
		var fe *carecontact.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, tc.field, fe.Field)
	}
	_, err := db.DB.Purge(ctx, time.Time{}, full)
	require.ErrorIs(t, err, carecontact.ErrRetention)
	require.Zero(t, countEvents(t, db.Log), "a refused purge records nothing")
	require.True(t, strings.HasPrefix(carecontact.ErrRetention.Error(), "carecontact:"))
}

// testEraseRace erases a client while writers keep changing the client's
// session and callback request by read, change, compare-and-set (retrying
// on conflict): afterwards neither names the old reference.
func testEraseRace(t *testing.T, _ Harness, db RetentionDB) {
	ctx := t.Context()
	a := seedClient(t, db, "client-race", 1)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	write := func(step func() error) {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if err := step(); err != nil && !errors.Is(err, carecontact.ErrConflict) {
				t.Error(err)
				return
			}
		}
	}
	wg.Add(2)
	go write(func() error {
		s, err := db.Session.Get(ctx, a.openSession)
		if err != nil {
			return err
		}
		s.Notes = append(s.Notes[:0], session.Note{By: "nurse-1", At: s.OpenedAt, Text: "n"})
		return db.Session.Update(ctx, s, nil)
	})
	go write(func() error {
		r, err := db.Callback.Get(ctx, a.callback)
		if err != nil {
			return err
		}
		r.Priority = (r.Priority + 1) % 5
		_, err = db.Callback.Update(ctx, r, nil)
		return err
	})
	time.Sleep(20 * time.Millisecond)
	er, err := db.DB.EraseClient(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "dpo-1"}, a.client, time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	s, err := db.Session.Get(ctx, a.openSession)
	require.NoError(t, err)
	require.Equal(t, er.Pseudonym, s.Client)
	r, err := db.Callback.Get(ctx, a.callback)
	require.NoError(t, err)
	require.Equal(t, er.Pseudonym, r.Client)
	require.Empty(t, r.Phone.Number())
	requireVerifies(t, db.Log)
}
