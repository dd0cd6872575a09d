package frontdoor_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// A Swedish-speaking client opens a chat about lab results. The door
// queues it, tells the client in Swedish where they stand, and passes on
// the area's advice: a callback is preferred for the errand.
func ExampleDoor_Contact() {
	ctx := context.Background()
	now := time.Date(2026, time.November, 23, 9, 0, 0, 0, civil.Helsinki())
	clk := carecontact.ClockFunc(func() time.Time { return now })
	db := memory.New()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}

	// Professionals publish the guidance through review and approval.
	guide, err := guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Clock: clk,
		Languages: []string{"fi", "sv"},
		Roles: guidance.Grants{"editor-1": {{Role: guidance.RoleEditor}}, "reviewer-1": {{Role: guidance.RoleReviewer}},
			"head-1": {{Role: guidance.RoleManager}}}})
	must(err)
	content, err := guidance.Decode("kallio.json", strings.NewReader(`{
	  "format": "carecontact.guidance", "version": 1, "languages": ["fi", "sv"],
	  "texts": [
	    {"key": "advice.chat", "text": {"fi": "Chat on auki {opening_hours}.", "sv": "Chatten är öppen {opening_hours}."}},
	    {"key": "advice.callback", "text": {"fi": "Jätä soittopyyntö.", "sv": "Be om återuppringning, vi ringer i dag."}}
	  ],
	  "channels": [{"area": "kallio", "area_name": {"fi": "Kallio", "sv": "Berghäll"}, "offers": [
	    {"kind": "callback", "rank": 1, "identity": "weak", "hours": {"fi": "ma–pe 8–16", "sv": "mån–fre 8–16"}},
	    {"kind": "chat", "rank": 2, "identity": "strong", "hours": {"fi": "ma–pe 8–18", "sv": "mån–fre 8–18"}}]}]
	}`), nil)
	must(err)
	refs, err := guide.Import(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1"}, content)
	must(err)
	for _, ref := range refs {
		must(guide.Submit(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1"}, ref, ""))
		must(guide.Review(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "reviewer-1"}, ref, ""))
		must(guide.Approve(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}, ref, ""))
		must(guide.Publish(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}, ref, ""))
	}

	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}},
		Professionals: []routing.Professional{{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	must(err)
	door, err := frontdoor.New(ctx, frontdoor.Config{Clock: clk, Directory: dir, Capacity: callback.NewStaticCapacity(nil),
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		Guide: guide, NewID: func() string { return "k1" }})
	must(err)
	_, err = door.SetPresence(ctx, "aino", routing.PresenceBusy) // signed in, in a call
	must(err)

	c, err := door.Contact(ctx, frontdoor.ContactRequest{Client: "client-7f3a", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Language: "sv-FI",
		Identity: channel.IdentityStrong, IdentityMethod: "bank_id"})
	must(err)
	fmt.Printf("%s: queue position %d\n", c.ID, c.Wait.Position)
	fmt.Printf("tell (%s, %s): %s\n", c.Text.Language, c.Text.Version, c.Text.Plain)
	if c.Advice != nil {
		fmt.Printf("advise %s (%s): %s\n", c.Advice.Kind, c.Advice.Text.Language, c.Advice.Text.Plain)
	}
	// Output:
	// k1: queue position 1
	// tell (sv, text/advice.chat/*/*@1): Chatten är öppen mån–fre 8–18.
	// advise callback (sv): Be om återuppringning, vi ringer i dag.
}
