package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

// Standard elements carry what FHIR has a place for; the rest (the service
// area, further participants of a slot, pre-question answers, the guidance
// version and the like) travels in extensions under ExtensionBase.
const (
	// ExtensionBase prefixes the URLs of this library's FHIR extensions.
	ExtensionBase = "https://carecontact.github.io/fhir/StructureDefinition/"
	// ServiceSystem prefixes the code system of an area's services; the
	// area ID follows.
	ServiceSystem = "https://carecontact.github.io/fhir/CodeSystem/service/"
	// ChannelSystem is the code system of channel.Kind values, used for
	// Appointment.appointmentType when no national code is known.
	ChannelSystem = "https://carecontact.github.io/fhir/CodeSystem/channel"
	// NationalVisitChannelSystem is THL - Asiointitapa (1.2.246.537.6.884),
	// version 2015, as HL7 Finland's Finnish Scheduling appointment profile
	// fixes Appointment.appointmentType.coding.system (the plain OID;
	// input/fsh/profiles/FiSchedulingAppointment.fsh). Import also reads
	// the urn:oid: form the guide's example appointment writes.
	NationalVisitChannelSystem = "1.2.246.537.6.884.2015"
	// CalendarSystem is the identifier system of calendar IDs. An
	// Appointment participant whose owner kind the exporter was not told
	// is written as a logical reference with this system.
	CalendarSystem = "https://carecontact.github.io/fhir/NamingSystem/calendar"
)

// The reference targets R4 allows for Appointment.participant.actor and for
// Schedule.actor (the same list for both).
var actorTypes = []string{"Patient", "Practitioner", "PractitionerRole", "RelatedPerson", "Device", "HealthcareService", "Location"}

// VisitChannelCode is a national Asiointitapa code (and its display text)
// for a channel kind.
type VisitChannelCode struct {
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}

// verifiedVisitChannels are the Asiointitapa codes this package could
// verify in a public source: "10 Kertakäynti toimipaikassa" (version 2015)
// in HL7 Finland's Finnish Scheduling implementation guide,
// github.com/fhir-fi/finnish-scheduling, input/fsh/examples/slot.fsh
// (Slot.appointmentType = urn:oid:1.2.246.537.6.884.2015#10) and
// input/examples/appointment.json. No public source available to this
// package gave the codes for phone or video visits, so they are not
// guessed: by default such appointments carry only ChannelSystem, and a
// host that has the verified code list (Kanta koodistopalvelu) supplies
// the codes with New. testdata/asiointitapa_verified.txt holds the
// same values with the citation.
var verifiedVisitChannels = map[channel.Kind]VisitChannelCode{
	channel.InPerson: {Code: "10", Display: "Kertakäynti toimipaikassa"},
}

// DefaultVisitChannels returns the verified Asiointitapa codes the package
// uses unless the host supplies its own (see Config): only in-person
// visits ("10 Kertakäynti toimipaikassa").
func DefaultVisitChannels() map[channel.Kind]VisitChannelCode {
	return maps.Clone(verifiedVisitChannels)
}

// Config configures a Mapping's national codes.
type Config struct {
	// VisitChannels are the Asiointitapa codes per channel kind written to
	// (and read from) Appointment.appointmentType beside the ChannelSystem
	// coding. A host that has verified the codes for phone and video
	// visits from the national code server passes the full map. A kind
	// without a code is exported with ChannelSystem only. Defaults to
	// DefaultVisitChannels().
	VisitChannels map[channel.Kind]VisitChannelCode
	// VisitChannelSystem is the code system of VisitChannels: an absolute
	// URI or a plain OID. Defaults to NationalVisitChannelSystem.
	VisitChannelSystem string
	// ClientByIdentifier gives the client's pseudonymous reference for a
	// Patient participant known only by an identifier (such as one of
	// PersonalIdentitySystem). The mapping never logs the identifier nor
	// puts it in an error. Defaults to nil: such an appointment is imported
	// without a Client and the participant is kept in Details.
	ClientByIdentifier func(Identifier) (carecontact.ClientRef, error)
	// Services maps foreign serviceType codings (such as THL - Sosiaali-
	// ja terveysalan palvelunimikkeistö, urn:oid:1.2.246.537.6.49.201501)
	// to the host's area and service. A Slot or Appointment without the
	// library's own service coding gets its service from the first
	// mapped coding; the foreign coding is kept and stands for the
	// service on export. Defaults to nil: no foreign coding is mapped.
	Services map[ServiceCoding]Service
}

// ServiceCoding names a serviceType coding by system and code.
type ServiceCoding struct {
	System string
	Code   string
}

// Service is an area's service.
type Service struct {
	Area    carecontact.AreaID
	Service string
}

// plainOID matches an OID without the urn:oid: prefix.
var plainOID = regexp.MustCompile(`^[0-2](\.(0|[1-9][0-9]*))+$`)

// Mapping is a FHIR R4 mapping with the host's national codes. It is
// read-only once built and safe for concurrent use. The package-level
// ExportAppointment and ImportAppointment use the defaults.
type Mapping struct {
	clientByIdentifier func(Identifier) (carecontact.ClientRef, error)
	services           map[ServiceCoding]Service
	system             string
	byKind             map[channel.Kind]Coding
	byCode             map[string]channel.Kind
}

// New checks cfg and returns the mapping. Every kind must be a known
// channel.Kind, every code non-empty without surrounding spaces, no code
// may stand for two kinds (import would be ambiguous), and the system must
// be an absolute URI; errors wrap booking.ErrInvalid and name the field.
func New(cfg Config) (*Mapping, error) {
	codes := cfg.VisitChannels
	if codes == nil {
		codes = verifiedVisitChannels
	}
	f := &Mapping{system: cfg.VisitChannelSystem, byKind: map[channel.Kind]Coding{}, byCode: map[string]channel.Kind{},
		clientByIdentifier: cfg.ClientByIdentifier}
	if f.system == "" {
		f.system = NationalVisitChannelSystem
	}
	if u, err := url.Parse(f.system); !plainOID.MatchString(f.system) && (err != nil || u.Scheme == "" || strings.TrimSpace(f.system) != f.system || strings.ContainsAny(f.system, " \t\r\n")) {
		return nil, fmt.Errorf("%w: fhirConfig.visitChannelSystem %q: want an absolute URI or an OID such as %s", booking.ErrInvalid, f.system, NationalVisitChannelSystem)
	}
	for _, k := range slices.Sorted(maps.Keys(codes)) {
		c := codes[k]
		field := fmt.Sprintf("fhirConfig.visitChannels[%q]", k)
		switch {
		case !k.Valid():
			return nil, fmt.Errorf("%w: %s: unknown channel kind (want one of %v)", booking.ErrInvalid, field, channel.Kinds())
		case c.Code == "":
			return nil, fmt.Errorf("%w: %s.code is empty", booking.ErrInvalid, field)
		case strings.TrimSpace(c.Code) != c.Code || strings.ContainsAny(c.Code, " \t\r\n"):
			return nil, fmt.Errorf("%w: %s.code %q: a code has no spaces", booking.ErrInvalid, field, c.Code)
		}
		if other, dup := f.byCode[c.Code]; dup {
			return nil, fmt.Errorf("%w: %s.code %q: already the code of %s", booking.ErrInvalid, field, c.Code, other)
		}
		f.byKind[k] = Coding{System: f.system, Code: c.Code, Display: c.Display}
		f.byCode[c.Code] = k
	}
	for _, sc := range slices.SortedFunc(maps.Keys(cfg.Services), func(a, b ServiceCoding) int {
		return strings.Compare(a.System+"|"+a.Code, b.System+"|"+b.Code)
	}) {
		svc := cfg.Services[sc]
		field := fmt.Sprintf("fhirConfig.services[%s|%s]", sc.System, sc.Code)
		switch {
		case sc.System == "" || sc.Code == "":
			return nil, fmt.Errorf("%w: %s: system and code are required", booking.ErrInvalid, field)
		case strings.HasPrefix(sc.System, ServiceSystem):
			return nil, fmt.Errorf("%w: %s: the library's own codes need no mapping", booking.ErrInvalid, field)
		case svc.Area == "" || svc.Service == "":
			return nil, fmt.Errorf("%w: %s: area and service are required", booking.ErrInvalid, field)
		}
	}
	f.services = maps.Clone(cfg.Services)
	return f, nil
}

// VisitChannel returns the national coding of kind k, if the mapping has
// one.
func (f *Mapping) VisitChannel(k channel.Kind) (system string, code VisitChannelCode, ok bool) {
	c, ok := f.byKind[k]
	return c.System, VisitChannelCode{Code: c.Code, Display: c.Display}, ok
}

// MappedService returns the area's service a foreign serviceType coding
// stands for in the host's Config.Services (a FHIR API reads a
// service-type search token with it); ok is false for a coding it does
// not map.
func (f *Mapping) MappedService(system, code string) (svc Service, ok bool) {
	svc, ok = f.services[ServiceCoding{System: system, Code: code}]
	return svc, ok
}

// defaultMapping is the mapping with the verified codes; it is never changed.
var defaultMapping = func() *Mapping {
	f := &Mapping{system: NationalVisitChannelSystem, byKind: map[channel.Kind]Coding{}, byCode: map[string]channel.Kind{}}
	for k, c := range verifiedVisitChannels {
		f.byKind[k] = Coding{System: f.system, Code: c.Code, Display: c.Display}
		f.byCode[c.Code] = k
	}
	return f
}()

// Coding is a FHIR R4 Coding. ID and Extension are the element's id and
// extensions, kept as they came; the fields ending in Element are the
// JSON "_name" siblings of its primitives (their id and extensions), kept
// as they came.
type Coding struct {
	ID           string            `json:"id,omitempty"`
	Extension    []json.RawMessage `json:"extension,omitempty"`
	System       string            `json:"system,omitempty"`
	Version      string            `json:"version,omitempty"`
	Code         string            `json:"code,omitempty"`
	Display      string            `json:"display,omitempty"`
	UserSelected *bool             `json:"userSelected,omitempty"`

	SystemElement       json.RawMessage `json:"_system,omitempty"`
	VersionElement      json.RawMessage `json:"_version,omitempty"`
	CodeElement         json.RawMessage `json:"_code,omitempty"`
	DisplayElement      json.RawMessage `json:"_display,omitempty"`
	UserSelectedElement json.RawMessage `json:"_userSelected,omitempty"`
}

// Concept is a FHIR R4 CodeableConcept. ID and Extension are the
// element's id and extensions, kept as they came; TextElement is the
// "_text" sibling of its text.
type Concept struct {
	ID          string            `json:"id,omitempty"`
	Extension   []json.RawMessage `json:"extension,omitempty"`
	Coding      []Coding          `json:"coding,omitempty"`
	Text        string            `json:"text,omitempty"`
	TextElement json.RawMessage   `json:"_text,omitempty"`
}

// Reference is a FHIR R4 Reference: a literal reference (relative
// "Type/id", absolute, versioned or a contained "#id"), its type, a logical
// reference by identifier and a display text. ID and Extension are the
// element's id and extensions, kept as they came; the fields ending in
// Element are the "_name" siblings of its primitives.
type Reference struct {
	ID         string            `json:"id,omitempty"`
	Extension  []json.RawMessage `json:"extension,omitempty"`
	Reference  string            `json:"reference,omitempty"`
	Type       string            `json:"type,omitempty"`
	Identifier *Identifier       `json:"identifier,omitempty"`
	Display    string            `json:"display,omitempty"`

	ReferenceElement json.RawMessage `json:"_reference,omitempty"`
	TypeElement      json.RawMessage `json:"_type,omitempty"`
	DisplayElement   json.RawMessage `json:"_display,omitempty"`
}

type fhirReference = Reference

// isZero reports whether r has nothing: no reference, type, identifier,
// display, id or extension.
func (r Reference) isZero() bool {
	return r.Reference == "" && r.Type == "" && r.Identifier == nil && r.Display == "" && r.ID == "" && len(r.Extension) == 0 &&
		r.ReferenceElement == nil && r.TypeElement == nil && r.DisplayElement == nil
}

// Identifier is a FHIR R4 Identifier. Its String method leaves the value
// out, so a personal identity code printed by mistake does not reach a log.
// ID and Extension are the element's id and extensions, kept as they came;
// the fields ending in Element are the "_name" siblings of its primitives.
type Identifier struct {
	ID        string            `json:"id,omitempty"`
	Extension []json.RawMessage `json:"extension,omitempty"`
	Use       string            `json:"use,omitempty"`
	Type      *Concept          `json:"type,omitempty"`
	System    string            `json:"system,omitempty"`
	Value     string            `json:"value,omitempty"`
	Period    *Period           `json:"period,omitempty"`
	Assigner  *Reference        `json:"assigner,omitempty"`

	UseElement    json.RawMessage `json:"_use,omitempty"`
	SystemElement json.RawMessage `json:"_system,omitempty"`
	ValueElement  json.RawMessage `json:"_value,omitempty"`
}

// String returns the identifier's system and the length of its value, never
// the value.
func (i Identifier) String() string {
	return fmt.Sprintf("Identifier{system: %q, value: %d characters}", i.System, len(i.Value))
}

// GoString is String, for %#v.
func (i Identifier) GoString() string { return i.String() }

// Period is a FHIR R4 Period. ID and Extension are the element's id and
// extensions, kept as they came; StartElement and EndElement are the
// "_start" and "_end" siblings of its times.
type Period struct {
	ID        string            `json:"id,omitempty"`
	Extension []json.RawMessage `json:"extension,omitempty"`
	Start     string            `json:"start,omitempty"`
	End       string            `json:"end,omitempty"`

	StartElement json.RawMessage `json:"_start,omitempty"`
	EndElement   json.RawMessage `json:"_end,omitempty"`
}

type fhirPeriod = Period

type fhirExtension struct {
	URL         string          `json:"url"`
	ValueString string          `json:"valueString,omitempty"`
	ValueBool   *bool           `json:"valueBoolean,omitempty"`
	ValueInst   string          `json:"valueInstant,omitempty"`
	ValueCoding *Coding         `json:"valueCoding,omitempty"`
	ValueRef    *fhirReference  `json:"valueReference,omitempty"`
	Extension   []fhirExtension `json:"extension,omitempty"`
}

type fhirParticipant struct {
	ID        string            `json:"id,omitempty"`
	Extension []json.RawMessage `json:"extension,omitempty"`
	Type      []Concept         `json:"type,omitempty"`
	Actor     Reference         `json:"actor,omitzero"`
	Required  string            `json:"required,omitempty"`
	Status    string            `json:"status"`
	Period    *Period           `json:"period,omitempty"`

	RequiredElement json.RawMessage `json:"_required,omitempty"`
	StatusElement   json.RawMessage `json:"_status,omitempty"`
}

// primitiveElement is the JSON "_name" sibling of a primitive: its id and
// extensions.
type primitiveElement struct {
	ID        string            `json:"id,omitempty"`
	Extension []json.RawMessage `json:"extension,omitempty"`
}

type fhirResource struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id,omitempty"`
	Extension         []fhirExtension   `json:"extension,omitempty"`
	Identifier        []Identifier      `json:"identifier,omitempty"`
	Active            *bool             `json:"active,omitempty"`
	Actor             []fhirReference   `json:"actor,omitempty"`
	PlanningHorizon   *fhirPeriod       `json:"planningHorizon,omitempty"`
	Schedule          *fhirReference    `json:"schedule,omitempty"`
	Status            string            `json:"status,omitempty"`
	StatusElement     *primitiveElement `json:"_status,omitempty"`
	CancelationReason *Concept          `json:"cancelationReason,omitempty"`
	ServiceCategory   []Concept         `json:"serviceCategory,omitempty"`
	ServiceType       []Concept         `json:"serviceType,omitempty"`
	Specialty         []Concept         `json:"specialty,omitempty"`
	AppointmentType   *Concept          `json:"appointmentType,omitempty"`
	Start             string            `json:"start,omitempty"`
	End               string            `json:"end,omitempty"`
	Created           string            `json:"created,omitempty"`
	Overbooked        *bool             `json:"overbooked,omitempty"`
	Comment           string            `json:"comment,omitempty"`
	Participant       []fhirParticipant `json:"participant,omitempty"`
	// wireID is the id as it came, before importID.
	wireID string
	// rawExtension are the extensions as they came, by index of Extension.
	rawExtension []json.RawMessage
	// elements are the elements the mapping does not read, as they came.
	elements map[string]json.RawMessage
}

// instant writes t as a FHIR instant in UTC, with its fractional seconds
// when it has any (R4 instants may carry sub-second precision).
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// TimeText is how an instant came written (its offset, its fraction
// digits: "2020-01-01T12:00:00+02:00", "07:00:00.500Z"), by element name
// ("start", "end", "created"). An exporter writes an element's text as it
// came while it is still the same instant, so that a resource comes back
// as it came; otherwise, and for an element not in it, it writes UTC.
type TimeText map[string]string

// keep records s as the text of element name, if it is a full instant
// written otherwise than the exporter writes it (UTC, fraction digits
// without trailing zeros).
func (tt *TimeText) keep(name, s string) {
	if s == "" || len(s) <= len("2006-01-02") {
		return // empty, or a date: its precision says how to write it
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err != nil || instant(t) == s {
		return
	}
	if *tt == nil {
		*tt = TimeText{}
	}
	(*tt)[name] = s
}

// instant writes t for element name: the text it came with while that is
// still t, else instant(t).
func (tt TimeText) instant(name string, t time.Time) string {
	if s, ok := tt[name]; ok {
		if at, err := time.Parse(time.RFC3339Nano, s); err == nil && at.Equal(t) {
			return s
		}
	}
	return instant(t)
}

// reference returns the reference "Type/id" to a resource of type typ,
// with id escaped to a FHIR id (see exportID).
func reference[ID ~string](field, typ string, id ID) (fhirReference, error) {
	s, err := exportID(field, string(id))
	if err != nil {
		return fhirReference{}, err
	}
	return fhirReference{Reference: typ + "/" + s}, nil
}

func actorType(kind booking.OwnerKind) string {
	switch kind {
	case booking.OwnerTeam:
		return "HealthcareService"
	case booking.OwnerResource:
		return "Location"
	}
	return "Practitioner"
}

// ExportSchedule returns the FHIR R4 Schedule of calendar c over horizon.
func ExportSchedule(c booking.Calendar, horizon booking.Interval) ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	id, err := exportID("Schedule.id", string(c.ID))
	if err != nil {
		return nil, err
	}
	actor, err := reference("Schedule.actor[0].reference", actorType(c.Kind), c.ID)
	if err != nil {
		return nil, err
	}
	active := true
	r := fhirResource{ResourceType: "Schedule", ID: id, Active: &active,
		Actor:     []fhirReference{actor},
		Extension: []fhirExtension{{URL: ExtensionBase + "service-area", ValueString: string(c.Area)}}}
	if !horizon.Start.IsZero() || !horizon.End.IsZero() {
		r.PlanningHorizon = &fhirPeriod{}
		if !horizon.Start.IsZero() {
			r.PlanningHorizon.Start = instant(horizon.Start)
		}
		if !horizon.End.IsZero() {
			r.PlanningHorizon.End = instant(horizon.End)
		}
	}
	return json.Marshal(r)
}

// SlotStatus is FHIR R4 Slot.status.
type SlotStatus string

// The slot statuses.
const (
	SlotFree            SlotStatus = "free"
	SlotBusy            SlotStatus = "busy"
	SlotBusyUnavailable SlotStatus = "busy-unavailable"
	SlotBusyTentative   SlotStatus = "busy-tentative"
	SlotEnteredInError  SlotStatus = "entered-in-error"
)

// ExportSlot returns slot as a FHIR R4 Slot of the first participant's
// Schedule; the other participants travel in "participant" extensions.
func ExportSlot(s booking.Slot, status SlotStatus) ([]byte, error) {
	return defaultMapping.ExportSlotDetails(s, status, SlotDetails{})
}

// ExportSlot is the package's ExportSlot with f's service mapping.
func (f *Mapping) ExportSlot(s booking.Slot, status SlotStatus) ([]byte, error) {
	return f.ExportSlotDetails(s, status, SlotDetails{})
}

// SlotDetails are what a Slot has that booking.Slot does not hold: its
// id, the serviceType concepts of other code systems and the elements
// booking has no place for.
type SlotDetails struct {
	// ID is the Slot's FHIR id as it came; export writes it unchanged.
	// Empty means the exporter derives one from the first participant and
	// the start.
	ID string
	// Identifier are the Slot's business identifiers.
	Identifier []Identifier
	// ServiceCategory, Specialty and AppointmentType are kept as they
	// came.
	ServiceCategory []Concept
	// ServiceType are the serviceType concepts without this library's own
	// service coding.
	ServiceType     []Concept
	Specialty       []Concept
	AppointmentType *Concept
	// Overbooked is Slot.overbooked; nil leaves it out.
	Overbooked *bool
	Comment    string
	// Schedule is Slot.schedule as it came (with its display, say). The
	// exporter writes it while it still refers to the first participant.
	Schedule *Reference
	// Elements are the Slot's elements the mapping does not read (meta,
	// text and the like), by JSON name, as they came.
	Elements map[string]json.RawMessage
	// Extension are the extensions the mapping does not read, as they came.
	Extension []json.RawMessage
	// Times are start and end as they came written (see TimeText).
	Times TimeText
}

// ExportSlotDetails is ExportSlot with the details booking.Slot does not
// hold.
func ExportSlotDetails(s booking.Slot, status SlotStatus, d SlotDetails) ([]byte, error) {
	return defaultMapping.ExportSlotDetails(s, status, d)
}

// ExportSlotDetails is the package's ExportSlotDetails with f's service
// mapping.
func (f *Mapping) ExportSlotDetails(s booking.Slot, status SlotStatus, d SlotDetails) ([]byte, error) {
	if len(s.Participants) == 0 || !s.Start.Before(s.End) {
		return nil, fmt.Errorf("%w: slot needs participants and start before end", booking.ErrInvalid)
	}
	services, err := f.serviceTypes("Slot.serviceType", s.Area, s.Service, d.ServiceType)
	if err != nil {
		return nil, err
	}
	schedule, err := reference("Slot.schedule.reference", "Schedule", s.Participants[0])
	if err != nil {
		return nil, err
	}
	id := d.ID
	switch {
	case id == "":
		if id, err = exportID("Slot.id", string(s.Participants[0])+"-"+s.Start.UTC().Format("20060102T1504Z")); err != nil {
			return nil, err
		}
	case !validID(id):
		return nil, fhirErr("Slot.id", "is not a FHIR id ([A-Za-z0-9-.]{1,64})")
	}
	r := fhirResource{ResourceType: "Slot", ID: id, Schedule: &schedule,
		Status: string(status), Start: d.Times.instant("start", s.Start), End: d.Times.instant("end", s.End), ServiceType: services,
		Identifier: cloneIdentifiers(d.Identifier), ServiceCategory: cloneConcepts(d.ServiceCategory),
		Specialty: cloneConcepts(d.Specialty), Comment: d.Comment}
	if d.AppointmentType != nil {
		at := cloneConcept(*d.AppointmentType)
		r.AppointmentType = &at
	}
	if d.Overbooked != nil {
		ob := *d.Overbooked
		r.Overbooked = &ob
	}
	for _, p := range s.Participants[1:] {
		ref, err := reference(fmt.Sprintf("Slot.extension[%d].valueReference.reference", len(r.Extension)), "Schedule", p)
		if err != nil {
			return nil, err
		}
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "participant", ValueRef: &ref})
	}
	if s.Block != "" {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "block-type", ValueString: string(s.Block)})
	}
	if d.Schedule != nil {
		if _, id, err := refID[booking.CalendarID]("Slot.schedule.reference", d.Schedule.Reference, "Schedule"); err == nil && id == s.Participants[0] {
			ref := cloneReference(*d.Schedule)
			r.Schedule = &ref
		}
	}
	return marshal(r, d.Elements, d.Extension)
}

// ExportAppointment returns a as a FHIR R4 Appointment. The client is the
// Patient participant by pseudonymous reference; the national status code
// (Ajanvarauksen tila) goes in HL7 Finland's extension on status, the
// answers and the guidance version in the library's extensions.
func ExportAppointment(a booking.Appointment, owners ...booking.Calendar) ([]byte, error) {
	return defaultMapping.ExportAppointment(a, owners...)
}

// ExportAppointment returns a as a FHIR R4 Appointment with f's national
// visit-channel codes. A participant whose calendar is among owners is
// referenced as its owner: Practitioner, HealthcareService (a team) or
// Location (a resource). Any other participant is a logical reference by
// identifier of CalendarSystem.
func (f *Mapping) ExportAppointment(a booking.Appointment, owners ...booking.Calendar) ([]byte, error) {
	return f.ExportAppointmentDetails(a, Details{}, owners...)
}

// ExportAppointmentDetails is ExportAppointment with the details the
// booking model does not hold: participant.status and participant.required
// (a participant without one gets DefaultParticipation), the codings of the
// cancellation reason and the precision of created.
func ExportAppointmentDetails(a booking.Appointment, p Details, owners ...booking.Calendar) ([]byte, error) {
	return defaultMapping.ExportAppointmentDetails(a, p, owners...)
}

// participantRef returns the actor reference of calendar id: its owner's
// resource if owners has the calendar, else a logical reference.
func participantRef(field string, id booking.CalendarID, owners []booking.Calendar) (fhirReference, error) {
	for _, c := range owners {
		if c.ID == id {
			return reference(field+".reference", actorType(c.Kind), id)
		}
	}
	if id == "" {
		return fhirReference{}, fhirErr(field+".identifier.value", "is empty")
	}
	return fhirReference{Identifier: &Identifier{System: CalendarSystem, Value: string(id)}}, nil
}

// Error reports invalid FHIR input; Field is the path of the offending
// element, e.g. "Appointment.participant[1].actor.reference".
type Error struct {
	Field  string
	Reason string
}

// Error returns "booking: fhir: <field>: <reason>".
func (e *Error) Error() string { return "booking: fhir: " + e.Field + ": " + e.Reason }

// Unwrap makes an Error match booking.ErrInvalid and through it
// carecontact.ErrInvalid.
func (e *Error) Unwrap() error { return booking.ErrInvalid }

func fhirErr(field, format string, args ...any) error {
	return &Error{Field: clip(field), Reason: clip(fmt.Sprintf(format, args...))}
}

// maxReason bounds the field and reason of an *Error, which may quote the
// input: a megabyte of it does not come back in the error.
const maxReason = 200

// clip cuts s to maxReason bytes, at a rune boundary, marking the cut.
func clip(s string) string {
	if len(s) <= maxReason {
		return s
	}
	return strings.ToValidUTF8(s[:maxReason], "") + "…"
}

// checkYear refuses an instant outside the years 1 to 9999 that the
// booking calendars compute.
func checkYear(field string, t time.Time) error {
	if y := t.Year(); y < 1 || y > 9999 {
		return fhirErr(field, "year %d: want 0001 to 9999", y)
	}
	return nil
}

// known are the elements each importer reads; the others are kept as they
// came (see Details.Elements).
var known = map[string][]string{
	"Schedule":            {"active", "actor", "planningHorizon"},
	"Slot":                {"identifier", "serviceCategory", "serviceType", "specialty", "appointmentType", "schedule", "status", "start", "end", "overbooked", "comment"},
	"Appointment":         {"status", "_status", "cancelationReason", "serviceType", "appointmentType", "start", "end", "created", "participant"},
	"AppointmentResponse": {"appointment", "start", "end", "participantType", "actor", "participantStatus", "comment"},
}

func decode(data []byte, want string) (fhirResource, error) {
	return decodeID(data, want, true)
}

// decodeCreate is decode for a resource that may come without an id (R4
// id is 0..1): one a create (POST) sends, for the server to name.
func decodeCreate(data []byte, want string) (fhirResource, error) {
	return decodeID(data, want, false)
}

func decodeID(data []byte, want string, needID bool) (fhirResource, error) {
	var r fhirResource
	env, err := decodeEnvelope(data, want, &r, needID)
	r.ID, r.wireID, r.rawExtension, r.elements = env.id, env.wireID, env.rawExtension, env.elements
	return r, err
}

// envelope is what every importer reads the same way: the id (unescaped,
// and as it came), the extensions as they came and the elements the
// importer does not read.
type envelope struct {
	id, wireID   string
	rawExtension []json.RawMessage
	elements     map[string]json.RawMessage
}

// decodeEnvelope decodes data, a resource of type want, into v and
// returns its envelope; without needID a resource without an id is read
// with an empty one.
func decodeEnvelope(data []byte, want string, v any, needID bool) (envelope, error) {
	var env envelope
	if !utf8.Valid(data) {
		return env, fhirErr(want, "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return env, fhirErr(want+"."+te.Field, "want a JSON %s, got %s", te.Type, te.Value)
		}
		return env, fhirErr(want, "not a JSON resource: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return env, fhirErr(want, "data after the resource")
	}
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		return env, fhirErr(want, "not a JSON resource: %v", err)
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return env, fhirErr(want, "not a JSON resource: %v", err)
	}
	if head.ResourceType != want {
		return env, fhirErr(want+".resourceType", "got %q", head.ResourceType)
	}
	if err := localReferences(want, data); err != nil {
		return env, err
	}
	if raw, ok := all["modifierExtension"]; ok && string(raw) != "null" && string(raw) != "[]" {
		return env, fhirErr(want+".modifierExtension", "is not understood by this mapping")
	}
	if raw, ok := all["implicitRules"]; ok && string(raw) != "null" {
		// A modifier element (R4 Resource.implicitRules): a system that
		// does not know the rules must not process the resource.
		return env, fhirErr(want+".implicitRules", "is not understood by this mapping")
	}
	if raw, ok := all["extension"]; ok {
		if err := json.Unmarshal(raw, &env.rawExtension); err != nil {
			return env, fhirErr(want+".extension", "want a JSON array")
		}
	}
	for k, v := range all {
		if k == "resourceType" || k == "id" || k == "extension" || slices.Contains(known[want], k) {
			continue
		}
		if env.elements == nil {
			env.elements = map[string]json.RawMessage{}
		}
		env.elements[k] = v
	}
	if head.ID == "" {
		if !needID {
			return env, nil
		}
		return env, fhirErr(want+".id", "is empty")
	}
	id, err := importID(want+".id", head.ID)
	if err != nil {
		return env, err
	}
	env.id, env.wireID = id, head.ID
	return env, nil
}

// localReferences checks R4 invariant ref-1 on the resource data of type
// typ: every local reference "#id" in it, its contained resources'
// included, names one of its contained resources (a Reference's
// "reference.startsWith('#').not() or (reference.substring(1) in
// %rootResource.contained.id)"). Taken as written, "#" alone names none.
func localReferences(typ string, data []byte) error {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return fhirErr(typ, "not a JSON resource: %v", err)
	}
	ids := map[string]bool{}
	cs, _ := root["contained"].([]any)
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok {
			if id, ok := m["id"].(string); ok {
				ids[id] = true
			}
		}
	}
	var walk func(v any, path string) error
	walk = func(v any, path string) error {
		switch x := v.(type) {
		case map[string]any:
			if path != typ {
				// R4: a modifier extension that is not understood must not
				// be ignored, wherever it is (the resource's own is refused
				// by decodeResource).
				if me, ok := x["modifierExtension"]; ok && me != nil {
					if arr, isArr := me.([]any); !isArr || len(arr) > 0 {
						return fhirErr(path+".modifierExtension", "is not understood by this mapping")
					}
				}
			}
			if ref, ok := x["reference"].(string); ok {
				if id, local := strings.CutPrefix(ref, "#"); local && !ids[id] {
					return fhirErr(path+".reference", "a local reference that no contained resource's id matches (ref-1)")
				}
			}
			keys := slices.Sorted(maps.Keys(x))
			for _, k := range keys {
				if err := walk(x[k], path+"."+k); err != nil {
					return err
				}
			}
		case []any:
			for i, e := range x {
				if err := walk(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, typ)
}

// marshal writes r and then the elements kept as they came, in the order of
// their names; an element r writes itself may not be among them.
func marshal(r any, elements map[string]json.RawMessage, extra []json.RawMessage) ([]byte, error) {
	out, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	if len(extra) > 0 {
		// Foreign extensions follow the library's own.
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			return nil, err
		}
		var exts []json.RawMessage
		if raw, ok := m["extension"]; ok {
			if err := json.Unmarshal(raw, &exts); err != nil {
				return nil, err
			}
		}
		for i, e := range extra {
			if !json.Valid(e) {
				return nil, fhirErr(fmt.Sprintf("extension[%d]", len(exts)+i), "is not JSON")
			}
		}
		exts = append(exts, extra...)
		raw, err := json.Marshal(exts)
		if err != nil {
			return nil, err
		}
		if elements == nil {
			elements = map[string]json.RawMessage{}
		} else {
			elements = maps.Clone(elements)
		}
		if _, dup := elements["extension"]; dup {
			return nil, fhirErr("extension", "is written by the mapping")
		}
		if _, ok := m["extension"]; ok {
			// Rewrite r without its extensions, then add them all.
			delete(m, "extension")
			out, err = rewrite(out, "extension")
			if err != nil {
				return nil, err
			}
		}
		elements["extension"] = raw
	}
	if len(elements) == 0 {
		return out, nil
	}
	var have map[string]json.RawMessage
	if err := json.Unmarshal(out, &have); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Write(out[:len(out)-1])
	for _, k := range slices.Sorted(maps.Keys(elements)) {
		if _, dup := have[k]; dup {
			return nil, fhirErr(k, "is written by the mapping, not kept as it came")
		}
		if !json.Valid(elements[k]) {
			return nil, fhirErr(k, "is not JSON")
		}
		key, _ := json.Marshal(k)
		if len(have) > 0 || b.Len() > 1 {
			b.WriteByte(',')
		}
		b.Write(key)
		b.WriteByte(':')
		b.Write(elements[k])
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// rewrite returns the JSON object out without its member name, keeping the
// order of the others.
func rewrite(out []byte, name string) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if t.(string) == name {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(t.(string))
		b.Write(key)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func parseInstant(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fhirErr(field, "is empty")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fhirErr(field, "want an instant with a time zone")
	}
	if err := checkYear(field, t); err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func parsePeriod(prefix, start, end string) (booking.Interval, error) {
	s, err := parseInstant(prefix+"start", start)
	if err != nil {
		return booking.Interval{}, err
	}
	e, err := parseInstant(prefix+"end", end)
	if err != nil {
		return booking.Interval{}, err
	}
	if !s.Before(e) {
		return booking.Interval{}, fhirErr(prefix+"end", "must be after start")
	}
	return booking.Interval{Start: s, End: e}, nil
}

// literalRef matches a literal reference: relative or absolute, with an
// optional version.
var literalRef = regexp.MustCompile(`^(?:[a-z][a-z0-9+.-]*://\S+/)?([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$`)

// refID returns the type and the ID of a literal reference to one of the
// types: "Type/id", absolute ("https://host/fhir/Type/id") or versioned
// ("Type/id/_history/2").
func refID[ID ~string](field, ref string, types ...string) (string, ID, error) {
	m := literalRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", fhirErr(field, "want Type/id")
	}
	typ, id := m[1], m[2]
	for _, t := range types {
		if t == typ {
			s, err := importID(field, id)
			return typ, ID(s), err
		}
	}
	return "", "", fhirErr(field, "reference type: want one of %s", strings.Join(types, ", "))
}

// serviceOf reads the area and the service from the one coding of
// ServiceSystem<area> in cs, if there is one, and returns the other
// concepts without it. A concept left with no coding and no text is
// dropped.
// Without it, a foreign coding the host mapped (Config.Services) gives
// them.
func (f *Mapping) serviceOf(field string, cs []Concept) (area carecontact.AreaID, code string, foreign []Concept, err error) {
	for i, c := range cs {
		var kept []Coding
		for j, cd := range c.Coding {
			a, ok := strings.CutPrefix(cd.System, ServiceSystem)
			if !ok {
				kept = append(kept, cd)
				continue
			}
			at := fmt.Sprintf("%s[%d].coding[%d]", field, i, j)
			switch {
			case a == "" || cd.Code == "":
				return "", "", nil, fhirErr(at, "service area and code are required")
			case area != "" && (carecontact.AreaID(a) != area || cd.Code != code):
				return "", "", nil, fhirErr(at, "a second service of this library")
			}
			area, code = carecontact.AreaID(a), cd.Code
		}
		if len(kept) < len(c.Coding) && !bareOwnConcept(c) {
			// The library's coding in a concept with more (a text, other
			// codings, an id, extensions): the concept is kept whole, as it
			// came, the library's coding in it; the exporter writes the
			// entry's service there.
			foreign = append(foreign, cloneConcept(c))
			continue
		}
		if len(kept) < len(c.Coding) && area != "" {
			// The mapped coding the exporter writes beside the library's
			// own stands for the same service: it is derived, not kept.
			kept = slices.DeleteFunc(kept, func(cd Coding) bool {
				svc, ok := f.services[ServiceCoding{System: cd.System, Code: cd.Code}]
				return ok && svc == Service{Area: area, Service: code}
			})
		}
		if len(kept) > 0 || c.Text != "" {
			foreign = append(foreign, Concept{ID: c.ID, Extension: c.Extension, Coding: kept, Text: c.Text})
		}
	}
	if area != "" || len(f.services) == 0 {
		return area, code, foreign, nil
	}
	var found *Service
	for i, c := range foreign {
		for j, cd := range c.Coding {
			svc, ok := f.services[ServiceCoding{System: cd.System, Code: cd.Code}]
			if !ok {
				continue
			}
			if found != nil && *found != svc {
				return "", "", nil, fhirErr(fmt.Sprintf("%s[%d].coding[%d]", field, i, j), "maps to a second service")
			}
			found = &svc
		}
	}
	if found != nil {
		area, code = found.Area, found.Service
	}
	return area, code, foreign, nil
}

// serviceTypes returns the serviceType concepts: the library's own coding
// of area and service first, if they are given (both or neither), then
// foreign. The library's coding is left out when a foreign coding the host
// mapped to the same service stands for it.
func (f *Mapping) serviceTypes(field string, area carecontact.AreaID, service string, foreign []Concept) ([]Concept, error) {
	if (area == "") != (service == "") {
		return nil, fhirErr(field, "area and service are both given or both absent")
	}
	mapped := false
	for _, c := range foreign {
		for _, cd := range c.Coding {
			if svc, ok := f.services[ServiceCoding{System: cd.System, Code: cd.Code}]; ok && svc == (Service{Area: area, Service: service}) {
				mapped = true
			}
			// A concept kept whole with the library's coding in it stands
			// for the service.
			mapped = mapped || area != "" && strings.HasPrefix(cd.System, ServiceSystem) && !bareOwnConcept(c)
		}
	}
	var cs []Concept
	if area != "" && !mapped {
		own := Concept{Coding: []Coding{{System: ServiceSystem + string(area), Code: service}}}
		// The host's mapped codings of the service (THL, say) go beside
		// the library's own, in the order of their system and code.
		for _, sc := range slices.SortedFunc(maps.Keys(f.services), func(a, b ServiceCoding) int {
			return strings.Compare(a.System+"|"+a.Code, b.System+"|"+b.Code)
		}) {
			if f.services[sc] == (Service{Area: area, Service: service}) {
				own.Coding = append(own.Coding, Coding{System: sc.System, Code: sc.Code})
			}
		}
		cs = append(cs, own)
	}
	owns := 0
	for i, c := range foreign {
		c = cloneConcept(c)
		for j, cd := range c.Coding {
			if !strings.HasPrefix(cd.System, ServiceSystem) {
				continue
			}
			// A concept kept whole with the library's coding in it (see
			// serviceOf): the coding names the entry's service now. There
			// is one such coding, only with a service, and never alone
			// (that one the exporter writes itself).
			if owns++; area == "" || owns > 1 || bareOwnConcept(c) {
				return nil, fhirErr(fmt.Sprintf("%s[%d].coding[%d]", field, len(cs)+i, j), "the library's own service coding comes from area and service")
			}
			if cd.System != ServiceSystem+string(area) || cd.Code != service {
				cd.System, cd.Code, cd.Display = ServiceSystem+string(area), service, ""
				c.Coding[j] = cd
			}
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// bareOwnConcept reports whether c is the library's service coding alone:
// no text, id or extension, and the coding has nothing but system and code
// (ExportAppointment's own concept).
func bareOwnConcept(c Concept) bool {
	if len(c.Coding) != 1 || c.Text != "" || c.ID != "" || len(c.Extension) > 0 || c.TextElement != nil {
		return false
	}
	cd := c.Coding[0]
	return strings.HasPrefix(cd.System, ServiceSystem) && cd.ID == "" && len(cd.Extension) == 0 && cd.Version == "" &&
		cd.Display == "" && cd.UserSelected == nil && cd.SystemElement == nil && cd.VersionElement == nil &&
		cd.CodeElement == nil && cd.DisplayElement == nil && cd.UserSelectedElement == nil
}

func cloneConcept(c Concept) Concept {
	c.Coding, c.Extension = slices.Clone(c.Coding), slices.Clone(c.Extension)
	return c
}

func cloneConcepts(cs []Concept) []Concept {
	var out []Concept
	for _, c := range cs {
		out = append(out, cloneConcept(c))
	}
	return out
}

func cloneIdentifiers(ids []Identifier) []Identifier {
	var out []Identifier
	for _, id := range ids {
		if id.Type != nil {
			t := cloneConcept(*id.Type)
			id.Type = &t
		}
		out = append(out, id)
	}
	return out
}

// ScheduleInfo is what ImportSchedule reads from a FHIR Schedule.
type ScheduleInfo struct {
	ID booking.CalendarID
	// Kind is the owner kind of the actor's resource type; it is empty for
	// a Patient's or a RelatedPerson's schedule, which no booking owner
	// kind stands for.
	Kind booking.OwnerKind
	// Actor is the owner, by the ID its calendar has (see
	// booking.CalendarID).
	Actor booking.CalendarID
	// ActorType is the actor's FHIR resource type, e.g. "Practitioner".
	ActorType string
	Area      carecontact.AreaID
	Active    bool
	// ActiveAbsent records that the Schedule came without active (which R4
	// reads as active); export leaves it out again while Active is true.
	ActiveAbsent bool
	// Horizon is planningHorizon; either end may be zero (an open-ended
	// horizon, R4 Period allows it).
	Horizon booking.Interval
	// HorizonID and HorizonExtension are planningHorizon's element id and
	// extensions, as they came.
	HorizonID        string
	HorizonExtension []json.RawMessage
	// HorizonStartPrecision and HorizonEndPrecision are the precisions of
	// planningHorizon's start and end (a date only, say); zero is a full
	// instant.
	HorizonStartPrecision, HorizonEndPrecision Precision
	// HorizonTimes are planningHorizon's start and end as they came
	// written (see TimeText), and HorizonStartElement and
	// HorizonEndElement their "_start" and "_end" siblings.
	HorizonTimes                           TimeText
	HorizonStartElement, HorizonEndElement json.RawMessage
	// Actors are all of the Schedule's actors, the first one included.
	Actors []ScheduleActor
	// Elements are the Schedule's elements the mapping does not read
	// (identifier, serviceCategory, serviceType, specialty, comment, meta,
	// text and the like), by JSON name, as they came.
	Elements map[string]json.RawMessage
	// Extension are the extensions the mapping does not read, as they came.
	Extension []json.RawMessage
}

// ScheduleActor is one Schedule.actor: its resource type and id, its
// display text, and the reference as it came when it was not "Type/id"
// (absolute or versioned, or a contained "#id"). An actor known by
// identifier only has Identifier (and, for one of CalendarSystem, the
// calendar's ID); a contained one has the contained resource's Type and
// no ID.
type ScheduleActor struct {
	Type      string
	ID        booking.CalendarID
	Display   string
	Reference string
	// Identifier is the actor's logical reference, as it came.
	Identifier *Identifier
	// RefType is the actor's Reference.type as it came ("" for none).
	RefType string
	// ElementID and Extension are the actor Reference element's id and
	// extensions, as they came; the fields ending in Element the "_name"
	// siblings of its reference, type and display (see Reference).
	ElementID string
	Extension []json.RawMessage

	ReferenceElement, TypeElement, DisplayElement json.RawMessage
}

// ExportScheduleInfo writes info back as a FHIR R4 Schedule: its id, every
// actor with its own type and id, active (false too), the area if it has
// one, and the horizon. A Schedule read with ImportSchedule comes back
// unchanged in these elements.
func ExportScheduleInfo(info ScheduleInfo) ([]byte, error) {
	id, err := exportID("Schedule.id", string(info.ID))
	if err != nil {
		return nil, err
	}
	actors := info.Actors
	if len(actors) == 0 && info.Actor != "" {
		actors = []ScheduleActor{{Type: info.ActorType, ID: info.Actor}}
	}
	if len(actors) == 0 {
		return nil, fhirErr("Schedule.actor", "is empty")
	}
	r := fhirResource{ResourceType: "Schedule", ID: id}
	if active := info.Active; !active || !info.ActiveAbsent {
		r.Active = &active
	}
	for i, a := range actors {
		field := fmt.Sprintf("Schedule.actor[%d].reference", i)
		if a.RefType != "" && (a.RefType != a.Type || !slices.Contains(actorTypes, a.RefType)) {
			return nil, fhirErr(fmt.Sprintf("Schedule.actor[%d].type", i), "want the actor's type, one of %s", strings.Join(actorTypes, ", "))
		}
		if strings.HasPrefix(a.Reference, "#") || a.Reference == "" && a.Identifier != nil {
			// A contained actor or one known by identifier only, as it
			// came.
			if a.Type != "" && !slices.Contains(actorTypes, a.Type) {
				return nil, fhirErr(field, "reference type: want one of %s", strings.Join(actorTypes, ", "))
			}
			ref := Reference{ID: a.ElementID, Extension: slices.Clone(a.Extension), Reference: a.Reference, Type: a.RefType, Display: a.Display,
				ReferenceElement: a.ReferenceElement, TypeElement: a.TypeElement, DisplayElement: a.DisplayElement}
			if a.Identifier != nil {
				id := cloneIdentifiers([]Identifier{*a.Identifier})[0]
				ref.Identifier = &id
			}
			r.Actor = append(r.Actor, ref)
			continue
		}
		if !slices.Contains(actorTypes, a.Type) {
			return nil, fhirErr(field, "reference type %q: want one of %s", a.Type, strings.Join(actorTypes, ", "))
		}
		ref, err := reference(field, a.Type, a.ID)
		if err != nil {
			return nil, err
		}
		if a.Reference != "" {
			if typ, id, err := refID[booking.CalendarID](field, a.Reference, a.Type); err != nil || typ != a.Type || id != a.ID {
				return nil, fhirErr(field, "the reference as it came does not refer to the actor")
			}
			ref.Reference = a.Reference
		}
		ref.Display, ref.Type, ref.ID, ref.Extension = a.Display, a.RefType, a.ElementID, slices.Clone(a.Extension)
		ref.ReferenceElement, ref.TypeElement, ref.DisplayElement = a.ReferenceElement, a.TypeElement, a.DisplayElement
		r.Actor = append(r.Actor, ref)
	}
	if info.Area != "" {
		r.Extension = []fhirExtension{{URL: ExtensionBase + "service-area", ValueString: string(info.Area)}}
	}
	if !info.Horizon.Start.IsZero() || !info.Horizon.End.IsZero() {
		if !info.Horizon.Start.IsZero() && !info.Horizon.End.IsZero() && info.Horizon.End.Before(info.Horizon.Start) {
			return nil, fhirErr("Schedule.planningHorizon.end", "is before start (per-1)")
		}
		p := &fhirPeriod{ID: info.HorizonID, Extension: slices.Clone(info.HorizonExtension),
			StartElement: info.HorizonStartElement, EndElement: info.HorizonEndElement}
		if !info.Horizon.Start.IsZero() {
			if p.Start, err = formatDateTime("Schedule.planningHorizon.start", info.Horizon.Start, info.HorizonStartPrecision); err != nil {
				return nil, err
			}
			if info.HorizonStartPrecision == "" {
				p.Start = info.HorizonTimes.instant("start", info.Horizon.Start)
			}
		}
		if !info.Horizon.End.IsZero() {
			if p.End, err = formatDateTime("Schedule.planningHorizon.end", info.Horizon.End, info.HorizonEndPrecision); err != nil {
				return nil, err
			}
			if info.HorizonEndPrecision == "" {
				p.End = info.HorizonTimes.instant("end", info.Horizon.End)
			}
		}
		r.PlanningHorizon = p
	}
	return marshal(r, info.Elements, info.Extension)
}

// ImportSchedule reads a FHIR R4 Schedule written by ExportSchedule or
// another system; errors name the field.
func ImportSchedule(data []byte) (ScheduleInfo, error) {
	r, err := decode(data, "Schedule")
	if err != nil {
		return ScheduleInfo{}, err
	}
	if len(r.Actor) == 0 {
		return ScheduleInfo{}, fhirErr("Schedule.actor", "is empty")
	}
	var actors []ScheduleActor
	cont := containedOf(data)
	for i, ref := range r.Actor {
		field := fmt.Sprintf("Schedule.actor[%d]", i)
		if ref.Type != "" && !slices.Contains(actorTypes, ref.Type) {
			return ScheduleInfo{}, fhirErr(field+".type", "want one of %s", strings.Join(actorTypes, ", "))
		}
		if local, ok := strings.CutPrefix(ref.Reference, "#"); ok {
			// A contained actor (ref-1 holds: decode checked it).
			c := cont[local]
			if !slices.Contains(actorTypes, c.ResourceType) {
				return ScheduleInfo{}, fhirErr(field+".reference", "the contained resource's type: want one of %s", strings.Join(actorTypes, ", "))
			}
			if ref.Type != "" && ref.Type != c.ResourceType {
				return ScheduleInfo{}, fhirErr(field+".type", "contradicts the contained resource's type")
			}
			actors = append(actors, ScheduleActor{Type: c.ResourceType, Display: ref.Display, Reference: ref.Reference, RefType: ref.Type,
				ElementID: ref.ID, Extension: ref.Extension,
				ReferenceElement: ref.ReferenceElement, TypeElement: ref.TypeElement, DisplayElement: ref.DisplayElement})
			continue
		}
		if ref.Reference == "" && ref.Identifier != nil {
			// A logical reference: the calendar's, for CalendarSystem.
			id := cloneIdentifiers([]Identifier{*ref.Identifier})[0]
			a := ScheduleActor{Type: ref.Type, Display: ref.Display, Identifier: &id, RefType: ref.Type, ElementID: ref.ID, Extension: ref.Extension,
				ReferenceElement: ref.ReferenceElement, TypeElement: ref.TypeElement, DisplayElement: ref.DisplayElement}
			if id.System == CalendarSystem {
				if id.Value == "" {
					return ScheduleInfo{}, fhirErr(field+".identifier.value", "is empty")
				}
				a.ID = booking.CalendarID(id.Value)
			}
			actors = append(actors, a)
			continue
		}
		typ, id, err := refID[booking.CalendarID](field+".reference", ref.Reference, actorTypes...)
		if err != nil {
			return ScheduleInfo{}, err
		}
		if ref.Type != "" && ref.Type != typ {
			return ScheduleInfo{}, fhirErr(field+".type", "contradicts the reference type")
		}
		a := ScheduleActor{Type: typ, ID: id, Display: ref.Display, RefType: ref.Type, ElementID: ref.ID, Extension: ref.Extension,
			ReferenceElement: ref.ReferenceElement, TypeElement: ref.TypeElement, DisplayElement: ref.DisplayElement}
		if plain, _ := reference("", typ, id); plain.Reference != ref.Reference {
			a.Reference = ref.Reference
		}
		actors = append(actors, a)
	}
	typ := actors[0].Type
	info := ScheduleInfo{ID: booking.CalendarID(r.ID), Actor: actors[0].ID, ActorType: typ, Active: r.Active == nil || *r.Active,
		ActiveAbsent: r.Active == nil, Actors: actors}
	switch typ {
	case "Practitioner", "PractitionerRole":
		info.Kind = booking.OwnerProfessional
	case "HealthcareService":
		info.Kind = booking.OwnerTeam
	case "Location", "Device":
		info.Kind = booking.OwnerResource
	}
	if ph := r.PlanningHorizon; ph != nil {
		info.HorizonID, info.HorizonExtension = ph.ID, ph.Extension
		info.HorizonStartElement, info.HorizonEndElement = ph.StartElement, ph.EndElement
		// planningHorizon is a Period of dateTimes: either end may be
		// absent and either may be a date only.
		if ph.Start != "" {
			if info.Horizon.Start, info.HorizonStartPrecision, err = parseDateTime("Schedule.planningHorizon.start", ph.Start); err != nil {
				return ScheduleInfo{}, err
			}
			if info.HorizonStartPrecision == "" {
				info.HorizonTimes.keep("start", ph.Start)
			}
		}
		if ph.End != "" {
			if info.Horizon.End, info.HorizonEndPrecision, err = parseDateTime("Schedule.planningHorizon.end", ph.End); err != nil {
				return ScheduleInfo{}, err
			}
			if info.HorizonEndPrecision == "" {
				info.HorizonTimes.keep("end", ph.End)
			}
		}
		if ph.Start != "" && ph.End != "" && info.Horizon.End.Before(info.Horizon.Start) {
			return ScheduleInfo{}, fhirErr("Schedule.planningHorizon.end", "is before start (per-1)")
		}
	}
	for i, e := range r.Extension {
		if e.URL == ExtensionBase+"service-area" {
			info.Area = carecontact.AreaID(e.ValueString)
			continue
		}
		info.Extension = append(info.Extension, r.rawExtension[i])
	}
	info.Elements = r.elements
	return info, nil
}

// ImportSlot reads a FHIR R4 Slot; errors name the field. A Slot without
// this library's service coding has no area and service.
func ImportSlot(data []byte) (booking.Slot, SlotStatus, error) {
	s, st, _, err := defaultMapping.ImportSlotDetails(data)
	return s, st, err
}

// ImportSlot is the package's ImportSlot with f's service mapping.
func (f *Mapping) ImportSlot(data []byte) (booking.Slot, SlotStatus, error) {
	s, st, _, err := f.ImportSlotDetails(data)
	return s, st, err
}

// ImportSlotDetails is ImportSlot that also returns the details
// booking.Slot does not hold (see SlotDetails).
func ImportSlotDetails(data []byte) (booking.Slot, SlotStatus, SlotDetails, error) {
	return defaultMapping.ImportSlotDetails(data)
}

// ImportSlotDetails is the package's ImportSlotDetails with f's service
// mapping.
func (f *Mapping) ImportSlotDetails(data []byte) (booking.Slot, SlotStatus, SlotDetails, error) {
	s, st, d, err := f.importSlot(data)
	if err != nil {
		return booking.Slot{}, "", SlotDetails{}, err
	}
	return s, st, d, nil
}

func (f *Mapping) importSlot(data []byte) (booking.Slot, SlotStatus, SlotDetails, error) {
	var d SlotDetails
	r, err := decodeCreate(data, "Slot")
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	st := SlotStatus(r.Status)
	switch st {
	case SlotFree, SlotBusy, SlotBusyUnavailable, SlotBusyTentative, SlotEnteredInError:
	default:
		return booking.Slot{}, "", d, fhirErr("Slot.status", "is not a FHIR R4 slot status")
	}
	if r.Schedule == nil {
		return booking.Slot{}, "", d, fhirErr("Slot.schedule", "is required")
	}
	if strings.HasPrefix(r.Schedule.Reference, "#") || r.Schedule.Reference == "" && r.Schedule.Identifier != nil {
		// A contained Schedule, or one known by identifier only, names no
		// calendar of the store: the slot would have no participant.
		return booking.Slot{}, "", d, fhirErr("Slot.schedule.reference", "a contained or identifier-only Schedule names no calendar: want Schedule/id")
	}
	_, first, err := refID[booking.CalendarID]("Slot.schedule.reference", r.Schedule.Reference, "Schedule")
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	iv, err := parsePeriod("Slot.", r.Start, r.End)
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	d.Times.keep("start", r.Start)
	d.Times.keep("end", r.End)
	area, code, foreign, err := f.serviceOf("Slot.serviceType", r.ServiceType)
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	s := booking.Slot{Area: area, Service: code, Start: iv.Start, End: iv.End, Participants: []booking.CalendarID{first}}
	for i, e := range r.Extension {
		switch e.URL {
		case ExtensionBase + "participant":
			if e.ValueRef == nil {
				return booking.Slot{}, "", d, fhirErr(fmt.Sprintf("Slot.extension[%d].valueReference", i), "is required")
			}
			_, id, err := refID[booking.CalendarID](fmt.Sprintf("Slot.extension[%d].valueReference.reference", i), e.ValueRef.Reference, "Schedule")
			if err != nil {
				return booking.Slot{}, "", d, err
			}
			s.Participants = append(s.Participants, id)
		case ExtensionBase + "block-type":
			if !booking.BlockType(e.ValueString).Valid() {
				return booking.Slot{}, "", d, fhirErr(fmt.Sprintf("Slot.extension[%d].valueString", i), "is not a block type")
			}
			s.Block = booking.BlockType(e.ValueString)
		default:
			d.Extension = append(d.Extension, r.rawExtension[i])
		}
	}
	sched := cloneReference(*r.Schedule)
	d.Schedule = &sched
	d.Elements = r.elements
	d.ServiceType = foreign
	d.ID = r.wireID
	d.Identifier, d.ServiceCategory, d.Specialty, d.Comment = r.Identifier, r.ServiceCategory, r.Specialty, r.Comment
	d.AppointmentType, d.Overbooked = r.AppointmentType, r.Overbooked
	return s, st, d, nil
}

// ImportAppointment reads a FHIR R4 Appointment; errors name the field. The
// Patient participant becomes the client reference. Practitioner,
// PractitionerRole, HealthcareService, Location and Device participants,
// and logical references of CalendarSystem, become the calendar IDs. Other
// participants (a RelatedPerson, one known by type, display or another
// identifier only) are kept in Details. Reference types R4 does not allow
// there (Schedule, CareTeam) are refused.
func ImportAppointment(data []byte) (booking.Appointment, error) {
	return defaultMapping.ImportAppointment(data)
}

// ImportAppointmentDetails is ImportAppointment that also returns the
// details the booking model does not hold (see Details).
func ImportAppointmentDetails(data []byte) (booking.Appointment, Details, error) {
	return defaultMapping.ImportAppointmentDetails(data)
}

// ImportAppointment reads a FHIR R4 Appointment with f's national
// visit-channel codes; errors name the field.
func (f *Mapping) ImportAppointment(data []byte) (booking.Appointment, error) {
	a, _, err := f.ImportAppointmentDetails(data)
	return a, err
}

// ImportAppointmentDetails is ImportAppointment that also returns the
// details the booking model does not hold (see Details).
func (f *Mapping) ImportAppointmentDetails(data []byte) (booking.Appointment, Details, error) {
	a, p, err := f.importAppointment(data)
	if err != nil {
		return booking.Appointment{}, Details{}, err
	}
	return a, p, nil
}

// untimed reports whether an appointment of status s may lack start and end
// (R4 invariant app-3).
func untimed(s booking.Status) bool {
	return s == booking.StatusProposed || s == booking.StatusCancelled || s == booking.StatusWaitlist
}

// cancelable reports whether an appointment of status s may have a
// cancelationReason. R4 invariant app-4 reads
// "Appointment.cancelationReason.exists() implies (Appointment.status='no-show'
// or Appointment.status='cancelled')"; 'no-show' is not a code of the
// appointmentstatus value set ('noshow' is), so taken as the official
// definition states it, only a cancelled appointment has one.
func cancelable(s booking.Status) bool {
	return s == booking.StatusCancelled
}

// Precision is the precision of a FHIR dateTime that is not an instant.
type Precision string

// The dateTime precisions; the zero Precision is a full instant.
const (
	PrecisionYear  Precision = "year"
	PrecisionMonth Precision = "month"
	PrecisionDay   Precision = "day"
)

var precisionLayouts = map[Precision]string{"": time.RFC3339Nano, PrecisionYear: "2006", PrecisionMonth: "2006-01", PrecisionDay: time.DateOnly}

// parseDateTime reads a FHIR dateTime: a year, a month, a date, or a time
// with a time zone.
func parseDateTime(field, s string) (time.Time, Precision, error) {
	for _, p := range []Precision{"", PrecisionDay, PrecisionMonth, PrecisionYear} {
		if t, err := time.Parse(precisionLayouts[p], s); err == nil {
			if err := checkYear(field, t); err != nil {
				return time.Time{}, "", err
			}
			return t.UTC(), p, nil
		}
	}
	return time.Time{}, "", fhirErr(field, "want a dateTime (YYYY, YYYY-MM, YYYY-MM-DD or a time with a zone)")
}

// formatDateTime writes t as a FHIR dateTime of precision p.
func formatDateTime(field string, t time.Time, p Precision) (string, error) {
	layout, ok := precisionLayouts[p]
	if !ok {
		return "", fhirErr(field, "unknown precision %q", p)
	}
	return t.UTC().Format(layout), nil
}
