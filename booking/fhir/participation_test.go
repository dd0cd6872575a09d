package fhir

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

func participantStatuses(t *testing.T, data []byte) (status, required []string) {
	t.Helper()
	var r fhirResource
	require.NoError(t, json.Unmarshal(data, &r))
	for _, p := range r.Participant {
		status, required = append(status, p.Status), append(required, p.Required)
	}
	return status, required
}

func TestFHIRParticipationDefaults(t *testing.T) {
	tests := []struct {
		status booking.Status
		want   []string
	}{
		{booking.StatusPending, []string{"needs-action", "tentative", "tentative"}},
		{booking.StatusProposed, []string{"needs-action", "needs-action", "needs-action"}},
		{booking.StatusWaitlist, []string{"accepted", "needs-action", "needs-action"}},
		{booking.StatusBooked, []string{"accepted", "accepted", "accepted"}},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			a := sampleAppointment()
			a.Status = tc.status
			data, err := ExportAppointment(a)
			require.NoError(t, err)
			status, required := participantStatuses(t, data)
			require.Equal(t, tc.want, status)
			require.Equal(t, []string{"required", "required", "required"}, required)
			_, p, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			require.Equal(t, DefaultParticipation(a), Details{Client: p.Client, Calendars: p.Calendars})
		})
	}
}

func TestFHIRParticipationRoundTrip(t *testing.T) {
	a := sampleAppointment()
	tests := []struct {
		name string
		p    Details
		want [][2]string
	}{
		{"declined and optional", Details{Client: Participation{Status: ParticipantTentative},
			Calendars: map[booking.CalendarID]Participation{
				"nurse-1": {Status: ParticipantDeclined, Required: Optional},
				"room-1":  {Status: ParticipantNeedsAction, Required: InformationOnly}}},
			[][2]string{{"tentative", ""}, {"declined", "optional"}, {"needs-action", "information-only"}}},
		{"only one given", Details{Calendars: map[booking.CalendarID]Participation{"room-1": {Status: ParticipantDeclined, Required: Required}}},
			[][2]string{{"accepted", "required"}, {"accepted", "required"}, {"declined", "required"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ExportAppointmentDetails(a, tc.p)
			require.NoError(t, err)
			status, required := participantStatuses(t, data)
			var got [][2]string
			for i := range status {
				got = append(got, [2]string{status[i], required[i]})
			}
			require.Equal(t, tc.want, got)
			back, p, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			require.Equal(t, a.Participants, back.Participants)
			for i, c := range append([]booking.CalendarID{""}, a.Participants...) {
				pp := p.Client
				if i > 0 {
					pp = p.Calendars[c]
				}
				require.Equal(t, tc.want[i], [2]string{string(pp.Status), string(pp.Required)})
			}
		})
	}
}

func TestFHIRParticipationRefused(t *testing.T) {
	good, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	tests := []struct {
		name  string
		set   func(p map[string]any)
		field string
	}{
		{"no status", func(p map[string]any) { delete(p, "status") }, "Appointment.participant[1].status"},
		{"unknown status", func(p map[string]any) { p["status"] = "maybe" }, "Appointment.participant[1].status"},
		{"unknown required", func(p map[string]any) { p["required"] = "yes" }, "Appointment.participant[1].required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(good, &m))
			tc.set(m["participant"].([]any)[1].(map[string]any))
			data, err := json.Marshal(m)
			require.NoError(t, err)
			_, err = ImportAppointment(data)
			requireFieldError(t, err, tc.field)
		})
	}
	_, err = ExportAppointmentDetails(sampleAppointment(), Details{Client: Participation{Status: "maybe"}})
	requireFieldError(t, err, "Appointment.participant[0].status")
}
