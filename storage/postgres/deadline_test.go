package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/postgres"
)

// Every store operation, read or change, of every store and of the lease
// runs under the DB's operation timeout: with the pool's one connection
// taken, each returns carecontact.ErrUnavailable (with
// context.DeadlineExceeded in its chain) soon after the deadline, never
// hangs, and writes nothing.
func TestEveryOperationHasADeadline(t *testing.T) {
	ctx := context.Background()
	var obs failures
	full, _ := tunedDB(t, 1, nil, &obs)
	lease, err := full.Lease(postgres.LeaseConfig{Holder: "replica-a"})
	require.NoError(t, err)
	fence, ok, err := lease.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	rec, _, err := full.CallbackStore().OpenOrJoin(ctx, promisedRecord("r1", "client-1"), audit.System("callback"), t0)
	require.NoError(t, err)
	conn, err := full.Pool().Acquire(ctx)
	require.NoError(t, err)
	release := sync.OnceFunc(conn.Release)
	t.Cleanup(release)

	const timeout = 150 * time.Millisecond
	db := postgres.New(full.Pool(), postgres.WithOperationTimeout(timeout))
	lease, err = db.Lease(postgres.LeaseConfig{Holder: "replica-a"})
	require.NoError(t, err)
	routes, callbacks := db.RoutingStore(), db.CallbackStore()
	next := rec.Clone()
	next.Priority++
	res := callback.Reservation{Key: callback.PlanKey{Team: "team-a", Day: planDay}, Fence: fence}
	ops := []struct {
		name string
		op   func() error
	}{
		{"ping", func() error { return db.Ping(ctx) }},
		{"database clock", func() error { _, err := db.Now(ctx); return err }},
		{"prune commit markers", func() error { _, err := db.PruneCommitMarkers(ctx, t0); return err }},
		{"erase a client", func() error { _, err := db.EraseClient(ctx, audit.System("erasure"), "client-1", t0); return err }},
		{"lease acquire", func() error { _, _, err := lease.Acquire(ctx); return err }},
		{"lease renew", func() error { return lease.Renew(ctx) }},
		{"audit record", func() error { return db.AuditLog().Record(ctx, auditEvent(1)) }},
		{"audit events", func() error { _, err := db.AuditLog().Events(ctx, audit.Filter{}); return err }},
		{"audit verify", func() error { _, err := db.AuditLog().Verify(ctx); return err }},
		{"routing register", func() error {
			_, err := routes.RegisterProfessional(ctx, "aino", routing.Capacity{Chat: 1}, t0)
			return err
		}},
		{"routing presence", func() error {
			_, err := routes.SetPresence(ctx, "aino", routing.PresenceAvailable, t0, nil)
			return err
		}},
		{"routing create item", func() error { _, err := routes.CreateItem(ctx, workItem(1), nil); return err }},
		{"routing items", func() error { _, err := routes.Items(ctx); return err }},
		{"routing apply, fenced", func() error {
			_, _, err := storeApply(ctx, routes, &routing.Change{Item: workItem(1), Expect: 1, Fence: fence})
			return err
		}},
		{"callback open", func() error {
			_, _, err := callbacks.OpenOrJoin(ctx, promisedRecord("r2", "client-2"), audit.System("callback"), t0)
			return err
		}},
		{"callback open reserved", func() error {
			_, _, err := callbacks.OpenReserved(ctx, promisedRecord("r3", "client-3"), res, audit.System("callback"), t0)
			return err
		}},
		{"callback get", func() error { _, err := callbacks.Get(ctx, rec.ID); return err }},
		{"callback list", func() error { _, err := callbacks.List(ctx, callback.Filter{OpenOnly: true}); return err }},
		{"callback plan versions", func() error { _, err := callbacks.PlanVersions(ctx, planDay); return err }},
		{"callback update", func() error { _, err := callbacks.Update(ctx, next, nil); return err }},
		{"callback update, fenced", func() error { _, err := callbacks.UpdateFenced(ctx, next, fence, nil); return err }},
		{"callback update reserved", func() error { _, err := callbacks.UpdateReserved(ctx, next, res, nil); return err }},
		{"booking appointments", func() error { _, err := db.BookingStore().ClientAppointments(ctx, "client-1"); return err }},
		{"booking next hold expiry", func() error { _, _, err := db.BookingStore().NextHoldExpiry(ctx); return err }},
		{"booking expired holds", func() error { _, err := db.BookingStore().ExpiredHolds(ctx, t0, 10); return err }},
		{"demand pending", func() error { _, err := db.DemandStore().Pending(ctx, "client-1"); return err }},
		{"demand stats", func() error { _, err := db.DemandStore().Stats(ctx, t0, t0.Add(time.Hour)); return err }},
		{"session list", func() error { _, err := db.SessionStore().List(ctx, session.Filter{}); return err }},
		{"guidance list", func() error { _, err := db.GuidanceStore().List(ctx); return err }},
	}
	for _, tc := range ops {
		t.Run(tc.name, func(t *testing.T) {
			err := within(t, timeout+5*time.Second, tc.op)
			require.ErrorIs(t, err, carecontact.ErrUnavailable)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.True(t, postgres.IsTransient(err))
		})
	}
	release()
	got, err := full.CallbackStore().Get(ctx, rec.ID)
	require.NoError(t, err)
	require.Equal(t, rec, got, "nothing written")
	items, err := full.RoutingStore().Items(ctx)
	require.NoError(t, err)
	require.Empty(t, items, "nothing written")
	require.Zero(t, obs.count(), "waiting for a connection is no failure to retry")
}
