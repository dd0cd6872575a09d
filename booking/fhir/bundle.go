package fhir

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact/booking"
)

type bundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource"`
	Search   *bundleSearch   `json:"search,omitempty"`
	Request  *bundleRequest  `json:"request,omitempty"`
}

type bundleSearch struct {
	Mode string `json:"mode"`
}

type bundleRequest struct {
	Method  string `json:"method"`
	URL     string `json:"url"`
	IfMatch string `json:"ifMatch,omitempty"`
}

type bundle struct {
	ResourceType string        `json:"resourceType"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Entry        []bundleEntry `json:"entry,omitempty"`
}

// head reads a resource's type and id.
func head(field string, data []byte) (typ, id string, err error) {
	var h struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(data, &h); err != nil || h.ResourceType == "" {
		return "", "", fhirErr(field, "not a FHIR resource")
	}
	if !validID(h.ID) {
		return "", "", fhirErr(field+".id", "is not a FHIR id")
	}
	return h.ResourceType, h.ID, nil
}

// SearchsetBundle returns a FHIR R4 Bundle of type searchset with the
// resources as matches and their number as total. With an absolute base
// URL each entry's fullUrl is base/Type/id; with an empty base there is
// none. A resource (type and id) may be in it once (R4 invariant bdl-7).
func SearchsetBundle(base string, resources ...[]byte) ([]byte, error) {
	if base != "" {
		if u, err := url.Parse(base); err != nil || !u.IsAbs() {
			return nil, fhirErr("Bundle.entry.fullUrl", "base: want an absolute URL")
		}
		base = strings.TrimSuffix(base, "/")
	}
	n := len(resources)
	b := bundle{ResourceType: "Bundle", Type: "searchset", Total: &n}
	seen := map[string]bool{}
	for i, res := range resources {
		typ, id, err := head(fmt.Sprintf("Bundle.entry[%d].resource", i), res)
		if err != nil {
			return nil, err
		}
		if seen[typ+"/"+id] { // two entries with one fullUrl (bdl-7)
			return nil, fhirErr(fmt.Sprintf("Bundle.entry[%d].resource.id", i), "is already in the bundle")
		}
		seen[typ+"/"+id] = true
		e := bundleEntry{Resource: res, Search: &bundleSearch{Mode: "match"}}
		if base != "" {
			e.FullURL = base + "/" + typ + "/" + id
		}
		b.Entry = append(b.Entry, e)
	}
	return json.Marshal(b)
}

// ExportBookingTransaction returns a FHIR R4 transaction Bundle that
// stores a booking change in another system in one step: the appointment
// (PUT Appointment/id, with If-Match on the version it replaces when
// a.Version is above 1), the slots it takes as busy and the slots it frees
// (a cancellation or the old time of a reschedule) as free, each a PUT of
// the Slot.
func (f *Mapping) ExportBookingTransaction(a booking.Appointment, taken, freed []booking.Slot, owners ...booking.Calendar) ([]byte, error) {
	appt, err := f.ExportAppointment(a, owners...)
	if err != nil {
		return nil, err
	}
	if a.Version > 0 {
		if appt, err = SetVersionID(appt, a.Version); err != nil {
			return nil, err
		}
	}
	_, id, err := head("Bundle.entry[0].resource", appt)
	if err != nil {
		return nil, err
	}
	req := &bundleRequest{Method: "PUT", URL: "Appointment/" + id}
	if a.Version > 1 {
		req.IfMatch = `W/"` + strconv.Itoa(a.Version-1) + `"`
	}
	b := bundle{ResourceType: "Bundle", Type: "transaction", Entry: []bundleEntry{{Resource: appt, Request: req}}}
	add := func(s booking.Slot, st SlotStatus) error {
		data, err := f.ExportSlot(s, st)
		if err != nil {
			return err
		}
		_, id, err := head(fmt.Sprintf("Bundle.entry[%d].resource", len(b.Entry)), data)
		if err != nil {
			return err
		}
		b.Entry = append(b.Entry, bundleEntry{Resource: data, Request: &bundleRequest{Method: "PUT", URL: "Slot/" + id}})
		return nil
	}
	for _, s := range taken {
		if err := add(s, SlotBusy); err != nil {
			return nil, err
		}
	}
	for _, s := range freed {
		if err := add(s, SlotFree); err != nil {
			return nil, err
		}
	}
	return json.Marshal(b)
}

// ExportBookingTransaction is the Mapping method with the package defaults.
func ExportBookingTransaction(a booking.Appointment, taken, freed []booking.Slot, owners ...booking.Calendar) ([]byte, error) {
	return defaultMapping.ExportBookingTransaction(a, taken, freed, owners...)
}
