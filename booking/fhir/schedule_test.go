package fhir

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRForeignScheduleRoundTrip checks that a foreign Schedule comes
// back through ImportSchedule and ExportScheduleInfo: without an area,
// with every actor and its own id, and with active false.
func TestFHIRForeignScheduleRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"no area, one actor", `{"resourceType":"Schedule","id":"example","active":true,"actor":[{"reference":"Location/1"}]}`},
		{"two actors, own ids", `{"resourceType":"Schedule","id":"exampleloc1","active":true,"actor":[{"reference":"Location/1"},{"reference":"Practitioner/1"}]}`},
		{"inactive", `{"resourceType":"Schedule","id":"s2","active":false,"actor":[{"reference":"HealthcareService/hs1"}]}`},
		{"horizon and area", `{"resourceType":"Schedule","id":"nurse-1","active":true,"actor":[{"reference":"Practitioner/p.5F1"}],
			"planningHorizon":{"start":"2013-12-25T09:15:00Z","end":"2013-12-25T09:30:00Z"},
			"extension":[{"url":"` + ExtensionBase + `service-area","valueString":"north"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := ImportSchedule([]byte(tc.in))
			require.NoError(t, err)
			out, err := ExportScheduleInfo(info)
			require.NoError(t, err)
			require.JSONEq(t, tc.in, string(out))
		})
	}
	info, err := ImportSchedule([]byte(tests[1].in))
	require.NoError(t, err)
	require.Equal(t, []ScheduleActor{{Type: "Location", ID: "1"}, {Type: "Practitioner", ID: "1"}}, info.Actors)
	_, err = ImportSchedule([]byte(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"Location/1"},{"reference":"CareTeam/2"}]}`))
	requireFieldError(t, err, "Schedule.actor[1].reference")
	_, err = ExportScheduleInfo(ScheduleInfo{ID: "x", Actors: []ScheduleActor{{Type: "CareTeam", ID: "t"}}})
	requireFieldError(t, err, "Schedule.actor[0].reference")
	_, err = ExportScheduleInfo(ScheduleInfo{ID: "x"})
	requireFieldError(t, err, "Schedule.actor")
	var r fhirResource
	out, err := ExportScheduleInfo(ScheduleInfo{ID: "x", Actor: "n", ActorType: "Practitioner"})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out, &r))
	require.False(t, *r.Active)
}

// TestFHIRScheduleActorForms: a Schedule's actor known by identifier only,
// by a contained "#id" or with its Reference.type is accepted, kept and
// exported as it came, as an Appointment participant is; types R4 does
// not allow there, a type that contradicts the reference and an actor
// with a display only are refused naming the element.
func TestFHIRScheduleActorForms(t *testing.T) {
	const head = `{"resourceType":"Schedule","id":"s1","active":true,`
	tests := []struct {
		name  string
		in    string
		want  ScheduleActor // the first actor read
		field string        // the refusal, "" for none
	}{
		{"identifier of the calendars", head + `"actor":[{"identifier":{"system":"` + CalendarSystem + `","value":"nurse_1"},"display":"Nurse"}]}`,
			ScheduleActor{ID: "nurse_1", Display: "Nurse", Identifier: &Identifier{System: CalendarSystem, Value: "nurse_1"}}, ""},
		{"identifier of another system, typed", head + `"actor":[{"type":"Practitioner","identifier":{"system":"urn:oid:1.2.246.537.26","value":"123"}}]}`,
			ScheduleActor{Type: "Practitioner", RefType: "Practitioner", Identifier: &Identifier{System: "urn:oid:1.2.246.537.26", Value: "123"}}, ""},
		{"contained", head + `"contained":[{"resourceType":"Patient","id":"p"}],"actor":[{"reference":"#p","display":"P"},{"reference":"Location/room"}]}`,
			ScheduleActor{Type: "Patient", Reference: "#p", Display: "P"}, ""},
		{"typed literal", head + `"actor":[{"reference":"Practitioner/p1","type":"Practitioner"}]}`,
			ScheduleActor{Type: "Practitioner", ID: "p1", RefType: "Practitioner"}, ""},
		{"contained of a type R4 refuses", head + `"contained":[{"resourceType":"CareTeam","id":"t"}],"actor":[{"reference":"#t"}]}`, ScheduleActor{}, "Schedule.actor[0].reference"},
		{"type contradicts the contained", head + `"contained":[{"resourceType":"Practitioner","id":"p"}],"actor":[{"reference":"#p","type":"Device"}]}`, ScheduleActor{}, "Schedule.actor[0].type"},
		{"type contradicts the reference", head + `"actor":[{"reference":"Practitioner/p1","type":"Location"}]}`, ScheduleActor{}, "Schedule.actor[0].type"},
		{"a type R4 refuses", head + `"actor":[{"type":"CareTeam","identifier":{"system":"urn:x","value":"1"}}]}`, ScheduleActor{}, "Schedule.actor[0].type"},
		{"display only", head + `"actor":[{"display":"Room 1"}]}`, ScheduleActor{}, "Schedule.actor[0].reference"},
	}
	v := newValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := ImportSchedule([]byte(tc.in))
			if tc.field != "" {
				requireFieldError(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, info.Actors[0])
			out, err := ExportScheduleInfo(info)
			require.NoError(t, err)
			require.JSONEq(t, tc.in, string(out))
			if !strings.Contains(tc.in, `"contained"`) {
				// The validator knows the scheduling resources only, not
				// a contained Patient (which comes back as it came).
				require.Empty(t, v.Validate(out), string(out))
			}
		})
	}
}
