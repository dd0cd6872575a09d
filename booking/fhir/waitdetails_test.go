package fhir

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// TestFHIRWaitEntryForeignAndPrecision: ImportWaitEntry reads a THL
// serviceType coding through the host's mapping and keeps it, keeps a
// date-only created, and reads a requestedPeriod with both ends, a start
// only (open-ended) or an end only; each comes back as it came.
func TestFHIRWaitEntryForeignAndPrecision(t *testing.T) {
	thl := ServiceCoding{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}
	m, err := New(Config{Services: map[ServiceCoding]Service{thl: {Area: "north", Service: "vaccination"}}})
	require.NoError(t, err)
	v := newValidator(t)
	pat := `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"}]`
	thlST := `"serviceType":[{"coding":[{"system":"urn:oid:1.2.246.537.6.49.201501","code":"NC"}]}],`
	own := `"serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"vaccination"}]}],`
	head := `{"resourceType":"Appointment","id":"w1","status":"waitlist",`
	dec1, dec10 := mustInstant(t, "2026-12-01T00:00:00Z"), mustInstant(t, "2026-12-10T00:00:00Z")
	tests := []struct {
		name       string
		mapping    *Mapping
		in         string
		wantField  string
		wantSince  string
		wantWindow booking.Interval
	}{
		{name: "THL coding mapped", mapping: m, in: head + thlST + pat + `}`},
		{name: "THL coding without a mapping", mapping: defaultMapping, in: head + thlST + pat + `}`, wantField: "Appointment.serviceType"},
		{name: "date-only created", mapping: defaultMapping, in: head + own + `"created":"2015-12-02",` + pat + `}`, wantSince: "2015-12-02T00:00:00Z"},
		{name: "closed window", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01T00:00:00Z","end":"2026-12-10T00:00:00Z"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: dec1, End: dec10}},
		{name: "open-ended window", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01T00:00:00Z"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: dec1}},
		{name: "window with an end only", mapping: m, in: head + thlST + `"requestedPeriod":[{"end":"2026-12-10T00:00:00Z"}],` + pat + `}`,
			wantWindow: booking.Interval{End: dec10}},
		{name: "dates in Helsinki, the end day included", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01","end":"2026-12-09"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: mustInstant(t, "2026-11-30T22:00:00Z"), End: dec10.Add(-2 * time.Hour)}},
		{name: "a month", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12","end":"2026-12"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: mustInstant(t, "2026-11-30T22:00:00Z"), End: mustInstant(t, "2026-12-31T22:00:00Z")}},
		{name: "a year from on, summer time", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2027-06-01"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: mustInstant(t, "2027-05-31T21:00:00Z")}},
		{name: "an offset kept as the instant", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-01T02:00:00+02:00"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: dec1}},
		{name: "the period's id and extension", mapping: m, in: head + thlST + `"requestedPeriod":[{"id":"p1","extension":[{"url":"urn:example:flexible","valueBoolean":true}],"start":"2026-12-01T00:00:00Z"}],` + pat + `}`,
			wantWindow: booking.Interval{Start: dec1}},
		{name: "window with neither", mapping: m, in: head + thlST + `"requestedPeriod":[{}],` + pat + `}`, wantField: "Appointment.requestedPeriod[0].start"},
		{name: "a date window ending before it starts", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-09","end":"2026-12-01"}],` + pat + `}`,
			wantField: "Appointment.requestedPeriod[0].end"},
		{name: "a start that is no dateTime", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"1.12.2026"}],` + pat + `}`,
			wantField: "Appointment.requestedPeriod[0].start"},
		{name: "window ending before it starts", mapping: m, in: head + thlST + `"requestedPeriod":[{"start":"2026-12-10T00:00:00Z","end":"2026-12-01T00:00:00Z"}],` + pat + `}`,
			wantField: "Appointment.requestedPeriod[0].end"},
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
			require.Equal(t, tt.wantWindow, w.Window)
			if tt.wantSince != "" {
				require.Equal(t, tt.wantSince, w.Since.Format("2006-01-02T15:04:05Z07:00"))
			}
			out, err := tt.mapping.ExportWaitEntryDetails(w, d)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out), string(out))
			requireSameResource(t, []byte(tt.in), out)
		})
	}
}

// TestFHIRExportWaitWindows: ExportWaitEntry writes a window with both
// ends, a start only or an end only, valid R4 each; it refuses one that
// ends before it starts.
func TestFHIRExportWaitWindows(t *testing.T) {
	v := newValidator(t)
	dec1, dec10 := mustInstant(t, "2026-12-01T00:00:00Z"), mustInstant(t, "2026-12-10T00:00:00Z")
	tests := []struct {
		name      string
		window    booking.Interval
		want      []Period // nil: no requestedPeriod
		wantField string
	}{
		{"no window", booking.Interval{}, nil, ""},
		{"both ends", booking.Interval{Start: dec1, End: dec10}, []Period{{Start: "2026-12-01T00:00:00Z", End: "2026-12-10T00:00:00Z"}}, ""},
		{"start only", booking.Interval{Start: dec1}, []Period{{Start: "2026-12-01T00:00:00Z"}}, ""},
		{"end only", booking.Interval{End: dec10}, []Period{{End: "2026-12-10T00:00:00Z"}}, ""},
		{"end before start", booking.Interval{Start: dec10, End: dec1}, nil, "Appointment.requestedPeriod[0].end"},
		{"empty", booking.Interval{Start: dec1, End: dec1}, nil, "Appointment.requestedPeriod[0].end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := booking.WaitEntry{ID: "w1", Area: "north", Service: "v", Client: "c1", Since: dec1, Window: tc.window}
			out, err := ExportWaitEntry(w)
			if tc.wantField != "" {
				requireFieldError(t, err, tc.wantField)
				return
			}
			require.NoError(t, err)
			require.Empty(t, v.Validate(out), string(out))
			var r struct {
				RequestedPeriod []Period `json:"requestedPeriod"`
			}
			require.NoError(t, json.Unmarshal(out, &r))
			require.Equal(t, tc.want, r.RequestedPeriod)
			back, err := ImportWaitEntry(out)
			require.NoError(t, err)
			require.Equal(t, w, back)
		})
	}
}

// TestFHIRWaitWindowPrecisionOnExport: a date window is written as dates
// while its bounds are those dates' in Helsinki; one the host moved off
// them is written as instants.
func TestFHIRWaitWindowPrecisionOnExport(t *testing.T) {
	v := newValidator(t)
	in := `{"resourceType":"Appointment","id":"w1","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"v"}]}],` +
		`"requestedPeriod":[{"start":"2026-12-01","end":"2026-12-09"}],"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"}]}`
	w, d, err := importWaitString(in)
	require.NoError(t, err)
	tests := []struct {
		name   string
		window func(booking.Interval) booking.Interval
		want   Period
	}{
		{"unchanged", func(iv booking.Interval) booking.Interval { return iv }, Period{Start: "2026-12-01", End: "2026-12-09"}},
		{"a day longer", func(iv booking.Interval) booking.Interval { iv.End = iv.End.Add(24 * time.Hour); return iv },
			Period{Start: "2026-12-01", End: "2026-12-10"}},
		{"start moved to 08:00", func(iv booking.Interval) booking.Interval { iv.Start = iv.Start.Add(8 * time.Hour); return iv },
			Period{Start: "2026-12-01T06:00:00Z", End: "2026-12-09"}},
		{"end moved off midnight", func(iv booking.Interval) booking.Interval { iv.End = iv.End.Add(-time.Hour); return iv },
			Period{Start: "2026-12-01", End: "2026-12-09T21:00:00Z"}},
		{"open-ended", func(iv booking.Interval) booking.Interval { iv.End = time.Time{}; return iv }, Period{Start: "2026-12-01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w2 := w
			w2.Window = tc.window(w.Window)
			out, err := exportWait(w2, d)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out), string(out))
			var r struct {
				RequestedPeriod []Period `json:"requestedPeriod"`
			}
			require.NoError(t, json.Unmarshal(out, &r))
			require.Equal(t, []Period{tc.want}, r.RequestedPeriod)
			back, _, err := importWaitString(string(out))
			require.NoError(t, err)
			require.Equal(t, w2.Window, back.Window)
		})
	}
}

// TestFHIRWaitEntryKeepsWhatItDoesNotRead: a waitlist Appointment comes
// back with no element lost, changed or invented: identifier, comment and
// the other elements the mapping does not read, foreign extensions, the
// client's participant.status and required as they came (needs-action,
// optional, or none), other participants, the national status and other
// extensions on status.
func TestFHIRWaitEntryKeepsWhatItDoesNotRead(t *testing.T) {
	v := newValidator(t)
	own := `"serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"vaccination"}]}],`
	head := `{"resourceType":"Appointment","id":"w1","status":"waitlist",` + own
	pat := `{"actor":{"reference":"Patient/c1"},"status":"accepted","required":"required"}`
	tests := []struct {
		name       string
		in         string
		wantClient Participation
	}{
		{"identifier", head + `"identifier":[{"system":"urn:oid:1.2.246.10.1234","value":"W-77"}],"participant":[` + pat + `]}`,
			Participation{ParticipantAccepted, Required}},
		{"comment and description", head + `"comment":"Aamupäivä sopii","description":"Rokotusjono","participant":[` + pat + `]}`,
			Participation{ParticipantAccepted, Required}},
		{"meta, text, priority and reasonCode", head + `"meta":{"lastUpdated":"2026-12-01T08:00:00Z"},` +
			`"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">Jonossa</div>"},"priority":3,` +
			`"reasonCode":[{"text":"tehoste"}],"participant":[` + pat + `]}`, Participation{ParticipantAccepted, Required}},
		{"foreign extensions after the library's", head + `"extension":[{"url":"` + ExtensionBase + `guidance-version","valueString":"v3"},` +
			`{"url":"urn:example:priority-reason","valueString":"x"}],"participant":[` + pat + `]}`, Participation{ParticipantAccepted, Required}},
		{"the client needs action and is optional", head + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"needs-action","required":"optional"}]}`,
			Participation{ParticipantNeedsAction, Optional}},
		{"the client's required absent", head + `"participant":[{"actor":{"reference":"Patient/c1","display":"Petri"},"status":"tentative"}]}`,
			Participation{Status: ParticipantTentative}},
		{"a preferred practitioner after the client", head + `"participant":[` + pat + `,{"actor":{"reference":"Practitioner/n1"},"status":"needs-action","required":"optional"}]}`,
			Participation{ParticipantAccepted, Required}},
		{"a related person before the client", head + `"participant":[{"actor":{"reference":"RelatedPerson/r1"},"status":"accepted"},` + pat + `]}`,
			Participation{ParticipantAccepted, Required}},
		{"the national status and another status extension", head + `"_status":{"extension":[{"url":"` + NationalStatusExtension + `",` +
			`"valueCoding":{"system":"urn:oid:1.2.246.537.6.881","code":"1","display":"Suunniteltu"}},{"url":"urn:example:status-note","valueString":"x"}]},` +
			`"participant":[` + pat + `]}`, Participation{ParticipantAccepted, Required}},
		{"no national status", head + `"participant":[` + pat + `]}`, Participation{ParticipantAccepted, Required}},
		{"times and appointmentType", head + `"appointmentType":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0276","code":"ROUTINE"}]},` +
			`"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z","participant":[` + pat + `]}`, Participation{ParticipantAccepted, Required}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Empty(t, v.Validate([]byte(tc.in)), "the input is valid R4")
			w, d, err := defaultMapping.ImportWaitEntryDetails([]byte(tc.in))
			require.NoError(t, err)
			require.Equal(t, "c1", string(w.Client))
			require.Equal(t, tc.wantClient, d.Client)
			out, err := defaultMapping.ExportWaitEntryDetails(w, d)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out), string(out))
			requireSameResource(t, []byte(tc.in), out)
		})
	}
}

// TestFHIRWaitEntryDetailsOnExport: what the host changes comes out: the
// client's participation, and a new client replaces the old one's
// participant (the others are kept).
func TestFHIRWaitEntryDetailsOnExport(t *testing.T) {
	v := newValidator(t)
	in := `{"resourceType":"Appointment","id":"w1","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"v"}]}],` +
		`"participant":[{"actor":{"reference":"Practitioner/n1"},"status":"needs-action"},{"actor":{"reference":"Patient/c1","display":"P"},"status":"needs-action","required":"optional"}]}`
	w, d, err := importWaitString(in)
	require.NoError(t, err)
	tests := []struct {
		name   string
		change func(w *booking.WaitEntry, d *WaitDetails)
		want   string // the participants written
	}{
		{"unchanged", func(*booking.WaitEntry, *WaitDetails) {},
			`[{"actor":{"reference":"Practitioner/n1"},"status":"needs-action"},{"actor":{"reference":"Patient/c1","display":"P"},"status":"needs-action","required":"optional"}]`},
		{"the client accepted", func(_ *booking.WaitEntry, d *WaitDetails) { d.Client = Participation{ParticipantAccepted, Required} },
			`[{"actor":{"reference":"Practitioner/n1"},"status":"needs-action"},{"actor":{"reference":"Patient/c1","display":"P"},"status":"accepted","required":"required"}]`},
		{"the client's required dropped", func(_ *booking.WaitEntry, d *WaitDetails) { d.Client.Required = "" },
			`[{"actor":{"reference":"Practitioner/n1"},"status":"needs-action"},{"actor":{"reference":"Patient/c1","display":"P"},"status":"needs-action"}]`},
		{"another client", func(w *booking.WaitEntry, _ *WaitDetails) { w.Client = "c2" },
			`[{"actor":{"reference":"Patient/c2"},"required":"optional","status":"needs-action"},{"actor":{"reference":"Practitioner/n1"},"status":"needs-action"}]`},
		{"no details", func(_ *booking.WaitEntry, d *WaitDetails) { *d = WaitDetails{} },
			`[{"actor":{"reference":"Patient/c1"},"required":"required","status":"accepted"}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w2, d2 := w, d
			d2.Participants = append([]json.RawMessage(nil), d.Participants...)
			tc.change(&w2, &d2)
			out, err := exportWait(w2, d2)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out), string(out))
			var r struct {
				Participant json.RawMessage `json:"participant"`
			}
			require.NoError(t, json.Unmarshal(out, &r))
			require.JSONEq(t, tc.want, string(r.Participant))
		})
	}
	// A participation outside the R4 codes is refused, naming it.
	d.Client = Participation{Status: "maybe"}
	_, err = exportWait(w, d)
	requireFieldError(t, err, "Appointment.participant[0].status")
}

// importWaitString is the default mapping's
// ImportWaitEntryDetails of a string.
func importWaitString(in string) (booking.WaitEntry, WaitDetails, error) {
	return defaultMapping.ImportWaitEntryDetails([]byte(in))
}

// exportWait is the default mapping's ExportWaitEntryDetails.
func exportWait(w booking.WaitEntry, d WaitDetails) ([]byte, error) {
	return defaultMapping.ExportWaitEntryDetails(w, d)
}

// TestFHIRWaitEntryRefuses: what a waitlist entry cannot be is refused,
// naming the element.
func TestFHIRWaitEntryRefuses(t *testing.T) {
	head := `{"resourceType":"Appointment","id":"w1","status":"waitlist",`
	pat := `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"}]`
	tests := []struct {
		name, in, field string
	}{
		{"cancelationReason (app-4)", head + `"cancelationReason":{"text":"x"},` + pat + `}`, "Appointment.cancelationReason"},
		{"two Patients", head + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"reference":"Patient/c2"},"status":"accepted"}]}`,
			"Appointment.participant[1].actor"},
		{"no participant", head + `"participant":[]}`, "Appointment.participant"},
		{"a participant without status", head + `"participant":[{"actor":{"reference":"Patient/c1"}}]}`, "Appointment.participant[0].status"},
		{"a participation status R4 has not", head + `"participant":[{"actor":{"reference":"Patient/c1"},"status":"maybe"}]}`, "Appointment.participant[0].status"},
		{"status id", head + `"_status":{"id":"s"},` + pat + `}`, "Appointment._status.id"},
		{"a national status code that is none", head + `"_status":{"extension":[{"url":"` + NationalStatusExtension + `","valueCoding":{"system":"urn:oid:1.2.246.537.6.881","code":"99"}}]},` + pat + `}`,
			"Appointment._status.extension[0].valueCoding.code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportWaitEntry([]byte(tc.in))
			requireFieldError(t, err, tc.field)
		})
	}
}

// TestFHIRFinnishWaitlistedExample: HL7 Finland's Appointment01Waitlisted
// (no serviceType, a tentative patient without required, the national
// status 1 Suunniteltu, meta.lastUpdated) imports as a wait entry without
// a service and comes back with no element lost, changed or invented. The
// appointment importer still refuses it (no calendar participant).
func TestFHIRFinnishWaitlistedExample(t *testing.T) {
	in, err := os.ReadFile("testdata/fhir-fi/appointment-status-extension-01.json")
	require.NoError(t, err)
	v := newValidator(t)
	require.Empty(t, v.Validate(in))
	w, d, err := defaultMapping.ImportWaitEntryDetails(in)
	require.NoError(t, err)
	since := time.Date(2019, 12, 14, 6, 16, 34, 0, time.UTC)
	require.Equal(t, booking.WaitEntry{ID: "appointment-status-extension-01", Client: "patient-petri", Since: since}, w)
	require.Equal(t, Participation{Status: ParticipantTentative}, d.Client)
	require.Equal(t, &Coding{System: booking.NationalStatusSystem, Code: "1", Display: "Suunniteltu"}, d.NationalStatus)
	out, err := defaultMapping.ExportWaitEntryDetails(w, d)
	require.NoError(t, err)
	require.Empty(t, v.Validate(out), string(out))
	requireSameResource(t, in, out)
	require.Equal(t, "1", nationalCode(t, out))
	_, err = ImportAppointment(in)
	requireFieldError(t, err, "Appointment.participant")
}

func mustInstant(t *testing.T, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return ts
}
