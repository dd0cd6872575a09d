package web_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

type deskJSON struct {
	Offers, Contacts, Waiting []struct {
		Contact, Item, Channel string
		Callback               bool
		Actions                []string
		Window                 *struct{ Start, End time.Time }
		Guests                 []string
	}
	NextCursor string `json:"next_cursor"`
}

func TestDesk(t *testing.T) {
	x := newHost(t, nil)
	aino, ville, client := x.user(), x.user(), x.user()
	aino.signIn("aino")
	ville.signIn("ville")

	r := client.do("POST", "/api/contacts", callbackSv, idem("cb"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var cb struct {
		ID      string
		Promise struct{ Start time.Time }
	}
	r.json(t, &cb)
	x.advance(cb.Promise.Start.Sub(x.clk.Now())) // the window has come: the callback is due

	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	offer := d.Offers[0]
	require.True(t, offer.Callback)
	require.Equal(t, cb.ID, offer.Contact)
	require.Equal(t, []string{"accept", "decline"}, offer.Actions)
	require.NotNil(t, offer.Window, "the promised window is on the desk")
	require.True(t, offer.Window.Start.Equal(cb.Promise.Start))

	t.Run("another team's professional cannot accept or close it", func(t *testing.T) {
		p := ville.post("/api/items/"+offer.Item+"/accept", nil).problem(t, http.StatusConflict)
		require.NotEmpty(t, p["detail"])
		before := len(x.refusals())
		ville.post("/api/sessions/"+cb.ID+"/close", map[string]string{"outcome": "resolved"}).problem(t, http.StatusForbidden)
		es := x.refusals()
		require.Len(t, es, before+1)
		require.Equal(t, "ville", es[len(es)-1].Actor.ID)
		require.Equal(t, "route:POST /api/sessions/{id}/close", es[len(es)-1].Subject)
		denied, err := x.audit.Events(t.Context(), audit.Filter{ActorID: "ville", Subject: "session/" + cb.ID})
		require.NoError(t, err)
		require.NotEmpty(t, denied, "the session's own audit of the refused read")
		require.Equal(t, audit.Denied, denied[len(denied)-1].Outcome)
	})
	t.Run("unknown item", func(t *testing.T) {
		aino.post("/api/items/k-none.1/accept", nil).problem(t, http.StatusNotFound)
	})

	r = aino.post("/api/items/"+offer.Item+"/accept", nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Contacts, 1)
	require.Contains(t, d.Contacts[0].Actions, "close")

	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"no outcome", map[string]string{}, http.StatusBadRequest},
		{"unknown outcome", map[string]string{"outcome": "forgotten"}, http.StatusBadRequest},
		{"not JSON", "x", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			aino.post("/api/sessions/"+cb.ID+"/close", tt.body).problem(t, tt.status)
		})
	}
	r = aino.post("/api/sessions/"+cb.ID+"/close", map[string]string{"outcome": "resolved"})
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	aino.post("/api/sessions/"+cb.ID+"/close", map[string]string{"outcome": "resolved"}).problem(t, http.StatusConflict)
}

func TestDecline(t *testing.T) {
	x := newHost(t, nil)
	aino, client := x.user(), x.user()
	aino.signIn("aino")
	chat := map[string]string{"client": "client-3", "errand": "lab_results", "channel": "chat", "postal_code": "00500", "language": "en"}
	require.Equal(t, http.StatusCreated, client.do("POST", "/api/contacts", chat, idem("c3")).StatusCode)
	var d deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &d)
	require.Len(t, d.Offers, 1)
	require.Equal(t, http.StatusNoContent, aino.post("/api/items/"+d.Offers[0].Item+"/decline", nil).StatusCode)
	aino.post("/api/items/"+d.Offers[0].Item+"/decline", nil).problem(t, http.StatusConflict)
}

func TestDeskPagination(t *testing.T) {
	x := newHost(t, nil)
	aino, client := x.user(), x.user()
	aino.signIn("aino")
	for i, c := range []string{"client-a", "client-b", "client-c", "client-d"} { // the first is offered, the rest wait
		chat := map[string]string{"client": c, "errand": "lab_results", "channel": "chat", "postal_code": "00530"}
		require.Equal(t, http.StatusCreated, client.do("POST", "/api/contacts", chat, idem(c)).StatusCode, i)
	}
	var seen []string
	path := "/api/desk?limit=1"
	for range 10 {
		var d deskJSON
		aino.do("GET", path, nil, nil).json(t, &d)
		for _, w := range d.Waiting {
			seen = append(seen, w.Contact)
		}
		if d.NextCursor == "" {
			break
		}
		path = "/api/desk?limit=1&cursor=" + url.QueryEscape(d.NextCursor)
	}
	var all deskJSON
	aino.do("GET", "/api/desk", nil, nil).json(t, &all)
	require.NotEmpty(t, all.Waiting)
	require.Len(t, seen, len(all.Waiting))
	for _, bad := range []string{"limit=0", "limit=101", "limit=x", "cursor=!!"} {
		aino.do("GET", "/api/desk?"+bad, nil, nil).problem(t, http.StatusBadRequest)
	}
}

var (
	csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)
	keyField  = regexp.MustCompile(`name="key" value="([0-9a-f]+)"`)
)

func formCSRF(t *testing.T, r reply) string {
	t.Helper()
	m := csrfField.FindSubmatch(r.body)
	require.NotNil(t, m, string(r.body))
	return string(m[1])
}

func TestDeskPages(t *testing.T) {
	x := newHost(t, nil)
	nurse, client := x.user(), x.user()

	form := nurse.do("GET", "/login", nil, nil)
	tok := formCSRF(t, form)
	r := nurse.do("POST", "/login", url.Values{"csrf": {tok}, "professional": {"aino"}, "password": {"wrong"}}, nil)
	require.Equal(t, http.StatusUnauthorized, r.StatusCode)
	require.Contains(t, string(r.body), "Sign-in refused")
	r = nurse.do("POST", "/login", url.Values{"csrf": {tok}, "professional": {"aino"}, "password": {"aino-demo"}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/desk", r.Header.Get("Location"))

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	events := make(chan string, 10)
	req, err := http.NewRequestWithContext(ctx, "GET", x.srv.URL+"/desk/events", nil)
	require.NoError(t, err)
	resp, err := nurse.c.Do(req)
	require.NoError(t, err)
	require.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	go func() {
		defer resp.Body.Close()
		s := bufio.NewScanner(resp.Body)
		for s.Scan() {
			if strings.HasPrefix(s.Text(), "event:") {
				events <- s.Text()
			}
		}
	}()

	page := nurse.do("GET", "/desk", nil, nil)
	require.Equal(t, http.StatusOK, page.StatusCode)
	tok = formCSRF(t, page)
	require.Contains(t, string(page.body), "No offers.")

	chat := map[string]string{"client": "client-5", "errand": "lab_results", "channel": "chat", "postal_code": "00530"}
	var c struct{ ID string }
	client.do("POST", "/api/contacts", chat, idem("c5")).json(t, &c)
	require.Equal(t, "event: desk", <-events)

	work := nurse.do("GET", "/desk/work", nil, nil)
	require.Contains(t, string(work.body), `aria-label="Accept `+c.ID+`"`)
	r = nurse.do("POST", "/desk/items/"+c.ID+"/accept", url.Values{"csrf": {tok}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	page = nurse.do("GET", "/desk", nil, nil)
	require.Contains(t, string(page.body), `<label for="outcome-`+c.ID+`">Outcome</label>`)
	r = nurse.do("POST", "/desk/sessions/"+c.ID+"/close", url.Values{"csrf": {tok}, "outcome": {"nonsense"}}, nil)
	require.Equal(t, "/desk?error=invalid", r.Header.Get("Location"))
	r = nurse.do("POST", "/desk/sessions/"+c.ID+"/close", url.Values{"csrf": {tok}, "outcome": {"resolved"}}, nil)
	require.Equal(t, "/desk", r.Header.Get("Location"))
	r = nurse.do("POST", "/desk/items/"+c.ID+"/decline", url.Values{"csrf": {tok}}, nil)
	require.Equal(t, "/desk?error=not-found", r.Header.Get("Location"))
	r = nurse.do("POST", "/logout", url.Values{"csrf": {tok}}, nil)
	require.Equal(t, http.StatusSeeOther, r.StatusCode)
	nurse.do("GET", "/desk", nil, nil).problem(t, http.StatusUnauthorized)
}

func TestCallbackPage(t *testing.T) {
	tests := []struct {
		lang, title, told string
	}{
		{"fi", "Pyydä soittoa", "Soitamme sinulle"},
		{"sv", "Begär återuppringning", "Vi ringer dig"},
		{"en", "Request a callback", "We will call you"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			x := newHost(t, nil)
			c := x.user()
			form := c.do("GET", "/callback?lang="+tt.lang, nil, nil)
			require.Contains(t, string(form.body), `<html lang="`+tt.lang+`">`)
			require.Contains(t, string(form.body), tt.title)
			tok := formCSRF(t, form)
			key := keyField.FindSubmatch(form.body)
			require.NotNil(t, key)
			v := url.Values{"csrf": {tok}, "key": {string(key[1])}, "lang": {tt.lang}, "client": {"client-9"}, "errand": {"infection_symptoms"},
				"postal_code": {"00530"}, "phone": {"+358401234567"}}
			r := c.do("POST", "/callback", v, nil)
			require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
			again := c.do("POST", "/callback", v, nil) // a double submit: the same answer
			require.Equal(t, string(r.body), string(again.body))
			require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
			require.Contains(t, string(r.body), tt.told)
			require.Contains(t, string(r.body), `id="window"`)
			require.NotContains(t, string(r.body), "+358401234567")
			v.Set("postal_code", "1")
			v.Set("client", "client-10")
			v.Set("key", "another-key")
			r = c.do("POST", "/callback", v, nil)
			require.Equal(t, http.StatusBadRequest, r.StatusCode)
			require.Contains(t, string(r.body), `role="alert"`)
		})
	}
}
