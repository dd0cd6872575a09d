package scenario

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
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
	// Series asks for Report.Series, the whole-service KPIs of every
	// 15 minutes of the run. Defaults to false.
	Series bool
	// Parallel is how many replications run at once, each on its own
	// model in a goroutine of its own; the report is the same as a
	// sequential run's. Defaults to 0, which like 1 runs them one after
	// the other in the caller's goroutine.
	Parallel int
}

// Run simulates every replication of s in turn and summarises the KPIs.
func Run(ctx context.Context, s *Scenario, opt Options) (*Report, error) {
	if opt.Level == 0 {
		opt.Level = 0.95
	}
	if !(opt.Level > 0 && opt.Level < 1) {
		return nil, fmt.Errorf("%w: confidence level %v", ErrInvalid, opt.Level)
	}
	if opt.Parallel < 0 {
		return nil, fmt.Errorf("%w: parallel %d", ErrInvalid, opt.Parallel)
	}
	rep := &Report{Scenario: s.Name, Days: s.Days, Replications: s.Replications, Seed: s.Seed, Level: opt.Level}
	var prof *profiles
	var series [][][]Metric // per replication, per bin
	// fold adds replication r's results to the report, in replication
	// order (so a parallel run gives the same report).
	fold := func(r int, m *model) error {
		ms, err := m.metrics()
		if err != nil {
			return fmt.Errorf("scenario %s: replication %d: %w", s.Name, r, err)
		}
		rep.Runs = append(rep.Runs, ms)
		if opt.Series {
			sr, err := m.series()
			if err != nil {
				return fmt.Errorf("scenario %s: replication %d: %w", s.Name, r, err)
			}
			series = append(series, sr)
		}
		if prof == nil {
			prof = newProfiles(len(s.Teams))
		}
		m.addProfiles(prof)
		return nil
	}
	if opt.Parallel > 1 && s.Replications > 1 {
		if err := runParallel(ctx, s, opt, fold); err != nil {
			return nil, err
		}
	} else {
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
			if err := fold(r, m); err != nil {
				return nil, err
			}
			if opt.Progress != nil {
				opt.Progress((r+1)*s.Days, s.Replications*s.Days)
			}
		}
	}
	rep.KPIs = summarise(rep.Runs, opt.Level)
	rep.Profiles = prof.result(s)
	if len(series) > 0 {
		for k := range series[0] {
			runs := make([][]Metric, len(series))
			for r := range series {
				runs[r] = series[r][k]
			}
			rep.Series = append(rep.Series, Bin{Start: s.start.Add(time.Duration(k) * ProfileBin), KPIs: summarise(runs, opt.Level)})
		}
	}
	return rep, nil
}

// runParallel runs the replications opt.Parallel at a time, each on its
// own model, and folds them in replication order as they finish in
// order. It returns when every goroutine it started has ended.
func runParallel(ctx context.Context, s *Scenario, opt Options, fold func(int, *model) error) error {
	ctx, cancel := context.WithCancel(ctx)
	type result struct {
		r   int
		m   *model
		err error
	}
	var mu sync.Mutex
	done := 0
	progress := func() {
		if opt.Progress == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		opt.Progress(done, s.Replications*s.Days)
	}
	results := make(chan result)
	sem := make(chan struct{}, opt.Parallel)
	var wg sync.WaitGroup
	defer func() {
		cancel() // the workers still running stop, and none waits to send
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for r := range s.Replications {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				m, err := newModel(ctx, s, s.Seed+uint64(r))
				if err == nil {
					m.onDay = func(day int) {
						if day > 0 {
							progress()
						}
					}
					if err = m.run(ctx); err != nil {
						err = fmt.Errorf("scenario %s: replication %d: %w", s.Name, r, err)
					} else {
						progress()
					}
				}
				select {
				case results <- result{r, m, err}:
				case <-ctx.Done():
				}
			}()
		}
	}()
	pending := map[int]*model{}
	next := 0
	for next < s.Replications {
		var res result
		select {
		case res = <-results:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-sem
		if res.err != nil {
			return res.err
		}
		pending[res.r] = res.m
		for m, ok := pending[next]; ok; m, ok = pending[next] {
			delete(pending, next)
			if err := fold(next, m); err != nil {
				return err
			}
			next++
		}
	}
	return nil
}

// Event kinds of the scenario loop: the workload's own times and the
// door's next deadline.
const (
	evArrival     = iota // a contact of demand stream `a` arrives
	evDone               // contact `a`'s running leg (or call attempt) ends
	evAbandon            // contact `a` runs out of patience (if still waiting)
	evDuplicate          // contact `a`'s client also tries another channel
	evRecontact          // contact `a`'s unresolved errand comes back
	evHour               // roster change at hour index `a`
	evDeadline           // the door's next deadline
	evBookSearch         // a client looks for an e-booking time
	evBookWaiting        // contact `a`'s client, still waiting, also tries to book
	evBookCancel         // the client cancels appointment `a`
	evBookStart          // appointment `a` starts
	evBookOffer          // a waiting client confirms the freed time held for them (appointment `a`)
)

type event struct {
	kind uint8
	a    int32
	gen  uint32
}

// contactState is the workload of one contact: who the client is, when
// they arrived, what was drawn for them (handling, answering, escalating)
// and what they have seen of the door (still waiting, or answered). The
// door keeps the contact itself: its queue, callback, session and demand.
type contactState struct {
	gen       uint32
	client    int32
	stream    int16
	kind      channel.Kind // the channel the contact runs on now
	active    bool
	inbound   bool // counts for the inbound service level
	waiting   bool // queued in routing (the door said so) and not yet answered
	inHand    bool // a professional accepted it and has not ended the attempt
	escalated bool // the drawn channel switch has been made
	answered  bool // the client answers the running attempt (drawn for callbacks)
	strong    bool // the client identified with bank ID
	arrived   time.Duration
	prof      int32  // index of the professional handling it, -1
	id        string // the door's contact ID
	// What the door told the client: the estimated wait of an inbound
	// contact (when known), the first promised window of a callback.
	estimate         time.Duration
	estimateKnown    bool
	promised         bool
	attempted        bool // the first callback attempt has been made
	window0, window1 time.Duration
}

// counts are the KPI counters of a run or of one bin of it.
type counts struct {
	inbound, inTarget, abandoned, noRoute int64
	admitted, duplicates                  int64
	withdrawn, unsuitable                 int64
	escalated                             int64
	escalationUnsuitable                  int64 // switches the door refused: the errand does not suit the channel
	escalationNoCapacity                  int64 // and: the professional cannot take a call now
	withOwnTeam, byOwnTeam                int64 // handled contacts of clients with an own team, and by it
	withOwnProf, byOwnProf                int64 // and of those with an own professional, and by them
	undispatched                          int64 // due callbacks routing could not queue
	withdrawFailed                        int64 // closes whose withdrawals failed
	// E-booking: searches (and those by clients waiting in another
	// channel), searches that found no time, clients put on the
	// waitlist, holds refused, bookings (of waitlist offers, by clients
	// already waiting about the errand) and the contacts they settled,
	// cancellations and the freed times offered to the waitlist, visits
	// due and no-shows.
	searches, searchesWaiting, noSlot, waitlisted, bookRefused int64
	booked, waitlistFilled, bookedDuplicate, bookSettled       int64
	bookCancelled, freed, visits, noShow                       int64
	// Accuracy of what the door told clients: answered inbound contacts
	// with a known wait estimate, the sums of |waited − estimate| and of
	// waited − estimate, and those within a minute of it; first callback
	// attempts against the first promised window: tested, early, late
	// and the sum of the lateness.
	estimated, estimateWithin    int64
	estimateAbsErr, estimateBias time.Duration
	windowTested, early, late    int64
	lateness                     time.Duration
}

// bin returns the counters of the bin of elapsed time at.
func (m *model) bin(at time.Duration) *counts {
	k := int(at / ProfileBin)
	if k >= len(m.bins) {
		k = len(m.bins) - 1
	}
	return &m.bins[max(k, 0)]
}

type client struct {
	area    int16
	team    int16 // home team: a team of the client's area
	ownTeam bool
	prof    int32 // the own professional (index into model.profs), -1 for none
}

type teamStats struct {
	inbound, inTarget, abandoned int64
	handled                      int64
	busy                         float64 // professional-nanoseconds of work (per capacity unit)
	staffed                      float64 // professional-nanoseconds signed in
	queue                        *sim.Level
	slArrivals, slInTarget       []int64   // per profile bin of the local day
	binBusy, binStaffed          []float64 // busy and staffed per ProfileBin of the run
}

// spread adds weight×(overlap in ns) to the bins of v that [from, from+d)
// covers.
func spread(v []float64, from, d time.Duration, weight float64) {
	for at, end := from, from+d; at < end; {
		k := int(at / ProfileBin)
		if k >= len(v) {
			return
		}
		next := min(time.Duration(k+1)*ProfileBin, end)
		v[k] += weight * float64(next-at)
		at = next
	}
}

// model is one replication: a frontdoor.Door over memory stores, driven
// by a sim.Loop through the injected clock and the door's deadlines. The
// model generates the workload (arrivals, rosters, handling times, client
// behaviour, outcomes) and collects the KPIs from the door's events; the
// door keeps every rule.
type model struct {
	s    *Scenario
	cal  *calendar
	clk  *sim.Clock
	loop *sim.Loop[event]
	door *frontdoor.Door
	rnd  struct{ arrive, client, handle, patience, behave, book *rand.Rand }
	eb   *ebooker // nil without Scenario.EBooking

	hours       []hour
	streams     []stream
	clients     []client
	areaCum     []float64
	areaTeams   [][]int
	areaCodes   []routing.PostalCode
	profs       []profInfo
	profIdx     map[carecontact.ProfessionalID]int32
	teamProfs   [][2]int // per team: its first professional's index and how many are on callback duty
	teamIdx     map[string]int
	teams       []teamStats
	contacts    []contactState
	free        []int32
	byID        map[string]int32 // the door's contact IDs of the active contacts
	offers      []frontdoor.Event
	deadline    time.Duration // of the scheduled evDeadline, -1 for none
	end         time.Duration
	nextID      int
	newSlot     int32 // the contact the door is admitting now, -1
	idle        bool  // the event being handled called nothing of the door
	escalations []escalation

	counts // the run's KPI counters
	// bins are the same counters per ProfileBin of the run, for the
	// series (each count in the bin of the contact's arrival for the
	// inbound figures, of the event otherwise).
	bins  []counts
	onDay func(day int)
	ctx   context.Context
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
}

var system = audit.Actor{Kind: audit.ActorSystem, ID: "simulation"}

func newModel(ctx context.Context, s *Scenario, seed uint64) (*model, error) {
	cal, err := newCalendar(s.start, s.Days)
	if err != nil {
		return nil, fmt.Errorf("scenario: calendar: %w", err)
	}
	m := &model{s: s, cal: cal, ctx: ctx, profIdx: map[carecontact.ProfessionalID]int32{}, teamIdx: map[string]int{},
		byID: map[string]int32{}, newSlot: -1}
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
	m.rnd.book = sim.NewRand(seed, 6)

	cfg, err := m.directory()
	if err != nil {
		return nil, err
	}
	dir, err := routing.NewDirectory(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: routing: %w", ErrInvalid, err)
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
	var booker *booking.Booker
	if s.EBooking != nil {
		if m.eb, err = m.newEBooker(); err != nil {
			return nil, err
		}
		booker = m.eb.booker
	}
	log := memory.NewAuditLog()
	m.door, err = frontdoor.New(ctx, frontdoor.Config{
		Booker: booker,
		Clock:  m.clk, Directory: dir, Capacity: rosterCapacity{m}, Callback: m.callbackConfig(),
		Stores: frontdoor.Stores{Routing: memory.NewRoutingStore(nil), Callback: memory.NewCallbackStore(log),
			Session: memory.NewSessionStore(log), Demand: memory.NewDemandStore(nil), Audit: log},
		Duplicates:   demand.Policy(s.Duplicates.Policy),
		OfferTimeout: time.Minute,
		Identifier:   bankID{m},
		// A simulated professional signed out by the roster finishes the
		// contact in hand: nothing is reclaimed from them.
		Grace:   -1,
		OnEvent: m.observe,
		NewID:   m.newID,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: door: %w", ErrInvalid, err)
	}
	bins := int((m.end + ProfileBin - 1) / ProfileBin)
	m.bins = make([]counts, bins)
	m.teams = make([]teamStats, len(s.Teams))
	for i := range m.teams {
		m.teams[i].queue = sim.NewLevel(ProfileBin, bins)
		m.teams[i].slArrivals = make([]int64, 24*time.Hour/ProfileBin)
		m.teams[i].slInTarget = make([]int64, 24*time.Hour/ProfileBin)
		m.teams[i].binBusy = make([]float64, bins)
		m.teams[i].binStaffed = make([]float64, bins)
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
		m.areaCodes = append(m.areaCodes, ra.PostalCodes[0])
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
		m.teamProfs = append(m.teamProfs, [2]int{len(m.profs), duty})
		for k := range n {
			var skills []routing.Skill
			if k < duty {
				skills = []routing.Skill{CallbackSkill}
			}
			id := carecontact.ProfessionalID(t.ID + "-" + strconv.Itoa(k+1))
			m.profIdx[id] = int32(len(m.profs))
			m.profs = append(m.profs, profInfo{id: id, team: ti, capacity: capa})
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
		m.clients[i] = client{area: int16(a), team: int16(teams[r.IntN(len(teams))]), ownTeam: r.Float64() < s.Clients.OwnTeamShare, prof: -1}
		// Drawn only when the scenario names own professionals, so the
		// other scenarios' clients are drawn as before.
		if cl := &m.clients[i]; s.Clients.OwnProfessionalShare > 0 && cl.ownTeam && r.Float64() < s.Clients.OwnProfessionalShare {
			if tp := m.teamProfs[cl.team]; tp[1] > 0 {
				cl.prof = int32(tp[0] + r.IntN(tp[1]))
			}
		}
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
	if m.eb != nil {
		m.scheduleSearch(0)
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
		m.idle = false
		if err := m.handle(ev, now); err != nil {
			return err
		}
		// An event that called nothing of the door (a patience timer of
		// a client already answered) left it as it was: no offers, and no
		// deadline earlier than the one pending, since the door's next
		// deadline does not come earlier with time alone. Asking for it
		// again would cost a pass over the open callback requests.
		if !m.idle {
			if err := m.takeOffers(now); err != nil {
				return err
			}
			if err := m.scheduleDeadline(now); err != nil {
				return err
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

// scheduleDeadline makes sure the door is advanced at its next deadline
// (carecontact.Driven): one evDeadline is pending at a time, moved earlier
// when the door's deadline is.
func (m *model) scheduleDeadline(now time.Duration) error {
	t, ok, err := m.door.NextDeadline(m.ctx)
	if err != nil {
		return fmt.Errorf("next deadline: %w", err)
	}
	if !ok {
		return nil
	}
	at := max(t.Sub(m.clk.Epoch()), now)
	if m.deadline < 0 || at < m.deadline {
		m.deadline = at
		m.loop.At(at, event{kind: evDeadline})
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
		return m.advance()
	case evArrival:
		m.scheduleArrival(int(ev.a), now)
		st := &m.streams[ev.a]
		cl := int32(m.rnd.client.IntN(len(m.clients)))
		kind := st.kind
		if kind == channel.InboundPhone && m.rnd.behave.Float64() < st.spec.CallbackShare {
			kind = channel.Callback
		}
		return m.newContact(cl, int16(ev.a), kind, now, false)
	case evBookSearch:
		m.scheduleSearch(now)
		return m.book(int32(m.rnd.book.IntN(len(m.clients))), now, false)
	case evBookCancel:
		return m.cancel(ev.a, now)
	case evBookStart:
		return m.start(ev.a, now)
	case evBookOffer:
		return m.confirm(m.eb.appts[ev.a].client, m.eb.appts[ev.a].id, now, true)
	}
	c := &m.contacts[ev.a]
	if c.gen != ev.gen || !c.active {
		m.idle = true
		return nil
	}
	switch ev.kind {
	case evDone:
		return m.finish(ev.a, now)
	case evAbandon:
		if !c.waiting {
			m.idle = true
			return nil
		}
		return m.abandon(ev.a)
	case evDuplicate:
		if !c.waiting {
			m.idle = true
			return nil
		}
		return m.newContact(c.client, c.stream, channel.Kind(m.s.Duplicates.Channel), now, true)
	case evRecontact:
		// The unresolved errand comes back as a callback request.
		cl, str := c.client, c.stream
		m.release(ev.a)
		return m.newContact(cl, str, channel.Callback, now, false)
	case evBookWaiting:
		if c.inHand {
			m.idle = true
			return nil
		}
		return m.book(c.client, now, true)
	}
	return nil
}

func clientActor(c int32) audit.Actor {
	return audit.Actor{Kind: audit.ActorClient, ID: clientRef(c)}
}

func clientRef(c int32) string { return "client-" + strconv.Itoa(int(c)) }

// newID names the door's contacts "k1", "k2", ... (deterministic for the
// seed) and ties the ID to the contact the door is admitting, so the
// door's events about it find its workload at once.
func (m *model) newID() string {
	m.nextID++
	id := "k" + strconv.Itoa(m.nextID)
	if m.newSlot >= 0 {
		m.contacts[m.newSlot].id = id
		m.byID[id] = m.newSlot
	}
	return id
}

// slot returns a free contact slot.
func (m *model) slot() int32 {
	if n := len(m.free); n > 0 {
		i := m.free[n-1]
		m.free = m.free[:n-1]
		return i
	}
	i := int32(len(m.contacts))
	m.contacts = append(m.contacts, contactState{})
	return i
}

// forget unties slot i from its door contact and cancels its pending
// workload events.
func (m *model) forget(i int32) {
	c := &m.contacts[i]
	if c.id != "" && m.byID[c.id] == i {
		delete(m.byID, c.id)
	}
	c.id = ""
	c.gen++
}

// release frees slot i: its contact is over for the workload.
func (m *model) release(i int32) {
	c := &m.contacts[i]
	if !c.active {
		return
	}
	m.forget(i)
	c.active = false
	m.free = append(m.free, i)
}

// roster signs professionals in and out at the start of hour h: the
// team's first n professionals are available, the others away.
func (m *model) roster(h int) error {
	hr := m.hours[h]
	if hr.local == 0 && m.onDay != nil {
		m.onDay(hr.day)
	}
	for ti, t := range m.s.Teams {
		n := rosterAt(t.Roster, hr)
		m.teams[ti].staffed += float64(n) * float64(hr.to-hr.from)
		spread(m.teams[ti].binStaffed, hr.from, hr.to-hr.from, float64(n))
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
			if _, err := m.door.SetPresence(m.ctx, m.profs[k].id, want); err != nil {
				return fmt.Errorf("presence: %w", err)
			}
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

func ratioF(a, b float64) float64 {
	if b == 0 {
		return math.NaN()
	}
	return a / b
}

// bankID is the simulated identification service: a client the model
// identifies for video completes bank ID at once, and it holds an hour.
type bankID struct{ m *model }

func (b bankID) Identification(context.Context, carecontact.ClientRef) (session.Identification, error) {
	now := b.m.clk.Now()
	return session.Identification{Level: channel.IdentityStrong, Method: "bank_id", At: now, Until: now.Add(time.Hour)}, nil
}
