package fhirvalidate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking/fhir"
)

// xmlHead and xmlTail wrap an Appointment's elements.
const (
	xmlHead = `<?xml version="1.0" encoding="UTF-8"?>
<Appointment xmlns="http://hl7.org/fhir" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://hl7.org/fhir ../../schema/appointment.xsd">
	<id value="a1"/>
	<!-- a comment is dropped -->
`
	xmlTail = `
</Appointment>`
)

// TestXMLToJSON checks each rule of the R4 XML to JSON conversion on an
// Appointment: the JSON wanted is written by hand from the rules of
// http://hl7.org/fhir/R4/json.html.
func TestXMLToJSON(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name string
		xml  string
		want string
	}{
		{"primitive value attributes", `<status value="booked"/><priority value="5"/><start value="2013-12-10T09:00:00Z"/>`,
			`{"status":"booked","priority":5,"start":"2013-12-10T09:00:00Z"}`},
		{"repeating elements become arrays, single ones objects",
			`<status value="booked"/><serviceType><coding><code value="52"/></coding><coding><code value="53"/></coding></serviceType><appointmentType><text value="x"/></appointmentType>`,
			`{"status":"booked","serviceType":[{"coding":[{"code":"52"},{"code":"53"}]}],"appointmentType":{"text":"x"}}`},
		{"backbone elements", `<status value="proposed"/><participant><actor><reference value="Patient/p"/></actor><required value="required"/><status value="accepted"/></participant>`,
			`{"status":"proposed","participant":[{"actor":{"reference":"Patient/p"},"required":"required","status":"accepted"}]}`},
		{"narrative div as XHTML text", `<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">
	25 Dec: <b class="x">Busy</b> &amp; more<br/>
</div></text><status value="booked"/>`,
			`{"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">\n\t25 Dec: <b class=\"x\">Busy</b> &amp; more<br/>\n</div>"},"status":"booked"}`},
		{"extensions and the id attribute of elements",
			`<extension url="http://example.org/e"><valueBoolean value="true"/></extension><status value="booked"/><appointmentType id="t1"><text value="x"/></appointmentType>`,
			`{"extension":[{"url":"http://example.org/e","valueBoolean":true}],"status":"booked","appointmentType":{"id":"t1","text":"x"}}`},
		{"a primitive's id and extension go to _name", `<status id="s1" value="booked"><extension url="http://example.org/e"><valueCode value="x"/></extension></status>`,
			`{"status":"booked","_status":{"id":"s1","extension":[{"url":"http://example.org/e","valueCode":"x"}]}}`},
		{"a primitive with only an extension", `<status value="booked"/><description><extension url="http://example.org/e"><valueString value="x"/></extension></description>`,
			`{"status":"booked","_description":{"extension":[{"url":"http://example.org/e","valueString":"x"}]}}`},
		{"complex extension values", `<status value="booked"/><extension url="http://example.org/e"><valueReference><reference value="Patient/p"/></valueReference></extension>`,
			`{"status":"booked","extension":[{"url":"http://example.org/e","valueReference":{"reference":"Patient/p"}}]}`},
		{"nested extensions", `<status value="booked"/><extension url="http://example.org/e"><extension url="a"><valueInteger value="-2"/></extension></extension>`,
			`{"status":"booked","extension":[{"url":"http://example.org/e","extension":[{"url":"a","valueInteger":-2}]}]}`},
		{"contained resources", `<contained><Slot><id value="s"/><schedule><reference value="Schedule/x"/></schedule><status value="free"/><start value="2013-12-10T09:00:00Z"/><end value="2013-12-10T09:30:00Z"/></Slot></contained><status value="booked"/>`,
			`{"contained":[{"resourceType":"Slot","id":"s","schedule":{"reference":"Schedule/x"},"status":"free","start":"2013-12-10T09:00:00Z","end":"2013-12-10T09:30:00Z"}],"status":"booked"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := v.XMLToJSON([]byte(xmlHead + tc.xml + xmlTail))
			require.NoError(t, err)
			var want map[string]any
			require.NoError(t, json.Unmarshal([]byte(tc.want), &want))
			want["resourceType"], want["id"] = "Appointment", "a1"
			wantJSON, err := json.Marshal(want)
			require.NoError(t, err)
			require.JSONEq(t, string(wantJSON), string(got))
		})
	}
}

// TestXMLToJSONRepeatingPrimitives checks the parallel "_" arrays of a
// repeating primitive, OperationOutcome.issue.expression (the scheduling
// resources have none).
func TestXMLToJSONRepeatingPrimitives(t *testing.T) {
	v := newValidator(t)
	in := `<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="error"/><code value="invalid"/>` +
		`<expression value="A.b"/><expression id="e2"/><expression value="A.c"/></issue></OperationOutcome>`
	got, err := v.XMLToJSON([]byte(in))
	require.NoError(t, err)
	require.JSONEq(t, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid",`+
		`"expression":["A.b",null,"A.c"],"_expression":[null,{"id":"e2"},null]}]}`, string(got))
}

// TestXMLToJSONRefuses checks that what the rules do not allow is an
// error, not a guess.
func TestXMLToJSONRefuses(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		name string
		xml  string
	}{
		{"not XML", `<Appointment xmlns="http://hl7.org/fhir"><status value="booked">`},
		{"unknown element", xmlHead + `<colour value="red"/>` + xmlTail},
		{"max 1 twice", xmlHead + `<status value="booked"/><status value="proposed"/>` + xmlTail},
		{"text instead of a value attribute", xmlHead + `<status>booked</status>` + xmlTail},
		{"boolean not true or false", xmlHead + `<status value="booked"/><extension url="u"><valueBoolean value="yes"/></extension>` + xmlTail},
		{"integer not a number", xmlHead + `<priority value="five"/>` + xmlTail},
		{"empty element (ele-1)", xmlHead + `<appointmentType/>` + xmlTail},
		{"empty primitive (ele-1)", xmlHead + `<status/>` + xmlTail},
		{"an element's id as an element", xmlHead + `<appointmentType><id value="x"/><text value="y"/></appointmentType>` + xmlTail},
		{"unknown attribute", xmlHead + `<status value="booked" colour="red"/>` + xmlTail},
		{"div outside XHTML", xmlHead + `<text><status value="generated"/><div>x</div></text>` + xmlTail},
		{"wrong namespace", `<Appointment xmlns="http://example.org"><status value="booked"/></Appointment>`},
		{"unknown resource", `<Patient xmlns="http://hl7.org/fhir"><id value="p"/></Patient>`},
		{"unknown choice type", xmlHead + `<extension url="u"><valueHumanName><text value="x"/></valueHumanName></extension>` + xmlTail},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.XMLToJSON([]byte(tc.xml))
			require.Error(t, err)
		})
	}
}

// FuzzXMLToJSON checks that no input makes the converter panic and that
// what it returns is JSON.
func FuzzXMLToJSON(f *testing.F) {
	f.Add([]byte(xmlHead + `<status value="booked"/>` + xmlTail))
	f.Add([]byte(xmlHead + `<text><status value="generated"/><div xmlns="http://www.w3.org/1999/xhtml">x<br/></div></text>` + xmlTail))
	f.Add([]byte(`<OperationOutcome xmlns="http://hl7.org/fhir"><issue><expression id="e"/></issue></OperationOutcome>`))
	v, err := New(fhir.ExtensionDefinitions(), fhir.ExtensionBase, fhir.NationalStatusExtension)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := v.XMLToJSON(data)
		if err == nil && !json.Valid(out) {
			t.Fatalf("not JSON: %s", out)
		}
	})
}
