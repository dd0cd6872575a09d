package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// withElement returns resource data with element name set to v.
func withElement(t *testing.T, data []byte, name string, v any) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	m[name] = v
	return m
}

// nested returns resource data changed by change.
func nested(t *testing.T, data []byte, change func(map[string]any)) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	change(m)
	return m
}

// TestUnstoredElementsRefused: an Appointment sent to $hold, a create, an
// update or a transaction with an element the booking model does not hold
// at any depth (comment, patientInstruction, identifier, a foreign
// extension, a participant's type, an actor's display, a serviceType's
// text, a security label) is
// refused with an OperationOutcome naming the element, never its value,
// and nothing is stored: the handler does not answer 201 for what it would
// drop. meta, text and contained are accepted (the server writes its own
// meta; a contained Patient is the client).
func TestUnstoredElementsRefused(t *testing.T) {
	f := newFixture(t)
	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	r := f.do(t, http.MethodGet, find, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	proposal := entries(t, r)[0]
	booked, err := fhir.ExportAppointment(apptAt(tuesday9, booking.StatusBooked))
	require.NoError(t, err)
	tx, err := fhir.ExportBookingTransaction(apptAt(tuesday9, booking.StatusBooked), []booking.Slot{slotAt(tuesday9)}, nil)
	require.NoError(t, err)
	var bundle map[string]any
	require.NoError(t, json.Unmarshal(tx, &bundle))
	entry := bundle["entry"].([]any)[0].(map[string]any)
	entry["resource"].(map[string]any)["comment"] = "bring the card 010101-123N"

	proposal["comment"] = "bring the card 010101-123N"
	tests := []struct {
		name, method, target string
		body                 any
		headers              []string
		expr                 string
	}{
		{"$hold with a comment", http.MethodPost, "/Appointment/$hold", parameters(map[string]any{"name": "appointment-resource", "resource": proposal}), nil,
			"appointment-resource.comment"},
		{"create with patientInstruction", http.MethodPost, "/Appointment", withoutIDs(t, mustJSON(t, withElement(t, booked, "patientInstruction", "fast"))), nil,
			"Appointment.patientInstruction"},
		{"create with an identifier", http.MethodPost, "/Appointment", withElement(t, booked, "identifier", []any{map[string]any{"system": "urn:x", "value": "1"}}), nil,
			"Appointment.identifier"},
		{"create with a foreign extension", http.MethodPost, "/Appointment", withElement(t, booked, "extension", []any{map[string]any{"url": "https://example.org/x", "valueString": "v"}}), nil,
			"Appointment.extension"},
		{"update with a comment", http.MethodPut, "/Appointment/new", withElement(t, booked, "comment", "x"), ifMatch(1), "Appointment.comment"},
		{"create with a participant's type", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["participant"].([]any)[1].(map[string]any)["type"] = []any{map[string]any{"text": "attender"}}
		}), nil, "Appointment.participant.type"},
		{"create with an actor's display", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["participant"].([]any)[1].(map[string]any)["actor"].(map[string]any)["display"] = "Nurse N"
		}), nil, "Appointment.participant.actor.display"},
		{"create with a participant's extension", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["participant"].([]any)[1].(map[string]any)["extension"] = []any{map[string]any{"url": "https://example.org/x", "valueString": "v"}}
		}), nil, "Appointment.participant.extension"},
		{"create with a serviceType text", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["serviceType"].([]any)[0].(map[string]any)["text"] = "my text"
		}), nil, "Appointment.serviceType.text"},
		{"create with an appointmentType text", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["appointmentType"] = map[string]any{"coding": []any{map[string]any{"system": fhir.ChannelSystem, "code": "in_person"}}, "text": "phone please"}
		}), nil, "Appointment.appointmentType.text"},
		{"create with a security label", http.MethodPost, "/Appointment", nested(t, booked, func(m map[string]any) {
			m["meta"] = map[string]any{"security": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "R"}}}
		}), nil, "Appointment.meta.security"},
		{"transaction with a comment", http.MethodPost, "/", bundle, nil, "Appointment.comment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, tc.method, tc.target, client1, tc.body, tc.headers...)
			require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
			_, expr := issue(t, r)
			require.Equal(t, []any{tc.expr}, expr)
			require.NotContains(t, string(r.raw), "010101-123N")
		})
	}
	// Nothing was stored: the client has no appointment.
	r = f.do(t, http.MethodGet, "/Appointment?patient=Patient/client-1", client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Empty(t, entries(t, r))

	// meta and text are accepted (and not stored).
	ok := withElement(t, booked, "text", map[string]any{"status": "generated", "div": `<div xmlns="http://www.w3.org/1999/xhtml">x</div>`})
	r = f.do(t, http.MethodPost, "/Appointment", client1, ok)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
}
