package memory_test

import (
	"testing"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
	"github.com/carecontact/carecontact/storage/storagetest"
)

// harness opens memory stores for the conformance suite: n values of one
// kind, each from its own Share of one DB, like n host replicas over one
// database.
func harness() storagetest.Harness {
	return storagetest.Harness{
		Name:     "memory",
		Audit:    func(t *testing.T, n int) []audit.Log { return replicas(memory.New(), n, logOf) },
		Booking:  func(t *testing.T, n int) []booking.Store { return replicas(memory.New(), n, bookingOf) },
		Routing:  func(t *testing.T, n int) []routing.Store { return replicas(memory.New(), n, routingOf) },
		Callback: func(t *testing.T, n int) []callback.Store { return replicas(memory.New(), n, callbackOf) },
		Session:  func(t *testing.T, n int) []session.Store { return replicas(memory.New(), n, sessionOf) },
		Demand:   func(t *testing.T, n int) []demand.Store { return replicas(memory.New(), n, demandOf) },
		Guidance: func(t *testing.T, n int) ([]guidance.Store, audit.Reader) {
			db := memory.New()
			return replicas(db, n, guidanceOf), db.AuditLog()
		},
		Tamper: func(t *testing.T, l audit.Log, how storagetest.Tampering, subject string) {
			l.(*memory.AuditLog).Tamper(string(how), subject)
		},
		Retention: func(t *testing.T) storagetest.RetentionDB {
			db := memory.New()
			return storagetest.RetentionDB{DB: db, Log: db.AuditLog(), Session: db.SessionStore(), Callback: db.CallbackStore(),
				Demand: db.DemandStore(), Routing: db.RoutingStore(), Booking: db.BookingStore()}
		},
	}
}

func logOf(db *memory.DB) audit.Log           { return db.AuditLog() }
func bookingOf(db *memory.DB) booking.Store   { return db.BookingStore() }
func routingOf(db *memory.DB) routing.Store   { return db.RoutingStore() }
func callbackOf(db *memory.DB) callback.Store { return db.CallbackStore() }
func sessionOf(db *memory.DB) session.Store   { return db.SessionStore() }
func demandOf(db *memory.DB) demand.Store     { return db.DemandStore() }
func guidanceOf(db *memory.DB) guidance.Store { return db.GuidanceStore() }

// replicas takes a store of one kind from each of n shares of db.
func replicas[S any](db *memory.DB, n int, take func(*memory.DB) S) []S {
	out := make([]S, n)
	for i := range out {
		out[i] = take(db.Share())
	}
	return out
}

func TestConformance(t *testing.T) { storagetest.Run(t, harness()) }
