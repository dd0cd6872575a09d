package erlang_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/erlang"
)

// The classic worked example: 270 calls an hour, 4-minute handling, 20
// agents, answer within 20 seconds; then the same queue with clients who
// give up after 3 minutes on average.
func ExampleSolve() {
	m := erlang.Model{ArrivalsPerHour: 270, Handling: 4 * time.Minute, Agents: 20, Target: 20 * time.Second}
	c, _ := erlang.Solve(m)
	fmt.Printf("%s: P(wait)=%.4f ASA=%.1fs SL=%.4f\n", c.Model, c.PWait, c.ASA, c.ServiceLevel)
	m.Patience = 3 * time.Minute
	a, _ := erlang.Solve(m)
	fmt.Printf("%s: P(wait)=%.4f ASA=%.1fs SL=%.4f abandon=%.4f\n", a.Model, a.PWait, a.ASA, a.ServiceLevel, a.PAbandon)
	// Output:
	// ErlangC: P(wait)=0.5508 ASA=66.1s SL=0.5338
	// ErlangA: P(wait)=0.3283 ASA=9.0s SL=0.7887 abandon=0.0550
}
