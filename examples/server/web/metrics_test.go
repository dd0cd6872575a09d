package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
)

// TestMetrics scrapes /metrics after a morning's activity: three chats
// for Kallio (nurse Aino takes two, one queues) and a Swedish client's
// callback that Aino calls inside its window and closes resolved.
func TestMetrics(t *testing.T) {
	x := newHost(t, nil)
	aino, client := x.user(), x.user()
	aino.signIn("aino")
	empty := client.do("GET", "/metrics", nil, nil)
	require.Equal(t, http.StatusOK, empty.StatusCode)
	require.Contains(t, empty.Header.Get("Content-Type"), "text/plain")
	require.Contains(t, string(empty.body), "carecontact_same_day_callback_share 0")

	for _, c := range []string{"client-m1", "client-m2", "client-m3"} {
		r := client.do("POST", "/api/contacts", map[string]string{"client": c, "errand": "prescription_renewal", "channel": "chat",
			"postal_code": "00530"}, idem("chat-"+c))
		require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	}
	r := client.do("POST", "/api/contacts", callbackSv, idem("cb"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var cb struct {
		ID      string
		Promise struct{ Start time.Time }
	}
	r.json(t, &cb)
	require.True(t, cb.Promise.Start.Equal(x.clk.Now()), "a window that opens now: the scrape's waits below rely on it")
	x.advance(0) // the window opens now: the callback is due
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 3, "two chats and the due callback")
	for _, o := range d.Offers {
		require.Equal(t, http.StatusOK, aino.post("/api/items/"+o.Item+"/accept", nil).StatusCode)
	}
	x.advance(10 * time.Minute)
	require.Equal(t, http.StatusOK, aino.post("/api/sessions/"+cb.ID+"/close", map[string]string{"outcome": "resolved"}).StatusCode)
	x.advance(5 * time.Minute)

	want := `
# HELP carecontact_callback_promise_kept_ratio carecontact_callbacks_kept over carecontact_callbacks_tested (0 while none is tested).
# TYPE carecontact_callback_promise_kept_ratio gauge
carecontact_callback_promise_kept_ratio 1
# HELP carecontact_callbacks_kept Callbacks whose first call began inside the first promised window (the KPI tally's PromiseKept numerator).
# TYPE carecontact_callbacks_kept gauge
carecontact_callbacks_kept 1
# HELP carecontact_callbacks_promised_total Callback windows promised, by the promising team.
# TYPE carecontact_callbacks_promised_total counter
carecontact_callbacks_promised_total{team="kallio-nurses"} 1
# HELP carecontact_callbacks_tested Callbacks whose first promised window has been tested (PromiseKept's denominator).
# TYPE carecontact_callbacks_tested gauge
carecontact_callbacks_tested 1
# HELP carecontact_contacts_closed_total Contacts closed, by outcome.
# TYPE carecontact_contacts_closed_total counter
carecontact_contacts_closed_total{outcome="resolved"} 1
# HELP carecontact_contacts_total Contacts admitted, by channel and whether the client already waited about the errand.
# TYPE carecontact_contacts_total counter
carecontact_contacts_total{channel="callback",duplicate="false"} 1
carecontact_contacts_total{channel="chat",duplicate="false"} 3
# HELP carecontact_offers_total Offers of work to professionals, by the professional's team and the channel.
# TYPE carecontact_offers_total counter
carecontact_offers_total{channel="callback",team="kallio-nurses"} 1
carecontact_offers_total{channel="chat",team="kallio-nurses"} 2
# HELP carecontact_queue_length Queued contacts the team's members may be offered, by channel, now.
# TYPE carecontact_queue_length gauge
carecontact_queue_length{channel="chat",team="kallio-doctors"} 1
carecontact_queue_length{channel="chat",team="kallio-nurses"} 1
# HELP carecontact_queue_oldest_wait_seconds How long the longest-waiting of those contacts has waited, now.
# TYPE carecontact_queue_oldest_wait_seconds gauge
carecontact_queue_oldest_wait_seconds{channel="chat",team="kallio-doctors"} 900
carecontact_queue_oldest_wait_seconds{channel="chat",team="kallio-nurses"} 900
# HELP carecontact_same_day_callback_share carecontact_same_day_callbacks over carecontact_same_day_callbacks_owed (0 while none is owed).
# TYPE carecontact_same_day_callback_share gauge
carecontact_same_day_callback_share 1
# HELP carecontact_same_day_callbacks Closed callbacks requested on a working day before the cut-off whose first call began the same day.
# TYPE carecontact_same_day_callbacks gauge
carecontact_same_day_callbacks 1
# HELP carecontact_same_day_callbacks_owed Closed callbacks requested on a working day before the cut-off.
# TYPE carecontact_same_day_callbacks_owed gauge
carecontact_same_day_callbacks_owed 1
`
	names := []string{"carecontact_callback_promise_kept_ratio", "carecontact_callbacks_kept", "carecontact_callbacks_promised_total",
		"carecontact_callbacks_tested", "carecontact_contacts_closed_total", "carecontact_contacts_total", "carecontact_offers_total",
		"carecontact_queue_length", "carecontact_queue_oldest_wait_seconds", "carecontact_same_day_callback_share",
		"carecontact_same_day_callbacks", "carecontact_same_day_callbacks_owed"}
	require.NoError(t, testutil.ScrapeAndCompare(x.srv.URL+"/metrics", strings.NewReader(want), names...))

	// Each was accepted as soon as it was offered: three waits of no time.
	m := client.do("GET", "/metrics", nil, nil)
	body := string(m.body)
	require.Contains(t, body, `carecontact_wait_seconds_bucket{channel="callback",team="kallio-nurses",le="30"} 1`)
	require.Contains(t, body, `carecontact_wait_seconds_count{channel="callback",team="kallio-nurses"} 1`)
	require.Contains(t, body, `carecontact_wait_seconds_count{channel="chat",team="kallio-nurses"} 2`)
	require.Contains(t, body, `carecontact_wait_seconds_sum{channel="chat",team="kallio-nurses"} 0`)
	require.NotContains(t, body, "client-", "no client reference in the metrics")
	require.NotContains(t, body, "+358", "no phone number in the metrics")
}

// TestMetricsMissedWindow: nobody is signed in when the window comes;
// the planner reports the promise at risk, and Aino calls an hour after
// the window ended: the promise was not kept.
func TestMetricsMissedWindow(t *testing.T) {
	x := newHost(t, nil)
	aino, client := x.user(), x.user()
	r := client.do("POST", "/api/contacts", callbackSv, idem("cb"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var cb struct {
		ID      string
		Promise struct{ Start, End time.Time }
	}
	r.json(t, &cb)
	x.advance(cb.Promise.End.Add(time.Hour).Sub(x.clk.Now()))
	aino.signIn("aino")
	x.advance(0)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	require.Equal(t, http.StatusOK, aino.post("/api/items/"+d.Offers[0].Item+"/accept", nil).StatusCode)
	waited := x.clk.Now().Sub(cb.Promise.Start).Seconds()
	want := `
# HELP carecontact_callbacks_at_risk_total Callback promises reported at risk, by team.
# TYPE carecontact_callbacks_at_risk_total counter
carecontact_callbacks_at_risk_total{team="kallio-nurses"} 1
# HELP carecontact_callbacks_kept Callbacks whose first call began inside the first promised window (the KPI tally's PromiseKept numerator).
# TYPE carecontact_callbacks_kept gauge
carecontact_callbacks_kept 0
# HELP carecontact_callbacks_tested Callbacks whose first promised window has been tested (PromiseKept's denominator).
# TYPE carecontact_callbacks_tested gauge
carecontact_callbacks_tested 1
# HELP carecontact_callback_promise_kept_ratio carecontact_callbacks_kept over carecontact_callbacks_tested (0 while none is tested).
# TYPE carecontact_callback_promise_kept_ratio gauge
carecontact_callback_promise_kept_ratio 0
`
	require.NoError(t, testutil.ScrapeAndCompare(x.srv.URL+"/metrics", strings.NewReader(want),
		"carecontact_callbacks_at_risk_total", "carecontact_callbacks_kept", "carecontact_callbacks_tested", "carecontact_callback_promise_kept_ratio"))
	body := string(client.do("GET", "/metrics", nil, nil).body)
	require.Contains(t, body, `carecontact_wait_seconds_count{channel="callback",team="kallio-nurses"} 1`)
	require.Contains(t, body, fmt.Sprintf(`carecontact_wait_seconds_sum{channel="callback",team="kallio-nurses"} %g`, waited),
		"the dispatch waited from the window's start to the call")
}
