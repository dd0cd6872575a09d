package fhir_test

import (
	"fmt"

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
