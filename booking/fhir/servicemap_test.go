package fhir

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRHostServiceMapping is the rest of defect 2: a foreign serviceType
// coding the host maps gives the area and service, is kept, and stands for
// the service on export (no library coding is invented).
func TestFHIRHostServiceMapping(t *testing.T) {
	thl := ServiceCoding{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}
	m, err := New(Config{Services: map[ServiceCoding]Service{thl: {Area: "north", Service: "paternity"}}})
	require.NoError(t, err)
	in, err := os.ReadFile("testdata/fhir-fi/appointment-605790.json")
	require.NoError(t, err)
	tests := []struct {
		name    string
		m       *Mapping
		area    string
		service string
	}{
		{"mapped", m, "north", "paternity"},
		{"not mapped", defaultMapping, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, d, err := tc.m.ImportAppointmentDetails(in)
			require.NoError(t, err)
			require.Equal(t, tc.area, string(a.Area))
			require.Equal(t, tc.service, a.Service)
			out, err := tc.m.ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			requireSameResource(t, in, out)
		})
	}
	slot := []byte(`{"resourceType":"Slot","id":"s1","schedule":{"reference":"Schedule/n1"},"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",` +
		`"serviceType":[{"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"NC"}]}]}`)
	s, st, d, err := m.ImportSlotDetails(slot)
	require.NoError(t, err)
	require.Equal(t, booking.Slot{Area: "north", Service: "paternity", Start: s.Start, End: s.End, Participants: []booking.CalendarID{"n1"}}, s)
	out, err := m.ExportSlotDetails(s, st, d)
	require.NoError(t, err)
	requireSameResource(t, slot, out)
	// Another service now: the library's coding comes first, the foreign one stays.
	s.Service = "other"
	out, err = m.ExportSlotDetails(s, st, d)
	require.NoError(t, err)
	require.Contains(t, string(out), `"serviceType":[{"coding":[{"system":"`+ServiceSystem+`north","code":"other"}]},{"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"NC"}]}]`)

	for _, cfg := range []map[ServiceCoding]Service{
		{{System: "", Code: "NC"}: {Area: "north", Service: "x"}},
		{thl: {Area: "north"}},
		{{System: ServiceSystem + "north", Code: "x"}: {Area: "north", Service: "x"}},
	} {
		_, err := New(Config{Services: cfg})
		require.ErrorIs(t, err, booking.ErrInvalid)
		require.ErrorContains(t, err, "fhirConfig.services[")
	}
}

// TestMappedService looks a foreign coding up in the host's mapping, as a
// FHIR API reads a service-type search token.
func TestMappedService(t *testing.T) {
	thl := ServiceCoding{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}
	m, err := New(Config{Services: map[ServiceCoding]Service{thl: {Area: "north", Service: "paternity"}}})
	require.NoError(t, err)
	tests := []struct {
		name         string
		m            *Mapping
		system, code string
		want         Service
		ok           bool
	}{
		{"mapped", m, thl.System, thl.Code, Service{Area: "north", Service: "paternity"}, true},
		{"another code", m, thl.System, "XX", Service{}, false},
		{"another system", m, "urn:oid:1.2.3", thl.Code, Service{}, false},
		{"the defaults map none", defaultMapping, thl.System, thl.Code, Service{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := tc.m.MappedService(tc.system, tc.code)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.want, got)
		})
	}
}
