package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/pgtest"
)

// pgHost is one replica of the host serving on a database.
type pgHost struct {
	t    *testing.T
	base string
	done chan error
}

func startPgHost(t *testing.T, ctx context.Context, dsn string, logs *lockedBuffer) *pgHost {
	t.Helper()
	started, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, options{addr: "127.0.0.1:0", dsn: dsn, log: slog.New(slog.NewJSONHandler(logs, nil)), started: started, clock: officeHours()})
	}()
	select {
	case addr := <-started:
		return &pgHost{t: t, base: "http://" + addr, done: done}
	case err := <-done:
		t.Fatalf("run: %v", err)
	}
	return nil
}

// pgUser is a client of the replicas with its own cookies (a sign-in
// session lives in the replica that made it).
type pgUser struct {
	t    *testing.T
	c    *http.Client
	csrf string
}

func newPgUser(t *testing.T) *pgUser {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &pgUser{t: t, c: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
}

func (u *pgUser) do(method, url string, body any, v any) int {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(u.t, err)
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(u.t.Context(), method, url, rd)
	require.NoError(u.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", u.csrf)
	req.Header.Set("Idempotency-Key", url+method)
	resp, err := u.c.Do(req)
	require.NoError(u.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(u.t, err)
	if v != nil && resp.StatusCode < 300 {
		require.NoError(u.t, json.Unmarshal(raw, v), string(raw))
	}
	return resp.StatusCode
}

func (u *pgUser) signIn(h *pgHost, who string) {
	u.t.Helper()
	var s struct{ CSRF string }
	require.Equal(u.t, http.StatusOK, u.do("POST", h.base+"/api/login", map[string]string{"professional": who, "password": who + "-demo"}, &s))
	u.csrf = s.CSRF
}

// TestPostgresReplicas runs two hosts on one PostgreSQL database (the
// throwaway server the test starts): a chat a client starts through B is
// offered to the nurse signed in through A, accepted through A and closed
// through B; the guidance was published once, by the first replica.
func TestPostgresReplicas(t *testing.T) {
	pg, err := pgtest.Start(t.Context())
	require.NoError(t, err, "the PostgreSQL mode's test needs PostgreSQL")
	t.Cleanup(pg.Stop)
	dsn, err := pg.CreateDatabase(t.Context())
	require.NoError(t, err)
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(t.Context())
	a := startPgHost(t, ctx, dsn, logs)
	b := startPgHost(t, ctx, dsn, logs)

	anon, nurseA, nurseB := newPgUser(t), newPgUser(t), newPgUser(t)
	require.Equal(t, http.StatusOK, anon.do("GET", a.base+"/readyz", nil, nil))
	require.Equal(t, http.StatusOK, anon.do("GET", b.base+"/readyz", nil, nil))
	nurseA.signIn(a, "aino")
	nurseB.signIn(b, "aino")

	var c struct{ ID string }
	require.Equal(t, http.StatusCreated, anon.do("POST", b.base+"/api/contacts", map[string]string{"client": "client-pg",
		"errand": "prescription_renewal", "channel": "chat", "postal_code": "00530"}, &c))
	require.NotEmpty(t, c.ID)

	// The replicas refresh from the database every two seconds and only
	// the leader makes offers: wait, boundedly, for A's desk to show it.
	var item string
	for range 300 {
		var d struct {
			Offers []struct{ Contact, Item string }
		}
		require.Equal(t, http.StatusOK, nurseA.do("GET", a.base+"/api/desk", nil, &d))
		for _, o := range d.Offers {
			if o.Contact == c.ID {
				item = o.Item
			}
		}
		if item != "" {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.NotEmpty(t, item, "the chat started through B is offered to aino through A")
	var s struct{ Contact, State string }
	require.Equal(t, http.StatusOK, nurseA.do("POST", a.base+"/api/items/"+item+"/accept", nil, &s))
	require.Equal(t, c.ID, s.Contact)

	var closed struct{ Outcome string }
	status := 0
	for range 100 {
		if status = nurseB.do("POST", b.base+"/api/sessions/"+c.ID+"/close", map[string]string{"outcome": "resolved"}, &closed); status == http.StatusOK {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	require.Equal(t, http.StatusOK, status, "B closes the contact A accepted")
	require.Equal(t, "resolved", closed.Outcome)

	var v struct{ Versions int }
	require.Equal(t, http.StatusOK, nurseB.do("GET", b.base+"/api/guidance/version?subject="+
		url.QueryEscape("text/ebooking.before/kallio/bp-check"), nil, &v))
	require.Equal(t, 1, v.Versions, "the second replica did not publish the content again")

	cancel()
	for _, h := range []*pgHost{a, b} {
		select {
		case err := <-h.done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Fatal("run did not return after the context ended")
		}
	}
	require.Contains(t, logs.String(), `"postgres":true`)
	require.NotContains(t, logs.String(), "client-pg")
}

// officeHours is a clock that runs from Tuesday 1 December 2026 at 10:00
// in Helsinki, when the demo's teams are open, whatever the hour the test
// runs at.
func officeHours() carecontact.Clock {
	start, t0 := time.Date(2026, time.December, 1, 10, 0, 0, 0, civil.Helsinki()), time.Now()
	return carecontact.ClockFunc(func() time.Time { return start.Add(time.Since(t0)).UTC() })
}
