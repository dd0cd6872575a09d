package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// prim is the JSON "_name" sibling of a primitive with a plain extension
// (valueString v): FHIR's way of extending a primitive value.
func prim(name, v string) string {
	return `"_` + name + `":{` + ext(v) + `}`
}

// TestFHIRPrimitiveExtensionsRoundTrip: the extensions of primitives
// inside the elements the importers read into Go types ("_status" of a
// participant, "_reference" of a Reference, "_code" of a Coding, "_text"
// of a CodeableConcept, "_start" of a Period, "_value" of an Identifier)
// are kept and exported back unchanged, and what the library writes is
// valid R4.
func TestFHIRPrimitiveExtensionsRoundTrip(t *testing.T) {
	const start = `"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"`
	participants := `"participant":[` +
		`{"actor":{"reference":"Patient/c1",` + prim("reference", "ref") + `,"display":"C",` + prim("display", "disp") + `},"status":"accepted",` + prim("status", "st") + `,"required":"required",` + prim("required", "req") + `},` +
		`{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType",` + prim("system", "sys") + `,"code":"ATND",` + prim("code", "code") + `,"display":"attender",` + prim("display", "cdisp") + `}],"text":"A",` + prim("text", "text") + `}],` +
		`"actor":{"reference":"Practitioner/n1"},"status":"accepted","period":{"start":"2026-12-08T07:00:00Z",` + prim("start", "pstart") + `}},` +
		`{"actor":{"type":"RelatedPerson",` + prim("type", "rtype") + `,"identifier":{"system":"urn:x",` + prim("system", "isys") + `,"value":"1",` + prim("value", "ival") + `}},"status":"needs-action"}]}`
	appointment := func(data []byte) ([]byte, error) {
		a, d, err := ImportAppointmentDetails(data)
		if err != nil {
			return nil, err
		}
		return ExportAppointmentDetails(a, d)
	}
	tests := []struct {
		name, in string
		round    func([]byte) ([]byte, error)
	}{
		{"appointment participants", `{"resourceType":"Appointment","id":"a1","status":"booked",` + start + `,` + participants, appointment},
		{"cancellation reason codings", `{"resourceType":"Appointment","id":"a2","status":"cancelled",` + start + `,` +
			`"cancelationReason":{"coding":[{"system":"urn:x","code":"pat",` + prim("code", "rc") + `}],"text":"ill",` + prim("text", "rt") + `},` + participants, appointment},
		{"slot schedule", `{"resourceType":"Slot","id":"s1","status":"free",` + start + `,"schedule":{"reference":"Schedule/n1",` + prim("reference", "sch") + `}}`,
			func(data []byte) ([]byte, error) {
				s, st, d, err := ImportSlotDetails(data)
				if err != nil {
					return nil, err
				}
				return ExportSlotDetails(s, st, d)
			}},
		{"schedule actor", `{"resourceType":"Schedule","id":"n1","active":true,"actor":[{"reference":"Practitioner/n1",` + prim("reference", "act") + `}]}`,
			func(data []byte) ([]byte, error) {
				info, err := ImportSchedule(data)
				if err != nil {
					return nil, err
				}
				return ExportScheduleInfo(info)
			}},
		{"response appointment", `{"resourceType":"AppointmentResponse","id":"r1","appointment":{"reference":"Appointment/a1",` + prim("reference", "app") + `},` +
			`"actor":{"reference":"Patient/c1",` + prim("reference", "actor") + `},"participantStatus":"accepted"}`,
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
		})
	}
}

// TestFHIRServiceConceptKeptWhole: a serviceType concept with the
// library's service coding and more (a text, an extension, an extension of
// the coding's code, another coding) comes back as one concept, as it
// came, and valid; a service the host changed is written in that concept.
func TestFHIRServiceConceptKeptWhole(t *testing.T) {
	own := `{"system":"` + ServiceSystem + `north","code":"vaccination",` + prim("code", "own") + `}`
	in := `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",` +
		`"serviceType":[{` + ext("serviceType") + `,"coding":[{"system":"http://snomed.info/sct","code":"33879002"},` + own + `],"text":"rokotus",` + prim("text", "t") + `}],` +
		`"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}]}`
	a, d, err := ImportAppointmentDetails([]byte(in))
	require.NoError(t, err)
	require.Equal(t, "vaccination", a.Service)
	out, err := ExportAppointmentDetails(a, d)
	require.NoError(t, err)
	requireSameResource(t, []byte(in), out)
	require.Empty(t, newValidator(t).Validate(out), string(out))

	a.Service = "flu"
	out, err = ExportAppointmentDetails(a, d)
	require.NoError(t, err)
	var got struct{ ServiceType []Concept }
	require.NoError(t, json.Unmarshal(out, &got))
	require.Len(t, got.ServiceType, 1)
	require.Equal(t, "flu", got.ServiceType[0].Coding[1].Code)
	require.Equal(t, "rokotus", got.ServiceType[0].Text)
}
