package badinput_test

import (
	"context"
	"strings"
	"time"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

func fhirCases() []badCase {
	appointment := func(data string) func(context.Context, *world) error {
		return pure(func() error { _, err := fhir.ImportAppointment([]byte(data)); return err })
	}
	slot := func(data string) func(context.Context, *world) error {
		return pure(func() error { _, _, err := fhir.ImportSlot([]byte(data)); return err })
	}
	schedule := func(data string) func(context.Context, *world) error {
		return pure(func() error { _, err := fhir.ImportSchedule([]byte(data)); return err })
	}
	const patient = `"participant":[{"actor":{"reference":"Patient/c-1"},"status":"accepted"},{"actor":{"reference":"Practitioner/n-aino"},"status":"accepted"}]`
	apt := func(body string) string { return `{"resourceType":"Appointment","id":"a1",` + body + `}` }
	return []badCase{
		{"fhir/ImportAppointment/empty", appointment(""), invalid("Appointment")},
		{"fhir/ImportAppointment/null", appointment("null"), invalid("Appointment.resourceType")},
		{"fhir/ImportAppointment/mebibyte", appointment(`{"resourceType":"Appointment","id":"` + mib + `"}`), invalid("Appointment.id")},
		{"fhir/ImportAppointment/invalid UTF-8", appointment(apt(`"status":"booked","comment":"` + badUTF8 + `"`)), invalid("Appointment")},
		{"fhir/ImportAppointment/a Patient", appointment(`{"resourceType":"Patient","id":"p"}`), invalid("Appointment.resourceType")},
		{"fhir/ImportAppointment/status bogus", appointment(apt(`"status":"bogus",` + patient)), invalid("Appointment.status")},
		{"fhir/ImportAppointment/end before start", appointment(apt(`"status":"booked","start":"2026-11-24T10:00:00Z","end":"2026-11-24T09:00:00Z",` + patient)),
			invalid("Appointment.end")},
		{"fhir/ImportAppointment/booked without times", appointment(apt(`"status":"booked",` + patient)), invalid("Appointment.start")},
		{"fhir/ImportAppointment/participant without status", appointment(apt(`"status":"booked","start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:10:00Z",` +
			`"participant":[{"actor":{"reference":"Patient/c-1"}},{"actor":{"reference":"Practitioner/n-aino"},"status":"accepted"}]`)),
			invalid("Appointment.participant[0].status")},
		{"fhir/ImportAppointment/CareTeam participant", appointment(apt(`"status":"booked","start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:10:00Z",` +
			`"participant":[{"actor":{"reference":"Patient/c-1"},"status":"accepted"},{"actor":{"reference":"CareTeam/t"},"status":"accepted"}]`)),
			invalid("Appointment.participant[1].actor.reference")},
		{"fhir/ImportAppointment/cancellation reason on a booked one", appointment(apt(`"status":"booked","start":"2026-11-24T09:00:00Z","end":"2026-11-24T09:10:00Z",` +
			`"cancelationReason":{"text":"sick"},` + patient)), invalid("Appointment.cancelationReason")},
		{"fhir/ImportAppointment/year 0", appointment(apt(`"status":"booked","start":"0000-01-01T09:00:00Z","end":"0000-01-01T09:10:00Z",` + patient)),
			invalid("Appointment.start")},
		{"fhir/ImportSlot/end before start", slot(`{"resourceType":"Slot","id":"s","status":"free","schedule":{"reference":"Schedule/n-aino"},` +
			`"start":"2026-11-24T10:00:00Z","end":"2026-11-24T09:00:00Z"}`), invalid("Slot.end")},
		{"fhir/ImportSlot/status open", slot(`{"resourceType":"Slot","id":"x","status":"open"}`), invalid("Slot.status")},
		{"fhir/ImportSlot/no schedule", slot(`{"resourceType":"Slot","id":"x","status":"free"}`), invalid("Slot.schedule")},
		{"fhir/ImportSlot/mebibyte of brackets", slot(strings.Repeat("[", 1<<20)), invalid("Slot")},
		{"fhir/ImportSchedule/CareTeam actor", schedule(`{"resourceType":"Schedule","id":"x","actor":[{"reference":"CareTeam/p"}]}`),
			invalid("Schedule.actor[0].reference")},
		{"fhir/ImportSchedule/no actor", schedule(`{"resourceType":"Schedule","id":"x","actor":[]}`), invalid("Schedule.actor")},
		{"fhir/ExportAppointment/ID too long once escaped", pure(func() error {
			_, err := fhir.ExportAppointment(booking.Appointment{ID: strings.Repeat("_", 30), Client: "c-1", Status: booking.StatusBooked,
				Start: monday, End: monday.Add(10 * time.Minute), Participants: []booking.CalendarID{"n-aino"}})
			return err
		}), invalid("Appointment.id")},
	}
}
