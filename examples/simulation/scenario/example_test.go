package scenario_test

import (
	"context"
	"fmt"
	"os"

	"github.com/carecontact/carecontact/examples/simulation/scenario"
)

// Read a scenario, run one replication of it and read a KPI.
func ExampleRun() {
	f, err := os.Open("testdata/city-day.json")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	s, err := scenario.Parse(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Replications = 1
	fmt.Println(s.Name, len(s.Areas), "areas", len(s.Teams), "teams")
	rep, err := scenario.Run(context.Background(), s, scenario.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range rep.KPIs {
		if k.Team == "" && k.Name == "service_level" {
			fmt.Println("service level above 80 %:", k.Mean > 0.8)
		}
	}
	// Output:
	// city-day 5 areas 6 teams
	// service level above 80 %: true
}
