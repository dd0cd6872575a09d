package fhir

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

func TestFHIRCancelationReasonOnlyWhenCancelled(t *testing.T) {
	codes := []Coding{{System: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", Code: "pat", Display: "Patient"}}
	tests := []struct {
		status booking.Status
		kept   bool
	}{
		{booking.StatusCancelled, true},
		{booking.StatusNoShow, false},
		{booking.StatusEnteredInError, false},
		{booking.StatusBooked, false},
	}
	for _, tc := range tests {
		t.Run(string(tc.status), func(t *testing.T) {
			a := sampleAppointment()
			a.Status, a.CancelReason = tc.status, "feeling better"
			data, err := ExportAppointmentDetails(a, Details{CancelationReason: codes})
			require.NoError(t, err)
			var raw map[string]any
			require.NoError(t, json.Unmarshal(data, &raw))
			got, d, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			if !tc.kept {
				require.NotContains(t, raw, "cancelationReason")
				require.Empty(t, got.CancelReason)
				require.Empty(t, d.CancelationReason)
				return
			}
			require.Equal(t, a.CancelReason, got.CancelReason)
			require.Equal(t, codes, d.CancelationReason)
		})
	}
}

func TestFHIRImportRefusesCancelationReasonOfOtherStatuses(t *testing.T) {
	for _, st := range []string{"entered-in-error", "booked", "pending", "noshow"} {
		t.Run(st, func(t *testing.T) {
			a := sampleAppointment()
			a.Status = booking.StatusCancelled
			a.CancelReason = "x"
			data, err := ExportAppointment(a)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			m["status"] = st
			delete(m, "extension")
			data, err = json.Marshal(m)
			require.NoError(t, err)
			_, err = ImportAppointment(data)
			requireFieldError(t, err, "Appointment.cancelationReason")
		})
	}
}

func TestFHIRCreatedKeepsItsPrecision(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
		p    Precision
	}{
		{"2026-12-06", time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC), PrecisionDay},
		{"2026-12", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), PrecisionMonth},
		{"2026", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), PrecisionYear},
		{"2026-12-06T09:30:00+02:00", time.Date(2026, 12, 6, 7, 30, 0, 0, time.UTC), ""},
	}
	good, err := ExportAppointment(sampleAppointment())
	require.NoError(t, err)
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var m map[string]any
			require.NoError(t, json.Unmarshal(good, &m))
			m["created"] = tc.in
			data, err := json.Marshal(m)
			require.NoError(t, err)
			a, d, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			require.Equal(t, tc.want, a.Created)
			require.Equal(t, tc.p, d.CreatedPrecision)
			out, err := ExportAppointmentDetails(a, d)
			require.NoError(t, err)
			var back map[string]any
			require.NoError(t, json.Unmarshal(out, &back))
			// A full instant comes back as it came written too (its
			// offset): see TestFHIRTimesComeBackAsWritten.
			require.Equal(t, tc.in, back["created"])
		})
	}
	var m map[string]any
	require.NoError(t, json.Unmarshal(good, &m))
	m["created"] = "2026-12-06T09:30"
	data, err := json.Marshal(m)
	require.NoError(t, err)
	_, err = ImportAppointment(data)
	requireFieldError(t, err, "Appointment.created")
}

// TestFHIRCancelationReasonCodes reads a coded cancelationReason into
// booking.Appointment.CancelCodes (a coding without a code stays in
// Details only) and writes it back: the codings as they came, in their
// order, then the codes booking added.
func TestFHIRCancelationReasonCodes(t *testing.T) {
	const sys = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
	sel := true
	tests := []struct {
		name  string
		in    map[string]any
		codes []booking.ReasonCode
		add   []booking.ReasonCode // codes booking adds before the export
		out   []Coding
	}{
		{"a coding only", map[string]any{"coding": []any{map[string]any{"system": sys, "code": "pat", "display": "Patient"}}},
			[]booking.ReasonCode{{System: sys, Code: "pat", Display: "Patient"}}, nil,
			[]Coding{{System: sys, Code: "pat", Display: "Patient"}}},
		{"codings and text", map[string]any{"text": "ill", "coding": []any{map[string]any{"display": "no code"}, map[string]any{"system": sys, "code": "pat", "version": "4.0.1", "userSelected": true}}},
			[]booking.ReasonCode{{System: sys, Code: "pat"}}, nil,
			[]Coding{{Display: "no code"}, {System: sys, Code: "pat", Version: "4.0.1", UserSelected: &sel}}},
		{"a code added", map[string]any{"coding": []any{map[string]any{"system": sys, "code": "pat"}}},
			[]booking.ReasonCode{{System: sys, Code: "pat"}}, []booking.ReasonCode{{Code: "local"}},
			[]Coding{{System: sys, Code: "pat"}, {Code: "local"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := sampleAppointment()
			a.Status = booking.StatusCancelled
			data, err := ExportAppointment(a)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(data, &m))
			m["cancelationReason"] = tc.in
			data, err = json.Marshal(m)
			require.NoError(t, err)
			got, d, err := ImportAppointmentDetails(data)
			require.NoError(t, err)
			require.Equal(t, tc.codes, got.CancelCodes)
			got.CancelCodes = append(got.CancelCodes, tc.add...)
			out, err := ExportAppointmentDetails(got, d)
			require.NoError(t, err)
			var back struct {
				CancelationReason Concept `json:"cancelationReason"`
			}
			require.NoError(t, json.Unmarshal(out, &back))
			require.Equal(t, tc.out, back.CancelationReason.Coding)
			require.Equal(t, tc.in["text"] == nil, back.CancelationReason.Text == "")
		})
	}
}
