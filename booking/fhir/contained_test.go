package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
)

// TestFHIRContainedPatient is review item 1: a participant "#p" whose
// contained resource is a Patient is the client, known by the contained
// Patient's identity code through ClientByIdentifier or absent, and the
// appointment comes back unchanged.
func TestFHIRContainedPatient(t *testing.T) {
	const hetu = "010101-123N"
	resolved, err := New(Config{ClientByIdentifier: func(id Identifier) (carecontact.ClientRef, error) {
		if id.System == PersonalIdentitySystem && id.Value == hetu {
			return "client-1", nil
		}
		return "", nil
	}})
	require.NoError(t, err)
	nurse := `{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}`
	head := `{"resourceType":"Appointment","id":"a1","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",`
	tests := []struct {
		name       string
		mapping    *Mapping
		in         string
		wantClient carecontact.ClientRef
		wantErr    string
	}{
		{name: "contained Patient without identifier", mapping: defaultMapping,
			in: head + `"contained":[{"resourceType":"Patient","id":"p"}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},` + nurse + `]}`},
		{name: "contained Patient by identity code, resolved", mapping: resolved, wantClient: "client-1",
			in: head + `"contained":[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.246.21","value":"` + hetu + `"}]}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},` + nurse + `]}`},
		{name: "contained Patient by identity code, no resolver", mapping: defaultMapping,
			in: head + `"contained":[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.246.21","value":"` + hetu + `"}]}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},` + nurse + `]}`},
		{name: "all participants contained (HL7 Finland ExampleAppointment4 shape)", mapping: defaultMapping,
			in: head + `"contained":[{"resourceType":"Patient","id":"p"},{"resourceType":"Practitioner","id":"n"}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},{"actor":{"reference":"#n"},"status":"accepted"},` + nurse + `]}`},
		{name: "contained Patient not resolved", mapping: resolved, wantErr: "the host did not resolve the patient",
			in: head + `"contained":[{"resourceType":"Patient","id":"p","identifier":[{"system":"urn:oid:1.2.246.21","value":"010101-123A"}]}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},` + nurse + `]}`},
		{name: "two Patients, one contained", mapping: defaultMapping, wantErr: "a second Patient",
			in: head + `"contained":[{"resourceType":"Patient","id":"p"}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},{"actor":{"reference":"Patient/c1"},"status":"accepted"},` + nurse + `]}`},
		{name: "contained resource of a type R4 forbids", mapping: defaultMapping, wantErr: "want one of",
			in: head + `"contained":[{"resourceType":"CareTeam","id":"t"}],"participant":[{"actor":{"reference":"#t"},"status":"accepted"},{"actor":{"reference":"Patient/c1"},"status":"accepted"},` + nurse + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, d, err := tt.mapping.ImportAppointmentDetails([]byte(tt.in))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.NotContains(t, err.Error(), "010101")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.wantClient, a.Client)
			out, err := tt.mapping.ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			requireSameResource(t, []byte(tt.in), out)
		})
	}
}

// TestFHIRContainedPatientResponse: an AppointmentResponse whose actor is
// a contained Patient is the client's and comes back unchanged.
func TestFHIRContainedPatientResponse(t *testing.T) {
	in := `{"resourceType":"AppointmentResponse","id":"r1","contained":[{"resourceType":"Patient","id":"p"}],"appointment":{"reference":"Appointment/a1"},"actor":{"reference":"#p"},"participantStatus":"accepted"}`
	r, err := ImportAppointmentResponse([]byte(in))
	require.NoError(t, err)
	require.Equal(t, RoleClient, r.Role)
	out, err := ExportAppointmentResponse(r)
	require.NoError(t, err)
	requireSameResource(t, []byte(in), out)
}
