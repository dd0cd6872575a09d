package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	legacyrouter "github.com/getkin/kin-openapi/routers/legacy"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/server/demo"
	"github.com/carecontact/carecontact/examples/server/web"
)

// spec is the OpenAPI document, loaded once, and the operations the tests
// called (method and path template), to check that every one was.
var spec struct {
	once   sync.Once
	doc    *openapi3.T
	router routers.Router
	mu     sync.Mutex
	called map[string]bool
}

func loadSpec(t *testing.T) (*openapi3.T, routers.Router) {
	t.Helper()
	spec.once.Do(func() {
		b, err := os.ReadFile("openapi.json")
		if err != nil {
			panic(err)
		}
		doc, err := openapi3.NewLoader().LoadFromData(b)
		if err != nil {
			panic(err)
		}
		if err := doc.Validate(context.Background()); err != nil {
			panic(err)
		}
		r, err := legacyrouter.NewRouter(doc)
		if err != nil {
			panic(err)
		}
		spec.doc, spec.router, spec.called = doc, r, map[string]bool{}
	})
	return spec.doc, spec.router
}

// host is a handler over a fresh demo organisation on a mock clock (a
// Monday at 8:00 in Helsinki), served by an httptest server.
type host struct {
	t     *testing.T
	clk   *clock.Mock
	demo  *demo.Demo
	h     *web.Handler
	srv   *httptest.Server
	audit audit.Log
}

func newHost(t *testing.T, mod func(*web.Config)) *host {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, civil.Helsinki()))
	hub := web.NewHub()
	d, err := demo.Build(t.Context(), demo.Config{Clock: clk, OnEvent: hub.Notify})
	require.NoError(t, err)
	pw := web.Passwords{}
	for p, s := range demo.Passwords {
		pw[p] = s
	}
	cfg := web.Config{Door: d.Door, Booker: d.Booker, Staff: d.Staff, Auth: pw, Audit: d.Audit, Hub: hub, Clock: clk, Identify: web.SimulatedStrong{}, Guide: d.Guide, Directory: d.Directory, Chat: d.Chat,
		Logger: discard()}
	if mod != nil {
		mod(&cfg)
	}
	h, err := web.New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &host{t: t, clk: clk, demo: d, h: h, srv: srv, audit: d.Audit}
}

// advance runs the door's timers up to d from now, as the driver does.
func (x *host) advance(d time.Duration) {
	x.t.Helper()
	until := x.clk.Now().Add(d)
	ctx := x.t.Context()
	for next, ok, err := x.demo.Door.NextDeadline(ctx); ok && !next.After(until); next, ok, err = x.demo.Door.NextDeadline(ctx) {
		require.NoError(x.t, err)
		x.clk.Set(next)
		require.NoError(x.t, x.demo.Door.Advance(ctx))
	}
	x.clk.Set(until)
}

// user is one browser or API client with its own cookies.
type user struct {
	x    *host
	c    *http.Client
	csrf string
}

func (x *host) user() *user {
	jar, err := cookiejar.New(nil)
	require.NoError(x.t, err)
	return &user{x: x, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// reply is a response with its body read.
type reply struct {
	*http.Response
	body []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, v), string(r.body))
}

func (r reply) problem(t *testing.T, status int) map[string]any {
	t.Helper()
	require.Equal(t, status, r.StatusCode, string(r.body))
	require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
	var p map[string]any
	r.json(t, &p)
	require.EqualValues(t, status, p["status"])
	return p
}

// do sends a request and checks the response against the OpenAPI
// document: the operation exists and the response is valid against its
// schema.
func (u *user) do(method, path string, body any, hdr map[string]string) reply {
	t := u.x.t
	t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case url.Values:
		rd, ct = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		raw, err := json.Marshal(b)
		require.NoError(t, err)
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u.x.srv.URL+path, rd)
	require.NoError(t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := u.c.Do(req)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	validate(t, req, resp, raw)
	return reply{Response: resp, body: raw}
}

var jsonType = regexp.MustCompile(`^application/(problem\+)?json`)

func validate(t *testing.T, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	_, router := loadSpec(t)
	u := *req.URL
	u.Scheme, u.Host = "http", "127.0.0.1:8080" // the document's server
	vreq := req.Clone(req.Context())
	vreq.URL, vreq.Host = &u, u.Host
	route, params, err := router.FindRoute(vreq)
	if resp.StatusCode == http.StatusNotFound && err != nil {
		return // an unknown route: no operation to check against
	}
	require.NoError(t, err, "%s %s is not in the OpenAPI document", req.Method, req.URL.Path)
	spec.mu.Lock()
	spec.called[req.Method+" "+route.Path] = true
	spec.mu.Unlock()
	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	ct := resp.Header.Get("Content-Type")
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, ExcludeResponseBody: !jsonType.MatchString(ct)}}
	out.SetBodyBytes(body)
	require.NoError(t, openapi3filter.ValidateResponse(t.Context(), out), "%s %s answered %d %s", req.Method, req.URL.Path,
		resp.StatusCode, body)
}

// signIn signs u in as p through the API and keeps the CSRF token.
func (u *user) signIn(p string) {
	t := u.x.t
	t.Helper()
	r := u.do("POST", "/api/login", map[string]string{"professional": p, "password": demo.Passwords[carecontactID(p)]}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	var s struct{ CSRF string }
	r.json(t, &s)
	u.csrf = s.CSRF
}

func (u *user) post(path string, body any) reply {
	u.x.t.Helper()
	return u.do("POST", path, body, map[string]string{"X-CSRF-Token": u.csrf})
}

// postKeyed posts with the CSRF token and an Idempotency-Key.
func (u *user) postKeyed(path string, body any, key string) reply {
	u.x.t.Helper()
	return u.do("POST", path, body, map[string]string{"X-CSRF-Token": u.csrf, "Idempotency-Key": key})
}

// refusals are the web.refused audit events recorded so far.
func (x *host) refusals() []audit.Event {
	x.t.Helper()
	es, err := x.audit.Events(x.t.Context(), audit.Filter{Action: "web.refused"})
	require.NoError(x.t, err)
	return es
}
