package web

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"
)

// stored is the first answer to an idempotency key.
type stored struct {
	at     time.Time
	done   bool
	body   [32]byte // hash of the request body
	status int
	header http.Header
	answer []byte
}

// idempotency keeps the answers of the POSTs that create, by route and
// Idempotency-Key, in memory: a day each, at most maxKeys (the oldest
// finished answers are forgotten first when more arrive).
type idempotency struct {
	mu sync.Mutex
	m  map[string]*stored
}

// once runs fn for the first request with its key and replays its answer
// to repeats; a repeat with another body, or while the first still runs,
// is a conflict.
func (h *Handler) once(w http.ResponseWriter, r *http.Request, key string, body []byte, fn func(w http.ResponseWriter)) {
	h.onceFor(w, r, "", key, body, fn)
}

// onceFor is once with the keys of each owner (a signed-in professional)
// apart: one's key never replays another's answer.
func (h *Handler) onceFor(w http.ResponseWriter, r *http.Request, owner, key string, body []byte, fn func(w http.ResponseWriter)) {
	if key == "" || len(key) > 200 {
		h.problem(w, r, Problem{Type: "/problems/invalid", Title: "Bad Request", Status: http.StatusBadRequest,
			Detail: "the Idempotency-Key header is required (at most 200 characters)", Field: "Idempotency-Key"})
		return
	}
	id := r.Pattern + "\x00" + owner + "\x00" + key
	sum := sha256.Sum256(body)
	h.idem.mu.Lock()
	s, ok := h.idem.m[id]
	if !ok {
		h.idem.sweep(h.cfg.Clock.Now())
		s = &stored{body: sum, at: h.cfg.Clock.Now()}
		h.idem.m[id] = s
	}
	h.idem.mu.Unlock()
	if ok {
		h.idem.mu.Lock()
		done, same, status, header, answer := s.done, s.body == sum, s.status, s.header, s.answer
		h.idem.mu.Unlock()
		switch {
		case !same:
			h.problem(w, r, Problem{Type: "/problems/conflict", Title: "Conflict", Status: http.StatusConflict,
				Detail: "the Idempotency-Key was used with another request body", Field: "Idempotency-Key"})
		case !done:
			h.problem(w, r, Problem{Type: "/problems/conflict", Title: "Conflict", Status: http.StatusConflict,
				Detail: "a request with this Idempotency-Key is still being processed", Field: "Idempotency-Key"})
		default:
			for k, v := range header {
				w.Header()[k] = v
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(status)
			_, _ = w.Write(answer)
		}
		return
	}
	rec := httptest.NewRecorder()
	fn(rec)
	h.idem.mu.Lock()
	s.done, s.status, s.header, s.answer = true, rec.Code, rec.Header().Clone(), bytes.Clone(rec.Body.Bytes())
	if rec.Code >= 500 { // let a retry try again
		delete(h.idem.m, id)
	}
	h.idem.mu.Unlock()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

const (
	maxKeys = 100000
	keyTTL  = 24 * time.Hour
)

// sweep forgets the finished answers older than keyTTL, and, while the
// store is full, the oldest finished ones. The caller holds mu.
func (i *idempotency) sweep(now time.Time) {
	if len(i.m) < maxKeys {
		return
	}
	var oldest string
	for k, s := range i.m {
		if !s.done {
			continue
		}
		if now.Sub(s.at) > keyTTL {
			delete(i.m, k)
			continue
		}
		if oldest == "" || s.at.Before(i.m[oldest].at) {
			oldest = k
		}
	}
	if len(i.m) >= maxKeys && oldest != "" {
		delete(i.m, oldest)
	}
}
