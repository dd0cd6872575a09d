package booking_test

import (
	"context"
	"fmt"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// A professional adds a morning's absence at run time: the calendar is
// stored with its new version, the change is recorded with its caller,
// and the next search no longer offers the morning.
func ExampleBooker_AddAbsence() {
	ctx := context.Background()
	loc := civil.Helsinki()
	set, _ := booking.NewCalendarSet([]booking.Calendar{{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}},
	}})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}}})
	now := time.Date(2027, time.March, 1, 8, 0, 0, 0, loc)
	store := memory.NewBookingStore(nil)
	b, _ := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now })})
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}
	search := func() {
		slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "vaccination", Limit: 3, By: me})
		for _, s := range slots {
			fmt.Println("  ", s.Start.In(loc).Format("Mon 2 Jan 15:04"))
		}
	}
	fmt.Println("before:")
	search()
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}}
	cur, _ := b.Calendar(ctx, "nurse-1")
	sc, err := b.AddAbsence(ctx, "nurse-1", cur.Version, booking.Exception{Date: civil.Date{Year: 2027, Month: time.March, Day: 1}, Kind: booking.Absence}, nurse)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("calendar version", sc.Version)
	fmt.Println("after:")
	search()
	evs, _ := store.AuditLog().Events(ctx, audit.Filter{Action: "calendar.put"})
	for _, e := range evs {
		fmt.Println(e.Action, e.Subject, "by", e.Actor.ID, "exceptions", e.Detail["exceptions"])
	}
	// Output:
	// before:
	//    Mon 1 Mar 09:00
	//    Mon 1 Mar 09:30
	//    Tue 2 Mar 09:00
	// calendar version 1
	// after:
	//    Tue 2 Mar 09:00
	//    Tue 2 Mar 09:30
	//    Mon 8 Mar 09:00
	// calendar.put calendar/nurse-1 by nurse-1 exceptions 1
}

// A nurse falls ill on a morning with a booked appointment: PlanAbsence
// stores the absence and offers the client the nearest times with the same
// nurse, skipping the Easter holidays.
func ExampleBooker_PlanAbsence() {
	ctx := context.Background()
	loc := civil.Helsinki()
	set, _ := booking.NewCalendarSet([]booking.Calendar{{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}},
	}})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}}})
	now := time.Date(2027, time.March, 24, 12, 0, 0, 0, loc)
	store := memory.NewBookingStore(nil)
	n := 0
	b, _ := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now }),
		NewID: func(prefix string) string { n++; return fmt.Sprintf("%s%d", prefix, n) }})
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}}
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "vaccination", Limit: 1, By: nurse})
	a, _ := b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: nurse})
	fmt.Println("booked:", a.ID, a.Start.In(loc).Format("Mon 2 Jan 15:04"))
	now = time.Date(2027, time.March, 25, 7, 0, 0, 0, loc)
	plan, err := b.PlanAbsence(ctx, booking.AbsenceRequest{Owner: "nurse-1", Absence: booking.Exception{
		Date: civil.Date{Year: 2027, Month: time.March, Day: 25}, Kind: booking.Absence}, Alternatives: 2, KeepProfessional: true, By: nurse})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range plan.Rebookings {
		fmt.Println("affected:", r.Appointment.ID)
		for _, s := range r.Alternatives {
			fmt.Println("  offer:", s.Start.In(loc).Format("Mon 2 Jan 15:04 MST"))
		}
	}
	// Output:
	// booked: apt1 Thu 25 Mar 09:00
	// affected: apt1
	//   offer: Tue 30 Mar 09:00 EEST
	//   offer: Tue 30 Mar 09:30 EEST
}

// A nurse reads the day's agenda with what the clients answered; each
// appointment shown is recorded as read by the nurse.
func ExampleBooker_Agenda() {
	ctx := context.Background()
	loc := civil.Helsinki()
	set, _ := booking.NewCalendarSet([]booking.Calendar{{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}},
	}})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"},
		PreQuestions:   []booking.Question{{ID: "fever", Text: civil.Names{FI: "Onko kuumetta?", SV: "Har du feber?"}, Kind: booking.QuestionYesNo, Required: true}}}})
	now := time.Date(2027, time.March, 1, 7, 0, 0, 0, loc)
	store := memory.NewBookingStore(nil)
	b, _ := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now })})
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "vaccination", Limit: 1, By: me})
	_, err := b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: me, Answers: []booking.Answer{{QuestionID: "fever", Text: booking.AnswerNo}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}}
	ag, _ := b.Agenda(ctx, "nurse-1", civil.Date{Year: 2027, Month: time.March, Day: 1}, nurse)
	for _, it := range ag.Items {
		fmt.Println(it.Appointment.Start.In(loc).Format("15:04"), it.ServiceNames.SV)
		for _, a := range it.Answers {
			fmt.Println("  ", a.Question.Text.SV, a.Text)
		}
	}
	reads, _ := store.AuditLog().Events(ctx, audit.Filter{Action: "booking.read"})
	fmt.Println("recorded reads:", len(reads), reads[0].Actor.ID)
	// Output:
	// 09:00 Vaccination
	//    Har du feber? no
	// recorded reads: 1 nurse-1
}
