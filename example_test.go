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
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// The tutorial of the package doc, in code: one health-station area, a
// nurse, a chat routed by postal code, a same-day callback promise, and the
// one Driver that advances both parts in virtual time.
func Example() {
	ctx := context.Background()
	hki := civil.Helsinki()
	now := time.Date(2026, 11, 23, 9, 40, 0, 0, hki) // a Monday
	clock := carecontact.ClockFunc(func() time.Time { return now })
	db := memory.New() // one store per part, one audit log

	// Who: the organisation.
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
	disp, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: db.RoutingStore()})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _ = disp.SetPresence(ctx, "aino", routing.PresenceAvailable)
	it, err := disp.Enqueue(ctx, "chat-1", routing.Contact{Client: "client-7f3a", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Language: civil.Finnish})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("chat-1 offered to", it.Professional)

	// When: a same-day callback window in the team's capacity.
	capa := callback.NewStaticCapacity(nil)
	_ = capa.SetTeam("kallio-a", callback.Shift{Professional: "aino", From: civil.At(8, 0), To: civil.At(16, 0)})
	cb, err := callback.New(callback.Config{Clock: clock, Store: db.CallbackStore(), Capacity: capa,
		Router: callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00530": "kallio"},
			Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio-a"}},
		NewID: func() string { return "cb1" }})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := cb.Request(ctx, callback.Request{Client: "client-7f3a", Phone: "+358401234567",
		Errand: channel.ErrandLabResults, PostalCode: "00530", Language: "sv-FI"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("callback", p.Request, "promised", p.Window.Start.In(hki).Format("15:04"), "-", p.Window.End.In(hki).Format("15:04"))

	// Time: one driver for every time-driven part (here one step in virtual
	// time). It wakes at the earliest deadline, and at least every MaxWait
	// (a second by default) to see what other replicas changed.
	drv, _ := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{disp, cb}, Clock: clock})
	next, _ := drv.Step(ctx)
	fmt.Println("driver wakes at", next.In(hki).Format("15:04:05"))

	// Errors: one kind for every package, one status for a host.
	_, err = disp.Enqueue(ctx, "chat-2", routing.Contact{Client: "client-9b1c", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "99999"})
	fmt.Println(errors.Is(err, carecontact.ErrNotFound), carecontact.HTTPStatus(err) == http.StatusNotFound)
	// Output:
	// chat-1 offered to aino
	// callback cb1 promised 10:00 - 12:00
	// driver wakes at 09:40:01
	// true true
}
