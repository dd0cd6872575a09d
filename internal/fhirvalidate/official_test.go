package fhirvalidate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/booking/fhir"
)

func newValidator(t *testing.T) *Validator {
	t.Helper()
	v, err := New(fhir.ExtensionDefinitions(), fhir.ExtensionBase, fhir.NationalStatusExtension)
	require.NoError(t, err)
	return v
}

// TestOfficialDefinitionsGiveTheElements checks what the validator reads
// from the official differentials against the R4 resource pages
// (http://hl7.org/fhir/R4/appointment.html and the others).
func TestOfficialDefinitionsGiveTheElements(t *testing.T) {
	v := newValidator(t)
	tests := []struct {
		path string
		want elemDef
	}{
		{"Appointment.status", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/appointmentstatus"}},
		{"Appointment.participant", elemDef{Min: 1, Max: "*", Type: []string{"Appointment.participant"}}},
		{"Appointment.participant.actor", elemDef{Min: 0, Max: "1", Type: []string{"Reference"},
			Targets: []string{"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Device", "HealthcareService", "Location"}}},
		{"Appointment.participant.required", elemDef{Min: 0, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/participantrequired"}},
		{"Appointment.participant.status", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/participationstatus"}},
		{"Appointment.participant.id", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"Appointment.start", elemDef{Min: 0, Max: "1", Type: []string{"instant"}}},
		{"Appointment.created", elemDef{Min: 0, Max: "1", Type: []string{"dateTime"}}},
		{"Appointment.minutesDuration", elemDef{Min: 0, Max: "1", Type: []string{"positiveInt"}}},
		{"Appointment.priority", elemDef{Min: 0, Max: "1", Type: []string{"unsignedInt"}}},
		{"Appointment.slot", elemDef{Min: 0, Max: "*", Type: []string{"Reference"}, Targets: []string{"Slot"}}},
		{"Appointment.requestedPeriod", elemDef{Min: 0, Max: "*", Type: []string{"Period"}}},
		{"Period.start", elemDef{Min: 0, Max: "1", Type: []string{"dateTime"}}},
		{"Period.end", elemDef{Min: 0, Max: "1", Type: []string{"dateTime"}}},
		{"Period.id", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"Coding.system", elemDef{Min: 0, Max: "1", Type: []string{"uri"}}},
		{"Coding.userSelected", elemDef{Min: 0, Max: "1", Type: []string{"boolean"}}},
		{"CodeableConcept.coding", elemDef{Min: 0, Max: "*", Type: []string{"Coding"}}},
		{"CodeableConcept.text", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"Meta.versionId", elemDef{Min: 0, Max: "1", Type: []string{"id"}}},
		{"Meta.lastUpdated", elemDef{Min: 0, Max: "1", Type: []string{"instant"}}},
		{"Meta.profile", elemDef{Min: 0, Max: "*", Type: []string{"canonical"}, Targets: []string{"StructureDefinition"}}},
		{"Identifier.use", elemDef{Min: 0, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/identifier-use"}},
		{"Identifier.assigner", elemDef{Min: 0, Max: "1", Type: []string{"Reference"}, Targets: []string{"Organization"}}},
		{"ContactPoint.system", elemDef{Min: 0, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/contact-point-system"}},
		{"ContactPoint.use", elemDef{Min: 0, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/contact-point-use"}},
		{"ContactPoint.rank", elemDef{Min: 0, Max: "1", Type: []string{"positiveInt"}}},
		{"ContactPoint.period", elemDef{Min: 0, Max: "1", Type: []string{"Period"}}},
		{"ContactPoint.id", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"OperationOutcome.issue", elemDef{Min: 1, Max: "*", Type: []string{"OperationOutcome.issue"}}},
		{"OperationOutcome.issue.severity", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/issue-severity"}},
		{"OperationOutcome.issue.code", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/issue-type"}},
		{"OperationOutcome.issue.details", elemDef{Min: 0, Max: "1", Type: []string{"CodeableConcept"}}},
		{"OperationOutcome.issue.diagnostics", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"OperationOutcome.issue.location", elemDef{Min: 0, Max: "*", Type: []string{"string"}}},
		{"OperationOutcome.issue.expression", elemDef{Min: 0, Max: "*", Type: []string{"string"}}},
		{"OperationOutcome.issue.modifierExtension", elemDef{Min: 0, Max: "*", Type: []string{"Extension"}}},
		{"OperationOutcome.text", elemDef{Min: 0, Max: "1", Type: []string{"Narrative"}}},
		{"Appointment.serviceType", elemDef{Min: 0, Max: "*", Type: []string{"CodeableConcept"}}},
		{"Appointment.text", elemDef{Min: 0, Max: "1", Type: []string{"Narrative"}}},
		{"AppointmentResponse.appointment", elemDef{Min: 1, Max: "1", Type: []string{"Reference"}, Targets: []string{"Appointment"}}},
		{"AppointmentResponse.participantStatus", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/participationstatus"}},
		{"Schedule.actor", elemDef{Min: 1, Max: "*", Type: []string{"Reference"},
			Targets: []string{"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Device", "HealthcareService", "Location"}}},
		{"Schedule.active", elemDef{Min: 0, Max: "1", Type: []string{"boolean"}}},
		{"Slot.schedule", elemDef{Min: 1, Max: "1", Type: []string{"Reference"}, Targets: []string{"Schedule"}}},
		{"Slot.status", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/slotstatus"}},
		{"Slot.overbooked", elemDef{Min: 0, Max: "1", Type: []string{"boolean"}}},
		{"Bundle.type", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/bundle-type"}},
		{"Bundle.entry.link", elemDef{Min: 0, Max: "*", Type: []string{"Bundle.link"}}},
		{"Bundle.entry.resource", elemDef{Min: 0, Max: "1", Type: []string{"Resource"}}},
		{"Bundle.entry.request.method", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/http-verb"}},
		{"Bundle.entry.search.mode", elemDef{Min: 0, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/search-entry-mode"}},
		{"Reference.reference", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"Reference.type", elemDef{Min: 0, Max: "1", Type: []string{"uri"}}},
		{"Reference.identifier", elemDef{Min: 0, Max: "1", Type: []string{"Identifier"}}},
		{"Reference.display", elemDef{Min: 0, Max: "1", Type: []string{"string"}}},
		{"Narrative.status", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/narrative-status"}},
		{"Narrative.div", elemDef{Min: 1, Max: "1", Type: []string{"xhtml"}}},
		{"Extension.url", elemDef{Min: 1, Max: "1", Type: []string{"uri"}}},
		{"Bundle.signature", elemDef{Min: 0, Max: "1", Type: []string{"Signature"}}},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			i := strings.LastIndex(tc.path, ".")
			got, ok := v.defs.Types[tc.path[:i]][tc.path[i+1:]]
			require.True(t, ok)
			require.Equal(t, tc.want, got)
		})
	}
	// Bundle is a Resource, not a DomainResource: no narrative.
	require.NotContains(t, v.defs.Types["Bundle"], "text")
	names := func(typ string) []string {
		var out []string
		for n := range v.defs.Types[typ] {
			out = append(out, n)
		}
		sort.Strings(out)
		return out
	}
	require.Equal(t, []string{"active", "actor", "comment", "contained", "extension", "id", "identifier", "implicitRules", "language", "meta",
		"modifierExtension", "planningHorizon", "serviceCategory", "serviceType", "specialty", "text"}, names("Schedule"))
	require.Len(t, v.defs.Types["Appointment"], 30)
	require.Len(t, v.defs.Types["Appointment.participant"], 8)
	require.Len(t, v.defs.Types["AppointmentResponse"], 16)
	require.Len(t, v.defs.Types["Slot"], 19)
	// A data type read from its official differential is an Element.
	require.Equal(t, []string{"end", "extension", "id", "start"}, names("Period"))
	require.Equal(t, []string{"code", "display", "extension", "id", "system", "userSelected", "version"}, names("Coding"))
	require.Equal(t, []string{"coding", "extension", "id", "text"}, names("CodeableConcept"))
	require.Equal(t, []string{"assigner", "extension", "id", "period", "system", "type", "use", "value"}, names("Identifier"))
	require.Equal(t, []string{"extension", "id", "lastUpdated", "profile", "security", "source", "tag", "versionId"}, names("Meta"))
	require.Equal(t, []string{"display", "extension", "id", "identifier", "reference", "type"}, names("Reference"))
	require.Equal(t, []string{"div", "extension", "id", "status"}, names("Narrative"))
	require.Equal(t, []string{"extension", "id", "url", "value[x]"}, names("Extension"))
	require.Len(t, v.defs.Types["Extension"]["value[x]"].Type, 50)
	require.Subset(t, v.defs.Types["Extension"]["value[x]"].Type, []string{"boolean", "instant", "Coding", "HumanName", "Meta"})
}

// officialExpressions are the FHIRPath expressions of the invariants as
// the R4 resource pages print them; each Go check in invariantChecks was
// written from one of these.
var officialExpressions = map[string]string{
	"per-1":  "start.hasValue().not() or end.hasValue().not() or (start <= end)",
	"ref-1":  "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
	"txt-1":  "htmlChecks()",
	"ext-1":  "extension.exists() != value.exists()",
	"cpt-2":  "value.empty() or system.exists()",
	"txt-2":  "htmlChecks()",
	"app-1":  "type.exists() or actor.exists()",
	"app-2":  "start.exists() = end.exists()",
	"app-3":  "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | 'waitlist'))",
	"app-4":  "Appointment.cancelationReason.exists() implies (Appointment.status='no-show' or Appointment.status='cancelled')",
	"apr-1":  "participantType.exists() or actor.exists()",
	"bdl-1":  "total.empty() or (type = 'searchset') or (type = 'history')",
	"bdl-2":  "entry.search.empty() or (type = 'searchset')",
	"bdl-3":  "entry.all(request.exists() = (%resource.type = 'batch' or %resource.type = 'transaction' or %resource.type = 'history'))",
	"bdl-4":  "entry.all(response.exists() = (%resource.type = 'batch-response' or %resource.type = 'transaction-response' or %resource.type = 'history'))",
	"bdl-5":  "resource.exists() or request.exists() or response.exists()",
	"bdl-7":  "(type = 'history') or entry.where(fullUrl.exists()).select(fullUrl&resource.meta.versionId).isDistinct()",
	"bdl-8":  "fullUrl.contains('/_history/').not()",
	"bdl-9":  "type = 'document' implies (identifier.system.exists() and identifier.value.exists())",
	"bdl-10": "type = 'document' implies (timestamp.hasValue())",
	"bdl-11": "type = 'document' implies entry.first().resource.is(Composition)",
	"bdl-12": "type = 'message' implies entry.first().resource.is(MessageHeader)",
}

// TestInvariantsFollowTheOfficialExpressions proves that every invariant
// of the official definitions has a check, that no check is left without
// an official invariant, and that the expressions the checks were written
// from are the official ones, on the elements the official definitions
// put them on.
func TestInvariantsFollowTheOfficialExpressions(t *testing.T) {
	v := newValidator(t)
	where := map[string]string{}
	for path, cs := range v.inv {
		for _, c := range cs {
			require.Equal(t, "error", c.Severity, c.Key)
			require.Equal(t, officialExpressions[c.Key], c.Expression, c.Key)
			where[c.Key] = path
		}
	}
	require.Len(t, where, len(officialExpressions))
	require.Len(t, invariantChecks, len(officialExpressions))
	require.Equal(t, map[string]string{
		"app-1": "Appointment.participant", "app-2": "Appointment", "app-3": "Appointment", "app-4": "Appointment",
		"apr-1": "AppointmentResponse",
		"bdl-1": "Bundle", "bdl-2": "Bundle", "bdl-3": "Bundle", "bdl-4": "Bundle", "bdl-7": "Bundle", "bdl-9": "Bundle",
		"bdl-10": "Bundle", "bdl-11": "Bundle", "bdl-12": "Bundle", "bdl-5": "Bundle.entry", "bdl-8": "Bundle.entry",
		"per-1": "Period", "ref-1": "Reference", "txt-1": "Narrative.div", "txt-2": "Narrative.div", "ext-1": "Extension",
		"cpt-2": "ContactPoint",
	}, where)
	// The subset states no invariant; Element's ele-1 comes from its
	// official differential (checked on every element the validator walks).
	require.Empty(t, v.defs.Invariants)
	off, err := loadOfficial(v.defs.Types)
	require.NoError(t, err)
	require.Equal(t, []constraint{{Key: "ele-1", Severity: "error", Expression: "hasValue() or (children().count() > id.count())"}}, off.element)
	require.NotContains(t, off.invariants, "Element")
	require.Equal(t, map[string]elemDef{
		"id":        {Min: 0, Max: "1", Type: []string{"string"}},
		"extension": {Min: 0, Max: "*", Type: []string{"Extension"}},
	}, v.defs.Types["Element"])
}

// TestOperationOutcome: OperationOutcome is read from its official
// differential, its codes from the official CodeSystems, and the subset's
// inherited-element types are no resource types.
func TestOperationOutcome(t *testing.T) {
	v := newValidator(t)
	issue := func(severity, code string) string {
		return `{"resourceType":"OperationOutcome","issue":[{"severity":"` + severity + `","code":"` + code + `","diagnostics":"x"}]}`
	}
	tests := []struct {
		name, body string
		valid      bool
	}{
		{"error invalid", issue("error", "invalid"), true},
		{"a nested code (not-found under processing)", issue("error", "not-found"), true},
		{"a deeper code (deleted under not-found)", issue("information", "deleted"), true},
		{"fatal exception with details and expression", `{"resourceType":"OperationOutcome","id":"o","issue":[{"severity":"fatal","code":"exception",` +
			`"details":{"text":"x"},"expression":["Bundle.entry[0]"],"location":["/f:Bundle"]}]}`, true},
		{"no issue", `{"resourceType":"OperationOutcome"}`, false},
		{"empty issue list", `{"resourceType":"OperationOutcome","issue":[]}`, false},
		{"severity not a code of issue-severity", issue("critical", "invalid"), false},
		{"code not a code of issue-type", issue("error", "bad-request"), false},
		{"no severity", `{"resourceType":"OperationOutcome","issue":[{"code":"invalid"}]}`, false},
		{"no code", `{"resourceType":"OperationOutcome","issue":[{"severity":"error"}]}`, false},
		{"element R4 does not define", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","message":"x"}]}`, false},
		{"diagnostics twice", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":["x","y"]}]}`, false},
		{"DomainResource is abstract", `{"resourceType":"DomainResource","id":"x"}`, false},
		{"BackboneElement is abstract", `{"resourceType":"BackboneElement","id":"x"}`, false},
		{"Element is abstract", `{"resourceType":"Element","id":"x"}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := v.Validate([]byte(tc.body))
			if tc.valid {
				require.Empty(t, problems)
			} else {
				require.NotEmpty(t, problems)
			}
		})
	}
	var sub struct {
		Types map[string]json.RawMessage `json:"types"`
	}
	require.NoError(t, json.Unmarshal(subset, &sub))
	require.NotContains(t, sub.Types, "OperationOutcome")
	require.NotContains(t, sub.Types, "OperationOutcome.issue")
}

// TestInvariantChecks runs each check on a resource that keeps and one
// that breaks it.
func TestInvariantChecks(t *testing.T) {
	v := newValidator(t)
	part := `{"actor":{"reference":"Patient/p"},"status":"accepted"}`
	appt := func(extra string) string {
		return `{"resourceType":"Appointment","id":"a",` + extra + `"participant":[` + part + `]}`
	}
	const timed = `"start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z",`
	slot := `{"resourceType":"Slot","id":"%s","schedule":{"reference":"Schedule/s"},"status":"free","start":"2026-12-08T07:00:00Z","end":"2026-12-08T07:30:00Z"}`
	entry := func(id string) string { return strings.Replace(slot, "%s", id, 1) }
	narrative := func(div string) string {
		return `"text":{"status":"generated","div":"` + div + `"},"status":"proposed",`
	}
	localSlot := func(ref string) string {
		return strings.Replace(strings.Replace(slot, "%s", "c", 1), "Schedule/s", ref, 1)
	}
	tests := []struct {
		key       string
		good, bad string
	}{
		{"app-1", appt(`"status":"proposed",`), strings.Replace(appt(`"status":"proposed",`), `"actor":{"reference":"Patient/p"},`, "", 1)},
		{"app-2", appt(`"status":"booked",` + timed), appt(`"status":"proposed","start":"2026-12-08T07:00:00Z",`)},
		{"app-3", appt(`"status":"waitlist",`), appt(`"status":"booked",`)},
		{"app-4", appt(`"status":"cancelled","cancelationReason":{"text":"x"},` + timed), appt(`"status":"noshow","cancelationReason":{"text":"x"},` + timed)},
		{"apr-1", `{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"actor":{"reference":"Patient/p"},"participantStatus":"accepted"}`,
			`{"resourceType":"AppointmentResponse","id":"r","appointment":{"reference":"Appointment/a"},"participantStatus":"accepted"}`},
		{"bdl-1", `{"resourceType":"Bundle","type":"searchset","total":0}`, `{"resourceType":"Bundle","type":"collection","total":0}`},
		{"bdl-2", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":` + entry("s1") + `,"search":{"mode":"match"}}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + entry("s1") + `,"search":{"mode":"match"}}]}`},
		{"bdl-3", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + entry("s1") + `,"request":{"method":"PUT","url":"Slot/s1"}}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + entry("s1") + `,"request":{"method":"PUT","url":"Slot/s1"}}]}`},
		{"bdl-4", `{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"200 OK"}}]}`,
			`{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"DELETE","url":"Slot/s1"},"response":{"status":"200 OK"}}]}`},
		{"bdl-5", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + entry("s1") + `}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:1"}]}`},
		{"bdl-7", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x/Slot/s1","resource":` + entry("s1") + `},{"fullUrl":"http://x/Slot/s2","resource":` + entry("s2") + `}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x/Slot/s1","resource":` + entry("s1") + `},{"fullUrl":"http://x/Slot/s1","resource":` + entry("s1") + `}]}`},
		{"bdl-8", `{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x/Slot/s1","resource":` + entry("s1") + `}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"http://x/Slot/s1/_history/2","resource":` + entry("s1") + `}]}`},
		{"bdl-9", `{"resourceType":"Bundle","type":"collection"}`, `{"resourceType":"Bundle","type":"document","timestamp":"2026-12-08T07:00:00Z"}`},
		{"bdl-10", `{"resourceType":"Bundle","type":"collection"}`, `{"resourceType":"Bundle","type":"document","identifier":{"system":"urn:x","value":"1"}}`},
		{"bdl-11", `{"resourceType":"Bundle","type":"collection"}`, `{"resourceType":"Bundle","type":"document","identifier":{"system":"urn:x","value":"1"},"timestamp":"2026-12-08T07:00:00Z"}`},
		{"bdl-12", `{"resourceType":"Bundle","type":"collection"}`, `{"resourceType":"Bundle","type":"message"}`},
		{"per-1", appt(`"status":"waitlist","requestedPeriod":[{"start":"2016-06-02","end":"2016-06-09"},{"start":"2026-12-08T09:00:00+02:00","end":"2026-12-08T07:30:00Z"}],`),
			appt(`"status":"waitlist","requestedPeriod":[{"start":"2026-12-08T07:30:00Z","end":"2026-12-08T07:00:00Z"}],`)},
		{"per-1", appt(`"status":"waitlist","requestedPeriod":[{"start":"2016-06-02","end":"2016-06-02"}],`),
			appt(`"status":"waitlist","requestedPeriod":[{"start":"2016-06-09","end":"2016-06-02"}],`)},
		// ref-1 needs the root's contained resources: a participant's
		// actor; a reference inside a contained resource (its root is the
		// container); a Bundle entry's resource (its own root).
		{"ref-1", strings.Replace(appt(`"status":"proposed","contained":[{"resourceType":"Schedule","id":"loc","actor":[{"display":"x"}]}],`), `Patient/p`, `#loc`, 1),
			strings.Replace(appt(`"status":"proposed",`), `Patient/p`, `#loc`, 1)},
		{"ref-1", appt(`"status":"proposed","contained":[{"resourceType":"Schedule","id":"s","actor":[{"display":"x"}]},` + localSlot("#s") + `],`),
			appt(`"status":"proposed","contained":[` + localSlot("#other") + `],`)},
		{"ref-1", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + strings.Replace(localSlot("#s"), `"id":"c"`, `"id":"c","contained":[{"resourceType":"Schedule","id":"s","actor":[{"display":"x"}]}]`, 1) + `}]}`,
			`{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + localSlot("#s") + `}]}`},
		{"txt-1", appt(narrative(`<div xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"fi\"><p class=\"x\">Aika <b>8.12.</b></p><img src=\"#i\" alt=\"\"/></div>`)),
			appt(narrative(`<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>x()</script></div>`))},
		{"txt-2", appt(narrative(`<div xmlns=\"http://www.w3.org/1999/xhtml\"><img src=\"#i\"/></div>`)),
			appt(narrative(`<div xmlns=\"http://www.w3.org/1999/xhtml\"> <p>\n</p> </div>`))},
		{"ext-1", appt(`"status":"proposed","extension":[{"url":"urn:x","valueBoolean":true}],`),
			appt(`"status":"proposed","extension":[{"url":"urn:x","valueBoolean":true,"extension":[{"url":"urn:y","valueString":"y"}]}],`)},
		{"cpt-2", appt(`"status":"proposed","extension":[{"url":"urn:x","valueContactPoint":{"system":"url","value":"https://example.org"}}],`),
			appt(`"status":"proposed","extension":[{"url":"urn:x","valueContactPoint":{"value":"https://example.org"}}],`)},
	}
	require.Len(t, tests, len(officialExpressions)+3) // per-1 twice: date-times and dates; ref-1 three times
	for i, tc := range tests {
		t.Run(fmt.Sprintf("%s-%d", tc.key, i), func(t *testing.T) {
			require.True(t, json.Valid([]byte(tc.good)) && json.Valid([]byte(tc.bad)))
			require.NotContains(t, strings.Join(v.Validate([]byte(tc.good)), "\n"), "("+tc.key+")")
			require.Contains(t, strings.Join(v.Validate([]byte(tc.bad)), "\n"), "("+tc.key+")")
		})
	}
}

// TestRequiredBindingsFromTheOfficialCodeSystems: the codes of the value
// sets the resources bind (required) come from the official CodeSystems,
// not from the subset.
func TestRequiredBindingsFromTheOfficialCodeSystems(t *testing.T) {
	v := newValidator(t)
	want := map[string][]string{
		"appointmentstatus":    {"proposed", "pending", "booked", "arrived", "fulfilled", "cancelled", "noshow", "entered-in-error", "checked-in", "waitlist"},
		"participantrequired":  {"required", "optional", "information-only"},
		"participationstatus":  {"accepted", "declined", "tentative", "needs-action"},
		"slotstatus":           {"busy", "free", "busy-unavailable", "busy-tentative", "entered-in-error"},
		"bundle-type":          {"document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection"},
		"search-entry-mode":    {"match", "include", "outcome"},
		"http-verb":            {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"},
		"identifier-use":       {"usual", "official", "temp", "secondary", "old"},
		"narrative-status":     {"generated", "extensions", "additional", "empty"},
		"contact-point-system": {"phone", "fax", "email", "pager", "url", "sms", "other"},
		"contact-point-use":    {"home", "work", "temp", "old", "mobile"},
		"issue-severity":       {"fatal", "error", "warning", "information"},
		"issue-type": {"invalid", "structure", "required", "value", "invariant", "security", "login", "unknown", "expired",
			"forbidden", "suppressed", "processing", "not-supported", "duplicate", "multiple-matches", "not-found", "deleted",
			"too-long", "code-invalid", "extension", "too-costly", "business-rule", "conflict", "transient", "lock-error",
			"no-store", "exception", "timeout", "incomplete", "throttled", "informational"},
	}
	off, err := loadOfficial(v.defs.Types)
	require.NoError(t, err)
	require.Len(t, off.codes, len(want))
	for id, codes := range want {
		u := "http://hl7.org/fhir/ValueSet/" + id
		require.Equal(t, codes, off.codes[u], id)
		require.Equal(t, codes, v.defs.Bindings[u], id)
	}
	// Every required binding of the resources is one of them.
	require.Len(t, off.valueSets, len(want))
	var sub struct {
		Bindings map[string][]string `json:"bindings"`
	}
	require.NoError(t, json.Unmarshal(subset, &sub))
	for _, u := range off.valueSets {
		require.NotContains(t, sub.Bindings, u)
	}
}

// TestNarrativeChecks runs txt-1 and txt-2 on the forms a narrative div
// takes: what each allows and what each refuses.
func TestNarrativeChecks(t *testing.T) {
	const ns = `<div xmlns="http://www.w3.org/1999/xhtml"`
	tests := []struct {
		name       string
		div        string
		txt1, txt2 bool // the div satisfies txt-1, txt-2
	}{
		{"text", ns + `>Aika</div>`, true, true},
		{"table and attributes", ns + ` id="n"><table border="1"><tr><td colspan="2" style="color:red">x</td></tr></table></div>`, true, true},
		{"link", ns + `><a href="https://hl7.org/fhir">R4</a></div>`, true, true},
		{"image only", ns + `><img src="data:,x" alt="x"/></div>`, true, true},
		{"image without src", ns + `><img alt="x"/></div>`, true, false},
		{"white space only", ns + `> <br/>&#x9;</div>`, true, false},
		{"no-break space is text", ns + `>&#xA0;</div>`, true, true},
		{"empty", ns + `/>`, true, false},
		{"script", ns + `><script>x()</script>x</div>`, false, true},
		{"form", ns + `><form><input/></form>x</div>`, false, true},
		{"event attribute", ns + `><p onclick="x()">x</p></div>`, false, true},
		{"xml:lang", ns + ` xml:lang="fi">x</div>`, false, true},
		{"prefixed namespace declaration", `<h:div xmlns:h="http://www.w3.org/1999/xhtml"><h:p>x</h:p></h:div>`, true, true},
		{"no XHTML namespace", `<div>x</div>`, false, false},
		{"not a div", `<p xmlns="http://www.w3.org/1999/xhtml">x</p>`, false, false},
		{"two roots", ns + `>x</div>` + ns + `>y</div>`, false, false},
		{"not well-formed", ns + `><p>x</div>`, false, false},
		{"HTML entity", ns + `>&nbsp;x</div>`, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.txt1, narrativeMarkup(tc.div) == "", narrativeMarkup(tc.div))
			require.Equal(t, tc.txt2, narrativeContent(tc.div))
		})
	}
}
