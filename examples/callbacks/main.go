// Command callbacks runs one simulated day of a health station's same-day
// callbacks on the front door in virtual time and prints the promises and
// the KPIs.
//
// The day: Tuesday 24 November 2026 at a city health station with three
// areas (Kallio, Vallila, Kalasatama) and a central remote-reception pool.
// 500 clients ask for a callback between 7:00 and 16:00, most in the
// morning peak; one in ten is urgent, and every 25th asks twice. Nurses
// sign in and out by their roster; two Kallio nurses fall ill at 10:00.
// One client in six does not answer the first call and one in twenty
// answers none. Requests promised for a later day are called then. The
// output is the same on every run.
//
//	go run ./examples/callbacks
package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
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

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "callbacks:", err)
		os.Exit(1)
	}
}

var (
	hki = civil.Helsinki()
	day = time.Date(2026, 11, 24, 0, 0, 0, 0, hki) // a Tuesday
	// handling is the expected length of an answered call per errand.
	handling = map[channel.Errand]time.Duration{
		channel.ErrandPrescriptionRenewal: 6 * time.Minute, channel.ErrandLabResults: 8 * time.Minute,
		channel.ErrandChronicFollowUp: 15 * time.Minute,
	}
)

// team is a team, its area and its nurses' daily callback shift.
type team struct {
	id       carecontact.TeamID
	area     carecontact.AreaID
	nurses   int
	from, to civil.TimeOfDay
}

var teams = []team{
	{"kallio", "kallio", 6, civil.At(8, 0), civil.At(16, 0)},
	{"vallila", "vallila", 3, civil.At(8, 0), civil.At(16, 0)},
	{"kalasatama", "kalasatama", 2, civil.At(8, 0), civil.At(16, 0)},
	{"central", "remote", 3, civil.At(10, 0), civil.At(16, 0)},
}

// absence is a nurse off sick from From to To.
type absence struct {
	team         carecontact.TeamID
	professional carecontact.ProfessionalID
	from, to     time.Time
}

var absences = []absence{
	{"kallio", "kallio-1", day.Add(10 * time.Hour), day.Add(24 * time.Hour)},
	{"kallio", "kallio-2", day.Add(10 * time.Hour), day.Add(24 * time.Hour)},
}

// organisation is the routing directory (postal codes are real Helsinki
// ones; staff are invented) and the nurses' callback capacity.
func organisation() (*routing.Directory, *callback.StaticCapacity, error) {
	cfg := routing.Config{
		Areas: []routing.Area{
			{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530", "00500"}, Neighbours: []carecontact.AreaID{"vallila", "kalasatama"}},
			{ID: "vallila", NameFi: "Vallila", PostalCodes: []routing.PostalCode{"00550", "00510"}, Neighbours: []carecontact.AreaID{"kallio"}},
			{ID: "kalasatama", NameFi: "Kalasatama", PostalCodes: []routing.PostalCode{"00540"}, Neighbours: []carecontact.AreaID{"kallio"}},
			{ID: "remote", NameFi: "Etävastaanotto"},
		},
		// Inbound work widens as usual. A due callback stays an hour with
		// the team that promised it, then widens an hour at a time: the
		// callback planner has already spread the requests over the teams'
		// capacity, so a neighbour taking them early would miss its own.
		Policies: []routing.Policy{routing.StandardPolicy("", routing.RoleNurse), {Channel: channel.Callback, Steps: []routing.Step{
			{Target: routing.TargetOwnTeam, Timeout: time.Hour}, {Target: routing.TargetHomeArea, Timeout: time.Hour},
			{Target: routing.TargetNeighbourAreas, Timeout: time.Hour}, {Target: routing.TargetCentralPool}}}},
	}
	capa := callback.NewStaticCapacity(nil)
	for _, t := range teams {
		cfg.Teams = append(cfg.Teams, routing.Team{ID: t.id, NameFi: string(t.id), Area: t.area, Central: t.area == "remote"})
		var shifts []callback.Shift
		for i := range t.nurses {
			p := carecontact.ProfessionalID(fmt.Sprintf("%s-%d", t.id, i+1))
			cfg.Professionals = append(cfg.Professionals, routing.Professional{ID: p, Role: routing.RoleNurse,
				Languages: []civil.Language{civil.Finnish}, Teams: []carecontact.TeamID{t.id}, Capacity: routing.Capacity{Synchronous: 1}})
			shifts = append(shifts, callback.Shift{Professional: p, From: t.from, To: t.to})
		}
		if err := capa.SetTeam(t.id, shifts...); err != nil {
			return nil, nil, err
		}
	}
	dir, err := routing.NewDirectory(cfg)
	return dir, capa, err
}

// arrival is a client's callback request at a time.
type arrival struct {
	at  time.Time
	req frontdoor.ContactRequest
}

// arrivals are the day's requests: half come 7:00-9:00, the rest spread to
// 16:00; every 25th client, still waiting, asks again 20 minutes later.
func arrivals() []arrival {
	postal := []routing.PostalCode{"00530", "00500", "00530", "00550", "00510", "00540"} // Kallio is the busiest
	errands := []channel.Errand{channel.ErrandInfectionSymptoms, channel.ErrandLabResults, channel.ErrandPrescriptionRenewal,
		channel.ErrandChronicFollowUp, channel.ErrandWoundCare, channel.ErrandOther}
	rng := rand.New(rand.NewPCG(2026, 11))
	var arr []arrival
	for i := range 500 {
		at := 7*time.Hour + time.Duration(rng.IntN(9*60))*time.Minute
		if i%2 == 0 {
			at = 7*time.Hour + time.Duration(rng.IntN(120))*time.Minute
		}
		urgency := callback.NonUrgent
		if rng.IntN(10) == 0 {
			urgency = callback.Urgent
		}
		arr = append(arr, arrival{at: day.Add(at), req: frontdoor.ContactRequest{
			Client: carecontact.ClientRef(fmt.Sprintf("client-%04d", i)), Phone: callback.Phone(fmt.Sprintf("+35840%07d", i)),
			Errand: errands[rng.IntN(len(errands))], Channel: channel.Callback, Urgency: urgency,
			PostalCode: postal[rng.IntN(len(postal))], Language: "fi",
		}})
	}
	for i := 0; i < 500; i += 25 {
		again := arr[i]
		again.at = again.at.Add(20 * time.Minute)
		arr = append(arr, again)
	}
	slices.SortStableFunc(arr, func(a, b arrival) int { return a.at.Compare(b.at) })
	return arr
}

// answers tells whether the client of contact number n answers the
// attempt-th call: one in twenty never does (three attempts, then a
// secure message), one in six misses the first.
func answers(n, attempt int) bool {
	if n%20 == 0 {
		return false
	}
	return attempt > 1 || n%6 != 0
}

// call is a call in progress.
type call struct {
	contact  string
	n        int
	end      time.Time
	answered bool
}

// result is what a simulated run produced.
type result struct {
	promises []frontdoor.Contact
	events   map[frontdoor.EventKind]int
	planner  callback.KPIs
	door     frontdoor.KPIs
}

// simulate runs the day on a front door over the memory store, from 7:00
// until a week later, in virtual time.
func simulate(ctx context.Context) (result, error) {
	dir, capa, err := organisation()
	if err != nil {
		return result{}, err
	}
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{})
	if err != nil {
		return result{}, err
	}
	res := result{events: map[frontdoor.EventKind]int{}}
	now := day.Add(7 * time.Hour)
	end := day.Add(7 * 24 * time.Hour)
	var offered []carecontact.ProfessionalID
	db := memory.New()
	n := 0
	door, err := frontdoor.New(ctx, frontdoor.Config{
		Clock: carecontact.ClockFunc(func() time.Time { return now }), Directory: dir, Capacity: capa,
		Callback: callback.Config{Handling: handling},
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		OnEvent: func(e frontdoor.Event) {
			tally.Add(e)
			res.events[e.Kind]++
			if e.Kind == frontdoor.EventOffered {
				offered = append(offered, e.Professional)
			}
		},
		NewID: func() string { n++; return fmt.Sprintf("k%05d", n) },
	})
	if err != nil {
		return result{}, err
	}

	arr := arrivals()
	calls := map[carecontact.ProfessionalID]call{}
	signedIn := map[carecontact.ProfessionalID]bool{}
	staff := slices.Sorted(maps.Keys(shiftOf()))
	onDuty := func(p carecontact.ProfessionalID) bool {
		d := civil.DateOf(now, hki)
		s := shiftOf()[p]
		if !civil.FinnishWorkdays().Workday(d) || now.Before(d.At(s.from, hki)) || !now.Before(d.At(s.to, hki)) {
			return false
		}
		for _, a := range absences {
			if a.professional == p && !now.Before(a.from) && now.Before(a.to) {
				return false
			}
		}
		return true
	}
	absent := slices.Clone(absences) // reported when they begin

	for steps := 0; ; steps++ {
		if steps > 1_000_000 {
			return res, fmt.Errorf("the simulation does not end at %v", now)
		}
		if err := door.Advance(ctx); err != nil {
			return res, err
		}
		// Calls that end now: answered ones close, the others failed.
		for _, p := range slices.Sorted(maps.Keys(calls)) {
			c := calls[p]
			if c.end.After(now) {
				continue
			}
			delete(calls, p)
			if !onDuty(p) { // the shift is over: no new offers before signing out
				if _, err := door.SetPresence(ctx, p, routing.PresenceBusy); err != nil {
					return res, err
				}
			}
			if c.answered {
				_, err = door.Close(ctx, p, c.contact, session.OutcomeResolved)
			} else {
				err = door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallFailed, Contact: c.contact})
			}
			if err != nil {
				return res, err
			}
		}
		// Absences reported, then the roster: nurses sign in and out
		// (one in a call first finishes it).
		for len(absent) > 0 && !absent[0].from.After(now) {
			capa.Absent(absent[0].team, absent[0].professional, absent[0].from, absent[0].to)
			absent = absent[1:]
		}
		for _, p := range staff {
			if _, busy := calls[p]; busy || onDuty(p) == signedIn[p] {
				continue
			}
			signedIn[p] = !signedIn[p]
			pr := routing.PresenceAway
			if signedIn[p] {
				pr = routing.PresenceAvailable
			}
			if _, err := door.SetPresence(ctx, p, pr); err != nil {
				return res, err
			}
		}
		for len(arr) > 0 && !arr[0].at.After(now) {
			c, err := door.Contact(ctx, arr[0].req)
			if err != nil {
				return res, err
			}
			res.promises = append(res.promises, c)
			arr = arr[1:]
		}
		if err := door.Advance(ctx); err != nil {
			return res, err
		}
		// Nurses take what they are offered and call.
		for len(offered) > 0 {
			p := offered[0]
			offered = offered[1:]
			desk, err := door.Desk(ctx, p)
			if err != nil {
				return res, err
			}
			for _, o := range desk.Offers {
				s, err := door.Accept(ctx, p, o.Item.ID)
				if err != nil {
					return res, err
				}
				var num int
				_, _ = fmt.Sscanf(s.ID, "k%d", &num)
				c := call{contact: s.ID, n: num, answered: answers(num, len(s.Legs))}
				length := 2 * time.Minute
				if c.answered {
					length = cmp.Or(handling[s.Errand], callback.DefaultHandlingTime)
				}
				c.end = now.Add(length)
				calls[p] = c
			}
		}
		// The next moment something happens.
		next := end.Add(time.Nanosecond)
		soonest := func(t time.Time) {
			if t.After(now) && t.Before(next) {
				next = t
			}
		}
		if len(arr) > 0 {
			soonest(arr[0].at)
		}
		for _, c := range calls {
			soonest(c.end)
		}
		for _, t := range rosterTimes(now) {
			soonest(t)
		}
		t, ok, err := door.NextDeadline(ctx)
		if err != nil {
			return res, err
		}
		if ok && !t.After(now) {
			continue // due now: advance again
		}
		if ok {
			soonest(t)
		}
		if next.After(end) {
			break
		}
		now = next
	}
	recs, err := db.CallbackStore().List(ctx, callback.Filter{})
	if err != nil {
		return res, err
	}
	res.planner = callback.ComputeKPIs(recs, callback.DefaultSameDayTarget, end)
	res.door = tally.Report(end).Total.KPIs
	return res, nil
}

// shiftOf returns each nurse's team shift.
func shiftOf() map[carecontact.ProfessionalID]team {
	out := map[carecontact.ProfessionalID]team{}
	for _, t := range teams {
		for i := range t.nurses {
			out[carecontact.ProfessionalID(fmt.Sprintf("%s-%d", t.id, i+1))] = t
		}
	}
	return out
}

// rosterTimes are the shift and absence boundaries of now's day and the
// next, when nurses sign in or out.
func rosterTimes(now time.Time) []time.Time {
	d := civil.DateOf(now, hki)
	var out []time.Time
	for _, dd := range []civil.Date{d, d.AddDays(1)} {
		for _, t := range teams {
			out = append(out, dd.At(t.from, hki), dd.At(t.to, hki))
		}
	}
	for _, a := range absences {
		out = append(out, a.from, a.to)
	}
	return out
}

func run(ctx context.Context, w io.Writer) error {
	res, err := simulate(ctx)
	if err != nil {
		return err
	}
	byStep := map[string]int{}
	var joined, nextDay, unplaced int
	for _, c := range res.promises {
		switch {
		case c.Merged:
			joined++
		case c.Promise.Unplaced:
			unplaced++
		default:
			byStep[c.Promise.Step]++
		}
		if !c.Merged && c.Promise.NextDay {
			nextDay++
		}
	}
	k := res.planner
	fmt.Fprintf(w, "Simulated day %s: %d callback requests (%d more joined an open one at the door)\n",
		day.Format("Mon 2 Jan 2006"), k.Requests, joined)
	fmt.Fprintln(w, "Promises by routing step:")
	for _, s := range slices.Sorted(maps.Keys(byStep)) {
		fmt.Fprintf(w, "  %-26s %4d\n", s, byStep[s])
	}
	fmt.Fprintf(w, "  %-26s %4d (explicit, e-booking offered)\n", "next-day promises", nextDay)
	fmt.Fprintf(w, "  %-26s %4d\n", "unplaced", unplaced)
	fmt.Fprintln(w, "Front door events:")
	for _, kind := range []frontdoor.EventKind{frontdoor.EventCallbackPromised, frontdoor.EventMerged, frontdoor.EventCallbackDue,
		frontdoor.EventOffered, frontdoor.EventWidened, frontdoor.EventCallbackAtRisk, frontdoor.EventCallbackRetry,
		frontdoor.EventCallbackBreached, frontdoor.EventClosed} {
		fmt.Fprintf(w, "  %-26s %4d\n", kind, res.events[kind])
	}
	fmt.Fprintln(w, "Callback KPIs (the planner's):")
	fmt.Fprintf(w, "  same-day share (before 14:00)   %5.1f %% (%d/%d), target 90 %% met: %v\n",
		100*k.SameDayShare, k.SameDay, k.BeforeCutoff, k.TargetMet)
	fmt.Fprintf(w, "  delay request->first attempt    p50 %v, p90 %v\n", k.DelayP50, k.DelayP90)
	fmt.Fprintf(w, "  promise kept rate               %5.1f %% (%d/%d)\n", 100*k.PromiseKeptRate, k.Kept, k.Promised)
	fmt.Fprintf(w, "  attempts per request            %5.2f\n", k.AttemptsPerRequest)
	fmt.Fprintf(w, "  reached / secure message / open %d / %d / %d\n", k.Reached, k.ClosedByOutcome, k.Open)
	t := res.door
	fmt.Fprintln(w, "Front door KPIs (from its events):")
	fmt.Fprintf(w, "  contacts %d, duplicate demand %v\n", t.Contacts, t.DuplicateDemand)
	fmt.Fprintf(w, "  same-day callbacks %v, promises kept %v\n", t.SameDayCallback, t.PromiseKept)
	fmt.Fprintf(w, "  callback wait p50 %v, p90 %v, own team %v\n", t.CallbackDelay.P50, t.CallbackDelay.P90, t.OwnTeam)
	fmt.Fprintf(w, "  first-contact resolution %v, failure demand %v\n", t.FirstContactResolution, t.FailureDemand)
	return nil
}
