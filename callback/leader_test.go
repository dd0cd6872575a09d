package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

type toggleLeader struct{ leading *bool }

func (l toggleLeader) Leading() (carecontact.Fence, bool) {
	return carecontact.Fence{Lease: "routing", Token: 1}, *l.leading
}

// With Config.Leader, Advance plans only while the replica leads; a
// request is promised on a follower all the same.
func TestPlannerPlansOnlyWhileLeading(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	leading := false
	var events []callback.Event
	svc, _ := newPlanner(t, callback.Config{Leader: toggleLeader{&leading}, OnEvent: func(e callback.Event) { events = append(events, e) }}, capa)
	now := at(2026, 11, 23, 9, 30)
	_, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err, "a follower promises")

	tests := []struct {
		name    string
		leading bool
		due     bool
	}{
		{"a follower does not plan", false, false},
		{"the leader does", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			leading, events = tc.leading, nil
			require.NoError(t, on(svc, now).Advance(ctx))
			due := false
			for _, e := range events {
				due = due || e.Kind == callback.EventDue
			}
			require.Equal(t, tc.due, due)
			next, ok, err := svc.NextDeadline(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			require.False(t, next.Before(now), "no deadline in the past to spin on")
		})
	}
}

// termStore is a store shared by replicas in miniature: it writes a
// fenced change only in the current term, as a database lease row does.
type termStore struct {
	*memory.CallbackStore
	term int64
}

func (s termStore) check(f carecontact.Fence) error {
	if !f.IsZero() && f.Token != s.term {
		return fmt.Errorf("term %d ended: %w", f.Token, callback.ErrNotLeader)
	}
	return nil
}

func (s termStore) UpdateFenced(ctx context.Context, r callback.Record, f carecontact.Fence, evs []audit.Event) (callback.Record, error) {
	if err := s.check(f); err != nil {
		return callback.Record{}, err
	}
	return s.CallbackStore.UpdateFenced(ctx, r, f, evs)
}

func (s termStore) UpdateReserved(ctx context.Context, r callback.Record, res callback.Reservation, evs []audit.Event) (callback.Record, error) {
	if err := s.check(res.Fence); err != nil {
		return callback.Record{}, err
	}
	return s.CallbackStore.UpdateReserved(ctx, r, res, evs)
}

type termLeader struct{ token int64 }

func (l termLeader) Leading() (carecontact.Fence, bool) {
	return carecontact.Fence{Lease: "routing", Token: l.token}, true
}

// Every write of a pass carries the fence of its term: a leader whose
// term ended escalates nothing (the store refuses, Plan reports
// ErrNotLeader and no event), the current one escalates; Plan on a
// follower writes nothing.
func TestPlanWritesUnderItsFence(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(14, 0), civil.At(16, 0))...))
	now := at(2026, 11, 23, 9, 30)
	leading := false
	follower, mem := newPlanner(t, callback.Config{Leader: toggleLeader{&leading}}, capa)
	p, err := on(follower, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	_, err = on(follower, now).Plan(ctx)
	require.ErrorIs(t, err, callback.ErrNotLeader, "a follower's Plan")

	store := termStore{mem, 2}
	tests := []struct {
		name     string
		token    int64
		want     error
		promoted int
		level    callback.EscalationLevel
	}{
		{"a deposed leader", 1, callback.ErrNotLeader, 0, callback.EscalationNone},
		{"the current leader", 2, nil, 1, callback.EscalationPromoted},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := store.Get(ctx, p.Request)
			require.NoError(t, err)
			svc, err := callback.New(cfgWith(callback.Config{Leader: termLeader{tc.token}, LowSlack: 24 * time.Hour}, store, testRouter(), capa))
			require.NoError(t, err)
			evs, err := on(svc, now).Plan(ctx)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
			} else {
				require.NoError(t, err)
			}
			promoted := 0
			for _, e := range evs {
				if e.Kind == callback.EventPromoted {
					promoted++
				}
			}
			require.Equal(t, tc.promoted, promoted)
			got, err := store.Get(ctx, p.Request)
			require.NoError(t, err)
			require.Equal(t, tc.level, got.Escalation)
			if tc.want != nil {
				require.Equal(t, before, got, "nothing written")
			}
		})
	}
}
