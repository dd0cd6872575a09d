package routing_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// benchCity is a city of 25 health-station areas in a ring of neighbours,
// four teams of 100 professionals in each: 10,000 professionals.
func benchCity() routing.Config {
	const areas, teamsPerArea, perTeam = 25, 4, 100
	var cfg routing.Config
	for a := range areas {
		id := carecontact.AreaID(fmt.Sprintf("area-%02d", a))
		cfg.Areas = append(cfg.Areas, routing.Area{
			ID: id, NameFi: string(id), PostalCodes: []routing.PostalCode{routing.PostalCode(fmt.Sprintf("00%03d", 100+a*10))},
			Neighbours: []carecontact.AreaID{
				carecontact.AreaID(fmt.Sprintf("area-%02d", (a+1)%areas)),
				carecontact.AreaID(fmt.Sprintf("area-%02d", (a+areas-1)%areas)),
			},
		})
		for t := range teamsPerArea {
			tid := carecontact.TeamID(fmt.Sprintf("%s-t%d", id, t))
			cfg.Teams = append(cfg.Teams, routing.Team{ID: tid, NameFi: string(tid), Area: id})
			for p := range perTeam {
				cfg.Professionals = append(cfg.Professionals, routing.Professional{
					ID: carecontact.ProfessionalID(fmt.Sprintf("%s-p%03d", tid, p)), Role: routing.RoleNurse,
					Languages: []civil.Language{"fi"}, Teams: []carecontact.TeamID{tid},
					Capacity: routing.Capacity{Synchronous: 1},
				})
			}
		}
	}
	cfg.Teams = append(cfg.Teams, routing.Team{ID: "central", NameFi: "Keskitetty", Central: true})
	cfg.Professionals[0].Teams = append(cfg.Professionals[0].Teams, "central")
	cfg.Policies = []routing.Policy{routing.StandardPolicy("")}
	return cfg
}

// benchContact returns the i-th contact: round-robin over the teams; every
// other one names its own professional.
func benchContact(cfg *routing.Config, i int) routing.Contact {
	t := i % (len(cfg.Teams) - 1)
	team := cfg.Teams[t]
	c := routing.Contact{Client: "c", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Callback,
		Area: team.Area, OwnTeam: team.ID}
	if i%2 == 0 {
		c.OwnProfessional = cfg.Professionals[t*100+(i/len(cfg.Teams))%100].ID
	}
	return c
}

// BenchmarkDispatch measures one whole cycle with the memory store while
// `queued` items wait and all 10,000 professionals are busy: a professional
// finishes (and, with no wrap-up, completes) a contact, the dispatcher
// offers them the best waiting item of their pools, they accept it, and a
// new contact is enqueued. Virtual time advances 100µs per cycle, so no
// step times out.
//
// One op is that cycle of three public calls (Finish, Accept, Enqueue)
// making four store changes (complete, offer, accept, create). Besides
// ns/op it reports cpu-ns/op, the process's CPU time per cycle, and
// ns/call, that CPU time divided by the three calls: the figure the
// routing goal (at most 1µs per call at 100,000 queued) is measured by.
func BenchmarkDispatch(b *testing.B) {
	for _, queued := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("queued=%d", queued), func(b *testing.B) { benchDispatch(b, queued) })
	}
}

func benchDispatch(b *testing.B, queued int) {
	ctx := context.Background()
	cfg := benchCity()
	dir, err := routing.NewDirectory(cfg)
	if err != nil {
		b.Fatal(err)
	}
	now := monday10.UTC()
	clk := carecontact.ClockFunc(func() time.Time { return now })
	type offer struct {
		item carecontact.ItemID
		by   carecontact.ProfessionalID
	}
	var offers []offer
	sink := func(e routing.Event) {
		if e.Kind == routing.EventOffered {
			offers = append(offers, offer{e.Item, e.Professional})
		}
	}
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clk, Store: memory.NewRoutingStore(nil), Sink: sink})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range dir.Professionals() {
		if _, err := d.SetPresence(ctx, p, routing.PresenceAvailable); err != nil {
			b.Fatal(err)
		}
	}
	// accepted is a ring of accepted items: the oldest finishes next.
	accepted := make([]offer, len(cfg.Professionals)+1)
	head, tail := 0, 0
	acceptAll := func() {
		for _, o := range offers {
			if _, err := d.Accept(ctx, o.item, o.by); err != nil {
				b.Fatal(err)
			}
			accepted[tail] = o
			tail = (tail + 1) % len(accepted)
		}
		offers = offers[:0]
	}
	n := 0
	enqueue := func() {
		if _, err := d.Enqueue(ctx, carecontact.ItemID(strconv.Itoa(n)), benchContact(&cfg, n)); err != nil {
			b.Fatal(err)
		}
		n++
	}
	for d.Stats().Queued < queued {
		enqueue()
		acceptAll()
	}
	s0 := d.Stats()
	if s0.Accepted != len(cfg.Professionals) {
		b.Fatalf("set-up left professionals idle: %+v", s0)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		now = now.Add(100 * time.Microsecond)
		o := accepted[head]
		head = (head + 1) % len(accepted)
		if _, err := d.Finish(ctx, o.item, o.by); err != nil {
			b.Fatal(err)
		}
		acceptAll()
		enqueue()
		acceptAll()
	}
	b.StopTimer()
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(3*b.N), "ns/call")
	}
	if s := d.Stats(); s.Queued+s.Offered+s.Accepted != s0.Queued+s0.Accepted {
		b.Fatalf("items lost: %+v, started with %+v", s, s0)
	}
}
