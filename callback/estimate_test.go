package callback_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// fixedLoad is a callback.Load that reports l for every team, or err.
type fixedLoad struct {
	l   callback.InboundLoad
	err error
}

func (f *fixedLoad) InboundLoad(context.Context, carecontact.TeamID) (callback.InboundLoad, error) {
	return f.l, f.err
}

func TestEstimateWeighsTheLiveInboundLoad(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 2, civil.At(8, 0), civil.At(16, 0))...))
	load := &fixedLoad{}
	svc, _ := newPlanner(t, callback.Config{Load: load}, capa)
	svc = on(svc, at(2026, 11, 23, 10, 0)) // a Monday
	inbound := func() (time.Duration, bool) {
		t.Helper()
		e, err := svc.Estimate(ctx, "team-north", channel.ErrandOther)
		require.NoError(t, err)
		return e.InboundWait, e.InboundOK
	}

	// No callback work and nobody at work on inbound contacts: the
	// callback capacity alone says the call is answered at once.
	w, ok := inbound()
	require.True(t, ok)
	require.Zero(t, w)

	// Both nurses on the phone, two calls waiting: the second of them and
	// the new one are each worked off by the two (10 min default handling).
	load.l = callback.InboundLoad{Waiting: 2, Busy: 2}
	w, ok = inbound()
	require.True(t, ok)
	require.Equal(t, 15*time.Minute, w)
	load.l.Waiting = 4
	w, _ = inbound()
	require.Equal(t, 25*time.Minute, w, "the wait grows with the queue")

	// A free nurse takes the call at once.
	load.l = callback.InboundLoad{Free: 1, Busy: 1}
	w, ok = inbound()
	require.True(t, ok)
	require.Zero(t, w)
	// One free nurse and one call waiting: the free nurse takes that one.
	load.l = callback.InboundLoad{Waiting: 1, Free: 1, Busy: 1}
	w, _ = inbound()
	require.Equal(t, 5*time.Minute, w)

	load.err = errors.New("routing down")
	_, err := svc.Estimate(ctx, "team-north", channel.ErrandOther)
	require.ErrorContains(t, err, "routing down")
}

func TestEstimateTakesTheLaterOfCallbackWorkAndLiveLoad(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	load := &fixedLoad{l: callback.InboundLoad{Busy: 1}}
	svc, _ := newPlanner(t, callback.Config{Load: load}, capa)
	now := at(2026, 11, 23, 8, 0)
	for _, c := range []string{"c1", "c2", "c3", "c4", "c5", "c6"} {
		_, err := on(svc, now).Request(ctx, req(c, callback.NonUrgent))
		require.NoError(t, err)
	}
	_, err := on(svc, now).Plan(ctx)
	require.NoError(t, err)
	e, err := on(svc, now).Estimate(ctx, "team-north", channel.ErrandOther)
	require.NoError(t, err)
	require.Equal(t, 6, e.Due)
	require.Equal(t, time.Hour, e.InboundWait, "the due callbacks, over the 10 min of the live load")

	load.l.Waiting = 6
	e, _ = on(svc, now).Estimate(ctx, "team-north", channel.ErrandOther)
	require.Equal(t, 70*time.Minute, e.InboundWait, "the live queue, over the due callbacks")

	// On a Sunday there is no callback duty, but the live load still tells.
	e, _ = on(svc, at(2026, 11, 22, 10, 0)).Estimate(ctx, "team-north", channel.ErrandOther)
	require.True(t, e.InboundOK)
	require.Equal(t, 70*time.Minute, e.InboundWait)
	load.l = callback.InboundLoad{}
	e, _ = on(svc, at(2026, 11, 22, 10, 0)).Estimate(ctx, "team-north", channel.ErrandOther)
	require.False(t, e.InboundOK, "nobody at work and no callback duty")
}
