// Command callbacks runs one simulated day of a health station's same-day
// callbacks in virtual time and prints the promises and the KPIs.
//
// The day: Tuesday 24 November 2026 at a city health station with three
// areas (Kallio, Vallila, Kalasatama) and a central remote-reception pool.
// 500 clients ask for a callback between 7:00 and 16:00, most in the
// morning peak; one in ten is urgent, and every 25th asks twice. Two
// Kallio nurses fall ill at 10:00; one client in six does not answer the
// first call and one in twenty answers none. The output is the
// same on every run.
//
//	go run ./examples/callbacks
package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/simulation/callbacksim"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "callbacks:", err)
		os.Exit(1)
	}
}

func nurses(prefix string, n int, from, to civil.TimeOfDay) []callback.Shift {
	out := make([]callback.Shift, n)
	for i := range out {
		out[i] = callback.Shift{Professional: carecontact.ProfessionalID(fmt.Sprintf("%s-%d", prefix, i+1)), From: from, To: to}
	}
	return out
}

// scenario builds the simulated day. Postal codes are real Helsinki ones;
// staff and clients are invented.
func scenario() callbacksim.Scenario {
	hki := civil.Helsinki()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, hki)
	router := callback.StaticRouter{
		Areas: map[string]carecontact.AreaID{"00530": "kallio", "00500": "kallio", "00550": "vallila", "00510": "vallila", "00540": "kalasatama"},
		Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio", "vallila": "vallila", "kalasatama": "kalasatama"},
		Neighbours: map[carecontact.AreaID][]carecontact.AreaID{
			"kallio": {"vallila", "kalasatama"}, "vallila": {"kallio"}, "kalasatama": {"kallio"},
		},
		Pool: "central",
	}
	postal := []string{"00530", "00500", "00530", "00550", "00510", "00540"} // Kallio is the busiest
	errands := []channel.Errand{channel.ErrandInfectionSymptoms, channel.ErrandLabResults, channel.ErrandPrescriptionRenewal,
		channel.ErrandChronicFollowUp, channel.ErrandWoundCare, channel.ErrandOther}
	rng := rand.New(rand.NewPCG(2026, 11))
	var arr []callbacksim.Arrival
	for i := range 500 {
		// Half of the day's requests come 7:00-9:00, the rest spread to 16:00.
		var at time.Duration
		if i%2 == 0 {
			at = 7*time.Hour + time.Duration(rng.IntN(120))*time.Minute
		} else {
			at = 7*time.Hour + time.Duration(rng.IntN(9*60))*time.Minute
		}
		urgency := callback.NonUrgent
		if rng.IntN(10) == 0 {
			urgency = callback.Urgent
		}
		arr = append(arr, callbacksim.Arrival{At: day.Add(at), Request: callback.Request{
			Client: carecontact.ClientRef(fmt.Sprintf("client-%04d", i)), Phone: callback.Phone(fmt.Sprintf("+35840%07d", i)),
			Errand: errands[rng.IntN(len(errands))], Urgency: urgency, PostalCode: postal[rng.IntN(len(postal))], Language: "fi",
		}})
	}
	// Every 25th client, still waiting, asks again 20 minutes later: the
	// second request joins the first.
	for i := 0; i < len(arr); i += 25 {
		again := arr[i]
		again.At = again.At.Add(20 * time.Minute)
		arr = append(arr, again)
	}
	slices.SortStableFunc(arr, func(a, b callbacksim.Arrival) int { return a.At.Compare(b.At) })
	return callbacksim.Scenario{
		Config: callback.Config{
			Handling: map[channel.Errand]time.Duration{
				channel.ErrandPrescriptionRenewal: 6 * time.Minute, channel.ErrandLabResults: 8 * time.Minute,
				channel.ErrandChronicFollowUp: 15 * time.Minute,
			},
		},
		Router: router,
		Teams: []callbacksim.Team{
			{Name: "kallio", Shifts: nurses("kallio", 6, civil.At(8, 0), civil.At(16, 0))},
			{Name: "vallila", Shifts: nurses("vallila", 3, civil.At(8, 0), civil.At(16, 0))},
			{Name: "kalasatama", Shifts: nurses("kalasatama", 2, civil.At(8, 0), civil.At(16, 0))},
			{Name: "central", Shifts: nurses("central", 3, civil.At(10, 0), civil.At(16, 0))},
		},
		Absences: []callbacksim.Absence{
			{Team: "kallio", Professional: "kallio-1", From: day.Add(10 * time.Hour), To: day.Add(24 * time.Hour)},
			{Team: "kallio", Professional: "kallio-2", From: day.Add(10 * time.Hour), To: day.Add(24 * time.Hour)},
		},
		Arrivals: arr,
		Answers: func(id string, attempt int) bool {
			var n int
			_, _ = fmt.Sscanf(id, "cb-%d", &n)
			if n%20 == 0 {
				return false // never answers: three attempts, then a secure message
			}
			return attempt > 1 || n%6 != 0
		},
		Start: day.Add(7 * time.Hour),
		End:   day.Add(7 * 24 * time.Hour),
	}
}

func run(ctx context.Context, w io.Writer) error {
	res, err := callbacksim.Run(ctx, scenario())
	if err != nil {
		return err
	}
	hki := civil.Helsinki()
	byStep := map[string]int{}
	var nextDay, unplaced int
	for _, p := range res.Promises {
		switch {
		case p.Joined:
			byStep["(joined an open request)"]++
		case p.Unplaced:
			unplaced++
		default:
			byStep[p.Step]++
		}
		if p.NextDay {
			nextDay++
		}
	}
	k := res.KPIs
	events := map[callback.EventKind]int{}
	for _, e := range res.Events {
		events[e.Kind]++
	}
	fmt.Fprintf(w, "Simulated day %s: %d callback requests (%d more joined an open one)\n",
		res.Records[0].RequestedAt.In(hki).Format("Mon 2 Jan 2006"), k.Requests, k.Joined)
	fmt.Fprintln(w, "Promises by routing step:")
	for _, s := range slices.Sorted(func(yield func(string) bool) {
		for s := range byStep {
			if !yield(s) {
				return
			}
		}
	}) {
		fmt.Fprintf(w, "  %-26s %4d\n", s, byStep[s])
	}
	fmt.Fprintf(w, "  %-26s %4d (explicit, e-booking offered)\n", "next-day promises", nextDay)
	fmt.Fprintf(w, "  %-26s %4d\n", "unplaced", unplaced)
	fmt.Fprintln(w, "Events:")
	for _, kind := range []callback.EventKind{callback.EventPromiseAtRisk, callback.EventPromoted, callback.EventWidened,
		callback.EventReportedToLead, callback.EventRetryScheduled, callback.EventClosed} {
		fmt.Fprintf(w, "  %-26s %4d\n", kind, events[kind])
	}
	fmt.Fprintln(w, "KPIs:")
	fmt.Fprintf(w, "  same-day share (before 14:00)   %5.1f %% (%d/%d), target 90 %% met: %v\n",
		100*k.SameDayShare, k.SameDay, k.BeforeCutoff, k.TargetMet)
	fmt.Fprintf(w, "  delay request->first attempt    p50 %v, p90 %v\n", k.DelayP50, k.DelayP90)
	fmt.Fprintf(w, "  promise kept rate               %5.1f %% (%d/%d)\n", 100*k.PromiseKeptRate, k.Kept, k.Promised)
	fmt.Fprintf(w, "  attempts per request            %5.2f\n", k.AttemptsPerRequest)
	fmt.Fprintf(w, "  reached / secure message / open %d / %d / %d\n", k.Reached, k.ClosedByOutcome, k.Open)
	return nil
}
