package fhir

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

// NationalStatusExtension is the URL of HL7 Finland's Finnish Scheduling
// extension "Ajanvarauksen tila" (context Appointment.status, value a
// Coding of booking.NationalStatusSystem), from the guide's
// input/fsh/extensions/AjanvarauksenTila.fsh
// (github.com/fhir-fi/finnish-scheduling).
const NationalStatusExtension = "https://hl7.fi/fhir/finnish-scheduling/StructureDefinition/ajanvarauksen-tila"

// PersonalIdentitySystem is the identifier system of the Finnish personal
// identity code (henkilötunnus, urn:oid:1.2.246.21). A participant known
// only by such an identifier is the client.
const PersonalIdentitySystem = "urn:oid:1.2.246.21"

// ExportAppointmentDetails is ExportAppointment with the details the
// booking model does not hold (see Details): participant.status and
// participant.required (a participant without one gets
// DefaultParticipation), the participants as they came, the codings of the
// cancellation reason, the precision of created, the national codings as
// they came and the elements the mapping does not read.
func (f *Mapping) ExportAppointmentDetails(a booking.Appointment, part Details, owners ...booking.Calendar) ([]byte, error) {
	hasClient := a.Client != ""
	for _, p := range part.Participants {
		hasClient = hasClient || p.Role == RoleClient && p.Actor != nil
	}
	if a.ID == "" {
		return nil, fhirErr("Appointment.id", "is empty: an appointment created without one gets its id from the store")
	}
	if !hasClient || len(a.Participants) == 0 {
		return nil, fmt.Errorf("%w: appointment needs id, client and participants", booking.ErrInvalid)
	}
	if _, err := booking.ParseStatus(string(a.Status)); err != nil {
		return nil, err
	}
	id, err := exportID("Appointment.id", a.ID)
	if err != nil {
		return nil, err
	}
	services, err := f.serviceTypes("Appointment.serviceType", a.Area, a.Service, part.ServiceType)
	if err != nil {
		return nil, err
	}
	r := fhirResource{ResourceType: "Appointment", ID: id, Status: string(a.Status), ServiceType: services}
	switch {
	case !a.Start.IsZero() && !a.End.IsZero():
		r.Start, r.End = part.Times.instant("start", a.Start), part.Times.instant("end", a.End)
	case !a.Start.IsZero() || !a.End.IsZero():
		return nil, fhirErr("Appointment.end", "start and end are both given or both absent (app-2)")
	case !untimed(a.Status):
		return nil, fhirErr("Appointment.start", "only a proposed, cancelled or waitlist appointment has no times (app-3)")
	}
	if !a.Created.IsZero() {
		if r.Created, err = formatDateTime("Appointment.created", a.Created, part.CreatedPrecision); err != nil {
			return nil, err
		}
		if part.CreatedPrecision == "" {
			r.Created = part.Times.instant("created", a.Created)
		}
	}
	switch {
	case part.AppointmentType != nil && part.AppointmentTypeChannel == a.Channel:
		at := cloneConcept(*part.AppointmentType)
		r.AppointmentType = &at
	case a.Channel != "":
		at := &Concept{Coding: []Coding{{System: ChannelSystem, Code: string(a.Channel)}}}
		if n, ok := f.byKind[a.Channel]; ok {
			at.Coding = append(at.Coding, n)
		}
		r.AppointmentType = at
	}
	if cs := cancelCodings(a, part); cancelable(a.Status) && (a.CancelReason != "" || len(cs) > 0) {
		r.CancelationReason = &Concept{ID: part.CancelationReasonID, Extension: slices.Clone(part.CancelationReasonExtension), Coding: cs, Text: a.CancelReason,
			TextElement: part.CancelationReasonTextElement}
	}
	if r.Participant, err = exportParticipants(a, part, owners); err != nil {
		return nil, err
	}
	if r.StatusElement, err = statusElement(a.Status, part); err != nil {
		return nil, err
	}
	if r.Extension, err = clientExtensions(r.Extension, a.GuidanceVersion, a.Answers); err != nil {
		return nil, err
	}
	if a.HoldUntil.After(time.Time{}) {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "hold-until", ValueInst: instant(a.HoldUntil)})
	}
	if a.LateCancel {
		late := true
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "late-cancellation", ValueBool: &late})
	}
	return marshal(r, part.Elements, part.Extension)
}

// cancelCodings returns the codings of Appointment.cancelationReason: the
// codings of part as they came (with their version and userSelected), as
// long as a.CancelCodes has their code or they have none, then the codes
// of a.CancelCodes that none of them has. Without CancelCodes they are the
// codings of part.
func cancelCodings(a booking.Appointment, part Details) []Coding {
	if len(a.CancelCodes) == 0 {
		return slices.Clone(part.CancelationReason)
	}
	var out []Coding
	has := map[booking.ReasonCode]bool{}
	for _, c := range part.CancelationReason {
		key := booking.ReasonCode{System: c.System, Code: c.Code}
		if c.Code != "" && !slices.ContainsFunc(a.CancelCodes, func(rc booking.ReasonCode) bool { return rc.System == c.System && rc.Code == c.Code }) {
			continue
		}
		for _, rc := range a.CancelCodes {
			if rc.System == c.System && rc.Code == c.Code {
				c.Display = rc.Display
			}
		}
		has[key] = true
		out = append(out, c)
	}
	for _, rc := range a.CancelCodes {
		if key := (booking.ReasonCode{System: rc.System, Code: rc.Code}); !has[key] {
			has[key] = true
			out = append(out, Coding{System: rc.System, Code: rc.Code, Display: rc.Display})
		}
	}
	return out
}

// statusElement returns Appointment._status: the Finnish Scheduling
// national status (the one that came while the status is unchanged, else
// the status's own code) and the other extensions as they came.
func statusElement(s booking.Status, part Details) (*primitiveElement, error) {
	var nat *Coding
	if part.NationalStatusOf == s {
		if part.NationalStatus != nil {
			c := *part.NationalStatus
			nat = &c
		}
	} else if n, ok := s.National(); ok {
		nat = &Coding{System: booking.NationalStatusSystem, Code: n.Code, Display: n.Display}
	}
	if nat == nil && len(part.StatusExtension) == 0 && part.StatusID == "" {
		return nil, nil
	}
	el := &primitiveElement{ID: part.StatusID}
	if nat != nil {
		raw, err := json.Marshal(fhirExtension{URL: NationalStatusExtension, ValueCoding: nat})
		if err != nil {
			return nil, err
		}
		el.Extension = append(el.Extension, raw)
	}
	for i, e := range part.StatusExtension {
		if !json.Valid(e) {
			return nil, fhirErr(fmt.Sprintf("Appointment._status.extension[%d]", len(el.Extension)+i), "is not JSON")
		}
	}
	el.Extension = append(el.Extension, part.StatusExtension...)
	return el, nil
}

// exportParticipants writes the participants: those of part.Participants
// in their order (a calendar no longer among a.Participants left out), then
// the client if it was not among them (first) and the other calendars.
func exportParticipants(a booking.Appointment, part Details, owners []booking.Calendar) ([]fhirParticipant, error) {
	def := DefaultParticipation(a)
	var out []fhirParticipant
	wrote := map[booking.CalendarID]bool{}
	clientAt := -1
	add := func(e Participant, actor *Reference, pp Participation) {
		fp := fhirParticipant{ID: e.ID, Extension: slices.Clone(e.Extension), Type: cloneConcepts(e.Type), Required: string(pp.Required), Status: string(pp.Status),
			StatusElement: e.StatusElement, RequiredElement: e.RequiredElement}
		if actor != nil {
			fp.Actor = cloneReference(*actor)
		}
		if e.Period != nil {
			per := *e.Period
			fp.Period = &per
		}
		out = append(out, fp)
	}
	for _, e := range part.Participants {
		field := fmt.Sprintf("Appointment.participant[%d]", len(out))
		switch e.Role {
		case RoleClient:
			if clientAt >= 0 {
				continue
			}
			actor := e.Actor
			if a.Client != "" && actor != nil {
				if typ, id, ok := literal(actor.Reference); ok && (typ != "Patient" || id != string(a.Client)) {
					// The appointment's client is another Patient now.
					ref, err := reference(field+".actor.reference", "Patient", a.Client)
					if err != nil {
						return nil, err
					}
					actor = &ref
				}
			}
			if actor == nil {
				ref, err := reference(field+".actor.reference", "Patient", a.Client)
				if err != nil {
					return nil, err
				}
				actor = &ref
			}
			pp, err := part.Client.or(def.Client, field)
			if err != nil {
				return nil, err
			}
			clientAt = len(out)
			add(e, actor, pp)
		case RoleCalendar:
			if wrote[e.Calendar] || !slices.Contains(a.Participants, e.Calendar) {
				continue
			}
			actor := e.Actor
			if actor == nil {
				ref, err := participantRef(field+".actor", e.Calendar, owners)
				if err != nil {
					return nil, err
				}
				actor = &ref
			}
			pp, err := part.Calendars[e.Calendar].or(def.Calendars[e.Calendar], field)
			if err != nil {
				return nil, err
			}
			wrote[e.Calendar] = true
			add(e, actor, pp)
		case RoleOther:
			if err := e.Participation.check(field); err != nil {
				return nil, err
			}
			if e.Actor == nil && len(e.Type) == 0 {
				return nil, fhirErr(field, "has neither type nor actor (app-1)")
			}
			add(e, e.Actor, e.Participation)
		default:
			return nil, fhirErr(field, "unknown role %q", e.Role)
		}
	}
	if clientAt < 0 {
		if a.Client == "" {
			return nil, fhirErr("Appointment.participant", "no client")
		}
		ref, err := reference("Appointment.participant[0].actor.reference", "Patient", a.Client)
		if err != nil {
			return nil, err
		}
		pc, err := part.Client.or(def.Client, "Appointment.participant[0]")
		if err != nil {
			return nil, err
		}
		out = slices.Insert(out, 0, fhirParticipant{Actor: ref, Required: string(pc.Required), Status: string(pc.Status)})
	}
	for _, p := range a.Participants {
		if wrote[p] {
			continue
		}
		field := fmt.Sprintf("Appointment.participant[%d]", len(out))
		ref, err := participantRef(field+".actor", p, owners)
		if err != nil {
			return nil, err
		}
		pp, err := part.Calendars[p].or(def.Calendars[p], field)
		if err != nil {
			return nil, err
		}
		wrote[p] = true
		out = append(out, fhirParticipant{Actor: ref, Required: string(pp.Required), Status: string(pp.Status)})
	}
	return out, nil
}

// literal returns the type and the raw id of a literal reference that
// literalRef matches.
func literal(ref string) (typ, id string, ok bool) {
	m := literalRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", false
	}
	s, err := importID("", m[2])
	if err != nil {
		return "", "", false
	}
	return m[1], s, true
}

func cloneReference(r Reference) Reference {
	if r.Identifier != nil {
		id := cloneIdentifiers([]Identifier{*r.Identifier})[0]
		r.Identifier = &id
	}
	return r
}

func (f *Mapping) importAppointment(data []byte) (booking.Appointment, Details, error) {
	return f.importAppointmentIn(data, nil)
}

// importAppointmentIn is importAppointment for an Appointment of a
// transaction: a participant's reference to one of patients (a Patient
// entry's fullUrl, "urn:uuid:...") is that entry's client.
func (f *Mapping) importAppointmentIn(data []byte, patients contained) (booking.Appointment, Details, error) {
	part := Details{Calendars: map[booking.CalendarID]Participation{}}
	r, err := decodeCreate(data, "Appointment")
	if err != nil {
		return booking.Appointment{}, part, err
	}
	status, err := booking.ParseStatus(r.Status)
	if err != nil {
		return booking.Appointment{}, part, fhirErr("Appointment.status", "is not a FHIR R4 appointment status")
	}
	var iv booking.Interval
	if r.Start != "" || r.End != "" || !untimed(status) {
		if iv, err = parsePeriod("Appointment.", r.Start, r.End); err != nil {
			return booking.Appointment{}, part, err
		}
	}
	a := booking.Appointment{ID: r.ID, Status: status, Start: iv.Start, End: iv.End, Version: 1}
	part.Times.keep("start", r.Start)
	part.Times.keep("end", r.End)
	if r.Created != "" {
		if a.Created, part.CreatedPrecision, err = parseDateTime("Appointment.created", r.Created); err != nil {
			return booking.Appointment{}, part, err
		}
		if part.CreatedPrecision == "" {
			part.Times.keep("created", r.Created)
		}
	}
	if a.Area, a.Service, part.ServiceType, err = f.serviceOf("Appointment.serviceType", r.ServiceType); err != nil {
		return booking.Appointment{}, part, err
	}
	if r.AppointmentType != nil {
		if a.Channel, err = f.importChannel(r.AppointmentType.Coding); err != nil {
			return booking.Appointment{}, part, err
		}
		at := cloneConcept(*r.AppointmentType)
		part.AppointmentType, part.AppointmentTypeChannel = &at, a.Channel
	}
	if r.CancelationReason != nil {
		if !cancelable(status) {
			return booking.Appointment{}, part, fhirErr("Appointment.cancelationReason", "only a cancelled appointment has one (app-4)")
		}
		a.CancelReason = r.CancelationReason.Text
		part.CancelationReason = slices.Clone(r.CancelationReason.Coding)
		part.CancelationReasonID, part.CancelationReasonExtension = r.CancelationReason.ID, r.CancelationReason.Extension
		part.CancelationReasonTextElement = r.CancelationReason.TextElement
		for _, c := range r.CancelationReason.Coding {
			if c.Code != "" {
				a.CancelCodes = append(a.CancelCodes, booking.ReasonCode{System: c.System, Code: c.Code, Display: c.Display})
			}
		}
	}
	client := false
	cont := containedOf(data)
	if len(patients) > 0 {
		// A contained id has no ':', a fullUrl a scheme: they never clash.
		if cont == nil {
			cont = contained{}
		}
		maps.Copy(cont, patients)
	}
	for i, p := range r.Participant {
		if err := f.importParticipant(i, p, cont, &a, &part, &client); err != nil {
			return booking.Appointment{}, part, err
		}
	}
	if !client {
		return booking.Appointment{}, part, fhirErr("Appointment.participant", "no Patient participant")
	}
	if len(a.Participants) == 0 {
		return booking.Appointment{}, part, fhirErr("Appointment.participant", "no professional or resource participant")
	}
	part.NationalStatusOf = status
	if r.StatusElement != nil {
		part.StatusID = r.StatusElement.ID
		for i, raw := range r.StatusElement.Extension {
			field := fmt.Sprintf("Appointment._status.extension[%d]", i)
			var e fhirExtension
			if err := json.Unmarshal(raw, &e); err != nil {
				return booking.Appointment{}, part, fhirErr(field, "not an extension")
			}
			if e.URL != NationalStatusExtension {
				part.StatusExtension = append(part.StatusExtension, raw)
				continue
			}
			if err := importNationalStatus(field, e, status, &part); err != nil {
				return booking.Appointment{}, part, err
			}
		}
	}
	for i, e := range r.Extension {
		f := fmt.Sprintf("Appointment.extension[%d]", i)
		switch e.URL {
		case ExtensionBase + "guidance-version":
			a.GuidanceVersion = e.ValueString
		case ExtensionBase + "late-cancellation":
			if e.ValueBool == nil {
				return booking.Appointment{}, part, fhirErr(f+".valueBoolean", "is required")
			}
			a.LateCancel = *e.ValueBool
		case ExtensionBase + "hold-until":
			if a.HoldUntil, err = parseInstant(f+".valueInstant", e.ValueInst); err != nil {
				return booking.Appointment{}, part, err
			}
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
				return booking.Appointment{}, part, fhirErr(f+".extension", "question is required")
			}
			a.Answers = append(a.Answers, ans)
		case ExtensionBase + "national-status":
			// Written on the resource by earlier versions; read as the
			// Finnish Scheduling extension on status.
			if err := importNationalStatus(f, e, status, &part); err != nil {
				return booking.Appointment{}, part, err
			}
		default:
			if i < len(r.rawExtension) {
				part.Extension = append(part.Extension, r.rawExtension[i])
			}
		}
	}
	part.Elements = r.elements
	return a, part, nil
}

// importNationalStatus keeps the national status coding of e. Its code must
// be an Ajanvarauksen tila code; it may differ from the status's own code
// (HL7 Finland's ConceptMaps map several national codes to one FHIR status
// and back), and the FHIR status governs.
func importNationalStatus(field string, e fhirExtension, status booking.Status, part *Details) error {
	if e.ValueCoding == nil || e.ValueCoding.System != booking.NationalStatusSystem {
		return fhirErr(field+".valueCoding", "want a coding of %s", booking.NationalStatusSystem)
	}
	if _, err := booking.StatusFromNational(e.ValueCoding.Code); err != nil {
		return fhirErr(field+".valueCoding.code", "is not an Ajanvarauksen tila code")
	}
	c := *e.ValueCoding
	part.NationalStatus, part.NationalStatusOf = &c, status
	return nil
}

// importParticipant reads participant i into a and part: the Patient is
// the client, a participant of a calendar's type (or a logical reference of
// CalendarSystem) a calendar, anything else is kept as it came.
func (f *Mapping) importParticipant(i int, p fhirParticipant, cont contained, a *booking.Appointment, part *Details, client *bool) error {
	field := fmt.Sprintf("Appointment.participant[%d]", i)
	pp, err := parseParticipation(field, p)
	if err != nil {
		return err
	}
	actor := p.Actor
	if actor.isZero() && len(p.Type) == 0 {
		return fhirErr(field, "has neither type nor actor (app-1)")
	}
	e := Participant{Role: RoleOther, Type: cloneConcepts(p.Type), Participation: pp, ID: p.ID, Extension: slices.Clone(p.Extension),
		StatusElement: p.StatusElement, RequiredElement: p.RequiredElement}
	if !actor.isZero() {
		act := cloneReference(actor)
		e.Actor = &act
	}
	if p.Period != nil {
		per := *p.Period
		e.Period = &per
	}
	role, id, err := classifyActorIn(field+".actor", actor, cont)
	if err != nil {
		return err
	}
	switch role {
	case RoleClient:
		if *client {
			return fhirErr(field+".actor", "a second Patient")
		}
		*client = true
		e.Role = RoleClient
		part.Client = pp
		if id != "" {
			a.Client = carecontact.ClientRef(id)
		} else if a.Client, err = f.resolveClient(field+".actor.identifier", clientIdentifier(actor, cont)); err != nil {
			return err
		}
		if _, entry := cont[actor.Reference]; entry && strings.HasPrefix(actor.Reference, "urn:") && a.Client != "" {
			// R4 transaction processing: a reference to an entry's fullUrl
			// becomes one to the resource it stands for.
			ref, err := reference(field+".actor.reference", "Patient", a.Client)
			if err != nil {
				return err
			}
			e.Actor.Reference = ref.Reference
		}
	case RoleCalendar:
		cal := booking.CalendarID(id)
		if slices.Contains(a.Participants, cal) {
			// Practitioner/x and Location/x are two resources; the booking
			// model has one calendar x, the first. The other is kept as it
			// came, with its type.
			typ := actorTypeOf(actor)
			for _, prev := range part.Participants {
				if prev.Role == RoleCalendar && prev.Calendar == cal && prev.Actor != nil {
					if pt := actorTypeOf(*prev.Actor); typ != "" && pt != "" && pt != typ {
						part.Participants = append(part.Participants, e)
						return nil
					}
				}
			}
			return fhirErr(field+".actor", "the same participant twice")
		}
		e.Role, e.Calendar = RoleCalendar, cal
		a.Participants = append(a.Participants, cal)
		part.Calendars[cal] = pp
	}
	part.Participants = append(part.Participants, e)
	return nil
}

// actorTypeOf returns the resource type of an actor: its literal
// reference's type, else its Reference.type ("" for a logical reference
// of CalendarSystem without one).
func actorTypeOf(actor Reference) string {
	if m := literalRef.FindStringSubmatch(actor.Reference); m != nil {
		return m[1]
	}
	return actor.Type
}

// contained are a resource's contained resources by id ("p" for a
// reference "#p"): their resourceType and identifiers.
type contained map[string]containedResource

type containedResource struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id"`
	Identifier   []Identifier `json:"identifier"`
}

// containedOf reads the contained resources of resource data; a resource
// without them (or with ones that are not objects) has none.
func containedOf(data []byte) contained {
	var r struct {
		Contained []json.RawMessage `json:"contained"`
	}
	if json.Unmarshal(data, &r) != nil || len(r.Contained) == 0 {
		return nil
	}
	out := contained{}
	for _, raw := range r.Contained {
		var c containedResource
		if json.Unmarshal(raw, &c) == nil && c.ID != "" {
			out[c.ID] = c
		}
	}
	return out
}

// clientIdentifier returns the identifier a Patient actor is known by: the
// reference's own, or for a contained Patient ("#p") the contained
// resource's identifier of PersonalIdentitySystem; nil for none.
func clientIdentifier(actor Reference, cont contained) *Identifier {
	if actor.Identifier != nil {
		return actor.Identifier
	}
	if id, ok := strings.CutPrefix(actor.Reference, "#"); ok {
		for _, ident := range cont[id].Identifier {
			if ident.System == PersonalIdentitySystem {
				return &ident
			}
		}
	}
	return nil
}

// classifyActorIn says whom actor stands for: the client (id is the
// Patient's id, or empty for a Patient known by identifier, contained or by
// display only), a calendar (id is the calendar's), or someone else, kept
// as it came. Reference types R4 does not allow are refused. A local
// reference "#id" is classified by the contained resource's type in cont
// (a contained Patient is the client, known by its identifier; any other
// contained resource is kept as it came).
func classifyActorIn(field string, actor Reference, cont contained) (Role, string, error) {
	if c, ok := cont[actor.Reference]; ok && strings.HasPrefix(actor.Reference, "urn:") {
		// A transaction's Patient entry, by its fullUrl; its ID is the
		// client it stands for, if known.
		if actor.Type != "" && actor.Type != c.ResourceType {
			return "", "", fhirErr(field+".type", "contradicts the type of the entry it refers to")
		}
		return RoleClient, c.ID, nil
	}
	if id, ok := strings.CutPrefix(actor.Reference, "#"); ok {
		if c, ok := cont[id]; ok {
			if actor.Type != "" && actor.Type != c.ResourceType {
				return "", "", fhirErr(field+".type", "contradicts the contained resource's type")
			}
			if c.ResourceType == "Patient" {
				return RoleClient, "", nil
			}
			if !slices.Contains(actorTypes, c.ResourceType) {
				return "", "", fhirErr(field+".reference", "the contained resource's type: want one of %s", strings.Join(actorTypes, ", "))
			}
			return RoleOther, "", nil
		}
	}
	if actor.Type != "" && !slices.Contains(actorTypes, actor.Type) {
		return "", "", fhirErr(field+".type", "want one of %s", strings.Join(actorTypes, ", "))
	}
	ref := actor.Reference
	switch {
	case ref != "" && !strings.HasPrefix(ref, "#") && !strings.HasPrefix(ref, "urn:"):
		typ, id, err := refID[string](field+".reference", ref, actorTypes...)
		if err != nil {
			return "", "", err
		}
		if actor.Type != "" && actor.Type != typ {
			return "", "", fhirErr(field+".type", "contradicts the reference type")
		}
		switch typ {
		case "Patient":
			return RoleClient, id, nil
		case "RelatedPerson":
			return RoleOther, "", nil
		}
		return RoleCalendar, id, nil
	case ref == "" && actor.Identifier != nil && actor.Identifier.System == CalendarSystem:
		if actor.Identifier.Value == "" {
			return "", "", fhirErr(field+".identifier.value", "is empty")
		}
		return RoleCalendar, actor.Identifier.Value, nil
	case actor.Type == "Patient" || actor.Identifier != nil && actor.Identifier.System == PersonalIdentitySystem:
		return RoleClient, "", nil
	}
	return RoleOther, "", nil
}

// resolveClient returns the client of a Patient known by identifier, if
// the host resolves it (Config.ClientByIdentifier). The identifier never
// appears in an error.
func (f *Mapping) resolveClient(field string, ident *Identifier) (carecontact.ClientRef, error) {
	if ident == nil || f.clientByIdentifier == nil {
		return "", nil
	}
	c, err := f.clientByIdentifier(*ident)
	if err != nil || c == "" {
		return "", fhirErr(field, "the host did not resolve the patient")
	}
	return c, nil
}

// sameSystem reports whether system is the mapping's visit-channel system,
// also written as an urn:oid: URI when the mapping's is a plain OID (HL7
// Finland's appointment profile fixes the plain OID, its published example
// writes the URI).
func (f *Mapping) sameSystem(system string) bool {
	return system == f.system || plainOID.MatchString(f.system) && system == "urn:oid:"+f.system
}

// importChannel reads the channel kind from Appointment.appointmentType:
// the ChannelSystem coding, else a national visit-channel code f knows
// (unknown national codes are left alone: another system may use codes the
// host has not configured). The two must agree.
func (f *Mapping) importChannel(cs []Coding) (channel.Kind, error) {
	var own, national channel.Kind
	nationalAt := -1
	for i, c := range cs {
		field := fmt.Sprintf("Appointment.appointmentType.coding[%d].code", i)
		switch {
		case c.System == ChannelSystem:
			k, err := channel.ParseKind(c.Code)
			if err != nil {
				return "", fhirErr(field, "is not a channel kind of %s", ChannelSystem)
			}
			own = k
		case f.sameSystem(c.System):
			if k, ok := f.byCode[c.Code]; ok {
				national, nationalAt = k, i
			}
		}
	}
	if own != "" && national != "" && own != national {
		return "", fhirErr(fmt.Sprintf("Appointment.appointmentType.coding[%d].code", nationalAt), "visit channel %s contradicts channel %s", national, own)
	}
	if own != "" {
		return own, nil
	}
	return national, nil
}

// clientExtensions appends to ext the extensions of what a client saw and
// answered while booking or waiting: the guidance version shown and the
// answers to the pre-questions.
func clientExtensions(ext []fhirExtension, guidanceVersion string, answers []booking.Answer) ([]fhirExtension, error) {
	if guidanceVersion != "" {
		ext = append(ext, fhirExtension{URL: ExtensionBase + "guidance-version", ValueString: guidanceVersion})
	}
	for i, ans := range answers {
		if ans.QuestionID == "" {
			return nil, fhirErr(fmt.Sprintf("Appointment.extension[%d].extension", len(ext)), "question is required (answer %d)", i)
		}
		// An empty answer is left out: an extension has a value (ext-1).
		sub := []fhirExtension{{URL: "question", ValueString: ans.QuestionID}}
		if ans.Text != "" {
			sub = append(sub, fhirExtension{URL: "answer", ValueString: ans.Text})
		}
		ext = append(ext, fhirExtension{URL: ExtensionBase + "pre-question-answer", Extension: sub})
	}
	return ext, nil
}
