package fhir

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

func TestFHIRExportActorTargets(t *testing.T) {
	nurse := booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north"}
	team := booking.Calendar{ID: "team-1", Kind: booking.OwnerTeam, Area: "north"}
	room := booking.Calendar{ID: "room-1", Kind: booking.OwnerResource, Area: "north"}
	tests := []struct {
		name   string
		owners []booking.Calendar
		want   []fhirReference
	}{
		{"owners known", []booking.Calendar{nurse, team, room}, []fhirReference{
			{Reference: "Practitioner/nurse-1"}, {Reference: "HealthcareService/team-1"}, {Reference: "Location/room-1"}}},
		{"owners unknown", nil, []fhirReference{
			{Identifier: &Identifier{System: CalendarSystem, Value: "nurse-1"}},
			{Identifier: &Identifier{System: CalendarSystem, Value: "team-1"}},
			{Identifier: &Identifier{System: CalendarSystem, Value: "room-1"}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleAppointment()
			a.Participants = []booking.CalendarID{"nurse-1", "team-1", "room-1"}
			data, err := ExportAppointment(a, tc.owners...)
			require.NoError(t, err)
			var r fhirResource
			require.NoError(t, json.Unmarshal(data, &r))
			var got []fhirReference
			for _, p := range r.Participant[1:] {
				got = append(got, p.Actor)
			}
			require.Equal(t, tc.want, got)
			require.NotContains(t, string(data), "Schedule/")
			back, err := ImportAppointment(data)
			require.NoError(t, err)
			require.Equal(t, a.Participants, back.Participants)
		})
	}
	for _, c := range []booking.Calendar{nurse, team, room} {
		data, err := ExportSchedule(c, booking.Interval{})
		require.NoError(t, err)
		require.NotContains(t, string(data), "CareTeam/")
		info, err := ImportSchedule(data)
		require.NoError(t, err)
		require.Equal(t, c.Kind, info.Kind, c.ID)
	}
}

func TestFHIRImportActorTargets(t *testing.T) {
	tests := []struct {
		typ       string
		scheduleK booking.OwnerKind
		allowed   bool
	}{
		{"Patient", "", true},
		{"Practitioner", booking.OwnerProfessional, true},
		{"PractitionerRole", booking.OwnerProfessional, true},
		{"RelatedPerson", "", true},
		{"Device", booking.OwnerResource, true},
		{"HealthcareService", booking.OwnerTeam, true},
		{"Location", booking.OwnerResource, true},
		{"CareTeam", "", false},
		{"Schedule", "", false},
		{"Organization", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			sched := fmt.Sprintf(`{"resourceType":"Schedule","id":"s1","actor":[{"reference":"%s/x1"}]}`, tc.typ)
			info, err := ImportSchedule([]byte(sched))
			if !tc.allowed {
				requireFieldError(t, err, "Schedule.actor[0].reference")
			} else {
				require.NoError(t, err)
				require.Equal(t, ScheduleInfo{ID: "s1", Actor: "x1", ActorType: tc.typ, Kind: tc.scheduleK, Active: true, ActiveAbsent: true,
					Actors: []ScheduleActor{{Type: tc.typ, ID: "x1"}}}, info)
			}

			a := sampleAppointment()
			data, err := ExportAppointment(a, booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional})
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			ps := m["participant"].([]any)
			if tc.typ == "Patient" {
				// A second Patient is refused for another reason.
				return
			}
			ps = append(ps, map[string]any{"actor": map[string]any{"reference": tc.typ + "/x1"}, "status": "accepted"})
			m["participant"] = ps
			data, err = json.Marshal(m)
			require.NoError(t, err)
			got, err := ImportAppointment(data)
			if !tc.allowed {
				requireFieldError(t, err, "Appointment.participant[3].actor.reference")
				return
			}
			require.NoError(t, err)
			want := a.Participants
			if tc.typ != "RelatedPerson" {
				want = append(want, "x1")
			}
			require.Equal(t, want, got.Participants)
		})
	}
}
