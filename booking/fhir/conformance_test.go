package fhir

import (
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
	// Cancelled, then entered in error: no cancelationReason (app-4).
	a := sampleAppointment()
	a.Status, a.CancelReason, a.Channel = booking.StatusEnteredInError, "feeling better", channel.Video
	data, err := ExportAppointment(a)
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
	data, err = ExportAppointmentResponse(Response{ID: "r_1", Appointment: "hki_apt_1", Role: RoleCalendar, Calendar: "hki_nurse_1", Status: ParticipantTentative,
		Start: slot.Start, End: slot.End})
	put("response", data, err)

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
	for name, data := range res {
		t.Run(name, func(t *testing.T) {
			require.Empty(t, v.validate(data), string(data))
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
		if strings.Contains(f, "r4defs") {
			continue
		}
		t.Run(f, func(t *testing.T) {
			in, err := os.ReadFile(f)
			require.NoError(t, err)
			require.Empty(t, v.validate(in))
		})
	}
}
