package fhir

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

type fhirWait struct {
	ResourceType    string            `json:"resourceType"`
	ID              string            `json:"id"`
	Extension       []fhirExtension   `json:"extension,omitempty"`
	Status          string            `json:"status"`
	StatusElement   *primitiveElement `json:"_status,omitempty"`
	ServiceType     []Concept         `json:"serviceType,omitempty"`
	Created         string            `json:"created,omitempty"`
	Participant     []json.RawMessage `json:"participant"`
	RequestedPeriod []json.RawMessage `json:"requestedPeriod,omitempty"`
}

// waitKept are the elements of Appointment the appointment importer reads
// that the waitlist importer does not: they are kept as they came
// (WaitDetails.Elements). cancelationReason is refused instead (app-4:
// only a cancelled appointment has one).
var waitKept = []string{"appointmentType", "start", "end"}

// ExportWaitEntry writes a waitlist entry as a FHIR R4 Appointment with
// status waitlist and no times: the client is the one participant (R4
// requires one, and a waitlist entry has no calendar yet; accepted and
// required), the window the client wants is requestedPeriod (start only,
// end only or both), the time they joined is created, and the national
// status is 1 Suunniteltu.
func ExportWaitEntry(w booking.WaitEntry) ([]byte, error) {
	return defaultMapping.ExportWaitEntryDetails(w, WaitDetails{})
}

// WaitDetails are what a waitlist Appointment has that booking.WaitEntry
// does not hold. ImportWaitEntryDetails fills them from the resource, and
// ExportWaitEntryDetails writes them back, so that an entry comes back as
// it came; the zero value is what ExportWaitEntry writes.
type WaitDetails struct {
	// Times are created and requestedPeriod's start and end ("start",
	// "end") as they came written (see TimeText).
	Times TimeText
	// CreatedPrecision is the precision of Appointment.created (a date
	// only, say); the zero value is a full instant.
	CreatedPrecision Precision
	// ServiceType are the serviceType concepts without this library's own
	// service coding (a THL coding the host mapped, say), as they came.
	ServiceType []Concept
	// Client is the client's participant.status and participant.required
	// (Required may be empty: the element is absent); the zero value is
	// accepted and required.
	Client Participation
	// Participants are the Appointment's participants as they came, the
	// client's among them, in their order. The exporter writes them in
	// that order: the client's (the Patient participant of the entry's
	// client) with the status and required of Client, a participant of
	// another Patient left out, the others as they came; the client's goes
	// first when none of them is the client's. Empty means the client's
	// alone.
	Participants []json.RawMessage
	// NationalStatus is the Ajanvarauksen tila coding of the Finnish
	// Scheduling extension on Appointment.status as it came (nil if none
	// came), and NationalStatusOf the status it came with (the importer
	// sets it to waitlist). When NationalStatusOf is waitlist the exporter
	// writes NationalStatus (none if nil); otherwise the code of waitlist,
	// 1 Suunniteltu.
	NationalStatus   *Coding
	NationalStatusOf booking.Status
	// StatusExtension are other extensions of Appointment.status, as they
	// came.
	StatusExtension []json.RawMessage
	// WindowStartPrecision and WindowEndPrecision are the precisions of
	// requestedPeriod's start and end (a date, say; see ImportWaitEntry);
	// the zero value is a full instant. The exporter writes an end at its
	// precision while it is still that date's (month's, year's) bound.
	WindowStartPrecision, WindowEndPrecision Precision
	// WindowElements are requestedPeriod's members but start and end (id,
	// extension), as they came; written while the entry has a window.
	WindowElements map[string]json.RawMessage
	// Elements are the Appointment's elements the mapping does not read
	// (identifier, comment, meta, text, description, priority, slot,
	// start and end, appointmentType and the like), by JSON name, as they
	// came. The exporter writes them back unchanged.
	Elements map[string]json.RawMessage
	// Extension are the extensions the mapping does not read, as they
	// came; the exporter writes them after its own.
	Extension []json.RawMessage
}

// ExportWaitEntryDetails is ExportWaitEntry with f's service mapping and
// the details booking.WaitEntry does not hold (see WaitDetails): created
// at its precision, the foreign serviceType codings (a coding the host
// mapped to the entry's service stands for it, as for appointments), the
// participants, the status extensions, and the elements and extensions
// the mapping does not read. An entry without area and service (one read
// from an Appointment that names none) is written without the library's
// service coding.
func (f *Mapping) ExportWaitEntryDetails(w booking.WaitEntry, d WaitDetails) ([]byte, error) {
	if w.ID == "" || w.Client == "" {
		return nil, fmt.Errorf("%w: wait entry needs id and client", booking.ErrInvalid)
	}
	id, err := exportID("Appointment.id", w.ID)
	if err != nil {
		return nil, err
	}
	services, err := f.serviceTypes("Appointment.serviceType", w.Area, w.Service, d.ServiceType)
	if err != nil {
		return nil, err
	}
	r := fhirWait{ResourceType: "Appointment", ID: id, Status: string(booking.StatusWaitlist), ServiceType: services}
	if r.Participant, err = waitParticipants(w, d); err != nil {
		return nil, err
	}
	status := Details{StatusExtension: d.StatusExtension, NationalStatus: d.NationalStatus, NationalStatusOf: d.NationalStatusOf}
	if r.StatusElement, err = statusElement(booking.StatusWaitlist, status); err != nil {
		return nil, err
	}
	if !w.Since.IsZero() {
		if r.Created, err = formatDateTime("Appointment.created", w.Since, d.CreatedPrecision); err != nil {
			return nil, err
		}
		if d.CreatedPrecision == "" {
			r.Created = d.Times.instant("created", w.Since)
		}
	}
	if !w.Window.Start.IsZero() && !w.Window.End.IsZero() && !w.Window.Start.Before(w.Window.End) {
		return nil, fhirErr("Appointment.requestedPeriod[0].end", "must be after start")
	}
	if !w.Window.Start.IsZero() || !w.Window.End.IsZero() {
		period, err := exportWindow(w.Window, d)
		if err != nil {
			return nil, err
		}
		r.RequestedPeriod = []json.RawMessage{period}
	}
	if r.Extension, err = clientExtensions(r.Extension, w.GuidanceVersion, w.Answers); err != nil {
		return nil, err
	}
	return marshal(r, d.Elements, d.Extension)
}

// waitParticipants returns the participants of a waitlist Appointment (see
// WaitDetails.Participants).
func waitParticipants(w booking.WaitEntry, d WaitDetails) ([]json.RawMessage, error) {
	field := "Appointment.participant[0]"
	client, err := d.Client.or(Participation{Status: ParticipantAccepted, Required: Required}, field)
	if err != nil {
		return nil, err
	}
	patient, err := reference(field+".actor.reference", "Patient", w.Client)
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	wrote := false
	// A Patient known by identifier or contained ("#p") stands for the
	// entry's client: the importer resolved it to the client through the
	// host, and the exporter writes it back as it came.
	var cont contained
	if raw, ok := d.Elements["contained"]; ok {
		cont = containedOf([]byte(`{"contained":` + string(raw) + `}`))
	}
	for i, raw := range d.Participants {
		at := fmt.Sprintf("Appointment.participant[%d]", i)
		var p fhirParticipant
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fhirErr(at, "is not a participant")
		}
		role, id, err := classifyActorIn(at+".actor", p.Actor, cont)
		if err != nil {
			return nil, err
		}
		if role != RoleClient {
			out = append(out, raw)
			continue
		}
		if id != "" && carecontact.ClientRef(id) != w.Client || wrote {
			continue // another client's, or the client's twice
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, fhirErr(at, "is not a participant")
		}
		m["status"], _ = json.Marshal(client.Status)
		delete(m, "required")
		if client.Required != "" {
			m["required"], _ = json.Marshal(client.Required)
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		out, wrote = append(out, b), true
	}
	if !wrote {
		b, err := json.Marshal(fhirParticipant{Actor: patient, Required: string(client.Required), Status: string(client.Status)})
		if err != nil {
			return nil, err
		}
		out = append([]json.RawMessage{b}, out...)
	}
	return out, nil
}

// ImportWaitEntry reads a waitlist entry written by ExportWaitEntry or
// another system: an Appointment with status waitlist, one Patient
// participant (by reference, or by identifier or as a contained resource
// where the host resolves its identifier: Mapping's
// Config.ClientByIdentifier) and at most one requestedPeriod (start only, end only or
// both; a date, month or year is read in Europe/Helsinki, an end to the
// end of that day, month or year, as R4's end includes it). The library's service coding (or one the host mapped) gives area
// and service; an Appointment without serviceType gives an entry without
// them (HL7 Finland's waitlisted example names no service), one whose
// serviceType has neither is refused. An Appointment without id (a
// create's) is read with an empty ID, for the host to name. Errors name
// the field.
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
	env, err := decodeEnvelope(data, "Appointment", &r, false) // a create's may have no id
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
	if w.Area == "" && len(r.ServiceType) > 0 {
		// A service named only in codings the host has not mapped: the
		// mapping is missing, not the service.
		return booking.WaitEntry{}, d, fhirErr("Appointment.serviceType", "a wait entry needs the library's service coding or one the host mapped")
	}
	if len(r.Participant) == 0 {
		return booking.WaitEntry{}, d, fhirErr("Appointment.participant", "no Patient participant")
	}
	cont := containedOf(data)
	patients := 0
	for i, raw := range r.Participant {
		field := fmt.Sprintf("Appointment.participant[%d]", i)
		var p fhirParticipant
		if err := json.Unmarshal(raw, &p); err != nil {
			return booking.WaitEntry{}, d, fhirErr(field, "is not a participant")
		}
		part, err := parseParticipation(field, p)
		if err != nil {
			return booking.WaitEntry{}, d, err
		}
		role, id, err := classifyActorIn(field+".actor", p.Actor, cont)
		if err != nil {
			return booking.WaitEntry{}, d, err
		}
		if role != RoleClient {
			continue
		}
		if patients++; patients > 1 {
			return booking.WaitEntry{}, d, fhirErr(field+".actor", "a second Patient")
		}
		client := carecontact.ClientRef(id)
		if client == "" {
			// A Patient known by identifier or contained ("#p"): the
			// host resolves its identifier (Config.ClientByIdentifier).
			if client, err = f.resolveClient(field+".actor.identifier", clientIdentifier(p.Actor, cont)); err != nil {
				return booking.WaitEntry{}, d, err
			}
			if client == "" {
				return booking.WaitEntry{}, d, fhirErr(field+".actor", "a wait entry needs a client: a Patient reference, or an identifier the host resolves")
			}
		}
		w.Client, d.Client = client, part
	}
	if w.Client == "" {
		return booking.WaitEntry{}, d, fhirErr("Appointment.participant", "no Patient participant")
	}
	d.Participants = slices.Clone(r.Participant)
	if r.Created != "" {
		if w.Since, d.CreatedPrecision, err = parseDateTime("Appointment.created", r.Created); err != nil {
			return booking.WaitEntry{}, d, err
		}
		if d.CreatedPrecision == "" {
			d.Times.keep("created", r.Created)
		}
	}
	switch len(r.RequestedPeriod) {
	case 0:
	case 1:
		if w.Window, err = importWindow("Appointment.requestedPeriod[0]", r.RequestedPeriod[0], &d); err != nil {
			return booking.WaitEntry{}, d, err
		}
	default:
		return booking.WaitEntry{}, d, fhirErr("Appointment.requestedPeriod", "a wait entry has one window")
	}
	d.NationalStatusOf = booking.StatusWaitlist
	if r.StatusElement != nil {
		var st Details
		for i, raw := range r.StatusElement.Extension {
			field := fmt.Sprintf("Appointment._status.extension[%d]", i)
			var e fhirExtension
			if err := json.Unmarshal(raw, &e); err != nil {
				return booking.WaitEntry{}, d, fhirErr(field, "not an extension")
			}
			if e.URL != NationalStatusExtension {
				d.StatusExtension = append(d.StatusExtension, raw)
				continue
			}
			if err := importNationalStatus(field, e, booking.StatusWaitlist, &st); err != nil {
				return booking.WaitEntry{}, d, err
			}
		}
		d.NationalStatus = st.NationalStatus
		if r.StatusElement.ID != "" {
			return booking.WaitEntry{}, d, fhirErr("Appointment._status.id", "is not kept by this mapping")
		}
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
		default:
			if i < len(env.rawExtension) {
				d.Extension = append(d.Extension, env.rawExtension[i])
			}
		}
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return booking.WaitEntry{}, d, fhirErr("Appointment", "not a JSON resource: %v", err)
	}
	if _, ok := all["cancelationReason"]; ok {
		return booking.WaitEntry{}, d, fhirErr("Appointment.cancelationReason", "only a cancelled appointment has one (app-4)")
	}
	for k, raw := range env.elements {
		if k == "requestedPeriod" {
			continue // read into the window
		}
		if d.Elements == nil {
			d.Elements = map[string]json.RawMessage{}
		}
		d.Elements[k] = raw
	}
	for _, k := range waitKept {
		if raw, ok := all[k]; ok {
			if d.Elements == nil {
				d.Elements = map[string]json.RawMessage{}
			}
			d.Elements[k] = raw
		}
	}
	return w, d, nil
}

// importWindow reads a requestedPeriod into a window: start only (from
// then on), end only (until then) or both. A date, month or year (a
// dateTime without a time, which R4 allows) is read in Europe/Helsinki,
// the calendars' zone: start from its first instant, end to the first
// instant after it (R4: the end includes any matching date/time); d keeps
// the precisions and the period's other members (id, extension).
func importWindow(field string, raw json.RawMessage, d *WaitDetails) (booking.Interval, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil || m == nil {
		return booking.Interval{}, fhirErr(field, "want a JSON object")
	}
	var iv booking.Interval
	for _, side := range []string{"start", "end"} {
		v, ok := m[side]
		if !ok {
			continue
		}
		delete(m, side)
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return booking.Interval{}, fhirErr(field+"."+side, "want a JSON string")
		}
		t, p, err := parseDateTime(field+"."+side, s)
		if err != nil {
			return booking.Interval{}, err
		}
		if p != "" {
			first, next := precisionSpan(t, p)
			t = first
			if side == "end" {
				t = next
			}
		}
		if p == "" {
			d.Times.keep(side, s)
		}
		if side == "start" {
			iv.Start, d.WindowStartPrecision = t, p
		} else {
			iv.End, d.WindowEndPrecision = t, p
		}
	}
	if iv.Start.IsZero() && iv.End.IsZero() {
		return booking.Interval{}, fhirErr(field+".start", "a window needs start, end or both")
	}
	if !iv.Start.IsZero() && !iv.End.IsZero() && !iv.Start.Before(iv.End) {
		return booking.Interval{}, fhirErr(field+".end", "must be after start")
	}
	if len(m) > 0 {
		d.WindowElements = m
	}
	return iv, nil
}

// precisionSpan returns the first instant of the year, month or day t
// (midnight UTC of its first day, as parseDateTime reads it) names in
// Europe/Helsinki, and the first instant after it.
func precisionSpan(t time.Time, p Precision) (first, next time.Time) {
	y, mo, day := t.Date()
	first = time.Date(y, mo, day, 0, 0, 0, 0, civil.Helsinki())
	switch p {
	case PrecisionYear:
		next = first.AddDate(1, 0, 0)
	case PrecisionMonth:
		next = first.AddDate(0, 1, 0)
	default:
		next = first.AddDate(0, 0, 1)
	}
	return first.UTC(), next.UTC()
}

// exportWindow writes the window as a requestedPeriod: each end at the
// precision it came with while the instant is still that date's, month's
// or year's bound in Europe/Helsinki (else as an instant), then the
// period's other members as they came.
func exportWindow(w booking.Interval, d WaitDetails) (json.RawMessage, error) {
	m := map[string]json.RawMessage{}
	for k, v := range d.WindowElements {
		if k == "start" || k == "end" || !json.Valid(v) {
			return nil, fhirErr("Appointment.requestedPeriod[0]."+k, "is written by the mapping or is not JSON")
		}
		m[k] = v
	}
	for _, side := range []struct {
		name string
		t    time.Time
		p    Precision
	}{{"start", w.Start, d.WindowStartPrecision}, {"end", w.End, d.WindowEndPrecision}} {
		if side.t.IsZero() {
			continue
		}
		s := d.Times.instant(side.name, side.t)
		if side.p != "" {
			if _, ok := precisionLayouts[side.p]; !ok {
				return nil, fhirErr("Appointment.requestedPeriod[0]."+side.name, "unknown precision %q", side.p)
			}
			at := side.t
			if side.name == "end" {
				at = at.Add(-time.Nanosecond) // the last instant the end includes
			}
			local := at.In(civil.Helsinki())
			text := local.Format(precisionLayouts[side.p])
			t, _, err := parseDateTime("", text)
			if err == nil {
				first, next := precisionSpan(t, side.p)
				if side.name == "start" && first.Equal(side.t) || side.name == "end" && next.Equal(side.t) {
					s = text
				}
			}
		}
		m[side.name], _ = json.Marshal(s)
	}
	return json.Marshal(m)
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
