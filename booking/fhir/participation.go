package fhir

import (
	"github.com/carecontact/carecontact/booking"
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
// hold: the participations of the client and of the calendars, the codings
// of the cancellation reason, the precision of created and the serviceType
// concepts of other code systems.
type Details struct {
	Client    Participation
	Calendars map[booking.CalendarID]Participation
	// CancelationReason are the codings of Appointment.cancelationReason;
	// its text is booking.Appointment.CancelReason.
	CancelationReason []Coding
	// CreatedPrecision is the precision of Appointment.created.
	CreatedPrecision Precision
	// ServiceType are the serviceType concepts without this library's own
	// service coding.
	ServiceType []Concept
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
		return fhirErr(field+".status", "%q is not a FHIR R4 participation status", p.Status)
	}
	switch p.Required {
	case "", Required, Optional, InformationOnly:
	default:
		return fhirErr(field+".required", "%q is not a FHIR R4 participant required value", p.Required)
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
