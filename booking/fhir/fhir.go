package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
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
// version, the national status code) travels in extensions under
// ExtensionBase.
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
	// version 2015, as HL7 Finland's Finnish Scheduling examples write it.
	NationalVisitChannelSystem = "urn:oid:1.2.246.537.6.884.2015"
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
	// VisitChannelSystem is the code system URI of VisitChannels. Defaults
	// to NationalVisitChannelSystem.
	VisitChannelSystem string
}

// Mapping is a FHIR R4 mapping with the host's national codes. It is
// read-only once built and safe for concurrent use. The package-level
// ExportAppointment and ImportAppointment use the defaults.
type Mapping struct {
	system string
	byKind map[channel.Kind]Coding
	byCode map[string]channel.Kind
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
	f := &Mapping{system: cfg.VisitChannelSystem, byKind: map[channel.Kind]Coding{}, byCode: map[string]channel.Kind{}}
	if f.system == "" {
		f.system = NationalVisitChannelSystem
	}
	if u, err := url.Parse(f.system); err != nil || u.Scheme == "" || strings.TrimSpace(f.system) != f.system {
		return nil, fmt.Errorf("%w: fhirConfig.visitChannelSystem %q: want an absolute URI such as %s", booking.ErrInvalid, f.system, NationalVisitChannelSystem)
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
	return f, nil
}

// VisitChannel returns the national coding of kind k, if the mapping has
// one.
func (f *Mapping) VisitChannel(k channel.Kind) (system string, code VisitChannelCode, ok bool) {
	c, ok := f.byKind[k]
	return c.System, VisitChannelCode{Code: c.Code, Display: c.Display}, ok
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

// Coding is a FHIR R4 Coding.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// Concept is a FHIR R4 CodeableConcept.
type Concept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

type fhirReference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
}

// Identifier is a FHIR R4 Identifier (use, type, system and value).
type Identifier struct {
	Use    string   `json:"use,omitempty"`
	Type   *Concept `json:"type,omitempty"`
	System string   `json:"system,omitempty"`
	Value  string   `json:"value,omitempty"`
}

type fhirPeriod struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

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
	Actor    fhirReference `json:"actor"`
	Required string        `json:"required,omitempty"`
	Status   string        `json:"status"`
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
}

func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

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
	if !horizon.Start.IsZero() {
		r.PlanningHorizon = &fhirPeriod{Start: instant(horizon.Start), End: instant(horizon.End)}
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
	return ExportSlotDetails(s, status, SlotDetails{})
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
}

// ExportSlotDetails is ExportSlot with the details booking.Slot does not
// hold.
func ExportSlotDetails(s booking.Slot, status SlotStatus, d SlotDetails) ([]byte, error) {
	if len(s.Participants) == 0 || !s.Start.Before(s.End) {
		return nil, fmt.Errorf("%w: slot needs participants and start before end", booking.ErrInvalid)
	}
	services, err := serviceTypes("Slot.serviceType", s.Area, s.Service, d.ServiceType)
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
		Status: string(status), Start: instant(s.Start), End: instant(s.End), ServiceType: services,
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
	return json.Marshal(r)
}

// ExportAppointment returns a as a FHIR R4 Appointment. The client is the
// Patient participant by pseudonymous reference; the national status code
// (Ajanvarauksen tila), the answers and the guidance version go in
// extensions.
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

// ExportAppointmentDetails is ExportAppointment with the details the
// booking model does not hold: participant.status and participant.required
// (a participant without one gets DefaultParticipation), the codings of the
// cancellation reason and the precision of created.
func (f *Mapping) ExportAppointmentDetails(a booking.Appointment, part Details, owners ...booking.Calendar) ([]byte, error) {
	if a.ID == "" || a.Client == "" || len(a.Participants) == 0 {
		return nil, fmt.Errorf("%w: appointment needs id, client and participants", booking.ErrInvalid)
	}
	if _, err := booking.ParseStatus(string(a.Status)); err != nil {
		return nil, err
	}
	id, err := exportID("Appointment.id", a.ID)
	if err != nil {
		return nil, err
	}
	services, err := serviceTypes("Appointment.serviceType", a.Area, a.Service, part.ServiceType)
	if err != nil {
		return nil, err
	}
	r := fhirResource{ResourceType: "Appointment", ID: id, Status: string(a.Status), ServiceType: services}
	switch {
	case !a.Start.IsZero() && !a.End.IsZero():
		r.Start, r.End = instant(a.Start), instant(a.End)
	case !a.Start.IsZero() || !a.End.IsZero():
		return nil, fhirErr("Appointment.end", "start and end are both given or both absent (app-2)")
	case !untimed(a.Status):
		return nil, fhirErr("Appointment.start", "only a proposed, cancelled or waitlist appointment has no times (app-3)")
	}
	if !a.Created.IsZero() {
		if r.Created, err = formatDateTime("Appointment.created", a.Created, part.CreatedPrecision); err != nil {
			return nil, err
		}
	}
	if a.Channel != "" {
		at := &Concept{Coding: []Coding{{System: ChannelSystem, Code: string(a.Channel)}}}
		if n, ok := f.byKind[a.Channel]; ok {
			at.Coding = append(at.Coding, n)
		}
		r.AppointmentType = at
	}
	if cancelable(a.Status) && (a.CancelReason != "" || len(part.CancelationReason) > 0) {
		r.CancelationReason = &Concept{Coding: slices.Clone(part.CancelationReason), Text: a.CancelReason}
	}
	client, err := reference("Appointment.participant[0].actor.reference", "Patient", a.Client)
	if err != nil {
		return nil, err
	}
	def := DefaultParticipation(a)
	pc, err := part.Client.or(def.Client, "Appointment.participant[0]")
	if err != nil {
		return nil, err
	}
	r.Participant = append(r.Participant, fhirParticipant{Actor: client, Required: string(pc.Required), Status: string(pc.Status)})
	for i, p := range a.Participants {
		ref, err := participantRef(fmt.Sprintf("Appointment.participant[%d].actor", i+1), p, owners)
		if err != nil {
			return nil, err
		}
		pp, err := part.Calendars[p].or(def.Calendars[p], fmt.Sprintf("Appointment.participant[%d]", i+1))
		if err != nil {
			return nil, err
		}
		r.Participant = append(r.Participant, fhirParticipant{Actor: ref, Required: string(pp.Required), Status: string(pp.Status)})
	}
	if n, ok := a.Status.National(); ok {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "national-status",
			ValueCoding: &Coding{System: booking.NationalStatusSystem, Code: n.Code, Display: n.Display}})
	}
	if a.GuidanceVersion != "" {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "guidance-version", ValueString: a.GuidanceVersion})
	}
	for _, ans := range a.Answers {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "pre-question-answer", Extension: []fhirExtension{
			{URL: "question", ValueString: ans.QuestionID}, {URL: "answer", ValueString: ans.Text}}})
	}
	if a.HoldUntil.After(time.Time{}) {
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "hold-until", ValueInst: instant(a.HoldUntil)})
	}
	if a.LateCancel {
		late := true
		r.Extension = append(r.Extension, fhirExtension{URL: ExtensionBase + "late-cancellation", ValueBool: &late})
	}
	return json.Marshal(r)
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

func decode(data []byte, want string) (fhirResource, error) {
	var r fhirResource
	if !utf8.Valid(data) {
		return r, fhirErr(want, "not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return r, fhirErr(want+"."+te.Field, "want a JSON %s, got %s", te.Type, te.Value)
		}
		return r, fhirErr(want, "not a JSON resource: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return r, fhirErr(want, "data after the resource")
	}
	if r.ResourceType != want {
		return r, fhirErr(want+".resourceType", "got %q", r.ResourceType)
	}
	if r.ID == "" {
		return r, fhirErr(want+".id", "is empty")
	}
	id, err := importID(want+".id", r.ID)
	if err != nil {
		return r, err
	}
	r.wireID, r.ID = r.ID, id
	return r, nil
}

func parseInstant(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, fhirErr(field, "is empty")
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fhirErr(field, "want an instant with a time zone, got %q", s)
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

// refID returns the type and the ID of a reference "Type/id" of one of the
// types.
func refID[ID ~string](field, ref string, types ...string) (string, ID, error) {
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return "", "", fhirErr(field, "want Type/id")
	}
	for _, t := range types {
		if t == typ {
			s, err := importID(field, id)
			return typ, ID(s), err
		}
	}
	return "", "", fhirErr(field, "reference type %q: want one of %s", typ, strings.Join(types, ", "))
}

// serviceOf reads the area and the service from the one coding of
// ServiceSystem<area> in cs, if there is one, and returns the other
// concepts without it. A concept left with no coding and no text is
// dropped.
func serviceOf(field string, cs []Concept) (area carecontact.AreaID, code string, foreign []Concept, err error) {
	for i, c := range cs {
		var kept []Coding
		for j, cd := range c.Coding {
			a, ok := strings.CutPrefix(cd.System, ServiceSystem)
			if !ok {
				kept = append(kept, cd)
				continue
			}
			f := fmt.Sprintf("%s[%d].coding[%d]", field, i, j)
			switch {
			case a == "" || cd.Code == "":
				return "", "", nil, fhirErr(f, "service area and code are required")
			case area != "" && (carecontact.AreaID(a) != area || cd.Code != code):
				return "", "", nil, fhirErr(f, "a second service of this library")
			}
			area, code = carecontact.AreaID(a), cd.Code
		}
		if len(kept) > 0 || c.Text != "" {
			foreign = append(foreign, Concept{Coding: kept, Text: c.Text})
		}
	}
	return area, code, foreign, nil
}

// serviceTypes returns the serviceType concepts: the library's own coding
// of area and service first, if they are given (both or neither), then
// foreign.
func serviceTypes(field string, area carecontact.AreaID, service string, foreign []Concept) ([]Concept, error) {
	if (area == "") != (service == "") {
		return nil, fhirErr(field, "area and service are both given or both absent")
	}
	var cs []Concept
	if area != "" {
		cs = append(cs, Concept{Coding: []Coding{{System: ServiceSystem + string(area), Code: service}}})
	}
	for i, c := range foreign {
		for j, cd := range c.Coding {
			if strings.HasPrefix(cd.System, ServiceSystem) {
				return nil, fhirErr(fmt.Sprintf("%s[%d].coding[%d]", field, len(cs)+i, j), "the library's own service coding comes from area and service")
			}
		}
		cs = append(cs, cloneConcept(c))
	}
	return cs, nil
}

func cloneConcept(c Concept) Concept {
	return Concept{Coding: slices.Clone(c.Coding), Text: c.Text}
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
	Horizon   booking.Interval
	// Actors are all of the Schedule's actors, the first one included.
	Actors []ScheduleActor
}

// ScheduleActor is one Schedule.actor: its resource type and id.
type ScheduleActor struct {
	Type string
	ID   booking.CalendarID
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
	active := info.Active
	r := fhirResource{ResourceType: "Schedule", ID: id, Active: &active}
	for i, a := range actors {
		field := fmt.Sprintf("Schedule.actor[%d].reference", i)
		if !slices.Contains(actorTypes, a.Type) {
			return nil, fhirErr(field, "reference type %q: want one of %s", a.Type, strings.Join(actorTypes, ", "))
		}
		ref, err := reference(field, a.Type, a.ID)
		if err != nil {
			return nil, err
		}
		r.Actor = append(r.Actor, ref)
	}
	if info.Area != "" {
		r.Extension = []fhirExtension{{URL: ExtensionBase + "service-area", ValueString: string(info.Area)}}
	}
	if !info.Horizon.Start.IsZero() {
		r.PlanningHorizon = &fhirPeriod{Start: instant(info.Horizon.Start), End: instant(info.Horizon.End)}
	}
	return json.Marshal(r)
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
	for i, ref := range r.Actor {
		typ, id, err := refID[booking.CalendarID](fmt.Sprintf("Schedule.actor[%d].reference", i), ref.Reference, actorTypes...)
		if err != nil {
			return ScheduleInfo{}, err
		}
		actors = append(actors, ScheduleActor{Type: typ, ID: id})
	}
	typ := actors[0].Type
	info := ScheduleInfo{ID: booking.CalendarID(r.ID), Actor: actors[0].ID, ActorType: typ, Active: r.Active == nil || *r.Active, Actors: actors}
	switch typ {
	case "Practitioner", "PractitionerRole":
		info.Kind = booking.OwnerProfessional
	case "HealthcareService":
		info.Kind = booking.OwnerTeam
	case "Location", "Device":
		info.Kind = booking.OwnerResource
	}
	if r.PlanningHorizon != nil {
		if info.Horizon, err = parsePeriod("Schedule.planningHorizon.", r.PlanningHorizon.Start, r.PlanningHorizon.End); err != nil {
			return ScheduleInfo{}, err
		}
	}
	for _, e := range r.Extension {
		if e.URL == ExtensionBase+"service-area" {
			info.Area = carecontact.AreaID(e.ValueString)
		}
	}
	return info, nil
}

// ImportSlot reads a FHIR R4 Slot; errors name the field. A Slot without
// this library's service coding has no area and service.
func ImportSlot(data []byte) (booking.Slot, SlotStatus, error) {
	s, st, _, err := ImportSlotDetails(data)
	return s, st, err
}

// ImportSlotDetails is ImportSlot that also returns the details
// booking.Slot does not hold (see SlotDetails).
func ImportSlotDetails(data []byte) (booking.Slot, SlotStatus, SlotDetails, error) {
	s, st, d, err := importSlot(data)
	if err != nil {
		return booking.Slot{}, "", SlotDetails{}, err
	}
	return s, st, d, nil
}

func importSlot(data []byte) (booking.Slot, SlotStatus, SlotDetails, error) {
	var d SlotDetails
	r, err := decode(data, "Slot")
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	st := SlotStatus(r.Status)
	switch st {
	case SlotFree, SlotBusy, SlotBusyUnavailable, SlotBusyTentative, SlotEnteredInError:
	default:
		return booking.Slot{}, "", d, fhirErr("Slot.status", "%q is not a FHIR R4 slot status", r.Status)
	}
	if r.Schedule == nil {
		return booking.Slot{}, "", d, fhirErr("Slot.schedule", "is required")
	}
	_, first, err := refID[booking.CalendarID]("Slot.schedule.reference", r.Schedule.Reference, "Schedule")
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	iv, err := parsePeriod("Slot.", r.Start, r.End)
	if err != nil {
		return booking.Slot{}, "", d, err
	}
	area, code, foreign, err := serviceOf("Slot.serviceType", r.ServiceType)
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
				return booking.Slot{}, "", d, fhirErr(fmt.Sprintf("Slot.extension[%d].valueString", i), "block type %q", e.ValueString)
			}
			s.Block = booking.BlockType(e.ValueString)
		}
	}
	d.ServiceType = foreign
	d.ID = r.wireID
	d.Identifier, d.ServiceCategory, d.Specialty, d.Comment = r.Identifier, r.ServiceCategory, r.Specialty, r.Comment
	d.AppointmentType, d.Overbooked = r.AppointmentType, r.Overbooked
	return s, st, d, nil
}

// ImportAppointment reads a FHIR R4 Appointment; errors name the field. The
// Patient participant becomes the client reference. Practitioner,
// PractitionerRole, HealthcareService, Location and Device participants,
// and logical references of CalendarSystem, become the calendar IDs. A
// RelatedPerson participant is accepted but not kept. Reference types R4
// does not allow there (Schedule, CareTeam) are refused.
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

func (f *Mapping) importAppointment(data []byte) (booking.Appointment, Details, error) {
	part := Details{Calendars: map[booking.CalendarID]Participation{}}
	r, err := decode(data, "Appointment")
	if err != nil {
		return booking.Appointment{}, part, err
	}
	status, err := booking.ParseStatus(r.Status)
	if err != nil {
		return booking.Appointment{}, part, fhirErr("Appointment.status", "%q is not a FHIR R4 appointment status", r.Status)
	}
	var iv booking.Interval
	if r.Start != "" || r.End != "" || !untimed(status) {
		if iv, err = parsePeriod("Appointment.", r.Start, r.End); err != nil {
			return booking.Appointment{}, part, err
		}
	}
	a := booking.Appointment{ID: r.ID, Status: status, Start: iv.Start, End: iv.End, Version: 1}
	if r.Created != "" {
		if a.Created, part.CreatedPrecision, err = parseDateTime("Appointment.created", r.Created); err != nil {
			return booking.Appointment{}, part, err
		}
	}
	if a.Area, a.Service, part.ServiceType, err = serviceOf("Appointment.serviceType", r.ServiceType); err != nil {
		return booking.Appointment{}, part, err
	}
	if r.AppointmentType != nil {
		if a.Channel, err = f.importChannel(r.AppointmentType.Coding); err != nil {
			return booking.Appointment{}, part, err
		}
	}
	if r.CancelationReason != nil {
		if !cancelable(status) {
			return booking.Appointment{}, part, fhirErr("Appointment.cancelationReason", "only a cancelled or noshow appointment has one (app-4)")
		}
		a.CancelReason = r.CancelationReason.Text
		part.CancelationReason = slices.Clone(r.CancelationReason.Coding)
	}
	for i, p := range r.Participant {
		f := fmt.Sprintf("Appointment.participant[%d].actor.reference", i)
		pp, err := parseParticipation(fmt.Sprintf("Appointment.participant[%d]", i), p)
		if err != nil {
			return booking.Appointment{}, part, err
		}
		if p.Actor.Reference == "" && p.Actor.Identifier != nil && p.Actor.Identifier.System == CalendarSystem {
			if p.Actor.Identifier.Value == "" {
				return booking.Appointment{}, part, fhirErr(fmt.Sprintf("Appointment.participant[%d].actor.identifier.value", i), "is empty")
			}
			a.Participants = append(a.Participants, booking.CalendarID(p.Actor.Identifier.Value))
			part.Calendars[booking.CalendarID(p.Actor.Identifier.Value)] = pp
			continue
		}
		typ, id, err := refID[string](f, p.Actor.Reference, actorTypes...)
		if err != nil {
			return booking.Appointment{}, part, err
		}
		switch typ {
		case "RelatedPerson":
			continue
		case "Patient":
			if a.Client != "" {
				return booking.Appointment{}, part, fhirErr(f, "a second Patient")
			}
			a.Client = carecontact.ClientRef(id)
			part.Client = pp
			continue
		}
		a.Participants = append(a.Participants, booking.CalendarID(id))
		part.Calendars[booking.CalendarID(id)] = pp
	}
	if a.Client == "" {
		return booking.Appointment{}, part, fhirErr("Appointment.participant", "no Patient participant")
	}
	if len(a.Participants) == 0 {
		return booking.Appointment{}, part, fhirErr("Appointment.participant", "no professional or resource participant")
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
			if e.ValueCoding == nil || e.ValueCoding.System != booking.NationalStatusSystem {
				return booking.Appointment{}, part, fhirErr(f+".valueCoding", "want a coding of %s", booking.NationalStatusSystem)
			}
			ns, err := booking.StatusFromNational(e.ValueCoding.Code)
			if err != nil {
				return booking.Appointment{}, part, fhirErr(f+".valueCoding.code", "%q is not an Ajanvarauksen tila code", e.ValueCoding.Code)
			}
			if n, _ := status.National(); ns != status && n.Code != e.ValueCoding.Code {
				return booking.Appointment{}, part, fhirErr(f+".valueCoding.code", "national status %s contradicts status %s", e.ValueCoding.Code, status)
			}
		}
	}
	return a, part, nil
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
		switch c.System {
		case ChannelSystem:
			k, err := channel.ParseKind(c.Code)
			if err != nil {
				return "", fhirErr(field, "channel %q is not a channel kind", c.Code)
			}
			own = k
		case f.system:
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

// untimed reports whether an appointment of status s may lack start and end
// (R4 invariant app-3).
func untimed(s booking.Status) bool {
	return s == booking.StatusProposed || s == booking.StatusCancelled || s == booking.StatusWaitlist
}

// cancelable reports whether an appointment of status s may have a
// cancelationReason (R4 invariant app-4).
func cancelable(s booking.Status) bool {
	return s == booking.StatusCancelled || s == booking.StatusNoShow
}

// Precision is the precision of a FHIR dateTime that is not an instant.
type Precision string

// The dateTime precisions; the zero Precision is a full instant.
const (
	PrecisionYear  Precision = "year"
	PrecisionMonth Precision = "month"
	PrecisionDay   Precision = "day"
)

var precisionLayouts = map[Precision]string{"": time.RFC3339, PrecisionYear: "2006", PrecisionMonth: "2006-01", PrecisionDay: time.DateOnly}

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
