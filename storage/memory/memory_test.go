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

// Harness opens memory stores for the conformance suite; n values share one
// backing state.
func harness() storagetest.Harness {
	return storagetest.Harness{
		Name: "memory",
		Audit: func(t *testing.T, n int) []audit.Log {
			l := memory.NewAuditLog()
			out := make([]audit.Log, n)
			for i := range out {
				out[i] = l
			}
			return out
		},
		Booking: func(t *testing.T, n int) []booking.Store {
			s := memory.NewBookingStore(nil)
			out := make([]booking.Store, n)
			for i := range out {
				out[i] = s.Share()
			}
			return out
		},
		Routing: func(t *testing.T, n int) []routing.Store {
			s := memory.NewRoutingStore(nil)
			out := make([]routing.Store, n)
			for i := range out {
				out[i] = s
			}
			return out
		},
		Callback: func(t *testing.T, n int) []callback.Store {
			s := memory.NewCallbackStore(nil)
			out := make([]callback.Store, n)
			for i := range out {
				out[i] = s.Share()
			}
			return out
		},
		Session: func(t *testing.T, n int) []session.Store {
			s := memory.NewSessionStore(nil)
			out := make([]session.Store, n)
			for i := range out {
				out[i] = s.Share()
			}
			return out
		},
		Guidance: func(t *testing.T, n int) ([]guidance.Store, audit.Reader) {
			log := memory.NewAuditLog()
			s := memory.NewGuidanceStore(log)
			out := make([]guidance.Store, n)
			for i := range out {
				out[i] = s
			}
			return out, log
		},
		Demand: func(t *testing.T, n int) []demand.Store {
			s := memory.NewDemandStore(nil)
			out := make([]demand.Store, n)
			for i := range out {
				out[i] = s.Share()
			}
			return out
		},
	}
}

func TestConformance(t *testing.T) { storagetest.Run(t, harness()) }
