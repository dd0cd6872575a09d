package fhir

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// fhirError checks that err, an import's refusal, is an *Error naming an
// element, matching booking.ErrInvalid, and short: it quotes at most
// maxReason bytes of the input.
func fhirError(t *testing.T, err error) {
	t.Helper()
	var fe *Error
	if !errors.As(err, &fe) || fe.Field == "" {
		t.Fatalf("not an *Error naming an element: %v", err)
	}
	if !errors.Is(err, booking.ErrInvalid) {
		t.Fatalf("error not ErrInvalid: %v", err)
	}
	if n := len(err.Error()); n > 2*maxReason+len("booking: fhir: : ")+2*len("…") {
		t.Fatalf("error of %d bytes quotes too much of the input", n)
	}
}

// FuzzImportAppointmentDetails: the importer of outside Appointments with
// the details booking does not hold. A refusal is a short *Error naming
// the element; an accepted appointment has its times and participants,
// one detail per participant, and exports and imports again.
func FuzzImportAppointmentDetails(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Appointment","id":"a","status":"booked"}`,
		`{"resourceType":"Appointment","id":"a","status":"booked","_status":{"id":"s"},"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[{"id":"p","extension":[{"url":"u","valueString":"v"}],"actor":{"reference":"Patient/c","extension":[{"url":"u","valueString":"v"}]},"status":"accepted"},{"actor":{"reference":"Practitioner/x"},"status":"accepted","period":{"extension":[{"url":"u","valueBoolean":true}]},"type":[{"coding":[{"code":"c","extension":[]}]}]}]}`,
		`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/x"},"status":"accepted"},{"actor":{"reference":"Location/x"},"status":"tentative"}]}`,
		`{"resourceType":"Appointment","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`,
		`{"resourceType":"Appointment","id":"a","status":"proposed","participant":[{"actor":{"reference":"Patient/c"},"status":"needs-action"}]}`,
		`{"resourceType":"Appointment","id":"a","status":"cancelled","created":"2026","cancelationReason":{"text":"x"}}`,
		`{"resourceType":"Appointment","id":"a","status":"cancelled","cancelationReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason","code":"pat"},{"display":"d"}]},"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`,
		`{"resourceType":"Slot"}`, `null`, "\xff",
		`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T09:00:00+02:00","end":"2026-12-08T09:30:00.50+02:00","participant":[{"actor":{"reference":"Patient/c","_reference":{"extension":[{"url":"x","valueString":"r"}]}},"status":"accepted","_status":{"id":"s"}},{"actor":{"reference":"Practitioner/n"},"status":"accepted","_required":{}}]}`,
		`{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T07:00:00.123Z","end":"2026-12-08T07:30:00Z","contained":[{"resourceType":"Patient","id":"p"}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted","modifierExtension":[{"url":"x","valueBoolean":true}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, d, err := ImportAppointmentDetails(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		timed := a.Start.Before(a.End) || a.Start.IsZero() && a.End.IsZero() && untimed(a.Status)
		hasClient := a.Client != ""
		for _, p := range d.Participants {
			hasClient = hasClient || p.Role == RoleClient
		}
		if !timed || !hasClient || len(a.Participants) == 0 {
			t.Fatalf("accepted an invalid appointment: %+v", a)
		}
		if a.ID == "" {
			a.ID = "created" // a create's: the store names it
		}
		out, err := ExportAppointmentDetails(a, d)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		if _, _, err := ImportAppointmentDetails(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzImportSlotDetails: the importer of outside Slots with their details.
// A refusal is a short *Error naming the element; an accepted slot has its
// times and participants, and exports and imports again.
func FuzzImportSlotDetails(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Slot","id":"s","status":"free","schedule":{"reference":"Schedule/p"},"start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:30:00Z"}`,
		`{"resourceType":"Slot","id":"s","status":"busy","overbooked":true,"comment":"c"}`,
		`{"resourceType":"Slot"}`, `[]`,
		`{"resourceType":"Slot","status":"free","schedule":{"reference":"Schedule/p"},"start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:30:00Z"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, status, d, err := ImportSlotDetails(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		if !s.Start.Before(s.End) || len(s.Participants) == 0 || (s.Area == "") != (s.Service == "") {
			t.Fatalf("accepted an invalid slot: %+v", s)
		}
		out, err := ExportSlotDetails(s, status, d)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		if _, _, _, err := ImportSlotDetails(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// Input that is not UTF-8 (JSON decoding replaced it silently) and instants
// outside the years booking computes are refused naming the element, and a
// mebibyte of input comes back cut.
func TestImportRefusesBadEncodingAndYears(t *testing.T) {
	const part = `"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/p"},"status":"accepted"}]`
	for _, tc := range []struct{ name, data, field string }{
		{"not UTF-8", `{"resourceType":"Appointment","id":"a","status":"booked","comment":"` + "\xff" + `"}`, "Appointment"},
		{"year 0", `{"resourceType":"Appointment","id":"a","status":"booked","start":"0000-01-01T09:00:00Z","end":"0000-01-01T09:10:00Z",` + part + `}`, "Appointment.start"},
		{"a mebibyte resource type", `{"resourceType":"` + strings.Repeat("A", 1<<20) + `"}`, "Appointment.resourceType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportAppointment([]byte(tc.data))
			fhirError(t, err)
			var fe *Error
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

// FuzzImportWaitEntryDetails: the importer of outside waitlist
// Appointments. A refusal is a short *Error naming the element; an
// accepted entry has its client, area and service both or neither (an
// Appointment without serviceType), and exports and imports again.
func FuzzImportWaitEntryDetails(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"v"}]}],"created":"2015-12-02","requestedPeriod":[{"start":"2026-12-01T00:00:00Z"}],"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"}]}`,
		`{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"NC"}]}],"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted","modifierExtension":[{"url":"x"}]}]}`,
		`{"resourceType":"Appointment"}`, `null`,
	} {
		f.Add([]byte(s))
	}
	m, err := New(Config{Services: map[ServiceCoding]Service{{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}: {Area: "north", Service: "v"}}})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, data []byte) {
		w, d, err := m.ImportWaitEntryDetails(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		if w.Client == "" || (w.Area == "") != (w.Service == "") {
			t.Fatalf("accepted an invalid wait entry: %+v", w)
		}
		out, err := m.ExportWaitEntryDetails(w, d)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		w2, _, err := m.ImportWaitEntryDetails(out)
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !reflect.DeepEqual(w, w2) {
			t.Fatalf("round trip changed the entry: %+v, then %+v", w, w2)
		}
	})
}

// FuzzImportTransaction: the importer of outside transaction Bundles. A
// refusal is a short *Error naming the element; every accepted entry has
// its request and exactly one resource, or none for a DELETE.
func FuzzImportTransaction(f *testing.F) {
	appt := `{"resourceType":"Appointment","id":"a","status":"booked","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","contained":[{"resourceType":"Patient","id":"p"}],"participant":[{"actor":{"reference":"#p"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`
	for _, s := range []string{
		`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:0c3f0b5e-1a7b-4d8e-9d8f-0d1d2e3f4a5b","resource":` + appt + `,"request":{"method":"PUT","url":"Appointment/a","ifMatch":"W/\"1\""}}]}`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Slot/s"}}]}`,
		`{"resourceType":"Bundle","type":"searchset"}`, `{}`, `null`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:0c3f0b5e-1a7b-4d8e-9d8f-0d1d2e3f4a5c","resource":{"resourceType":"Patient","identifier":[{"system":"urn:oid:1.2.246.21","value":"131052-308T"}]},"request":{"method":"POST","url":"Patient"}},{"resource":` + strings.Replace(appt, `"#p"`, `"urn:uuid:0c3f0b5e-1a7b-4d8e-9d8f-0d1d2e3f4a5c"`, 1) + `,"request":{"method":"PUT","url":"Appointment/a"}}]}`,
		`{"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"c"},"request":{"method":"PUT","url":"Patient/c"}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := ImportTransaction(data)
		if err != nil {
			fhirError(t, err)
			return
		}
		for i, e := range entries {
			n := 0
			for _, set := range []bool{e.Schedule != nil, e.Slot != nil, e.Appointment != nil, e.Response != nil, e.Outcome != nil, e.Patient != nil} {
				if set {
					n++
				}
			}
			if e.Request == nil || n > 1 || n == 0 && e.Request.Method != "DELETE" {
				t.Fatalf("entry %d: request %v with %d resources", i, e.Request, n)
			}
		}
	})
}
