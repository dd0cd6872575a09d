package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/postgres"
)

// sentinelChannel marks the end of what a test waits for: notifications
// are delivered in commit order, so every notification of a transaction
// that committed before the sentinel's arrives before it.
const sentinelChannel = "carecontact_test_sentinel"

// routingListener is a connection of its own under LISTEN on the routing
// channel and the sentinel's.
type routingListener struct {
	conn *pgx.Conn
	db   *postgres.DB
}

func listenRouting(t *testing.T, db *postgres.DB) *routingListener {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsnOf(db))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	_, err = conn.Exec(ctx, "LISTEN "+postgres.NotifyChannel+"; LISTEN "+sentinelChannel)
	require.NoError(t, err)
	return &routingListener{conn: conn, db: db}
}

// count notifies the sentinel from db's pool and returns how many routing
// notifications arrived before it, each with an empty payload.
func (l *routingListener) count(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := l.db.Pool().Exec(ctx, "SELECT pg_notify($1, '')", sentinelChannel)
	require.NoError(t, err)
	n := 0
	for {
		got, err := l.conn.WaitForNotification(ctx)
		require.NoError(t, err, "the sentinel never arrived")
		if got.Channel == sentinelChannel {
			return n
		}
		require.Equal(t, postgres.NotifyChannel, got.Channel)
		require.Empty(t, got.Payload, "no identifiers travel on the channel")
		n++
	}
}

// A change through the store's Apply notifies once, by the transaction it
// sends after its commit (the triggers stay silent for it), and that
// notification wakes another replica's Notifier.
func TestApplyNotifiesAfterCommit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbs := openDBs(t, 2, 2)
	s := dbs[1].RoutingStore()
	_, err := s.RegisterProfessional(ctx, "aino", routing.Capacity{Chat: 1}, t0)
	require.NoError(t, err)
	_, err = s.SetPresence(ctx, "aino", routing.PresenceAvailable, t0, nil)
	require.NoError(t, err)
	it, err := s.CreateItem(ctx, workItem(1), nil)
	require.NoError(t, err)

	l := listenRouting(t, dbs[1])
	calls := 0
	n, err := dbs[0].Notifier(postgres.NotifierConfig{OnChange: func(context.Context) error { calls++; return nil }, MinInterval: time.Nanosecond})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- n.Listen(ctx) }()
	await := func(what string) {
		t.Helper()
		select {
		case <-n.Wake():
		case <-time.After(10 * time.Second):
			t.Fatalf("no wake: %s", what)
		}
		require.NoError(t, n.Advance(ctx))
	}
	await("listening")
	require.Equal(t, 1, calls)

	offer := it
	offer.State, offer.Professional = routing.ItemOffered, "aino"
	c := routing.Change{Item: offer, Expect: it.Version, Professional: "aino", Slot: routing.SlotChat, Load: 1}
	_, _, err = storeApply(ctx, s, &c)
	require.NoError(t, err)
	await("a claim through the other replica's store")
	require.Equal(t, 2, calls)
	require.Equal(t, 1, l.count(t), "one notification for the claim, not the triggers' as well")

	_, _, err = storeApply(ctx, s, &c)
	require.ErrorIs(t, err, routing.ErrConflict)
	require.Equal(t, 0, l.count(t), "a change refused before its commit notifies nothing")

	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

// The store's other writes notify once each too (by themselves, like
// Apply), and every other writer still notifies through the triggers:
// plain SQL, also on a session whose earlier transaction had set
// carecontact.notify_after locally (it then reads as the empty string, not
// NULL). Only a transaction that sets it to 'on' is silent.
func TestTriggersNotifyOrdinaryWriters(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 1, 1)
	db := dbs[0]
	l := listenRouting(t, db)
	s := db.RoutingStore()

	_, err := s.RegisterProfessional(ctx, "aino", routing.Capacity{Chat: 1}, t0)
	require.NoError(t, err)
	require.Equal(t, 1, l.count(t), "register professional")
	_, err = s.SetPresence(ctx, "aino", routing.PresenceAvailable, t0, nil)
	require.NoError(t, err)
	require.Equal(t, 1, l.count(t), "set presence")
	_, err = s.CreateItem(ctx, workItem(1), nil)
	require.NoError(t, err)
	require.Equal(t, 1, l.count(t), "create item")

	conn, err := pgx.Connect(ctx, dsnOf(db))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	for _, tc := range []struct {
		name    string
		setting string // SET LOCAL carecontact.notify_after to this, if not empty
		want    int
	}{
		{"never set on the session", "", 1},
		{"set to on", "on", 0},
		{"set locally by an earlier transaction", "", 1},
		{"set to anything but on", "off", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx, err := conn.Begin(ctx)
			require.NoError(t, err)
			if tc.setting != "" {
				_, err = tx.Exec(ctx, "SELECT set_config('carecontact.notify_after', $1, true)", tc.setting)
				require.NoError(t, err)
			}
			_, err = tx.Exec(ctx, "UPDATE routing_professionals SET version = version + 1 WHERE id = 'aino'")
			require.NoError(t, err)
			_, err = tx.Exec(ctx, "UPDATE routing_items SET version = version + 1")
			require.NoError(t, err)
			require.NoError(t, tx.Commit(ctx))
			require.Equal(t, tc.want, l.count(t), "two statements, one transaction: folded into one")
		})
	}
}

// When the notification after a committed change fails, the change is
// reported made, it is made once, and the connection goes back to the pool
// usable.
func TestNotifyFailureAfterCommitIsNoFailure(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 1, 1)
	db := dbs[0]
	_, err := db.Pool().Exec(ctx, "CREATE TABLE notify_after_t (n int)")
	require.NoError(t, err)
	tooLong := strings.Repeat("c", 200) // pg_notify refuses channel names beyond 63 bytes
	require.NoError(t, db.NotifyingTx(ctx, tooLong, "INSERT INTO notify_after_t VALUES (1)"))
	var n int
	require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM notify_after_t").Scan(&n))
	require.Equal(t, 1, n, "made once")

	l := listenRouting(t, db)
	require.NoError(t, db.NotifyingTx(ctx, postgres.NotifyChannel, "INSERT INTO notify_after_t VALUES (2)"))
	require.Equal(t, 1, l.count(t), "the pool's one connection notifies again")
	err = db.NotifyingTx(ctx, postgres.NotifyChannel, "INSERT INTO notify_after_t VALUES ('x')")
	require.Error(t, err, "a failed change")
	require.NotErrorIs(t, err, carecontact.ErrUnavailable)
	require.Equal(t, 0, l.count(t), "a failed change notifies nothing")
	require.NoError(t, db.Pool().QueryRow(ctx, "SELECT count(*) FROM notify_after_t").Scan(&n))
	require.Equal(t, 2, n)
}
