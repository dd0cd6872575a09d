package fhir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRErrorsDoNotQuoteInput is review item 14: an identity code put
// where a code, a reference or an identifier goes is refused with an
// error naming the field, never quoting the value.
func TestFHIRErrorsDoNotQuoteInput(t *testing.T) {
	const hetu = "010101-123N"
	head := `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",`
	nurse := `{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}`
	pat := `{"actor":{"reference":"Patient/c1"},"status":"accepted"}`
	appt := func(b []byte) error { _, err := ImportAppointment(b); return err }
	tests := []struct {
		name, in, field string
		imp             func([]byte) error
	}{
		{"participant.status", head + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"` + hetu + `"},` + nurse + `]}`, "Appointment.participant[0].status", appt},
		{"participant.required", head + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted","required":"` + hetu + `"},` + nurse + `]}`, "Appointment.participant[0].required", appt},
		{"local reference", head + `"participant":[` + pat + `,{"actor":{"reference":"#` + hetu + `"},"status":"accepted"},` + nurse + `]}`, "Appointment.participant[1].actor.reference", appt},
		{"search reference", head + `"participant":[` + pat + `,{"actor":{"reference":"Patient?identifier=urn:oid:1.2.246.21|` + hetu + `"},"status":"accepted"},` + nurse + `]}`, "Appointment.participant[1].actor.reference", appt},
		{"actor.type", head + `"participant":[` + pat + `,{"actor":{"type":"` + hetu + `","display":"x"},"status":"accepted"},` + nurse + `]}`, "Appointment.participant[1].actor.type", appt},
		{"appointment status", `{"resourceType":"Appointment","id":"a1","status":"` + hetu + `"}`, "Appointment.status", appt},
		{"instant", `{"resourceType":"Appointment","id":"a1","status":"booked","start":"` + hetu + `","end":"2026-12-08T07:30:00Z"}`, "Appointment.start", appt},
		{"slot status", `{"resourceType":"Slot","id":"s1","status":"` + hetu + `"}`, "Slot.status", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"slot schedule", `{"resourceType":"Slot","id":"s1","status":"free","schedule":{"reference":"Patient/` + hetu + `"}}`, "Slot.schedule.reference", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"response status", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"` + hetu + `"}`, "AppointmentResponse.participantStatus", func(b []byte) error { _, err := ImportAppointmentResponse(b); return err }},
		{"wait status", `{"resourceType":"Appointment","id":"w","status":"` + hetu + `"}`, "Appointment.status", func(b []byte) error { _, err := ImportWaitEntry(b); return err }},
		{"transaction url", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Patient?identifier=` + hetu + `"}}]}`, "Bundle.entry[0].request.url", func(b []byte) error { _, err := ImportTransaction(b); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.imp([]byte(tt.in))
			requireFieldError(t, err, tt.field)
			require.False(t, strings.Contains(err.Error(), "010101"), err.Error())
		})
	}
}
