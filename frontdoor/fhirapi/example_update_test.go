package fhirapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor/fhirapi"
	"github.com/carecontact/carecontact/storage/memory"
)

// A client cancels their appointment with the update interaction: PUT of
// the Appointment as they want it, with the If-Match of the version they
// read. The same If-Match again is stale, and a PUT without one is refused.
func ExampleHandler_update() {
	loc := civil.Helsinki()
	nurse := booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Tuesday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}}}
	set, _ := booking.NewCalendarSet([]booking.Calendar{nurse})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination", EN: "Vaccination"}, Duration: 15 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}}})
	store := memory.NewBookingStore(nil)
	now := time.Date(2027, time.March, 29, 9, 0, 0, 0, loc)
	b, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now }), NewID: func(p string) string { return p + "-1" }})
	if err != nil {
		fmt.Println(err)
		return
	}
	client := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}
	h, err := fhirapi.New(fhirapi.Config{Booker: b,
		Requester: func(*http.Request) (booking.Requester, error) { return client, nil }})
	if err != nil {
		fmt.Println(err)
		return
	}
	start := time.Date(2027, time.March, 30, 9, 0, 0, 0, loc)
	a, err := b.Book(context.Background(), booking.BookRequest{Client: "client-1", By: client, Slot: booking.Slot{Area: "north",
		Service: "vaccination", Start: start, End: start.Add(15 * time.Minute), Participants: []booking.CalendarID{"nurse-1"}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	a.Status, a.CancelReason = booking.StatusCancelled, "the client is ill"
	body, _ := fhir.ExportAppointment(a)
	for _, ifMatch := range []string{`W/"1"`, `W/"1"`, ""} {
		req := httptest.NewRequest(http.MethodPut, "/Appointment/apt-1", bytes.NewReader(body))
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			ResourceType string `json:"resourceType"`
			Status       string `json:"status"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		fmt.Println(strings.Join(strings.Fields(fmt.Sprint(rec.Code, " ", rec.Header().Get("ETag"), " ", out.ResourceType, " ", out.Status)), " "))
	}
	// Output:
	// 200 W/"2" Appointment cancelled
	// 412 OperationOutcome
	// 428 OperationOutcome
}
