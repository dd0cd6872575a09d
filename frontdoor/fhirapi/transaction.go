package fhirapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
)

// transaction answers a POST of a transaction Bundle to the base: a
// booking change as fhir.ImportBookingTransaction reads it (one
// Appointment PUT, the Slots it takes as busy and frees as free). A new
// appointment (no If-Match) is booked (status booked) or held (pending)
// through the booker; a stored one, with an If-Match naming its current
// version, is confirmed (booked, from pending, at the same time) or
// cancelled (cancelled, with its cancelationReason's text as the reason).
// The slots must lie within the appointment's time: the taken ones within
// the new time, the freed ones within the stored one. Other changes (a
// reschedule, which the booker stores as a new appointment) are refused.
// The answer is a transaction-response Bundle with one entry per request
// entry, in their order.
func (h *Handler) transaction(w http.ResponseWriter, r *http.Request) {
	by, ok := h.requester(w, r)
	if !ok {
		return
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(data) > maxBody {
		writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Bundle", "unreadable or larger than a mebibyte"))
		return
	}
	change, err := h.cfg.Mapping.ImportBookingTransaction(data)
	if err != nil {
		writeError(w, err)
		return
	}
	entries, err := h.cfg.Mapping.ImportTransaction(data)
	if err != nil {
		writeError(w, err)
		return
	}
	a := change.Appointment
	if err := within("taken", change.Taken, a.Start, a.End); err != nil {
		writeError(w, err)
		return
	}
	var stored booking.Appointment
	status := http.StatusOK
	switch {
	case change.Replaces == 0:
		if len(change.Freed) > 0 {
			writeError(w, carecontact.Invalid(carecontact.ErrInvalid, "Bundle.entry", "a new appointment frees no slot"))
			return
		}
		req := booking.BookRequest{Slot: slotOf(a), Client: a.Client, By: by}
		switch a.Status {
		case booking.StatusBooked:
			stored, err = h.cfg.Booker.Book(r.Context(), req)
		case booking.StatusPending:
			stored, err = h.cfg.Booker.Hold(r.Context(), req)
		default:
			err = carecontact.Invalid(carecontact.ErrInvalid, "Appointment.status", "a new appointment is booked or pending")
		}
		status = http.StatusCreated
	default:
		var cur booking.Appointment
		if cur, err = h.cfg.Booker.Appointment(r.Context(), a.ID, by); err != nil {
			break
		}
		if cur.Version != change.Replaces {
			err = ErrPrecondition
			break
		}
		if err = within("freed", change.Freed, cur.Start, cur.End); err != nil {
			break
		}
		switch {
		case a.Status == booking.StatusCancelled && len(change.Taken) == 0:
			var res booking.CancelResult
			res, err = h.cfg.Booker.Cancel(r.Context(), a.ID, a.CancelReason, by)
			stored = res.Cancelled
		case a.Status == booking.StatusBooked && cur.Status == booking.StatusPending && a.Start.Equal(cur.Start) && a.End.Equal(cur.End):
			stored, err = h.cfg.Booker.Confirm(r.Context(), a.ID, by)
		default:
			err = carecontact.Invalid(carecontact.ErrInvalid, "Appointment",
				fmt.Sprintf("from %s to %s is not a change this API makes (it books, holds, confirms and cancels)", cur.Status, a.Status))
		}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	res, err := h.export(stored)
	if err != nil {
		writeError(w, err)
		return
	}
	var head struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(res, &head); err != nil {
		writeError(w, err)
		return
	}
	type entryResponse struct {
		Status   string `json:"status"`
		Location string `json:"location,omitempty"`
		Etag     string `json:"etag,omitempty"`
	}
	type entry struct {
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
			out.Entry = append(out.Entry, entry{Response: entryResponse{Status: "200 OK"}})
			continue
		}
		out.Entry = append(out.Entry, entry{Resource: res, Response: entryResponse{
			Status:   strconv.Itoa(status) + " " + http.StatusText(status),
			Location: "Appointment/" + head.ID + "/_history/" + strconv.Itoa(stored.Version),
			Etag:     etag(stored.Version),
		}})
	}
	writeJSON(w, http.StatusOK, out)
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
