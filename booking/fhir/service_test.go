package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
)

// snomed is a foreign serviceType coding such as the official R4 examples
// carry (Slot.serviceType 57 "Immunization" of service-type).
var snomed = Concept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/service-type", Code: "57", Display: "Immunization"}}}

func TestFHIRForeignServiceTypes(t *testing.T) {
	own := Coding{System: ServiceSystem + "north", Code: "nurse-visit"}
	tests := []struct {
		name    string
		in      []Concept
		area    carecontact.AreaID
		service string
		foreign []Concept
		out     []Concept
	}{
		{"none", nil, "", "", nil, nil},
		{"foreign only", []Concept{snomed}, "", "", []Concept{snomed}, []Concept{snomed}},
		{"text only", []Concept{{Text: "rokotus"}}, "", "", []Concept{{Text: "rokotus"}}, []Concept{{Text: "rokotus"}}},
		{"own and foreign", []Concept{{Coding: []Coding{own}}, snomed}, "north", "nurse-visit", []Concept{snomed},
			[]Concept{{Coding: []Coding{own}}, snomed}},
		// One concept with both codings is one service type: it is kept
		// whole, and comes back as one (not split into two).
		{"both in one concept", []Concept{{Coding: []Coding{snomed.Coding[0], own}, Text: "rokotus"}}, "north", "nurse-visit",
			[]Concept{{Coding: []Coding{snomed.Coding[0], own}, Text: "rokotus"}}, []Concept{{Coding: []Coding{snomed.Coding[0], own}, Text: "rokotus"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slot := fhirResource{ResourceType: "Slot", ID: "s1", Schedule: &fhirReference{Reference: "Schedule/nurse-1"}, Status: "free",
				Start: "2026-12-08T07:00:00Z", End: "2026-12-08T07:30:00Z", ServiceType: tc.in}
			data, err := json.Marshal(slot)
			require.NoError(t, err)
			s, st, d, err := ImportSlotDetails(data)
			require.NoError(t, err)
			require.Equal(t, tc.area, s.Area)
			require.Equal(t, tc.service, s.Service)
			require.Equal(t, tc.foreign, d.ServiceType)
			out, err := ExportSlotDetails(s, st, d)
			require.NoError(t, err)
			var r fhirResource
			require.NoError(t, json.Unmarshal(out, &r))
			require.Equal(t, tc.out, r.ServiceType)

			a := sampleAppointment()
			appt, err := ExportAppointment(a)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(appt, &m))
			if tc.in == nil {
				delete(m, "serviceType")
			} else {
				m["serviceType"] = tc.in
			}
			appt, err = json.Marshal(m)
			require.NoError(t, err)
			got, ad, err := ImportAppointmentDetails(appt)
			require.NoError(t, err)
			require.Equal(t, tc.area, got.Area)
			require.Equal(t, tc.service, got.Service)
			require.Equal(t, tc.foreign, ad.ServiceType)
			out, err = ExportAppointmentDetails(got, ad)
			require.NoError(t, err)
			r = fhirResource{}
			require.NoError(t, json.Unmarshal(out, &r))
			require.Equal(t, tc.out, r.ServiceType)
		})
	}
}

func TestFHIRServiceTypeRefused(t *testing.T) {
	own := func(area, code string) Concept {
		return Concept{Coding: []Coding{{System: ServiceSystem + area, Code: code}}}
	}
	tests := []struct {
		name  string
		in    []Concept
		field string
	}{
		{"no area", []Concept{own("", "x")}, "Slot.serviceType[0].coding[0]"},
		{"no code", []Concept{own("north", "")}, "Slot.serviceType[0].coding[0]"},
		{"two services", []Concept{own("north", "a"), snomed, own("north", "b")}, "Slot.serviceType[2].coding[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := json.Marshal(fhirResource{ResourceType: "Slot", ID: "s1", Schedule: &fhirReference{Reference: "Schedule/n"}, Status: "free",
				Start: "2026-12-08T07:00:00Z", End: "2026-12-08T07:30:00Z", ServiceType: tc.in})
			require.NoError(t, err)
			_, _, err = ImportSlot(data)
			requireFieldError(t, err, tc.field)
		})
	}
	a := sampleAppointment()
	a.Service = ""
	_, err := ExportAppointment(a)
	requireFieldError(t, err, "Appointment.serviceType")
	a = sampleAppointment()
	_, err = ExportAppointmentDetails(a, Details{ServiceType: []Concept{own("south", "x")}})
	requireFieldError(t, err, "Appointment.serviceType[1].coding[0]")
}
