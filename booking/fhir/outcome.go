package fhir

import (
	"encoding/json"
	"errors"
	"net/http"

	carecontact "github.com/carecontact/carecontact"
)

// Outcome is a FHIR R4 OperationOutcome.
type Outcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is one OperationOutcome.issue: severity and code (required
// bindings IssueSeverity and IssueType), diagnostics and the FHIRPath
// expression of the element at fault.
type OutcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Expression  []string `json:"expression,omitempty"`
}

// outcomeKinds maps the library's root error kinds to an IssueType code
// and an HTTP status, in the order they are tried.
var outcomeKinds = []struct {
	kind   error
	code   string
	status int
}{
	{carecontact.ErrNotFound, "not-found", http.StatusNotFound},
	{carecontact.ErrConflict, "conflict", http.StatusConflict},
	{carecontact.ErrNotAllowed, "forbidden", http.StatusForbidden},
	{carecontact.ErrIllegalTransition, "business-rule", http.StatusUnprocessableEntity},
	{carecontact.ErrUnavailable, "transient", http.StatusServiceUnavailable},
	{carecontact.ErrInvalid, "invalid", http.StatusBadRequest},
}

// OperationOutcome returns err as a FHIR R4 OperationOutcome and the HTTP
// status that goes with it. An *Error (bad FHIR input, including a
// resource the booking model cannot hold) is an "invalid" issue (or
// "required" for a missing element) whose expression is the element at
// fault, with status 400. The library's other error kinds map to
// not-found (404), conflict (409), forbidden (403), business-rule (422),
// transient (503) and invalid (400). Any other error is an "exception"
// with status 500 whose text is left out, as it may come from anywhere.
func OperationOutcome(err error) ([]byte, int) {
	issue, status := outcomeIssue(err)
	out, merr := json.Marshal(Outcome{ResourceType: "OperationOutcome", Issue: []OutcomeIssue{issue}})
	if merr != nil {
		return []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"}]}`), http.StatusInternalServerError
	}
	return out, status
}

func outcomeIssue(err error) (OutcomeIssue, int) {
	var fe *Error
	if errors.As(err, &fe) {
		code := "invalid"
		if fe.Reason == "is required" || fe.Reason == "is empty" {
			code = "required"
		}
		return OutcomeIssue{Severity: "error", Code: code, Diagnostics: fe.Error(), Expression: []string{fe.Field}}, http.StatusBadRequest
	}
	for _, k := range outcomeKinds {
		if errors.Is(err, k.kind) {
			issue := OutcomeIssue{Severity: "error", Code: k.code, Diagnostics: err.Error()}
			var cf *carecontact.FieldError
			if errors.As(err, &cf) && cf.Field != "" {
				issue.Expression = []string{cf.Field}
			}
			return issue, k.status
		}
	}
	return OutcomeIssue{Severity: "fatal", Code: "exception", Diagnostics: "internal error"}, http.StatusInternalServerError
}
