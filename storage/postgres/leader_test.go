package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// deposedAndCurrent returns the fences of two terms of the default lease:
// replica a's, which it released, and then replica b's, which is current.
func deposedAndCurrent(t *testing.T, dbs []*postgres.DB) (old, cur carecontact.Fence) {
	t.Helper()
	ctx := context.Background()
	a := newLease(t, dbs[0], "replica-a", time.Minute, nil)
	b := newLease(t, dbs[1], "replica-b", time.Minute, nil)
	old, ok, err := a.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.NoError(t, a.Release(ctx))
	cur, ok, err = b.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	return old, cur
}

func newLease(t *testing.T, db *postgres.DB, holder string, ttl time.Duration, clock carecontact.Clock) *postgres.Lease {
	t.Helper()
	l, err := db.Lease(postgres.LeaseConfig{Holder: holder, TTL: ttl, RenewEvery: ttl / 5, Clock: clock})
	require.NoError(t, err)
	return l
}

// The lease row elects one holder at a time on the database's clock; every
// takeover starts a term with a greater token, and the holder of an ended
// term can neither renew it nor, through the routing store, commit a
// decision under its fence.
func TestLeaseElection(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 2)
	const ttl = 400 * time.Millisecond
	a := newLease(t, dbs[0], "replica-a", ttl, nil)
	b := newLease(t, dbs[1], "replica-b", ttl, nil)

	f, ok, err := a.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, carecontact.Fence{Lease: postgres.DefaultLeaseName, Token: 1}, f)
	lf, leading := a.Leading()
	require.True(t, leading)
	require.Equal(t, f, lf)

	_, ok, err = b.Acquire(ctx)
	require.NoError(t, err)
	require.False(t, ok, "held by A")
	_, leading = b.Leading()
	require.False(t, leading)

	require.NoError(t, a.Renew(ctx))
	again, ok, err := a.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, f, again, "the holder acquiring again keeps its term")

	require.NoError(t, a.Release(ctx))
	fb, ok, err := b.Acquire(ctx)
	require.NoError(t, err)
	require.True(t, ok, "a released lease is free at once")
	require.Equal(t, int64(2), fb.Token, "a takeover starts a new term")
	require.ErrorIs(t, a.Renew(ctx), postgres.ErrLeaseLost)
	require.ErrorIs(t, a.Renew(ctx), carecontact.ErrConflict)

	// B stops renewing (it died): A takes over once B's term has expired
	// on the database's clock, trying every RenewEvery.
	tries := 0
	for ; tries < 20; tries++ {
		require.NoError(t, a.Advance(ctx))
		if _, leading := a.Leading(); leading {
			break
		}
		time.Sleep(ttl / 5)
	}
	fa, leading := a.Leading()
	require.True(t, leading)
	require.Equal(t, int64(3), fa.Token)
	require.LessOrEqual(t, tries, 7, "taken over within the TTL and a renewal period or two")
	require.ErrorIs(t, b.Renew(ctx), postgres.ErrLeaseLost)
	_, leading = b.Leading()
	require.False(t, leading)

	// The routing store checks a decision's fence in its transaction.
	store := dbs[0].RoutingStore()
	_, err = store.CreateItem(ctx, workItem(1), nil)
	require.NoError(t, err)
	it := workItem(1)
	it.Step = 0
	tests := []struct {
		name  string
		fence carecontact.Fence
		want  error
	}{
		{"an ended term", fb, routing.ErrNotLeader},
		{"an unknown lease", carecontact.Fence{Lease: "other", Token: 1}, routing.ErrNotLeader},
		{"the current term", fa, nil},
	}
	version := uint64(1)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := storeApply(ctx, store, &routing.Change{Item: it, Expect: version, Fence: tc.fence})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.ErrorIs(t, err, carecontact.ErrConflict)
				got, err := store.Item(ctx, it.ID)
				require.NoError(t, err)
				require.Equal(t, version, got.Version, "nothing written")
				return
			}
			require.NoError(t, err)
			version++
		})
	}

	for _, cfg := range []postgres.LeaseConfig{{TTL: time.Microsecond}, {TTL: time.Second, RenewEvery: time.Second}, {RenewEvery: -1}} {
		_, err := dbs[0].Lease(cfg)
		require.ErrorIs(t, err, carecontact.ErrInvalid)
	}
}

// The callback store checks the fence of a planning pass's reservation in
// the reservation's transaction: a deposed leader's promise is refused
// and writes nothing; the current leader's is made.
func TestCallbackReservationFenced(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 2, 2)
	old, cur := deposedAndCurrent(t, dbs)
	store := dbs[0].CallbackStore()
	key := callback.PlanKey{Team: "team-a", Day: planDay}
	tests := []struct {
		name  string
		id    string
		fence carecontact.Fence
		want  error
	}{
		{"the deposed leader's", "r-old", old, callback.ErrNotLeader},
		{"the current leader's", "r-cur", cur, nil},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := store.OpenReserved(ctx, promisedRecord(tc.id, carecontact.ClientRef(fmt.Sprintf("client-%d", i))),
				callback.Reservation{Key: key, Fence: tc.fence}, audit.System("callback"), t0)
			versions, verr := store.PlanVersions(ctx, planDay)
			require.NoError(t, verr)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.ErrorIs(t, err, carecontact.ErrConflict)
				require.Zero(t, versions[key], "nothing reserved")
				return
			}
			require.NoError(t, err)
			require.Equal(t, int64(1), versions[key])
		})
	}
}
