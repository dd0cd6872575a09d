package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

type fhirWait struct {
	ResourceType    string            `json:"resourceType"`
	ID              string            `json:"id"`
	Extension       []fhirExtension   `json:"extension,omitempty"`
	Status          string            `json:"status"`
	StatusElement   *primitiveElement `json:"_status,omitempty"`
	ServiceType     []Concept         `json:"serviceType,omitempty"`
	Created         string            `json:"created,omitempty"`
	Participant     []fhirParticipant `json:"participant"`
	RequestedPeriod []Period          `json:"requestedPeriod,omitempty"`
}

// ExportWaitEntry writes a waitlist entry as a FHIR R4 Appointment with
// status waitlist and no times: the client is the one participant (R4
// requires one, and a waitlist entry has no calendar yet), the window the
// client wants is requestedPeriod, the time they joined is created, and the
// national status is 1 Suunniteltu.
func ExportWaitEntry(w booking.WaitEntry) ([]byte, error) {
	return defaultMapping.ExportWaitEntryDetails(w, WaitDetails{})
}

// WaitDetails are what a waitlist Appointment has that booking.WaitEntry
// does not hold.
type WaitDetails struct {
	// CreatedPrecision is the precision of Appointment.created (a date
	// only, say); the zero value is a full instant.
	CreatedPrecision Precision
	// ServiceType are the serviceType concepts without this library's own
	// service coding (a THL coding the host mapped, say), as they came.
	ServiceType []Concept
}

// ExportWaitEntryDetails is ExportWaitEntry with f's service mapping and
// the details booking.WaitEntry does not hold: created at its precision
// and the foreign serviceType codings (a coding the host mapped to the
// entry's service stands for it, as for appointments).
func (f *Mapping) ExportWaitEntryDetails(w booking.WaitEntry, d WaitDetails) ([]byte, error) {
	if w.ID == "" || w.Client == "" || w.Area == "" || w.Service == "" {
		return nil, fmt.Errorf("%w: wait entry needs id, client, area and service", booking.ErrInvalid)
	}
	id, err := exportID("Appointment.id", w.ID)
	if err != nil {
		return nil, err
	}
	patient, err := reference("Appointment.participant[0].actor.reference", "Patient", w.Client)
	if err != nil {
		return nil, err
	}
	services, err := f.serviceTypes("Appointment.serviceType", w.Area, w.Service, d.ServiceType)
	if err != nil {
		return nil, err
	}
	r := fhirWait{ResourceType: "Appointment", ID: id, Status: string(booking.StatusWaitlist),
		ServiceType: services,
		Participant: []fhirParticipant{{Actor: patient, Required: string(Required), Status: string(ParticipantAccepted)}}}
	if r.StatusElement, err = statusElement(booking.StatusWaitlist, Details{}); err != nil {
		return nil, err
	}
	if !w.Since.IsZero() {
		if r.Created, err = formatDateTime("Appointment.created", w.Since, d.CreatedPrecision); err != nil {
			return nil, err
		}
	}
	switch {
	case !w.Window.Start.IsZero() && !w.Window.End.IsZero():
		if !w.Window.Start.Before(w.Window.End) {
			return nil, fhirErr("Appointment.requestedPeriod[0].end", "must be after start")
		}
		r.RequestedPeriod = []Period{{Start: instant(w.Window.Start), End: instant(w.Window.End)}}
	case !w.Window.Start.IsZero():
		return nil, fhirErr("Appointment.requestedPeriod[0].end", "an open-ended window: the booking model holds a wait window with both start and end")
	case !w.Window.End.IsZero():
		return nil, fhirErr("Appointment.requestedPeriod[0].start", "start and end are both given or both absent")
	}
	if r.Extension, err = clientExtensions(r.Extension, w.GuidanceVersion, w.Answers); err != nil {
		return nil, err
	}
	return json.Marshal(r)
}

// ImportWaitEntry reads a waitlist entry written by ExportWaitEntry or
// another system: an Appointment with status waitlist, the library's
// service coding, one Patient participant and at most one
// requestedPeriod; errors name the field.
func ImportWaitEntry(data []byte) (booking.WaitEntry, error) {
	w, _, err := defaultMapping.ImportWaitEntryDetails(data)
	return w, err
}

// ImportWaitEntry is the package's ImportWaitEntry with f's service
// mapping: a foreign serviceType coding the host mapped (Config.Services)
// gives the entry's area and service, as for ImportAppointment.
func (f *Mapping) ImportWaitEntry(data []byte) (booking.WaitEntry, error) {
	w, _, err := f.ImportWaitEntryDetails(data)
	return w, err
}

// ImportWaitEntryDetails is ImportWaitEntry that also returns the details
// booking.WaitEntry does not hold (see WaitDetails).
func (f *Mapping) ImportWaitEntryDetails(data []byte) (booking.WaitEntry, WaitDetails, error) {
	w, d, err := f.importWaitEntry(data)
	if err != nil {
		return booking.WaitEntry{}, WaitDetails{}, err
	}
	return w, d, nil
}

func (f *Mapping) importWaitEntry(data []byte) (booking.WaitEntry, WaitDetails, error) {
	var d WaitDetails
	var r fhirWait
	env, err := decodeResource(data, "Appointment", &r)
	if err != nil {
		return booking.WaitEntry{}, d, err
	}
	if r.Status != string(booking.StatusWaitlist) {
		return booking.WaitEntry{}, d, fhirErr("Appointment.status", "a wait entry has status waitlist")
	}
	w := booking.WaitEntry{ID: env.id}
	if w.Area, w.Service, d.ServiceType, err = f.serviceOf("Appointment.serviceType", r.ServiceType); err != nil {
		return booking.WaitEntry{}, d, err
	}
	if w.Area == "" {
		return booking.WaitEntry{}, d, fhirErr("Appointment.serviceType", "a wait entry needs the library's service coding or one the host mapped")
	}
	for i, p := range r.Participant {
		field := fmt.Sprintf("Appointment.participant[%d]", i)
		if _, err := parseParticipation(field, p); err != nil {
			return booking.WaitEntry{}, d, err
		}
		role, id, err := classifyActor(field+".actor", p.Actor)
		if err != nil {
			return booking.WaitEntry{}, d, err
		}
		if role == RoleClient && id != "" {
			if w.Client != "" {
				return booking.WaitEntry{}, d, fhirErr(field+".actor", "a second Patient")
			}
			w.Client = carecontact.ClientRef(id)
		}
	}
	if w.Client == "" {
		return booking.WaitEntry{}, d, fhirErr("Appointment.participant", "no Patient participant")
	}
	if r.Created != "" {
		if w.Since, d.CreatedPrecision, err = parseDateTime("Appointment.created", r.Created); err != nil {
			return booking.WaitEntry{}, d, err
		}
	}
	switch len(r.RequestedPeriod) {
	case 0:
	case 1:
		if rp := r.RequestedPeriod[0]; rp.Start != "" && rp.End == "" {
			return booking.WaitEntry{}, d, fhirErr("Appointment.requestedPeriod[0].end", "an open-ended window: the booking model holds a wait window with both start and end")
		}
		if w.Window, err = parsePeriod("Appointment.requestedPeriod[0].", r.RequestedPeriod[0].Start, r.RequestedPeriod[0].End); err != nil {
			return booking.WaitEntry{}, d, err
		}
	default:
		return booking.WaitEntry{}, d, fhirErr("Appointment.requestedPeriod", "a wait entry has one window")
	}
	for i, e := range r.Extension {
		switch e.URL {
		case ExtensionBase + "guidance-version":
			w.GuidanceVersion = e.ValueString
		case ExtensionBase + "pre-question-answer":
			var ans booking.Answer
			for _, sub := range e.Extension {
				switch sub.URL {
				case "question":
					ans.QuestionID = sub.ValueString
				case "answer":
					ans.Text = sub.ValueString
				}
			}
			if ans.QuestionID == "" {
				return booking.WaitEntry{}, d, fhirErr(fmt.Sprintf("Appointment.extension[%d].extension", i), "question is required")
			}
			w.Answers = append(w.Answers, ans)
		}
	}
	return w, d, nil
}

// SetVersionID returns the resource data with meta.versionId set to the
// store's version (written after id; other meta elements are kept), for
// the ETag and If-Match of a FHIR API.
func SetVersionID(data []byte, version int) ([]byte, error) {
	return SetMeta(data, version, time.Time{})
}

// SetMeta is SetVersionID that also sets meta.lastUpdated to when the
// store last changed the resource (an instant in UTC); a zero lastUpdated
// leaves it as it is.
func SetMeta(data []byte, version int, lastUpdated time.Time) ([]byte, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fhirErr("Resource", "not a JSON resource: %v", err)
	}
	if _, ok := m["id"]; !ok {
		return nil, fhirErr("Resource.id", "is required")
	}
	if version < 1 {
		return nil, fhirErr("Resource.meta.versionId", "version %d: want 1 or more", version)
	}
	meta := map[string]json.RawMessage{}
	if raw, ok := m["meta"]; ok {
		if err := json.Unmarshal(raw, &meta); err != nil {
			return nil, fhirErr("Resource.meta", "not a JSON object")
		}
	}
	v, _ := json.Marshal(strconv.Itoa(version))
	meta["versionId"] = v
	if !lastUpdated.IsZero() {
		meta["lastUpdated"], _ = json.Marshal(instant(lastUpdated))
	}
	metaRaw, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	out, err := rewrite(data, "meta")
	if err != nil {
		return nil, err
	}
	// Put meta after id.
	dec := json.NewDecoder(bytes.NewReader(out))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	member := func(k string, v []byte) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		b.Write(v)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		k, _ := t.(string)
		member(k, raw)
		if k == "id" {
			member("meta", metaRaw)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}
