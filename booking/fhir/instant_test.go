package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRInstantSubSecond is review item 4: instants keep their
// fractional seconds through import and export; whole seconds are written
// without a fraction.
func TestFHIRInstantSubSecond(t *testing.T) {
	tests := []struct {
		name, start, end, created string
	}{
		{name: "milliseconds", start: "2026-12-08T07:00:00.123Z", end: "2026-12-08T07:30:00.5Z", created: "2026-12-01T10:00:00.25Z"},
		{name: "nanoseconds", start: "2026-12-08T07:00:00.000000001Z", end: "2026-12-08T07:30:00.999999999Z", created: "2026-12-01T10:00:00.1Z"},
		{name: "whole seconds", start: "2026-12-08T07:00:00Z", end: "2026-12-08T07:30:00Z", created: "2026-12-01T10:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `{"resourceType":"Appointment","id":"a1","status":"booked","start":"` + tt.start + `","end":"` + tt.end + `","created":"` + tt.created + `",` +
				`"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}]}`
			a, d, err := ImportAppointmentDetails([]byte(in))
			require.NoError(t, err)
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			var got struct{ Start, End, Created string }
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, tt.start, got.Start)
			require.Equal(t, tt.end, got.End)
			require.Equal(t, tt.created, got.Created)

			slot := `{"resourceType":"Slot","id":"s1","schedule":{"reference":"Schedule/n1"},"status":"free","start":"` + tt.start + `","end":"` + tt.end + `"}`
			s, st, sd, err := ImportSlotDetails([]byte(slot))
			require.NoError(t, err)
			out, err = ExportSlotDetails(s, st, sd)
			require.NoError(t, err)
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, tt.start, got.Start)
			require.Equal(t, tt.end, got.End)
		})
	}
}
