package fhir

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
)

func TestFHIRAppointmentResponseRoundTrip(t *testing.T) {
	start := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		r     Response
		actor Reference
	}{
		{"client accepts", Response{ID: "r1", Appointment: "hki_apt_1", Role: RoleClient, Client: "client-ref-1", Status: ParticipantAccepted},
			Reference{Reference: "Patient/client-ref-1"}},
		{"calendar proposes a time", Response{ID: "r2", Appointment: "a1", Role: RoleCalendar, Calendar: "nurse-1", Status: ParticipantTentative,
			Start: start, End: start.Add(30 * time.Minute), Comment: "later"},
			Reference{Identifier: &Identifier{System: CalendarSystem, Value: "nurse-1"}}},
		{"no actor, participantType only", Response{ID: "r3", Appointment: "a1", Status: ParticipantDeclined, ParticipantType: []Concept{{Text: "attender"}}}, Reference{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := ExportAppointmentResponse(tc.r)
			require.NoError(t, err)
			var w fhirResponse
			require.NoError(t, json.Unmarshal(data, &w))
			got := Reference{}
			if w.Actor != nil {
				got = *w.Actor
			}
			require.Equal(t, tc.actor, got)
			back, err := ImportAppointmentResponse(data)
			require.NoError(t, err)
			back.AppointmentRef, back.Actor = nil, nil
			require.Equal(t, tc.r, back)
		})
	}
}

func TestFHIRAppointmentResponseRefused(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		field string
	}{
		{"no appointment", `{"resourceType":"AppointmentResponse","id":"r","participantStatus":"accepted"}`, "AppointmentResponse.appointment"},
		{"appointment of another type", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Slot/s"},"participantStatus":"accepted"}`, "AppointmentResponse.appointment.reference"},
		{"no status", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"}}`, "AppointmentResponse.participantStatus"},
		{"unknown status", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"maybe"}`, "AppointmentResponse.participantStatus"},
		{"actor R4 forbids", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","actor":{"reference":"CareTeam/t"}}`, "AppointmentResponse.actor.reference"},
		{"end before start", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","start":"2026-12-08T08:00:00Z","end":"2026-12-08T07:00:00Z"}`, "AppointmentResponse.end"},
		{"modifier extension", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","modifierExtension":[{"url":"x"}]}`, "AppointmentResponse.modifierExtension"},
		{"neither actor nor participantType (apr-1)", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted"}`, "AppointmentResponse.actor"},
		{"empty actor, no participantType (apr-1)", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","actor":{}}`, "AppointmentResponse.actor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ImportAppointmentResponse([]byte(tc.data))
			requireFieldError(t, err, tc.field)
		})
	}
	_, err := ExportAppointmentResponse(Response{ID: "r", Appointment: "a", Status: "maybe"})
	requireFieldError(t, err, "AppointmentResponse.participantStatus")
}

func FuzzImportAppointmentResponse(f *testing.F) {
	f.Add([]byte(`{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","actor":{"reference":"Patient/c"}}`))
	f.Add([]byte(`{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"tentative","start":"2026-12-08T07:00:00Z"}`))
	f.Add([]byte(`{"resourceType":"AppointmentResponse","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted","actor":{"reference":"Patient/c"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ImportAppointmentResponse(data)
		if err != nil {
			if !errors.Is(err, booking.ErrInvalid) {
				t.Fatalf("error not ErrInvalid: %v", err)
			}
			return
		}
		if r.ID == "" {
			r.ID = "created" // a create's: the store names it
		}
		out, err := ExportAppointmentResponse(r)
		if err != nil {
			t.Fatalf("cannot export what was imported: %v", err)
		}
		if _, err := ImportAppointmentResponse(out); err != nil {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// TestFHIRResponseExportAPR1 is review item 7: the exporter refuses a
// response that would break apr-1 and writes one with either part.
func TestFHIRResponseExportAPR1(t *testing.T) {
	pt := []Concept{{Text: "attender"}}
	tests := []struct {
		name    string
		r       Response
		wantErr bool
	}{
		{"neither", Response{ID: "r", Appointment: "a", Status: ParticipantAccepted}, true},
		{"participantType only", Response{ID: "r", Appointment: "a", Status: ParticipantAccepted, ParticipantType: pt}, false},
		{"client", Response{ID: "r", Appointment: "a", Status: ParticipantAccepted, Role: RoleClient, Client: "c1"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ExportAppointmentResponse(tt.r)
			if tt.wantErr {
				requireFieldError(t, err, "AppointmentResponse.actor")
				return
			}
			require.NoError(t, err)
		})
	}
}
