package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestBooking(t *testing.T) {
	x := newHost(t, nil)
	c := x.user()
	search := map[string]any{"client": "client-4", "group": "adult", "postal_code": "00530", "service": "bp-check", "language": "sv", "limit": 2}
	bad := []struct {
		name   string
		path   string
		body   any
		key    string
		status int
	}{
		{"search without client", "/api/bookings/search", map[string]any{"service": "bp-check"}, "", http.StatusBadRequest},
		{"search without service", "/api/bookings/search", map[string]any{"client": "c", "postal_code": "00530"}, "", http.StatusBadRequest},
		{"search of an unknown service", "/api/bookings/search", map[string]any{"client": "c", "postal_code": "00530", "service": "x"}, "", http.StatusNotFound},
		{"search limit too big", "/api/bookings/search", map[string]any{"client": "c", "service": "bp-check", "limit": 101}, "", http.StatusBadRequest},
		{"hold without key", "/api/bookings/hold", map[string]any{"client": "c"}, "", http.StatusBadRequest},
		{"hold without slot", "/api/bookings/hold", map[string]any{"client": "c"}, "h0", http.StatusBadRequest},
		{"confirm without hold", "/api/bookings/confirm", map[string]any{"client": "c"}, "c0", http.StatusBadRequest},
		{"confirm of an unknown hold", "/api/bookings/confirm", map[string]any{"client": "c", "hold": "nope"}, "c1", http.StatusNotFound},
		{"cancel without client", "/api/bookings/x/cancel", map[string]any{"reason": "r"}, "", http.StatusBadRequest},
		{"cancel of an unknown appointment", "/api/bookings/x/cancel", map[string]any{"client": "c", "reason": "r"}, "", http.StatusNotFound},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			var hdr map[string]string
			if tt.key != "" {
				hdr = idem(tt.key)
			}
			c.do("POST", tt.path, tt.body, hdr).problem(t, tt.status)
		})
	}

	var slots struct {
		Slots []map[string]any
		Text  struct{ Plain, Language string }
	}
	r := c.do("POST", "/api/bookings/search", search, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	r.json(t, &slots)
	require.Len(t, slots.Slots, 2)
	require.Equal(t, "sv", slots.Text.Language)

	r = c.do("POST", "/api/bookings/hold", map[string]any{"client": "client-4", "group": "adult", "slot": slots.Slots[0], "language": "sv"}, idem("h1"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var held struct{ Appointment struct{ ID, Status string } }
	r.json(t, &held)
	r = c.do("POST", "/api/bookings/confirm", map[string]any{"client": "client-4", "group": "adult", "hold": held.Appointment.ID, "language": "sv"}, idem("c2"))
	require.Equal(t, http.StatusCreated, r.StatusCode, string(r.body))
	var booked struct {
		Appointment struct{ ID, Status string }
		Text        struct{ Plain string }
	}
	r.json(t, &booked)
	require.Contains(t, booked.Text.Plain, "Bokad")

	t.Run("another client cannot cancel it", func(t *testing.T) {
		r := c.do("POST", "/api/bookings/"+booked.Appointment.ID+"/cancel", map[string]any{"client": "client-5", "reason": "x"}, nil)
		require.Contains(t, []int{http.StatusForbidden, http.StatusNotFound}, r.StatusCode, string(r.body))
	})
	r = c.do("POST", "/api/bookings/"+booked.Appointment.ID+"/cancel", map[string]any{"client": "client-4", "reason": "cannot come"}, nil)
	require.Equal(t, http.StatusOK, r.StatusCode, string(r.body))
	c.do("POST", "/api/bookings/"+booked.Appointment.ID+"/cancel", map[string]any{"client": "client-4", "reason": "again"}, nil).problem(t, http.StatusConflict)
}
