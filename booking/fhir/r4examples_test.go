package fhir

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// roundTrip imports data with the importer of its resource type and
// exports what was read.
func roundTrip(t *testing.T, data []byte) ([]byte, error) {
	t.Helper()
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	require.NoError(t, json.Unmarshal(data, &head))
	switch head.ResourceType {
	case "Schedule":
		info, err := ImportSchedule(data)
		if err != nil {
			return nil, err
		}
		return ExportScheduleInfo(info)
	case "Slot":
		s, st, d, err := ImportSlotDetails(data)
		if err != nil {
			return nil, err
		}
		return ExportSlotDetails(s, st, d)
	case "Appointment":
		a, d, err := ImportAppointmentDetails(data)
		if err != nil {
			return nil, err
		}
		return ExportAppointmentDetails(a, d)
	case "AppointmentResponse":
		r, err := ImportAppointmentResponse(data)
		if err != nil {
			return nil, err
		}
		return ExportAppointmentResponse(r)
	}
	t.Fatalf("no importer for %q", head.ResourceType)
	return nil, nil
}

// TestFHIRR4Examples imports and exports each official R4 example of
// Schedule, Slot, Appointment and AppointmentResponse and checks that no
// element is lost, changed or invented.
func TestFHIRR4Examples(t *testing.T) {
	files, err := filepath.Glob("testdata/r4/*.json")
	require.NoError(t, err)
	require.Len(t, files, 12)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in, err := os.ReadFile(file)
			require.NoError(t, err)
			out, err := roundTrip(t, in)
			require.NoError(t, err)
			requireSameResource(t, in, out)
		})
	}
}
