package booking_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

func ExampleBooker() {
	ctx := context.Background()
	loc := civil.Helsinki()
	set, _ := booking.NewCalendarSet([]booking.Calendar{{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}},
	}})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "vaccination", Area: "north",
		Names: civil.Names{FI: "Rokotus", SV: "Vaccination", EN: "Vaccination"}, Duration: 15 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}, MinNotice: time.Hour}})
	now := time.Date(2027, time.March, 29, 9, 20, 0, 0, loc) // civil.Easter Monday 2027: closed
	store := memory.NewBookingStore(nil)
	b, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now })})
	if err != nil {
		fmt.Println(err)
		return
	}
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "vaccination", Limit: 2, By: me})
	for _, s := range slots {
		fmt.Println("free:", s.Start.In(loc).Format("Mon 2 Jan 15:04"), s.Participants[0])
	}
	held, _ := b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: me})
	fmt.Println("held:", held.Status, "until", held.HoldUntil.In(loc).Format("15:04"))
	other := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-2"}, ClientGroup: "adult"}
	_, err = b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "client-2", By: other})
	fmt.Println("second client:", errors.Is(err, booking.ErrSlotTaken))
	booked, _ := b.Confirm(ctx, held.ID, me)
	fmt.Println("confirmed:", booked.Status)
	// Output:
	// free: Tue 30 Mar 09:00 nurse-1
	// free: Tue 30 Mar 09:15 nurse-1
	// held: pending until 09:35
	// second client: true
	// confirmed: booked
}
