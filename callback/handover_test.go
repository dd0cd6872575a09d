package callback_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// flaky refuses its first dispatches, then takes them.
type flaky struct {
	refuse int
	got    []callback.Record
}

func (f *flaky) Dispatch(_ context.Context, r callback.Record) error {
	if f.refuse > 0 {
		f.refuse--
		return errors.New("routing is down")
	}
	f.got = append(f.got, r)
	return nil
}

// Regression: a dispatch the Dispatcher refused left the request due but
// never handed over again, so nobody called the client.
func TestRefusedDispatchIsHandedOverAgain(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	disp := &flaky{refuse: 1}
	cfg := callback.Config{}
	cfg.Dispatcher = disp
	svc, store := newPlanner(t, cfg, capa)
	now := at(2026, 11, 23, 9, 30)
	p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)

	err = on(svc, p.Window.Start).Advance(ctx)
	require.Error(t, err, "the refusal is reported")
	rec, err := store.Get(ctx, p.Request)
	require.NoError(t, err)
	require.Equal(t, callback.StateDue, rec.State)
	require.True(t, rec.Handover, "marked to be handed over again")
	require.Empty(t, disp.got)

	require.NoError(t, on(svc, p.Window.Start.Add(1)).Advance(ctx))
	require.Len(t, disp.got, 1, "handed over on the next pass")
	require.Equal(t, rec.Dispatches, disp.got[0].Dispatches, "the same dispatch, so a dispatcher that took it once ignores it")
	rec, err = store.Get(ctx, p.Request)
	require.NoError(t, err)
	require.False(t, rec.Handover)

	require.NoError(t, on(svc, p.Window.Start.Add(2)).Advance(ctx))
	require.Len(t, disp.got, 1, "once handed over, not again")
}
