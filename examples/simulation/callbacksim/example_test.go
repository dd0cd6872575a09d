package callbacksim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/simulation/callbacksim"
)

// One nurse, 8-12, and 30 requests between 8:00 and 10:30: 24 fit in the
// morning, the rest get explicit next-day promises.
func ExampleRun() {
	hki := civil.Helsinki()
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, hki)
	var arr []callbacksim.Arrival
	for i := range 30 {
		arr = append(arr, callbacksim.Arrival{At: day.Add(8*time.Hour + time.Duration(i)*5*time.Minute), Request: callback.Request{
			Client: carecontact.ClientRef(fmt.Sprint("client-", i)), Phone: "+358401234567", Errand: channel.ErrandOther, PostalCode: "00530"}})
	}
	res, err := callbacksim.Run(context.Background(), callbacksim.Scenario{
		Router:   callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00530": "kallio"}, Teams: map[carecontact.AreaID]carecontact.TeamID{"kallio": "kallio-a"}},
		Teams:    []callbacksim.Team{{Name: "kallio-a", Shifts: []callback.Shift{{Professional: "nurse-1", From: civil.At(8, 0), To: civil.At(12, 0)}}}},
		Arrivals: arr,
		Start:    day.Add(7 * time.Hour), End: day.Add(48 * time.Hour),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	k := res.KPIs
	fmt.Printf("same day %d/%d, breaches %d, kept %d/%d, p50 %v\n", k.SameDay, k.BeforeCutoff, k.Breaches, k.Kept, k.Promised, k.DelayP50)
	// Output:
	// same day 24/30, breaches 6, kept 30/30, p50 1h10m0s
}
