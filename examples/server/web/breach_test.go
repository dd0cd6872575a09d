package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
)

// TestMetricsBreached drives the clock through a broken promise. Nobody
// is signed in when the 8-10 window comes: the planner reports the
// promise at risk and keeps the request due up to its deadline, the end
// of the working day (16:00 in Helsinki). At 15:59 the breach counter is
// still absent; Aino signs in at 16:01 and calls: the door reports the
// call as begun after the deadline (frontdoor.EventCallbackBreached) and
// /metrics counts exactly one breach for the promising team, while the
// promise is not kept (the KPI tally).
func TestMetricsBreached(t *testing.T) {
	x := newHost(t, nil)
	aino, client := x.user(), x.user()
	r := client.do("POST", "/api/contacts", callbackSv, idem("cb"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var cb struct {
		ID      string
		Promise struct{ Start, End time.Time }
	}
	r.json(t, &cb)
	rec, err := x.demo.Door.Parts().Callbacks.Get(t.Context(), audit.System("test"), cb.ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 11, 23, 16, 0, 0, 0, civil.Helsinki()), rec.Deadline.In(civil.Helsinki()),
		"the deadline is the end of the working day")
	require.True(t, cb.Promise.End.Before(rec.Deadline))

	x.advance(rec.Deadline.Add(-time.Minute).Sub(x.clk.Now()))
	before := string(client.do("GET", "/metrics", nil, nil).body)
	require.Contains(t, before, `carecontact_callbacks_at_risk_total{team="kallio-nurses"}`, "the window passed unanswered")
	require.NotContains(t, before, "carecontact_callbacks_breached_total{", "a minute before the deadline nothing is breached")

	x.advance(2 * time.Minute)
	aino.signIn("aino")
	x.advance(0)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	require.Equal(t, http.StatusOK, aino.post("/api/items/"+d.Offers[0].Item+"/accept", nil).StatusCode)
	var flags struct{ Contacts []struct{ Breached bool } }
	aino.do("GET", "/api/desk", nil, nil).json(t, &flags)
	require.Len(t, flags.Contacts, 1)
	require.True(t, flags.Contacts[0].Breached, "the desk flags the breach")

	want := `
# HELP carecontact_callbacks_breached_total Callbacks whose call began after the client's deadline, by team.
# TYPE carecontact_callbacks_breached_total counter
carecontact_callbacks_breached_total{team="kallio-nurses"} 1
# HELP carecontact_callbacks_kept Callbacks whose first call began inside the first promised window (the KPI tally's PromiseKept numerator).
# TYPE carecontact_callbacks_kept gauge
carecontact_callbacks_kept 0
# HELP carecontact_callbacks_tested Callbacks whose first promised window has been tested (PromiseKept's denominator).
# TYPE carecontact_callbacks_tested gauge
carecontact_callbacks_tested 1
`
	require.NoError(t, testutil.ScrapeAndCompare(x.srv.URL+"/metrics", strings.NewReader(want),
		"carecontact_callbacks_breached_total", "carecontact_callbacks_kept", "carecontact_callbacks_tested"))
}
