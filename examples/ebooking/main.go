// Command ebooking walks through electronic self-service booking in one
// service area of a wellbeing-services county: it sets up the area's
// e-booking catalogue and calendars, lets a client search, hold and book a
// slot (answering the pre-questions and seeing a versioned guidance text),
// reschedules it (the freed time goes to a client on the waitlist first),
// and exports the result as FHIR R4. Time is fixed, so the output is the
// same on every run.
//
//	go run ./examples/ebooking
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ebooking:", err)
		os.Exit(1)
	}
}

func span(from, to civil.TimeOfDay) civil.Span { return civil.Span{From: from, To: to} }

func run(ctx context.Context, w io.Writer) error {
	loc := civil.Helsinki()
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	lunch := []civil.Span{span(civil.At(11, 0), civil.At(11, 30))}
	nurse := func(id carecontact.ProfessionalID) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: "lakeside", Team: "team-1", Role: "nurse",
			Rules: []booking.WeeklyRule{
				{Weekdays: weekdays, Span: span(civil.At(8, 0), civil.At(10, 0)), Block: booking.BlockCallback},
				{Weekdays: weekdays, Span: span(civil.At(10, 0), civil.At(15, 0)), Breaks: lunch, Block: booking.BlockSelfService},
			}}
	}
	// 1. Calendars and the area's catalogue.
	set, err := booking.NewCalendarSet([]booking.Calendar{nurse("nurse-aino"), nurse("nurse-emil")})
	if err != nil {
		return err
	}
	from := civil.Date{Year: 2026, Month: time.December, Day: 21}
	ix, err := booking.NewIndex(set, from, 30)
	if err != nil {
		return err
	}
	cat, err := booking.NewCatalogue("lakeside", []booking.Service{
		{Code: "bp-check", Area: "lakeside", Names: civil.Names{FI: "Verenpaineen seuranta", SV: "Blodtryckskontroll", EN: "Blood pressure check"},
			Duration: 20 * time.Minute, Channel: channel.InPerson, Step: 30 * time.Minute,
			Requires:       []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult"}, MinNotice: 4 * time.Hour, Horizon: 21 * 24 * time.Hour,
			MaxPerClient: 1, Period: 28 * 24 * time.Hour, BufferAfter: 10 * time.Minute,
			PreQuestions: []booking.Question{{ID: "home-readings", Text: civil.Names{FI: "Onko sinulla kotimittauksia?", EN: "Do you have home readings?"}, Required: true}}},
		{Code: "stitches-out", Area: "lakeside", Names: civil.Names{FI: "Ompeleiden poisto", SV: "Borttagning av stygn", EN: "Stitch removal"},
			Duration: 15 * time.Minute, Channel: channel.InPerson, Step: 30 * time.Minute,
			Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}},
	})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "1. E-booking catalogue of service area lakeside")
	for _, s := range cat.Services() {
		self := "professionals only"
		if len(s.SelfBookGroups) > 0 {
			self = fmt.Sprintf("self-service for %v", s.SelfBookGroups)
		}
		fmt.Fprintf(w, "   %-13s %s / %s / %s, %s, %s\n", s.Code, s.Names.FI, s.Names.SV, s.Names.EN, s.Duration, self)
	}

	now := time.Date(2026, time.December, 22, 7, 0, 0, 0, loc) // Tuesday morning
	ids := 0
	store := memory.NewBookingStore(nil)
	b, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now }), HoldTTL: 10 * time.Minute,
		NewID: func(prefix string) string { ids++; return fmt.Sprintf("%s%04d", prefix, ids) }})
	if err != nil {
		return err
	}
	client := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"}, ClientGroup: "adult"}

	// 2. The client searches: minimum notice, the callback hours and the
	// Christmas holidays leave these first slots.
	slots, err := b.Search(ctx, booking.SearchRequest{Area: "lakeside", Service: "bp-check", Limit: 6, By: client})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n2. Search at %s: first free slots for bp-check\n", now.Format("Mon 2 Jan 15:04"))
	for _, s := range slots {
		fmt.Fprintf(w, "   %s-%s  %s\n", s.Start.In(loc).Format("Mon 2 Jan 15:04"), s.End.In(loc).Format("15:04"), s.Participants[0])
	}
	later, err := b.Search(ctx, booking.SearchRequest{Area: "lakeside", Service: "bp-check", From: time.Date(2026, 12, 23, 14, 30, 0, 0, loc), Limit: 3, By: client})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   after the two slots of Wed 23 Dec 14:30 the next is %s (24-26 Dec closed)\n", later[len(later)-1].Start.In(loc).Format("Mon 2 Jan 15:04"))

	// 3. Hold the first slot while the client answers the pre-questions.
	held, err := b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "client-7f3a", By: client,
		Answers:         []booking.Answer{{QuestionID: "home-readings", Text: "145/92 morning average"}},
		GuidanceVersion: "lakeside/bp-check/v4"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n3. Held %s for %s until %s (status %s)\n", held.ID, held.Participants[0], held.HoldUntil.In(loc).Format("15:04"), held.Status)
	_, err = b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "client-91bc", By: booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-91bc"}, ClientGroup: "adult"},
		Answers: []booking.Answer{{QuestionID: "home-readings", Text: "none"}}})
	fmt.Fprintf(w, "   another client trying the same slot: %v\n", err)

	// 4. Confirm within the hold.
	now = now.Add(3 * time.Minute)
	booked, err := b.Confirm(ctx, held.ID, client)
	if err != nil {
		return err
	}
	n, _ := booked.Status.National()
	fmt.Fprintf(w, "\n4. Confirmed at %s: %s is %s (Ajanvarauksen tila %s %s), guidance %s\n",
		now.In(loc).Format("15:04"), booked.ID, booked.Status, n.Code, n.Display, booked.GuidanceVersion)
	_, err = b.Book(ctx, booking.BookRequest{Slot: slots[2], Client: "client-7f3a", By: client,
		Answers: []booking.Answer{{QuestionID: "home-readings", Text: "again"}}})
	fmt.Fprintf(w, "   a second bp-check within 28 days: %v\n", err)

	// 5. Another client waits for bp-check; the first client moves to a
	// later slot, and the freed time is offered to the waiting client as a
	// hold in the same step.
	other := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-91bc"}, ClientGroup: "adult"}
	if _, err := b.Wait(ctx, booking.WaitRequest{Area: "lakeside", Service: "bp-check", Client: "client-91bc", By: other,
		Answers: []booking.Answer{{QuestionID: "home-readings", Text: "none"}}}); err != nil {
		return err
	}
	now = now.Add(time.Minute)
	moved, err := b.Reschedule(ctx, booked.ID, slots[3], client)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n5. Rescheduled %s to %s (%s); %s is %s\n", booked.ID, moved.Moved.Start.In(loc).Format("Mon 2 Jan 15:04"),
		moved.Moved.ID, booked.ID, moved.Cancelled.Status)
	if o := moved.Offer; o != nil {
		fmt.Fprintf(w, "   the freed %s offered to %s from the waitlist: %s held until %s\n",
			o.Start.In(loc).Format("Mon 2 Jan 15:04"), o.Client, o.ID, o.HoldUntil.In(loc).Format("15:04"))
	}

	// 6. Export for other systems.
	fmt.Fprintln(w, "\n6. FHIR R4 export")
	for _, doc := range []func() ([]byte, error){
		func() ([]byte, error) { return fhir.ExportSlot(slots[1], fhir.SlotFree) },
		func() ([]byte, error) { return fhir.ExportAppointment(moved.Moved) },
	} {
		raw, err := doc()
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := json.Indent(&out, raw, "   ", "  "); err != nil {
			return err
		}
		fmt.Fprintf(w, "   %s\n", out.String())
	}
	events, err := store.AuditLog().Events(ctx, audit.Filter{})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n7. Audit trail")
	for _, e := range events {
		fmt.Fprintf(w, "   %s %-16s %-8s %s client=%s\n", e.At.In(loc).Format("15:04"), e.Action, e.Outcome, e.Subject, e.Client)
	}
	return nil
}
