package fhirapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// tuesday9 is 09:00 in Helsinki on Tuesday 30 March 2027, the first free
// time of the fixture.
var tuesday9 = time.Date(2027, time.March, 30, 6, 0, 0, 0, time.UTC)

const nurse = "professional:nurse-1"

func slotAt(start time.Time) booking.Slot {
	return booking.Slot{Area: "north", Service: "vaccination", Start: start, End: start.Add(15 * time.Minute),
		Participants: []booking.CalendarID{"nurse-1"}}
}

func apptAt(start time.Time, st booking.Status) booking.Appointment {
	s := slotAt(start)
	return booking.Appointment{ID: "new", Client: "client-1", Area: s.Area, Service: s.Service,
		Start: s.Start, End: s.End, Participants: s.Participants, Status: st}
}

// post sends a booking change as a transaction Bundle; a.Version above 1
// makes the appointment's If-Match W/"<a.Version-1>".
func (f fixture) post(t *testing.T, a booking.Appointment, taken, freed []booking.Slot, actor string) response {
	t.Helper()
	data, err := fhir.ExportBookingTransaction(a, taken, freed)
	require.NoError(t, err)
	return f.do(t, http.MethodPost, "/", actor, json.RawMessage(data))
}

// put sends a as the update of Appointment/<target>, its own FHIR id when
// target is "".
func (f fixture) put(t *testing.T, a booking.Appointment, target, actor string, headers ...string) response {
	t.Helper()
	data, err := fhir.ExportAppointment(a)
	require.NoError(t, err)
	if target == "" {
		var head struct{ ID string }
		require.NoError(t, json.Unmarshal(data, &head))
		target = head.ID
	}
	return f.do(t, http.MethodPut, "/Appointment/"+target, actor, json.RawMessage(data), headers...)
}

// txEntries returns the responses and resources of a transaction-response.
func txEntries(t *testing.T, r response) (responses, resources []map[string]any) {
	t.Helper()
	require.Equal(t, "transaction-response", r.body["type"], string(r.raw))
	for _, e := range r.body["entry"].([]any) {
		m := e.(map[string]any)
		responses = append(responses, m["response"].(map[string]any))
		res, _ := m["resource"].(map[string]any)
		resources = append(resources, res)
	}
	return responses, resources
}

// storedOf reads an appointment the handler answered, with its version.
func storedOf(t *testing.T, res map[string]any) booking.Appointment {
	t.Helper()
	a, err := fhir.ImportAppointment(mustJSON(t, res))
	require.NoError(t, err)
	a.Version, err = strconv.Atoi(res["meta"].(map[string]any)["versionId"].(string))
	require.NoError(t, err)
	return a
}

// book books a at its time through a transaction and returns it stored.
func (f fixture) book(t *testing.T, a booking.Appointment) booking.Appointment {
	t.Helper()
	r := f.post(t, a, []booking.Slot{slotAt(a.Start)}, nil, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	_, res := txEntries(t, r)
	return storedOf(t, res[0])
}

func with(a booking.Appointment, change func(*booking.Appointment)) booking.Appointment {
	a = a.Clone()
	change(&a)
	return a
}

func ifMatch(v int) []string { return []string{"If-Match", `W/"` + strconv.Itoa(v) + `"`} }

// TestUpdateRefuses sends updates (PUT Appointment/id) the handler refuses,
// each answered with an OperationOutcome and nothing changed.
func TestUpdateRefuses(t *testing.T) {
	f := newFixture(t)
	a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
	other := f.book(t, apptAt(tuesday9.Add(15*time.Minute), booking.StatusBooked))
	moved := with(a, func(a *booking.Appointment) { a.Start, a.End = a.Start.Add(30*time.Minute), a.End.Add(30*time.Minute) })
	tests := []struct {
		name    string
		a       booking.Appointment
		target  string
		actor   string
		headers []string
		status  int
		code    string
		expr    string
	}{
		{"no If-Match", moved, "", client1, nil, 428, "required", "If-Match"},
		{"stale If-Match", moved, "", client1, ifMatch(7), 412, "conflict", "If-Match"},
		{"If-Match not a version", moved, "", client1, []string{"If-Match", `W/"one"`}, 400, "invalid", "If-Match"},
		{"unknown id", with(a, func(a *booking.Appointment) { a.ID = "apt-99" }), "", client1, ifMatch(1), 404, "not-found", ""},
		{"id not the URL's", moved, "apt.5F9", client1, ifMatch(1), 400, "invalid", "Appointment.id"},
		{"another client", moved, "", "client:client-2", ifMatch(1), 403, "forbidden", ""},
		{"no requester", moved, "", "", ifMatch(1), 401, "login", ""},
		{"a client marks arrived", with(a, func(a *booking.Appointment) { a.Status = booking.StatusArrived }), "", client1, ifMatch(1), 403, "forbidden", ""},
		{"noshow before the start", with(a, func(a *booking.Appointment) { a.Status = booking.StatusNoShow }), "", nurse, ifMatch(1), 422, "business-rule", ""},
		{"onto a taken time", with(a, func(a *booking.Appointment) { a.Start, a.End = other.Start, other.End }), "", client1, ifMatch(1), 409, "conflict", ""},
		{"a new time held, not booked", with(moved, func(a *booking.Appointment) { a.Status = booking.StatusPending }), "", client1, ifMatch(1), 400, "invalid", "Appointment.start"},
		{"cancelled at a new time", with(moved, func(a *booking.Appointment) { a.Status, a.CancelReason = booking.StatusCancelled, "x" }), "", client1, ifMatch(1), 400, "invalid", "Appointment.start"},
		{"cancelled without a reason", with(a, func(a *booking.Appointment) { a.Status = booking.StatusCancelled }), "", client1, ifMatch(1), 400, "invalid", "Appointment.cancelationReason"},
		{"another patient", with(a, func(a *booking.Appointment) { a.Client = "client-2" }), "", nurse, ifMatch(1), 400, "invalid", "Appointment.participant"},
		{"no change", a, "", client1, ifMatch(1), 400, "invalid", "Appointment.status"},
		{"another nurse at the same time", with(a, func(a *booking.Appointment) {
			a.Status, a.CancelReason, a.Participants = booking.StatusCancelled, "x", []booking.CalendarID{"nurse-2"}
		}), "", client1, ifMatch(1), 400, "invalid", "Appointment.participant"},
		{"back to pending", with(a, func(a *booking.Appointment) { a.Status = booking.StatusPending }), "", client1, ifMatch(1), 400, "invalid", "Appointment.status"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.put(t, tc.a, tc.target, tc.actor, tc.headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			code, expr := issue(t, r)
			require.Equal(t, tc.code, code, string(r.raw))
			if tc.expr != "" {
				require.Equal(t, []any{tc.expr}, expr)
			}
		})
	}
	// Nothing changed.
	r := f.do(t, http.MethodGet, "/Appointment/apt.5F1", client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	require.Equal(t, "booked", r.body["status"])
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))

	// Not an Appointment; an update elsewhere.
	r = f.do(t, http.MethodPut, "/Appointment/apt.5F1", client1, map[string]any{"resourceType": "Slot"}, ifMatch(1)...)
	require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
	r = f.do(t, http.MethodPut, "/Slot/s1", client1, map[string]any{"resourceType": "Slot"}, ifMatch(1)...)
	require.Equal(t, http.StatusNotFound, r.status, string(r.raw))
	r = f.do(t, http.MethodDelete, "/Appointment/apt.5F1", client1, nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status, string(r.raw))
	require.Equal(t, "GET, PUT", r.header.Get("Allow"))
}

// TestUpdate runs the changes of the update interaction on the stored
// version each answer gives: a reschedule (201, the new appointment), the
// marks of the visit, a cancellation and a confirmation.
func TestUpdate(t *testing.T) {
	f := newFixture(t)
	a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
	c := f.book(t, apptAt(tuesday9.Add(15*time.Minute), booking.StatusBooked))
	r := f.post(t, apptAt(tuesday9.Add(45*time.Minute), booking.StatusPending), []booking.Slot{slotAt(tuesday9.Add(45 * time.Minute))}, nil, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	_, res := txEntries(t, r)
	held := storedOf(t, res[0])

	// The reschedule answers 201 with the new appointment, its Location
	// and ETag; the old one is cancelled as rescheduled.
	moved := with(a, func(a *booking.Appointment) { a.Start, a.End = a.Start.Add(30*time.Minute), a.End.Add(30*time.Minute) })
	r = f.put(t, moved, "", client1, ifMatch(1)...)
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	b := storedOf(t, r.body)
	require.NotEqual(t, a.ID, b.ID)
	require.Equal(t, booking.StatusBooked, b.Status)
	require.True(t, b.Start.Equal(moved.Start))
	require.Equal(t, `W/"1"`, r.header.Get("ETag"))
	require.Equal(t, "https://fhir.example.org/r4/Appointment/"+r.body["id"].(string)+"/_history/1", r.header.Get("Location"))
	r = f.do(t, http.MethodGet, "/Appointment/apt.5F1", client1, nil)
	require.Equal(t, "cancelled", r.body["status"], string(r.raw))
	require.Equal(t, `W/"2"`, r.header.Get("ETag"))
	require.Contains(t, string(r.raw), "rescheduled")
	// The old version again is stale; the old appointment is cancelled.
	r = f.put(t, moved, "", client1, ifMatch(1)...)
	require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))
	r = f.put(t, moved, "", client1, ifMatch(2)...)
	require.Equal(t, http.StatusUnprocessableEntity, r.status, string(r.raw))

	steps := []struct {
		name    string
		a       func() booking.Appointment
		actor   string
		advance bool // the clock moves past the start first
		status  int
		want    booking.Status
		version int
	}{
		{"confirm the hold", func() booking.Appointment {
			return with(held, func(a *booking.Appointment) { a.Status = booking.StatusBooked })
		}, client1, false, 200, booking.StatusBooked, 2},
		{"cancel", func() booking.Appointment {
			return with(c, func(a *booking.Appointment) { a.Status, a.CancelReason = booking.StatusCancelled, "the client is ill" })
		}, client1, false, 200, booking.StatusCancelled, 2},
		{"the client checks in", func() booking.Appointment {
			return with(b, func(a *booking.Appointment) { a.Status = booking.StatusCheckedIn })
		}, client1, false, 200, booking.StatusCheckedIn, 2},
		{"the nurse marks arrived", func() booking.Appointment {
			return with(b, func(a *booking.Appointment) { a.Status = booking.StatusArrived })
		}, nurse, false, 200, booking.StatusArrived, 3},
		{"fulfilled after the start", func() booking.Appointment {
			return with(b, func(a *booking.Appointment) { a.Status = booking.StatusFulfilled })
		}, nurse, true, 200, booking.StatusFulfilled, 4},
		{"the confirmed hold is a noshow", func() booking.Appointment {
			return with(held, func(a *booking.Appointment) { a.Status = booking.StatusNoShow })
		}, nurse, true, 200, booking.StatusNoShow, 3},
		{"the cancellation entered in error", func() booking.Appointment {
			return with(c, func(a *booking.Appointment) { a.Status, a.CancelReason = booking.StatusEnteredInError, "" })
		}, nurse, false, 200, booking.StatusEnteredInError, 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.advance {
				*f.now = tuesday9.Add(2 * time.Hour)
			}
			r := f.put(t, st.a(), "", st.actor, ifMatch(st.version-1)...)
			require.Equal(t, st.status, r.status, string(r.raw))
			got := storedOf(t, r.body)
			require.Equal(t, st.want, got.Status)
			require.Equal(t, st.version, got.Version)
			require.Equal(t, `W/"`+strconv.Itoa(st.version)+`"`, r.header.Get("ETag"))
			require.Empty(t, r.header.Get("Location"), "an update in place")
			require.Equal(t, f.now.UTC().Format(time.RFC3339), r.body["meta"].(map[string]any)["lastUpdated"])
			require.Equal(t, f.now.UTC().Format(http.TimeFormat), r.header.Get("Last-Modified"))
		})
	}

	// The booker's audit has each change with the requester.
	events, err := f.audit.Events(context.Background(), audit.Filter{})
	require.NoError(t, err)
	seen := map[string]string{}
	for _, e := range events {
		if e.Outcome == audit.Allowed {
			seen[e.Action] = string(e.Actor.Kind) + ":" + e.Actor.ID
		}
	}
	for action, actor := range map[string]string{"booking.reschedule": client1, "booking.confirm": client1, "booking.cancel": client1,
		"booking.checked-in": client1, "booking.arrived": nurse, "booking.fulfilled": nurse, "booking.noshow": nurse, "booking.entered-in-error": nurse} {
		require.Equal(t, actor, seen[action], action)
	}
}

// TestReschedule is a reschedule and a mark sent as transaction Bundles:
// the PUT of the appointment at its new time with the slot it takes and the
// one it frees, and the refusals.
func TestReschedule(t *testing.T) {
	f := newFixture(t)
	a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
	a.Version = 2 // the change of version 1
	at := tuesday9.Add(45 * time.Minute)
	moved := with(a, func(a *booking.Appointment) { a.Start, a.End = at, at.Add(15*time.Minute) })
	refusals := []struct {
		name         string
		a            booking.Appointment
		taken, freed []booking.Slot
		actor        string
		status       int
		code, expr   string
	}{
		{"taken slot outside the new time", moved, []booking.Slot{slotAt(tuesday9)}, nil, client1, 400, "invalid", "Bundle.entry"},
		{"freed slot outside the old time", moved, []booking.Slot{slotAt(at)}, []booking.Slot{slotAt(at)}, client1, 400, "invalid", "Bundle.entry"},
		{"stale ifMatch", with(moved, func(a *booking.Appointment) { a.Version = 3 }), []booking.Slot{slotAt(at)}, []booking.Slot{slotAt(tuesday9)}, client1, 412, "conflict", "Bundle.entry[0].request.ifMatch"},
		{"a cancel without ifMatch", with(a, func(a *booking.Appointment) { a.Version, a.Status, a.CancelReason = 0, booking.StatusCancelled, "x" }), nil, []booking.Slot{slotAt(tuesday9)}, client1, 428, "required", "Bundle.entry[0].request.ifMatch"},
		{"a mark without ifMatch", with(a, func(a *booking.Appointment) { a.Version, a.Status = 0, booking.StatusArrived }), nil, nil, nurse, 428, "required", "Bundle.entry[0].request.ifMatch"},
		{"another client", moved, []booking.Slot{slotAt(at)}, []booking.Slot{slotAt(tuesday9)}, "client:client-2", 403, "forbidden", ""},
		{"unknown appointment", with(moved, func(a *booking.Appointment) { a.ID = "apt-99" }), []booking.Slot{slotAt(at)}, nil, client1, 404, "not-found", ""},
		{"a client marks fulfilled", with(a, func(a *booking.Appointment) { a.Status = booking.StatusFulfilled }), nil, nil, client1, 403, "forbidden", ""},
		{"a mark takes a slot", with(a, func(a *booking.Appointment) { a.Status = booking.StatusArrived }), []booking.Slot{slotAt(tuesday9)}, nil, nurse, 400, "invalid", "Appointment.status"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			r := f.post(t, tc.a, tc.taken, tc.freed, tc.actor)
			require.Equal(t, tc.status, r.status, string(r.raw))
			code, expr := issue(t, r)
			require.Equal(t, tc.code, code)
			if tc.expr != "" {
				require.Equal(t, []any{tc.expr}, expr)
			}
		})
	}

	// The reschedule: the appointment's entry answers 201 with the new
	// appointment, its location and ETag, and an OperationOutcome naming
	// the appointment it replaces; the slots' entries 200.
	r := f.post(t, moved, []booking.Slot{slotAt(at)}, []booking.Slot{slotAt(tuesday9)}, client1)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	rs, res := txEntries(t, r)
	require.Len(t, rs, 3)
	require.Equal(t, "201 Created", rs[0]["status"])
	newID := res[0]["id"].(string)
	require.NotEqual(t, "apt.5F1", newID)
	require.Equal(t, "https://fhir.example.org/r4/Appointment/"+newID+"/_history/1", rs[0]["location"])
	require.Equal(t, `W/"1"`, rs[0]["etag"])
	require.Equal(t, "booked", res[0]["status"])
	require.Equal(t, at.Format(time.RFC3339), res[0]["start"])
	outcome := rs[0]["outcome"].(map[string]any)
	require.Equal(t, "OperationOutcome", outcome["resourceType"])
	diag := outcome["issue"].([]any)[0].(map[string]any)["diagnostics"].(string)
	require.Contains(t, diag, "Appointment/apt.5F1 is cancelled")
	require.Contains(t, diag, "Appointment/"+newID)
	require.Equal(t, map[string]any{"status": "200 OK"}, rs[1])
	require.Equal(t, map[string]any{"status": "200 OK"}, rs[2])
	r = f.do(t, http.MethodGet, "/Appointment/apt.5F1", client1, nil)
	require.Equal(t, "cancelled", r.body["status"])
	// Sent again, it is stale.
	r = f.post(t, moved, []booking.Slot{slotAt(at)}, []booking.Slot{slotAt(tuesday9)}, client1)
	require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))

	// A mark of the new appointment on its version.
	b := storedOf(t, res[0])
	arrived := with(b, func(a *booking.Appointment) { a.Status, a.Version = booking.StatusArrived, 2 })
	r = f.post(t, arrived, nil, nil, nurse)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	rs, res = txEntries(t, r)
	require.Equal(t, "200 OK", rs[0]["status"])
	require.Equal(t, `W/"2"`, rs[0]["etag"])
	require.Equal(t, "arrived", res[0]["status"])
	require.Nil(t, rs[0]["outcome"])
	require.True(t, strings.HasSuffix(rs[0]["location"].(string), "/_history/2"))

	// A FHIR client sends back the resource as it read it: meta.versionId
	// is the version read, as the ifMatch is.
	eie := with(storedOf(t, res[0]), func(a *booking.Appointment) { a.Status = booking.StatusEnteredInError })
	data, err := fhir.ExportAppointment(eie)
	require.NoError(t, err)
	data, err = fhir.SetVersionID(data, 2)
	require.NoError(t, err)
	tx := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{map[string]any{"resource": json.RawMessage(data),
		"request": map[string]any{"method": "PUT", "url": "Appointment/" + newID, "ifMatch": `W/"2"`}}}}
	r = f.do(t, http.MethodPost, "/", nurse, tx)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	rs, res = txEntries(t, r)
	require.Equal(t, "entered-in-error", res[0]["status"])
	require.Equal(t, `W/"3"`, rs[0]["etag"])
}

// TestChangesKeepIdentityCodesOut sends an update and a transaction whose
// patient is known only by a personal identity code: the refusals, and
// the audit, never repeat the code.
func TestChangesKeepIdentityCodesOut(t *testing.T) {
	const code = "010101-123N" // the fictional code of HL7 Finland's example
	f := newFixture(t)
	a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
	data, err := fhir.ExportAppointment(with(a, func(a *booking.Appointment) { a.Status = booking.StatusArrived }))
	require.NoError(t, err)
	var res map[string]any
	require.NoError(t, json.Unmarshal(data, &res))
	for _, p := range res["participant"].([]any) {
		p := p.(map[string]any)
		if p["actor"].(map[string]any)["reference"] == "Patient/client-1" {
			p["actor"] = map[string]any{"identifier": map[string]any{"system": fhir.PersonalIdentitySystem, "value": code}}
		}
	}
	tx := map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": []any{map[string]any{"resource": res,
		"request": map[string]any{"method": "PUT", "url": "Appointment/" + res["id"].(string), "ifMatch": `W/"1"`}}}}
	for _, r := range []response{
		f.do(t, http.MethodPut, "/Appointment/"+res["id"].(string), nurse, res, ifMatch(1)...),
		f.do(t, http.MethodPost, "/", nurse, tx),
	} {
		require.Equal(t, http.StatusBadRequest, r.status, string(r.raw))
		issue(t, r)
		require.NotContains(t, string(r.raw), code)
	}
	events, err := f.audit.Events(context.Background(), audit.Filter{})
	require.NoError(t, err)
	require.NotContains(t, string(mustJSON(t, events)), code)
}

// TestUpdateCancelCoded cancels with a coded cancelationReason, by update
// and by transaction: a coding alone is a reason, and the answer (and a
// read) carries the codings and the text back.
func TestUpdateCancelCoded(t *testing.T) {
	ill := booking.ReasonCode{System: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason", Code: "pat-crs", Display: "Patient: Canceled via automated reminder system"}
	tests := []struct {
		name   string
		tx     bool
		reason string
		codes  []booking.ReasonCode
	}{
		{"update, a coding only", false, "", []booking.ReasonCode{ill}},
		{"update, codings and text", false, "the client is ill", []booking.ReasonCode{ill, {System: "urn:oid:1.2.246.537.6.1", Code: "7"}}},
		{"transaction, a coding only", true, "", []booking.ReasonCode{ill}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
			c := with(a, func(a *booking.Appointment) {
				a.Status, a.CancelReason, a.CancelCodes = booking.StatusCancelled, tt.reason, tt.codes
			})
			var res map[string]any
			if tt.tx {
				c.Version = 2
				r := f.post(t, c, nil, []booking.Slot{slotAt(a.Start)}, client1)
				require.Equal(t, http.StatusOK, r.status, string(r.raw))
				_, rs := txEntries(t, r)
				res = rs[0]
			} else {
				r := f.put(t, c, "", client1, ifMatch(1)...)
				require.Equal(t, http.StatusOK, r.status, string(r.raw))
				res = r.body
			}
			got := storedOf(t, res)
			require.Equal(t, booking.StatusCancelled, got.Status)
			require.Equal(t, tt.reason, got.CancelReason)
			require.Equal(t, tt.codes, got.CancelCodes)
			r := f.do(t, http.MethodGet, "/Appointment/"+res["id"].(string), client1, nil)
			require.Equal(t, http.StatusOK, r.status, string(r.raw))
			cr := r.body["cancelationReason"].(map[string]any)
			require.Len(t, cr["coding"], len(tt.codes))
			require.Equal(t, ill.Code, cr["coding"].([]any)[0].(map[string]any)["code"])
			if tt.reason != "" {
				require.Equal(t, tt.reason, cr["text"])
			} else {
				require.NotContains(t, cr, "text")
			}
		})
	}
}

// TestIfMatchAny sends If-Match: *, which (RFC 9110) matches whatever
// version is current: the change is made on an appointment that exists
// and is 412 on one that does not; $book takes it too, and an absolute
// appointment-reference under Config.Base.
func TestIfMatchAny(t *testing.T) {
	f := newFixture(t)
	a := f.book(t, apptAt(tuesday9, booking.StatusBooked))
	anyVersion := []string{"If-Match", "*"}
	tests := []struct {
		name   string
		a      booking.Appointment
		status int
	}{
		{"an unknown appointment", with(a, func(a *booking.Appointment) { a.ID, a.Status, a.CancelReason = "apt-99", booking.StatusCancelled, "x" }), 412},
		{"cancelled", with(a, func(a *booking.Appointment) {
			a.Status, a.CancelReason = booking.StatusCancelled, "the client cannot come"
		}), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.put(t, tc.a, "", client1, anyVersion...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status == 412 {
				code, expr := issue(t, r)
				require.Equal(t, "conflict", code)
				require.Equal(t, []any{"If-Match"}, expr)
			}
		})
	}

	find := "/Appointment/$find?start=2027-03-30T06:00:00Z&end=2027-03-30T07:00:00Z&service-type=" + url.QueryEscape(vaccination)
	r := f.do(t, http.MethodGet, find, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	r = f.do(t, http.MethodPost, "/Appointment/$hold", client1, parameters(map[string]any{"name": "appointment-resource", "resource": entries(t, r)[0]}))
	require.Equal(t, http.StatusCreated, r.status, string(r.raw))
	id := r.body["id"].(string)
	ref := func(s string) map[string]any {
		return parameters(map[string]any{"name": "appointment-reference", "valueReference": map[string]any{"reference": s}})
	}
	books := []struct {
		name, ref string
		headers   []string
		status    int
	}{
		{"under another base", "https://other.example.org/r4/Appointment/" + id, nil, 400},
		{"an unknown hold", "https://fhir.example.org/r4/Appointment/apt-99", anyVersion, 412},
		{"under the base with If-Match *", "https://fhir.example.org/r4/Appointment/" + id, anyVersion, 200},
	}
	for _, tc := range books {
		t.Run("$book "+tc.name, func(t *testing.T) {
			r := f.do(t, http.MethodPost, "/Appointment/$book", client1, ref(tc.ref), tc.headers...)
			require.Equal(t, tc.status, r.status, string(r.raw))
			if tc.status == 200 {
				require.Equal(t, "booked", r.body["status"])
				require.Equal(t, `W/"2"`, r.header.Get("ETag"))
			}
		})
	}

	// A transaction entry's ifMatch "*" matches the current version too.
	r = f.do(t, http.MethodGet, "/Appointment/"+id, client1, nil)
	require.Equal(t, http.StatusOK, r.status, string(r.raw))
	b := storedOf(t, r.body)
	for _, tc := range []struct {
		name   string
		id     string
		status string
	}{
		{"transaction ifMatch * of an unknown appointment", "apt-98", ""},
		{"transaction ifMatch *", b.ID, "200 OK"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := with(b, func(a *booking.Appointment) {
				a.ID, a.Status, a.CancelReason, a.Version = tc.id, booking.StatusCancelled, "the client cannot come", 1
			})
			data, err := fhir.ExportBookingTransaction(c, nil, []booking.Slot{slotAt(b.Start)})
			require.NoError(t, err)
			var bundle map[string]any
			require.NoError(t, json.Unmarshal(data, &bundle))
			bundle["entry"].([]any)[0].(map[string]any)["request"].(map[string]any)["ifMatch"] = "*"
			r := f.do(t, http.MethodPost, "/", client1, bundle)
			if tc.status == "" {
				require.Equal(t, http.StatusPreconditionFailed, r.status, string(r.raw))
				return
			}
			require.Equal(t, http.StatusOK, r.status, string(r.raw))
			responses, resources := txEntries(t, r)
			require.Equal(t, tc.status, responses[0]["status"])
			require.Equal(t, "cancelled", resources[0]["status"])
		})
	}
}
