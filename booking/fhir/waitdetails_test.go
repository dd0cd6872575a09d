package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRWaitEntryForeignAndPrecision is review item 3: ImportWaitEntry
// reads a THL serviceType coding through the host's mapping and keeps it,
// keeps a date-only created, and refuses an open-ended requestedPeriod,
// which booking.WaitEntry cannot hold, naming requestedPeriod[0].end.
func TestFHIRWaitEntryForeignAndPrecision(t *testing.T) {
	thl := ServiceCoding{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}
	m, err := New(Config{Services: map[ServiceCoding]Service{thl: {Area: "north", Service: "vaccination"}}})
	require.NoError(t, err)
	pat := `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"}]`
	thlST := `"serviceType":[{"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"NC"}]}],`
	own := `"serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"vaccination"}]}],`
	head := `{"resourceType":"Appointment","id":"w1","status":"waitlist",`
	tests := []struct {
		name      string
		mapping   *Mapping
		in        string
		wantField string
		wantSince string
	}{
		{name: "THL coding mapped", mapping: m, in: head + thlST + pat + `}`},
		{name: "THL coding without a mapping", mapping: defaultMapping, in: head + thlST + pat + `}`, wantField: "Appointment.serviceType"},
		{name: "date-only created", mapping: defaultMapping, in: head + own + `"created":"2015-12-02",` + pat + `}`, wantSince: "2015-12-02T00:00:00Z"},
		{name: "closed window", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01T00:00:00Z","end":"2026-12-10T00:00:00Z"}],` + pat + `}`},
		{name: "open-ended window", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01T00:00:00Z"}],` + pat + `}`, wantField: "Appointment.requestedPeriod[0].end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, d, err := tt.mapping.ImportWaitEntryDetails([]byte(tt.in))
			if tt.wantField != "" {
				requireFieldError(t, err, tt.wantField)
				return
			}
			require.NoError(t, err)
			require.Equal(t, "north", string(w.Area))
			if tt.wantSince != "" {
				require.Equal(t, tt.wantSince, w.Since.Format("2006-01-02T15:04:05Z07:00"))
			}
			out, err := tt.mapping.ExportWaitEntryDetails(w, d)
			require.NoError(t, err)
			var got, want map[string]any
			require.NoError(t, json.Unmarshal(out, &got))
			require.NoError(t, json.Unmarshal([]byte(tt.in), &want))
			for _, k := range []string{"serviceType", "created", "requestedPeriod"} {
				require.Equal(t, want[k], got[k], k)
			}
		})
	}
	// An open-ended window is refused on export too, naming the element.
	_, err = ExportWaitEntry(booking.WaitEntry{ID: "w1", Area: "north", Service: "v", Client: "c1",
		Window: booking.Interval{Start: mustInstant(t, "2026-12-01T00:00:00Z")}})
	requireFieldError(t, err, "Appointment.requestedPeriod[0].end")
}

func mustInstant(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return ts
}
