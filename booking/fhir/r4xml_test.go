package fhir

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// officialXMLExamples maps each official XML source in testdata/r4xml (the
// HL7 FHIR build's source/<resource>/ files, see its README) to the JSON
// example in testdata/r4 it is published as.
var officialXMLExamples = map[string]string{
	"schedule-provider-location1-example.xml": "Schedule-exampleloc1.json",
	"schedule-provider-location2-example.xml": "Schedule-exampleloc2.json",
	"slot-example-busy.xml":                   "Slot-1.json",
	"slot-example-tentative.xml":              "Slot-2.json",
	"slot-example-unavailable.xml":            "Slot-3.json",
}

// TestOfficialXMLExamples converts each official XML source to FHIR JSON
// (internal/fhirvalidate's converter, by the R4 XML and JSON rules) and
// requires it to be the JSON example in testdata/r4, element for element,
// and valid R4.
func TestOfficialXMLExamples(t *testing.T) {
	v := newValidator(t)
	forEachRendering(t, "testdata/r4xml/*.xml", officialXMLExamples, func(t *testing.T, in []byte) []byte {
		got, err := v.XMLToJSON(in)
		require.NoError(t, err)
		return got
	}, v)
}
