// Command ebooking walks through electronic self-service booking in one
// service area of a wellbeing-services county on the one catalogue: the
// area's e-bookable services, with their booking rules and pre-questions,
// and the texts clients see while booking are guidance content that a
// nurse drafts as one change set, a colleague reviews and the head nurse
// approves and publishes. Booking reads its services from that published
// catalogue, and a client searches, holds and books a slot through the
// front door (answering the pre-questions and seeing the published texts,
// whose versions the appointment records); the booking is rescheduled (the
// freed time goes to a client on the waitlist first) and exported as FHIR
// R4. Time is fixed, so the output is the same on every run.
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
	"strings"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/booking/fhir"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "ebooking:", err)
		os.Exit(1)
	}
}

func span(from, to civil.TimeOfDay) civil.Span { return civil.Span{From: from, To: to} }

func pro(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }

func loc2(fi, sv string) guidance.Localized { return guidance.Localized{"fi": fi, "sv": sv} }

// catalogue is what service area lakeside keeps in guidance: its
// e-bookable services with their booking rules, and the texts a client is
// shown while booking, all in one change set.
func catalogue() ([]guidance.Entry, error) {
	questions, err := json.Marshal([]booking.Question{{ID: "home-readings",
		Text: civil.Names{FI: "Onko sinulla kotimittauksia?", SV: "Har du mätningar hemifrån?", EN: "Do you have home readings?"}, Required: true}})
	if err != nil {
		return nil, err
	}
	nurse := []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}
	return []guidance.Entry{
		{Booking: &guidance.BookingConfig{Area: "lakeside", Services: []guidance.BookableService{
			{ID: "bp-check", Errand: channel.ErrandChronicFollowUp, Groups: []string{"adult"},
				Name: guidance.Localized{"fi": "Verenpaineen seuranta", "sv": "Blodtryckskontroll", "en": "Blood pressure check"},
				Rules: &guidance.BookingRules{DurationMinutes: 20, Channel: channel.InPerson, StepMinutes: 30, Requires: nurse,
					MinNoticeMinutes: 240, HorizonDays: 21, MaxPerClient: 1, PeriodDays: 28, BufferAfterMinutes: 10, PreQuestions: questions}},
			// Professionals book stitch removal for the client; no client
			// books it themselves.
			{ID: "stitches-out", Errand: channel.ErrandWoundCare,
				Name: guidance.Localized{"fi": "Ompeleiden poisto", "sv": "Borttagning av stygn", "en": "Stitch removal"},
				Rules: &guidance.BookingRules{DurationMinutes: 15, Channel: channel.InPerson, StepMinutes: 30, Requires: nurse,
					StaffOnly: true}},
		}}},
		{Text: &guidance.Text{Key: guidance.KeyEBookingBefore, Area: "lakeside", Service: "bp-check",
			Text: loc2("{service_name}: ota kotimittaustesi tulokset mukaan.", "{service_name}: ta med resultaten av dina mätningar hemma.")}},
		{Text: &guidance.Text{Key: guidance.KeyEBookingConfirmed, Area: "lakeside",
			Text: loc2("{service_name} on varattu {appointment_time}.", "{service_name} är bokad {appointment_time}.")}},
	}, nil
}

func run(ctx context.Context, w io.Writer) error {
	loc := civil.Helsinki()
	now := time.Date(2026, time.December, 21, 9, 0, 0, 0, loc) // Monday morning
	clk := carecontact.ClockFunc(func() time.Time { return now })
	db := memory.New()

	// 1. The area's catalogue is guidance content under the workflow: nurse
	// Aino drafts the services and their texts as one change set, nurse
	// Emil reviews it, head nurse Liisa approves and publishes it.
	aino, emil, liisa := pro("nurse-aino"), pro("nurse-emil"), pro("head-liisa")
	guide, err := guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Clock: clk,
		Roles: guidance.Grants{
			"nurse-aino": {{Role: guidance.RoleEditor, Area: "lakeside"}, {Role: guidance.RoleReviewer, Area: "lakeside"}},
			"nurse-emil": {{Role: guidance.RoleEditor, Area: "lakeside"}, {Role: guidance.RoleReviewer, Area: "lakeside"}},
			"head-liisa": {{Role: guidance.RoleManager, Area: "lakeside"}}}})
	if err != nil {
		return err
	}
	entries, err := catalogue()
	if err != nil {
		return err
	}
	if err := guide.NewSet(ctx, aino, "lakeside-ebooking", "lakeside", "e-booking services of lakeside"); err != nil {
		return err
	}
	for _, e := range entries {
		if _, err := guide.DraftInSet(ctx, aino, "lakeside-ebooking", e, ""); err != nil {
			return err
		}
	}
	if err := guide.SubmitSet(ctx, aino, "lakeside-ebooking", ""); err != nil {
		return err
	}
	now = now.Add(time.Hour)
	if err := guide.ReviewSet(ctx, emil, "lakeside-ebooking", "rules and texts checked"); err != nil {
		return err
	}
	now = now.Add(time.Hour)
	if err := guide.ApproveSet(ctx, liisa, "lakeside-ebooking", ""); err != nil {
		return err
	}
	if err := guide.PublishSet(ctx, liisa, "lakeside-ebooking", time.Time{}, ""); err != nil {
		return err
	}
	rec, err := guide.Record(ctx, guidance.SetSubject("lakeside-ebooking"))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "1. E-booking catalogue of service area lakeside, published as change set lakeside-ebooking")
	for _, s := range rec.Versions[0].Steps {
		if s.Action == guidance.ActionEdit {
			continue
		}
		fmt.Fprintf(w, "   %s  %-10s %s\n", s.At.In(loc).Format("Mon 2 Jan 15:04"), s.Actor.ID, s.Action)
	}
	services, version, err := frontdoor.CatalogueServices{Guide: guide}.Services(ctx, "lakeside", now)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   booking reads %s:\n", version)
	for _, s := range services {
		who := fmt.Sprintf("self-service for %v", s.SelfBookGroups)
		if len(s.SelfBookGroups) == 0 {
			who = "booked by professionals only"
		}
		fmt.Fprintf(w, "   %-13s %s / %s / %s, %s, %s\n", s.Code, s.Names.FI, s.Names.SV, s.Names.EN, s.Duration, who)
	}

	// Calendars, booking on the published catalogue, and the front door.
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	lunch := []civil.Span{span(civil.At(11, 0), civil.At(11, 30))}
	nurse := func(id carecontact.ProfessionalID) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: "lakeside", Team: "team-1", Role: "nurse",
			Rules: []booking.WeeklyRule{
				{Weekdays: weekdays, Span: span(civil.At(8, 0), civil.At(10, 0)), Block: booking.BlockCallback},
				{Weekdays: weekdays, Span: span(civil.At(10, 0), civil.At(15, 0)), Breaks: lunch, Block: booking.BlockSelfService},
			}}
	}
	set, err := booking.NewCalendarSet([]booking.Calendar{nurse("nurse-aino"), nurse("nurse-emil")})
	if err != nil {
		return err
	}
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: time.December, Day: 21}, 30)
	if err != nil {
		return err
	}
	ids := 0
	b, err := booking.New(booking.Config{Index: ix, Services: frontdoor.CatalogueServices{Guide: guide}, Store: db.BookingStore(), Audit: db.AuditLog(),
		Clock: clk, HoldTTL: 10 * time.Minute,
		NewID: func(prefix string) string { ids++; return fmt.Sprintf("%s%04d", prefix, ids) }})
	if err != nil {
		return err
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "lakeside", NameFi: "Järvenranta", PostalCodes: []routing.PostalCode{"80100"}}},
		Teams: []routing.Team{{ID: "team-1", NameFi: "Järvenranta 1", Area: "lakeside"}},
		Professionals: []routing.Professional{{ID: "nurse-aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"},
			Teams: []carecontact.TeamID{"team-1"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	if err != nil {
		return err
	}
	keys := 0
	door, err := frontdoor.New(ctx, frontdoor.Config{Clock: clk, Directory: dir, Capacity: callback.NewStaticCapacity(nil),
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		Guide: guide, Booker: b, NewID: func() string { keys++; return fmt.Sprintf("k%d", keys) }})
	if err != nil {
		return err
	}

	// 2. On Tuesday morning the client searches through the front door:
	// minimum notice, the callback hours and the Christmas holidays leave
	// these first slots.
	now = time.Date(2026, time.December, 22, 7, 0, 0, 0, loc)
	times, err := door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-7f3a", Group: "adult", Area: "lakeside", Service: "bp-check", Limit: 6})
	if err != nil {
		return err
	}
	slots := times.Slots
	fmt.Fprintf(w, "\n2. Search at %s: first free slots for bp-check\n", now.Format("Mon 2 Jan 15:04"))
	for _, s := range slots {
		fmt.Fprintf(w, "   %s-%s  %s\n", s.Start.In(loc).Format("Mon 2 Jan 15:04"), s.End.In(loc).Format("15:04"), s.Participants[0])
	}
	fmt.Fprintf(w, "   told %q (%s, %s)\n", times.Text.Plain, times.Text.Language, times.Text.Version)
	later, err := door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-7f3a", Group: "adult", Area: "lakeside", Service: "bp-check",
		From: time.Date(2026, 12, 23, 14, 30, 0, 0, loc), Limit: 3})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "   after the two slots of Wed 23 Dec 14:30 the next is %s (24-26 Dec closed)\n", later.Slots[len(later.Slots)-1].Start.In(loc).Format("Mon 2 Jan 15:04"))
	if _, err := door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-7f3a", Group: "adult", Area: "lakeside", Service: "stitches-out"}); err != nil {
		fmt.Fprintf(w, "   an adult client looking for stitches-out: %v\n", err)
	}

	// 3. Hold the first slot while the client answers the pre-questions.
	answers := []booking.Answer{{QuestionID: "home-readings", Text: "145/92 morning average"}}
	held, err := door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-7f3a", Group: "adult", Slot: slots[0], Answers: answers})
	if err != nil {
		return err
	}
	h := held.Appointment
	fmt.Fprintf(w, "\n3. Held %s for %s until %s (status %s)\n", h.ID, h.Participants[0], h.HoldUntil.In(loc).Format("15:04"), h.Status)
	_, err = door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-91bc", Group: "adult", Slot: slots[0],
		Answers: []booking.Answer{{QuestionID: "home-readings", Text: "none"}}})
	fmt.Fprintf(w, "   another client trying the same slot: %v\n", err)

	// 4. Confirm within the hold.
	now = now.Add(3 * time.Minute)
	confirmed, err := door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "client-7f3a", Group: "adult", Hold: h.ID})
	if err != nil {
		return err
	}
	booked := confirmed.Appointment
	n, _ := booked.Status.National()
	fmt.Fprintf(w, "\n4. Confirmed at %s: %s is %s (Ajanvarauksen tila %s %s); told %q (%s)\n",
		now.In(loc).Format("15:04"), booked.ID, booked.Status, n.Code, n.Display, confirmed.Text.Plain, confirmed.Text.Version)
	fmt.Fprintf(w, "   the appointment records the versions shown: %s\n", booked.GuidanceVersion)
	_, err = door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-7f3a", Group: "adult", Slot: slots[2],
		Answers: []booking.Answer{{QuestionID: "home-readings", Text: "again"}}})
	fmt.Fprintf(w, "   a second bp-check within 28 days: %v\n", err)

	// 5. Another client waits for bp-check; the first client moves to a
	// later slot, and the freed time is offered to the waiting client as a
	// hold in the same step. The front door offers neither the waitlist
	// nor rescheduling, so these go to booking directly.
	client := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"}, ClientGroup: "adult"}
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
	events, err := db.AuditLog().Events(ctx, audit.Filter{})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n7. Audit trail of booking")
	for _, e := range events {
		if !strings.HasPrefix(e.Action, "booking.") {
			continue
		}
		fmt.Fprintf(w, "   %s %-16s %-8s %s client=%s\n", e.At.In(loc).Format("15:04"), e.Action, e.Outcome, e.Subject, e.Client)
	}
	return nil
}
