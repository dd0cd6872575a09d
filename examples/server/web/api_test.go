package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/examples/server/web"
)

var callbackSv = map[string]string{"client": "client-7", "errand": "infection_symptoms", "channel": "callback",
	"postal_code": "00530", "language": "sv-FI", "phone": "+358401234567"}

func idem(key string) map[string]string { return map[string]string{"Idempotency-Key": key} }

func TestHost(t *testing.T) {
	x := newHost(t, nil)
	anon := x.user()
	for _, path := range []string{"/healthz", "/readyz", "/openapi.json", "/", "/login", "/callback?lang=sv", "/static/site.css", "/static/desk.js"} {
		r := anon.do("GET", path, nil, nil)
		require.Equal(t, http.StatusOK, r.StatusCode, path)
		require.Equal(t, "nosniff", r.Header.Get("X-Content-Type-Options"))
		require.Contains(t, r.Header.Get("Content-Security-Policy"), "default-src 'self'")
	}
	anon.do("GET", "/no/such/route", nil, nil).problem(t, http.StatusNotFound)
}

func TestSignIn(t *testing.T) {
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"wrong password", map[string]string{"professional": "aino", "password": "guess"}, http.StatusUnauthorized},
		{"unknown user", map[string]string{"professional": "mallory", "password": "x"}, http.StatusUnauthorized},
		{"not JSON", "{", http.StatusBadRequest},
		{"unknown field", `{"professional":"aino","password":"aino-demo","team":"kallio-doctors"}`, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newHost(t, nil)
			x.user().do("POST", "/api/login", tt.body, nil).problem(t, tt.status)
			if tt.status == http.StatusUnauthorized {
				es := x.refusals()
				require.Len(t, es, 1)
				require.Equal(t, audit.Denied, es[0].Outcome)
				require.Equal(t, "route:POST /api/login", es[0].Subject)
			}
		})
	}
	t.Run("teams come from the directory", func(t *testing.T) {
		x := newHost(t, nil)
		u := x.user()
		r := u.do("POST", "/api/login", map[string]string{"professional": "dora", "password": "dora-demo"}, nil)
		var s struct {
			Teams []string
			CSRF  string
		}
		r.json(t, &s)
		require.Equal(t, []string{"kallio-doctors"}, s.Teams)
		u.csrf = s.CSRF
		require.Equal(t, http.StatusNoContent, u.post("/api/logout", nil).StatusCode)
		u.do("GET", "/api/desk", nil, nil).problem(t, http.StatusUnauthorized)
	})
}

func TestRefusedAccess(t *testing.T) {
	x := newHost(t, nil)
	aino := x.user()
	aino.signIn("aino")
	anon := x.user()
	tests := []struct {
		name   string
		u      *user
		method string
		path   string
		hdr    map[string]string
		status int
		actor  string
		body   any
	}{
		{"desk unsigned", anon, "GET", "/api/desk", nil, http.StatusUnauthorized, "web", nil},
		{"accept unsigned", anon, "POST", "/api/items/k1/accept", nil, http.StatusUnauthorized, "web", nil},
		{"decline unsigned", anon, "POST", "/api/items/k1/decline", nil, http.StatusUnauthorized, "web", nil},
		{"close unsigned", anon, "POST", "/api/sessions/k1/close", nil, http.StatusUnauthorized, "web", nil},
		{"logout unsigned", anon, "POST", "/api/logout", nil, http.StatusUnauthorized, "web", nil},
		{"accept without CSRF", aino, "POST", "/api/items/k1/accept", nil, http.StatusForbidden, "aino", nil},
		{"accept with a wrong CSRF", aino, "POST", "/api/items/k1/accept", map[string]string{"X-CSRF-Token": "x"}, http.StatusForbidden, "aino", nil},
		{"desk page unsigned", anon, "GET", "/desk", nil, http.StatusUnauthorized, "web", nil},
		{"desk events unsigned", anon, "GET", "/desk/events", nil, http.StatusUnauthorized, "web", nil},
		{"desk work unsigned", anon, "GET", "/desk/work", nil, http.StatusUnauthorized, "web", nil},
		{"desk accept form unsigned", anon, "POST", "/desk/items/k1/accept", nil, http.StatusUnauthorized, "web", nil},
		{"desk decline form without CSRF", aino, "POST", "/desk/items/k1/decline", nil, http.StatusForbidden, "aino", nil},
		{"desk close form without CSRF", aino, "POST", "/desk/sessions/k1/close", nil, http.StatusForbidden, "aino", nil},
		{"logout form unsigned", anon, "POST", "/logout", nil, http.StatusUnauthorized, "web", nil},
		{"login form without CSRF", anon, "POST", "/login", nil, http.StatusForbidden, "web", url.Values{"professional": {"aino"}, "password": {"aino-demo"}}},
		{"callback form without CSRF", anon, "POST", "/callback", nil, http.StatusForbidden, "web", url.Values{"client": {"c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(x.refusals())
			tt.u.do(tt.method, tt.path, tt.body, tt.hdr).problem(t, tt.status)
			es := x.refusals()
			require.Len(t, es, before+1)
			e := es[len(es)-1]
			require.Equal(t, tt.actor, e.Actor.ID)
			require.Equal(t, audit.Denied, e.Outcome)
			require.Equal(t, "route:"+tt.method+" "+routeOf(tt.path), e.Subject)
		})
	}
}

func routeOf(path string) string {
	for _, r := range []struct{ prefix, route string }{
		{"/api/items/k1/accept", "/api/items/{id}/accept"}, {"/api/items/k1/decline", "/api/items/{id}/decline"},
		{"/api/sessions/k1/close", "/api/sessions/{id}/close"}, {"/desk/items/k1/accept", "/desk/items/{id}/accept"},
		{"/desk/items/k1/decline", "/desk/items/{id}/decline"}, {"/desk/sessions/k1/close", "/desk/sessions/{id}/close"},
	} {
		if path == r.prefix {
			return r.route
		}
	}
	return path
}

func TestContacts(t *testing.T) {
	x := newHost(t, nil)
	c := x.user()
	tests := []struct {
		name   string
		body   any
		key    string
		status int
		field  string
	}{
		{"no idempotency key", callbackSv, "", http.StatusBadRequest, "Idempotency-Key"},
		{"not JSON", "[", "k-bad", http.StatusBadRequest, "body"},
		{"a form, not JSON", url.Values{"client": {"c1"}}, "k-form", http.StatusBadRequest, "Content-Type"},
		{"no client", map[string]string{"errand": "lab_results", "channel": "chat", "postal_code": "00530"}, "k-noclient", http.StatusBadRequest, "client"},
		{"no errand", map[string]string{"client": "c1", "channel": "chat", "postal_code": "00530"}, "k-noerrand", http.StatusBadRequest, "errand"},
		{"malformed postal code", map[string]string{"client": "c1", "errand": "lab_results", "channel": "chat", "postal_code": "5"}, "k-pc", http.StatusBadRequest, ""},
		{"postal code of no area", map[string]string{"client": "c1", "errand": "lab_results", "channel": "chat", "postal_code": "99999"}, "k-pc2", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hdr map[string]string
			if tt.key != "" {
				hdr = idem(tt.key)
			}
			p := c.do("POST", "/api/contacts", tt.body, hdr).problem(t, tt.status)
			if tt.field != "" {
				require.Equal(t, tt.field, p["field"])
			}
		})
	}
	t.Run("callback in Swedish, replayed", func(t *testing.T) {
		r := c.do("POST", "/api/contacts", callbackSv, idem("k-sv"))
		require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
		var a struct {
			ID      string
			Promise struct{ Start, End time.Time }
			Text    struct{ Plain, Language string }
		}
		r.json(t, &a)
		require.False(t, a.Promise.Start.IsZero())
		require.Equal(t, "sv", a.Text.Language)
		require.Contains(t, a.Text.Plain, "Vi ringer dig")
		require.NotContains(t, string(r.body), "+358", "the phone number is not echoed")
		again := c.do("POST", "/api/contacts", callbackSv, idem("k-sv"))
		require.Equal(t, string(r.body), string(again.body))
		require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		other := map[string]string{"client": "client-8", "errand": "lab_results", "channel": "chat", "postal_code": "00530"}
		c.do("POST", "/api/contacts", other, idem("k-sv")).problem(t, http.StatusConflict)
	})
}

func TestRateLimit(t *testing.T) {
	x := newHost(t, func(c *web.Config) { c.Rate, c.Burst = 1, 2 })
	c := x.user()
	body := map[string]string{"client": "c"}
	for i := range 2 {
		c.do("POST", "/api/bookings/search", body, nil).problem(t, http.StatusBadRequest) // no service: the request got through
		_ = i
	}
	p := c.do("POST", "/api/bookings/search", body, nil).problem(t, http.StatusTooManyRequests)
	require.Equal(t, "/problems/rate-limited", p["type"])
	c.do("POST", "/api/login", map[string]string{"professional": "aino", "password": "guess"}, nil).problem(t, http.StatusTooManyRequests)
	x.clk.Add(time.Second)
	c.do("POST", "/api/bookings/search", body, nil).problem(t, http.StatusBadRequest)
}
