package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

// written returns resources the library writes, by name: appointments of
// every status and shape, slots, schedules and responses, and the round
// trips of the official and Finnish examples.
func written(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	put := func(name string, data []byte, err error) {
		t.Helper()
		require.NoError(t, err, name)
		out[name] = data
	}
	nurse := booking.Calendar{ID: "hki_nurse_1", Kind: booking.OwnerProfessional, Area: "north"}
	team := booking.Calendar{ID: "team-1", Kind: booking.OwnerTeam, Area: "north"}
	room := booking.Calendar{ID: "room-1", Kind: booking.OwnerResource, Area: "north"}
	for _, s := range booking.Statuses() {
		a := sampleAppointment()
		a.ID, a.Status = "hki_apt_"+string(s), s
		a.Participants = []booking.CalendarID{"hki_nurse_1", "team-1", "room-1"}
		a.Answers = append(a.Answers, booking.Answer{QuestionID: "allergies"})
		switch s {
		case booking.StatusProposed, booking.StatusWaitlist:
			a.Start, a.End = time.Time{}, time.Time{}
		case booking.StatusPending:
			a.HoldUntil = a.Start.Add(-time.Hour)
		case booking.StatusCancelled, booking.StatusNoShow:
			a.CancelReason, a.LateCancel = "feeling better", true
		}
		data, err := ExportAppointment(a)
		put("appointment "+string(s), data, err)
		data, err = ExportAppointment(a, nurse, team, room)
		put("appointment with owners "+string(s), data, err)
		data, err = ExportAppointmentDetails(a, Details{CancelationReason: []Coding{{System: "urn:oid:1.2.246.537.6.126.2008", Code: "1"}},
			CreatedPrecision: PrecisionDay, ServiceType: []Concept{{Coding: []Coding{{System: "urn:oid:1.2.246.537.6.49.201501", Code: "NC"}}}}})
		put("appointment with details "+string(s), data, err)
	}
	// A coded reason without text, and one with codes beside the codings
	// that came.
	coded := sampleAppointment()
	coded.Status, coded.CancelCodes = booking.StatusCancelled, []booking.ReasonCode{{System: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", Code: "pat", Display: "Patient"}}
	data, err := ExportAppointment(coded)
	put("cancelled with a coded reason only", data, err)
	coded.CancelReason = "feeling better"
	data, err = ExportAppointmentDetails(coded, Details{CancelationReason: []Coding{{System: "urn:oid:1.2.246.537.6.126.2008", Code: "1"}, {Display: "no code"}}})
	put("cancelled with codes and text", data, err)
	// An appointment whose client came as a transaction's Patient entry.
	pt := patientTransaction(t, map[string]any{"reference": "urn:uuid:2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}, false,
		patientEntry("urn:uuid:2f1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "PUT", "Patient/c1", map[string]any{"id": "c1"}))
	change, err := ImportBookingTransaction(pt)
	require.NoError(t, err)
	data, err = ExportAppointmentDetails(change.Appointment, change.Details)
	put("appointment of a transaction's Patient entry", data, err)
	// Practitioner/x and Location/x: two participants.
	twoX, dx, err := ImportAppointmentDetails([]byte(appointmentHead + `{"actor":{"reference":"Patient/c1"},"status":"accepted"},` +
		`{"actor":{"reference":"Practitioner/x"},"status":"accepted"},{"actor":{"reference":"Location/x"},"status":"accepted"}]}`))
	require.NoError(t, err)
	data, err = ExportAppointmentDetails(twoX, dx)
	put("appointment with Practitioner/x and Location/x", data, err)
	// Ids and extensions of nested elements, as they came.
	nested, dn, err := ImportAppointmentDetails([]byte(`{"resourceType":"Appointment","id":"a3","status":"cancelled","_status":{"id":"st"},` +
		`"cancelationReason":{"id":"cr",` + ext("reason") + `,"coding":[{"system":"urn:x","code":"pat",` + ext("coding") + `}]},` +
		`"participant":[{"id":"p0",` + ext("participant") + `,"actor":{"reference":"Patient/c1",` + ext("reference") + `},"status":"accepted"},` +
		`{"actor":{"reference":"Practitioner/n1"},"status":"accepted","period":{` + ext("period") + `,"start":"2026-12-08T07:00:00Z"}}]}`))
	require.NoError(t, err)
	data, err = ExportAppointmentDetails(nested, dn)
	put("appointment with nested ids and extensions", data, err)
	// Cancelled, then entered in error: no cancelationReason (app-4).
	a := sampleAppointment()
	a.Status, a.CancelReason, a.Channel = booking.StatusEnteredInError, "feeling better", channel.Video
	a.CancelCodes = coded.CancelCodes
	data, err = ExportAppointment(a)
	put("entered in error after cancel", data, err)

	slot := booking.Slot{Area: "north", Service: "joint-visit", Start: time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),
		End: time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), Participants: []booking.CalendarID{"hki_nurse_1", "doctor-1", "room-1"}, Block: booking.BlockSelfService}
	for _, st := range []SlotStatus{SlotFree, SlotBusy, SlotBusyUnavailable, SlotBusyTentative, SlotEnteredInError} {
		data, err := ExportSlot(slot, st)
		put("slot "+string(st), data, err)
	}
	ob := true
	data, err = ExportSlotDetails(slot, SlotBusy, SlotDetails{ID: "slot.1", Identifier: []Identifier{{System: "urn:x", Value: "1"}}, Overbooked: &ob, Comment: "c",
		AppointmentType: &Concept{Coding: []Coding{{System: NationalVisitChannelSystem, Code: "10"}}}})
	put("slot with details", data, err)
	h := booking.Interval{Start: slot.Start, End: slot.Start.Add(90 * 24 * time.Hour)}
	for _, c := range []booking.Calendar{nurse, team, room} {
		data, err := ExportSchedule(c, h)
		put("schedule "+string(c.Kind), data, err)
	}
	data, err = ExportScheduleInfo(ScheduleInfo{ID: "s1", Active: false, Actors: []ScheduleActor{{Type: "Practitioner", ID: "p_1"}, {Type: "Location", ID: "l1", Display: "Room"}}})
	put("foreign schedule", data, err)
	data, err = ExportScheduleInfo(ScheduleInfo{ID: "s2", Active: true, Actors: []ScheduleActor{
		{Identifier: &Identifier{System: CalendarSystem, Value: "nurse_1"}, ID: "nurse_1", Display: "Nurse"},
		{Type: "Practitioner", RefType: "Practitioner", Identifier: &Identifier{System: "urn:oid:1.2.246.537.26", Value: "123"}},
		{Type: "Location", ID: "room-1", RefType: "Location"}}})
	put("schedule with actors by identifier and typed", data, err)
	data, err = ExportAppointmentResponse(Response{ID: "r_1", Appointment: "hki_apt_1", Role: RoleCalendar, Calendar: "hki_nurse_1", Status: ParticipantTentative,
		Start: slot.Start, End: slot.End})
	put("response", data, err)
	data, err = ExportAppointmentResponse(Response{ID: "r2", Appointment: "a", Status: ParticipantAccepted,
		ParticipantType: []Concept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "ATND"}}}}})
	put("response by participantType only", data, err)
	data, err = ExportWaitEntry(booking.WaitEntry{ID: "wait_1", Area: "north", Service: "nurse-visit", Client: "c1", Since: slot.Start,
		Window: booking.Interval{Start: slot.Start, End: slot.End}, Answers: []booking.Answer{{QuestionID: "q"}}})
	put("wait entry", data, err)
	data, err = ExportWaitEntry(booking.WaitEntry{ID: "wait_2", Area: "north", Service: "nurse-visit", Client: "c1", Window: booking.Interval{Start: slot.Start}})
	put("wait entry from a start on", data, err)
	data, err = ExportWaitEntry(booking.WaitEntry{ID: "wait_3", Area: "north", Service: "nurse-visit", Client: "c1", Window: booking.Interval{End: slot.End}})
	put("wait entry until an end", data, err)
	if data, err = ExportAppointment(sampleAppointment()); err == nil {
		data, err = SetVersionID(data, 4)
	}
	put("appointment with its version", data, err)
	var slots [][]byte
	for i, st := range []SlotStatus{SlotFree, SlotBusy} {
		s := slot
		s.Start, s.End = s.Start.Add(time.Duration(i)*30*time.Minute), s.End.Add(time.Duration(i)*30*time.Minute)
		d, err := ExportSlot(s, st)
		require.NoError(t, err)
		slots = append(slots, d)
	}
	data, err = SearchsetBundle("https://fhir.example.org/r4", slots...)
	put("searchset", data, err)
	data, err = SearchsetBundle("")
	put("empty searchset", data, err)
	moved := sampleAppointment()
	moved.ID, moved.Version = "hki_apt_1", 3
	old := slot
	old.Start, old.End = old.Start.Add(time.Hour), old.End.Add(time.Hour)
	data, err = ExportBookingTransaction(moved, []booking.Slot{slot}, []booking.Slot{old}, nurse)
	put("transaction", data, err)
	for i, e := range []error{&Error{Field: "Appointment.status", Reason: "is required"}, booking.ErrNotFound, booking.ErrSlotTaken,
		booking.ErrNotAllowed, booking.ErrIllegalTransition, errors.New("disk on fire")} {
		data, _ := OperationOutcome(e)
		put(fmt.Sprintf("outcome %d", i), data, nil)
	}

	files, err := filepath.Glob("testdata/r4/*.json")
	require.NoError(t, err)
	fi, err := filepath.Glob("testdata/fhir-fi/*.json")
	require.NoError(t, err)
	for _, f := range append(files, fi...) {
		in, err := os.ReadFile(f)
		require.NoError(t, err)
		if data, err := roundTrip(t, in); err == nil {
			put("round trip "+f, data, nil)
		}
	}
	return out
}

// TestFHIRWrittenResourcesConform validates every resource the library
// writes against the R4 definitions in testdata/r4defs and the library's
// extension definitions.
func TestFHIRWrittenResourcesConform(t *testing.T) {
	v := newValidator(t)
	res := written(t)
	require.Greater(t, len(res), 40)
	// A response with neither actor nor participantType would break apr-1:
	// the exporter refuses it rather than write it.
	_, err := ExportAppointmentResponse(Response{ID: "r", Appointment: "a", Status: ParticipantAccepted})
	requireFieldError(t, err, "AppointmentResponse.actor")
	for name, data := range res {
		t.Run(name, func(t *testing.T) {
			require.Empty(t, v.Validate(data), string(data))
		})
	}
}

// TestFHIRExamplesConform checks the validator against the official and
// Finnish examples, which are valid R4.
func TestFHIRExamplesConform(t *testing.T) {
	v := newValidator(t)
	files, err := filepath.Glob("testdata/*/*.json")
	require.NoError(t, err)
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			if filepath.Base(f) == "slot-example.json" && strings.Contains(f, "fhir-fi") {
				// The published example names a profile as its schedule's type
				// (see testdata/fhir-fi/README.md).
				require.Equal(t, []string{"Slot.schedule: reference to FiSchedulingSchedule: want one of [Schedule]"}, v.Validate(in))
				return
			}
			if strings.Contains(f, "r4bundle") {
				// The Bundle and its requests conform; the validator has no
				// definitions of the Patients and Parameters in it.
				for _, p := range v.Validate(in) {
					require.Regexp(t, `^Bundle\.entry\[\d\]\.resource/resourceType "(Patient|Parameters)" is not one this validator knows$`, p)
				}
				return
			}
			require.Empty(t, v.Validate(in))
		})
	}
}

func TestFHIRWaitEntryRoundTrip(t *testing.T) {
	since := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		w    booking.WaitEntry
	}{
		{"with a window", booking.WaitEntry{ID: "wait_1", Area: "north", Service: "nurse-visit", Client: "client-ref-1", Since: since,
			Window:  booking.Interval{Start: since.Add(24 * time.Hour), End: since.Add(72 * time.Hour)},
			Answers: []booking.Answer{{QuestionID: "symptoms", Text: "yskä"}}, GuidanceVersion: "nurse-visit/v3"}},
		{"plain", booking.WaitEntry{ID: "wait-2", Area: "north", Service: "nurse-visit", Client: "client-ref-1", Since: since}},
	}
	v := newValidator(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ExportWaitEntry(tc.w)
			require.NoError(t, err)
			require.Empty(t, v.Validate(data), string(data))
			require.Contains(t, string(data), `"status":"waitlist"`)
			require.Equal(t, "1", nationalCode(t, data))
			got, err := ImportWaitEntry(data)
			require.NoError(t, err)
			require.Equal(t, tc.w, got)
			// The appointment importer refuses it: the booking model needs
			// a calendar participant.
			_, err = ImportAppointment(data)
			requireFieldError(t, err, "Appointment.participant")
		})
	}
	for _, tc := range []struct {
		name, data, field string
	}{
		{"not waitlist", `{"resourceType":"Appointment","id":"w","status":"booked","participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"}]}`, "Appointment.status"},
		{"a service the library does not know", `{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"text":"rokotus"}],"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"}]}`, "Appointment.serviceType"},
		{"no patient", `{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `n","code":"s"}]}],"participant":[{"actor":{"reference":"Practitioner/p"},"status":"accepted"}]}`, "Appointment.participant"},
		{"two windows", `{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem + `n","code":"s"}]}],"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"}],"requestedPeriod":[{"start":"2026-12-01T00:00:00Z","end":"2026-12-02T00:00:00Z"},{"start":"2026-12-03T00:00:00Z","end":"2026-12-04T00:00:00Z"}]}`, "Appointment.requestedPeriod"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportWaitEntry([]byte(tc.data))
			requireFieldError(t, err, tc.field)
		})
	}
}

func TestFHIRSetVersionID(t *testing.T) {
	v := newValidator(t)
	data, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	r4, err := os.ReadFile("testdata/r4/Appointment-example.json")
	require.NoError(t, err)
	for _, in := range [][]byte{data, r4} {
		out, err := SetVersionID(in, 3)
		require.NoError(t, err)
		require.Empty(t, v.Validate(out))
		var m map[string]any
		require.NoError(t, json.Unmarshal(out, &m))
		require.Equal(t, "3", m["meta"].(map[string]any)["versionId"])
		require.True(t, strings.HasPrefix(string(out), `{"resourceType":"Appointment","id":`), string(out)[:60])
	}
	// meta's other members stay (the R4 example has no meta: give it a tag).
	var orig map[string]any
	require.NoError(t, json.Unmarshal(r4, &orig))
	orig["meta"] = map[string]any{"tag": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": "HTEST"}}}
	tagged, err := json.Marshal(orig)
	require.NoError(t, err)
	out, err := SetVersionID(tagged, 3)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	require.Equal(t, orig["meta"].(map[string]any)["tag"], m["meta"].(map[string]any)["tag"])
	_, err = SetVersionID(data, 0)
	requireFieldError(t, err, "Resource.meta.versionId")
	_, err = SetVersionID([]byte(`{"resourceType":"Appointment"}`), 1)
	requireFieldError(t, err, "Resource.id")
}

// TestFHIRSetMeta writes meta.lastUpdated beside versionId, as an R4
// instant in UTC; a zero time leaves it out.
func TestFHIRSetMeta(t *testing.T) {
	v := newValidator(t)
	data, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	helsinki := time.FixedZone("EET", 2*3600)
	tests := []struct {
		name string
		at   time.Time
		want map[string]any
	}{
		{"with lastUpdated", time.Date(2026, time.December, 3, 16, 4, 5, 600, helsinki), map[string]any{"versionId": "2", "lastUpdated": "2026-12-03T14:04:05.0000006Z"}},
		{"without", time.Time{}, map[string]any{"versionId": "2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := SetMeta(data, 2, tc.at)
			require.NoError(t, err)
			require.Empty(t, v.Validate(out))
			var m map[string]any
			require.NoError(t, json.Unmarshal(out, &m))
			require.Equal(t, tc.want, m["meta"])
		})
	}
}

func FuzzImportWaitEntry(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Appointment","id":"w","status":"waitlist","serviceType":[{"coding":[{"system":"` + ServiceSystem +
		`n","code":"s"}]}],"participant":[{"actor":{"reference":"Patient/c"},"status":"accepted"}],"requestedPeriod":[{"start":"2026-12-01T00:00:00Z","end":"2026-12-02T00:00:00Z"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ImportWaitEntry(data)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		out, err := ExportWaitEntry(w)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		if _, err := ImportWaitEntry(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func TestFHIRBundles(t *testing.T) {
	a := sampleAppointment()
	a.Version = 2
	s := booking.Slot{Area: a.Area, Service: a.Service, Start: a.Start, End: a.End, Participants: a.Participants}
	data, err := ExportBookingTransaction(a, []booking.Slot{s}, nil)
	require.NoError(t, err)
	var b struct {
		Type  string `json:"type"`
		Entry []struct {
			Resource map[string]any `json:"resource"`
			Request  bundleRequest  `json:"request"`
		} `json:"entry"`
	}
	require.NoError(t, json.Unmarshal(data, &b))
	require.Equal(t, "transaction", b.Type)
	require.Len(t, b.Entry, 2)
	require.Equal(t, bundleRequest{Method: "PUT", URL: "Appointment/apt1", IfMatch: `W/"1"`}, b.Entry[0].Request)
	require.Equal(t, "busy", b.Entry[1].Resource["status"])
	require.Equal(t, "PUT", b.Entry[1].Request.Method)
	require.Equal(t, "Slot/"+b.Entry[1].Resource["id"].(string), b.Entry[1].Request.URL)

	_, err = SearchsetBundle("relative", data)
	requireFieldError(t, err, "Bundle.entry.fullUrl")
	_, err = SearchsetBundle("", []byte(`{"id":"x"}`))
	requireFieldError(t, err, "Bundle.entry[0].resource")
}
