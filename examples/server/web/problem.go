package web

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/carecontact/carecontact"
)

// Problem is an RFC 9457 problem details object.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Field names the request field at fault, for invalid input.
	Field string `json:"field,omitempty"`
}

// kindName names the root kinds in problem types.
func kindName(err error) string {
	switch carecontact.KindOf(err) {
	case carecontact.ErrInvalid:
		return "invalid"
	case carecontact.ErrNotFound:
		return "not-found"
	case carecontact.ErrConflict:
		return "conflict"
	case carecontact.ErrNotAllowed:
		return "not-allowed"
	case carecontact.ErrIllegalTransition:
		return "illegal-transition"
	case carecontact.ErrUnavailable:
		return "unavailable"
	}
	return "internal"
}

// problemOf maps err to a problem: the status of its root kind, and the
// error's text as detail (the library's errors carry no personal data);
// an error of no kind is an internal error whose text is not shown.
func problemOf(err error) Problem {
	status := carecontact.HTTPStatus(err)
	p := Problem{Type: "/problems/" + kindName(err), Title: http.StatusText(status), Status: status}
	if status != http.StatusInternalServerError {
		p.Detail = err.Error()
	}
	var fe *carecontact.FieldError
	if errors.As(err, &fe) {
		p.Field = fe.Field
	}
	return p
}

func writeProblem(w http.ResponseWriter, p Problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
