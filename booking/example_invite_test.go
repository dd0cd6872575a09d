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

// exampleBooker is a Booker over one nurse's Monday and Tuesday mornings
// with a follow-up visit that only professionals book, signing tokens with
// key.
func exampleBooker(now *time.Time, key []byte) (*booking.Booker, *memory.BookingStore) {
	set, _ := booking.NewCalendarSet([]booking.Calendar{{
		ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday},
			Span: civil.Span{From: civil.At(9, 0), To: civil.At(10, 0)}, Block: booking.BlockSelfService}},
	}})
	ix, _ := booking.NewIndex(set, civil.Date{Year: 2027, Month: time.March, Day: 1}, 60)
	cat, _ := booking.NewCatalogue("north", []booking.Service{{Code: "follow-up", Area: "north",
		Names: civil.Names{FI: "Kontrollikäynti", SV: "Kontrollbesök"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}}})
	store := memory.NewBookingStore(nil)
	n := 0
	b, _ := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return *now }), TokenKey: key,
		NewID: func(prefix string) string { n++; return fmt.Sprintf("%s%d", prefix, n) }})
	return b, store
}

// A nurse invites a client to book a follow-up visit, which clients cannot
// book on their own; the invitation books once.
func ExampleBooker_Invite() {
	ctx := context.Background()
	loc := civil.Helsinki()
	now := time.Date(2027, time.March, 1, 7, 0, 0, 0, loc)
	b, _ := exampleBooker(&now, []byte("the host's secret key of 32 bytes or more"))
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}}
	inv, err := b.Invite(ctx, booking.InviteRequest{Area: "north", Service: "follow-up", Client: "client-1", TTL: 72 * time.Hour, By: nurse})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("invitation", inv.ID, "valid until", inv.Expires.In(loc).Format("Mon 2 Jan 15:04"))
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-1"}, ClientGroup: "adult"}
	_, err = b.Search(ctx, booking.SearchRequest{Area: "north", Service: "follow-up", By: me})
	fmt.Println("without it:", errors.Is(err, booking.ErrNotAllowed))
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "follow-up", By: me, Invitation: inv.Token, Limit: 2})
	a, _ := b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: me, Invitation: inv.Token})
	fmt.Println("booked", a.Start.In(loc).Format("Mon 2 Jan 15:04"), "with", a.Invitation)
	_, err = b.Book(ctx, booking.BookRequest{Slot: slots[1], Client: "client-1", By: me, Invitation: inv.Token})
	fmt.Println("again:", errors.Is(err, booking.ErrInvitationUsed))
	_, err = b.Book(ctx, booking.BookRequest{Slot: slots[1], Client: "client-1", By: me, Invitation: inv.Token[:len(inv.Token)-2] + "xx"})
	fmt.Println("tampered:", errors.Is(err, booking.ErrTokenInvalid))
	// Output:
	// invitation inv1 valid until Thu 4 Mar 07:00
	// without it: true
	// booked Mon 1 Mar 09:00 with inv1
	// again: true
	// tampered: true
}

// The host lists the reminders due in each period and hands them to its
// SMS or e-mail transport; the cancel link's token cancels for the client.
func ExampleBooker_Reminders() {
	ctx := context.Background()
	loc := civil.Helsinki()
	now := time.Date(2027, time.March, 1, 7, 0, 0, 0, loc)
	b, _ := exampleBooker(&now, []byte("the host's secret key of 32 bytes or more"))
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}}
	slots, _ := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "follow-up", By: nurse,
		From: time.Date(2027, time.March, 2, 9, 0, 0, 0, loc), Limit: 1})
	a, _ := b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "client-1", By: nurse})
	host := booking.Requester{Actor: audit.System("reminders")}
	from := time.Date(2027, time.March, 1, 9, 0, 0, 0, loc)
	rs, _ := b.Reminders(ctx, from, from.Add(time.Hour), 24*time.Hour, host)
	for _, r := range rs {
		fmt.Println("send at", r.At.In(loc).Format("Mon 2 Jan 15:04"), "for", r.Appointment.ID, r.ServiceNames.SV)
	}
	res, err := b.CancelByToken(ctx, rs[0].CancelToken, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.ID, res.Cancelled.Status, res.Cancelled.CancelReason)
	// Output:
	// send at Mon 1 Mar 09:00 for apt1 Kontrollbesök
	// apt1 cancelled cancelled by link
}
