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
// seeds are the bodies of TestTransaction, TestReschedule and
// TestTransactionPatientEntry and TestCreate: bookings (a Patient entry's
// and creates without ids among them),
// holds, confirmations, cancellations, reschedules and marks.
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
	arrived := appt
	arrived.Status, arrived.Version = booking.StatusArrived, 2
	unmatched := cancel
	unmatched.Version = 0
	resched := appt
	resched.Start, resched.End, resched.Version = appt.Start.Add(45*time.Minute), appt.End.Add(45*time.Minute), 2
	rslot := slot
	rslot.Start, rslot.End = resched.Start, resched.End
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
		{resched, []booking.Slot{rslot}, []booking.Slot{slot}},
		{arrived, nil, nil},
		{unmatched, nil, []booking.Slot{slot}},
	} {
		data, err := fhir.ExportBookingTransaction(tc.a, tc.taken, tc.freed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	if data, err := fhir.ExportBookingTransaction(appt, []booking.Slot{slot}, nil); err == nil {
		f.Add([]byte(withoutIDs(f, data))) // POSTs (creates) without ids
	}
	f.Add(withPatientEntry(f, appt, []booking.Slot{slot}, ""))
	f.Add(withPatientEntry(f, appt, []booking.Slot{slot}, "client-1"))
	f.Add([]byte(`{"resourceType":"Bundle","type":"collection"}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Slot/x"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PUT","url":"Appointment/x/_history/1"},"resource":{"resourceType":"Appointment","id":"x","status":"booked"}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PUT","url":"Appointment/x"},"resource":{"resourceType":"Appointment","id":"x","status":"booked","participant":[{"actor":{"reference":"Patient/010101-123N"},"status":"accepted"}]}}]}`))
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

// FuzzUpdate PUTs outside bodies and If-Match headers to
// Appointment/apt.5F1, a booked appointment of client-1: no panic, no 500,
// and every answer is an Appointment or an OperationOutcome, valid R4. The
// seeds are the changes of TestUpdate.
func FuzzUpdate(f *testing.F) {
	a := booking.Appointment{ID: "apt_1", Client: "client-1", Area: "north", Service: "vaccination",
		Start: time.Date(2027, time.March, 30, 6, 0, 0, 0, time.UTC), Participants: []booking.CalendarID{"nurse-1"}, Status: booking.StatusBooked}
	a.End = a.Start.Add(15 * time.Minute)
	for _, change := range []func(*booking.Appointment){
		func(a *booking.Appointment) { a.Start, a.End = a.Start.Add(30*time.Minute), a.End.Add(30*time.Minute) },
		func(a *booking.Appointment) { a.Status, a.CancelReason = booking.StatusCancelled, "ill" },
		func(a *booking.Appointment) { a.Status = booking.StatusCheckedIn },
		func(a *booking.Appointment) { a.Status = booking.StatusArrived },
		func(a *booking.Appointment) { a.Status = booking.StatusEnteredInError },
		func(a *booking.Appointment) { a.Status = booking.StatusPending },
	} {
		b := a.Clone()
		change(&b)
		data, err := fhir.ExportAppointment(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(`W/"1"`, data)
		f.Add("", data)
	}
	f.Add(`W/"x"`, []byte(`{"resourceType":"Appointment","id":"apt.5F1"}`))
	f.Add(`"1"`, []byte(`{"resourceType":"Slot"}`))
	f.Add(`W/"2"`, []byte(`[]`))
	fx := newFixture(f)
	slot := booking.Slot{Area: a.Area, Service: a.Service, Start: a.Start, End: a.End, Participants: a.Participants}
	first, err := fhir.ExportBookingTransaction(a, []booking.Slot{slot}, nil)
	if err != nil {
		f.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(first))
	req.Header.Set("X-Test-Actor", client1)
	rec := httptest.NewRecorder()
	fx.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		f.Fatalf("booking the appointment: %d %s", rec.Code, rec.Body.String())
	}
	f.Fuzz(func(t *testing.T, ifMatch string, body []byte) {
		req := httptest.NewRequest(http.MethodPut, "/Appointment/apt.5F1", bytes.NewReader(body))
		req.Header.Set("X-Test-Actor", client1)
		if ifMatch != "" {
			req.Header["If-Match"] = []string{ifMatch}
		}
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		var m map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("not JSON: %q", rec.Body.String())
		}
		if rt := m["resourceType"]; rt != "OperationOutcome" && rt != "Appointment" {
			t.Fatalf("answered a %v", rt)
		}
		if problems := fx.v.Validate(rec.Body.Bytes()); len(problems) > 0 {
			t.Fatalf("not valid R4: %v: %s", problems, rec.Body.String())
		}
	})
}
