package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestKainuuDirection runs the two shipped Kainuu scenarios through the
// front door with replications: routing callbacks to the client's own
// nurse raises the same-day share of callbacks, beyond the confidence
// intervals, at the same nurse-hours, as reported from Kainuu; the own
// team resolves more, so fewer errands come back as callbacks.
func TestKainuuDirection(t *testing.T) {
	res, err := runKainuu(context.Background(), 3, 0, -1) // the five days: the backlog builds over days
	require.NoError(t, err)
	require.Equal(t, res.PooledHours, res.OwnHours, "the same nurse-hours")
	pooled, _ := kainuuKPI(res.Pooled, "same_day_callback")
	own, _ := kainuuKPI(res.OwnNurse, "same_day_callback")
	require.Equal(t, 3, pooled.N)
	require.Greater(t, own.Low, pooled.High, "own-nurse routing raises the same-day share: %v vs %v", own, pooled)
	for _, rp := range kainuuReported {
		require.Greater(t, rp.After, rp.Before, "the reported direction")
	}
	reqP, _ := kainuuKPI(res.Pooled, "callback_requests")
	reqO, _ := kainuuKPI(res.OwnNurse, "callback_requests")
	require.Less(t, reqO.Mean, reqP.Mean, "fewer errands come back")
	fcrP, _ := kainuuKPI(res.Pooled, "first_contact_resolution")
	fcrO, _ := kainuuKPI(res.OwnNurse, "first_contact_resolution")
	require.Greater(t, fcrO.Mean, fcrP.Mean)
	cont, _ := kainuuKPI(res.OwnNurse, "continuity_own_professional")
	require.Positive(t, cont.Mean, "some callbacks reach the own nurse")

	var out bytes.Buffer
	require.NoError(t, res.writeText(&out))
	require.Contains(t, out.String(), "reported same-day share, Kajaani")
	require.Contains(t, out.String(), "same_day_callback")

	var errb bytes.Buffer
	require.Error(t, run(context.Background(), []string{"kainuu", "extra"}, &out, &errb))
}
