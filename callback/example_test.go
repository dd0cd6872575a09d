package callback_test

import (
	"context"
	"fmt"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// A client asks for a callback at 9:40 on a Monday; the team has two nurses
// on callback duty from 8 to 16. Only 20 minutes of the current window are
// left, so the promise is the next window; a second request for the same
// errand joins the first.
func ExamplePlanner_Request() {
	ctx := context.Background()
	hki := civil.Helsinki()
	capa := callback.NewStaticCapacity(nil)
	_ = capa.SetTeam("kallio-a",
		callback.Shift{Professional: "nurse-1", From: civil.At(8, 0), To: civil.At(16, 0)},
		callback.Shift{Professional: "nurse-2", From: civil.At(8, 0), To: civil.At(16, 0)})
	clk := clock.NewMock() // the host passes a real clock
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00530": "kallio"}, Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio-a"}}
	svc, err := callback.New(callback.Config{Clock: clk, Store: memory.NewCallbackStore(nil), Router: router, Capacity: capa, Audit: memory.NewAuditLog(),
		NewID: func() string { return "cb1" }})
	if err != nil {
		fmt.Println(err)
		return
	}
	now := time.Date(2026, 11, 23, 9, 40, 0, 0, hki)
	req := callback.Request{Client: "client-7f3a", Phone: "+358401234567", Errand: channel.ErrandLabResults,
		Urgency: callback.NonUrgent, PostalCode: "00530", Language: "fi"}
	clk.Set(now)
	p, _ := svc.Request(ctx, req)
	fmt.Printf("%s by %s (%s): %s-%s, next day: %v\n", p.Request, p.Team, p.Step,
		p.Window.Start.In(hki).Format("15:04"), p.Window.End.In(hki).Format("15:04"), p.NextDay)
	clk.Set(now.Add(5 * time.Minute))
	again, _ := svc.Request(ctx, req)
	fmt.Println("joined:", again.Joined, again.Request)
	fmt.Println("phone prints as", req.Phone)
	// Output:
	// cb1 by kallio-a (own_team): 10:00-12:00, next day: false
	// joined: true cb1
	// phone prints as <redacted>
}

// The host's driver: call Advance at NextDeadline, let professionals Take
// due requests and Complete their attempts.
func ExamplePlanner_Advance() {
	ctx := context.Background()
	hki := civil.Helsinki()
	capa := callback.NewStaticCapacity(nil)
	_ = capa.SetTeam("kallio-a", callback.Shift{Professional: "nurse-1", From: civil.At(8, 0), To: civil.At(16, 0)})
	clk := clock.NewMock() // the host passes a real clock
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00530": "kallio"}, Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio-a"}}
	// The host's staff directory: nurse-1 calls back for her own team.
	staff, _ := carecontact.NewStaff([]carecontact.StaffMember{{ID: "nurse-1", Teams: []carecontact.TeamID{"kallio-a"}, Area: "kallio"}}, nil)
	svc, _ := callback.New(callback.Config{Clock: clk, Store: memory.NewCallbackStore(nil), Router: router, Capacity: capa, Audit: memory.NewAuditLog(),
		Staff: staff, NewID: func() string { return "cb1" }})
	now := time.Date(2026, 11, 23, 10, 30, 0, 0, hki)
	clk.Set(now.Add(-2 * time.Hour))
	_, _ = svc.Request(ctx, callback.Request{Client: "client-7f3a", Phone: "+358401234567", Errand: channel.ErrandOther,
		PostalCode: "00530"})

	next, _, _ := svc.NextDeadline(ctx)
	fmt.Println("advance at", next.In(hki).Format("15:04"))
	clk.Set(next)
	evs, _ := svc.Plan(ctx)
	fmt.Println(evs[0].Kind, evs[0].Request)
	r, _ := svc.Take(ctx, "kallio-a", "nurse-1")
	clk.Set(next.Add(2 * time.Minute))
	_, evs, _ = svc.Complete(ctx, r.ID, "nurse-1", callback.NoAnswer)
	fmt.Println(evs[0].Kind, "at", evs[0].Window.Start.In(hki).Format("15:04"))
	clk.Set(next.Add(17 * time.Minute))
	evs, _ = svc.Plan(ctx)
	r, _ = svc.Take(ctx, "kallio-a", "nurse-1")
	clk.Set(next.Add(25 * time.Minute))
	_, evs, _ = svc.Complete(ctx, r.ID, "nurse-1", callback.Answered)
	fmt.Println(evs[0].Kind, evs[0].Outcome, "after", len(r.Calls), "attempts")
	// Output:
	// advance at 08:30
	// due cb1
	// retry_scheduled at 08:47
	// closed reached after 2 attempts
}

// Estimated waits for a team: the callback window a new request would get
// and the wait of an inbound call.
func ExamplePlanner_Estimate() {
	ctx := context.Background()
	hki := civil.Helsinki()
	capa := callback.NewStaticCapacity(nil)
	_ = capa.SetTeam("kallio-a", callback.Shift{Professional: "nurse-1", From: civil.At(8, 0), To: civil.At(16, 0)})
	clk := clock.NewMock() // the host passes a real clock
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00530": "kallio"}, Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio-a"}}
	n := 0
	svc, _ := callback.New(callback.Config{Clock: clk, Store: memory.NewCallbackStore(nil), Router: router, Capacity: capa, Audit: memory.NewAuditLog(),
		NewID: func() string { n++; return fmt.Sprint("cb", n) }})
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, hki)
	for i := range 14 {
		clk.Set(now)
		_, _ = svc.Request(ctx, callback.Request{Client: carecontact.ClientRef(fmt.Sprint("client-", i)), Phone: "+358401234567",
			Errand: channel.ErrandOther, PostalCode: "00530"})
	}
	_, _ = svc.Plan(ctx)
	e, _ := svc.Estimate(ctx, "kallio-a", channel.ErrandOther)
	fmt.Printf("callback window %s-%s, inbound wait %v, %d due\n",
		e.Window.Start.In(hki).Format("15:04"), e.Window.End.In(hki).Format("15:04"), e.InboundWait, e.Due)
	// Output:
	// callback window 10:00-12:00, inbound wait 2h0m0s, 12 due
}

// KPIs over a set of requests.
func ExampleComputeKPIs() {
	hki := civil.Helsinki()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, hki)
	rec := func(reqH, firstH int, attempts int) callback.Record {
		r := callback.Record{RequestedAt: day.Add(time.Duration(reqH) * time.Hour), BeforeCutoff: reqH < 14,
			Promised: callback.Window{Start: day.Add(time.Duration(reqH+1) * time.Hour), End: day.Add(time.Duration(reqH+3) * time.Hour)},
			State:    callback.StateClosed, Out: callback.OutcomeReached}
		for i := range attempts {
			r.Calls = append(r.Calls, callback.Attempt{Start: day.Add(time.Duration(firstH)*time.Hour + time.Duration(i)*15*time.Minute)})
		}
		return r
	}
	k := callback.ComputeKPIs([]callback.Record{rec(8, 9, 1), rec(9, 11, 3), rec(10, 14, 1), rec(13, 13+24, 2)}, 0.9, day.Add(48*time.Hour))
	fmt.Printf("same day %d/%d (%.0f%%), target met %v\n", k.SameDay, k.BeforeCutoff, 100*k.SameDayShare, k.TargetMet)
	fmt.Printf("delay p50 %v p90 %v\n", k.DelayP50, k.DelayP90)
	fmt.Printf("kept %d/%d, attempts per request %.2f\n", k.Kept, k.Promised, k.AttemptsPerRequest)
	// Output:
	// same day 3/4 (75%), target met false
	// delay p50 2h0m0s p90 24h0m0s
	// kept 2/4, attempts per request 1.75
}
