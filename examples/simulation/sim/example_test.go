package sim_test

import (
	"fmt"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// A single nurse answering calls, as a tiny event loop: events are plain
// values, handled with a switch.
func ExampleLoop() {
	type event struct {
		kind string
		id   int
	}
	clock := sim.NewClock(time.Date(2026, 1, 12, 8, 0, 0, 0, time.UTC))
	loop := sim.NewLoop[event](clock)
	for i, at := range []time.Duration{0, 2 * time.Minute, 3 * time.Minute} {
		loop.At(at, event{"arrive", i})
	}
	busyUntil := time.Duration(0)
	for {
		ev, ok := loop.Next()
		if !ok {
			break
		}
		switch ev.kind {
		case "arrive":
			start := max(loop.Now(), busyUntil)
			busyUntil = start + 4*time.Minute
			loop.At(busyUntil, event{"done", ev.id})
			fmt.Printf("%s call %d waits %v\n", clock.Now().Format("15:04"), ev.id, start-loop.Now())
		case "done":
			fmt.Printf("%s call %d done\n", clock.Now().Format("15:04"), ev.id)
		}
	}
	// Output:
	// 08:00 call 0 waits 0s
	// 08:02 call 1 waits 2m0s
	// 08:03 call 2 waits 5m0s
	// 08:04 call 0 done
	// 08:08 call 1 done
	// 08:12 call 2 done
}
