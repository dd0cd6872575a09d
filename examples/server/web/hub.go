package web

import (
	"sync"

	"github.com/carecontact/carecontact/frontdoor"
)

// Hub fans the door's events out to the desks listening on /desk/events.
// Notify is safe as frontdoor.Config.OnEvent: it never blocks and never
// calls the door.
type Hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[chan struct{}]struct{}{}} }

// Notify tells every listener that something changed.
func (h *Hub) Notify(frontdoor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default: // a change is already pending for this listener
		}
	}
}

func (h *Hub) subscribe() (<-chan struct{}, func()) {
	c := make(chan struct{}, 1)
	h.mu.Lock()
	h.subs[c] = struct{}{}
	h.mu.Unlock()
	return c, func() {
		h.mu.Lock()
		delete(h.subs, c)
		h.mu.Unlock()
	}
}
