package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
)

// The client's phone number is kept for the callback, in its own column,
// and nowhere else: not in the stored document, not in the audit trail.
func TestPhoneNumberStaysInItsColumn(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 1, 2)
	s := dbs[0].CallbackStore()
	const phone = "0401234567"
	r := callback.Record{ID: "r-1", Client: "client-1", Phone: phone, Errand: channel.ErrandLabResults,
		Team: "team-a", RequestedAt: t0, Deadline: t0.Add(2 * time.Hour), State: callback.StatePlanned}
	_, _, err := s.OpenOrJoin(ctx, r, audit.System("callback"), t0)
	require.NoError(t, err)
	got, err := s.Get(ctx, "r-1")
	require.NoError(t, err)
	require.Equal(t, callback.Phone(phone), got.Phone, "the number is there for the callback")

	conn, err := pgx.Connect(ctx, dsnOf(dbs[0]))
	require.NoError(t, err)
	defer conn.Close(ctx)
	var doc, column string
	require.NoError(t, conn.QueryRow(ctx, "SELECT doc::text, phone FROM callback_requests WHERE id = 'r-1'").Scan(&doc, &column))
	require.Equal(t, phone, column)
	require.NotContains(t, doc, phone)
	var trail string
	require.NoError(t, conn.QueryRow(ctx, "SELECT coalesce(string_agg(to_jsonb(e)::text, ' '), '') FROM audit_events e").Scan(&trail))
	require.NotEmpty(t, trail)
	require.NotContains(t, trail, phone)
}
