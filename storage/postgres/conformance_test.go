package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/postgres"
	"github.com/carecontact/carecontact/storage/storagetest"
)

// harness opens postgres stores for the conformance suite: each call makes
// a fresh database and n DB values on separate pools over it, like n host
// replicas.
func harness() storagetest.Harness {
	return storagetest.Harness{
		Name: "postgres",
		Audit: func(t *testing.T, n int) []audit.Log {
			return stores(t, n, (*postgres.DB).AuditLog, func(l *postgres.AuditLog) audit.Log { return l })
		},
		Booking: func(t *testing.T, n int) []booking.Store {
			return stores(t, n, (*postgres.DB).BookingStore, func(s *postgres.BookingStore) booking.Store { return s })
		},
		Routing: func(t *testing.T, n int) []routing.Store {
			return stores(t, n, (*postgres.DB).RoutingStore, func(s *postgres.RoutingStore) routing.Store { return s })
		},
		Callback: func(t *testing.T, n int) []callback.Store {
			return stores(t, n, (*postgres.DB).CallbackStore, func(s *postgres.CallbackStore) callback.Store { return s })
		},
		Guidance: func(t *testing.T, n int) ([]guidance.Store, audit.Reader) {
			dbs := openDBs(t, n, 4)
			out := make([]guidance.Store, n)
			for i, db := range dbs {
				out[i] = db.GuidanceStore()
			}
			return out, dbs[0].AuditLog()
		},
		Demand: func(t *testing.T, n int) []demand.Store {
			return stores(t, n, (*postgres.DB).DemandStore, func(s *postgres.DemandStore) demand.Store { return s })
		},
		Session: func(t *testing.T, n int) []session.Store {
			return stores(t, n, (*postgres.DB).SessionStore, func(s *postgres.SessionStore) session.Store { return s })
		},
		Tamper: func(t *testing.T, l audit.Log, how storagetest.Tampering, subject string) {
			require.NoError(t, l.(*postgres.AuditLog).Tamper(context.Background(), string(how), subject))
		},
		Retention: func(t *testing.T) storagetest.RetentionDB {
			db := openDBs(t, 1, 4)[0]
			return storagetest.RetentionDB{DB: db, Log: db.AuditLog(), Session: db.SessionStore(), Callback: db.CallbackStore(),
				Demand: db.DemandStore(), Routing: db.RoutingStore(), Booking: db.BookingStore()}
		},
	}
}

// stores opens n DB values over one fresh database and takes a store of
// one kind from each.
func stores[S any, I any](t *testing.T, n int, take func(*postgres.DB) S, as func(S) I) []I {
	dbs := openDBs(t, n, 4)
	out := make([]I, n)
	for i, db := range dbs {
		out[i] = as(take(db))
	}
	return out
}

func TestConformance(t *testing.T) { storagetest.Run(t, harness()) }
