package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

// A row chained before migration 11 holds a client actor's ID as it is
// (actor_digest empty). Erasure replaces its client but leaves its
// actor_id, so the chain still verifies.
func TestEraseKeepsTheActorOfRowsChainedBeforeActorDigests(t *testing.T) {
	ctx := context.Background()
	db := openDBs(t, 1, 2)[0]
	log := db.AuditLog()
	e := audit.Event{ID: "old-1", At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
		Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-old"}, Action: "booking.book",
		Subject: "appointment/old", Client: "client-old", Outcome: audit.Allowed}
	require.NoError(t, log.Record(ctx, e))
	// Rewrite the row and its head as the code before migration 11 chained it.
	d := audit.ClientDigest(e.Client)
	h := audit.Chain(audit.Hash{}, 1, e, d, "")
	_, err := db.Pool().Exec(ctx, `UPDATE audit_events SET actor_digest = '', hash = $2 WHERE id = $1`, e.ID, h[:])
	require.NoError(t, err)
	_, err = db.Pool().Exec(ctx, `UPDATE audit_heads SET hash = $2 WHERE stream = $1`, e.Subject, h[:])
	require.NoError(t, err)
	v, err := log.Verify(ctx)
	require.NoError(t, err)
	require.Nil(t, v.Broken, "the old link verifies")

	er, err := db.EraseClient(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "dpo-1"}, "client-old", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.Equal(t, 1, er.Changed.AuditEvents)
	v, err = log.Verify(ctx)
	require.NoError(t, err)
	require.Nil(t, v.Broken, "the chain verifies after the erasure")
	got, err := log.Events(ctx, audit.Filter{Subject: e.Subject})
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, er.Pseudonym, got[0].Client, "the client is replaced")
	require.Equal(t, "client-old", got[0].Actor.ID, "the actor, chained as it is, stays")
}
