package fhirapi

import (
	"maps"
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking/fhir"
)

// ignoredElement reports whether an Appointment element the booking model
// does not hold is accepted without being stored: meta (the server writes
// its own), the narrative (text, which the server does not render) and
// contained resources (a contained Patient is resolved to the client).
func ignoredElement(name string) bool {
	switch name {
	case "meta", "text", "contained":
		return true
	}
	return false
}

// refuseUnstored refuses an incoming Appointment (field names it) with an
// element or an extension the booking model does not hold (comment,
// identifier, patientInstruction, a foreign extension and the like): the
// handler stores only what the booker holds, and a client must not believe
// it stored what it would drop. The error names the first such element, in
// name order, and never its value.
func refuseUnstored(field string, d fhir.Details) error {
	for _, k := range slices.Sorted(maps.Keys(d.Elements)) {
		if !ignoredElement(k) {
			return carecontact.Invalid(carecontact.ErrInvalid, field+"."+k, "is not stored by this server (the booking model does not hold it): leave it out")
		}
	}
	if len(d.Extension) > 0 {
		return carecontact.Invalid(carecontact.ErrInvalid, field+".extension", "is not stored by this server: only the library's and the Finnish Scheduling extensions are")
	}
	return nil
}
