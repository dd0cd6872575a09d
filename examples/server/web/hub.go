package web

import (
	"sync"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/frontdoor"
)

// Hub fans the door's events out to the desks listening on /desk/events,
// and remembers each open callback's promised window and whether it is at
// risk or breached, for the desk to show. Notify is safe as
// frontdoor.Config.OnEvent: it never blocks and never calls the door.
//
// The hub sees the events of its own process only: with several replicas
// a desk shows the windows of the callbacks promised or dispatched through
// its replica.
type Hub struct {
	mu        sync.Mutex
	subs      map[chan struct{}]struct{}
	callbacks map[string]callbackState
	observers []func(frontdoor.Event)
}

// callbackState is what the desk shows of a callback besides its item.
type callbackState struct {
	Window   callback.Window
	AtRisk   bool
	Breached bool
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: map[chan struct{}]struct{}{}, callbacks: map[string]callbackState{}}
}

func (h *Hub) callback(contact string) (callbackState, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s, ok := h.callbacks[contact]
	return s, ok
}

// Notify records e and tells every listener that something changed.
func (h *Hub) Notify(e frontdoor.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := h.callbacks[e.Contact]
	switch e.Kind {
	case frontdoor.EventCallbackPromised, frontdoor.EventCallbackDue, frontdoor.EventCallbackRetry:
		if !e.Window.IsZero() {
			s.Window = e.Window
		}
		h.callbacks[e.Contact] = s
	case frontdoor.EventCallbackAtRisk:
		s.AtRisk = true
		h.callbacks[e.Contact] = s
	case frontdoor.EventCallbackBreached:
		s.Breached = true
		h.callbacks[e.Contact] = s
	case frontdoor.EventClosed, frontdoor.EventWithdrawn:
		delete(h.callbacks, e.Contact)
	}
	for _, o := range h.observers {
		o(e)
	}
	h.signal()
}

// changed tells every listener that something the door reports no event
// for changed (a client's chat message).
func (h *Hub) changed() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.signal()
}

// signal wakes every listener; h.mu is held.
func (h *Hub) signal() {
	for c := range h.subs {
		select {
		case c <- struct{}{}:
		default: // a change is already pending for this listener
		}
	}
}

// observe has fn see every event Notify records, in order.
func (h *Hub) observe(fn func(frontdoor.Event)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.observers = append(h.observers, fn)
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
