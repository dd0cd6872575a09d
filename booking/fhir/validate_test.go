package fhir

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/fhirvalidate"
)

// newValidator is the structural validator (internal/fhirvalidate) with
// this package's extension definitions.
func newValidator(t *testing.T) *fhirvalidate.Validator {
	t.Helper()
	v, err := fhirvalidate.New(ExtensionDefinitions(), ExtensionBase, NationalStatusExtension)
	require.NoError(t, err)
	return v
}

// TestValidatorFindsProblems checks the validator itself on resources that
// break one rule each.
func TestValidatorFindsProblems(t *testing.T) {
	v := newValidator(t)
	good := appointmentHead + `{"actor":{"reference":"Patient/c"},"status":"accepted"},{"actor":{"reference":"Practitioner/n"},"status":"accepted"}]}`
	require.Empty(t, v.Validate([]byte(good)))
	tests := []struct {
		name string
		data string
		want string
	}{
		{"unknown element", strings.Replace(good, `"status":"booked"`, `"status":"booked","colour":"red"`, 1), "colour: not an element"},
		{"status not bound", strings.Replace(good, `"status":"booked"`, `"status":"done"`, 1), "ValueSet/appointmentstatus"},
		{"participant status not bound", strings.Replace(good, `"status":"accepted"}]`, `"status":"ok"}]`, 1), "ValueSet/participationstatus"},
		{"app-1", strings.Replace(good, `{"actor":{"reference":"Practitioner/n"},"status":"accepted"}`, `{"status":"accepted"}`, 1), "app-1"},
		{"app-2", strings.Replace(good, `"end":"2026-12-08T07:30:00Z",`, ``, 1), "app-2"},
		{"app-3", strings.Replace(strings.Replace(good, `"end":"2026-12-08T07:30:00Z",`, ``, 1), `"start":"2026-12-08T07:00:00Z",`, ``, 1), "app-3"},
		{"app-4", strings.Replace(good, `"status":"booked"`, `"status":"booked","cancelationReason":{"text":"x"}`, 1), "app-4"},
		{"zero instant", strings.Replace(good, `2026-12-08T07:00:00Z`, `0001-01-01T00:00:00Z`, 1), "zero time"},
		{"instant without zone", strings.Replace(good, `2026-12-08T07:00:00Z`, `2026-12-08T07:00:00`, 1), "not a valid instant"},
		{"bad id", strings.Replace(good, `"id":"a1"`, `"id":"hki_nurse_1"`, 1), "not a valid id"},
		{"reference target", strings.Replace(good, `Practitioner/n`, `Schedule/n`, 1), "reference to Schedule"},
		{"participant not an array", `{"resourceType":"Appointment","id":"a","status":"proposed","participant":{"actor":{"reference":"Patient/c"},"status":"accepted"}}`, "want an array"},
		{"boolean as string", strings.Replace(good, `"status":"booked"`, `"status":"booked","extension":[{"url":"`+ExtensionBase+`late-cancellation","valueString":"true"}]`, 1), "wants valueBoolean"},
		{"extension without definition", strings.Replace(good, `"status":"booked"`, `"status":"booked","extension":[{"url":"`+ExtensionBase+`colour","valueString":"red"}]`, 1), "no StructureDefinition"},
		{"extension out of context", strings.Replace(good, `"status":"booked"`, `"status":"booked","extension":[{"url":"`+ExtensionBase+`service-area","valueString":"north"}]`, 1), "contexts are"},
		{"extension without value (ext-1)", strings.Replace(good, `"status":"booked"`, `"status":"booked","extension":[{"url":"x"}]`, 1), "ext-1"},
		{"schedule actor CareTeam", `{"resourceType":"Schedule","id":"s","actor":[{"reference":"CareTeam/t"}]}`, "reference to CareTeam"},
		{"slot without start", `{"resourceType":"Slot","id":"s","schedule":{"reference":"Schedule/s"},"status":"free","end":"2026-12-08T07:00:00Z"}`, "start: required"},
		{"bundle entry resource checked", `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Slot","id":"s"},"search":{"mode":"match"}}]}`, "Bundle.entry[0].resource/Slot: schedule: required"},
		{"transaction without request (bdl-3)", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Schedule","id":"s","actor":[{"reference":"Location/l"}]}}]}`, "bdl-3"},
		{"total in a transaction (bdl-1)", `{"resourceType":"Bundle","type":"transaction","total":0}`, "bdl-1"},
		{"bad HTTP verb", `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"SEND","url":"Slot/s"}}]}`, "ValueSet/http-verb"},
		{"bundle text", `{"resourceType":"Bundle","type":"collection","text":{"status":"generated","div":"<div>x</div>"}}`, "text: not an element"},
		{"outcome code", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"oops"}]}`, "ValueSet/issue-type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			problems := v.Validate([]byte(tc.data))
			require.NotEmpty(t, problems)
			require.Contains(t, strings.Join(problems, "\n"), tc.want)
		})
	}
}
