package fhir_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/channel"
)

// A host that has verified the national Asiointitapa codes for its remote
// channels supplies them; without that only the verified in-person code is
// written. (The video code below stands for the host's verified value.)
func ExampleNew() {
	def, _ := fhir.New(fhir.Config{})
	_, _, ok := def.VisitChannel(channel.Video)
	fmt.Println("default has a national video code:", ok)

	codes := fhir.DefaultVisitChannels()
	codes[channel.Video] = fhir.VisitChannelCode{Code: "host-verified-video-code"}
	f, _ := fhir.New(fhir.Config{VisitChannels: codes})
	system, c, _ := f.VisitChannel(channel.Video)
	fmt.Println(system, c.Code)

	_, err := fhir.New(fhir.Config{VisitChannels: map[channel.Kind]fhir.VisitChannelCode{channel.Video: {}}})
	fmt.Println(err)
	// Output:
	// default has a national video code: false
	// 1.2.246.537.6.884.2015 host-verified-video-code
	// booking: invalid input: fhirConfig.visitChannels["video"].code is empty
}

// A booking change goes to another system as one transaction Bundle and
// comes back from it the same way.
func ExampleImportBookingTransaction() {
	start := time.Date(2026, 12, 8, 7, 0, 0, 0, time.UTC)
	slot := booking.Slot{Area: "north", Service: "nurse-visit", Start: start, End: start.Add(30 * time.Minute),
		Participants: []booking.CalendarID{"nurse-1"}}
	a := booking.Appointment{ID: "apt-1", Area: "north", Service: "nurse-visit", Client: "client-ref-1",
		Participants: []booking.CalendarID{"nurse-1"}, Start: slot.Start, End: slot.End, Status: booking.StatusBooked, Version: 2}
	data, _ := fhir.ExportBookingTransaction(a, []booking.Slot{slot}, nil)
	c, err := fhir.ImportBookingTransaction(data)
	fmt.Println(err, c.Appointment.ID, c.Appointment.Version, c.Replaces, len(c.Taken), len(c.Freed))

	_, err = fhir.ImportBookingTransaction([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Slot","id":"s"}}]}`))
	fmt.Println(err)
	// Output:
	// <nil> apt-1 2 1 1 0
	// booking: fhir: Bundle.entry[0].request: is required in a transaction (bdl-3)
}
