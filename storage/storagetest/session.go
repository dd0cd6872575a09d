package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

var sessionT0 = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

func newSession(id string, client carecontact.ClientRef, minute int) session.Session {
	return session.Session{
		ID: id, Client: client, Errand: channel.ErrandInfectionSymptoms, State: session.StateWaiting,
		Team: "team-a", OwnTeam: "team-a", Identity: channel.IdentityWeak,
		OpenedAt: sessionT0.Add(time.Duration(minute) * time.Minute),
	}
}

func sessionEvent(s session.Session, action string) []audit.Event {
	return []audit.Event{{At: sessionT0, Actor: audit.System("test"), Action: action, Subject: "session/" + s.ID,
		Client: s.Client, Outcome: audit.Allowed}}
}

func runSession(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("create, get, update with compare-and-set", func(t *testing.T) {
		stores := h.Session(t, 2)
		a, b := stores[0], stores[1]
		s := newSession("s1", "client-a", 0)
		s.Legs = []session.Leg{{Kind: channel.Callback, Ref: "call-1", By: "nurse-1", StartedAt: sessionT0}}
		require.NoError(t, a.Create(ctx, s, sessionEvent(s, "session.open")))
		require.ErrorIs(t, b.Create(ctx, s, nil), session.ErrExists)

		got, err := b.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, int64(1), got.Version)
		require.Equal(t, s.Legs, got.Legs)
		require.True(t, got.OpenedAt.Equal(s.OpenedAt))

		got.State, got.Assignee = session.StateAssigned, "nurse-1"
		got.Notes = append(got.Notes, session.Note{By: "nurse-1", At: sessionT0, Text: "note"})
		require.NoError(t, b.Update(ctx, got, sessionEvent(got, "session.assign")))
		again, err := a.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, int64(2), again.Version)
		require.Equal(t, carecontact.ProfessionalID("nurse-1"), again.Assignee)
		require.Len(t, again.Notes, 1)

		stale := got // still version 1
		stale.Assignee = "nurse-2"
		require.ErrorIs(t, a.Update(ctx, stale, nil), session.ErrConflict)
		now, err := a.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, carecontact.ProfessionalID("nurse-1"), now.Assignee, "a stale write changes nothing")

		_, err = a.Get(ctx, "missing")
		require.ErrorIs(t, err, session.ErrNotFound)
		require.ErrorIs(t, a.Update(ctx, newSession("missing", "c", 0), nil), session.ErrNotFound)
	})
	t.Run("every field survives the store", func(t *testing.T) {
		st := h.Session(t, 1)[0]
		at := func(m int) time.Time { return sessionT0.Add(time.Duration(m) * time.Minute) }
		full := session.Session{
			ID: "full", Client: "client-z", Errand: channel.ErrandWoundCare, State: session.StateClosed,
			Team: "team-b", Assignee: "nurse-1", OwnProfessional: "nurse-1", OwnTeam: "team-a",
			WorkItem: "wi-9", Contact: "c-9", Duplicate: true,
			Identity: channel.IdentityStrong, IdentityMethod: "bank_id",
			Legs: []session.Leg{
				{Kind: channel.Callback, Ref: "call-1", By: "nurse-1", StartedAt: at(1), EndedAt: at(5), EndReason: "escalated"},
				{Kind: channel.Video, Ref: "room-1", By: "nurse-1", StartedAt: at(5), EndedAt: at(20), EndReason: "finished"},
			},
			Participants: []session.Participant{{ID: "doctor-1", Role: "gp", Leg: 1, InvitedBy: "nurse-1", JoinedAt: at(6), LeftAt: at(20)}},
			Notes:        []session.Note{{By: "doctor-1", At: at(7), Text: "ääkköset & <html> \"quotes\""}},
			Checklist:    []session.ChecklistMark{{Item: "private_place", By: "nurse-1", At: at(4)}},
			Transfers:    []session.Transfer{{From: "team-a", To: "team-b", By: "nurse-1", At: at(21), Reason: "needs_physio"}},
			Failures:     []session.Failure{{Op: "leg.escalate", Kind: channel.Video, At: at(5), Attempts: 3, Transient: true, Fallback: channel.Callback}},
			Outcome:      session.OutcomeResolved,
			OpenedAt:     at(0).Add(123456 * time.Nanosecond), WrapUpAt: at(20), ClosedAt: at(22),
		}
		require.NoError(t, st.Create(ctx, full, nil))
		got, err := st.Get(ctx, "full")
		require.NoError(t, err)
		full.Version = 1
		require.Equal(t, full, got)
		got.Notes = nil
		require.NoError(t, st.Update(ctx, got, nil))
		again, err := st.Get(ctx, "full")
		require.NoError(t, err)
		require.Empty(t, again.Notes)
		require.Equal(t, int64(2), again.Version)
	})
	t.Run("returned values are copies", func(t *testing.T) {
		st := h.Session(t, 1)[0]
		s := newSession("s1", "client-a", 0)
		s.Notes = []session.Note{{By: "n", Text: "original"}}
		require.NoError(t, st.Create(ctx, s, nil))
		s.Notes[0].Text = "changed by caller"
		got, err := st.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "original", got.Notes[0].Text)
		got.Notes[0].Text = "changed again"
		again, err := st.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, "original", again.Notes[0].Text)
	})
	t.Run("audit events are written with the change, a bad event fails it whole", func(t *testing.T) {
		st := h.Session(t, 1)[0]
		s := newSession("s1", "client-a", 0)
		bad := sessionEvent(s, "session.open")
		bad[0].Detail = map[string]string{"code": "131052-308T"}
		require.ErrorIs(t, st.Create(ctx, s, bad), audit.ErrInvalidEvent)
		_, err := st.Get(ctx, "s1")
		require.ErrorIs(t, err, session.ErrNotFound, "nothing half-written")
		require.NoError(t, st.Create(ctx, s, sessionEvent(s, "session.open")))
		s.Version = 1
		s.State = session.StateAssigned
		require.ErrorIs(t, st.Update(ctx, s, bad), audit.ErrInvalidEvent)
		got, err := st.Get(ctx, "s1")
		require.NoError(t, err)
		require.Equal(t, session.StateWaiting, got.State)
		require.Equal(t, int64(1), got.Version)
	})
	t.Run("list by client, state and closing time", func(t *testing.T) {
		st := h.Session(t, 1)[0]
		for i, c := range []string{"client-a", "client-b", "client-a", "client-c"} {
			s := newSession(fmt.Sprintf("s%d", i), carecontact.ClientRef(c), 10-i)
			if i%2 == 0 {
				s.State, s.Outcome, s.ClosedAt = session.StateClosed, session.OutcomeResolved, sessionT0.Add(time.Duration(i)*time.Hour)
			}
			require.NoError(t, st.Create(ctx, s, nil))
		}
		all, err := st.List(ctx, session.Filter{})
		require.NoError(t, err)
		require.Len(t, all, 4)
		require.Equal(t, "s3", all[0].ID, "ordered by opening time")
		byClient, err := st.List(ctx, session.Filter{Client: "client-a"})
		require.NoError(t, err)
		require.Len(t, byClient, 2)
		waiting, err := st.List(ctx, session.Filter{State: session.StateWaiting})
		require.NoError(t, err)
		require.Len(t, waiting, 2)
		closed, err := st.List(ctx, session.Filter{ClosedSince: sessionT0, ClosedUntil: sessionT0.Add(2 * time.Hour)})
		require.NoError(t, err)
		require.Len(t, closed, 1)
		require.Equal(t, "s0", closed[0].ID)
	})
	t.Run("concurrent compare-and-set loses no update", func(t *testing.T) {
		stores := h.Session(t, 4)
		s := newSession("hot", "client-a", 0)
		require.NoError(t, stores[0].Create(ctx, s, nil))
		const writers, each = 16, 10
		var wg sync.WaitGroup
		var mu sync.Mutex
		conflicts := 0
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st := stores[w%len(stores)]
				for i := 0; i < each; {
					cur, err := st.Get(ctx, "hot")
					if err != nil {
						t.Error(err)
						return
					}
					cur.Notes = append(cur.Notes, session.Note{By: carecontact.ProfessionalID(fmt.Sprintf("w%d", w)), Text: fmt.Sprint(i)})
					err = st.Update(ctx, cur, sessionEvent(cur, "session.note"))
					switch {
					case errors.Is(err, session.ErrConflict):
						mu.Lock()
						conflicts++
						mu.Unlock()
					case err != nil:
						t.Error(err)
						return
					default:
						i++
					}
				}
			}()
		}
		wg.Wait()
		got, err := stores[1].Get(ctx, "hot")
		require.NoError(t, err)
		require.Len(t, got.Notes, writers*each, "every successful update is kept")
		require.Equal(t, int64(1+writers*each), got.Version)
		t.Logf("%d conflicts retried", conflicts)
	})
}
