package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/storage/postgres"
)

var planDay = time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC) // 2026-11-23 in Helsinki

func promisedRecord(id string, client carecontact.ClientRef) callback.Record {
	return callback.Record{ID: id, Client: client, Phone: "0401234567", Errand: channel.ErrandLabResults,
		Team: "team-a", RequestedAt: t0, Deadline: t0.Add(8 * time.Hour), Handling: 10 * time.Minute,
		Window: callback.Window{Start: planDay.Add(8 * time.Hour), End: planDay.Add(10 * time.Hour)},
		State:  callback.StatePlanned}
}

// A reservation whose connection is terminated while it waits for the
// day's plan row is run again on a fresh connection and made once.
func TestReservationSurvivesKilledConnection(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		version int64
		query   string
	}{
		{"a day's first promise", 0, "%INSERT INTO callback_plans%"},
		{"a later promise", 1, "%UPDATE callback_plans%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := openDBs(t, 1, 2)[0]
			s := db.CallbackStore()
			key := callback.PlanKey{Team: "team-a", Day: planDay}
			if tc.version > 0 {
				_, _, err := s.OpenReserved(ctx, promisedRecord("r0", "client-0"), callback.Reservation{Key: key}, audit.System("callback"), t0)
				require.NoError(t, err)
			}
			err := killMidway(t, dsnOf(db), "callback_plans", tc.query, func() error {
				_, _, err := s.OpenReserved(ctx, promisedRecord("r1", "client-1"),
					callback.Reservation{Key: key, Version: tc.version}, audit.System("callback"), t0)
				return err
			})
			require.NoError(t, err, "retried on a fresh connection")
			versions, err := s.PlanVersions(ctx, planDay)
			require.NoError(t, err)
			require.Equal(t, map[callback.PlanKey]int64{key: tc.version + 1}, versions, "reserved once")
			evs, err := db.AuditLog().Events(ctx, audit.Filter{Subject: callback.Subject("r1")})
			require.NoError(t, err)
			require.Len(t, evs, 1, "opened once")
		})
	}
}

// A reservation that keeps timing out (the day's row is locked past the
// server's statement_timeout) is ErrUnavailable, never a raw database
// error, and its text names neither the client nor the phone number.
func TestReservationTimesOutUnavailable(t *testing.T) {
	ctx := context.Background()
	var obs failures
	db, dsn := tunedDB(t, 2, statementTimeout, &obs, postgres.WithOperationTimeout(time.Second))
	lockTable(t, dsn, "callback_plans")
	r := promisedRecord("r1", "client-7")
	err := within(t, 30*time.Second, func() error {
		_, _, err := db.CallbackStore().OpenReserved(ctx, r, callback.Reservation{Key: callback.PlanKey{Team: "team-a", Day: planDay}},
			audit.System("callback"), t0)
		return err
	})
	require.ErrorIs(t, err, carecontact.ErrUnavailable)
	require.Contains(t, obs.codes(), "57014", "the timed-out statement was retried")
	require.NotContains(t, err.Error(), "0401234567")
	require.NotContains(t, err.Error(), "client-7")
	t.Log(err)
}
