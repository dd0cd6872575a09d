package fhirapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/frontdoor/fhirapi"
)

// capabilityShape is what FHIR R4 (4.0.1, capabilitystatement.html) allows
// of the CapabilityStatement elements the handler writes: for each path the
// member names allowed, which are required (min 1) and the codes of the
// required bindings. The validator has no CapabilityStatement definition
// (loading the official one would need checks of its invariants cpb-0 to
// cpb-16), so this test checks the shape, and cpb-1, cpb-2, cpb-9, cpb-12
// and cpb-14, itself.
var capabilityShape = map[string]struct {
	allowed, required []string
	codes             map[string][]string
}{
	"": {
		allowed: []string{"resourceType", "id", "meta", "url", "version", "name", "title", "status", "experimental", "date", "publisher",
			"description", "kind", "software", "implementation", "fhirVersion", "format", "patchFormat", "implementationGuide", "rest"},
		required: []string{"status", "date", "kind", "fhirVersion", "format"},
		codes: map[string][]string{"status": {"draft", "active", "retired", "unknown"}, "kind": {"instance", "capability", "requirements"},
			"fhirVersion": {"4.0.1"}},
	},
	"software":       {allowed: []string{"name", "version", "releaseDate"}, required: []string{"name"}},
	"implementation": {allowed: []string{"description", "url", "custodian"}, required: []string{"description"}},
	"rest": {allowed: []string{"mode", "documentation", "security", "resource", "interaction", "searchParam", "operation", "compartment"},
		required: []string{"mode"}, codes: map[string][]string{"mode": {"client", "server"}}},
	"rest.interaction": {allowed: []string{"code", "documentation"}, required: []string{"code"},
		codes: map[string][]string{"code": {"transaction", "batch", "search-system", "history-system"}}},
	"rest.resource": {allowed: []string{"type", "profile", "supportedProfile", "documentation", "interaction", "versioning", "readHistory",
		"updateCreate", "conditionalCreate", "conditionalRead", "conditionalUpdate", "conditionalDelete", "referencePolicy",
		"searchInclude", "searchRevInclude", "searchParam", "operation"},
		required: []string{"type"},
		codes: map[string][]string{"type": {"Slot", "Appointment", "Schedule", "AppointmentResponse"},
			"versioning": {"no-version", "versioned", "versioned-update"}, "conditionalDelete": {"not-supported", "single", "multiple"}}},
	"rest.resource.interaction": {allowed: []string{"code", "documentation"}, required: []string{"code"},
		codes: map[string][]string{"code": {"read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"}}},
	"rest.resource.searchParam": {allowed: []string{"name", "definition", "type", "documentation"}, required: []string{"name", "type"},
		codes: map[string][]string{"type": {"number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"}}},
	"rest.resource.operation": {allowed: []string{"name", "definition", "documentation"}, required: []string{"name", "definition"}},
}

// checkShape walks v at path and returns what R4 does not allow.
func checkShape(path string, v any) []string {
	var out []string
	shape, ok := capabilityShape[path]
	if !ok {
		return nil // a primitive or a type the shape does not go into
	}
	items, isList := v.([]any)
	if !isList {
		items = []any{v}
	}
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			out = append(out, path+": not an object")
			continue
		}
		for _, r := range shape.required {
			if _, ok := m[r]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: is required", path, r))
			}
		}
		for k, child := range m {
			if !slices.Contains(shape.allowed, k) {
				out = append(out, fmt.Sprintf("%s.%s: not an element", path, k))
			}
			if codes, ok := shape.codes[k]; ok && !slices.Contains(codes, fmt.Sprint(child)) {
				out = append(out, fmt.Sprintf("%s.%s: %v not in the required binding", path, k, child))
			}
			sub := k
			if path != "" {
				sub = path + "." + k
			}
			out = append(out, checkShape(sub, child)...)
		}
	}
	return out
}

func TestCapabilityStatementIsR4(t *testing.T) {
	f := newFixture(t)
	r := f.do(t, http.MethodGet, "/metadata", "", nil)
	require.Equal(t, http.StatusOK, r.status)
	require.Empty(t, checkShape("", r.body))

	cs := r.body
	// date: a dateTime, the documented API version date.
	require.Regexp(t, regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`), cs["date"])
	require.Equal(t, fhirapi.CapabilityDate, cs["date"])
	require.Equal(t, []any{"application/fhir+json"}, cs["format"])
	// cpb-1: rest, messaging or document; cpb-2: description, software or
	// implementation; cpb-14: an instance has an implementation.
	require.NotEmpty(t, cs["rest"])
	require.Equal(t, "instance", cs["kind"])
	require.NotNil(t, cs["implementation"])
	for _, rest := range cs["rest"].([]any) {
		seen := map[string]bool{}
		for _, res := range rest.(map[string]any)["resource"].([]any) {
			m := res.(map[string]any)
			typ := m["type"].(string)
			require.False(t, seen[typ], "cpb-9: %s described twice", typ)
			seen[typ] = true
			names := map[string]bool{}
			for _, p := range m["searchParam"].([]any) {
				name := p.(map[string]any)["name"].(string)
				require.False(t, names[name], "cpb-12: %s.%s twice", typ, name)
				names[name] = true
			}
		}
	}

	// The shape check sees what R4 refuses.
	for name, tc := range map[string]struct {
		doc  map[string]any
		want string
	}{
		"an element R4 has not":  {map[string]any{"status": "active", "date": "x", "kind": "instance", "fhirVersion": "4.0.1", "format": []any{}, "colour": "red"}, ".colour: not an element"},
		"no date":                {map[string]any{"status": "active", "kind": "instance", "fhirVersion": "4.0.1", "format": []any{}}, ".date: is required"},
		"an unknown interaction": {map[string]any{"status": "active", "date": "x", "kind": "instance", "fhirVersion": "4.0.1", "format": []any{}, "rest": []any{map[string]any{"mode": "server", "resource": []any{map[string]any{"type": "Slot", "interaction": []any{map[string]any{"code": "search"}}}}}}}, "rest.resource.interaction.code: search not in the required binding"},
	} {
		t.Run(name, func(t *testing.T) {
			problems := checkShape("", tc.doc)
			require.Len(t, problems, 1, problems)
			require.Contains(t, problems[0], tc.want)
		})
	}
}
