package frontdoor_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// A morning's recorded events: a chat with a double click, a follow-up
// and the client's return, and a callback called inside its window.
func ExampleComputeKPIs() {
	hki := civil.Helsinki()
	at := func(h, m, s int) time.Time { return time.Date(2026, time.November, 23, h, m, s, 0, hki) }
	lab := channel.ErrandLabResults
	events := []frontdoor.Event{
		{Kind: frontdoor.EventAdmitted, At: at(9, 0, 0), Contact: "k1", Client: "c1", Errand: lab, Channel: channel.Chat},
		{Kind: frontdoor.EventMerged, At: at(9, 0, 4), Contact: "k1", Client: "c1", Errand: lab, Channel: channel.Chat, Duplicate: true},
		{Kind: frontdoor.EventAccepted, At: at(9, 3, 0), Contact: "k1", Client: "c1", Errand: lab, Channel: channel.Chat,
			Professional: "aino", Target: routing.TargetOwnTeam, Waited: 3 * time.Minute},
		{Kind: frontdoor.EventClosed, At: at(9, 10, 0), Contact: "k1", Client: "c1", Errand: lab, Outcome: session.OutcomeFollowUp},
		{Kind: frontdoor.EventAdmitted, At: at(11, 0, 0), Contact: "k2", Client: "c1", Errand: lab, Channel: channel.Chat},
		{Kind: frontdoor.EventAccepted, At: at(11, 1, 0), Contact: "k2", Client: "c1", Errand: lab, Channel: channel.Chat,
			Professional: "aino", Target: routing.TargetOwnProfessional, Waited: time.Minute},
		{Kind: frontdoor.EventClosed, At: at(11, 8, 0), Contact: "k2", Client: "c1", Errand: lab, Outcome: session.OutcomeResolved},
		{Kind: frontdoor.EventAdmitted, At: at(9, 30, 0), Contact: "k3", Client: "c2", Errand: lab, Channel: channel.Callback},
		{Kind: frontdoor.EventCallbackPromised, At: at(9, 30, 0), Contact: "k3", Client: "c2", Errand: lab, Channel: channel.Callback,
			Window: callback.Window{Start: at(10, 0, 0), End: at(12, 0, 0)}},
		{Kind: frontdoor.EventAccepted, At: at(10, 45, 0), Contact: "k3", Client: "c2", Errand: lab, Channel: channel.Callback,
			Professional: "bertil", Target: routing.TargetOwnTeam},
		{Kind: frontdoor.EventClosed, At: at(10, 55, 0), Contact: "k3", Client: "c2", Errand: lab, Outcome: session.OutcomeBooked},
	}
	r, err := frontdoor.ComputeKPIs(events, frontdoor.TallyConfig{}, at(12, 0, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	k := r.Total.KPIs
	fmt.Println("contacts:", k.Contacts, "double clicks:", k.DoubleClicks)
	fmt.Println("duplicate demand:", k.DuplicateDemand)
	fmt.Println("failure demand:", k.FailureDemand)
	fmt.Println("first-contact resolution:", k.FirstContactResolution)
	fmt.Println("same-day callbacks:", k.SameDayCallback)
	fmt.Println("promises kept:", k.PromiseKept)
	fmt.Println("inbound wait p50/p90:", k.InboundDelay.P50, k.InboundDelay.P90)
	fmt.Println("callback wait p50:", k.CallbackDelay.P50)
	fmt.Println("own professional:", k.OwnProfessional, "own team:", k.OwnTeam)
	// Output:
	// contacts: 3 double clicks: 1
	// duplicate demand: 0/3 (0.0 %)
	// failure demand: 1/3 (33.3 %)
	// first-contact resolution: 1/3 (33.3 %)
	// same-day callbacks: 1/1 (100.0 %)
	// promises kept: 1/1 (100.0 %)
	// inbound wait p50/p90: 1m0s 3m0s
	// callback wait p50: 1h15m0s
	// own professional: 1/3 (33.3 %) own team: 2/3 (66.7 %)
}

// A video pilot judged against the rest of the service, with the pilot
// professionals' feedback on the video advice.
func ExamplePilotCohorts() {
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}, {ID: "kallio-b", NameFi: "Kallio B", Area: "kallio"}},
		Professionals: []routing.Professional{
			{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-a"},
				Capacity: routing.Capacity{Synchronous: 1}},
			{ID: "cecilia", Role: routing.RoleNurse, Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{"kallio-b"},
				Capacity: routing.Capacity{Synchronous: 1}},
		},
		Policies: []routing.Policy{routing.StandardPolicy("")},
		Pilots:   []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a"}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{Cohorts: frontdoor.PilotCohorts{Directory: dir, Channel: channel.Video}})
	if err != nil {
		fmt.Println(err)
		return
	}
	hki := civil.Helsinki()
	at := func(h, m int) time.Time { return time.Date(2026, time.November, 23, h, m, 0, 0, hki) }
	for i, p := range []string{"aino", "cecilia"} {
		id, client := fmt.Sprint("k", i), fmt.Sprint("c", i)
		outcome := []session.Outcome{session.OutcomeResolved, session.OutcomeFollowUp}[i]
		for _, e := range []frontdoor.Event{
			{Kind: frontdoor.EventAdmitted, At: at(9, 0), Contact: id, Client: carecontact.ClientRef(client), Errand: channel.ErrandInfectionSymptoms, Channel: channel.Chat},
			{Kind: frontdoor.EventAccepted, At: at(9, 2), Contact: id, Professional: carecontact.ProfessionalID(p), Waited: 2 * time.Minute},
			{Kind: frontdoor.EventClosed, At: at(9, 20), Contact: id, Outcome: outcome},
		} {
			tally.Add(e)
		}
	}
	if err := tally.AddFeedback(frontdoor.Feedback{Professional: "aino", Guidance: guidance.Ref{Subject: "advice.video", Number: 2},
		Rating: 4, Label: "unclear", At: at(9, 30)}); err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range tally.Report(at(12, 0)).Cohorts {
		fmt.Printf("%s: first-contact resolution %v, feedback %d\n", c.Name, c.KPIs.FirstContactResolution, len(c.Feedback))
		for _, g := range c.ByGuidance {
			fmt.Printf("  %s: %d, mean %.1f, %v\n", g.Guidance, g.N, g.Mean(), g.Labels)
		}
	}
	// Output:
	// pilot: first-contact resolution 1/1 (100.0 %), feedback 1
	//   advice.video@2: 1, mean 4.0, map[unclear:1]
	// rest: first-contact resolution 0/1 (0.0 %), feedback 0
}
