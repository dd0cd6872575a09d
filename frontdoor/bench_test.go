package frontdoor_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// benchDoor is the Kallio door of the tests on fresh memory stores, with
// IDs that stay unique over any number of contacts.
func benchDoor(b *testing.B) (*frontdoor.Door, *clock.Mock) {
	b.Helper()
	dir, capa := kallioNurses(b)
	clk := clock.NewMock()
	clk.Set(at(2026, time.November, 23, 9, 0)) // a Monday
	log := memory.NewAuditLog()
	n := 0
	d, err := frontdoor.New(context.Background(), frontdoor.Config{
		Clock: clk, Directory: dir, Capacity: capa,
		Stores: frontdoor.Stores{Routing: memory.NewRoutingStore(log), Callback: memory.NewCallbackStore(log),
			Session: memory.NewSessionStore(log), Demand: memory.NewDemandStore(log), Audit: log},
		NewID: func() string { n++; return fmt.Sprintf("k%d", n) },
	})
	if err != nil {
		b.Fatal(err)
	}
	return d, clk
}

// BenchmarkContactLifeChat is a chat's whole life through the door on the
// memory stores, one contact per iteration (allocs/op are per contact): a
// new client's contact is admitted, routed and offered to the nurse who is
// signed in, she accepts it and closes it resolved.
func BenchmarkContactLifeChat(b *testing.B) {
	ctx := context.Background()
	d, _ := benchDoor(b)
	if _, err := d.SetPresence(ctx, "aino", routing.PresenceAvailable); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer reportCPU(b, cpu0)
	for i := range b.N {
		c, err := d.Contact(ctx, chat(fmt.Sprintf("client-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		if c.Item.State != routing.ItemOffered {
			b.Fatalf("contact %d: item %s, not offered", i, c.Item.State)
		}
		s, err := d.Accept(ctx, "aino", carecontact.ItemID(c.ID))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Close(ctx, "aino", s.ID, session.OutcomeResolved); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkContactLifeCallback is a callback's whole life through the door
// on the memory stores, one contact per iteration: the request gets a
// promise, the clock moves to the promised window (the door's Advance makes
// the callback a routing item and offers it), the nurse accepts it and
// closes it resolved.
func BenchmarkContactLifeCallback(b *testing.B) {
	ctx := context.Background()
	d, clk := benchDoor(b)
	if _, err := d.SetPresence(ctx, "bertil", routing.PresenceAvailable); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	defer reportCPU(b, cpu0)
	for i := range b.N {
		c, err := d.Contact(ctx, callbackOf(fmt.Sprintf("client-%d", i)))
		if err != nil {
			b.Fatal(err)
		}
		if c.Promise == nil {
			b.Fatalf("contact %d: no promise", i)
		}
		item := carecontact.ItemID(c.ID + ".1")
		for tries := 0; ; tries++ {
			if err := d.Advance(ctx); err != nil {
				b.Fatal(err)
			}
			if it, ok := d.Parts().Dispatcher.Item(item); ok && it.State == routing.ItemOffered {
				break
			}
			next, ok, err := d.NextDeadline(ctx)
			if err != nil || !ok || tries > 100 {
				b.Fatalf("contact %d: never offered (%v, %v)", i, ok, err)
			}
			clk.Set(next)
		}
		s, err := d.Accept(ctx, "bertil", item)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Close(ctx, "bertil", s.ID, session.OutcomeResolved); err != nil {
			b.Fatal(err)
		}
	}
}

// reportCPU reports the CPU time per iteration since cpu0, next to the
// wall time of a shared machine.
func reportCPU(b *testing.B, cpu0 time.Duration) {
	b.StopTimer()
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}
