package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

func nationalCode(t *testing.T, data []byte) string {
	t.Helper()
	var r fhirResource
	require.NoError(t, json.Unmarshal(data, &r))
	if r.StatusElement == nil {
		return ""
	}
	for _, raw := range r.StatusElement.Extension {
		var e fhirExtension
		require.NoError(t, json.Unmarshal(raw, &e))
		if e.URL == NationalStatusExtension {
			require.Equal(t, booking.NationalStatusSystem, e.ValueCoding.System)
			return e.ValueCoding.Code
		}
	}
	return ""
}

// TestFHIRFinnishStatusExamples is defect 8 against HL7 Finland's status
// examples: the national status travels on Appointment._status and comes
// back as it came (6 Alkanut stays 6, not 7 Toteutunut), and each example
// comes back with no element lost, changed or invented. The one the model
// cannot hold is refused with an OperationOutcome naming the element.
func TestFHIRFinnishStatusExamples(t *testing.T) {
	tests := []struct {
		file     string
		national string
		refused  string
	}{
		{"appointment-status-extension-01.json", "", "Appointment.participant"},
		{"appointment-status-extension-02.json", "2", ""},
		{"appointment-status-extension-03.json", "1", ""},
		{"appointment-status-extension-04.json", "4", ""},
		{"appointment-status-extension-05.json", "2", ""},
		{"appointment-status-extension-06.json", "3", ""},
		{"appointment-status-extension-07.json", "3", ""},
		{"appointment-status-extension-08.json", "10", ""},
		{"appointment-status-extension-09.json", "6", ""},
		{"appointment-status-extension-10.json", "7", ""},
		{"appointment-605790.json", "", ""},
		{"appointment-example.json", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			in, err := os.ReadFile("testdata/fhir-fi/" + tc.file)
			require.NoError(t, err)
			a, d, err := ImportAppointmentDetails(in)
			if tc.refused != "" {
				requireFieldError(t, err, tc.refused)
				out, status := OperationOutcome(err)
				require.Equal(t, http.StatusBadRequest, status)
				var oo Outcome
				require.NoError(t, json.Unmarshal(out, &oo))
				require.Equal(t, "OperationOutcome", oo.ResourceType)
				require.Equal(t, []string{tc.refused}, oo.Issue[0].Expression)
				return
			}
			require.NoError(t, err)
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			requireSameResource(t, in, out)
			require.Equal(t, tc.national, nationalCode(t, out))
		})
	}
}

// TestFHIRNationalStatusExport checks the national status the exporter
// writes: the status's own code for the library's appointments and after a
// status change, the one that came while the status is unchanged, and the
// legacy resource-level extension read as the status extension.
func TestFHIRNationalStatusExport(t *testing.T) {
	in, err := os.ReadFile("testdata/fhir-fi/appointment-status-extension-09.json")
	require.NoError(t, err)
	a, d, err := ImportAppointmentDetails(in)
	require.NoError(t, err)
	legacy := sampleAppointment()
	legacyOut, err := ExportAppointment(legacy)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(legacyOut, &m))
	m["_status"] = nil
	delete(m, "_status")
	m["extension"] = append(m["extension"].([]any), map[string]any{"url": ExtensionBase + "national-status",
		"valueCoding": map[string]any{"system": booking.NationalStatusSystem, "code": "3"}})
	legacyIn, err := json.Marshal(m)
	require.NoError(t, err)

	tests := []struct {
		name string
		a    booking.Appointment
		d    Details
		want string
	}{
		{"as it came", a, d, "6"},
		{"status changed", func() booking.Appointment { b := a; b.Status = booking.StatusEnteredInError; return b }(), d, ""},
		{"library's own", sampleAppointment(), Details{}, "3"},
		{"library's own, fulfilled", func() booking.Appointment { b := sampleAppointment(); b.Status = booking.StatusFulfilled; return b }(), Details{}, "7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := ExportAppointmentDetails(tc.a, tc.d)
			require.NoError(t, err)
			require.Equal(t, tc.want, nationalCode(t, out))
			require.NotContains(t, string(out), ExtensionBase+"national-status")
		})
	}
	la, ld, err := ImportAppointmentDetails(legacyIn)
	require.NoError(t, err)
	require.Equal(t, "3", ld.NationalStatus.Code)
	out, err := ExportAppointmentDetails(la, ld)
	require.NoError(t, err)
	require.Equal(t, "3", nationalCode(t, out))
	require.NotContains(t, string(out), ExtensionBase+"national-status")
}

// TestFHIRVisitChannelSystem is the rest of defect 8: the visit channel
// is written with the system HL7 Finland's appointment profile fixes, and
// the urn:oid: form of the guide's example is read and kept as it came.
func TestFHIRVisitChannelSystem(t *testing.T) {
	tests := []struct {
		name   string
		coding string
		want   channel.Kind
	}{
		{"profile's plain OID", `{"system":"1.2.246.537.6.884.2015","code":"10"}`, channel.InPerson},
		{"example's urn:oid", `{"system":"urn:oid:1.2.246.537.6.884.2015","code":"10","display":"Kertakäynti toimipaikassa"}`, channel.InPerson},
		{"unknown code", `{"system":"1.2.246.537.6.884.2015","code":"99"}`, ""},
		{"other system", `{"system":"http://terminology.hl7.org/CodeSystem/v2-0276","code":"WALKIN"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := []byte(fmt.Sprintf(`{"resourceType":"Appointment","id":"a1","status":"booked","appointmentType":{"coding":[%s]},`+
				`"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},`+
				`{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`, tc.coding))
			a, d, err := ImportAppointmentDetails(in)
			require.NoError(t, err)
			require.Equal(t, tc.want, a.Channel)
			d.NationalStatusOf = "" // let the exporter write the status's own national code
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			var want, got map[string]any
			require.NoError(t, json.Unmarshal(in, &want))
			require.NoError(t, json.Unmarshal(out, &got))
			require.Equal(t, want["appointmentType"], got["appointmentType"])
		})
	}
	a := sampleAppointment()
	out, err := ExportAppointment(a)
	require.NoError(t, err)
	var r fhirResource
	require.NoError(t, json.Unmarshal(out, &r))
	require.Contains(t, r.AppointmentType.Coding, Coding{System: "1.2.246.537.6.884.2015", Code: "10", Display: "Kertakäynti toimipaikassa"})
}

// TestFHIRFinnishSlotAndSchedule imports, exports and compares the Finnish
// Slot and Schedule examples; the Slot whose schedule names a profile
// instead of Schedule is refused with an OperationOutcome.
func TestFHIRFinnishSlotAndSchedule(t *testing.T) {
	tests := []struct {
		file    string
		refused string
	}{
		{"schedule-example.json", ""},
		{"slot-example.json", "Slot.schedule.reference"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			in, err := os.ReadFile("testdata/fhir-fi/" + tc.file)
			require.NoError(t, err)
			out, err := roundTrip(t, in)
			if tc.refused != "" {
				requireFieldError(t, err, tc.refused)
				oo, status := OperationOutcome(err)
				require.Equal(t, http.StatusBadRequest, status)
				require.Contains(t, string(oo), `"expression":["`+tc.refused+`"]`)
				return
			}
			require.NoError(t, err)
			requireSameResource(t, in, out)
		})
	}
}
