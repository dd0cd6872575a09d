package frontdoor_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// The case: both Kallio nurses on the phone with calls waiting.
// From callback capacity alone the inbound wait is zero (no callbacks are
// due and the nurses are on callback duty); with the routing load it
// grows with the queue, and is zero again once a nurse is free.
func TestEstimateCountsTheRoutingLoad(t *testing.T) {
	ctx := context.Background()
	dir := routingDirectory(t)
	now := at(2026, 3, 30, 9, 0) // a Monday; kallio-a is on callback duty 8-10
	clock := carecontact.ClockFunc(func() time.Time { return now })
	disp, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: memory.NewRoutingStore(nil)})
	require.NoError(t, err)
	for _, p := range []carecontact.ProfessionalID{"n-1", "n-2"} {
		_, err = disp.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
	cfg := callback.Config{Audit: memory.NewAuditLog(), Clock: clock, Store: memory.NewCallbackStore(nil),
		Router: frontdoor.RoutingRouter{Directory: dir}, Capacity: frontdoor.NewCalendarCapacity(calendars(t))}
	capacityOnly, err := callback.New(cfg)
	require.NoError(t, err)
	cfg.Load = frontdoor.RoutingLoad{Dispatcher: disp}
	svc, err := callback.New(cfg)
	require.NoError(t, err)
	inbound := func(svc *callback.Planner) time.Duration {
		t.Helper()
		e, err := svc.Estimate(ctx, "kallio-a", channel.ErrandOther)
		require.NoError(t, err)
		require.True(t, e.InboundOK)
		return e.InboundWait
	}
	call := func(id carecontact.ItemID) routing.Item {
		t.Helper()
		it, err := disp.Enqueue(ctx, id, routing.Contact{Client: carecontact.ClientRef("client-" + id),
			Errand: channel.ErrandOther, Channel: channel.InboundPhone, OwnTeam: "kallio-a"})
		require.NoError(t, err)
		return it
	}
	require.Zero(t, inbound(svc), "both nurses free")

	for _, id := range []carecontact.ItemID{"k1", "k2"} {
		it := call(id)
		_, err = disp.Accept(ctx, id, it.Professional)
		require.NoError(t, err)
	}
	call("k3")
	call("k4")
	require.Zero(t, inbound(capacityOnly), "callback capacity alone sees no work")
	waits := []time.Duration{inbound(svc)}
	require.Equal(t, 15*time.Minute, waits[0], "two calls ahead and the new one, over two nurses")
	call("k5")
	waits = append(waits, inbound(svc))
	require.Greater(t, waits[1], waits[0], "the wait grows with the queue")

	for _, id := range []carecontact.ItemID{"k3", "k4", "k5"} {
		require.NoError(t, disp.Rescind(ctx, id, "client left"))
	}
	_, err = disp.Finish(ctx, "k1", "n-1")
	require.NoError(t, err)
	require.Zero(t, inbound(svc), "a nurse is free")

	_, err = frontdoor.RoutingLoad{Dispatcher: disp}.InboundLoad(ctx, "nowhere")
	require.ErrorIs(t, err, routing.ErrUnknownTeam)
	_, err = frontdoor.RoutingLoad{}.InboundLoad(ctx, "kallio-a")
	require.ErrorIs(t, err, callback.ErrConfig)
}
