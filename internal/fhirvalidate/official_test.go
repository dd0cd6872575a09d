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
		{"CapabilityStatement.status", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/publication-status"}},
		{"CapabilityStatement.date", elemDef{Min: 1, Max: "1", Type: []string{"dateTime"}}},
		{"CapabilityStatement.kind", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/capability-statement-kind"}},
		{"CapabilityStatement.fhirVersion", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/FHIR-version"}},
		{"CapabilityStatement.format", elemDef{Min: 1, Max: "*", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/mimetypes", Also: []string{"xml", "json", "ttl"}}},
		{"CapabilityStatement.patchFormat", elemDef{Min: 0, Max: "*", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/mimetypes"}},
		{"CapabilityStatement.contact", elemDef{Min: 0, Max: "*", Type: []string{"ContactDetail"}}},
		{"CapabilityStatement.software.name", elemDef{Min: 1, Max: "1", Type: []string{"string"}}},
		{"CapabilityStatement.implementation.custodian", elemDef{Min: 0, Max: "1", Type: []string{"Reference"}, Targets: []string{"Organization"}}},
		{"CapabilityStatement.rest", elemDef{Min: 0, Max: "*", Type: []string{"CapabilityStatement.rest"}}},
		{"CapabilityStatement.rest.resource.type", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/resource-types"}},
		{"CapabilityStatement.rest.resource.interaction.code", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/type-restful-interaction"}},
		{"CapabilityStatement.rest.interaction.code", elemDef{Min: 1, Max: "1", Type: []string{"code"}, Binding: "http://hl7.org/fhir/ValueSet/system-restful-interaction"}},
		{"CapabilityStatement.rest.resource.operation.definition", elemDef{Min: 1, Max: "1", Type: []string{"canonical"}, Targets: []string{"OperationDefinition"}}},
		{"CapabilityStatement.rest.searchParam", elemDef{Min: 0, Max: "*", Type: []string{"CapabilityStatement.rest.resource.searchParam"}}},
		{"CapabilityStatement.rest.operation", elemDef{Min: 0, Max: "*", Type: []string{"CapabilityStatement.rest.resource.operation"}}},
		{"CapabilityStatement.messaging.reliableCache", elemDef{Min: 0, Max: "1", Type: []string{"unsignedInt"}}},
		{"CapabilityStatement.document.profile", elemDef{Min: 1, Max: "1", Type: []string{"canonical"}, Targets: []string{"StructureDefinition"}}},
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
	require.Len(t, v.defs.Types["CapabilityStatement"], 34)
	require.Len(t, v.defs.Types["CapabilityStatement.rest"], 11)
	require.Len(t, v.defs.Types["CapabilityStatement.rest.resource"], 20)
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
	"cpb-0":  "name.matches('[A-Z]([A-Za-z0-9_]){0,254}')",
	"cpb-1":  "rest.exists() or messaging.exists() or document.exists()",
	"cpb-2":  "(description.count() + software.count() + implementation.count()) > 0",
	"cpb-3":  "messaging.endpoint.empty() or kind = 'instance'",
	"cpb-7":  "document.select(profile&mode).isDistinct()",
	"cpb-9":  "resource.select(type).isDistinct()",
	"cpb-12": "searchParam.select(name).isDistinct()",
	"cpb-14": "(kind != 'instance') or implementation.exists()",
	"cpb-15": "(kind != 'capability') or (implementation.exists().not() and software.exists())",
	"cpb-16": "(kind!='requirements') or (implementation.exists().not() and software.exists().not())",
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
			severity := "error"
			if c.Key == "cpb-0" { // the one warning; reported as the errors are
				severity = "warning"
			}
			require.Equal(t, severity, c.Severity, c.Key)
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
		"cpb-0": "CapabilityStatement", "cpb-1": "CapabilityStatement", "cpb-2": "CapabilityStatement", "cpb-3": "CapabilityStatement",
		"cpb-7": "CapabilityStatement", "cpb-14": "CapabilityStatement", "cpb-15": "CapabilityStatement", "cpb-16": "CapabilityStatement",
		"cpb-9": "CapabilityStatement.rest", "cpb-12": "CapabilityStatement.rest.resource",
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
	// cs is a CapabilityStatement of kind, with the members given.
	cs := func(kind, members string) string {
		return `{"resourceType":"CapabilityStatement","status":"active","date":"2026-12-03","kind":"` + kind + `",` +
			`"fhirVersion":"4.0.1","format":["application/fhir+json"]` + members + `}`
	}
	const sw, impl = `,"software":{"name":"x"}`, `,"implementation":{"description":"x"}`
	rest := func(resources string) string { return `,"rest":[{"mode":"server","resource":[` + resources + `]}]` }
	slotRes := func(params string) string { return `{"type":"Slot","searchParam":[` + params + `]}` }
	doc := func(profile, mode string) string { return `{"mode":"` + mode + `","profile":"` + profile + `"}` }
	tests := []struct {
		key       string
		good, bad string
	}{
		{"cpb-0", cs("instance", `,"name":"CarecontactBooking"`+impl+rest("")), cs("instance", `,"name":"carecontact booking"`+impl+rest(""))},
		{"cpb-1", cs("instance", impl+rest("")), cs("instance", impl)},
		{"cpb-2", cs("requirements", `,"description":"x"`+rest("")), cs("requirements", rest(""))},
		{"cpb-3", cs("instance", impl+`,"messaging":[{"endpoint":[{"protocol":{"code":"http"},"address":"https://x"}]}]`),
			cs("capability", sw+`,"messaging":[{"endpoint":[{"protocol":{"code":"http"},"address":"https://x"}]}]`)},
		{"cpb-7", cs("instance", impl+`,"document":[`+doc("https://x/a", "producer")+`,`+doc("https://x/a", "consumer")+`]`),
			cs("instance", impl+`,"document":[`+doc("https://x/a", "producer")+`,`+doc("https://x/a", "producer")+`]`)},
		{"cpb-9", cs("instance", impl+rest(slotRes(`{"name":"start","type":"date"}`)+`,{"type":"Appointment"}`)),
			cs("instance", impl+rest(slotRes(`{"name":"start","type":"date"}`)+`,{"type":"Slot"}`))},
		{"cpb-12", cs("instance", impl+rest(slotRes(`{"name":"start","type":"date"},{"name":"status","type":"token"}`))),
			cs("instance", impl+rest(slotRes(`{"name":"start","type":"date"},{"name":"start","type":"token"}`)))},
		{"cpb-14", cs("instance", impl+rest("")), cs("instance", sw+rest(""))},
		{"cpb-15", cs("capability", sw+rest("")), cs("capability", sw+impl+rest(""))},
		{"cpb-15", cs("capability", sw+rest("")), cs("capability", `,"description":"x"`+rest(""))},
		{"cpb-16", cs("requirements", `,"description":"x"`+rest("")), cs("requirements", sw+rest(""))},
		{"cpb-16", cs("requirements", `,"description":"x"`+rest("")), cs("requirements", impl+rest(""))},
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
	require.Len(t, tests, len(officialExpressions)+5) // per-1 twice: date-times and dates; ref-1 three times; cpb-15 and cpb-16 twice
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
		// CapabilityStatement's.
		"publication-status":        {"draft", "active", "retired", "unknown"},
		"capability-statement-kind": {"instance", "capability", "requirements"},
		"FHIR-version": {"0.01", "0.05", "0.06", "0.11", "0.0.80", "0.0.81", "0.0.82", "0.4.0", "0.5.0", "1.0.0", "1.0.1", "1.0.2",
			"1.1.0", "1.4.0", "1.6.0", "1.8.0", "3.0.0", "3.0.1", "3.3.0", "3.5.0", "4.0.0", "4.0.1"},
		"restful-capability-mode":   {"client", "server"},
		"versioning-policy":         {"no-version", "versioned", "versioned-update"},
		"conditional-read-status":   {"not-supported", "modified-since", "not-match", "full-support"},
		"conditional-delete-status": {"not-supported", "single", "multiple"},
		"reference-handling-policy": {"literal", "logical", "resolves", "enforced", "local"},
		"search-param-type":         {"number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"},
		"event-capability-mode":     {"sender", "receiver"},
		"document-mode":             {"producer", "consumer"},
		// The CodeSystem's whole value set (nested codes under history and
		// search), bound by none; the ValueSets of its codes for a type
		// and for the system list them.
		"restful-interaction": {"read", "vread", "update", "patch", "delete", "history", "history-instance", "history-type",
			"history-system", "create", "search", "search-type", "search-system", "capabilities", "transaction", "batch", "operation"},
		"type-restful-interaction":   {"read", "vread", "update", "patch", "delete", "history-instance", "history-type", "create", "search-type"},
		"system-restful-interaction": {"transaction", "batch", "search-system", "history-system"},
	}
	off, err := loadOfficial(v.defs.Types)
	require.NoError(t, err)
	require.Len(t, off.codes, len(want)+1) // and resource-types
	for id, codes := range want {
		u := "http://hl7.org/fhir/ValueSet/" + id
		require.Equal(t, codes, off.codes[u], id)
		require.Equal(t, codes, v.defs.Bindings[u], id)
	}
	// resource-types: the 148 codes of its CodeSystem (which names no
	// value set), through ValueSet-resource-types.
	types := v.defs.Bindings["http://hl7.org/fhir/ValueSet/resource-types"]
	require.Len(t, types, 148)
	require.Subset(t, types, []string{"Appointment", "AppointmentResponse", "Schedule", "Slot", "Bundle", "CapabilityStatement", "VisionPrescription"})
	require.NotContains(t, types, "Appointments")
	// mimetypes, all of BCP 13, is a grammar: RFC 6838 type/subtype with
	// RFC 2045 parameters.
	require.Equal(t, map[string]string{"http://hl7.org/fhir/ValueSet/mimetypes": "urn:ietf:bcp:13"}, off.grammars)
	for code, ok := range map[string]bool{"application/fhir+json": true, "application/fhir+xml": true, "text/turtle": true,
		"application/json; charset=utf-8": true, `text/plain;format="a b"`: true, "application/fhir+json;fhirVersion=4.0": true,
		"json": false, "application/": false, "/json": false, "application/fhir json": false, "application/json;": false, "": false} {
		require.Equal(t, ok, v.grammar["http://hl7.org/fhir/ValueSet/mimetypes"].MatchString(code), code)
	}
	// Every required binding of the resources is one of them, but the
	// whole restful-interaction, which none binds.
	require.Len(t, off.valueSets, len(want)+1)
	for _, u := range off.valueSets {
		require.NotEqual(t, "http://hl7.org/fhir/ValueSet/restful-interaction", u)
	}
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
