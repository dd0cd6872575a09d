package fhir

import (
	"encoding/json"
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
