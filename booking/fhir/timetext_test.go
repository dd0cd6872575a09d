package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestFHIRTimesComeBackAsWritten: an Appointment's start, end and created
// and a Slot's start and end come back written as they came (their
// offset, their fraction digits) while they are the same instant; a time
// the host changed is written in UTC.
func TestFHIRTimesComeBackAsWritten(t *testing.T) {
	appt := func(start, end, created string) string {
		return `{"resourceType":"Appointment","id":"a1","status":"booked","start":"` + start + `","end":"` + end + `","created":"` + created + `",` +
			`"serviceType":[{"coding":[{"system":"` + ServiceSystem + `north","code":"vaccination"}]}],` +
			`"participant":[{"actor":{"reference":"Patient/c1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n1"},"status":"accepted"}]}`
	}
	slot := func(start, end string) string {
		return `{"resourceType":"Slot","id":"s1","schedule":{"reference":"Schedule/n1"},"status":"free","start":"` + start + `","end":"` + end + `"}`
	}
	tests := []struct {
		name, in string
		move     time.Duration // how far the host moves start and end
		want     map[string]string
	}{
		{name: "Helsinki offset", in: appt("2020-01-01T12:00:00+02:00", "2020-01-01T12:30:00+02:00", "2019-12-20T09:15:00+02:00"),
			want: map[string]string{"start": "2020-01-01T12:00:00+02:00", "end": "2020-01-01T12:30:00+02:00", "created": "2019-12-20T09:15:00+02:00"}},
		{name: "fraction digits", in: appt("2026-12-08T07:00:00.500Z", "2026-12-08T07:30:00.000Z", "2026-12-01T10:00:00.120+02:00"),
			want: map[string]string{"start": "2026-12-08T07:00:00.500Z", "end": "2026-12-08T07:30:00.000Z", "created": "2026-12-01T10:00:00.120+02:00"}},
		{name: "moved by the host", in: appt("2020-01-01T12:00:00+02:00", "2020-01-01T12:30:00+02:00", "2019-12-20T09:15:00+02:00"), move: time.Hour,
			want: map[string]string{"start": "2020-01-01T11:00:00Z", "end": "2020-01-01T11:30:00Z", "created": "2019-12-20T09:15:00+02:00"}},
		{name: "slot, summer offset", in: slot("2027-06-01T09:00:00+03:00", "2027-06-01T09:20:00+03:00"),
			want: map[string]string{"start": "2027-06-01T09:00:00+03:00", "end": "2027-06-01T09:20:00+03:00"}},
		{name: "slot moved", in: slot("2027-06-01T09:00:00+03:00", "2027-06-01T09:20:00+03:00"), move: 20 * time.Minute,
			want: map[string]string{"start": "2027-06-01T06:20:00Z", "end": "2027-06-01T06:40:00Z"}},
	}
	v := newValidator(t)
	t.Run("schedule horizon", func(t *testing.T) {
		in := `{"resourceType":"Schedule","id":"n1","active":true,"actor":[{"reference":"Practitioner/n1"}],` +
			`"planningHorizon":{"start":"2026-12-01T00:00:00+02:00","_start":{` + ext("horizonStart") + `},"end":"2026-12-31T00:00:00.50Z"}}`
		info, err := ImportSchedule([]byte(in))
		require.NoError(t, err)
		out, err := ExportScheduleInfo(info)
		require.NoError(t, err)
		requireSameResource(t, []byte(in), out)
		require.Empty(t, v.Validate(out), string(out))
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out []byte
			var head struct{ ResourceType string }
			require.NoError(t, json.Unmarshal([]byte(tt.in), &head))
			if head.ResourceType == "Slot" {
				s, st, d, err := ImportSlotDetails([]byte(tt.in))
				require.NoError(t, err)
				s.Start, s.End = s.Start.Add(tt.move), s.End.Add(tt.move)
				out, err = ExportSlotDetails(s, st, d)
				require.NoError(t, err)
			} else {
				a, d, err := ImportAppointmentDetails([]byte(tt.in))
				require.NoError(t, err)
				a.Start, a.End = a.Start.Add(tt.move), a.End.Add(tt.move)
				out, err = ExportAppointmentDetails(a, d)
				require.NoError(t, err)
			}
			require.Empty(t, v.Validate(out), string(out))
			var got map[string]any
			require.NoError(t, json.Unmarshal(out, &got))
			for k, want := range tt.want {
				require.Equal(t, want, got[k], k)
			}
		})
	}
}
