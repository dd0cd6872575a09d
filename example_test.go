package carecontact_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// The tutorial of the package doc, in code: one health-station area and a
// nurse, a front door over the memory store, a chat routed by postal code
// from contact to outcome, a same-day callback promise, and the one Driver
// that advances every part in virtual time.
func Example() {
	ctx := context.Background()
	hki := civil.Helsinki()
	now := time.Date(2026, 11, 23, 9, 40, 0, 0, hki) // a Monday
	clock := carecontact.ClockFunc(func() time.Time { return now })
	db := memory.New() // or postgres.Open: the same accessors

	// 1. The organisation, named once.
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll",
			PostalCodes: []routing.PostalCode{"00530"}, Hours: routing.Weekdays(civil.At(8, 0), civil.At(16, 0))}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallion omatiimi", NameSv: "Berghälls eget team", Area: "kallio"}},
		Professionals: []routing.Professional{{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{civil.Finnish},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	capa := callback.NewStaticCapacity(nil)
	_ = capa.SetTeam("kallio-a", callback.Shift{Professional: "aino", From: civil.At(8, 0), To: civil.At(16, 0)})

	// 2. The front door over one store and one clock.
	n := 0
	door, err := frontdoor.New(ctx, frontdoor.Config{Clock: clock, Directory: dir, Capacity: capa,
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		NewID: func() string { n++; return fmt.Sprintf("k%d", n) }})
	if err != nil {
		fmt.Println(err)
		return
	}

	// 3. A chat from contact to outcome.
	_, _ = door.SetPresence(ctx, "aino", routing.PresenceAvailable)
	chat, err := door.Contact(ctx, frontdoor.ContactRequest{Client: "client-7f3a", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Identity: channel.IdentityStrong, IdentityMethod: "bank_id"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(chat.ID, "offered to", chat.Item.Professional)
	if _, err := door.Accept(ctx, "aino", chat.Item.ID); err != nil {
		fmt.Println(err)
		return
	}
	closed, err := door.Close(ctx, "aino", chat.ID, session.OutcomeResolved)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(chat.ID, closed.Session.State, closed.Session.Outcome)

	// 4. A same-day callback window in the team's capacity.
	cb, err := door.Contact(ctx, frontdoor.ContactRequest{Client: "client-9b1c", Errand: channel.ErrandLabResults,
		Channel: channel.Callback, PostalCode: "00530", Phone: "+358401234567", Language: "sv-FI"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.ID, "promised", cb.Promise.Window.Start.In(hki).Format("15:04"), "-", cb.Promise.Window.End.In(hki).Format("15:04"))

	// 5. Time: one driver runs the door (here one step in virtual time). It
	// wakes at the earliest deadline, and at least every MaxWait (a second
	// by default) to see what other replicas changed.
	drv, _ := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{door}, Clock: clock})
	next, _ := drv.Step(ctx)
	fmt.Println("driver wakes at", next.In(hki).Format("15:04:05"))

	// 6. Errors: one kind for every package, one status for a host.
	_, err = door.Contact(ctx, frontdoor.ContactRequest{Client: "client-5d2e", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "99999"})
	fmt.Println(errors.Is(err, carecontact.ErrNotFound), carecontact.HTTPStatus(err) == http.StatusNotFound)
	// Output:
	// k1 offered to aino
	// k1 closed resolved
	// k2 promised 10:00 - 12:00
	// driver wakes at 09:40:01
	// true true
}
