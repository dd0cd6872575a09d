package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// withoutID returns data, a resource, without its id.
func withoutID(t *testing.T, data []byte) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	delete(m, "id")
	out, err := json.Marshal(m)
	require.NoError(t, err)
	return out
}

// TestFHIRImportWithoutID: a Slot, an Appointment and an
// AppointmentResponse without an id (R4 id is 0..1, what a create sends
// for the server to name) are read with an empty ID. The exporters name
// the slot from its schedule and start, and refuse the appointment and
// the response naming their id until the store has named them. A
// Schedule, which is a calendar, needs its id.
func TestFHIRImportWithoutID(t *testing.T) {
	taken, _ := bookingSlots()
	slot, err := ExportSlot(taken, SlotBusy)
	require.NoError(t, err)
	appt, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	resp, err := ExportAppointmentResponse(Response{ID: "r1", Appointment: "apt1", Role: RoleClient, Client: "client-ref-1", Status: ParticipantAccepted})
	require.NoError(t, err)
	sched, err := ExportSchedule(booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north"}, booking.Interval{})
	require.NoError(t, err)
	tests := []struct {
		name   string
		data   []byte
		export func(data []byte) ([]byte, error) // import, then export
		field  string                            // the export's refusal, "" for none
	}{
		{"slot", slot, func(data []byte) ([]byte, error) {
			s, st, d, err := ImportSlotDetails(data)
			require.NoError(t, err)
			require.Empty(t, d.ID)
			return ExportSlotDetails(s, st, d)
		}, ""},
		{"appointment", appt, func(data []byte) ([]byte, error) {
			a, d, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			require.Empty(t, a.ID)
			return ExportAppointmentDetails(a, d)
		}, "Appointment.id"},
		{"response", resp, func(data []byte) ([]byte, error) {
			r, err := ImportAppointmentResponse(data)
			require.NoError(t, err)
			require.Empty(t, r.ID)
			return ExportAppointmentResponse(r)
		}, "AppointmentResponse.id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.export(withoutID(t, tc.data))
			if tc.field != "" {
				requireFieldError(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			requireSameResource(t, tc.data, out)
		})
	}
	_, err = ImportSchedule(withoutID(t, sched))
	requireFieldError(t, err, "Schedule.id")
}

// TestFHIRTransactionCreate: a transaction's POST (create) of an
// Appointment and Slots without ids is a booking change of a new
// appointment; a PUT (update) of a resource without id is refused naming
// the entry's resource.id, and a POST has no If-Match.
func TestFHIRTransactionCreate(t *testing.T) {
	taken, _ := bookingSlots()
	a := sampleAppointment()
	a.Participants = taken.Participants
	data, err := ExportBookingTransaction(a, []booking.Slot{taken}, nil)
	require.NoError(t, err)
	var tx map[string]any
	require.NoError(t, json.Unmarshal(data, &tx))
	for _, e := range tx["entry"].([]any) {
		e := e.(map[string]any)
		res := e["resource"].(map[string]any)
		delete(res, "id")
		delete(e, "fullUrl")
		e["request"] = map[string]any{"method": "POST", "url": res["resourceType"]}
	}
	post, err := json.Marshal(tx)
	require.NoError(t, err)
	c, err := ImportBookingTransaction(post)
	require.NoError(t, err)
	require.Empty(t, c.Appointment.ID)
	require.Zero(t, c.Replaces)
	require.Equal(t, a.Client, c.Appointment.Client)
	require.Len(t, c.Taken, 1)
	require.Equal(t, taken.Start, c.Taken[0].Start)

	tests := []struct {
		name   string
		change func(e map[string]any)
		field  string
	}{
		{"a PUT without id", func(e map[string]any) { e["request"] = map[string]any{"method": "PUT", "url": "Appointment/apt1"} }, "Bundle.entry[0].resource.id"},
		{"a POST with If-Match", func(e map[string]any) { e["request"].(map[string]any)["ifMatch"] = `W/"1"` }, "Bundle.entry[0].request.ifMatch"},
		{"a POST that names an id", func(e map[string]any) { e["request"].(map[string]any)["url"] = "Appointment/apt1" }, "Bundle.entry[0].request.url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(post, &m))
			tc.change(m["entry"].([]any)[0].(map[string]any))
			data, err := json.Marshal(m)
			require.NoError(t, err)
			_, err = ImportBookingTransaction(data)
			requireFieldError(t, err, tc.field)
		})
	}
}
