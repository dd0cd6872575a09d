package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRLocalTargetsRefused is review item 8: a Slot whose schedule, or
// an AppointmentResponse whose appointment, is contained or known by
// identifier only is refused with a reason, naming the reference: neither
// names anything the store holds.
func TestFHIRLocalTargetsRefused(t *testing.T) {
	slot := func(sched string) string {
		return `{"resourceType":"Slot","id":"s1","contained":[{"resourceType":"Schedule","id":"sc","actor":[{"reference":"Practitioner/n1"}]}],"schedule":` + sched + `,"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"}`
	}
	resp := func(appt string) string {
		return `{"resourceType":"AppointmentResponse","id":"r","contained":[{"resourceType":"Appointment","id":"a","status":"proposed","participant":[{"type":[{"text":"x"}],"status":"needs-action"}]}],"appointment":` + appt + `,"actor":{"reference":"Patient/c1"},"participantStatus":"accepted"}`
	}
	tests := []struct {
		name, in, field string
		imp             func([]byte) error
	}{
		{"slot schedule contained", slot(`{"reference":"#sc"}`), "Slot.schedule.reference", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"slot schedule by identifier", slot(`{"identifier":{"system":"http://x","value":"1"}}`), "Slot.schedule.reference", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"response appointment contained", resp(`{"reference":"#a"}`), "AppointmentResponse.appointment.reference", func(b []byte) error { _, err := ImportAppointmentResponse(b); return err }},
		{"response appointment by identifier", resp(`{"identifier":{"system":"http://x","value":"1"}}`), "AppointmentResponse.appointment.reference", func(b []byte) error { _, err := ImportAppointmentResponse(b); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.imp([]byte(tt.in))
			requireFieldError(t, err, tt.field)
			require.ErrorContains(t, err, "contained or identifier-only")
		})
	}
}
