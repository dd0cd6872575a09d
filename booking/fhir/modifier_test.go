package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRNestedModifierExtension is review item 2: an unknown
// modifierExtension anywhere in a resource is refused as the resource's
// own is, naming the element that has it; so is implicitRules.
func TestFHIRNestedModifierExtension(t *testing.T) {
	me := `"modifierExtension":[{"url":"http://x/e","valueBoolean":true}]`
	pat := `{"actor":{"reference":"Patient/c1"},"status":"accepted"}`
	nurse := `{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}`
	appt := `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",`
	tests := []struct {
		name, in, field string
		imp             func([]byte) error
	}{
		{"participant", appt + `"participant":[` + pat + `,{"actor":{"reference":"Practitioner/n1"},"status":"accepted",` + me + `}]}`,
			"Appointment.participant[1].modifierExtension", importAppt},
		{"contained resource", appt + `"contained":[{"resourceType":"Patient","id":"p",` + me + `}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},` + nurse + `]}`,
			"Appointment.contained[0].modifierExtension", importAppt},
		{"unread backbone element", appt + `"participant":[` + pat + `,` + nurse + `],"x":{` + me + `}}`,
			"Appointment.x.modifierExtension", importAppt},
		{"waitlist participant", `{"resourceType":"Appointment","id":"w1","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"v"}]}],"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted",` + me + `}]}`,
			"Appointment.participant[0].modifierExtension", func(b []byte) error { _, err := ImportWaitEntry(b); return err }},
		{"slot", `{"resourceType":"Slot","id":"s1","schedule":{"reference":"Schedule/n1"},"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","x":[{` + me + `}]}`,
			"Slot.x[0].modifierExtension", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"schedule", `{"resourceType":"Schedule","id":"n1","actor":[{"reference":"Practitioner/n1"}],"availabilityTime":[{` + me + `}]}`,
			"Schedule.availabilityTime[0].modifierExtension", func(b []byte) error { _, err := ImportSchedule(b); return err }},
		{"response", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"actor":{"reference":"Patient/c1"},"participantStatus":"accepted","x":{` + me + `}}`,
			"AppointmentResponse.x.modifierExtension", func(b []byte) error { _, err := ImportAppointmentResponse(b); return err }},
		// implicitRules is a modifier element too (R4 Resource): rules the
		// mapping does not know change what the resource means.
		{"appointment implicitRules", appt + `"implicitRules":"http://example.org/rules","participant":[` + pat + `,` + nurse + `]}`,
			"Appointment.implicitRules", importAppt},
		{"slot implicitRules", `{"resourceType":"Slot","id":"s1","implicitRules":"http://example.org/rules","schedule":{"reference":"Schedule/n1"},"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"}`,
			"Slot.implicitRules", func(b []byte) error { _, _, err := ImportSlot(b); return err }},
		{"schedule implicitRules", `{"resourceType":"Schedule","id":"n1","implicitRules":"http://example.org/rules","actor":[{"reference":"Practitioner/n1"}]}`,
			"Schedule.implicitRules", func(b []byte) error { _, err := ImportSchedule(b); return err }},
		{"waitlist implicitRules", `{"resourceType":"Appointment","id":"w1","status":"waitlist","implicitRules":"http://example.org/rules","participant":[` + pat + `]}`,
			"Appointment.implicitRules", func(b []byte) error { _, err := ImportWaitEntry(b); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.imp([]byte(tt.in))
			require.ErrorIs(t, err, booking.ErrInvalid)
			var fe *Error
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tt.field, fe.Field)
		})
	}
	// An empty modifierExtension array says nothing and is accepted.
	_, err := ImportAppointment([]byte(appt + `"participant":[` + pat + `,{"actor":{"reference":"Practitioner/n1"},"status":"accepted","modifierExtension":[]}]}`))
	require.NoError(t, err)
}

func importAppt(b []byte) error { _, err := ImportAppointment(b); return err }
