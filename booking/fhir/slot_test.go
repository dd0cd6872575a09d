package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFHIRSlotKeepsForeignElements checks that a foreign Slot keeps its id,
// overbooked, appointmentType, comment, specialty, serviceCategory and
// identifiers through import and export.
func TestFHIRSlotKeepsForeignElements(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"resourceType": "Slot", "id": "1", "schedule": map[string]any{"reference": "Schedule/example"},
			"status": "busy", "start": "2013-12-25T09:15:00Z", "end": "2013-12-25T09:30:00Z"}
	}
	channelType := map[string]any{"coding": []any{map[string]any{"system": NationalVisitChannelSystem, "code": "10", "display": "Kertakäynti toimipaikassa"}}}
	tests := []struct {
		name string
		set  map[string]any
	}{
		{"id only", nil},
		{"escaped-looking foreign id", map[string]any{"id": "a.b"}},
		{"overbooked", map[string]any{"overbooked": true}},
		{"overbooked false", map[string]any{"overbooked": false}},
		{"national visit channel", map[string]any{"appointmentType": channelType}},
		{"comment", map[string]any{"comment": "Assessments should be performed before requesting appointments in this slot."}},
		{"specialty and category", map[string]any{
			"serviceCategory": []any{map[string]any{"coding": []any{map[string]any{"system": "http://example.org/service-category", "code": "17", "display": "General Practice"}}}},
			"specialty":       []any{map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "394814009", "display": "General practice"}}}},
		}},
		{"identifiers", map[string]any{"identifier": []any{
			map[string]any{"system": "http://example.org/identifiers/slots", "value": "123132"},
			map[string]any{"use": "official", "type": map[string]any{"text": "slot number"}, "value": "7"},
		}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := base()
			for k, v := range tc.set {
				m[k] = v
			}
			in, err := json.Marshal(m)
			require.NoError(t, err)
			s, st, d, err := ImportSlotDetails(in)
			require.NoError(t, err)
			require.Equal(t, m["id"], d.ID)
			out, err := ExportSlotDetails(s, st, d)
			require.NoError(t, err)
			require.JSONEq(t, string(in), string(out))
		})
	}
	// Without details the exporter still derives an id.
	s, st, _, err := ImportSlotDetails([]byte(`{"resourceType":"Slot","id":"1","schedule":{"reference":"Schedule/hki.5Fnurse"},"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"}`))
	require.NoError(t, err)
	out, err := ExportSlot(s, st)
	require.NoError(t, err)
	var r fhirResource
	require.NoError(t, json.Unmarshal(out, &r))
	require.Equal(t, "hki.5Fnurse-20261208T0700Z", r.ID)
	_, err = ExportSlotDetails(s, st, SlotDetails{ID: string(make([]byte, 65))})
	requireFieldError(t, err, "Slot.id")
}
