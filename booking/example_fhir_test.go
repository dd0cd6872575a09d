package booking_test

import (
	"fmt"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

// A host that has verified the national Asiointitapa codes for its remote
// channels supplies them; without that only the verified in-person code is
// written. (The video code below stands for the host's verified value.)
func ExampleNewFHIR() {
	def, _ := booking.NewFHIR(booking.FHIRConfig{})
	_, _, ok := def.VisitChannel(channel.Video)
	fmt.Println("default has a national video code:", ok)

	codes := booking.DefaultVisitChannels()
	codes[channel.Video] = booking.VisitChannelCode{Code: "host-verified-video-code"}
	f, _ := booking.NewFHIR(booking.FHIRConfig{VisitChannels: codes})
	system, c, _ := f.VisitChannel(channel.Video)
	fmt.Println(system, c.Code)

	_, err := booking.NewFHIR(booking.FHIRConfig{VisitChannels: map[channel.Kind]booking.VisitChannelCode{channel.Video: {}}})
	fmt.Println(err)
	// Output:
	// default has a national video code: false
	// urn:oid:1.2.246.537.6.884.2015 host-verified-video-code
	// booking: invalid input: fhirConfig.visitChannels["video"].code is empty
}
