package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// withoutIDs returns the resource or the Bundle data without the ids of
// its resources; a Bundle's entries become POSTs (creates) of their type.
func withoutIDs(t testing.TB, data []byte) json.RawMessage {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	delete(m, "id")
	if es, ok := m["entry"].([]any); ok {
		for _, e := range es {
			e := e.(map[string]any)
			res := e["resource"].(map[string]any)
			delete(res, "id")
			delete(e, "fullUrl")
			e["request"] = map[string]any{"method": "POST", "url": res["resourceType"]}
		}
	}
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestCreate books and holds new appointments sent without an id, by
// create (POST Appointment) and by a transaction's POSTs: the booker names
// each with its ID generator, and the answer is 201 with the stored
// appointment, its Location and ETag. An update without id is refused
// naming Appointment.id.
func TestCreate(t *testing.T) {
	f := newFixture(t)
	booked, err := fhir.ExportAppointment(apptAt(tuesday9, booking.StatusBooked))
	require.NoError(t, err)
	r := f.do(t, http.MethodPost, "/Appointment", client1, withoutIDs(t, booked))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	first := storedOf(t, r.body)
	require.NotEmpty(t, first.ID)
	require.Equal(t, booking.StatusBooked, first.Status)
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, "https://fhir.example.org/r4/Appointment/"+r.body["id"].(string)+"/_history/1", r.header.Get("Location"))

	// A create's id is ignored: the booker names the appointment.
	held, err := fhir.ExportAppointment(apptAt(tuesday9.Add(15*time.Minute), booking.StatusPending))
	require.NoError(t, err)
	r = f.do(t, http.MethodPost, "/Appointment", client1, json.RawMessage(held))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	second := storedOf(t, r.body)
	require.Equal(t, booking.StatusPending, second.Status)
	require.NotEqual(t, "new", second.ID)
	require.NotEqual(t, first.ID, second.ID)

	a := apptAt(tuesday9.Add(30*time.Minute), booking.StatusBooked)
	tx, err := fhir.ExportBookingTransaction(a, []booking.Slot{slotAt(a.Start)}, nil)
	require.NoError(t, err)
	r = f.do(t, http.MethodPost, "/", client1, withoutIDs(t, tx))
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	responses, resources := txEntries(t, r)
	require.Equal(t, "201 Created", responses[0]["status"])
	third := storedOf(t, resources[0])
	require.NotContains(t, []string{first.ID, second.ID}, third.ID)

	tests := []struct {
		name   string
		method string
		target string
		body   json.RawMessage
		status int
		expr   string
	}{
		{"update without id", http.MethodPut, "/Appointment/apt.5F1", withoutIDs(t, booked), 400, "Appointment.id"},
		{"create of a cancelled appointment", http.MethodPost, "/Appointment", func() json.RawMessage {
			c := apptAt(tuesday9.Add(45*time.Minute), booking.StatusCancelled)
			c.CancelReason = "x"
			data, err := fhir.ExportAppointment(c)
			require.NoError(t, err)
			return withoutIDs(t, data)
		}(), 400, "Appointment.status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, tc.method, tc.target, client1, tc.body, ifMatch(1)...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			_, expr := issue(t, r)
			require.Equal(t, []any{tc.expr}, expr)
		})
	}
}
