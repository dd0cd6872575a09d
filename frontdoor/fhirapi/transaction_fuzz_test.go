package fhirapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// FuzzTransaction POSTs outside bodies to the base, where the handler takes
// a transaction Bundle: no panic, no 500, and every answer is FHIR JSON, a
// Bundle (the transaction-response) or an OperationOutcome, valid R4. The
// seeds are TestTransaction's bodies.
func FuzzTransaction(f *testing.F) {
	start := time.Date(2027, time.March, 30, 6, 0, 0, 0, time.UTC)
	appt := booking.Appointment{ID: "apt-t1", Client: "client-1", Area: "north", Service: "vaccination",
		Start: start, End: start.Add(15 * time.Minute), Participants: []booking.CalendarID{"nurse-1"}, Status: booking.StatusBooked}
	slot := booking.Slot{Area: "north", Service: "vaccination", Start: appt.Start, End: appt.End, Participants: appt.Participants}
	late := slot
	late.Start, late.End = slot.Start.Add(time.Hour), slot.End.Add(time.Hour)
	cancel := appt
	cancel.Status, cancel.CancelReason, cancel.Version = booking.StatusCancelled, "the client cannot come", 2
	moved := appt
	moved.Start, moved.End, moved.Version = appt.Start.Add(time.Hour), appt.End.Add(time.Hour), 2
	hold := appt
	hold.Status = booking.StatusPending
	hold.Start, hold.End = start.Add(15*time.Minute), start.Add(30*time.Minute)
	held := slot
	held.Start, held.End = hold.Start, hold.End
	confirm := hold
	confirm.Status, confirm.Version = booking.StatusBooked, 2
	for _, tc := range []struct {
		a            booking.Appointment
		taken, freed []booking.Slot
	}{
		{appt, []booking.Slot{slot}, nil},
		{appt, []booking.Slot{late}, nil},
		{appt, []booking.Slot{slot}, []booking.Slot{slot}},
		{moved, []booking.Slot{late}, []booking.Slot{slot}},
		{cancel, nil, []booking.Slot{slot}},
		{hold, []booking.Slot{held}, nil},
		{confirm, []booking.Slot{held}, nil},
	} {
		data, err := fhir.ExportBookingTransaction(tc.a, tc.taken, tc.freed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"resourceType":"Bundle","type":"collection"}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Slot/x"}}]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte{})
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set("X-Test-Actor", client1)
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", rec.Body.String())
		}
		rt := m["resourceType"]
		if rt != "OperationOutcome" && rt != "Bundle" {
			t.Fatalf("answered a %v", rt)
		}
		if rt == "Bundle" && m["type"] != "transaction-response" {
			t.Fatalf("answered a Bundle of type %v", m["type"])
		}
		if problems := fx.v.Validate(rec.Body.Bytes()); len(problems) > 0 {
			t.Fatalf("not valid R4: %v: %s", problems, rec.Body.String())
		}
	})
}
