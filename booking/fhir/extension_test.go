package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRExtensionValueTypes checks that late-cancellation is a JSON
// boolean in valueBoolean and hold-until an instant in valueInstant, and
// that the old string forms are refused.
func TestFHIRExtensionValueTypes(t *testing.T) {
	a := sampleAppointment()
	a.Status, a.LateCancel = booking.StatusCancelled, true
	held := sampleAppointment()
	held.Status, held.HoldUntil = booking.StatusPending, time.Date(2026, 12, 1, 10, 15, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    booking.Appointment
		url  string
		want map[string]any
	}{
		{"late cancellation", a, ExtensionBase + "late-cancellation", map[string]any{"url": ExtensionBase + "late-cancellation", "valueBoolean": true}},
		{"hold until", held, ExtensionBase + "hold-until", map[string]any{"url": ExtensionBase + "hold-until", "valueInstant": "2026-12-01T10:15:00Z"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ExportAppointment(tc.a)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			var ext map[string]any
			for _, e := range m["extension"].([]any) {
				if e.(map[string]any)["url"] == tc.url {
					ext = e.(map[string]any)
				}
			}
			require.Equal(t, tc.want, ext)
			got, err := ImportAppointment(data)
			require.NoError(t, err)
			require.Equal(t, tc.a.LateCancel, got.LateCancel)
			require.Equal(t, tc.a.HoldUntil, got.HoldUntil)
		})
	}
	for _, tc := range []struct {
		ext   string
		field string
	}{
		{`{"url":"` + ExtensionBase + `late-cancellation","valueString":"true"}`, "Appointment.extension[0].valueBoolean"},
		{`{"url":"` + ExtensionBase + `late-cancellation","valueBoolean":"true"}`, "Appointment.extension.valueBoolean"},
		{`{"url":"` + ExtensionBase + `hold-until","valueString":"2026-12-01T10:15:00Z"}`, "Appointment.extension[0].valueInstant"},
	} {
		in := `{"resourceType":"Appointment","id":"a","status":"pending","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",
			"participant":[{"actor":{"reference":"Patient/c"},"status":"needs-action"},{"actor":{"reference":"Practitioner/n"},"status":"tentative"}],
			"extension":[` + tc.ext + `]}`
		_, err := ImportAppointment([]byte(in))
		requireFieldError(t, err, tc.field)
	}
}
