package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Harness tells the suite how to open the adapter's stores. Every field is
// required: an adapter that does not implement a domain's store fails the
// suite rather than skipping it.
//
// Each function opens fresh, empty backing state and returns n store values
// over it (n >= 1). Values must share the state: a change made through one is
// seen through the others, as with several host replicas over one database.
// The harness cleans the state up with t.Cleanup. The suite calls the
// functions from parallel subtests, so they must be safe for concurrent use.
type Harness struct {
	// Name labels the adapter in test output.
	Name string
	// Audit opens n audit logs over one fresh backing state.
	Audit func(t *testing.T, n int) []audit.Log
	// Booking opens n booking stores over one fresh backing state. When
	// the stores also implement audit.Reader, the suite reads the events
	// they wrote with each change.
	Booking func(t *testing.T, n int) []booking.Store
	// Routing opens n routing stores over one fresh backing state.
	Routing func(t *testing.T, n int) []routing.Store
	// Callback opens n callback stores over one fresh backing state.
	Callback func(t *testing.T, n int) []callback.Store
	// Demand opens n duplicate-demand stores over one fresh backing state.
	Demand func(t *testing.T, n int) []demand.Store
	// Session opens n session stores over one fresh backing state.
	Session func(t *testing.T, n int) []session.Store
	// Guidance opens n guidance stores over one fresh backing state and a
	// reader of the audit log they write their events to.
	Guidance func(t *testing.T, n int) ([]guidance.Store, audit.Reader)
	// Tamper changes the stored trail of l behind its back, as someone with
	// write access to the storage would: it edits, deletes or reorders the
	// events of one subject (see Tampering). The suite expects the log's
	// Verify to find each.
	Tamper func(t *testing.T, l audit.Log, how Tampering, subject string)
	// Retention opens one fresh DB of the adapter for the retention and
	// erasure cases: its Purge and EraseClient and its stores over one
	// backing state (see RetentionDB).
	Retention func(t *testing.T) RetentionDB
	// Domain stores are added here by each domain package's suite.
}

// Tampering is a way to change a stored audit trail behind its back.
type Tampering string

// The tamperings the suite asks of Harness.Tamper. Places are a subject's
// events in recorded order, from 1.
const (
	// TamperEdit changes the detail of the subject's second event.
	TamperEdit Tampering = "edit"
	// TamperDelete deletes the subject's second event.
	TamperDelete Tampering = "delete"
	// TamperDeleteLast deletes the subject's last event.
	TamperDeleteLast Tampering = "delete-last"
	// TamperReorder swaps the subject's first and second events.
	TamperReorder Tampering = "reorder"
	// TamperClient changes the client of the subject's first event.
	TamperClient Tampering = "client"
)

// Run runs the conformance suite against the adapter described by h.
func Run(t *testing.T, h Harness) {
	t.Helper()
	require.NotEmpty(t, h.Name, "storagetest: Harness.Name is required")
	require.NotNil(t, h.Audit, "storagetest: Harness.Audit is required")
	require.NotNil(t, h.Booking, "storagetest: Harness.Booking is required")
	require.NotNil(t, h.Routing, "storagetest: Harness.Routing is required")
	require.NotNil(t, h.Callback, "storagetest: Harness.Callback is required")
	require.NotNil(t, h.Demand, "storagetest: Harness.Demand is required")
	require.NotNil(t, h.Session, "storagetest: Harness.Session is required")
	require.NotNil(t, h.Guidance, "storagetest: Harness.Guidance is required")
	require.NotNil(t, h.Tamper, "storagetest: Harness.Tamper is required")
	require.NotNil(t, h.Retention, "storagetest: Harness.Retention is required")
	t.Run("audit", func(t *testing.T) { runAudit(t, h) })
	t.Run("routing", func(t *testing.T) { runRouting(t, h) })
	t.Run("callback", func(t *testing.T) { runCallback(t, h) })
	t.Run("callback planners", func(t *testing.T) { runCallbackPlanners(t, h) })
	t.Run("session", func(t *testing.T) { runSession(t, h) })
	t.Run("demand", func(t *testing.T) { runDemand(t, h) })
	t.Run("booking", func(t *testing.T) { runBooking(t, h) })
	t.Run("guidance", func(t *testing.T) { runGuidance(t, h) })
	t.Run("retention", func(t *testing.T) { runRetention(t, h) })
}
