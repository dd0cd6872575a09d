package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRSameIDOtherType: Practitioner/x and Location/x are two
// resources, so two participants. The booking model has one calendar x,
// the first of them; the other is kept as it came, with its type, its
// status and required, and both are exported back unchanged. The same
// type twice, or an untyped logical reference beside a typed one, is the
// same participant twice.
func TestFHIRSameIDOtherType(t *testing.T) {
	patient := `{"actor":{"reference":"Patient/c1"},"status":"accepted"}`
	tests := []struct {
		name         string
		participants string
		other        string // the reference kept as it came, "" for a refusal
	}{
		{"practitioner then location", patient + `,{"actor":{"reference":"Practitioner/x"},"status":"accepted"},{"actor":{"reference":"Location/x"},"required":"optional","status":"tentative"}`, "Location/x"},
		{"location then practitioner", patient + `,{"actor":{"reference":"Location/x"},"status":"accepted"},{"actor":{"reference":"Practitioner/x","display":"X"},"status":"accepted"}`, "Practitioner/x"},
		{"absolute and typed", patient + `,{"actor":{"reference":"https://h.example/fhir/Practitioner/x"},"status":"accepted"},{"actor":{"reference":"HealthcareService/x","type":"HealthcareService"},"status":"accepted"}`, "HealthcareService/x"},
		{"the same type twice", patient + `,{"actor":{"reference":"Practitioner/x"},"status":"accepted"},{"actor":{"reference":"Practitioner/x/_history/2"},"status":"accepted"}`, ""},
		{"a logical reference beside a typed one", patient + `,{"actor":{"reference":"Practitioner/x"},"status":"accepted"},{"actor":{"identifier":{"system":"` + CalendarSystem + `","value":"x"}},"status":"accepted"}`, ""},
	}
	v := newValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(appointmentHead + tc.participants + `]}`)
			a, d, err := ImportAppointmentDetails(in)
			if tc.other == "" {
				requireFieldError(t, err, "Appointment.participant[2].actor")
				return
			}
			require.NoError(t, err)
			require.Equal(t, []booking.CalendarID{"x"}, a.Participants)
			require.Len(t, d.Participants, 3)
			require.Equal(t, RoleCalendar, d.Participants[1].Role)
			require.Equal(t, RoleOther, d.Participants[2].Role)
			require.Equal(t, tc.other, d.Participants[2].Actor.Reference)
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			requireSameResource(t, in, out)
			require.Empty(t, v.Validate(out), string(out))
		})
	}
}
