package fhir

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

// fhirIDPattern is the FHIR R4 id datatype's regex.
var fhirIDPattern = regexp.MustCompile(`^[A-Za-z0-9\-\.]{1,64}$`)

func TestFHIRIDsAreValidAndReversible(t *testing.T) {
	tests := []struct {
		name     string
		internal string
		fhir     string
	}{
		{"plain", "nurse-1", "nurse-1"},
		{"underscore", "hki_nurse_1", "hki.5Fnurse.5F1"},
		{"dot", "a.b", "a.2Eb"},
		{"colon and slash", "x:y/z", "x.3Ay.2Fz"},
		{"non-ASCII", "hoitaja-ä", "hoitaja-.C3.A4"},
		{"escape-like text", ".41", ".2E41"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := exportID("Appointment.id", tc.internal)
			require.NoError(t, err)
			require.Equal(t, tc.fhir, got)
			require.Regexp(t, fhirIDPattern, got)
			back, err := importID("Appointment.id", got)
			require.NoError(t, err)
			require.Equal(t, tc.internal, back)
		})
	}
}

func TestFHIRIDsImportForeignAndRefuseInvalid(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"foreign dotted id kept", "a.b", "a.b", ""},
		{"non-canonical escape kept", "a.41", "a.41", ""},
		{"underscore", "hki_nurse_1", "", "Slot.id"},
		{"too long", strings.Repeat("a", 65), "", "Slot.id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := importID("Slot.id", tc.in)
			if tc.err != "" {
				requireFieldError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFHIRExportEscapesEveryID(t *testing.T) {
	a := sampleAppointment()
	a.ID, a.Client, a.Participants = "apt_1", "client_ref", []booking.CalendarID{"hki_nurse_1", "room-1"}
	s := booking.Slot{Area: "north", Service: "nurse-visit", Start: a.Start, End: a.End, Participants: a.Participants}
	c := booking.Calendar{ID: "hki_nurse_1", Kind: booking.OwnerProfessional, Area: "north"}
	appt, err := ExportAppointment(a, c, booking.Calendar{ID: "room-1", Kind: booking.OwnerResource, Area: "north"})
	require.NoError(t, err)
	slot, err := ExportSlot(s, SlotFree)
	require.NoError(t, err)
	sched, err := ExportSchedule(c, booking.Interval{})
	require.NoError(t, err)
	for _, data := range [][]byte{appt, slot, sched} {
		var r fhirResource
		require.NoError(t, json.Unmarshal(data, &r))
		require.Regexp(t, fhirIDPattern, r.ID)
		refs := r.Actor
		if r.Schedule != nil {
			refs = append(refs, *r.Schedule)
		}
		for _, p := range r.Participant {
			refs = append(refs, p.Actor)
		}
		for _, e := range r.Extension {
			if e.ValueRef != nil {
				refs = append(refs, *e.ValueRef)
			}
		}
		require.NotEmpty(t, refs)
		for _, ref := range refs {
			_, id, ok := strings.Cut(ref.Reference, "/")
			require.True(t, ok)
			require.Regexp(t, fhirIDPattern, id, ref.Reference)
		}
	}
	got, err := ImportAppointment(appt)
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	require.Equal(t, a.Client, got.Client)
	require.Equal(t, a.Participants, got.Participants)
	gotSlot, _, err := ImportSlot(slot)
	require.NoError(t, err)
	require.Equal(t, s, gotSlot)
	info, err := ImportSchedule(sched)
	require.NoError(t, err)
	require.Equal(t, c.ID, info.ID)

	long := sampleAppointment()
	long.Participants = []booking.CalendarID{booking.CalendarID(strings.Repeat("_", 30))}
	_, err = ExportAppointment(long, booking.Calendar{ID: long.Participants[0], Kind: booking.OwnerProfessional})
	requireFieldError(t, err, "Appointment.participant[1].actor.reference")
	require.NotContains(t, err.Error(), "_")
}

func TestFHIRAppointmentWithoutTimes(t *testing.T) {
	waiting := func(st booking.Status) booking.Appointment {
		a := sampleAppointment()
		a.Start, a.End, a.Created, a.Status = time.Time{}, time.Time{}, time.Time{}, st
		return a
	}
	tests := []struct {
		name  string
		a     booking.Appointment
		field string
	}{
		{"waitlist", waiting(booking.StatusWaitlist), ""},
		{"proposed", waiting(booking.StatusProposed), ""},
		{"cancelled", waiting(booking.StatusCancelled), ""},
		{"booked needs times", waiting(booking.StatusBooked), "Appointment.start"},
		{"start without end", func() booking.Appointment {
			a := waiting(booking.StatusWaitlist)
			a.Start = time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
			return a
		}(), "Appointment.end"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ExportAppointment(tc.a)
			if tc.field != "" {
				requireFieldError(t, err, tc.field)
				return
			}
			require.NoError(t, err)
			require.NotContains(t, string(data), "0001-01-01")
			var raw map[string]any
			require.NoError(t, json.Unmarshal(data, &raw))
			require.NotContains(t, raw, "start")
			require.NotContains(t, raw, "end")
			require.NotContains(t, raw, "created")
			got, err := ImportAppointment(data)
			require.NoError(t, err)
			want := tc.a
			want.Block = ""
			require.Equal(t, want, got)
		})
	}
}

// requireFieldError checks that err is an *Error naming field and matching
// booking.ErrInvalid.
func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var fe *Error
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
	require.ErrorIs(t, err, booking.ErrInvalid)
}
