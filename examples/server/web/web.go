package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
)

//go:embed openapi.json
var openapiJSON []byte

//go:embed templates static
var assets embed.FS

// Config configures the handler.
type Config struct {
	// Door is the front door the API and pages drive. Required.
	Door *frontdoor.Door
	// Booker cancels appointments (the door books, the booker cancels).
	// Defaults to none: cancelling is unavailable.
	Booker *booking.Booker
	// Staff is the server's staff directory: a signed-in professional's
	// teams and grants come from it. Required.
	Staff carecontact.StaffDirectory
	// Auth checks professionals' credentials. Required.
	Auth Authenticator
	// Identify establishes who a client is on the client endpoints.
	// Defaults to Unidentified.
	Identify Identifier
	// Audit records refused access. Required.
	Audit audit.Recorder
	// Hub feeds the desks' server-sent events; pass the one whose Notify
	// is the door's OnEvent. Defaults to a hub nobody notifies.
	Hub *Hub
	// Clock tells the time for audit events and rate limits. Defaults to
	// carecontact.SystemClock().
	Clock carecontact.Clock
	// Logger receives one line per request, naming the route pattern and
	// never the path. Defaults to slog.Default().
	Logger *slog.Logger
	// Rate and Burst are the token bucket of each remote address on the
	// public client endpoints, in requests a second. Default to 1 and 20.
	Rate  float64
	Burst int
	// SecureCookies marks the session cookie Secure (behind TLS).
	// Defaults to false, for http://127.0.0.1.
	SecureCookies bool
	// Guide is the guidance workflow behind the guidance editor (its
	// Roles should be StaffRoles over Staff). Defaults to none: the
	// editor's routes answer 503.
	Guide *guidance.Guide
	// Directory is the organisation whose queues /metrics reports by
	// team and channel. Defaults to none: /metrics has no queue gauges.
	Directory *routing.Directory
	// Chat is the chat system the door's chat transport posts into,
	// read back for the desk and the client. Defaults to none: the
	// conversation routes answer 503 and the desk shows no messages.
	Chat *Conversations
	// Matrix says which errands suit which channels, for the client's
	// channel advice on the chat page; pass the door's. Defaults to
	// channel.DefaultMatrix().
	Matrix guidance.Suitability
	// Ready reports whether the host is ready to serve (/readyz).
	// Defaults to always ready.
	Ready func(ctx context.Context) error
}

// ErrConfig is the sentinel of a bad handler Config.
var ErrConfig = carecontact.Sentinel(carecontact.ErrInvalid, "web: invalid config")

// Handler is the reference host's HTTP handler.
type Handler struct {
	cfg      Config
	mux      *http.ServeMux
	routes   []string
	sessions sessions
	limit    *limiter
	idem     idempotency
	pages    *pages
	metrics  *metrics
	closing  chan struct{}
	close    sync.Once
}

// CloseStreams ends the desks' event streams, which otherwise last as
// long as the browser keeps them: register it with
// http.Server.RegisterOnShutdown so that Shutdown need not wait for them.
func (h *Handler) CloseStreams() { h.close.Do(func() { close(h.closing) }) }

// New returns the handler over cfg.
func New(cfg Config) (*Handler, error) {
	switch {
	case cfg.Door == nil:
		return nil, carecontact.Invalid(ErrConfig, "door", "is required")
	case cfg.Staff == nil:
		return nil, carecontact.Invalid(ErrConfig, "staff", "is required")
	case cfg.Auth == nil:
		return nil, carecontact.Invalid(ErrConfig, "auth", "is required")
	case cfg.Audit == nil:
		return nil, carecontact.Invalid(ErrConfig, "audit", "is required")
	}
	if cfg.Identify == nil {
		cfg.Identify = Unidentified{}
	}
	if cfg.Hub == nil {
		cfg.Hub = NewHub()
	}
	if cfg.Clock == nil {
		cfg.Clock = carecontact.SystemClock()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Rate == 0 {
		cfg.Rate = 1
	}
	if cfg.Burst == 0 {
		cfg.Burst = 20
	}
	if cfg.Matrix == nil {
		cfg.Matrix = channel.DefaultMatrix()
	}
	if cfg.Ready == nil {
		cfg.Ready = func(context.Context) error { return nil }
	}
	pg, err := newPages()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg)
	if err != nil {
		return nil, err
	}
	cfg.Hub.observe(m.observe)
	h := &Handler{cfg: cfg, metrics: m, mux: http.NewServeMux(), sessions: sessions{m: map[string]signedIn{}},
		limit: newLimiter(cfg.Rate, cfg.Burst, cfg.Clock.Now), idem: idempotency{m: map[string]*stored{}}, pages: pg,
		closing: make(chan struct{})}
	h.register()
	return h, nil
}

// access says who may call a route.
type access int

const (
	public       access = iota // anyone
	limited                    // anyone, rate limited per remote address
	professional               // a signed-in professional; POSTs need the CSRF token
)

func (h *Handler) handle(pattern string, a access, fn func(http.ResponseWriter, *http.Request)) {
	h.routes = append(h.routes, pattern)
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		switch a {
		case limited:
			if !h.limit.allow(remoteKey(r)) {
				w.Header().Set("Retry-After", "1")
				h.problem(w, r, Problem{Type: "/problems/rate-limited", Title: "Too Many Requests", Status: http.StatusTooManyRequests,
					Detail: "too many requests from this address"})
				return
			}
		case professional:
			_, si, ok := h.sessions.of(r)
			if !ok {
				h.refuse(w, r, audit.System("web"), http.StatusUnauthorized, "sign in first")
				return
			}
			if _, err := h.cfg.Staff.Member(r.Context(), si.Professional); err != nil {
				h.refuse(w, r, actorOf(si.Professional), http.StatusUnauthorized, "not in the staff directory")
				return
			}
			if r.Method != http.MethodGet && !h.csrfOK(r, si) {
				h.refuse(w, r, actorOf(si.Professional), http.StatusForbidden, "missing or wrong CSRF token")
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), proKey{}, si))
		}
		fn(w, r)
	})
}

type proKey struct{}

func signedInOf(r *http.Request) signedIn {
	si, _ := r.Context().Value(proKey{}).(signedIn)
	return si
}

func (h *Handler) csrfOK(r *http.Request, si signedIn) bool {
	got := r.Header.Get("X-CSRF-Token")
	if got == "" {
		got = r.PostFormValue("csrf")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(si.CSRF)) == 1
}

func actorOf(p carecontact.ProfessionalID) audit.Actor {
	return audit.Actor{Kind: audit.ActorProfessional, ID: string(p)}
}

// Routes are the route patterns the handler serves, sorted.
func (h *Handler) Routes() []string {
	out := append([]string(nil), h.routes...)
	sort.Strings(out)
	return out
}

// ServeHTTP implements http.Handler: secure headers, then the route, then
// one log line.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	hd.Set("Cache-Control", "no-store")
	rec := &statusWriter{ResponseWriter: w, status: http.StatusOK}
	h.mux.ServeHTTP(rec, r)
	pattern := r.Pattern
	if pattern == "" {
		pattern = "unmatched"
	}
	h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "http", slog.String("route", pattern), slog.Int("status", rec.status),
		slog.Duration("took", time.Since(start)))
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// problem writes p, and records refused access in the audit log.
func (h *Handler) problem(w http.ResponseWriter, r *http.Request, p Problem) {
	if p.Status == http.StatusUnauthorized || p.Status == http.StatusForbidden {
		actor := audit.System("web")
		if si := signedInOf(r); si.Professional != "" {
			actor = actorOf(si.Professional)
		}
		h.audit(r, actor, p)
	}
	writeProblem(w, p)
}

func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, actor audit.Actor, status int, detail string) {
	p := Problem{Type: "/problems/not-allowed", Title: http.StatusText(status), Status: status, Detail: detail}
	if status == http.StatusUnauthorized {
		p.Type = "/problems/unauthenticated"
		w.Header().Set("WWW-Authenticate", `Cookie realm="carecontact"`)
	}
	h.audit(r, actor, p)
	writeProblem(w, p)
}

// audit records a refusal: the route pattern, never the path.
func (h *Handler) audit(r *http.Request, actor audit.Actor, p Problem) {
	e := audit.Event{At: h.cfg.Clock.Now().UTC(), Actor: actor, Action: "web.refused", Subject: "route:" + r.Pattern,
		Outcome: audit.Denied, Detail: map[string]string{"status": fmt.Sprint(p.Status), "type": p.Type}}
	if err := h.cfg.Audit.Record(r.Context(), e); err != nil {
		h.cfg.Logger.Error("audit refused access", slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
}

// fail writes err as a problem.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	p := problemOf(err)
	if p.Status == http.StatusInternalServerError {
		h.cfg.Logger.Error("internal error", slog.String("route", r.Pattern), slog.String("error", err.Error()))
	}
	h.problem(w, r, p)
}
