package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRExportWritesMappedService is review item 5: with a host service
// mapping, exported appointments, slots and wait entries carry the mapped
// THL coding beside the library's own, conform, and import back to the
// same service and the same resource.
func TestFHIRExportWritesMappedService(t *testing.T) {
	const thl = "urn:oid:1.2.246.537.6.49.201501"
	m, err := New(Config{Services: map[ServiceCoding]Service{{System: thl, Code: "NC"}: {Area: "north", Service: "nurse-visit"}}})
	require.NoError(t, err)
	v := newValidator(t)
	want := []any{map[string]any{"coding": []any{
		map[string]any{"system": ServiceSystem + "north", "code": "nurse-visit"},
		map[string]any{"system": thl, "code": "NC"},
	}}}
	start := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	slot := booking.Slot{Area: "north", Service: "nurse-visit", Start: start, End: start.Add(30 * time.Minute), Participants: []booking.CalendarID{"nurse-1"}}
	tests := []struct {
		name    string
		export  func() ([]byte, error)
		reround func([]byte) ([]byte, error)
	}{
		{"appointment", func() ([]byte, error) { return m.ExportAppointment(sampleAppointment()) }, func(b []byte) ([]byte, error) {
			a, d, err := m.ImportAppointmentDetails(b)
			if err != nil {
				return nil, err
			}
			require.Equal(t, "nurse-visit", a.Service)
			return m.ExportAppointmentDetails(a, d)
		}},
		{"slot", func() ([]byte, error) { return m.ExportSlot(slot, SlotFree) }, func(b []byte) ([]byte, error) {
			s, st, d, err := m.ImportSlotDetails(b)
			if err != nil {
				return nil, err
			}
			require.Equal(t, "nurse-visit", s.Service)
			return m.ExportSlotDetails(s, st, d)
		}},
		{"wait entry", func() ([]byte, error) {
			return m.ExportWaitEntryDetails(booking.WaitEntry{ID: "w1", Area: "north", Service: "nurse-visit", Client: "c1", Since: start}, WaitDetails{})
		}, func(b []byte) ([]byte, error) {
			w, d, err := m.ImportWaitEntryDetails(b)
			if err != nil {
				return nil, err
			}
			return m.ExportWaitEntryDetails(w, d)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tt.export()
			require.NoError(t, err)
			require.Empty(t, v.Validate(out))
			var got map[string]any
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, want, got["serviceType"])
			again, err := tt.reround(out)
			require.NoError(t, err)
			requireSameResource(t, out, again)
		})
	}
	// Without a mapping only the library's coding is written.
	out, err := ExportSlot(slot, SlotFree)
	require.NoError(t, err)
	require.NotContains(t, string(out), thl)
}
