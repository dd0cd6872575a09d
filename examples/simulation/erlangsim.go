package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/simulation/erlang"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// erlangConfig is one validation run: an M/M/c (or M/M/c+M) queue of
// identical professionals served through the routing dispatcher.
type erlangConfig struct {
	Model     erlang.Model
	Customers int
	Warmup    int // customers at the start left out of the statistics
	Seed      uint64
	Batches   int
	Level     float64
	// checkDeadlines makes the run ask the dispatcher after every event
	// whether a deadline is pending, and fail if one is (tests: see
	// runErlang); without it the run asks every 65,536 events.
	checkDeadlines bool
	// wrapUp gives the professionals a wrap-up time, a deadline the model
	// does not drive: only a test sets it, to see the run fail.
	wrapUp time.Duration
}

// interval is a confidence interval in the JSON output.
type interval struct {
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	HalfWidth float64 `json:"half_width"`
}

func intervalOf(ci sim.CI) interval {
	return interval{Low: ci.Low, High: ci.High, HalfWidth: ci.HalfWidth}
}

// erlangResult is the JSON object the erlang subcommand prints.
type erlangResult struct {
	Model           string  `json:"model"`
	Customers       int     `json:"customers"`
	Measured        int     `json:"measured"`
	Warmup          int     `json:"warmup"`
	Seed            uint64  `json:"seed"`
	ArrivalsPerHour float64 `json:"arrivals_per_hour"`
	HandlingSeconds float64 `json:"handling_seconds"`
	Agents          int     `json:"agents"`
	TargetSeconds   float64 `json:"target_seconds"`
	PatienceSeconds float64 `json:"patience_seconds,omitempty"`
	PWait           float64 `json:"p_wait"`
	ASASeconds      float64 `json:"asa_seconds"`
	MeanWaitSeconds float64 `json:"mean_wait_seconds"`
	ServiceLevel    float64 `json:"service_level"`
	PAbandon        float64 `json:"p_abandon"`
	Occupancy       float64 `json:"occupancy"`
	WaitP50Seconds  float64 `json:"wait_p50_seconds"`
	WaitP90Seconds  float64 `json:"wait_p90_seconds"`
	ConfidenceLevel float64 `json:"confidence_level"`
	Batches         int     `json:"batches"`
	CI              struct {
		PWait           interval `json:"p_wait"`
		ASASeconds      interval `json:"asa_seconds"`
		MeanWaitSeconds interval `json:"mean_wait_seconds"`
		ServiceLevel    interval `json:"service_level"`
		PAbandon        interval `json:"p_abandon"`
	} `json:"ci"`
	SimulatedHours     float64       `json:"simulated_hours"`
	WallSeconds        float64       `json:"wall_seconds"`
	CustomersPerSecond float64       `json:"customers_per_second"`
	Analytic           erlang.Result `json:"analytic"`
}

// Event kinds of the erlang loop.
const (
	evArrive = iota
	evDone
	evAbandon
)

type erlangEvent struct {
	kind uint8
	cust int32 // customer slot
	gen  uint32
}

// customer is the state of one client in the system, kept in a slot that
// is reused once the client has left, so memory is bounded by the number
// of clients present at once, not by the number simulated.
type customer struct {
	index   int // arrival number
	arrived time.Duration
	gen     uint32
	queued  bool
	agent   carecontact.ProfessionalID
}

// runErlang simulates cfg through the routing dispatcher in virtual time.
func runErlang(ctx context.Context, cfg erlangConfig) (*erlangResult, error) {
	m := cfg.Model
	analytic, aerr := erlang.Solve(m)
	if aerr != nil && !errors.Is(aerr, erlang.ErrUnstable) {
		return nil, aerr
	}
	if cfg.Customers < 1 {
		return nil, fmt.Errorf("simulation: customers must be positive")
	}
	if cfg.Warmup < 0 || cfg.Warmup >= cfg.Customers {
		return nil, fmt.Errorf("simulation: warmup must be in [0, customers)")
	}
	if cfg.Batches < 2 {
		cfg.Batches = 2
	}
	clock := sim.NewClock(time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	loop := sim.NewLoop[erlangEvent](clock)

	// One area, one team of identical professionals, one policy step.
	const team = carecontact.TeamID("team")
	profs := make([]routing.Professional, m.Agents)
	for i := range profs {
		profs[i] = routing.Professional{
			ID: carecontact.ProfessionalID("p" + strconv.Itoa(i)), Role: routing.RoleNurse,
			Teams: []carecontact.TeamID{team}, Capacity: routing.Capacity{Synchronous: 1},
			Languages: []civil.Language{civil.Finnish}, WrapUp: cfg.wrapUp,
		}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "area", NameFi: "Alue", PostalCodes: []routing.PostalCode{"00100"}}},
		Teams:         []routing.Team{{ID: team, NameFi: "Tiimi", Area: "area"}},
		Professionals: profs,
		Policies:      []routing.Policy{{Steps: []routing.Step{{Target: routing.TargetTeam, Team: team}}}},
	})
	if err != nil {
		return nil, fmt.Errorf("simulation: directory: %w", err)
	}
	// The sink keeps what an offer names: the item and the professional.
	type offer struct {
		item carecontact.ItemID
		to   carecontact.ProfessionalID
	}
	var offers []offer
	sink := func(e routing.Event) {
		if e.Kind == routing.EventOffered {
			offers = append(offers, offer{item: e.Item, to: e.Professional})
		}
	}
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir,
		Clock: clock, Store: memory.NewRoutingStore(nil), Sink: sink, Grace: -1,
		SinkKinds: []routing.EventKind{routing.EventOffered},
	})
	if err != nil {
		return nil, fmt.Errorf("simulation: dispatcher: %w", err)
	}
	for _, p := range profs {
		if _, err := d.SetPresence(ctx, p.ID, routing.PresenceAvailable); err != nil {
			return nil, fmt.Errorf("simulation: sign in: %w", err)
		}
	}

	// The loop checks ctx itself (every 65,536 events, a few milliseconds);
	// the dispatcher's calls get a context that is never cancelled, so
	// their checks (the dispatcher's and its store's, seven per client)
	// each cost one call instead of two and an atomic load.
	opCtx := context.WithoutCancel(ctx)
	arrivals := sim.NewRand(cfg.Seed, 1)
	handling := sim.NewRand(cfg.Seed, 2)
	patience := sim.NewRand(cfg.Seed, 3)
	interArrival := sim.Exponential{M: time.Duration(float64(time.Hour) / m.ArrivalsPerHour)}
	service := sim.Exponential{M: m.Handling}
	var patienceDist sim.Dist
	if m.Patience > 0 {
		patienceDist = sim.Exponential{M: m.Patience}
	}
	contact := routing.Contact{Client: "client", Errand: channel.ErrandOther, Channel: channel.InboundPhone, Area: "area"}

	// Customer slots and their item IDs, reused.
	var slots []customer
	var ids []carecontact.ItemID
	var free []int32
	newSlot := func() int32 {
		if n := len(free); n > 0 {
			s := free[n-1]
			free = free[:n-1]
			return s
		}
		s := int32(len(slots))
		slots = append(slots, customer{})
		id := carecontact.ItemID("c" + strconv.Itoa(int(s)))
		ids = append(ids, id)
		return s
	}
	release := func(s int32) {
		slots[s].gen++
		free = append(free, s)
	}

	b := cfg.Batches
	measured := cfg.Customers - cfg.Warmup
	batchOf := func(index int) int { return (index - cfg.Warmup) * b / measured }
	var (
		waited    = sim.NewBatches(b)
		waitAll   = sim.NewBatches(b)
		asa       = sim.NewBatches(b)
		sl        = sim.NewBatches(b)
		abandoned = sim.NewBatches(b)
		hist      = sim.NewHistogram()
	)
	target := m.Target
	// answer records a customer leaving the queue for an agent.
	answer := func(c *customer, now time.Duration) {
		if c.index < cfg.Warmup {
			return
		}
		w := now - c.arrived
		i := batchOf(c.index)
		ws := w.Seconds()
		waited.Add(i, boolf(w > 0))
		waitAll.Add(i, ws)
		asa.AddRatio(i, ws, 1)
		sl.Add(i, boolf(w <= target))
		abandoned.Add(i, 0)
		hist.Add(w)
	}
	abandon := func(c *customer, now time.Duration) {
		if c.index < cfg.Warmup {
			return
		}
		w := now - c.arrived
		i := batchOf(c.index)
		waited.Add(i, 1)
		waitAll.Add(i, w.Seconds())
		asa.AddRatio(i, 0, 0)
		sl.Add(i, 0)
		abandoned.Add(i, 1)
		hist.Add(w)
	}

	var busy float64 // agent-nanoseconds of handling in the measured period
	var measureFrom time.Duration
	// takeOffers accepts every offer the last dispatcher call made.
	takeOffers := func() error {
		for i := 0; i < len(offers); i++ {
			o := offers[i]
			s, ok := slotOf(o.item, ids)
			if !ok {
				return fmt.Errorf("simulation: offer of unknown item %s", o.item)
			}
			if _, err := d.Accept(opCtx, o.item, o.to); err != nil {
				return fmt.Errorf("simulation: accept: %w", err)
			}
			c := &slots[s]
			now := loop.Now()
			c.queued = false
			c.agent = o.to
			answer(c, now)
			h := service.Sample(handling)
			if c.index >= cfg.Warmup {
				busy += float64(h)
			}
			loop.At(now+h, erlangEvent{kind: evDone, cust: s, gen: c.gen})
		}
		offers = offers[:0]
		return nil
	}
	// The only deadlines this model arms are offer timeouts: its one
	// policy step has no timeout, the professionals no wrap-up, and Grace
	// is negative (nothing accepted is reclaimed). takeOffers accepts
	// every offer at the instant the dispatcher makes it, which disarms
	// its timeout, so after every event no deadline is pending and the
	// loop neither schedules deadline events nor calls Advance: asking
	// NextDeadline after every event (a lock and a look at two heaps,
	// twice per client) would only ever hear "none". noDeadline checks
	// that: after every event with cfg.checkDeadlines (the tests), else
	// every 65,536 events, so a change of the model that arms other
	// deadlines fails the run instead of skewing its statistics.
	noDeadline := func() error {
		if t, ok, _ := d.NextDeadline(opCtx); ok {
			return fmt.Errorf("simulation: the dispatcher has a deadline pending at %v, which the erlang model does not drive", t.Sub(clock.Epoch()))
		}
		return nil
	}

	started := time.Now()
	next, events := 0, 0
	// The next arrival is kept outside the loop's heap (arrivals come in
	// time order): its time and its ticket, which orders it among the
	// loop's events as scheduling it with At would.
	arriveAt, arriveTicket, arriving := interArrival.Sample(arrivals), loop.Ticket(), true
	for {
		var ev erlangEvent
		if arriving && loop.Before(arriveAt, arriveTicket) {
			clock.Set(arriveAt)
			ev, arriving = erlangEvent{kind: evArrive}, false
		} else {
			var ok bool
			if ev, ok = loop.Next(); !ok {
				break
			}
		}
		now := loop.Now()
		switch ev.kind {
		case evArrive:
			s := newSlot()
			c := &slots[s]
			c.index, c.arrived, c.queued, c.agent = next, now, true, ""
			if next == cfg.Warmup {
				measureFrom = now
			}
			next++
			if next < cfg.Customers {
				arriveAt, arriveTicket, arriving = now+interArrival.Sample(arrivals), loop.Ticket(), true
			}
			if patienceDist != nil {
				loop.At(now+patienceDist.Sample(patience), erlangEvent{kind: evAbandon, cust: s, gen: c.gen})
			}
			if _, err := d.Enqueue(opCtx, ids[s], contact); err != nil {
				return nil, fmt.Errorf("simulation: enqueue: %w", err)
			}
		case evDone:
			c := &slots[ev.cust]
			if c.gen != ev.gen {
				continue
			}
			if _, err := d.Finish(opCtx, ids[ev.cust], c.agent); err != nil {
				return nil, fmt.Errorf("simulation: finish: %w", err)
			}
			release(ev.cust)
		case evAbandon:
			c := &slots[ev.cust]
			if c.gen != ev.gen || !c.queued {
				continue
			}
			if err := d.Rescind(opCtx, ids[ev.cust], "abandoned"); err != nil {
				return nil, fmt.Errorf("simulation: rescind: %w", err)
			}
			abandon(c, now)
			release(ev.cust)
		}
		if err := takeOffers(); err != nil {
			return nil, err
		}
		if events++; cfg.checkDeadlines || events&0xffff == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := noDeadline(); err != nil {
				return nil, err
			}
		}
	}
	wall := time.Since(started).Seconds()
	end := loop.Now()

	lv := cfg.Level
	r := &erlangResult{
		Model: "ErlangC", Customers: cfg.Customers, Measured: measured, Warmup: cfg.Warmup, Seed: cfg.Seed,
		ArrivalsPerHour: m.ArrivalsPerHour, HandlingSeconds: m.Handling.Seconds(), Agents: m.Agents,
		TargetSeconds: m.Target.Seconds(), PatienceSeconds: m.Patience.Seconds(),
		PWait: waited.Mean(), ASASeconds: asa.Mean(), MeanWaitSeconds: waitAll.Mean(),
		ServiceLevel: sl.Mean(), PAbandon: abandoned.Mean(),
		WaitP50Seconds: hist.Quantile(0.5).Seconds(), WaitP90Seconds: hist.Quantile(0.9).Seconds(),
		ConfidenceLevel: lv, Batches: b,
		SimulatedHours: end.Hours(), WallSeconds: wall, CustomersPerSecond: float64(cfg.Customers) / wall,
		Analytic: analytic,
	}
	if m.Patience > 0 {
		r.Model = "ErlangA"
	}
	if span := end - measureFrom; span > 0 {
		r.Occupancy = busy / (float64(span) * float64(m.Agents))
	}
	r.CI.PWait = intervalOf(waited.CI(lv))
	r.CI.ASASeconds = intervalOf(asa.CI(lv))
	r.CI.MeanWaitSeconds = intervalOf(waitAll.CI(lv))
	r.CI.ServiceLevel = intervalOf(sl.CI(lv))
	r.CI.PAbandon = intervalOf(abandoned.CI(lv))
	if math.IsNaN(r.ASASeconds) {
		r.ASASeconds = 0
	}
	return r, nil
}

// slotOf returns the customer slot of item id: "c" and the slot number,
// as newSlot names them in ids.
func slotOf(id carecontact.ItemID, ids []carecontact.ItemID) (int32, bool) {
	if len(id) < 2 || len(id) > 10 || id[0] != 'c' {
		return 0, false
	}
	v := 0
	for i := 1; i < len(id); i++ {
		d := id[i] - '0'
		if d > 9 {
			return 0, false
		}
		v = v*10 + int(d)
	}
	if v >= len(ids) || ids[v] != id {
		return 0, false
	}
	return int32(v), true
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
