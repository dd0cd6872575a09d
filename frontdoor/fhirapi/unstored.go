package fhirapi

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// ignoredElement reports whether an element path of an incoming
// Appointment that the booking model does not hold is accepted without
// being stored: meta's versionId, lastUpdated, profile and source (the
// server writes its own meta; a security label or a tag is refused, as
// dropping one would lose what it says), the narrative (text, which the
// server does not render), contained resources and a participant actor's
// identifier and type (a Patient known by identifier or contained is
// resolved to the client).
func ignoredElement(path string) bool {
	for _, p := range []string{"meta.versionId", "meta.lastUpdated", "meta.profile", "meta.source", "meta._",
		"text", "_text", "contained", "participant.actor.identifier", "participant.actor.type"} {
		if path == p || strings.HasPrefix(path, p+".") || p == "meta._" && strings.HasPrefix(path, p) {
			return true
		}
	}
	return path == "meta" || path == "id" || path == "_id"
}

// refuseUnstored refuses an incoming Appointment, data as it came (field
// names it in errors), with an element the booking model does not hold,
// at any depth (comment, identifier, patientInstruction, a participant's
// type or period, an actor's display, a serviceType's text, a foreign
// extension and the like): the handler stores only what the booker
// holds, and a client must not be answered 200 or 201 for what it drops.
// An element is held when the appointment as stored (a, exported) has an
// element at the same path; a foreign extension (d.Extension, or one on
// status) is refused although its path is the library's own. The error
// names the first such element, in path order, and never its value.
func (h *Handler) refuseUnstored(field string, data []byte, a booking.Appointment, d fhir.Details) error {
	if len(d.Extension) > 0 {
		return carecontact.Invalid(carecontact.ErrInvalid, field+".extension", "is not stored by this server: only the library's and the Finnish Scheduling extensions are")
	}
	if len(d.StatusExtension) > 0 {
		return carecontact.Invalid(carecontact.ErrInvalid, field+"._status.extension", "is not stored by this server: only the Finnish Scheduling status extension is")
	}
	if a.ID == "" {
		a.ID = "new" // a create's: the booker names it
	}
	stored, err := h.cfg.Mapping.ExportAppointment(a, h.cfg.Calendars...)
	if err != nil {
		return err
	}
	in, out := map[string]bool{}, map[string]bool{}
	if err := elementPaths(data, in); err != nil {
		return carecontact.Invalid(carecontact.ErrInvalid, field, "is not a JSON object")
	}
	if err := elementPaths(stored, out); err != nil {
		return err
	}
	for _, p := range slices.Sorted(maps.Keys(in)) {
		if !out[p] && !ignoredElement(p) {
			return carecontact.Invalid(carecontact.ErrInvalid, field+"."+p, "is not stored by this server (the booking model does not hold it): leave it out")
		}
	}
	return nil
}

// elementPaths adds to paths the dotted path of every element of the JSON
// resource data ("participant.actor.display"; array positions left out),
// resourceType left out.
func elementPaths(data []byte, paths map[string]bool) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if prefix == "" && k == "resourceType" {
					continue
				}
				p := k
				if prefix != "" {
					p = prefix + "." + k
				}
				paths[p] = true
				walk(p, e)
			}
		case []any:
			for _, e := range x {
				walk(prefix, e)
			}
		}
	}
	walk("", v)
	return nil
}

// transactionAppointment returns the Appointment resource of a
// transaction Bundle (ImportBookingTransaction found exactly one).
func transactionAppointment(bundle []byte) []byte {
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if json.Unmarshal(bundle, &b) != nil {
		return nil
	}
	for _, e := range b.Entry {
		var head struct{ ResourceType string }
		if json.Unmarshal(e.Resource, &head) == nil && head.ResourceType == "Appointment" {
			return e.Resource
		}
	}
	return nil
}
