// Command quickstart routes a handful of contacts through two Helsinki
// health-station areas and prints who got what and why.
//
//	go run ./examples/quickstart
//
// It runs in virtual time (a fixed Monday morning), so its output is the
// same on every run.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// config is two areas (Kallio/Berghäll and Vallila/Vallgård, with real
// postal codes of those districts), three teams and five professionals.
func config() routing.Config {
	return routing.Config{
		Areas: []routing.Area{
			{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll", PostalCodes: []routing.PostalCode{"00500", "00530"},
				Neighbours: []carecontact.AreaID{"vallila"}, Hours: routing.Weekdays(civil.At(8, 0), civil.At(16, 0))},
			{ID: "vallila", NameFi: "Vallila", NameSv: "Vallgård", PostalCodes: []routing.PostalCode{"00510", "00550"},
				Neighbours: []carecontact.AreaID{"kallio"}, Hours: routing.Weekdays(civil.At(8, 0), civil.At(16, 0))},
		},
		Teams: []routing.Team{
			{ID: "kallio-a", NameFi: "Kallion omatiimi", NameSv: "Berghälls eget team", Area: "kallio"},
			{ID: "vallila-a", NameFi: "Vallilan omatiimi", NameSv: "Vallgårds eget team", Area: "vallila"},
			{ID: "keskitetty", NameFi: "Keskitetty etävastaanotto", NameSv: "Centraliserad distansmottagning", Central: true},
		},
		Professionals: []routing.Professional{
			{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "en"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}, WrapUp: 2 * time.Minute},
			{ID: "bertil", Role: routing.RoleNurse, Languages: []civil.Language{"sv", "fi"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}, WrapUp: 2 * time.Minute},
			{ID: "carita", Role: routing.RoleDoctor, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1}, WrapUp: 5 * time.Minute},
			{ID: "eero", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"vallila-a"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 2}},
			{ID: "kaisa", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv", "en"}, Teams: []carecontact.TeamID{"keskitetty"},
				Capacity: routing.Capacity{Synchronous: 1, Chat: 3}},
		},
		Policies: []routing.Policy{
			routing.StandardPolicy(""), // own professional, own team, home area, neighbours, central pool
			{Errand: channel.ErrandCertificate, Steps: []routing.Step{
				{Target: routing.TargetHomeArea, Roles: []routing.Role{routing.RoleDoctor}, Timeout: time.Hour},
			}},
		},
		// Video is piloted in Kallio's own team only.
		Pilots: []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a"}}},
	}
}

func run(w io.Writer) error {
	ctx := context.Background()
	hel := civil.Helsinki()
	dir, err := routing.NewDirectory(config())
	if err != nil {
		return err
	}

	// Virtual time: Monday 23 November 2026, 10:00 in Helsinki.
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, hel)
	clock := carecontact.ClockFunc(func() time.Time { return now })
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "%s  %s\n", now.In(hel).Format("15:04:05"), fmt.Sprintf(format, args...))
	}
	// The sink prints every decision with the step that matched, and
	// counts continuity of care: offers accepted at the client's own
	// professional or own team.
	accepted, continuity := 0, 0
	sink := func(e routing.Event) {
		line := fmt.Sprintf("%s    %-9s %-8s", e.At.In(hel).Format("15:04:05"), e.Kind, e.Item)
		if e.Step >= 0 {
			line += fmt.Sprintf(" %-7s step %d %s", e.Professional, e.Step, e.Target)
		}
		if e.Reason != "" {
			line += ": " + e.Reason
		}
		fmt.Fprintln(w, line)
		if e.Kind == routing.EventAccepted {
			accepted++
			if e.Target == routing.TargetOwnProfessional || e.Target == routing.TargetOwnTeam {
				continuity++
			}
		}
	}
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock, Store: memory.NewRoutingStore(nil), Sink: sink})
	if err != nil {
		return err
	}
	for _, p := range []carecontact.ProfessionalID{"aino", "bertil", "carita", "eero", "kaisa"} {
		if _, err := d.SetPresence(ctx, p, routing.PresenceAvailable); err != nil {
			return err
		}
	}
	enqueue := func(id carecontact.ItemID, c routing.Contact, why string) {
		say("%s: %s", id, why)
		if _, err := d.Enqueue(ctx, id, c); err != nil {
			var nr *routing.NoRouteError
			if errors.As(err, &nr) {
				say("%s: no route (%s)", id, nr.Reason)
			} else {
				say("%s: refused: %v", id, err)
			}
		}
	}
	step := func(dt time.Duration) error {
		now = now.Add(dt)
		return d.Advance(ctx)
	}
	must := func(err error) {
		if err != nil {
			say("error: %v", err)
		}
	}
	accept := func(id carecontact.ItemID, by carecontact.ProfessionalID) {
		_, err := d.Accept(ctx, id, by)
		must(err)
	}

	// 1. A Kallio client calls back about symptoms; their own nurse Aino
	//    is free, so she gets it first (continuity of care).
	enqueue("call-1", routing.Contact{Client: "k-1001", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Callback,
		PostalCode: "00530", OwnProfessional: "aino", OwnTeam: "kallio-a"}, "callback, postal code 00530, own nurse aino")
	accept("call-1", "aino")

	// 2. A Vallila resident opens a chat: routed by their area.
	must(step(time.Minute))
	enqueue("chat-1", routing.Contact{Client: "k-1002", Errand: channel.ErrandLabResults, Channel: channel.Chat,
		PostalCode: "00550"}, "chat, postal code 00550")
	accept("chat-1", "eero")

	// 3. A Vallila client wants video; video is piloted in Kallio's team
	//    only, so the Vallila steps are skipped.
	must(step(time.Minute))
	enqueue("video-1", routing.Contact{Client: "k-1003", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Video,
		PostalCode: "00510", OwnTeam: "vallila-a"}, "video, postal code 00510, own team vallila-a")
	must(d.Decline(ctx, "video-1", "bertil"))
	accept("video-1", "carita")

	// 4. A second call for Aino while she is busy: it waits for her for
	//    two minutes, then widens to her team; Bertil lets the offer time
	//    out, so it keeps waiting in the team step.
	must(step(time.Minute))
	enqueue("call-2", routing.Contact{Client: "k-1004", Errand: channel.ErrandWoundCare, Channel: channel.Callback,
		PostalCode: "00500", OwnProfessional: "aino", OwnTeam: "kallio-a"}, "callback, own nurse aino (busy)")
	must(step(2 * time.Minute))
	must(step(30 * time.Second))

	// 5. Aino finishes call-1 and wraps up for two minutes; then she is
	//    free and gets call-2, still in her team's step.
	must(step(time.Minute))
	say("aino finishes call-1")
	_, err = d.Finish(ctx, "call-1", "aino")
	must(err)
	must(step(2 * time.Minute))
	accept("call-2", "aino")

	// 6. A postal code outside both areas, and a malformed one.
	enqueue("call-3", routing.Contact{Client: "k-1005", Errand: channel.ErrandVaccination, Channel: channel.Callback,
		PostalCode: "00990"}, "callback, postal code 00990 (no area)")
	enqueue("call-4", routing.Contact{Client: "k-1006", Errand: channel.ErrandVaccination, Channel: channel.Callback,
		PostalCode: "530"}, "callback, postal code 530")

	// 7. A certificate needs a Kallio doctor; Carita is on video.
	enqueue("cert-1", routing.Contact{Client: "k-1007", Errand: channel.ErrandCertificate, Channel: channel.Callback,
		PostalCode: "00250"}, "certificate, postal code 00250 (Töölö, not served here)")

	accept("call-3", "kaisa")

	s := d.Stats()
	say("queued %d, offered %d, accepted %d, in wrap-up %d", s.Queued, s.Offered, s.Accepted, s.WrapUp)
	say("continuity of care: %d of %d accepted contacts went to the own professional or own team", continuity, accepted)
	return nil
}
