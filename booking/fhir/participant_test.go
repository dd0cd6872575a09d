package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// normalJSON decodes data and writes every dateTime with a time zone as the
// same instant in UTC, so that "12:00:00+02:00" and "10:00:00Z" compare
// equal: the mapping stores UTC.
func normalJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal(data, &v))
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
		case string:
			if ts, err := time.Parse(time.RFC3339, x); err == nil {
				return ts.UTC().Format(time.RFC3339Nano)
			}
		}
		return v
	}
	return walk(v)
}

// requireSameResource checks that got has exactly want's elements: none
// lost, changed or invented.
func requireSameResource(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal(want, &w))
	require.NoError(t, json.Unmarshal(got, &g))
	require.Equal(t, w, g)
}

const appointmentHead = `{"resourceType":"Appointment","id":"a1","status":"booked",` +
	`"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[`

// TestFHIRParticipantForms is defect 3: participants without a plain
// Type/id reference are accepted, kept and exported as they came.
func TestFHIRParticipantForms(t *testing.T) {
	patient := `{"actor":{"reference":"Patient/c1"},"status":"accepted"}`
	nurse := `{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}`
	tests := []struct {
		name         string
		participants string
		client       carecontact.ClientRef
		calendars    []booking.CalendarID
		roles        []Role
	}{
		{"type only (app-1)", patient + `,` + nurse + `,{"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ParticipationType","code":"ATND"}]}],"required":"required","status":"needs-action"}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleClient, RoleCalendar, RoleOther}},
		{"display only", patient + `,` + nurse + `,{"actor":{"display":"Phone Call"},"required":"information-only","status":"accepted"}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleClient, RoleCalendar, RoleOther}},
		{"identifier of another system", patient + `,` + nurse + `,{"actor":{"identifier":{"value":"1.2.246.10.10303777.10.777"},"display":"Vastaanotto"},"status":"accepted"}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleClient, RoleCalendar, RoleOther}},
		{"absolute", patient + `,{"actor":{"reference":"https://fhir.example.org/r4/Practitioner/n1","display":"Dr N"},"status":"accepted"}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleClient, RoleCalendar}},
		{"versioned", patient + `,{"actor":{"reference":"Location/room-1/_history/3"},"status":"tentative"}`,
			"c1", []booking.CalendarID{"room-1"}, []Role{RoleClient, RoleCalendar}},
		{"typed", `{"actor":{"reference":"Patient/c1","type":"Patient"},"status":"accepted"},{"actor":{"reference":"HealthcareService/t1","type":"HealthcareService"},"status":"accepted"}`,
			"c1", []booking.CalendarID{"t1"}, []Role{RoleClient, RoleCalendar}},
		{"related person", nurse + `,` + patient + `,{"actor":{"reference":"RelatedPerson/r1"},"status":"declined"}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleCalendar, RoleClient, RoleOther}},
		{"period and type on a calendar", patient + `,{"type":[{"text":"host"}],"actor":{"reference":"Practitioner/n1"},"status":"accepted","period":{"start":"2026-12-08T07:00:00Z"}}`,
			"c1", []booking.CalendarID{"n1"}, []Role{RoleClient, RoleCalendar}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(appointmentHead + tc.participants + `]}`)
			a, d, err := ImportAppointmentDetails(in)
			require.NoError(t, err)
			require.Equal(t, tc.client, a.Client)
			require.Equal(t, tc.calendars, a.Participants)
			var roles []Role
			for _, p := range d.Participants {
				roles = append(roles, p.Role)
			}
			require.Equal(t, tc.roles, roles)
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			var want, got map[string]any
			require.NoError(t, json.Unmarshal(in, &want))
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, want["participant"], got["participant"])
		})
	}
}

// TestFHIRLocalReference is R4 invariant ref-1 (a local reference "#id"
// names a contained resource of the root): an actor given as a contained
// resource is imported with the contained resource, which is exported
// again as it came; one whose contained resource is missing is refused,
// naming the reference, so the exporter never writes a dangling "#id".
func TestFHIRLocalReference(t *testing.T) {
	const loc = `{"resourceType":"Location","id":"loc","name":"Room 1"}`
	participants := `{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"},` +
		`{"actor":{"reference":"#loc"},"status":"accepted"}]}`
	head := strings.Replace(appointmentHead, `"status":"booked",`, `"status":"booked","contained":[`+loc+`],`, 1)
	v := newValidator(t)
	t.Run("kept with its contained resource", func(t *testing.T) {
		in := []byte(head + participants)
		a, d, err := ImportAppointmentDetails(in)
		require.NoError(t, err)
		require.Equal(t, []Role{RoleClient, RoleCalendar, RoleOther}, []Role{d.Participants[0].Role, d.Participants[1].Role, d.Participants[2].Role})
		out, err := ExportAppointmentDetails(a, d)
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal(out, &got))
		require.Equal(t, normalJSON(t, []byte(`[`+loc+`]`)), got["contained"])
		requireSameResource(t, in, out)
		// The validator knows no Location; ref-1 and the rest hold.
		require.Equal(t, []string{`Appointment.contained[0]/resourceType "Location" is not one this validator knows`}, v.Validate(out))
	})
	tests := []struct {
		name, data, field string
		unknownType       bool // the validator does not read inside a Location
	}{
		{"no contained resource", appointmentHead + participants, "Appointment.participant[2].actor.reference", false},
		{"another id", strings.Replace(head, `"id":"loc"`, `"id":"room"`, 1) + participants, "Appointment.participant[2].actor.reference", false},
		{"the container itself", strings.Replace(head+participants, `"#loc"`, `"#"`, 1), "Appointment.participant[2].actor.reference", false},
		{"inside a contained resource", strings.Replace(head, `"name":"Room 1"`, `"partOf":{"reference":"#site"}`, 1) + participants,
			"Appointment.contained[0].partOf.reference", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ImportAppointmentDetails([]byte(tc.data))
			requireFieldError(t, err, tc.field)
			require.Contains(t, err.Error(), "ref-1")
			if !tc.unknownType {
				require.Contains(t, strings.Join(v.Validate([]byte(tc.data)), "\n"), "(ref-1)")
			}
		})
	}
}

func TestFHIRParticipantFormsRefused(t *testing.T) {
	patient := `{"actor":{"reference":"Patient/c1"},"status":"accepted"}`
	tests := []struct {
		name         string
		participants string
		field        string
	}{
		{"neither type nor actor (app-1)", patient + `,{"status":"accepted"}`, "Appointment.participant[1]"},
		{"not a reference", patient + `,{"actor":{"reference":"nurse-1"},"status":"accepted"}`, "Appointment.participant[1].actor.reference"},
		{"schedule", patient + `,{"actor":{"reference":"Schedule/s1"},"status":"accepted"}`, "Appointment.participant[1].actor.reference"},
		{"absolute care team", patient + `,{"actor":{"reference":"https://x.example/CareTeam/t"},"status":"accepted"}`, "Appointment.participant[1].actor.reference"},
		{"type against reference", patient + `,{"actor":{"reference":"Practitioner/n1","type":"Location"},"status":"accepted"}`, "Appointment.participant[1].actor.type"},
		{"type R4 does not allow", patient + `,{"actor":{"display":"x","type":"Group"},"status":"accepted"}`, "Appointment.participant[1].actor.type"},
		{"a calendar twice", patient + `,{"actor":{"reference":"Practitioner/n1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}`, "Appointment.participant[2].actor"},
		{"only others", patient + `,{"actor":{"display":"Phone Call"},"status":"accepted"}`, "Appointment.participant"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportAppointment([]byte(appointmentHead + tc.participants + `]}`))
			requireFieldError(t, err, tc.field)
		})
	}
}

// TestFHIRPatientByIdentifier is defect 3 for a client known only by a
// personal identity code: it is accepted and kept, resolved where the host
// configures it, and the code reaches no error and no printed value.
func TestFHIRPatientByIdentifier(t *testing.T) {
	const code = "010101-123N" // the fictional code of HL7 Finland's example
	in := []byte(appointmentHead + `{"actor":{"identifier":{"system":"urn:oid:1.2.246.21","value":"` + code + `"}},"status":"accepted"},` +
		`{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}]}`)
	tests := []struct {
		name    string
		resolve func(Identifier) (carecontact.ClientRef, error)
		client  carecontact.ClientRef
		err     bool
	}{
		{"not resolved", nil, "", false},
		{"resolved by the host", func(id Identifier) (carecontact.ClientRef, error) {
			if id.System == PersonalIdentitySystem && id.Value == code {
				return "pseudonym-1", nil
			}
			return "", fmt.Errorf("unknown %s", id.Value)
		}, "pseudonym-1", false},
		{"the host fails", func(id Identifier) (carecontact.ClientRef, error) {
			return "", fmt.Errorf("no such person %s", id.Value)
		}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := New(Config{ClientByIdentifier: tc.resolve})
			require.NoError(t, err)
			a, d, err := m.ImportAppointmentDetails(in)
			if tc.err {
				requireFieldError(t, err, "Appointment.participant[0].actor.identifier")
				require.NotContains(t, err.Error(), code)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.client, a.Client)
			require.Equal(t, []booking.CalendarID{"n1"}, a.Participants)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v", d, d, d.Participants[0].Actor), code)
			out, err := m.ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			requireSameResource(t, in, out)
		})
	}
	// A bad element elsewhere does not echo the identifier.
	bad := []byte(appointmentHead + `{"actor":{"identifier":{"system":"urn:oid:1.2.246.21","value":"` + code + `"}},"status":"maybe"}]}`)
	_, err := ImportAppointment(bad)
	requireFieldError(t, err, "Appointment.participant[0].status")
	require.NotContains(t, err.Error(), code)
}

// TestFHIRParticipantLayoutFollowsTheModel checks that a participant kept
// as it came gives way to the model: a calendar removed is left out, one
// added is appended, another client replaces the Patient.
func TestFHIRParticipantLayoutFollowsTheModel(t *testing.T) {
	in := []byte(appointmentHead + `{"actor":{"reference":"Practitioner/n1","display":"Dr N"},"status":"accepted"},` +
		`{"actor":{"reference":"Patient/c1","display":"Client"},"status":"accepted"},{"actor":{"display":"Phone Call"},"status":"accepted"}]}`)
	a, d, err := ImportAppointmentDetails(in)
	require.NoError(t, err)
	a.Participants = []booking.CalendarID{"room-1"}
	a.Client = "c2"
	out, err := ExportAppointmentDetails(a, d, booking.Calendar{ID: "room-1", Kind: booking.OwnerResource})
	require.NoError(t, err)
	var r fhirResource
	require.NoError(t, json.Unmarshal(out, &r))
	var actors []Reference
	for _, p := range r.Participant {
		actors = append(actors, p.Actor)
	}
	require.Equal(t, []Reference{{Reference: "Patient/c2"}, {Display: "Phone Call"}, {Reference: "Location/room-1"}}, actors)
}
