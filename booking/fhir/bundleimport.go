package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// BundleEntry is one entry of an imported Bundle, read by the importer of
// its resource type (ImportSchedule, ImportSlotDetails,
// ImportAppointmentDetails, ImportAppointmentResponse). Exactly one of
// Schedule, Slot, Appointment, Response and Outcome is set.
type BundleEntry struct {
	// FullURL is the entry's fullUrl as it came, "" when it has none.
	FullURL string
	// Request is the entry's request (a transaction's), nil in a searchset.
	Request *EntryRequest
	// Mode is the entry's search.mode in a searchset ("match", "include"
	// or "outcome"; "" when it has none).
	Mode string
	// Schedule is a Schedule entry.
	Schedule *ScheduleInfo
	// Slot is a Slot entry.
	Slot *SlotEntry
	// Appointment is an Appointment entry.
	Appointment *AppointmentEntry
	// Response is an AppointmentResponse entry.
	Response *Response
	// Outcome is an OperationOutcome entry (a searchset's warnings), as it
	// came; the library has no model of it.
	Outcome json.RawMessage
	// Patient is a transaction's Patient entry (see PatientEntry).
	Patient *PatientEntry
}

// PatientEntry is a Patient a transaction gives for its Appointment to
// refer to: a participant's actor reference to the entry's fullUrl
// ("urn:uuid:...", as R4 transaction processing resolves it) is the
// client the Patient stands for. The library keeps no Patients: the entry
// is the client of its PUT Patient/id, else the client its identifier (of
// PersonalIdentitySystem first) resolves to through
// Config.ClientByIdentifier. Its identifiers are not kept, and never
// appear in an error.
type PatientEntry struct {
	// Client is the client the Patient is; empty when neither the
	// request's id nor the host resolves it (the appointment then has no
	// Client, as for a Patient participant known by identifier only).
	Client carecontact.ClientRef
}

// EntryRequest is the request of a transaction entry.
type EntryRequest struct {
	// Method is the HTTP verb: PUT, POST or DELETE.
	Method string
	// URL is the request's url as it came, e.g. "Slot/s1".
	URL string
	// IfMatch is the request's ifMatch as it came, e.g. `W/"3"`.
	IfMatch string
}

// SlotEntry is a Slot read from a Bundle.
type SlotEntry struct {
	// Slot is the slot.
	Slot booking.Slot
	// Status is its FHIR status.
	Status SlotStatus
	// Details are the elements the booking model does not hold.
	Details SlotDetails
}

// AppointmentEntry is an Appointment read from a Bundle.
type AppointmentEntry struct {
	// Appointment is the appointment; its Version is meta.versionId when
	// the resource has one.
	Appointment booking.Appointment
	// Details are the elements the booking model does not hold.
	Details Details
}

type importedBundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
		Request *struct {
			Method  string `json:"method"`
			URL     string `json:"url"`
			IfMatch string `json:"ifMatch"`
		} `json:"request"`
		Response json.RawMessage `json:"response"`
	} `json:"entry"`
}

// maxBundleEntries bounds the entries of an imported Bundle.
const maxBundleEntries = 10000

// ImportSearchset reads a FHIR R4 Bundle of type searchset, as
// SearchsetBundle or another system writes it: each entry's resource
// through the importer of its type, in the order of the bundle. An entry
// with a request or response, a resource of another type or a resource
// the importer refuses is an error naming the entry's element
// ("Bundle.entry[2].resource.schedule.reference").
func (f *Mapping) ImportSearchset(data []byte) ([]BundleEntry, error) {
	return f.importBundle(data, "searchset")
}

// ImportSearchset is the Mapping method with the package defaults.
func ImportSearchset(data []byte) ([]BundleEntry, error) {
	return defaultMapping.ImportSearchset(data)
}

// ImportTransaction reads a FHIR R4 Bundle of type transaction: each
// entry's resource through the importer of its type, with its request.
// Each entry has a request (R4 invariant bdl-3); a PUT's url is
// "Type/id" of its resource, a POST's "Type", a DELETE's "Type/id" without
// a resource; If-Match is kept as it came. ImportBookingTransaction reads
// one as a booking change.
func (f *Mapping) ImportTransaction(data []byte) ([]BundleEntry, error) {
	return f.importBundle(data, "transaction")
}

// ImportTransaction is the Mapping method with the package defaults.
func ImportTransaction(data []byte) ([]BundleEntry, error) {
	return defaultMapping.ImportTransaction(data)
}

func (f *Mapping) importBundle(data []byte, want string) ([]BundleEntry, error) {
	if !utf8.Valid(data) {
		return nil, fhirErr("Bundle", "not valid UTF-8")
	}
	var b importedBundle
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&b); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return nil, fhirErr("Bundle."+te.Field, "want a JSON %s, got %s", te.Type, te.Value)
		}
		return nil, fhirErr("Bundle", "not a JSON resource: %v", err)
	}
	if dec.More() {
		return nil, fhirErr("Bundle", "data after the resource")
	}
	switch {
	case b.ResourceType != "Bundle":
		return nil, fhirErr("Bundle.resourceType", "got %q", b.ResourceType)
	case b.Type != want:
		return nil, fhirErr("Bundle.type", "want %s, got %q", want, b.Type)
	case len(b.Entry) > maxBundleEntries:
		return nil, fhirErr("Bundle.entry", "%d entries: at most %d", len(b.Entry), maxBundleEntries)
	}
	// A transaction's Patient entries first: an Appointment entry's
	// participant may refer to one that comes after it.
	patients := contained{}
	byIndex := map[int]*PatientEntry{}
	for i, e := range b.Entry {
		field := fmt.Sprintf("Bundle.entry[%d]", i)
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if want != "transaction" || e.Request == nil || json.Unmarshal(e.Resource, &head) != nil || head.ResourceType != "Patient" {
			continue
		}
		pe, err := f.importPatientEntry(field, e.Resource, e.Request.Method, e.Request.URL)
		if err != nil {
			return nil, err
		}
		byIndex[i] = pe
		if e.FullURL == "" {
			continue
		}
		if _, dup := patients[e.FullURL]; dup {
			return nil, fhirErr(field+".fullUrl", "a second entry with this fullUrl (bdl-7)")
		}
		patients[e.FullURL] = containedResource{ResourceType: "Patient", ID: string(pe.Client)}
	}
	out := make([]BundleEntry, 0, len(b.Entry))
	for i, e := range b.Entry {
		field := fmt.Sprintf("Bundle.entry[%d]", i)
		be := BundleEntry{FullURL: e.FullURL}
		if e.Response != nil {
			return nil, fhirErr(field+".response", "only in a response bundle (bdl-4)")
		}
		if e.Search != nil {
			if want != "searchset" {
				return nil, fhirErr(field+".search", "only in a searchset (bdl-2)")
			}
			be.Mode = e.Search.Mode
		}
		if want == "transaction" {
			if e.Request == nil {
				return nil, fhirErr(field+".request", "is required in a transaction (bdl-3)")
			}
			be.Request = &EntryRequest{Method: e.Request.Method, URL: e.Request.URL, IfMatch: e.Request.IfMatch}
		} else if e.Request != nil {
			return nil, fhirErr(field+".request", "only in a batch, transaction or history (bdl-3)")
		}
		if strings.Contains(e.FullURL, "/_history/") {
			return nil, fhirErr(field+".fullUrl", "is a version-specific reference (bdl-8)")
		}
		if len(e.Resource) == 0 || string(e.Resource) == "null" {
			if be.Request != nil && be.Request.Method == "DELETE" {
				if _, _, err := requestTarget(field+".request.url", be.Request.URL, true); err != nil {
					return nil, err
				}
				out = append(out, be)
				continue
			}
			return nil, fhirErr(field+".resource", "is required")
		}
		var typ string
		var err error
		if pe := byIndex[i]; pe != nil {
			typ, be.Patient = "Patient", pe
		} else if typ, err = f.importEntry(&be, e.Resource, patients); err != nil {
			return nil, entryErr(field+".resource", err)
		}
		if be.Request != nil {
			if err := checkRequest(field, be.Request, typ, e.Resource); err != nil {
				return nil, err
			}
		}
		out = append(out, be)
	}
	return out, nil
}

// importEntry reads res into be with the importer of its type and
// returns the type.
// A participant's "urn:uuid:" reference to one of patients (by fullUrl)
// is that Patient entry's client.
func (f *Mapping) importEntry(be *BundleEntry, res json.RawMessage, patients contained) (string, error) {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(res, &head); err != nil {
		return "", fhirErr("Resource", "not a JSON resource")
	}
	var err error
	switch head.ResourceType {
	case "Schedule":
		var info ScheduleInfo
		info, err = ImportSchedule(res)
		be.Schedule = &info
	case "Slot":
		var s SlotEntry
		s.Slot, s.Status, s.Details, err = f.ImportSlotDetails(res)
		be.Slot = &s
	case "Appointment":
		var a AppointmentEntry
		if a.Appointment, a.Details, err = f.importAppointmentIn(res, patients); err == nil {
			a.Appointment.Version, err = versionOf("Appointment", res, a.Appointment.Version)
		}
		be.Appointment = &a
	case "AppointmentResponse":
		var r Response
		r, err = f.ImportAppointmentResponse(res)
		be.Response = &r
	case "OperationOutcome":
		if be.Mode != "outcome" {
			return "", fhirErr("OperationOutcome", "only as a searchset entry of mode outcome")
		}
		be.Outcome = append(json.RawMessage(nil), res...)
	default:
		return "", fhirErr("Resource.resourceType", "%q: want Schedule, Slot, Appointment or AppointmentResponse (or a transaction's Patient)", head.ResourceType)
	}
	return head.ResourceType, err
}

// importPatientEntry reads a transaction's Patient entry (field) with
// its request's method and url: a POST "Patient" or a PUT "Patient/id". The
// client is the PUT's id, else the one the host resolves its identifier
// to. Neither the identifier nor the url is quoted in an error.
func (f *Mapping) importPatientEntry(field string, res json.RawMessage, method, url string) (*PatientEntry, error) {
	if err := localReferences("Patient", res); err != nil {
		return nil, entryErr(field+".resource", err)
	}
	var p struct {
		ID                string            `json:"id"`
		Identifier        []Identifier      `json:"identifier"`
		ModifierExtension []json.RawMessage `json:"modifierExtension"`
	}
	if err := json.Unmarshal(res, &p); err != nil {
		return nil, fhirErr(field+".resource", "not a Patient resource")
	}
	if len(p.ModifierExtension) > 0 {
		return nil, fhirErr(field+".resource.modifierExtension", "is not understood by this mapping")
	}
	switch method {
	case "POST", "PUT":
	default:
		return nil, fhirErr(field+".request.method", "a Patient entry is a POST or a PUT")
	}
	typ, id, err := requestTarget(field+".request.url", url, method == "PUT")
	if err != nil {
		return nil, err
	}
	if typ != "Patient" {
		return nil, fhirErr(field+".request.url", "is not a Patient")
	}
	pe := &PatientEntry{}
	if method == "PUT" {
		if p.ID != id {
			return nil, fhirErr(field+".request.url", "does not name the resource's id")
		}
		raw, err := importID(field+".request.url", id)
		if err != nil {
			return nil, err
		}
		pe.Client = carecontact.ClientRef(raw)
		return pe, nil
	}
	var ident *Identifier
	for i := range p.Identifier {
		if p.Identifier[i].System == PersonalIdentitySystem {
			ident = &p.Identifier[i]
			break
		}
	}
	if ident == nil && len(p.Identifier) > 0 {
		ident = &p.Identifier[0]
	}
	if pe.Client, err = f.resolveClient(field+".resource.identifier", ident); err != nil {
		return nil, err
	}
	return pe, nil
}

// versionOf reads meta.versionId of res ("1", "2", ...); def when it has
// none.
func versionOf(typ string, res json.RawMessage, def int) (int, error) {
	var m struct {
		Meta *struct {
			VersionID *string `json:"versionId"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(res, &m); err != nil {
		return 0, fhirErr(typ+".meta", "not a JSON object")
	}
	if m.Meta == nil || m.Meta.VersionID == nil {
		return def, nil
	}
	n, err := strconv.Atoi(*m.Meta.VersionID)
	if err != nil || n < 1 || strconv.Itoa(n) != *m.Meta.VersionID {
		return 0, fhirErr(typ+".meta.versionId", "want the store's version, 1 or more")
	}
	return n, nil
}

// entryErr moves an importer's error under the entry: the field
// "Slot.schedule.reference" of entry 2 becomes
// "Bundle.entry[2].resource.schedule.reference".
func entryErr(field string, err error) error {
	var fe *Error
	if !errors.As(err, &fe) {
		return fmt.Errorf("%s: %w", field, err)
	}
	rest := fe.Field
	if i := strings.IndexByte(rest, '.'); i >= 0 && !strings.Contains(rest[:i], "[") {
		rest = rest[i:]
	} else {
		rest = ""
	}
	return &Error{Field: clip(field + rest), Reason: fe.Reason}
}

// targetRef is the url of a request: Type, or Type/id (relative, as R4
// writes a transaction's).
var targetRef = regexp.MustCompile(`^([A-Z][A-Za-z]+)(?:/([A-Za-z0-9\-.]{1,64}))?$`)

// requestTarget reads a request url; withID says whether it must name the
// resource.
func requestTarget(field, u string, withID bool) (typ, id string, err error) {
	m := targetRef.FindStringSubmatch(u)
	switch {
	case m == nil:
		return "", "", fhirErr(field, "want Type or Type/id")
	case withID && m[2] == "":
		return "", "", fhirErr(field, "want Type/id")
	case !withID && m[2] != "":
		return "", "", fhirErr(field, "a create names only the type")
	}
	return m[1], m[2], nil
}

// checkRequest checks an entry's request against its resource.
func checkRequest(field string, r *EntryRequest, typ string, res json.RawMessage) error {
	switch r.Method {
	case "PUT", "POST":
	case "DELETE":
		return fhirErr(field+".resource", "a DELETE has none")
	default:
		return fhirErr(field+".request.method", "%q: want PUT, POST or DELETE", r.Method)
	}
	utyp, uid, err := requestTarget(field+".request.url", r.URL, r.Method == "PUT")
	if err != nil {
		return err
	}
	if utyp != typ {
		return fhirErr(field+".request.url", "is not a %s", typ)
	}
	if r.Method == "PUT" {
		var h struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(res, &h)
		if h.ID == "" {
			return fhirErr(field+".resource.id", "is required by a PUT (update): a resource without one is a POST (create)")
		}
		if h.ID != uid {
			return fhirErr(field+".request.url", "does not name the resource's id")
		}
	}
	if r.IfMatch != "" && !anyIfMatch(r.IfMatch) {
		if _, err := weakVersion(field+".request.ifMatch", r.IfMatch); err != nil {
			return err
		}
	}
	return nil
}

// weakVersion reads an ETag of the store's version: W/"3" (or "3").
func weakVersion(field, tag string) (int, error) {
	s := strings.TrimPrefix(tag, "W/")
	if len(s) < 3 || s[0] != '"' || s[len(s)-1] != '"' {
		return 0, fhirErr(field, "want W/\"version\"")
	}
	n, err := strconv.Atoi(s[1 : len(s)-1])
	if err != nil || n < 1 || strconv.Itoa(n) != s[1:len(s)-1] {
		return 0, fhirErr(field, "want W/\"version\" of 1 or more")
	}
	return n, nil
}

// BookingChange is a booking with its slot changes, read from a
// transaction Bundle as ExportBookingTransaction writes it.
type BookingChange struct {
	// Appointment is the booking; its Version is meta.versionId when the
	// resource has one.
	Appointment booking.Appointment
	// Details are the appointment's elements the booking model does not
	// hold.
	Details Details
	// Replaces is the version the change replaces (the If-Match of the
	// appointment's PUT); 0 when the request has none (a new booking),
	// AnyVersion for ifMatch "*" (the appointment must exist, at whatever
	// version is current).
	Replaces int
	// Taken are the slots the booking takes (PUT with status busy).
	Taken []booking.Slot
	// Freed are the slots it frees (PUT with status free): a cancellation,
	// or the old time of a reschedule.
	Freed []booking.Slot
}

// ImportBookingTransaction reads a transaction Bundle that stores a
// booking change: exactly one Appointment, PUT to Appointment/id, and
// Slots, each PUT to Slot/id with status busy (taken) or free (freed).
// When the appointment has meta.versionId and its request an If-Match,
// the If-Match is the version before it (the version the change makes, as
// ExportBookingTransaction writes it) or the same (the version read, as a
// FHIR client sends back the resource it read). Errors name the entry's
// element.
func (f *Mapping) ImportBookingTransaction(data []byte) (BookingChange, error) {
	entries, err := f.ImportTransaction(data)
	if err != nil {
		return BookingChange{}, err
	}
	var c BookingChange
	found := false
	for i, e := range entries {
		field := fmt.Sprintf("Bundle.entry[%d]", i)
		if e.Patient != nil {
			// The client the Appointment refers to; it changes nothing.
			continue
		}
		if e.Request.Method != "PUT" && e.Request.Method != "POST" {
			return BookingChange{}, fhirErr(field+".request.method", "a booking change is PUTs and POSTs, not %s", e.Request.Method)
		}
		if e.Request.Method == "POST" && e.Request.IfMatch != "" {
			return BookingChange{}, fhirErr(field+".request.ifMatch", "a POST creates: it has no If-Match")
		}
		switch {
		case e.Appointment != nil:
			if found {
				return BookingChange{}, fhirErr(field+".resource", "a second Appointment: a booking change has one")
			}
			found = true
			c.Appointment, c.Details = e.Appointment.Appointment, e.Appointment.Details
			if anyIfMatch(e.Request.IfMatch) {
				c.Replaces = AnyVersion
			} else if e.Request.IfMatch != "" {
				if c.Replaces, err = weakVersion(field+".request.ifMatch", e.Request.IfMatch); err != nil {
					return BookingChange{}, err
				}
				// meta.versionId is the version the change makes (as
				// ExportBookingTransaction writes it) or the one read (as a
				// FHIR client sends back the resource it read).
				if v := c.Appointment.Version; v > 1 && c.Replaces != v-1 && c.Replaces != v {
					return BookingChange{}, fhirErr(field+".request.ifMatch", "%s: version %d replaces %d, or is the one read", e.Request.IfMatch, v, v-1)
				}
			}
		case e.Slot != nil:
			switch e.Slot.Status {
			case SlotBusy:
				c.Taken = append(c.Taken, e.Slot.Slot)
			case SlotFree:
				c.Freed = append(c.Freed, e.Slot.Slot)
			default:
				return BookingChange{}, fhirErr(field+".resource.status", "%q: a booking change takes (busy) or frees (free) a slot", e.Slot.Status)
			}
		default:
			return BookingChange{}, fhirErr(field+".resource", "a booking change has an Appointment and Slots")
		}
	}
	if !found {
		return BookingChange{}, fhirErr("Bundle.entry", "no Appointment")
	}
	return c, nil
}

// ImportBookingTransaction is the Mapping method with the package
// defaults.
func ImportBookingTransaction(data []byte) (BookingChange, error) {
	return defaultMapping.ImportBookingTransaction(data)
}

// AnyVersion is BookingChange.Replaces for an ifMatch of "*", which (RFC
// 9110 13.1.1) matches whatever version is current: the appointment must
// exist.
const AnyVersion = -1

// anyIfMatch reports whether an ifMatch is "*".
func anyIfMatch(s string) bool { return strings.TrimSpace(s) == "*" }
