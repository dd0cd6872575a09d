package fhirapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
)

// marks are the statuses booking.Booker.Mark records.
var marks = []booking.Status{booking.StatusCheckedIn, booking.StatusArrived, booking.StatusFulfilled,
	booking.StatusNoShow, booking.StatusEnteredInError}

// applied is what one booking change did.
type applied struct {
	// stored is the appointment the answer carries: the booked, held,
	// confirmed, cancelled or marked one, or a reschedule's new one.
	stored booking.Appointment
	// status is 201 for a new appointment (a reschedule's included), else
	// 200.
	status int
	// replaced is a reschedule's old appointment, cancelled with reason
	// "rescheduled"; nil for the other changes.
	replaced *booking.Appointment
}

// apply makes one booking change through the booker, for the transaction
// (POST of a Bundle to the base) and the update (PUT Appointment/id)
// alike. c.Replaces is the version an If-Match names, 0 for none;
// ifMatch is the element or header it came in, for the errors. A change
// without If-Match books (status booked) or holds (pending) a new
// appointment; any other change of a stored one without If-Match is
// ErrPreconditionRequired. With If-Match the stored appointment is read
// (the booker's access model and audit), its version must be the one
// named (else ErrPrecondition), and the change is one of: confirm
// (pending to booked, same time), reschedule (booked at a new time, from
// booked or pending), cancel (cancelled at the same time, with a
// cancelationReason: a text, codings or both) or a mark (checked-in, arrived, fulfilled, noshow,
// entered-in-error, same time). Taken slots lie within the appointment's
// new time, freed ones within the stored time.
func (h *Handler) apply(ctx context.Context, c fhir.BookingChange, ifMatch string, by booking.Requester) (applied, error) {
	a := c.Appointment
	if err := within("taken", c.Taken, a.Start, a.End); err != nil {
		return applied{}, err
	}
	if c.Replaces == 0 {
		switch {
		case a.Status == booking.StatusCancelled || slices.Contains(marks, a.Status):
			return applied{}, preconditionRequired(ifMatch)
		case a.Status != booking.StatusBooked && a.Status != booking.StatusPending:
			return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status", "a new appointment is booked or pending")
		case len(c.Freed) > 0:
			return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Bundle.entry", "a new appointment frees no slot")
		}
		req := booking.BookRequest{Slot: slotOf(a), Client: a.Client, By: by}
		var stored booking.Appointment
		var err error
		if a.Status == booking.StatusBooked {
			stored, err = h.cfg.Booker.Book(ctx, req)
		} else {
			stored, err = h.cfg.Booker.Hold(ctx, req)
		}
		return applied{stored: stored, status: http.StatusCreated}, err
	}
	cur, err := h.cfg.Booker.Appointment(ctx, a.ID, by)
	if c.Replaces == anyVersion && errors.Is(err, carecontact.ErrNotFound) {
		return applied{}, precondition(ifMatch) // "*" needs a current version
	}
	if err != nil {
		return applied{}, err
	}
	if c.Replaces == anyVersion { // If-Match: * matches the current version
		c.Replaces = cur.Version
	}
	if cur.Version != c.Replaces {
		return applied{}, precondition(ifMatch)
	}
	if err := within("freed", c.Freed, cur.Start, cur.End); err != nil {
		return applied{}, err
	}
	switch {
	case a.Client != cur.Client:
		return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.participant", "a change keeps the patient")
	case a.Area != cur.Area || a.Service != cur.Service:
		return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.serviceType", "a change keeps the service")
	}
	sameTime := a.Start.Equal(cur.Start) && a.End.Equal(cur.End)
	if sameTime && !slices.Equal(a.Participants, cur.Participants) {
		return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.participant",
			"other participants at the same time is not a change this API makes (a reschedule has a new time)")
	}
	if !sameTime && a.Status != booking.StatusBooked {
		return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.start",
			fmt.Sprintf("a new time is a reschedule, which books it (status booked, not %s)", a.Status))
	}
	// The booker checks the version again on its own read, in the same
	// operation as its change: a change made since the read above is not
	// overwritten.
	at := h.cfg.Booker.IfVersion(c.Replaces)
	out := applied{status: http.StatusOK}
	switch {
	case a.Status == booking.StatusCancelled:
		if len(c.Taken) > 0 {
			return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Bundle.entry", "a cancellation takes no slot")
		}
		if a.CancelReason == "" && len(a.CancelCodes) == 0 {
			return applied{}, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.cancelationReason", "is required to cancel (a text, a coding with a code, or both)")
		}
		var res booking.CancelResult
		res, err = at.CancelCoded(ctx, a.ID, a.CancelReason, a.CancelCodes, by)
		out.stored = res.Cancelled
	case !sameTime: // booked at a new time, from booked or pending
		var res booking.RescheduleResult
		res, err = at.Reschedule(ctx, a.ID, slotOf(a), by)
		out.stored, out.replaced, out.status = res.Moved, &res.Cancelled, http.StatusCreated
	case a.Status == booking.StatusBooked && cur.Status == booking.StatusPending:
		out.stored, err = at.Confirm(ctx, a.ID, by)
	case slices.Contains(marks, a.Status) && len(c.Taken) == 0:
		out.stored, err = at.Mark(ctx, a.ID, a.Status, by)
	default:
		err = carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status",
			fmt.Sprintf("from %s to %s is not a change this API makes (it books, holds, confirms, reschedules, cancels, and marks checked-in, arrived, fulfilled, noshow and entered-in-error)", cur.Status, a.Status))
	}
	if errors.Is(err, booking.ErrStaleVersion) {
		return applied{}, precondition(ifMatch)
	}
	if err != nil {
		return applied{}, err
	}
	return out, nil
}

// transaction answers a POST of a transaction Bundle to the base: a
// booking change as fhir.ImportBookingTransaction reads it (one
// Appointment PUT, the Slots it takes as busy and frees as free), made by
// apply. The answer is a transaction-response Bundle with one entry per
// request entry, in their order: the appointment's with the resource
// stored, its location and ETag (a reschedule's with the new appointment,
// 201, and an OperationOutcome telling that the old one was replaced), a
// slot's 200.
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	data, err := readBody(r, "Bundle")
	if err != nil {
		writeError(w, err)
		return
	}
	change, err := h.cfg.Mapping.ImportBookingTransaction(data)
	if err == nil {
		err = h.refuseUnstored("Appointment", transactionAppointment(data), change.Appointment, change.Details)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	entries, err := h.cfg.Mapping.ImportTransaction(data)
	if err != nil {
		writeError(w, err)
		return
	}
	ifMatch := "Bundle.entry.request.ifMatch"
	for i, e := range entries {
		if e.Appointment != nil {
			ifMatch = fmt.Sprintf("Bundle.entry[%d].request.ifMatch", i)
		}
	}
	done, err := h.apply(r.Context(), change, ifMatch, by)
	if err != nil {
		writeError(w, err)
		return
	}
	res, id, err := h.exportWithID(done.stored)
	if err != nil {
		writeError(w, err)
		return
	}
	type entryResponse struct {
		Status   string          `json:"status"`
		Location string          `json:"location,omitempty"`
		Etag     string          `json:"etag,omitempty"`
		Outcome  json.RawMessage `json:"outcome,omitempty"`
	}
	type entry struct {
		FullURL  string          `json:"fullUrl,omitempty"`
		Resource json.RawMessage `json:"resource,omitempty"`
		Response entryResponse   `json:"response"`
	}
	out := struct {
		ResourceType string  `json:"resourceType"`
		Type         string  `json:"type"`
		Entry        []entry `json:"entry"`
	}{ResourceType: "Bundle", Type: "transaction-response"}
	for _, e := range entries {
		if e.Appointment == nil {
			out.Entry = append(out.Entry, entry{FullURL: h.slotURL(e), Response: entryResponse{Status: "200 OK"}})
			continue
		}
		resp := entryResponse{
			Status:   strconv.Itoa(done.status) + " " + http.StatusText(done.status),
			Location: h.location(id, done.stored.Version),
			Etag:     etag(done.stored.Version),
		}
		if done.replaced != nil {
			if resp.Outcome, err = h.replacedOutcome(*done.replaced, id); err != nil {
				writeError(w, err)
				return
			}
		}
		full := ""
		if h.cfg.Base != "" {
			full = h.cfg.Base + "/Appointment/" + id
		}
		out.Entry = append(out.Entry, entry{FullURL: full, Resource: res, Response: resp})
	}
	writeJSON(w, http.StatusOK, out)
}

// slotURL is the fullUrl of a transaction's Slot entry, under Config.Base:
// "" without a base, for another entry, or for a request url that is not
// Slot/<id> of an id the package takes (one that looks like personal data
// is never echoed).
func (h *Handler) slotURL(e fhir.BundleEntry) string {
	if h.cfg.Base == "" || e.Slot == nil || e.Request == nil {
		return ""
	}
	id, ok := strings.CutPrefix(e.Request.URL, "Slot/")
	if !ok || id == "" || strings.ContainsAny(id, "/?#") || audit.Redact(id) != id {
		return ""
	}
	if _, err := fhir.InternalID("id", id); err != nil {
		return ""
	}
	return h.cfg.Base + "/Slot/" + id
}

// update answers PUT Appointment/id, the FHIR update interaction: the
// body is the Appointment in the state the client wants, the If-Match
// header the version it read (required: 428 without, 412 for another
// than the stored one). It makes the change through apply, as a
// transaction of the appointment alone would; the answer is the stored
// appointment with its ETag (and, for a reschedule, 201 with the new
// appointment and its Location).
func (h *Handler) update(w http.ResponseWriter, r *http.Request, id string) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	match := r.Header.Get("If-Match")
	if match == "" {
		writeError(w, preconditionRequired("If-Match"))
		return
	}
	version, err := parseETag(match)
	if err != nil {
		writeError(w, err)
		return
	}
	data, err := readBody(r, "Appointment")
	if err != nil {
		writeError(w, err)
		return
	}
	a, d, err := h.cfg.Mapping.ImportAppointmentDetails(data)
	if err == nil {
		err = h.refuseUnstored("Appointment", data, a, d)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if a.ID == "" {
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.id", "is required by an update (PUT Appointment/id): a new appointment is a create (POST Appointment)"))
		return
	}
	if a.ID != id {
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.id", "is not the id of the URL"))
		return
	}
	done, err := h.apply(r.Context(), fhir.BookingChange{Appointment: a, Replaces: version}, "If-Match", by)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeAppointment(w, done.status, done.stored)
}

// create answers POST Appointment, the FHIR create interaction: the body
// is a new Appointment, booked (status booked) or held (pending) as a
// transaction of the appointment alone without If-Match would. Its id, if
// it has one, is ignored (as R4 create does): the booker names the stored
// appointment with its ID generator (booking.Config.NewID). The answer is
// 201 with the stored appointment, its Location and ETag.
func (h *Handler) create(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	data, err := readBody(r, "Appointment")
	if err != nil {
		writeError(w, err)
		return
	}
	a, d, err := h.cfg.Mapping.ImportAppointmentDetails(data)
	if err == nil {
		err = h.refuseUnstored("Appointment", data, a, d)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	if a.Status != booking.StatusBooked && a.Status != booking.StatusPending {
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status", "a create books (booked) or holds (pending) a new appointment"))
		return
	}
	done, err := h.apply(r.Context(), fhir.BookingChange{Appointment: a}, "If-Match", by)
	if err != nil {
		writeError(w, err)
		return
	}
	h.writeAppointment(w, done.status, done.stored)
}

// anyVersion is the version of If-Match: *, which (RFC 9110 13.1.1)
// matches whatever version is current: the appointment must exist.
const anyVersion = fhir.AnyVersion

// parseETag reads an If-Match header of the store's version: W/"3", or
// "3" or 3 as some clients send it; * is anyVersion.
func parseETag(tag string) (int, error) {
	if strings.TrimSpace(tag) == "*" {
		return anyVersion, nil
	}
	s := strings.Trim(strings.TrimPrefix(strings.TrimSpace(tag), "W/"), `"`)
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, carecontact.Invalid(carecontact.ErrInvalid, "If-Match", `want W/"<version>" of the appointment read`)
	}
	return n, nil
}

// replacedOutcome is the OperationOutcome of a reschedule's entry: the
// appointment the request named is now cancelled as rescheduled, and the
// entry's resource and location are its replacement.
func (h *Handler) replacedOutcome(old booking.Appointment, newID string) (json.RawMessage, error) {
	_, oldID, err := h.exportWithID(old)
	if err != nil {
		return nil, err
	}
	msg := fmt.Sprintf("rescheduled: Appointment/%s is cancelled (reason rescheduled) at version %d; its replacement is Appointment/%s, this entry's resource and location",
		oldID, old.Version, newID)
	return json.Marshal(fhir.Outcome{ResourceType: "OperationOutcome", Issue: []fhir.OutcomeIssue{{
		Severity: "information", Code: "informational", Diagnostics: msg, Expression: []string{"Appointment"}}}})
}

// within checks that each slot lies within from..to.
func within(what string, slots []booking.Slot, from, to time.Time) error {
	for _, s := range slots {
		if s.Start.Before(from) || s.End.After(to) {
			return carecontact.Invalid(carecontact.ErrInvalid, "Bundle.entry", "a "+what+" slot outside the appointment's time")
		}
	}
	return nil
}

// precondition is the ErrPrecondition of an If-Match (named by field, the
// header or the transaction entry's request.ifMatch) that names another
// version than the stored one.
func precondition(field string) error {
	return carecontact.Invalid(ErrPrecondition, field, "names another version than the appointment's current one: read it again")
}

// preconditionRequired is the ErrPreconditionRequired of a change of a
// stored appointment without an If-Match (named by field).
func preconditionRequired(field string) error {
	return carecontact.Invalid(ErrPreconditionRequired, field, "is required to change a stored appointment: send the version read")
}

// readBody reads a request's body of at most maxBody bytes; an unreadable
// or larger one is invalid input naming field.
func readBody(r *http.Request, field string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		return nil, carecontact.Invalid(carecontact.ErrInvalid, field, "cannot be read")
	}
	if len(data) > maxBody {
		return nil, carecontact.Invalid(carecontact.ErrInvalid, field, "is larger than a mebibyte")
	}
	return data, nil
}
