package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/frontdoor"
)

func TestHubRemembersCallbacks(t *testing.T) {
	w := callback.Window{Start: time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC), End: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)}
	tests := []struct {
		name   string
		events []frontdoor.EventKind
		want   callbackState
		known  bool
	}{
		{"promised", []frontdoor.EventKind{frontdoor.EventCallbackPromised}, callbackState{Window: w}, true},
		{"at risk", []frontdoor.EventKind{frontdoor.EventCallbackPromised, frontdoor.EventCallbackAtRisk}, callbackState{Window: w, AtRisk: true}, true},
		{"breached", []frontdoor.EventKind{frontdoor.EventCallbackDue, frontdoor.EventCallbackBreached}, callbackState{Window: w, Breached: true}, true},
		{"closed", []frontdoor.EventKind{frontdoor.EventCallbackPromised, frontdoor.EventClosed}, callbackState{}, false},
		{"withdrawn", []frontdoor.EventKind{frontdoor.EventCallbackPromised, frontdoor.EventWithdrawn}, callbackState{}, false},
		{"a chat", []frontdoor.EventKind{frontdoor.EventQueued}, callbackState{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHub()
			changes, stop := h.subscribe()
			defer stop()
			for _, k := range tt.events {
				e := frontdoor.Event{Kind: k, Contact: "k1"}
				if k == frontdoor.EventCallbackPromised || k == frontdoor.EventCallbackDue {
					e.Window = w
				}
				h.Notify(e)
			}
			s, ok := h.callback("k1")
			require.Equal(t, tt.known, ok)
			require.Equal(t, tt.want, s)
			require.Len(t, changes, 1, "changes coalesce into one pending notice")
		})
	}
}

func TestHubChanged(t *testing.T) {
	h := NewHub()
	changes, stop := h.subscribe()
	defer stop()
	h.changed()
	h.changed()
	require.Len(t, changes, 1, "a change without an event wakes the listeners, coalesced")
	_, ok := h.callback("k1")
	require.False(t, ok)
}
