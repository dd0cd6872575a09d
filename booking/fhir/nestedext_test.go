package fhir

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// ext is a plain extension, valueString v.
func ext(v string) string {
	return `"extension":[{"url":"https://example.org/fhir/StructureDefinition/note","valueString":"` + v + `"}]`
}

// TestFHIRNestedExtensionsRoundTrip: the ids and plain extensions of the
// elements the importers read into Go types (Appointment.participant, a
// Reference, a Coding, a CodeableConcept, an Identifier, a Period and
// Appointment._status) are kept and exported back unchanged, and what the
// library writes is valid R4.
func TestFHIRNestedExtensionsRoundTrip(t *testing.T) {
	const start, end = `"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"`, `"2026-12-08T07:30:00Z"`
	apptTail := `"participant":[` +
		`{"id":"p0",` + ext("participant") + `,"actor":{"reference":"Patient/c1",` + ext("reference") + `},"status":"accepted"},` +
		`{"type":[{"id":"t0",` + ext("concept") + `,"coding":[{"id":"c0",` + ext("coding") + `,"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"ATND"}]}],` +
		`"actor":{"reference":"Practitioner/n1","display":"N"},"status":"accepted","period":{"id":"per",` + ext("period") + `,"start":"2026-12-08T07:00:00Z"}},` +
		`{"actor":{"type":"RelatedPerson","identifier":{"id":"i0",` + ext("identifier") + `,"system":"urn:x","value":"1"}},"status":"needs-action"}]}`
	tests := []struct {
		name, in string
		round    func([]byte) ([]byte, error)
	}{
		{"appointment", `{"resourceType":"Appointment","id":"a1","status":"booked","_status":{"id":"st",` + ext("status") + `},` + start + `,` +
			`"serviceType":[{"id":"s0",` + ext("serviceType") + `,"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"X1",` + ext("serviceCoding") + `}]}],` +
			`"appointmentType":{"coding":[{"system":"` + ChannelSystem + `","code":"in_person",` + ext("channel") + `}]},` + apptTail,
			func(data []byte) ([]byte, error) {
				a, d, err := ImportAppointmentDetails(data)
				if err != nil {
					return nil, err
				}
				return ExportAppointmentDetails(a, d)
			}},
		{"cancelled appointment", `{"resourceType":"Appointment","id":"a2","status":"cancelled",` + start + `,` +
			`"cancelationReason":{"id":"cr",` + ext("reason") + `,"coding":[{"system":"urn:x","code":"pat",` + ext("reasonCoding") + `}],"text":"ill"},` + apptTail,
			func(data []byte) ([]byte, error) {
				a, d, err := ImportAppointmentDetails(data)
				if err != nil {
					return nil, err
				}
				return ExportAppointmentDetails(a, d)
			}},
		{"slot", `{"resourceType":"Slot","id":"s1","status":"free",` + start + `,"schedule":{"reference":"Schedule/n1",` + ext("schedule") + `},` +
			`"identifier":[{"system":"urn:x","value":"1",` + ext("identifier") + `,"period":{"start":"2026-01-01",` + ext("identifierPeriod") + `}}],` +
			`"serviceCategory":[{"coding":[{"system":"urn:x","code":"c",` + ext("category") + `}]}]}`,
			func(data []byte) ([]byte, error) {
				s, st, d, err := ImportSlotDetails(data)
				if err != nil {
					return nil, err
				}
				return ExportSlotDetails(s, st, d)
			}},
		{"schedule", `{"resourceType":"Schedule","id":"n1","active":true,"actor":[{"id":"a0","reference":"Practitioner/n1",` + ext("actor") + `}],` +
			`"planningHorizon":{"id":"h",` + ext("horizon") + `,"start":"2026-12-01","end":` + end + `}}`,
			func(data []byte) ([]byte, error) {
				info, err := ImportSchedule(data)
				if err != nil {
					return nil, err
				}
				return ExportScheduleInfo(info)
			}},
		{"response", `{"resourceType":"AppointmentResponse","id":"r1","appointment":{"reference":"Appointment/a1",` + ext("appointment") + `},` +
			`"actor":{"reference":"Patient/c1",` + ext("actor") + `},"participantStatus":"accepted"}`,
			func(data []byte) ([]byte, error) {
				r, err := ImportAppointmentResponse(data)
				if err != nil {
					return nil, err
				}
				return ExportAppointmentResponse(r)
			}},
	}
	v := newValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, json.Valid([]byte(tc.in)), tc.in)
			out, err := tc.round([]byte(tc.in))
			require.NoError(t, err)
			requireSameResource(t, []byte(tc.in), out)
			require.Empty(t, v.Validate(out), string(out))
			// A modifierExtension in the same place is still refused.
			bad := strings.Replace(tc.in, `"extension":[{"url":"https://example.org`, `"modifierExtension":[{"url":"https://example.org`, 1)
			_, err = tc.round([]byte(bad))
			fhirError(t, err)
			require.Contains(t, err.Error(), "modifierExtension")
		})
	}
}
