package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/frontdoor"
)

func TestRunIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, run(context.Background(), &a))
	require.NoError(t, run(context.Background(), &b))
	require.Equal(t, a.String(), b.String())
	out := a.String()
	for _, want := range []string{"same-day share", "p50", "p90", "promise kept rate", "attempts per request", "callback requests"} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "+35840", "phone numbers never printed")
	t.Log("\n" + out)
}

// The day's figures, from the deterministic run: the planner's KPIs over
// its records and the front door's over its events agree.
func TestTheDayInFigures(t *testing.T) {
	res, err := simulate(context.Background())
	require.NoError(t, err)
	merged := 0
	for _, c := range res.promises {
		if c.Merged {
			merged++
		}
	}
	require.Len(t, res.promises, 520, "500 clients, 20 of them twice")
	require.Equal(t, 19, merged, "19 repeats joined the waiting request; one came after its first was settled")

	k := res.planner
	require.Equal(t, 501, k.Requests)
	require.Equal(t, 446, k.BeforeCutoff)
	require.Equal(t, 446, k.SameDay, "every request before the cut-off was called the same day")
	require.True(t, k.TargetMet)
	require.Equal(t, 493, k.Kept)
	require.Equal(t, 501, k.Promised)
	require.Equal(t, 476, k.Reached)
	require.Equal(t, 25, k.ClosedByOutcome, "the clients who answer no call get a secure message")
	require.Zero(t, k.Open, "nothing is left waiting at the end of the week")
	require.Equal(t, k.Requests, k.Reached+k.ClosedByOutcome)
	require.Equal(t, k.Attempts, res.events[frontdoor.EventAccepted], "every attempt is an acceptance at the door")
	require.Equal(t, k.Attempts-k.Requests, res.events[frontdoor.EventCallbackRetry], "every unanswered attempt but the last is retried")

	d := res.door
	require.Equal(t, 520, d.Contacts)
	require.Equal(t, frontdoor.Ratio{Num: 19, Den: 520}, d.DuplicateDemand)
	require.Equal(t, frontdoor.Ratio{Num: k.SameDay, Den: k.BeforeCutoff}, d.SameDayCallback)
	require.Equal(t, frontdoor.Ratio{Num: k.Kept, Den: k.Promised}, d.PromiseKept)
	require.Equal(t, frontdoor.Ratio{Num: k.Reached, Den: k.Requests}, d.FirstContactResolution)
	require.Equal(t, k.DelayP50, d.CallbackDelay.P50)
	require.Equal(t, 501, res.events[frontdoor.EventClosed])
}
