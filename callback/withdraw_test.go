package callback_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

func TestWithdraw(t *testing.T) {
	ctx := context.Background()
	system := audit.System("channel.settle")
	tests := []struct {
		name    string
		prepare func(t *testing.T, svc *callback.Planner, id string, now time.Time)
		wantErr error
		wantOut callback.Outcome
	}{
		{"planned request", func(*testing.T, *callback.Planner, string, time.Time) {}, nil, callback.OutcomeWithdrawn},
		{"in call", func(t *testing.T, svc *callback.Planner, id string, now time.Time) {
			_, err := on(svc, now.Add(30*time.Minute)).Plan(ctx)
			require.NoError(t, err)
			_, err = on(svc, now.Add(31*time.Minute)).Accept(ctx, id, "n-1")
			require.NoError(t, err)
		}, callback.ErrInCall, ""},
		{"already reached", func(t *testing.T, svc *callback.Planner, id string, now time.Time) {
			_, err := on(svc, now.Add(30*time.Minute)).Plan(ctx)
			require.NoError(t, err)
			_, err = on(svc, now.Add(31*time.Minute)).Accept(ctx, id, "n-1")
			require.NoError(t, err)
			_, _, err = on(svc, now.Add(35*time.Minute)).Complete(ctx, id, "n-1", callback.Answered)
			require.NoError(t, err)
		}, nil, callback.OutcomeReached},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capa := callback.NewStaticCapacity(nil)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			svc, _ := newPlanner(t, callback.Config{}, capa)
			now := at(2026, 11, 23, 9, 30)
			p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
			require.NoError(t, err)
			tc.prepare(t, svc, p.Request, now)

			later := now.Add(40 * time.Minute)
			got, _, err := on(svc, later).Withdraw(ctx, p.Request, system)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, callback.StateClosed, got.State)
			require.Equal(t, tc.wantOut, got.Out)

			// Nobody is ever offered a withdrawn request, and withdrawing
			// twice changes nothing.
			_, err = on(svc, at(2026, 11, 23, 15, 0)).Plan(ctx)
			require.NoError(t, err)
			_, err = on(svc, at(2026, 11, 23, 15, 0)).Take(ctx, "team-north", "n-1")
			require.ErrorIs(t, err, callback.ErrNothingDue)
			again, _, err := on(svc, later.Add(time.Minute)).Withdraw(ctx, p.Request, system)
			require.NoError(t, err)
			require.Equal(t, got.Version, again.Version)
		})
	}
}

func TestWithdrawnRequestsLeaveSameDayShareAlone(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	svc, _ := newPlanner(t, callback.Config{}, capa)
	now := at(2026, 11, 23, 9, 0)
	a, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	b, err := on(svc, now).Request(ctx, req("c2", callback.NonUrgent))
	require.NoError(t, err)
	_, _, err = on(svc, now.Add(5*time.Minute)).Withdraw(ctx, b.Request, audit.System("channel.settle"))
	require.NoError(t, err)
	_, err = on(svc, now.Add(time.Hour)).Plan(ctx)
	require.NoError(t, err)
	rec, err := on(svc, now.Add(time.Hour)).Take(ctx, "team-north", "n-1")
	require.NoError(t, err)
	require.Equal(t, a.Request, rec.ID)
	_, _, err = on(svc, now.Add(70*time.Minute)).Complete(ctx, a.Request, "n-1", callback.Answered)
	require.NoError(t, err)

	k, err := on(svc, at(2026, 11, 23, 17, 0)).KPIs(ctx, at(2026, 11, 23, 0, 0), at(2026, 11, 24, 0, 0))
	require.NoError(t, err)
	require.Equal(t, 1, k.Withdrawn)
	require.Equal(t, 1, k.BeforeCutoff)
	require.Equal(t, 1.0, k.SameDayShare)
	require.Equal(t, 1, k.Closed)
	require.Equal(t, 1.0, k.AttemptsPerRequest)
}

func TestRequestJSONCarriesNoPhone(t *testing.T) {
	data, err := json.Marshal(req("c1", callback.Urgent))
	require.NoError(t, err)
	require.NotContains(t, string(data), "401234567")
}

// A request withdrawn after an unanswered attempt is closed, but neither
// reached nor closed with the closing outcome (nobody gave up on it).
func TestWithdrawnAfterAnAttemptIsNotUnreached(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	svc, _ := newPlanner(t, callback.Config{}, capa)
	now := at(2026, 11, 23, 9, 0)
	p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	_, err = on(svc, now.Add(time.Hour)).Plan(ctx)
	require.NoError(t, err)
	_, err = on(svc, now.Add(time.Hour)).Take(ctx, "team-north", "n-1")
	require.NoError(t, err)
	_, _, err = on(svc, now.Add(62*time.Minute)).Complete(ctx, p.Request, "n-1", callback.NoAnswer)
	require.NoError(t, err)
	_, _, err = on(svc, now.Add(70*time.Minute)).Withdraw(ctx, p.Request, audit.System("channel.settle"))
	require.NoError(t, err)

	k, err := on(svc, at(2026, 11, 23, 17, 0)).KPIs(ctx, at(2026, 11, 23, 0, 0), at(2026, 11, 24, 0, 0))
	require.NoError(t, err)
	require.Equal(t, 1, k.Closed)
	require.Zero(t, k.Reached)
	require.Zero(t, k.ClosedByOutcome)
	require.Zero(t, k.Withdrawn, "withdrawn after a call: it counts for the same-day share")
	require.Equal(t, 1, k.SameDay)
}
