package fhirapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/frontdoor/fhirapi"
)

// TestCapabilityStatementIsR4 validates the served CapabilityStatement
// against the official R4 4.0.1 definition (internal/fhirvalidate: element
// names, cardinality, types, required bindings and the invariants cpb-0 …
// cpb-16), and shows that the validator refuses the statement broken in
// each of those ways.
func TestCapabilityStatementIsR4(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, http.MethodGet, "/metadata", "", nil) // do validates it
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, f.v.Validate(r.raw))

	cs := r.body
	// date: a dateTime, the documented API version date.
	require.Regexp(t, regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`), cs["date"])
	require.Equal(t, fhirapi.CapabilityDate, cs["date"])
	require.Equal(t, []any{"application/fhir+json"}, cs["format"])
	require.Equal(t, "instance", cs["kind"])
	require.Equal(t, "4.0.1", cs["fhirVersion"])
	// format's definition allows the shorthands xml, json and ttl beside
	// MIME types.
	for _, format := range []string{"json", "xml", "ttl", "application/fhir+json", "application/fhir+xml"} {
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.raw, &m))
		m["format"] = []any{format}
		data, err := json.Marshal(m)
		require.NoError(t, err)
		require.Empty(t, f.v.Validate(data), format)
	}

	// served returns a fresh copy of the served statement.
	served := func(t *testing.T) map[string]any {
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.raw, &m))
		return m
	}
	rest := func(m map[string]any) map[string]any { return m["rest"].([]any)[0].(map[string]any) }
	resource := func(m map[string]any, i int) map[string]any { return rest(m)["resource"].([]any)[i].(map[string]any) }
	tests := []struct {
		name  string
		spoil func(m map[string]any)
		want  string // a problem the validator reports
	}{
		{"cpb-0: a name that is no identifier", func(m map[string]any) { m["name"] = "carecontact booking" }, "(cpb-0)"},
		{"cpb-1: no rest, messaging or document", func(m map[string]any) { delete(m, "rest") }, "(cpb-1)"},
		{"cpb-2: no description, software or implementation", func(m map[string]any) {
			delete(m, "software")
			delete(m, "implementation")
		}, "(cpb-2)"},
		{"cpb-3: a messaging endpoint in a statement of kind capability", func(m map[string]any) {
			m["kind"] = "capability"
			delete(m, "implementation")
			m["messaging"] = []any{map[string]any{"endpoint": []any{map[string]any{
				"protocol": map[string]any{"system": "http://terminology.hl7.org/CodeSystem/message-transport", "code": "http"},
				"address":  "https://fhir.example.org/r4/messages"}}}}
		}, "(cpb-3)"},
		{"cpb-7: a document profile and mode twice", func(m map[string]any) {
			d := map[string]any{"mode": "producer", "profile": "http://hl7.org/fhir/StructureDefinition/Composition"}
			m["document"] = []any{d, d}
		}, "(cpb-7)"},
		{"cpb-9: Slot described twice", func(m map[string]any) {
			rest(m)["resource"] = append(rest(m)["resource"].([]any), map[string]any{"type": "Slot"})
		}, "(cpb-9)"},
		{"cpb-12: a Slot search parameter twice", func(m map[string]any) {
			slot := resource(m, 0)
			slot["searchParam"] = append(slot["searchParam"].([]any), map[string]any{"name": "start", "type": "date"})
		}, "(cpb-12)"},
		{"cpb-14: an instance without implementation", func(m map[string]any) { delete(m, "implementation") }, "(cpb-14)"},
		{"cpb-15: kind capability with an implementation", func(m map[string]any) { m["kind"] = "capability" }, "(cpb-15)"},
		{"cpb-16: kind requirements with software", func(m map[string]any) { m["kind"] = "requirements" }, "(cpb-16)"},
		{"an element R4 has not", func(m map[string]any) { m["colour"] = "red" }, "colour: not an element of CapabilityStatement"},
		{"no date (min 1)", func(m map[string]any) { delete(m, "date") }, "date: required (min 1)"},
		{"no format (min 1)", func(m map[string]any) { delete(m, "format") }, "format: required (min 1)"},
		{"format not a list (max *)", func(m map[string]any) { m["format"] = "application/fhir+json" }, "format: want an array (max *)"},
		{"software twice (max 1)", func(m map[string]any) { m["software"] = []any{m["software"], m["software"]} }, "software: an array, but max is 1"},
		{"date not a dateTime", func(m map[string]any) { m["date"] = "3.12.2026" }, `"3.12.2026" is not a valid dateTime`},
		{"readHistory not a boolean", func(m map[string]any) { resource(m, 1)["readHistory"] = "false" }, "want a JSON boolean (boolean)"},
		{"status not publication-status", func(m map[string]any) { m["status"] = "final" }, `"final" is not in the required value set http://hl7.org/fhir/ValueSet/publication-status`},
		{"kind not capability-statement-kind", func(m map[string]any) { m["kind"] = "server" }, "ValueSet/capability-statement-kind"},
		{"fhirVersion not FHIR-version", func(m map[string]any) { m["fhirVersion"] = "4.0" }, "ValueSet/FHIR-version"},
		{"format not a MIME type (mimetypes)", func(m map[string]any) { m["format"] = []any{"fhir+json"} }, "ValueSet/mimetypes"},
		{"patchFormat not a MIME type (no shorthand there)", func(m map[string]any) { m["patchFormat"] = []any{"json"} }, "ValueSet/mimetypes"},
		{"rest.mode not restful-capability-mode", func(m map[string]any) { rest(m)["mode"] = "both" }, "ValueSet/restful-capability-mode"},
		{"a resource type R4 has not", func(m map[string]any) { resource(m, 0)["type"] = "Slots" }, "ValueSet/resource-types"},
		{"a system interaction on a type", func(m map[string]any) {
			resource(m, 0)["interaction"] = []any{map[string]any{"code": "transaction"}}
		}, "ValueSet/type-restful-interaction"},
		{"a type interaction on the system", func(m map[string]any) { rest(m)["interaction"] = []any{map[string]any{"code": "read"}} }, "ValueSet/system-restful-interaction"},
		{"versioning not versioning-policy", func(m map[string]any) { resource(m, 1)["versioning"] = "yes" }, "ValueSet/versioning-policy"},
		{"conditionalDelete not conditional-delete-status", func(m map[string]any) { resource(m, 1)["conditionalDelete"] = "none" }, "ValueSet/conditional-delete-status"},
		{"searchParam.type not search-param-type", func(m map[string]any) {
			resource(m, 0)["searchParam"].([]any)[0].(map[string]any)["type"] = "text"
		}, "ValueSet/search-param-type"},
		{"an operation without definition (min 1)", func(m map[string]any) {
			delete(resource(m, 1)["operation"].([]any)[0].(map[string]any), "definition")
		}, "definition: required (min 1)"},
		{"implementation.custodian not an Organization", func(m map[string]any) {
			m["implementation"].(map[string]any)["custodian"] = map[string]any{"reference": "Patient/p"}
		}, "reference to Patient: want one of [Organization]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := served(t)
			tc.spoil(m)
			data, err := json.Marshal(m)
			require.NoError(t, err)
			problems := f.v.Validate(data)
			require.NotEmpty(t, problems)
			require.Contains(t, strings.Join(problems, "\n"), tc.want)
		})
	}
}
