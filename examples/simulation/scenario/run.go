package scenario

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
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
		ms, err := m.metrics()
		if err != nil {
			return nil, fmt.Errorf("scenario %s: replication %d: %w", s.Name, r, err)
		}
		rep.Runs = append(rep.Runs, ms)
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
	evDone             // contact `a`'s running leg (or call attempt) ends
	evAbandon          // contact `a` runs out of patience (if still queued)
	evDuplicate        // contact `a`'s client also tries another channel
	evRecontact        // contact `a`'s unresolved errand comes back
	evHour             // roster change at hour index `a`
	evDeadline         // the routing dispatcher's next deadline
	evCallbacks        // the callback planner's next deadline
)

type event struct {
	kind uint8
	a    int32
	gen  uint32
}

// contactState is one contact in the model: an inbound contact or message
// while it is a routing work item, or a callback request from its request
// to its close (its attempts are routing work items one after another).
type contactState struct {
	gen       uint32
	client    int32
	stream    int16
	kind      channel.Kind // the channel of the running leg
	queued    bool         // in the routing queue
	active    bool
	inbound   bool // counts for the inbound service level
	duplicate bool // admitted as a duplicate of another contact
	escalated bool // the running leg is an escalation
	heldCall  bool // a chat escalated to a call: the professional is held busy
	answered  bool // the running callback attempt reaches the client
	strong    bool // the client identified strongly in the session
	arrived   time.Duration
	prof      int32 // index of the professional handling it, -1
	demandID  string
	session   string // the session, once a professional took the contact
	request   string // the callback request, for callbacks
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

// model is one replication: the library's routing dispatcher, callback
// planner, session manager and duplicate-demand admitter over memory
// stores, driven by a sim.Loop through the injected clock.
type model struct {
	s   *Scenario
	cal *calendar
	clk *sim.Clock
	// cbEvents collects the callback planner's events of one Advance.
	cbEvents []callback.Event
	loop     *sim.Loop[event]
	disp     *routing.Dispatcher
	adm      *demand.Admitter
	cb       *callback.Planner
	sess     *session.Manager
	mx       *channel.Matrix
	rnd      struct{ arrive, client, handle, patience, behave *rand.Rand }

	hours      []hour
	streams    []stream
	clients    []client
	areaCum    []float64
	areaTeams  [][]int
	profs      []profInfo
	profIdx    map[carecontact.ProfessionalID]int32
	teamIdx    map[string]int
	teams      []teamStats
	contacts   []contactState
	ids        []carecontact.ItemID
	free       []int32
	idIndex    map[carecontact.ItemID]int32
	byDemand   map[string]int32
	byRequest  map[string]int32
	offers     []routing.Event
	deadline   time.Duration // of the scheduled evDeadline, -1 for none
	cbDeadline time.Duration // of the scheduled evCallbacks, -1 for none
	// cbDirty: a request or retry may have moved the planner's next
	// deadline earlier (accepting, completing and withdrawing cannot), so
	// ask for it again.
	cbDirty     bool
	end         time.Duration
	contactNo   int
	escalations []escalation

	// KPI counters
	inbound, inTarget, abandoned, noRoute int64
	admitted, duplicates, merged          int64
	joined, withdrawn, unsuitable         int64
	escalated, escalationUnsuitable       int64
	pendingDue                            []string // due callbacks nobody was signed in to take
	pendingMessages                       []int32  // messages waiting for anyone to sign in
	onDay                                 func(day int)
	ctx                                   context.Context
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

type escalation struct {
	from, to    channel.Kind
	probability float64
	handling    sim.Dist
}

type profInfo struct {
	id       carecontact.ProfessionalID
	team     int
	capacity routing.Capacity
	actor    audit.Actor
	rostered bool // signed in by the roster this hour
	// inCall counts the professional's chats escalated to a call or
	// video: routing still holds them as chats, so the professional is
	// marked busy (no new offers) until they end.
	inCall int
}

var system = audit.Actor{Kind: audit.ActorSystem, ID: "simulation"}

func newModel(ctx context.Context, s *Scenario, seed uint64) (*model, error) {
	cal, err := newCalendar(s.start, s.Days)
	if err != nil {
		return nil, fmt.Errorf("scenario: calendar: %w", err)
	}
	m := &model{s: s, cal: cal, ctx: ctx, profIdx: map[carecontact.ProfessionalID]int32{}, teamIdx: map[string]int{},
		idIndex: map[carecontact.ItemID]int32{}, byDemand: map[string]int32{}, byRequest: map[string]int32{},
		mx: channel.DefaultMatrix()}
	m.clk = sim.NewClock(s.start)
	m.loop = sim.NewLoop[event](m.clk)
	m.hours = cal.hours()
	m.deadline, m.cbDeadline = -1, -1
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
	m.disp, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir,
		Clock: m.clk, Store: memory.NewRoutingStore(nil), OfferTimeout: time.Minute,
		// A simulated professional signed out by the roster finishes the
		// contact in hand: nothing is reclaimed from them.
		Grace: -1,
		Sink: func(e routing.Event) {
			if e.Kind == routing.EventOffered {
				m.offers = append(m.offers, e)
			}
		},
		SinkKinds: []routing.EventKind{routing.EventOffered},
	})
	if err != nil {
		return nil, fmt.Errorf("scenario: dispatcher: %w", err)
	}
	next := 0
	m.adm, err = demand.New(demand.Config{
		Matrix: m.mx, Store: memory.NewDemandStore(nil), Clock: m.clk,
		Policy: demand.Policy(s.Duplicates.Policy),
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
	for _, e := range s.Escalations {
		h, _ := e.Handling.Dist("handling")
		m.escalations = append(m.escalations, escalation{from: channel.Kind(e.From), to: channel.Kind(e.To), probability: e.Probability, handling: h})
	}
	log := memory.NewAuditLog()
	if err := m.callbacks(dir, log); err != nil {
		return nil, err
	}
	sessions := 0
	m.sess, err = session.New(session.Config{Store: memory.NewSessionStore(log), Audit: log, Clock: m.clk, Teams: dir,
		Matrix: m.mx, Demand: frontdoor.SessionDemand{Admitter: m.adm}, NewID: func() string { sessions++; return "s" + strconv.Itoa(sessions) }})
	if err != nil {
		return nil, fmt.Errorf("scenario: sessions: %w", err)
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

// CallbackSkill is the routing skill of the professionals on callback duty.
const CallbackSkill routing.Skill = "callback"

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
		ra := routing.Area{ID: carecontact.AreaID(a.ID), NameFi: a.NameFi, NameSv: a.NameSv}
		for _, pc := range a.PostalCodes {
			p, err := routing.ParsePostalCode(pc)
			if err != nil {
				return cfg, fmt.Errorf("%w: area %s: %w", ErrInvalid, a.ID, err)
			}
			ra.PostalCodes = append(ra.PostalCodes, p)
		}
		for _, n := range a.Neighbours {
			ra.Neighbours = append(ra.Neighbours, carecontact.AreaID(n))
		}
		cfg.Areas = append(cfg.Areas, ra)
	}
	for ti, t := range s.Teams {
		m.teamIdx[t.ID] = ti
		cfg.Teams = append(cfg.Teams, routing.Team{ID: carecontact.TeamID(t.ID), NameFi: t.Name, Area: carecontact.AreaID(t.Area), Central: t.Central})
		n := 0
		for _, r := range [][]int{t.Roster.Weekday, t.Roster.Saturday, t.Roster.Sunday} {
			for _, v := range r {
				n = max(n, v)
			}
		}
		duty := n
		if t.CallbackRoster != nil {
			duty = 0
			for _, r := range [][]int{t.CallbackRoster.Weekday, t.CallbackRoster.Saturday, t.CallbackRoster.Sunday} {
				for _, v := range r {
					duty = max(duty, v)
				}
			}
		}
		capa := routing.Capacity{Synchronous: t.Capacity.Synchronous, Chat: t.Capacity.Chat, Message: t.Capacity.Message}
		for k := range n {
			var skills []routing.Skill
			if k < duty {
				skills = []routing.Skill{CallbackSkill}
			}
			id := carecontact.ProfessionalID(t.ID + "-" + strconv.Itoa(k+1))
			m.profIdx[id] = int32(len(m.profs))
			m.profs = append(m.profs, profInfo{id: id, team: ti, capacity: capa,
				actor: audit.Actor{Kind: audit.ActorProfessional, ID: string(id), Role: t.Role}})
			cfg.Professionals = append(cfg.Professionals, routing.Professional{
				ID: id, Role: routing.Role(t.Role), Languages: []civil.Language{civil.Finnish}, Skills: skills,
				Teams: []carecontact.TeamID{carecontact.TeamID(t.ID)}, Capacity: capa, WrapUp: time.Duration(t.WrapUp),
			})
		}
	}
	for _, p := range s.Policies {
		rp := routing.Policy{Errand: channel.Errand(p.Errand), Channel: channel.Kind(p.Channel)}
		for _, st := range p.Steps {
			step := routing.Step{Target: targets[st.Target], Team: carecontact.TeamID(st.Team), Timeout: time.Duration(st.Timeout)}
			for _, r := range st.Roles {
				step.Roles = append(step.Roles, routing.Role(r))
			}
			for _, sk := range st.Skills {
				step.Skills = append(step.Skills, routing.Skill(sk))
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
		if t, ok, _ := m.disp.NextDeadline(ctx); ok {
			at := t.Sub(m.clk.Epoch())
			if m.deadline < 0 || at < m.deadline {
				m.deadline = max(at, now)
				m.loop.At(m.deadline, event{kind: evDeadline})
			}
		}
		if err := m.planNext(); err != nil {
			return err
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
		return m.disp.Advance(m.ctx)
	case evCallbacks:
		if now >= m.cbDeadline {
			m.cbDeadline = -1
		}
		return m.advanceCallbacks()
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
		if _, err := m.adm.Close(m.ctx, clientActor(c.client), c.demandID, "abandoned"); err != nil && !errors.Is(err, demand.ErrContactClosed) {
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
		// The unresolved errand comes back as a callback request.
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

// setItem makes id slot i's current work item. Item IDs are never reused:
// an item in wrap-up stays in the dispatcher after its slot is reused.
func (m *model) setItem(i int32, id carecontact.ItemID) {
	delete(m.idIndex, m.ids[i])
	m.ids[i] = id
	m.idIndex[id] = i
}

func (m *model) release(i int32) {
	c := &m.contacts[i]
	if c.demandID != "" && m.byDemand[c.demandID] == i {
		delete(m.byDemand, c.demandID)
	}
	if c.request != "" {
		delete(m.byRequest, c.request)
	}
	c.gen++
	c.active = false
	delete(m.idIndex, m.ids[i])
	m.free = append(m.free, i)
}

// newContact admits a client's contact (duplicate detection across
// channels), then queues it in routing or, for a callback, asks the
// callback planner for a window.
func (m *model) newContact(cl int32, streamIdx int16, kind channel.Kind, now time.Duration, duplicate bool) error {
	st := &m.streams[streamIdx]
	ad, err := m.adm.Admit(m.ctx, demand.Request{Actor: clientActor(cl), Client: carecontact.ClientRef(clientRef(cl)), Errand: st.errand, Kind: kind})
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
		demandID: ad.Contact.ID, duplicate: ad.Duplicate(), inbound: kind != channel.Callback && kind != channel.SecureMessage}
	m.byDemand[ad.Contact.ID] = i
	if kind == channel.Callback {
		return m.requestCallback(i)
	}
	if c.inbound {
		team := &m.teams[m.clients[cl].team]
		team.inbound++
		team.slArrivals[int(m.cal.timeOfDay(now)/ProfileBin)]++
		m.inbound++
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
	rc := routing.Contact{Client: carecontact.ClientRef(clientRef(c.client)), Errand: m.streams[c.stream].errand,
		Channel: c.kind, Priority: m.streams[c.stream].prio, Area: carecontact.AreaID(m.s.Areas[cl.area].ID)}
	if !c.inbound {
		// Messages are planned work: clients on the line go first.
		rc.Priority = routing.PriorityRoutine
	}
	if cl.ownTeam {
		rc.OwnTeam = carecontact.TeamID(m.s.Teams[cl.team].ID)
	}
	return rc
}

// enqueue queues an inbound contact or a message in routing.
func (m *model) enqueue(i int32) error {
	c := &m.contacts[i]
	m.contactNo++
	m.setItem(i, carecontact.ItemID("item-"+strconv.Itoa(m.contactNo)))
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
		// A message waits until somebody signs in.
		m.pendingMessages = append(m.pendingMessages, i)
		return nil
	case err != nil:
		return fmt.Errorf("enqueue: %w", err)
	}
	m.queued(i, 1)
	return nil
}

// queued marks contact i as entering (+1) or leaving (-1) the routing queue.
func (m *model) queued(i int32, d float64) {
	c := &m.contacts[i]
	c.queued = d > 0
	m.teams[m.clients[c.client].team].queue.Add(m.loop.Now(), d)
}

func (m *model) rescind(i int32, reason string) error {
	if err := m.disp.Rescind(m.ctx, m.ids[i], reason); err != nil {
		return fmt.Errorf("rescind: %w", err)
	}
	m.queued(i, -1)
	return nil
}

// takeOffers accepts the offers the dispatcher made: professionals take
// what they are offered, and a session records the contact.
func (m *model) takeOffers(now time.Duration) error {
	for k := 0; k < len(m.offers); k++ {
		e := m.offers[k]
		i, ok := m.idIndex[e.Item]
		if !ok {
			// Rescinded after the offer, in the same step (its errand was
			// settled through another channel, or a widened callback was
			// dispatched again): nothing to accept.
			continue
		}
		if it, ok := m.disp.Item(e.Item); !ok || it.State != routing.ItemOffered || it.Professional != e.Professional {
			continue // the offer moved on within the step
		}
		if _, err := m.disp.Accept(m.ctx, e.Item, e.Professional); err != nil {
			return fmt.Errorf("accept: %w", err)
		}
		m.queued(i, -1)
		c := &m.contacts[i]
		c.prof = m.profIdx[e.Professional]
		p := m.profs[c.prof]
		cl := m.clients[c.client]
		home := &m.teams[cl.team]
		wait := now - c.arrived
		if c.inbound && wait <= time.Duration(m.s.ServiceLevelTarget) {
			home.inTarget++
			m.inTarget++
			home.slInTarget[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]++
		}
		h := m.streams[c.stream].handling.Sample(m.rnd.handle)
		if c.request != "" {
			if _, err := m.cb.Accept(m.ctx, c.request, p.id); err != nil {
				return fmt.Errorf("callback accept: %w", err)
			}
			c.answered = m.rnd.behave.Float64() >= m.s.Callbacks.NoAnswer
			if !c.answered {
				h = time.Duration(m.s.Callbacks.NoAnswerTime)
				if h == 0 {
					h = time.Minute
				}
			}
		}
		if err := m.startLeg(i, e.Item); err != nil {
			return err
		}
		m.work(c.prof, c.kind, h)
		m.loop.At(now+h, event{kind: evDone, a: i, gen: c.gen})
	}
	m.offers = m.offers[:0]
	return nil
}

// work books h of professional p's time in channel kind for utilisation.
func (m *model) work(p int32, kind channel.Kind, h time.Duration) {
	pi := m.profs[p]
	per := 1.0
	if sl, err := routing.SlotOf(kind); err == nil {
		per = float64(max(pi.capacity.Of(sl), 1))
	}
	m.teams[pi.team].busy += float64(h) / per
}

// startLeg opens contact i's session if it has none (owned by the
// professional's team, the client's own team recorded for continuity),
// assigns the professional and starts the leg in the contact's channel.
func (m *model) startLeg(i int32, item carecontact.ItemID) error {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	if c.session == "" {
		cl := m.clients[c.client]
		req := session.OpenRequest{Client: carecontact.ClientRef(clientRef(c.client)), Errand: m.streams[c.stream].errand, Team: carecontact.TeamID(m.s.Teams[p.team].ID),
			WorkItem: item, Contact: c.demandID, Duplicate: c.duplicate,
			Identity: channel.IdentityWeak, IdentityMethod: "asked_in_call"}
		if !c.kind.Synchronous() || c.kind == channel.Video || c.kind == channel.Chat {
			// Chat, video and messages are opened after strong
			// electronic identification.
			req.Identity, req.IdentityMethod = channel.IdentityStrong, "bank_id"
			c.strong = true
		}
		if cl.ownTeam {
			req.OwnTeam = carecontact.TeamID(m.s.Teams[cl.team].ID)
		}
		s, err := m.sess.Open(m.ctx, system, req)
		if err != nil {
			return fmt.Errorf("session open: %w", err)
		}
		c.session = s.ID
	}
	if _, err := m.sess.Assign(m.ctx, system, c.session, p.id); err != nil {
		return fmt.Errorf("session assign: %w", err)
	}
	if _, err := m.sess.StartLeg(m.ctx, p.actor, c.session, c.kind, string(item)); err != nil {
		return fmt.Errorf("session leg: %w", err)
	}
	return nil
}

// finish ends contact i's running leg or call attempt: an unanswered
// callback attempt goes back to the planner for a retry; a contact may be
// escalated to another channel; otherwise the contact ends, resolving the
// errand (the client's other contacts for it withdrawn) or not (it comes
// back later).
func (m *model) finish(i int32, now time.Duration) error {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	if c.request != "" && !c.answered {
		return m.unanswered(i)
	}
	if !c.escalated {
		if done, err := m.escalate(i, now); done || err != nil {
			return err
		}
	}
	if c.heldCall {
		c.heldCall = false
		if err := m.setInCall(c.prof, -1); err != nil {
			return err
		}
	}
	if _, err := m.disp.Finish(m.ctx, m.ids[i], p.id); err != nil {
		return fmt.Errorf("finish: %w", err)
	}
	m.teams[p.team].handled++
	if c.request != "" {
		if _, _, err := m.cb.Complete(m.ctx, c.request, p.id, callback.Answered); err != nil {
			return fmt.Errorf("callback complete: %w", err)
		}
	}
	if _, err := m.sess.FinishContact(m.ctx, p.actor, c.session); err != nil {
		return fmt.Errorf("session wrap-up: %w", err)
	}
	pr := m.s.Resolution.Other
	if p.team == int(m.clients[c.client].team) {
		pr = m.s.Resolution.OwnTeam
	}
	outcome := session.OutcomeFollowUp
	if m.rnd.behave.Float64() < pr {
		outcome = session.OutcomeResolved
	}
	res, err := m.sess.Close(m.ctx, p.actor, c.session, outcome)
	if err != nil {
		return fmt.Errorf("session close: %w", err)
	}
	if outcome == session.OutcomeResolved {
		m.release(i)
		for _, w := range res.Withdrawn {
			if err := m.withdraw(w.ID); err != nil {
				return err
			}
		}
		return nil
	}
	// Not resolved: the errand comes back later as a new contact.
	delete(m.byDemand, c.demandID)
	if c.request != "" {
		delete(m.byRequest, c.request)
	}
	d, _ := m.s.Resolution.Recontact.Dist("recontact")
	*c = contactState{gen: c.gen + 1, client: c.client, stream: c.stream, active: true, prof: -1}
	m.loop.At(now+d.Sample(m.rnd.behave), event{kind: evRecontact, a: i, gen: c.gen})
	return nil
}

// escalate switches contact i's session to another channel when the
// scenario's escalations say so and the errand suits the channel; it
// reports whether the contact goes on.
func (m *model) escalate(i int32, now time.Duration) (bool, error) {
	c := &m.contacts[i]
	p := m.profs[c.prof]
	for _, e := range m.escalations {
		if e.from != c.kind || m.rnd.behave.Float64() >= e.probability {
			continue
		}
		errand := m.streams[c.stream].errand
		if ok, _ := m.mx.Suitable(errand, e.to); !ok {
			// The professional does not offer a channel the errand does
			// not suit.
			m.escalationUnsuitable++
			return false, nil
		}
		if m.mx.RequiredIdentity(errand, e.to) == channel.IdentityStrong && !c.strong {
			if _, err := m.sess.Identify(m.ctx, p.actor, c.session, channel.IdentityStrong, "bank_id"); err != nil {
				return false, fmt.Errorf("session identify: %w", err)
			}
			c.strong = true
		}
		if _, err := m.sess.Escalate(m.ctx, p.actor, c.session, session.EscalateRequest{To: e.to, Consent: true}); err != nil {
			return false, fmt.Errorf("session escalate: %w", err)
		}
		m.escalated++
		if slotOf(c.kind) != routing.SlotSynchronous && slotOf(e.to) == routing.SlotSynchronous {
			// A chat continuing as a call or video takes the whole
			// professional, which routing's chat slot does not know.
			c.heldCall = true
			if err := m.setInCall(c.prof, 1); err != nil {
				return false, err
			}
		}
		c.kind, c.escalated = e.to, true
		h := e.handling.Sample(m.rnd.handle)
		m.work(c.prof, e.to, h)
		m.loop.At(now+h, event{kind: evDone, a: i, gen: c.gen})
		return true, nil
	}
	return false, nil
}

// withdraw takes a contact the client's settled errand made unnecessary
// out of its queue: a queued inbound contact or message is rescinded, a
// callback request withdrawn from the planner (and its due attempt from
// routing). Contacts already being handled are left to finish.
func (m *model) withdraw(demandID string) error {
	j, ok := m.byDemand[demandID]
	if !ok {
		return nil
	}
	c := &m.contacts[j]
	if c.request != "" {
		_, _, err := m.cb.Withdraw(m.ctx, c.request, system)
		if errors.Is(err, callback.ErrInCall) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("callback withdraw: %w", err)
		}
		if c.session != "" {
			// An earlier attempt went unanswered: the session waits.
			if _, err := m.sess.Close(m.ctx, system, c.session, session.OutcomeDuplicateMerged); err != nil {
				return fmt.Errorf("session close: %w", err)
			}
		}
	}
	switch {
	case c.queued:
		if err := m.rescind(j, "settled elsewhere"); err != nil {
			return err
		}
	case c.request != "":
	case c.prof < 0 && slices.Contains(m.pendingMessages, j):
		// A message waiting for a sign-in is not sent on.
		m.pendingMessages = slices.DeleteFunc(m.pendingMessages, func(k int32) bool { return k == j })
	default:
		return nil // in a call: the professional finishes it
	}
	if c.inbound {
		// Answered in the other channel: not a miss of this one.
		t := &m.teams[m.clients[c.client].team]
		t.inbound--
		t.slArrivals[int(m.cal.timeOfDay(c.arrived)/ProfileBin)]--
		m.inbound--
	}
	m.withdrawn++
	m.release(j)
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
			m.profs[k].rostered = k-first < n
			if err := m.presence(int32(k)); err != nil {
				return err
			}
		}
	}
	// Work that found nobody signed in is queued now.
	pending := m.pendingMessages
	m.pendingMessages = nil
	for _, i := range pending {
		if err := m.enqueue(i); err != nil {
			return err
		}
	}
	due := m.pendingDue
	m.pendingDue = nil
	for _, id := range due {
		if err := m.dispatch(id); err != nil {
			return err
		}
	}
	return nil
}

// presence signs professional p in or out by the roster, busy while a chat
// of theirs continues as a call.
func (m *model) presence(p int32) error {
	pi := &m.profs[p]
	want := routing.PresenceAway
	switch {
	case pi.rostered && pi.inCall > 0:
		want = routing.PresenceBusy
	case pi.rostered:
		want = routing.PresenceAvailable
	}
	if _, err := m.disp.SetPresence(m.ctx, pi.id, want); err != nil {
		return fmt.Errorf("presence: %w", err)
	}
	return nil
}

// setInCall changes professional p's count of chats continuing as calls.
func (m *model) setInCall(p int32, d int) error {
	pi := &m.profs[p]
	before := pi.inCall > 0
	pi.inCall += d
	if before == (pi.inCall > 0) {
		return nil
	}
	return m.presence(p)
}

// slotOf is the routing slot class of channel k (synchronous for channels
// routing does not slot).
func slotOf(k channel.Kind) routing.Slot {
	sl, err := routing.SlotOf(k)
	if err != nil {
		return routing.SlotSynchronous
	}
	return sl
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func ratioF(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}
