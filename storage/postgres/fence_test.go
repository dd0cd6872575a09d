package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/postgres"
)

// The callback store checks the fence of a planning pass's plain update
// (an escalation, a due or hand-over mark) in the update's transaction:
// a deposed leader's is refused and writes neither the request nor an
// audit event; the current leader's and an unfenced one are made.
func TestCallbackUpdateFenced(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 2)
	old, cur := deposedAndCurrent(t, dbs)
	store := dbs[0].CallbackStore()
	rec, _, err := store.OpenOrJoin(ctx, promisedRecord("r1", "client-1"), audit.System("callback"), t0)
	require.NoError(t, err)
	tests := []struct {
		name  string
		fence carecontact.Fence
		want  error
	}{
		{"the deposed leader's", old, callback.ErrNotLeader},
		{"another lease's", carecontact.Fence{Lease: "other", Token: cur.Token}, callback.ErrNotLeader},
		{"the current leader's", cur, nil},
		{"an unfenced one (one process)", carecontact.Fence{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := dbs[1].AuditLog().Events(ctx, audit.Filter{Subject: callback.Subject(rec.ID)})
			require.NoError(t, err)
			next := rec.Clone()
			next.Priority++
			next.Escalation = callback.EscalationPromoted
			saved, err := store.UpdateFenced(ctx, next, tc.fence, []audit.Event{{At: t0, Actor: audit.System("callback"),
				Action: "callback.escalate", Subject: callback.Subject(rec.ID), Client: rec.Client, Outcome: audit.Allowed}})
			after, aerr := dbs[1].AuditLog().Events(ctx, audit.Filter{Subject: callback.Subject(rec.ID)})
			require.NoError(t, aerr)
			got, gerr := dbs[1].CallbackStore().Get(ctx, rec.ID)
			require.NoError(t, gerr)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.ErrorIs(t, err, carecontact.ErrConflict)
				require.Equal(t, rec, got, "nothing written")
				require.Len(t, after, len(before), "no audit event")
				return
			}
			require.NoError(t, err)
			require.Equal(t, rec.Version+1, got.Version)
			require.Equal(t, saved, got)
			require.Len(t, after, len(before)+1)
			rec = got
		})
	}
}

// deposeOnList is a callback store over which a planning pass loses its
// term while it plans: right after the pass lists the open requests (its
// leader still reports leading), depose runs, so the pass's writes arrive
// after another replica has taken the lease over.
type deposeOnList struct {
	callback.Store
	depose func()
}

func (s deposeOnList) List(ctx context.Context, f callback.Filter) ([]callback.Record, error) {
	recs, err := s.Store.List(ctx, f)
	if s.depose != nil {
		s.depose()
	}
	return recs, err
}

// stillLeading is the view of a leader that was paused or cut off: it
// still believes in the term it held when its pass began.
type stillLeading struct{ fence carecontact.Fence }

func (l stillLeading) Leading() (carecontact.Fence, bool) { return l.fence, true }

// A planning pass of a leader deposed while it planned cannot escalate:
// the store refuses its write (ErrNotLeader), the request keeps its level,
// priority and version, no audit event is recorded, and the pass reports
// no escalation. The new leader's pass escalates the request once.
func TestDeposedLeaderCannotEscalate(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 2)
	const ttl = 300 * time.Millisecond
	a := newLease(t, dbs[0], "replica-a", ttl, nil)
	b := newLease(t, dbs[1], "replica-b", time.Minute, nil) // the new leader stays
	fa, ok, err := a.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)

	day := time.Date(2026, 11, 24, 0, 0, 0, 0, civil.Helsinki()) // a Tuesday
	now := day.Add(9*time.Hour + 30*time.Minute).UTC()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-a", callback.Shift{Professional: "n-1", From: civil.At(14, 0), To: civil.At(16, 0)}))
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "area-a"},
		Teams: map[carecontact.AreaID]carecontact.TeamID{"area-a": "team-a"}}
	newPlanner := func(db *postgres.DB, name string, store callback.Store, leader carecontact.Leadership) *callback.Planner {
		n := 0
		p, err := callback.New(callback.Config{Audit: db.AuditLog(), Clock: carecontact.ClockFunc(func() time.Time { return now }),
			Store: store, Router: router, Capacity: capa, Leader: leader,
			LowSlack: 24 * time.Hour, // every open request is low on slack: the first pass escalates
			NewID:    func() string { n++; return fmt.Sprintf("cb%s%d", name, n) }})
		require.NoError(t, err)
		return p
	}

	// A follower takes the request; its window (14:00) is not due yet.
	follower := newPlanner(dbs[1], "b", dbs[1].CallbackStore(), b)
	p, err := follower.Request(ctx, callback.Request{Client: "client-1", Phone: "0401234567",
		Errand: channel.ErrandLabResults, PostalCode: "00100"})
	require.NoError(t, err)
	before, err := dbs[1].CallbackStore().Get(ctx, p.Request)
	require.NoError(t, err)
	require.Equal(t, callback.EscalationNone, before.Escalation)
	trail := func() int {
		evs, err := dbs[1].AuditLog().Events(ctx, audit.Filter{Subject: callback.Subject(p.Request)})
		require.NoError(t, err)
		return len(evs)
	}
	events := trail()

	// A plans while it leads; its term lapses and B takes over after A
	// listed the requests and before A writes.
	var took carecontact.Fence
	depose := func() {
		time.Sleep(ttl + 100*time.Millisecond)
		f, ok, err := b.Acquire(ctx)
		require.NoError(t, err)
		require.True(t, ok, "A's term expired on the database's clock")
		took = f
	}
	leader := newPlanner(dbs[0], "a", deposeOnList{dbs[0].CallbackStore(), depose}, stillLeading{fa})
	evs, err := leader.Plan(ctx)
	require.ErrorIs(t, err, callback.ErrNotLeader)
	require.Greater(t, took.Token, fa.Token)
	for _, e := range evs {
		require.NotEqual(t, callback.EventPromoted, e.Kind, "the deposed pass reports no escalation")
	}
	after, err := dbs[1].CallbackStore().Get(ctx, p.Request)
	require.NoError(t, err)
	require.Equal(t, before, after, "nothing changed")
	require.Equal(t, events, trail(), "no audit event")

	// The deposed planner, now told it does not lead, writes nothing.
	deposed := newPlanner(dbs[0], "a", dbs[0].CallbackStore(), a)
	_, err = deposed.Plan(ctx)
	require.ErrorIs(t, err, callback.ErrNotLeader)
	require.NoError(t, deposed.Advance(ctx), "a follower's Advance is no error")

	// The new leader escalates the request once.
	evs, err = follower.Plan(ctx)
	require.NoError(t, err)
	promoted := 0
	for _, e := range evs {
		if e.Kind == callback.EventPromoted {
			promoted++
		}
	}
	require.Equal(t, 1, promoted)
	after, err = dbs[1].CallbackStore().Get(ctx, p.Request)
	require.NoError(t, err)
	require.Equal(t, callback.EscalationPromoted, after.Escalation)
	require.Equal(t, before.Priority+1, after.Priority)
	require.Equal(t, before.Version+1, after.Version)
}
