package fhir

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// Response is a FHIR R4 AppointmentResponse: one participant's answer to
// an appointment (accept, decline, tentatively accept, or propose another
// time with Start and End). The responder is the client or a calendar's
// owner, or someone else kept in Actor only.
type Response struct {
	// ID is the response's id.
	ID string
	// Appointment is the id of the appointment answered.
	Appointment string
	// Role says who responds: RoleClient (Client, empty for a Patient
	// known only by identifier), RoleCalendar (Calendar) or RoleOther.
	// Empty means no actor came.
	Role     Role
	Client   carecontact.ClientRef
	Calendar booking.CalendarID
	// Status is participantStatus (required).
	Status ParticipantStatus
	// Start and End are the time the responder proposes or accepts; zero
	// leaves them out.
	Start, End time.Time
	Comment    string

	// AppointmentRef and Actor are the references as they came (with
	// their display, say); export writes them while they still refer to
	// Appointment, Client and Calendar.
	AppointmentRef *Reference
	Actor          *Reference
	// ParticipantType are the responder's roles, as they came.
	ParticipantType []Concept
	// Elements are the elements the mapping does not read (identifier,
	// text, meta and the like), by JSON name, as they came.
	Elements map[string]json.RawMessage
	// Extension are the extensions, as they came.
	Extension []json.RawMessage
}

type fhirResponse struct {
	ResourceType      string     `json:"resourceType"`
	ID                string     `json:"id,omitempty"`
	Appointment       *Reference `json:"appointment,omitempty"`
	Start             string     `json:"start,omitempty"`
	End               string     `json:"end,omitempty"`
	ParticipantType   []Concept  `json:"participantType,omitempty"`
	Actor             *Reference `json:"actor,omitempty"`
	ParticipantStatus string     `json:"participantStatus,omitempty"`
	Comment           string     `json:"comment,omitempty"`
}

// ImportAppointmentResponse reads a FHIR R4 AppointmentResponse; errors
// name the field.
func ImportAppointmentResponse(data []byte) (Response, error) {
	return defaultMapping.ImportAppointmentResponse(data)
}

// ImportAppointmentResponse is the package's ImportAppointmentResponse with
// f's resolution of patients by identifier.
func (f *Mapping) ImportAppointmentResponse(data []byte) (Response, error) {
	var r fhirResponse
	env, err := decodeEnvelope(data, "AppointmentResponse", &r, false)
	if err != nil {
		return Response{}, err
	}
	out := Response{ID: env.id, Comment: r.Comment, ParticipantType: cloneConcepts(r.ParticipantType), Elements: env.elements, Extension: env.rawExtension}
	if r.Appointment == nil {
		return Response{}, fhirErr("AppointmentResponse.appointment", "is required")
	}
	if strings.HasPrefix(r.Appointment.Reference, "#") || r.Appointment.Reference == "" && r.Appointment.Identifier != nil {
		// A contained Appointment, or one known by identifier only, is not
		// one the store holds: the answer would answer nothing.
		return Response{}, fhirErr("AppointmentResponse.appointment.reference", "a contained or identifier-only Appointment is not one the store holds: want Appointment/id")
	}
	if _, out.Appointment, err = refID[string]("AppointmentResponse.appointment.reference", r.Appointment.Reference, "Appointment"); err != nil {
		return Response{}, err
	}
	ref := cloneReference(*r.Appointment)
	out.AppointmentRef = &ref
	out.Status = ParticipantStatus(r.ParticipantStatus)
	if out.Status == "" {
		return Response{}, fhirErr("AppointmentResponse.participantStatus", "is required")
	}
	if err := (Participation{Status: out.Status}).check("AppointmentResponse"); err != nil {
		return Response{}, fhirErr("AppointmentResponse.participantStatus", "is not a FHIR R4 participation status (accepted, declined, tentative, needs-action)")
	}
	if r.Start != "" {
		if out.Start, err = parseInstant("AppointmentResponse.start", r.Start); err != nil {
			return Response{}, err
		}
	}
	if r.End != "" {
		if out.End, err = parseInstant("AppointmentResponse.end", r.End); err != nil {
			return Response{}, err
		}
	}
	if !out.Start.IsZero() && !out.End.IsZero() && out.End.Before(out.Start) {
		return Response{}, fhirErr("AppointmentResponse.end", "is before start")
	}
	if (r.Actor == nil || r.Actor.isZero()) && len(r.ParticipantType) == 0 {
		return Response{}, fhirErr("AppointmentResponse.actor", "has neither actor nor participantType (apr-1)")
	}
	if r.Actor != nil {
		actor := cloneReference(*r.Actor)
		out.Actor = &actor
		cont := containedOf(data)
		role, id, err := classifyActorIn("AppointmentResponse.actor", actor, cont)
		if err != nil {
			return Response{}, err
		}
		out.Role = role
		switch role {
		case RoleClient:
			out.Client = carecontact.ClientRef(id)
			if id == "" {
				if out.Client, err = f.resolveClient("AppointmentResponse.actor.identifier", clientIdentifier(actor, cont)); err != nil {
					return Response{}, err
				}
			}
		case RoleCalendar:
			out.Calendar = booking.CalendarID(id)
		}
	}
	return out, nil
}

// ExportAppointmentResponse writes r as a FHIR R4 AppointmentResponse.
func ExportAppointmentResponse(r Response) ([]byte, error) {
	if r.ID == "" {
		return nil, fhirErr("AppointmentResponse.id", "is empty: a response created without one gets its id from the store")
	}
	if r.Appointment == "" {
		return nil, fmt.Errorf("%w: appointment response needs an appointment", booking.ErrInvalid)
	}
	if err := (Participation{Status: r.Status}).check("AppointmentResponse"); err != nil {
		return nil, fhirErr("AppointmentResponse.participantStatus", "is not a FHIR R4 participation status (accepted, declined, tentative, needs-action)")
	}
	id, err := exportID("AppointmentResponse.id", r.ID)
	if err != nil {
		return nil, err
	}
	out := fhirResponse{ResourceType: "AppointmentResponse", ID: id, ParticipantStatus: string(r.Status), Comment: r.Comment,
		ParticipantType: cloneConcepts(r.ParticipantType)}
	appt, err := reference("AppointmentResponse.appointment.reference", "Appointment", r.Appointment)
	if err != nil {
		return nil, err
	}
	if r.AppointmentRef != nil {
		if _, came, err := refID[string]("", r.AppointmentRef.Reference, "Appointment"); err == nil && came == r.Appointment {
			appt = cloneReference(*r.AppointmentRef)
		}
	}
	out.Appointment = &appt
	if !r.Start.IsZero() {
		out.Start = instant(r.Start)
	}
	if !r.End.IsZero() {
		out.End = instant(r.End)
	}
	if out.Actor, err = responseActor(r); err != nil {
		return nil, err
	}
	if out.Actor == nil && len(out.ParticipantType) == 0 {
		return nil, fhirErr("AppointmentResponse.actor", "has neither actor nor participantType (apr-1)")
	}
	return marshal(out, r.Elements, r.Extension)
}

// responseActor returns the actor as it came if it still stands for the
// responder, else a reference to the client or the calendar.
func responseActor(r Response) (*Reference, error) {
	if r.Actor != nil {
		var cont contained
		if raw, ok := r.Elements["contained"]; ok {
			cont = containedOf([]byte(`{"contained":` + string(raw) + `}`))
		}
		role, id, err := classifyActorIn("AppointmentResponse.actor", *r.Actor, cont)
		if err != nil {
			return nil, err
		}
		same := role == r.Role
		switch role {
		case RoleClient:
			same = same && (id == "" || id == string(r.Client))
		case RoleCalendar:
			same = same && id == string(r.Calendar)
		}
		if same {
			a := cloneReference(*r.Actor)
			return &a, nil
		}
	}
	switch r.Role {
	case RoleClient:
		if r.Client == "" {
			return nil, fhirErr("AppointmentResponse.actor", "no client")
		}
		ref, err := reference("AppointmentResponse.actor.reference", "Patient", r.Client)
		return &ref, err
	case RoleCalendar:
		ref, err := participantRef("AppointmentResponse.actor", r.Calendar, nil)
		return &ref, err
	case "":
		return nil, nil
	}
	return nil, fhirErr("AppointmentResponse.actor", "role %q without the actor as it came", r.Role)
}
