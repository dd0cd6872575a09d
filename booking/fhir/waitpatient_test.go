package fhir

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

// TestFHIRWaitEntryPatientByIdentifier: a wait entry's Patient known by
// the Finnish personal identity code, as a contained resource ("#p") or
// as the reference's identifier, is the client the host resolves
// (Config.ClientByIdentifier); the entry comes back as it came, and the
// identity code is in no error.
func TestFHIRWaitEntryPatientByIdentifier(t *testing.T) {
	const code = "010101-123N"
	resolve := func(id Identifier) (carecontact.ClientRef, error) {
		if id.System == PersonalIdentitySystem && id.Value == code {
			return "client-7", nil
		}
		return "", errors.New("unknown patient")
	}
	host, err := New(Config{ClientByIdentifier: resolve})
	require.NoError(t, err)
	refuses, err := New(Config{ClientByIdentifier: func(Identifier) (carecontact.ClientRef, error) { return "", errors.New("unknown patient") }})
	require.NoError(t, err)
	ident := `{"system":"` + PersonalIdentitySystem + `","value":"` + code + `"}`
	head := `{"resourceType":"Appointment","id":"w1","status":"waitlist",`
	st := `"serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"vaccination"}]}],`
	containedIn := head + `"contained":[{"resourceType":"Patient","id":"p","identifier":[` + ident + `]}],` + st +
		`"participant":[{"actor":{"reference":"#p"},"status":"needs-action"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}]}`
	byIdentifier := head + st + `"participant":[{"actor":{"type":"Patient","identifier":` + ident + `},"status":"accepted"}]}`
	tests := []struct {
		name      string
		mapping   *Mapping
		in        string
		wantField string
	}{
		{name: "contained Patient", mapping: host, in: containedIn},
		{name: "Patient by identifier", mapping: host, in: byIdentifier},
		{name: "contained Patient the host does not know", mapping: refuses, in: containedIn, wantField: "Appointment.participant[0].actor.identifier"},
		{name: "contained Patient, no resolver", mapping: defaultMapping, in: containedIn, wantField: "Appointment.participant[0].actor"},
		{name: "two Patients", mapping: host, in: head + st + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"type":"Patient","identifier":` + ident + `},"status":"accepted"}]}`,
			wantField: "Appointment.participant[1].actor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, d, err := tt.mapping.ImportWaitEntryDetails([]byte(tt.in))
			if tt.wantField != "" {
				var fe *Error
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tt.wantField, fe.Field)
				require.NotContains(t, err.Error(), code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, carecontact.ClientRef("client-7"), w.Client)
			out, err := tt.mapping.ExportWaitEntryDetails(w, d)
			require.NoError(t, err)
			var want, got map[string]any
			require.NoError(t, json.Unmarshal([]byte(tt.in), &want))
			require.NoError(t, json.Unmarshal(out, &got))
			delete(got, "meta")
			require.Equal(t, want, got)
		})
	}
}

// TestFHIRWaitEntryCreate: a waitlist Appointment without id (the create
// interaction) is read with an empty ID, and exporting it before the host
// names it is refused.
func TestFHIRWaitEntryCreate(t *testing.T) {
	in := `{"resourceType":"Appointment","status":"waitlist","participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"}]}`
	w, d, err := defaultMapping.ImportWaitEntryDetails([]byte(in))
	require.NoError(t, err)
	require.Empty(t, w.ID)
	require.Equal(t, carecontact.ClientRef("c1"), w.Client)
	_, err = defaultMapping.ExportWaitEntryDetails(w, d)
	require.Error(t, err)
	w.ID = "w9"
	out, err := defaultMapping.ExportWaitEntryDetails(w, d)
	require.NoError(t, err)
	require.Empty(t, newValidator(t).Validate(out), string(out))
}
