package fhir

import (
	"encoding/json"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
)

// ParticipantStatus is FHIR R4 Appointment.participant.status.
type ParticipantStatus string

// The participant statuses (required binding ParticipationStatus).
const (
	ParticipantAccepted    ParticipantStatus = "accepted"
	ParticipantDeclined    ParticipantStatus = "declined"
	ParticipantTentative   ParticipantStatus = "tentative"
	ParticipantNeedsAction ParticipantStatus = "needs-action"
)

// ParticipantRequired is FHIR R4 Appointment.participant.required.
type ParticipantRequired string

// The values of participant.required (required binding
// ParticipantRequired).
const (
	Required        ParticipantRequired = "required"
	Optional        ParticipantRequired = "optional"
	InformationOnly ParticipantRequired = "information-only"
)

// Participation is one participant's participant.status and
// participant.required. Required may be empty: the element is optional.
type Participation struct {
	Status   ParticipantStatus
	Required ParticipantRequired
}

// Details are what an Appointment has that booking.Appointment does not
// hold: the participations of the client and of the calendars, every
// participant as it came, the codings of the cancellation reason, the
// precision of created, the serviceType concepts of other code systems, the
// national status and visit-channel codings as they came, and the elements
// and extensions the mapping does not read.
type Details struct {
	Client    Participation
	Calendars map[booking.CalendarID]Participation
	// Participants are the Appointment's participants in the order they
	// came (see Participant). Empty means the exporter writes the client
	// first and then the calendars.
	Participants []Participant
	// CancelationReason are the codings of Appointment.cancelationReason
	// as they came; its text is booking.Appointment.CancelReason and its
	// codes (system, code and display) booking.Appointment.CancelCodes.
	// The exporter writes these codings while CancelCodes has their code
	// (or CancelCodes is empty), then the other CancelCodes.
	CancelationReason []Coding
	// CancelationReasonID and CancelationReasonExtension are the
	// cancelationReason element's id and extensions, as they came, and
	// CancelationReasonTextElement the "_text" sibling of its text.
	CancelationReasonID          string
	CancelationReasonExtension   []json.RawMessage
	CancelationReasonTextElement json.RawMessage
	// CreatedPrecision is the precision of Appointment.created.
	CreatedPrecision Precision
	// Times are start, end and created as they came written (see
	// TimeText).
	Times TimeText
	// ServiceType are the serviceType concepts without this library's own
	// service coding.
	ServiceType []Concept
	// NationalStatus is the Ajanvarauksen tila coding of the Finnish
	// Scheduling extension on Appointment.status as it came (nil if none
	// came), and NationalStatusOf the status it came with. While the
	// appointment still has that status the exporter writes NationalStatus
	// (none if nil); otherwise, and for a zero Details, it writes the code
	// of the status (see booking.Status.National).
	NationalStatus   *Coding
	NationalStatusOf booking.Status
	// StatusExtension are other extensions of Appointment.status, as they
	// came, and StatusID the id of Appointment._status.
	StatusExtension []json.RawMessage
	StatusID        string
	// AppointmentType is Appointment.appointmentType as it came and
	// AppointmentTypeChannel the channel read from it. The exporter writes
	// it while the appointment has that channel.
	AppointmentType        *Concept
	AppointmentTypeChannel channel.Kind
	// Elements are the Appointment's elements the mapping does not read
	// (identifier, text, meta, description, slot, comment, requestedPeriod
	// and the like), by JSON name, as they came. The exporter writes them
	// back unchanged.
	Elements map[string]json.RawMessage
	// Extension are the extensions the mapping does not read, as they came.
	Extension []json.RawMessage
}

// Role says which part of booking.Appointment a participant stands for.
type Role string

// The participant roles.
const (
	// RoleClient is the Patient: booking.Appointment.Client.
	RoleClient Role = "client"
	// RoleCalendar is one of booking.Appointment.Participants.
	RoleCalendar Role = "calendar"
	// RoleOther is any other participant: a RelatedPerson, a participant
	// known only by its type, display text, contained resource or an
	// identifier of another system. It is kept as it came.
	RoleOther Role = "other"
)

// Participant is one Appointment.participant as it came. Calendar is set
// for RoleCalendar. The status and required of a client or a calendar are
// Details.Client and Details.Calendars; Participation holds them for
// RoleOther.
type Participant struct {
	Role     Role
	Calendar booking.CalendarID
	Type     []Concept
	Actor    *Reference
	Period   *Period
	Participation
	// ID and Extension are the participant element's id and extensions,
	// kept as they came; StatusElement and RequiredElement the "_status"
	// and "_required" siblings of its status and required.
	ID                             string
	Extension                      []json.RawMessage
	StatusElement, RequiredElement json.RawMessage
}

// DefaultParticipation returns what ExportAppointment writes for a: every
// participant is required. A proposed appointment needs action from
// everyone. A pending hold needs action from the client, and the held
// calendars are tentative. On a waitlist the client has accepted and the
// calendars need action. Otherwise everyone has accepted.
func DefaultParticipation(a booking.Appointment) Details {
	client, others := ParticipantAccepted, ParticipantAccepted
	switch a.Status {
	case booking.StatusProposed:
		client, others = ParticipantNeedsAction, ParticipantNeedsAction
	case booking.StatusPending:
		client, others = ParticipantNeedsAction, ParticipantTentative
	case booking.StatusWaitlist:
		others = ParticipantNeedsAction
	}
	p := Details{Client: Participation{Status: client, Required: Required},
		Calendars: make(map[booking.CalendarID]Participation, len(a.Participants))}
	for _, c := range a.Participants {
		p.Calendars[c] = Participation{Status: others, Required: Required}
	}
	return p
}

// or returns p, or def if p is the zero value; a non-zero p must be valid.
func (p Participation) or(def Participation, field string) (Participation, error) {
	if p == (Participation{}) {
		return def, nil
	}
	return p, p.check(field)
}

func (p Participation) check(field string) error {
	switch p.Status {
	case ParticipantAccepted, ParticipantDeclined, ParticipantTentative, ParticipantNeedsAction:
	default:
		return fhirErr(field+".status", "is not a FHIR R4 participation status (accepted, declined, tentative, needs-action)")
	}
	switch p.Required {
	case "", Required, Optional, InformationOnly:
	default:
		return fhirErr(field+".required", "is not a FHIR R4 participant required value (required, optional, information-only)")
	}
	return nil
}

func parseParticipation(field string, fp fhirParticipant) (Participation, error) {
	p := Participation{Status: ParticipantStatus(fp.Status), Required: ParticipantRequired(fp.Required)}
	if p.Status == "" {
		return p, fhirErr(field+".status", "is required")
	}
	return p, p.check(field)
}
