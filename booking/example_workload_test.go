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

func ExampleBooker_Workload() {
	ctx := context.Background()
	loc := civil.Helsinki()
	set, _ := booking.NewCalendarSet([]booking.Calendar{
		{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
			Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Tuesday},
				Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}}},
		{ID: "room-1", Kind: booking.OwnerResource, Area: "north", Role: "room",
			Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Tuesday},
				Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}}},
	})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 22}, 21)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "wound-care", Area: "north",
		Names: civil.Names{FI: "Haavanhoito", SV: "Sårvård"}, Duration: 30 * time.Minute, Channel: channel.InPerson,
		Requires:       []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}, {Kind: booking.OwnerResource, Role: "room"}},
		SelfBookGroups: []string{"adult"}}})
	now := time.Date(2027, time.March, 28, 10, 0, 0, 0, loc) // summer time starts at 03:00
	store := memory.NewBookingStore(nil)
	b, _ := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now })})
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}

	// A search of Sunday finds nothing; the one of Tuesday a nurse and a
	// room, held and left to lapse.
	sunday := civil.Date{Year: 2027, Month: time.March, Day: 28}
	none, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "wound-care", From: now, To: sunday.AddDays(1).Start(loc), By: me})
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "wound-care", Limit: 1, By: me})
	fmt.Println("found:", len(none), len(slots), slots[0].Participants)
	_, _ = b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: me})
	now = now.Add(time.Hour)
	_, _ = b.Expire(ctx)

	w, err := b.Workload(ctx, booking.Requester{Actor: audit.System("report")}, "north", sunday, sunday)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("period:", w.Period, w.Period.Duration())
	fmt.Printf("clients: %d (empty searches %d, lapsed holds %d); staff: %d\n",
		w.Total.Clients(), w.Total.EmptySearches, w.Total.LapsedHolds, w.Total.Staff())
	// Output:
	// found: 0 1 [nurse-1 room-1]
	// period: 2027-03-27T22:00:00Z/2027-03-28T21:00:00Z 23h0m0s
	// clients: 2 (empty searches 1, lapsed holds 1); staff: 0
}
