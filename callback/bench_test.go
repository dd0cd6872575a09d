package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// benchTeam is a team of 30 nurses on callback duty 8-16: 240 h a day.
func benchTeam(b *testing.B) *callback.StaticCapacity {
	capa := callback.NewStaticCapacity(nil)
	if err := capa.SetTeam("team-north", shifts("n", 30, civil.At(8, 0), civil.At(16, 0))...); err != nil {
		b.Fatal(err)
	}
	return capa
}

// promised fills a store with n requests promised between 7:00 and 8:00.
func promised(b *testing.B, cfg callback.Config, capa callback.Capacity, day time.Time, n int) []callback.Record {
	svc, store := newPlanner(b, cfg, capa)
	ctx := context.Background()
	for i := range n {
		if _, err := on(svc, day.Add(7*time.Hour+time.Duration(i)*time.Second)).Request(ctx, req(fmt.Sprintf("c%d", i), callback.NonUrgent)); err != nil {
			b.Fatal(err)
		}
	}
	recs, err := store.List(ctx, callback.Filter{})
	if err != nil {
		b.Fatal(err)
	}
	return recs
}

func restore(b *testing.B, recs []callback.Record) *memory.CallbackStore {
	store := memory.NewCallbackStore(nil)
	for _, r := range recs {
		r.Version = 0
		if _, _, err := store.OpenOrJoin(context.Background(), r, audit.System("bench"), r.RequestedAt); err != nil {
			b.Fatal(err)
		}
	}
	return store
}

// BenchmarkPromise promises a window to one new request in a team of 30
// whose day already holds 1,000 promised requests.
func BenchmarkPromise(b *testing.B) {
	ctx := context.Background()
	capa := benchTeam(b)
	day := at(2026, 11, 24, 0, 0)
	base := promised(b, callback.Config{}, capa, day, 1000)
	var svc *callback.Planner
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%200 == 0 {
			b.StopTimer()
			var err error
			svc, err = callback.New(cfgWith(callback.Config{}, restore(b, base), testRouter(), capa))
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		p, err := on(svc, day.Add(8*time.Hour)).Request(ctx, req(fmt.Sprintf("new-%d", i), callback.NonUrgent))
		if err != nil || p.Window.IsZero() {
			b.Fatal(err, p)
		}
	}
}

// BenchmarkReplanDay re-plans a day of 2,000 promised requests (7 minutes
// each: 233 h of 240 h, promised before 8:00) for a team of 30 after 10
// nurses call in sick at 8:00: one Advance re-plans the windows not yet due,
// moves and reports the promises that no longer fit (to later windows and
// the next working day), dispatches the due ones and recomputes every
// request's slack.
func BenchmarkReplanDay(b *testing.B) {
	ctx := context.Background()
	capa := benchTeam(b)
	day := at(2026, 11, 24, 0, 0)
	cfg := callback.Config{DefaultHandling: 7 * time.Minute}
	base := promised(b, cfg, capa, day, 2000)
	for i := range 10 {
		capa.Absent("team-north", carecontact.ProfessionalID(fmt.Sprintf("n-%d", i)), day.Add(8*time.Hour), day.Add(24*time.Hour))
	}
	b.ReportAllocs()
	b.ResetTimer()
	var atRisk int
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		svc, err := callback.New(cfgWith(cfg, restore(b, base), testRouter(), capa))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		evs, err := on(svc, day.Add(8*time.Hour)).Plan(ctx)
		if err != nil {
			b.Fatal(err)
		}
		atRisk = count(evs, callback.EventPromiseAtRisk)
	}
	b.ReportMetric(float64(atRisk), "at-risk/op")
}
