package routing_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// exampleConfig is a small part of Helsinki: Kallio and its neighbour
// Vallila, a team in each, and a central remote-reception team.
func exampleConfig() routing.Config {
	return routing.Config{
		Areas: []routing.Area{
			{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll", PostalCodes: []routing.PostalCode{"00500", "00530"}, Neighbours: []carecontact.AreaID{"vallila"}},
			{ID: "vallila", NameFi: "Vallila", NameSv: "Vallgård", PostalCodes: []routing.PostalCode{"00510", "00550"}, Neighbours: []carecontact.AreaID{"kallio"}},
		},
		Teams: []routing.Team{
			{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"},
			{ID: "vallila-a", NameFi: "Vallilan tiimi", Area: "vallila"},
			{ID: "keskitetty", NameFi: "Keskitetty etävastaanotto", Central: true},
		},
		Professionals: []routing.Professional{
			{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
			{ID: "bertil", Role: routing.RoleNurse, Languages: []civil.Language{"sv", "fi"}, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
			{ID: "eero", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"vallila-a"}, Capacity: routing.Capacity{Synchronous: 1}},
			{ID: "kaisa", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv", "en"}, Teams: []carecontact.TeamID{"keskitetty"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
		},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	}
}

// The pure routing decision: which steps a contact goes through and who
// could take it at each, e.g. for planning same-day callback capacity team
// by team.
func ExampleDirectory_Route() {
	dir, err := routing.NewDirectory(exampleConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := dir.Route(routing.Contact{Client: "k-1", Errand: channel.ErrandInfectionSymptoms,
		Channel: channel.Callback, PostalCode: "00530", OwnTeam: "kallio-a"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("home area:", r.Area)
	for _, s := range r.Steps {
		fmt.Printf("step %d %-15s after %-5v teams %v professionals %v\n", s.Index, s.Target, s.Timeout, s.Teams, s.Professionals)
	}
	for _, s := range r.Skipped {
		fmt.Printf("step %d skipped: %s\n", s.Index, s.Reason)
	}
	// Output:
	// home area: kallio
	// step 1 own_team        after 5m0s  teams [kallio-a] professionals [aino bertil]
	// step 2 home_area       after 10m0s teams [kallio-a] professionals [aino bertil]
	// step 3 neighbour_areas after 10m0s teams [kallio-a vallila-a] professionals [aino bertil eero]
	// step 4 central_pool    after 0s    teams [keskitetty] professionals [kaisa]
	// step 0 skipped: contact has no own professional
}

func ExampleDirectory_AreaOf() {
	dir, err := routing.NewDirectory(exampleConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pc := range []string{"00550", "00990", "0055O"} {
		a, err := dir.AreaOf(pc)
		switch {
		case err == nil:
			fmt.Printf("%s: %s / %s\n", pc, a.Name(civil.Finnish), a.Name(civil.Swedish))
		case errors.Is(err, routing.ErrUnknownPostalCode):
			fmt.Printf("%s: not in any area\n", pc)
		case errors.Is(err, routing.ErrMalformedPostalCode):
			fmt.Printf("%s: malformed\n", pc)
		}
	}
	// Output:
	// 00550: Vallila / Vallgård
	// 00990: not in any area
	// 0055O: malformed
}

// A dispatcher in virtual time: an offer, a decline, a timeout and an
// accept, each reported as an event with the step that matched.
func ExampleDispatcher() {
	ctx := context.Background()
	dir, err := routing.NewDirectory(exampleConfig())
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir,
		Clock: carecontact.ClockFunc(func() time.Time { return now }),
		Store: memory.NewRoutingStore(nil),
		Sink: func(e routing.Event) {
			fmt.Printf("%s %-9s %s %-6s step %d %s\n", e.At.Format("15:04:05"), e.Kind, e.Item, e.Professional, e.Step, e.Target)
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range []carecontact.ProfessionalID{"aino", "bertil", "kaisa"} {
		if _, err := d.SetPresence(ctx, p, routing.PresenceAvailable); err != nil {
			fmt.Println(err)
			return
		}
	}
	contact := routing.Contact{Client: "k-1", Errand: channel.ErrandLabResults, Channel: channel.Chat,
		PostalCode: "00530", OwnProfessional: "aino", OwnTeam: "kallio-a"}
	if _, err := d.Enqueue(ctx, "chat-1", contact); err != nil {
		fmt.Println(err)
		return
	}
	if err := d.Decline(ctx, "chat-1", "aino"); err != nil {
		fmt.Println(err)
		return
	}
	now = now.Add(2 * time.Minute) // the own-professional step times out
	if err := d.Advance(ctx); err != nil {
		fmt.Println(err)
		return
	}
	next, _, _ := d.NextDeadline(ctx)
	fmt.Println("next deadline:", next.Format("15:04:05"))
	now = next // bertil does not answer
	if err := d.Advance(ctx); err != nil {
		fmt.Println(err)
		return
	}
	// Output:
	// 08:00:00 queued    chat-1        step 0 own_professional
	// 08:00:00 offered   chat-1 aino   step 0 own_professional
	// 08:00:00 declined  chat-1 aino   step 0 own_professional
	// 08:02:00 widened   chat-1        step 1 own_team
	// 08:02:00 offered   chat-1 bertil step 1 own_team
	// next deadline: 08:02:30
	// 08:02:30 timed_out chat-1 bertil step 1 own_team
}
