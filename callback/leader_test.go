package callback_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
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
