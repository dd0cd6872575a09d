package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// acceptedCallback makes a client's callback due and has aino accept it.
func acceptedCallback(t *testing.T, x *host, aino *user) string {
	t.Helper()
	var cb struct {
		ID      string
		Promise struct{ Start time.Time }
	}
	x.user().do("POST", "/api/contacts", callbackSv, idem("video")).json(t, &cb)
	x.advance(cb.Promise.Start.Sub(x.clk.Now()))
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	r := aino.post("/api/items/"+d.Offers[0].Item+"/accept", nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Contains(t, d.Contacts[0].Actions, "switch")
	return cb.ID
}

func TestSwitchToVideoAndInvite(t *testing.T) {
	x := newHost(t, nil)
	aino, dora := x.user(), x.user()
	aino.signIn("aino")
	dora.signIn("dora")
	id := acceptedCallback(t, x, aino)
	base := "/api/sessions/" + id

	before := len(x.refusals())
	aino.post(base+"/switch", map[string]any{"to": "video"}).problem(t, http.StatusForbidden) // no consent
	require.Len(t, x.refusals(), before+1, "the refused switch is audited")
	bad := []struct {
		name, path string
		body       any
		status     int
	}{
		{"identify without level", "/identify", map[string]string{"method": "bank_id"}, http.StatusBadRequest},
		{"identify without method", "/identify", map[string]string{"level": "strong"}, http.StatusBadRequest},
		{"switch without channel", "/switch", map[string]any{"consent": true}, http.StatusBadRequest},
		{"invite before the video", "/invite", map[string]string{"guest": "dora", "role": "doctor"}, http.StatusConflict},
		{"invite without guest", "/invite", map[string]string{"role": "doctor"}, http.StatusBadRequest},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			aino.post(base+tt.path, tt.body).problem(t, tt.status)
		})
	}
	r := aino.post(base+"/identify", map[string]string{"level": "strong", "method": "bank_id"})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	r = aino.post(base+"/switch", map[string]any{"to": "video", "consent": true})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var s struct{ Channel string }
	r.json(t, &s)
	require.Equal(t, "video", s.Channel)
	aino.post(base+"/invite", map[string]string{"guest": "nobody", "role": "doctor"}).problem(t, http.StatusNotFound)
	r = aino.post(base+"/invite", map[string]string{"guest": "dora", "role": "doctor"})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Equal(t, []string{"dora"}, d.Contacts[0].Guests)
	dora.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Contacts, 1)
	require.Equal(t, []string{"leave"}, d.Contacts[0].Actions)
}

func TestSwitchAndInviteFromTheDeskPage(t *testing.T) {
	x := newHost(t, nil)
	aino, dora := x.user(), x.user()
	aino.signIn("aino")
	dora.signIn("dora")
	id := acceptedCallback(t, x, aino)
	page := aino.do("GET", "/desk", nil, nil)
	require.Contains(t, string(page.body), `<label for="consent-`+id+`">Client consents</label>`)
	tok := formCSRF(t, page)
	r := aino.do("POST", "/desk/sessions/"+id+"/switch", url.Values{"csrf": {tok}, "to": {"video"}, "identified": {"on"}}, nil)
	require.Equal(t, "/desk?error=not-allowed", r.Header.Get("Location"), "no consent")
	r = aino.do("POST", "/desk/sessions/"+id+"/switch", url.Values{"csrf": {tok}, "to": {"video"}, "identified": {"on"}, "consent": {"on"}}, nil)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	r = aino.do("POST", "/desk/sessions/"+id+"/invite", url.Values{"csrf": {tok}, "guest": {"dora"}, "role": {"doctor"}}, nil)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	require.Contains(t, string(dora.do("GET", "/desk", nil, nil).body), "guest")
}
