package scenario

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// ProfileBin is the width of the time-of-day bins of the profiles.
const ProfileBin = 15 * time.Minute

// Options control a run.
type Options struct {
	// Level is the confidence level of the intervals (default 0.95).
	Level float64
	// Progress, if set, is called at the start of every simulated day and
	// at the end with the number of days done and the total over all
	// replications.
	Progress func(done, total int)
}

// Run simulates every replication of s in turn and summarises the KPIs.
func Run(ctx context.Context, s *Scenario, opt Options) (*Report, error) {
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("%w: confidence level %v", ErrInvalid, opt.Level)
	}
	rep := &Report{Scenario: s.Name, Days: s.Days, Replications: s.Replications, Seed: s.Seed, Level: opt.Level}
	var prof *profiles
	for r := range s.Replications {
		m, err := newModel(ctx, s, s.Seed+uint64(r))
		if err != nil {
			return nil, err
		}
		if opt.Progress != nil {
			m.onDay = func(day int) { opt.Progress(r*s.Days+day, s.Replications*s.Days) }
		}
		if err := m.run(ctx); err != nil {
			return nil, fmt.Errorf("scenario %s: replication %d: %w", s.Name, r, err)
		}
		rep.Runs = append(rep.Runs, m.metrics())
		if prof == nil {
			prof = newProfiles(len(s.Teams))
		}
		m.addProfiles(prof)
		if opt.Progress != nil {
			opt.Progress((r+1)*s.Days, s.Replications*s.Days)
		}
	}
	rep.KPIs = summarise(rep.Runs, opt.Level)
	rep.Profiles = prof.result(s)
	return rep, nil
}

// Event kinds of the scenario loop.
const (
	evArrival   = iota // a contact of demand stream `a` arrives
	evDone             // contact `a` finishes handling
	evAbandon          // contact `a` runs out of patience (if still queued)
	evDuplicate        // contact `a`'s client also tries another channel
	evRecontact        // contact `a`'s unresolved errand comes back
	evHour             // roster change at hour index `a`
	evDeadline         // the dispatcher's next deadline
)

type event struct {
	kind uint8
	a    int32
	gen  uint32
}

// contactState is one contact (work item) in the model.
type contactState struct {
	gen      uint32
	client   int32
	stream   int16
	kind     channel.Kind
	queued   bool // in the routing queue
	active   bool
	callback bool
	inbound  bool // counts for the inbound service level
	arrived  time.Duration
	prof     int32 // index of the professional handling it, -1
	demandID string
}

type client struct {
	area    int16
	team    int16 // home team: a team of the client's area
	ownTeam bool
}

type teamStats struct {
	inbound, inTarget, abandoned int64
	handled                      int64
	busy                         float64 // professional-nanoseconds of work (per capacity unit)
	staffed                      float64 // professional-nanoseconds signed in
	queue                        *sim.Level
	slArrivals, slInTarget       []int64 // per profile bin of the local day
}

// model is one replication.
type model struct {
	s    *Scenario
	cal  *calendar
	clk  *sim.Clock
	loop *sim.Loop[event]
	disp *routing.Dispatcher
	adm  *channel.Admitter
	rnd  struct{ arrive, client, handle, patience, behave *rand.Rand }

	hours     []hour
	streams   []stream
	clients   []client
	areaCum   []float64
	areaTeams [][]int
	profs     []profInfo
	profIdx   map[routing.ProfessionalID]int32
	teams     []teamStats
	contacts  []contactState
	ids       []routing.ItemID
	free      []int32
	idIndex   map[routing.ItemID]int32
	byDemand  map[string]int32
	offers    []routing.Event
	deadline  time.Duration
	end       time.Duration
	contactNo int

	// KPI counters
	inbound, inTarget, abandoned, noRoute     int64
	callbacks, cbEligible, cbSameDay, cbDone  int64
	handled, resolved, ownClients, ownHandled int64
	admitted, duplicates, merged, withdrawn   int64
	unsuitable                                int64
	cbDelay                                   *sim.Histogram
	pendingCallbacks                          []int32 // callback requests waiting for anyone to sign in
	onDay                                     func(day int)
	ctx                                       context.Context
}

type stream struct {
	spec     *DemandSpec
	kind     channel.Kind
	errand   channel.Errand
	prio     routing.Priority
	handling sim.Dist
	patience sim.Dist
	weights  []float64 // normalised hourly weights
	hour     int       // index into model.hours of the next arrival
}

type profInfo struct {
	id       routing.ProfessionalID
	team     int
	capacity routing.Capacity
}

func newModel(ctx context.Context, s *Scenario, seed uint64) (*model, error) {
	cal, err := newCalendar(s.start, s.Days)
	if err != nil {
		return nil, fmt.Errorf("scenario: calendar: %w", err)
	}
	m := &model{s: s, cal: cal, ctx: ctx, profIdx: map[routing.ProfessionalID]int32{},
		idIndex: map[routing.ItemID]int32{}, byDemand: map[string]int32{}, cbDelay: sim.NewHistogram()}
	m.clk = sim.NewClock(s.start)
	m.loop = sim.NewLoop[event](m.clk)
	m.hours = cal.hours()
	m.deadline = -1
	m.end = m.hours[len(m.hours)-1].to
	m.rnd.arrive = sim.NewRand(seed, 1)
	m.rnd.client = sim.NewRand(seed, 2)
	m.rnd.handle = sim.NewRand(seed, 3)
	m.rnd.patience = sim.NewRand(seed, 4)
	m.rnd.behave = sim.NewRand(seed, 5)

	cfg, err := m.directory()
	if err != nil {
		return nil, err
	}
	dir, err := routing.NewDirectory(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: routing: %w", ErrInvalid, err)
	}
	m.disp, err = routing.NewDispatcher(ctx, dir, routing.Options{
		Clock: m.clk, Store: memory.NewRoutingStore(nil), OfferTimeout: time.Minute,
		Sink: func(e routing.Event) {
			if e.Kind == routing.EventOffered {
				m.offers = append(m.offers, e)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("scenario: dispatcher: %w", err)
	}
	next := 0
	m.adm, err = channel.NewAdmitter(channel.AdmitterConfig{
		Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(nil), Clock: m.clk,
		Policy: channel.Policy(s.Duplicates.Policy),
		NewID:  func() string { next++; return "k" + strconv.Itoa(next) },
	})
	if err != nil {
		return nil, fmt.Errorf("scenario: admitter: %w", err)
	}
	if err := m.population(); err != nil {
		return nil, err
	}
	for i := range s.Demand {
		d := &s.Demand[i]
		st := stream{spec: d, kind: channel.Kind(d.Channel), errand: channel.Errand(d.Errand)}
		st.handling, _ = d.Handling.Dist("handling")
		if d.Patience != nil {
			st.patience, _ = d.Patience.Dist("patience")
		}
		switch d.Priority {
		case "high":
			st.prio = routing.PriorityHigh
		case "urgent":
			st.prio = routing.PriorityUrgent
		}
		sum := 0.0
		for _, w := range d.Hourly {
			sum += w
		}
		for _, w := range d.Hourly {
			st.weights = append(st.weights, w/sum)
		}
		m.streams = append(m.streams, st)
	}
	bins := int((m.end + ProfileBin - 1) / ProfileBin)
	m.teams = make([]teamStats, len(s.Teams))
	for i := range m.teams {
		m.teams[i].queue = sim.NewLevel(ProfileBin, bins)
		m.teams[i].slArrivals = make([]int64, 24*time.Hour/ProfileBin)
		m.teams[i].slInTarget = make([]int64, 24*time.Hour/ProfileBin)
	}
	return m, nil
}

var targets = map[string]routing.Target{
	"own_professional": routing.TargetOwnProfessional, "own_team": routing.TargetOwnTeam,
	"home_area": routing.TargetHomeArea, "neighbour_areas": routing.TargetNeighbourAreas,
	"central_pool": routing.TargetCentralPool, "team": routing.TargetTeam,
}

// directory builds the routing configuration: one professional per roster
// position of each team (the largest count of its roster).
func (m *model) directory() (routing.Config, error) {
	s := m.s
	var cfg routing.Config
	for _, a := range s.Areas {
		ra := routing.Area{ID: routing.AreaID(a.ID), NameFi: a.NameFi, NameSv: a.NameSv}
		for _, pc := range a.PostalCodes {
			p, err := routing.ParsePostalCode(pc)
			if err != nil {
				return cfg, fmt.Errorf("%w: area %s: %w", ErrInvalid, a.ID, err)
			}
			ra.PostalCodes = append(ra.PostalCodes, p)
		}
		for _, n := range a.Neighbours {
			ra.Neighbours = append(ra.Neighbours, routing.AreaID(n))
		}
		cfg.Areas = append(cfg.Areas, ra)
	}
	for ti, t := range s.Teams {
		cfg.Teams = append(cfg.Teams, routing.Team{ID: routing.TeamID(t.ID), NameFi: t.Name, Area: routing.AreaID(t.Area), Central: t.Central})
		n := 0
		for _, r := range [][]int{t.Roster.Weekday, t.Roster.Saturday, t.Roster.Sunday} {
			for _, v := range r {
				n = max(n, v)
			}
		}
		capa := routing.Capacity{Synchronous: t.Capacity.Synchronous, Chat: t.Capacity.Chat, Message: t.Capacity.Message}
		for k := range n {
			id := routing.ProfessionalID(t.ID + "-" + strconv.Itoa(k+1))
			m.profIdx[id] = int32(len(m.profs))
			m.profs = append(m.profs, profInfo{id: id, team: ti, capacity: capa})
			cfg.Professionals = append(cfg.Professionals, routing.Professional{
				ID: id, Role: routing.Role(t.Role), Languages: []routing.Language{routing.Finnish},
				Teams: []routing.TeamID{routing.TeamID(t.ID)}, Capacity: capa, WrapUp: time.Duration(t.WrapUp),
			})
		}
	}
	for _, p := range s.Policies {
		rp := routing.Policy{Errand: channel.Errand(p.Errand)}
		for _, st := range p.Steps {
			step := routing.Step{Target: targets[st.Target], Team: routing.TeamID(st.Team), Timeout: time.Duration(st.Timeout)}
			for _, r := range st.Roles {
				step.Roles = append(step.Roles, routing.Role(r))
			}
			rp.Steps = append(rp.Steps, step)
		}
		cfg.Policies = append(cfg.Policies, rp)
	}
	return cfg, nil
}

// population draws the clients: an area by the areas' weights, a home team
// among the area's teams, and whether the client is registered to it.
func (m *model) population() error {
	s := m.s
	idx := map[string]int{}
	for i, a := range s.Areas {
		idx[a.ID] = i
		w := a.Clients
		if w == 0 {
			w = 1
		}
		prev := 0.0
		if i > 0 {
			prev = m.areaCum[i-1]
		}
		m.areaCum = append(m.areaCum, prev+w)
	}
	m.areaTeams = make([][]int, len(s.Areas))
	for ti, t := range s.Teams {
		if t.Area != "" {
			m.areaTeams[idx[t.Area]] = append(m.areaTeams[idx[t.Area]], ti)
		}
	}
	total := m.areaCum[len(m.areaCum)-1]
	m.clients = make([]client, s.Clients.Population)
	r := m.rnd.client
	for i := range m.clients {
		u := r.Float64() * total
		a := 0
		for a < len(m.areaCum)-1 && u >= m.areaCum[a] {
			a++
		}
		teams := m.areaTeams[a]
		m.clients[i] = client{area: int16(a), team: int16(teams[r.IntN(len(teams))]), ownTeam: r.Float64() < s.Clients.OwnTeamShare}
	}
	return nil
}

func (m *model) run(ctx context.Context) error {
	for i := range m.hours {
		m.loop.At(m.hours[i].from, event{kind: evHour, a: int32(i)})
	}
	for i := range m.streams {
		m.scheduleArrival(i, 0)
	}
	steps := 0
	for {
		ev, ok := m.loop.Next()
		if !ok {
			break
		}
		now := m.loop.Now()
		if now >= m.end {
			break
		}
		if err := m.handle(ev, now); err != nil {
			return err
		}
		if err := m.takeOffers(now); err != nil {
			return err
		}
		if t, ok := m.disp.NextDeadline(); ok {
			at := t.Sub(m.clk.Epoch())
			if m.deadline < 0 || at < m.deadline {
				m.deadline = max(at, now)
				m.loop.At(m.deadline, event{kind: evDeadline})
			}
		}
		if steps++; steps&0xfff == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	for i := range m.teams {
		m.teams[i].queue.Close(m.end)
	}
	return nil
}

// scheduleArrival draws the next arrival of stream i after elapsed time
// from: a Poisson process whose rate is constant within each local hour,
// so the draw restarts at each hour boundary (exact by memorylessness).
func (m *model) scheduleArrival(i int, from time.Duration) {
	st := &m.streams[i]
	for st.hour < len(m.hours) {
		h := m.hours[st.hour]
		if from < h.from {
			from = h.from
		}
		rate := pick(st.spec.PerDay, h.dayType) * st.weights[h.local] // per hour
		if rate > 0 {
			at := from + time.Duration(m.rnd.arrive.ExpFloat64()/rate*float64(time.Hour))
			if at < h.to {
				m.loop.At(at, event{kind: evArrival, a: int32(i)})
				return
			}
		}
		st.hour++
	}
}

func (m *model) handle(ev event, now time.Duration) error {
	switch ev.kind {
	case evHour:
		return m.roster(int(ev.a))
	case evDeadline:
		if now >= m.deadline {
			m.deadline = -1 // the scheduled deadline event is used up
		}
		return m.disp.Advance(m.ctx, m.clk.Now())
	case evArrival:
		m.scheduleArrival(int(ev.a), now)
		st := &m.streams[ev.a]
		cl := int32(m.rnd.client.IntN(len(m.clients)))
		kind := st.kind
		if kind == channel.InboundPhone && m.rnd.behave.Float64() < st.spec.CallbackShare {
			kind = channel.Callback
		}
		return m.newContact(cl, int16(ev.a), kind, now, false)
	}
	c := &m.contacts[ev.a]
	if c.gen != ev.gen || !c.active {
		return nil
	}
	switch ev.kind {
	case evDone:
		return m.finish(ev.a, now)
	case evAbandon:
		if !c.queued {
			return nil
		}
		if err := m.rescind(ev.a, "abandoned"); err != nil {
			return err
		}
		t := &m.teams[m.clients[c.client].team]
		t.abandoned++
		m.abandoned++
		if _, err := m.adm.Close(m.ctx, clientActor(c.client), c.demandID, "abandoned"); err != nil && !errors.Is(err, channel.ErrContactClosed) {
			return fmt.Errorf("close: %w", err)
		}
		m.release(ev.a)
	case evDuplicate:
		if !c.queued {
			return nil
		}
		d := m.s.Duplicates
		return m.newContact(c.client, c.stream, channel.Kind(d.Channel), now, true)
	case evRecontact:
		// The unresolved errand comes back as a callback request (it waits
		// for the morning if it comes back while nobody is signed in).
		cl, str := c.client, c.stream
		m.release(ev.a)
		return m.newContact(cl, str, channel.Callback, now, false)
	}
	return nil
}

func clientActor(c int32) audit.Actor {
	return audit.Actor{Kind: audit.ActorClient, ID: clientRef(c)}
}

func clientRef(c int32) string { return "client-" + strconv.Itoa(int(c)) }

// slot returns a free contact slot.
func (m *model) slot() int32 {
	if n := len(m.free); n > 0 {
		i := m.free[n-1]
		m.free = m.free[:n-1]
		return i
	}
	i := int32(len(m.contacts))
	m.contacts = append(m.contacts, contactState{})
	m.ids = append(m.ids, "")
	return i
}

// newID gives slot i a fresh work-item ID: an item in wrap-up stays in the
// dispatcher after its slot is reused, so IDs are never reused.
func (m *model) newID(i int32) {
	m.contactNo++
	id := routing.ItemID("item-" + strconv.Itoa(m.contactNo))
	m.ids[i] = id
	m.idIndex[id] = i
}

func (m *model) release(i int32) {
	c := &m.contacts[i]
	if c.demandID != "" && m.byDemand[c.demandID] == i {
		delete(m.byDemand, c.demandID)
	}
	c.gen++
	c.active = false
	delete(m.idIndex, m.ids[i])
	m.free = append(m.free, i)
}

// newContact admits a client's contact (duplicate detection across
// channels) and queues it in routing.
func (m *model) newContact(cl int32, streamIdx int16, kind channel.Kind, now time.Duration, duplicate bool) error {
	st := &m.streams[streamIdx]
	ad, err := m.adm.Admit(m.ctx, channel.Request{Actor: clientActor(cl), Client: clientRef(cl), Errand: st.errand, Kind: kind})
	if errors.Is(err, channel.ErrUnsuitable) {
		m.unsuitable++
		return nil
	}
	if err != nil {
		return fmt.Errorf("admit: %w", err)
	}
	m.admitted++
	if ad.Duplicate() {
		m.duplicates++
	}
	if !ad.Queue() {
		m.merged++
		return nil
	}
	i := m.slot()
	c := &m.contacts[i]
	*c = contactState{gen: c.gen, client: cl, stream: streamIdx, kind: kind, active: true, arrived: now, prof: -1,
		demandID: ad.Contact.ID, callback: kind == channel.Callback || kind == channel.SecureMessage}
	c.inbound = !c.callback
	m.byDemand[ad.Contact.ID] = i
	team := &m.teams[m.clients[cl].team]
	if c.inbound {
		team.inbound++
		team.slArrivals[int(m.cal.timeOfDay(now)/ProfileBin)]++
		m.inbound++
	} else if kind == channel.Callback {
		m.callbacks++
		if m.cal.timeOfDay(now) < m.s.cutoff {
			m.cbEligible++
		}
	}
	if c.inbound {
		if st.patience != nil {
			m.loop.At(now+st.patience.Sample(m.rnd.patience), event{kind: evAbandon, a: i, gen: c.gen})
		}
		if d := m.s.Duplicates; d.Probability > 0 && !duplicate && kind != channel.Kind(d.Channel) && m.rnd.behave.Float64() < d.Probability {
			m.loop.At(now+time.Duration(d.After), event{kind: evDuplicate, a: i, gen: c.gen})
		}
	}
	return m.enqueue(i)
}

func (m *model) contactOf(i int32) routing.Contact {
	c := &m.contacts[i]
	cl := m.clients[c.client]
	rc := routing.Contact{Client: routing.ClientRef(clientRef(c.client)), Errand: m.streams[c.stream].errand,
		Channel: c.kind, Priority: m.streams[c.stream].prio, Area: routing.AreaID(m.s.Areas[cl.area].ID)}
	if c.callback {
		// Callbacks are planned work: inbound clients on the line go first
		// (by the dispatcher's ageing, a callback waiting longer than the
		// head start is still served before them).
		rc.Priority = routing.PriorityRoutine
	}
	if cl.ownTeam {
		rc.OwnTeam = routing.TeamID(m.s.Teams[cl.team].ID)
	}
	return rc
}

func (m *model) enqueue(i int32) error {
	c := &m.contacts[i]
	m.newID(i)
	_, err := m.disp.Enqueue(m.ctx, m.ids[i], m.contactOf(i))
	var nr *routing.NoRouteError
	switch {
	case errors.As(err, &nr) && c.inbound:
		// Nobody can take it now: the service is closed for this contact.
		m.noRoute++
		if _, cerr := m.adm.Close(m.ctx, clientActor(c.client), c.demandID, "no route"); cerr != nil {
			return fmt.Errorf("close: %w", cerr)
		}
		m.release(i)
		return nil
	case errors.As(err, &nr):
		// A callback request waits until somebody signs in.
		m.pendingCallbacks = append(m.pendingCallbacks, i)
		return nil
	case err != nil:
		return fmt.Errorf("enqueue: %w", err)
	}
	c.queued = true
	m.teams[m.clients[c.client].team].queue.Add(m.loop.Now(), 1)
	return nil
}

func (m *model) rescind(i int32, reason string) error {
	c := &m.contacts[i]
	if err := m.disp.Rescind(m.ctx, m.ids[i], reason); err != nil {
		return fmt.Errorf("rescind: %w", err)
	}
	c.queued = false
	m.teams[m.clients[c.client].team].queue.Add(m.loop.Now(), -1)
	return nil
}

// takeOffers accepts the offers the dispatcher made: professionals take
// what they are offered.
func (m *model) takeOffers(now time.Duration) error {
	for k := 0; k < len(m.offers); k++ {
		e := m.offers[k]
		i, ok := m.idIndex[e.Item]
		if !ok {
			// Rescinded after the offer, in the same step (its errand was
			// settled through another channel): nothing to accept.
			continue
		}
		if _, err := m.disp.Accept(m.ctx, e.Item, e.Professional); err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		c := &m.contacts[i]
		c.queued = false
		c.prof = m.profIdx[e.Professional]
		cl := m.clients[c.client]
		home := &m.teams[cl.team]
		home.queue.Add(now, -1)
		wait := now - c.arrived
		if c.inbound && wait <= time.Duration(m.s.ServiceLevelTarget) {
			home.inTarget++
			m.inTarget++
		}
		if c.inbound && wait <= time.Duration(m.s.ServiceLevelTarget) {
			home.slInTarget[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
		}
		if c.kind == channel.Callback {
			m.cbDone++
			m.cbDelay.Add(wait)
			if m.cal.timeOfDay(c.arrived) < m.s.cutoff && m.cal.sameLocalDay(c.arrived, now) {
				m.cbSameDay++
			}
		}
		p := m.profs[c.prof]
		h := m.streams[c.stream].handling.Sample(m.rnd.handle)
		per := 1.0
		if sl, err := routing.SlotOf(c.kind); err == nil {
			per = float64(max(p.capacity.Of(sl), 1))
		}
		m.teams[p.team].busy += float64(h) / per
		m.teams[p.team].handled++
		m.loop.At(now+h, event{kind: evDone, a: i, gen: c.gen})
	}
	m.offers = m.offers[:0]
	return nil
}

// finish ends a contact: the errand is resolved (settled across channels,
// the client's other contacts withdrawn) or comes back later.
func (m *model) finish(i int32, now time.Duration) error {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	if _, err := m.disp.Finish(m.ctx, m.ids[i], p.id); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	cl := m.clients[c.client]
	own := p.team == int(cl.team)
	m.handled++
	if cl.ownTeam {
		m.ownClients++
		if own {
			m.ownHandled++
		}
	}
	pr := m.s.Resolution.Other
	if own {
		pr = m.s.Resolution.OwnTeam
	}
	actor := audit.Actor{Kind: audit.ActorProfessional, ID: string(p.id)}
	if m.rnd.behave.Float64() < pr {
		m.resolved++
		set, err := m.adm.Settle(m.ctx, actor, c.demandID)
		if err != nil && !errors.Is(err, channel.ErrContactClosed) {
			return fmt.Errorf("settle: %w", err)
		}
		for _, w := range set.Withdrawn {
			j, ok := m.byDemand[w.ID]
			if !ok || !m.contacts[j].queued {
				continue
			}
			if err := m.rescind(j, "settled elsewhere"); err != nil {
				return err
			}
			m.withdrawn++
			m.release(j)
		}
		m.release(i)
		return nil
	}
	if _, err := m.adm.Close(m.ctx, actor, c.demandID, "unresolved"); err != nil && !errors.Is(err, channel.ErrContactClosed) {
		return fmt.Errorf("close: %w", err)
	}
	delete(m.byDemand, c.demandID)
	d, _ := m.s.Resolution.Recontact.Dist("recontact")
	c.active = true
	c.demandID = ""
	c.gen++
	m.loop.At(now+d.Sample(m.rnd.behave), event{kind: evRecontact, a: i, gen: c.gen})
	return nil
}

// roster signs professionals in and out at the start of hour h.
func (m *model) roster(h int) error {
	hr := m.hours[h]
	if hr.local == 0 && m.onDay != nil {
		m.onDay(hr.day)
	}
	for ti, t := range m.s.Teams {
		n := rosterAt(t.Roster, hr)
		m.teams[ti].staffed += float64(n) * float64(hr.to-hr.from)
	}
	k := 0
	for ti, t := range m.s.Teams {
		n := rosterAt(t.Roster, hr)
		first := k
		for ; k < len(m.profs) && m.profs[k].team == ti; k++ {
			want := routing.PresenceAway
			if k-first < n {
				want = routing.PresenceAvailable
			}
			if _, err := m.disp.SetPresence(m.ctx, m.profs[k].id, want); err != nil {
				return fmt.Errorf("presence: %w", err)
			}
		}
	}
	// Callback requests that found nobody signed in are queued now.
	pending := m.pendingCallbacks
	m.pendingCallbacks = nil
	for _, i := range pending {
		if err := m.enqueue(i); err != nil {
			return err
		}
	}
	return nil
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// metrics returns the replication's KPIs.
func (m *model) metrics() []Metric {
	out := []Metric{
		{Name: "contacts", Unit: "count", Value: float64(m.admitted)},
		{Name: "service_level", Unit: "share", Value: ratio(m.inTarget, m.inbound)},
		{Name: "abandonment", Unit: "share", Value: ratio(m.abandoned, m.inbound)},
		{Name: "callback_requests", Unit: "count", Value: float64(m.callbacks)},
		{Name: "same_day_callback", Unit: "share", Value: ratio(m.cbSameDay, m.cbEligible)},
		{Name: "callback_delay_p50", Unit: "minutes", Value: m.cbDelay.Quantile(0.5).Minutes()},
		{Name: "callback_delay_p90", Unit: "minutes", Value: m.cbDelay.Quantile(0.9).Minutes()},
		{Name: "continuity", Unit: "share", Value: ratio(m.ownHandled, m.ownClients)},
		{Name: "first_contact_resolution", Unit: "share", Value: ratio(m.resolved, m.handled)},
		{Name: "duplicate_demand", Unit: "share", Value: ratio(m.duplicates, m.admitted)},
		{Name: "withdrawn_duplicates", Unit: "count", Value: float64(m.withdrawn)},
		{Name: "closed_no_route", Unit: "count", Value: float64(m.noRoute)},
		{Name: "unsuitable_channel", Unit: "count", Value: float64(m.unsuitable)},
	}
	if m.cbDelay.Count() == 0 {
		out[5].Value, out[6].Value = math.NaN(), math.NaN()
	}
	for i, t := range m.s.Teams {
		ts := &m.teams[i]
		if !t.Central {
			// Home-team figures: how the team's own clients were served.
			out = append(out,
				Metric{Name: "service_level", Team: t.ID, Unit: "share", Value: ratio(ts.inTarget, ts.inbound)},
				Metric{Name: "abandonment", Team: t.ID, Unit: "share", Value: ratio(ts.abandoned, ts.inbound)},
				Metric{Name: "mean_queue", Team: t.ID, Unit: "clients", Value: ts.queue.Mean()})
		}
		out = append(out,
			Metric{Name: "handled", Team: t.ID, Unit: "count", Value: float64(ts.handled)},
			Metric{Name: "utilisation", Team: t.ID, Unit: "share", Value: ratioF(ts.busy, ts.staffed)},
		)
	}
	return out
}

func ratioF(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
