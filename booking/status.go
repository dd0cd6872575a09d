package booking

import (
	"fmt"
	"slices"
	"strings"

	"github.com/carecontact/carecontact"
)

// Status is an appointment's status, the FHIR R4 Appointment.status codes
// (http://hl7.org/fhir/appointmentstatus).
type Status string

// The FHIR R4 appointment statuses.
const (
	StatusProposed       Status = "proposed"
	StatusPending        Status = "pending"
	StatusBooked         Status = "booked"
	StatusArrived        Status = "arrived"
	StatusFulfilled      Status = "fulfilled"
	StatusCancelled      Status = "cancelled"
	StatusNoShow         Status = "noshow"
	StatusEnteredInError Status = "entered-in-error"
	StatusCheckedIn      Status = "checked-in"
	StatusWaitlist       Status = "waitlist"
)

// Statuses lists every status in FHIR's order.
func Statuses() []Status {
	return []Status{StatusProposed, StatusPending, StatusBooked, StatusArrived, StatusFulfilled,
		StatusCancelled, StatusNoShow, StatusEnteredInError, StatusCheckedIn, StatusWaitlist}
}

// ParseStatus returns the status with FHIR code s.
func ParseStatus(s string) (Status, error) {
	if slices.Contains(Statuses(), Status(s)) {
		return Status(s), nil
	}
	return "", carecontact.Invalid(ErrInvalid, "status", fmt.Sprintf("%q is not a FHIR R4 appointment status", clip(s)))
}

// transitions follows the FHIR R4 Appointment status life cycle: an
// appointment is proposed or waitlisted, becomes pending and booked, the
// client checks in and arrives, and it ends fulfilled, cancelled or noshow;
// any status may be marked entered-in-error, which is final.
var transitions = map[Status][]Status{
	StatusProposed:  {StatusPending, StatusBooked, StatusWaitlist, StatusCancelled, StatusEnteredInError},
	StatusWaitlist:  {StatusProposed, StatusPending, StatusBooked, StatusCancelled, StatusEnteredInError},
	StatusPending:   {StatusBooked, StatusCancelled, StatusEnteredInError},
	StatusBooked:    {StatusCheckedIn, StatusArrived, StatusFulfilled, StatusCancelled, StatusNoShow, StatusEnteredInError},
	StatusCheckedIn: {StatusArrived, StatusFulfilled, StatusCancelled, StatusEnteredInError},
	StatusArrived:   {StatusFulfilled, StatusEnteredInError},
	StatusFulfilled: {StatusEnteredInError},
	StatusCancelled: {StatusEnteredInError},
	StatusNoShow:    {StatusEnteredInError},
}

// CanTransition reports whether an appointment may go from status from to
// status to. A status never goes to itself: a cancelled appointment cannot
// be cancelled again.
func CanTransition(from, to Status) bool { return slices.Contains(transitions[from], to) }

// HoldsTime reports whether an appointment in status s keeps its
// participants' time claimed: every status except cancelled and
// entered-in-error.
func (s Status) HoldsTime() bool { return s != StatusCancelled && s != StatusEnteredInError }

// Active reports whether the appointment is still to happen: pending,
// booked or checked-in.
func (s Status) Active() bool {
	return s == StatusPending || s == StatusBooked || s == StatusCheckedIn
}

// NationalStatusSystem is the Finnish national code system for appointment
// status, Ajanvarauksen tila (THL), OID 1.2.246.537.6.881.
const NationalStatusSystem = "urn:oid:1.2.246.537.6.881"

// NationalStatus is a code of Ajanvarauksen tila.
type NationalStatus struct {
	Code    string `json:"code"`
	Display string `json:"display"`
}

// nationalStatus maps FHIR status to Ajanvarauksen tila as published by
// HL7 Finland in the Finnish Scheduling implementation guide, ConceptMap
// "appointmentstatus-ajanvarauksentila" (https://hl7.fi/fhir/finnish-scheduling/,
// 2.0.0 draft of 2025-03-27). arrived maps to the wider Varattu there;
// entered-in-error has no national code.
var nationalStatus = map[Status]NationalStatus{
	StatusWaitlist:  {"1", "Suunniteltu"},
	StatusProposed:  {"2", "Tilattu"},
	StatusPending:   {"8", "Ehdotettu"},
	StatusBooked:    {"3", "Varattu"},
	StatusArrived:   {"3", "Varattu"},
	StatusCancelled: {"4", "Peruttu"},
	StatusCheckedIn: {"10", "Ilmoittautunut"},
	StatusFulfilled: {"7", "Toteutunut"},
	StatusNoShow:    {"9", "Saapumatta"},
}

// National returns the Finnish national status code for s; ok is false for
// entered-in-error, which has none.
func (s Status) National() (code NationalStatus, ok bool) {
	code, ok = nationalStatus[s]
	return code, ok
}

// StatusFromNational returns the FHIR status for an Ajanvarauksen tila
// code, following the same ConceptMap (5 Siirretty, deprecated, and
// 6 Alkanut map to their wider FHIR statuses cancelled and fulfilled).
func StatusFromNational(code string) (Status, error) {
	switch code {
	case "1":
		return StatusWaitlist, nil
	case "2":
		return StatusProposed, nil
	case "8":
		return StatusPending, nil
	case "3":
		return StatusBooked, nil
	case "4", "5":
		return StatusCancelled, nil
	case "10":
		return StatusCheckedIn, nil
	case "6", "7":
		return StatusFulfilled, nil
	case "9":
		return StatusNoShow, nil
	}
	return "", carecontact.Invalid(ErrInvalid, "code", fmt.Sprintf("%q is not a national status code (%s)", clip(code), NationalStatusSystem))
}

// clip cuts s to 40 bytes for an error text, so a megabyte passed in does
// not come back in the error.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	return strings.ToValidUTF8(s[:40], "") + "…"
}
