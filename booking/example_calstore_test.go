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
