package routing

import (
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// A pool is the queue of one kind of work and the professionals who can
// take it: the candidates of one resolved step (its scope, channel, filters
// and language). Steps of different contacts that resolve alike share a
// pool. Invariant, after every dispatcher operation: a pool never holds both
// a queued item and an idle member who may be offered it.
type pool struct {
	slot     Slot
	members  int
	signedIn int   // members whose presence is not away
	areas    []int // areas whose opening hours gate the step; none: always open
	idle     iheap[mref]
	queue    iheap[qref]
}

// membership links a professional to a pool; hidx is its index in the
// pool's idle heap, -1 when the professional cannot take more work.
type membership struct {
	p    *prof
	pool *pool
	hidx int
}

// prof is the dispatcher's view of one professional.
type prof struct {
	idx    int
	id     carecontact.ProfessionalID
	st     ProfessionalState
	wrapUp time.Duration
	mem    [numSlots][]*membership
	// pools are the pools of mem, in the same order, so that serve looks
	// at their queues without reading the memberships.
	pools [numSlots][]*pool
	// idle counts the memberships of each slot class that sit in an idle
	// heap, so that reindex reads no membership of a professional who
	// can take no work and is in no idle heap.
	idle   [numSlots]int
	offers []*entry // items offered to the professional, pending an answer
}

// mref is a membership in an idle heap with its order key copied in (the
// professional's load of the pool's slot class, IdleSince and index), so
// that sifting compares without reading the professionals.
// The key is refreshed whenever the membership is pushed or fixed: every
// change of those fields goes through reindex.
type mref struct {
	load int
	sec  int64
	nsec int32
	idx  int
	m    *membership
}

func mrefOf(m *membership) mref {
	st := &m.p.st
	return mref{st.Load.Of(m.pool.slot), st.IdleSince.Unix(), int32(st.IdleSince.Nanosecond()), m.p.idx, m}
}

// mrefLess orders a pool's idle members: least busy first (fewest items of
// the pool's slot class), then longest idle (earliest IdleSince), then by
// the professional's index, so the choice is deterministic.
func mrefLess(a, b mref) bool {
	if a.load != b.load {
		return a.load < b.load
	}
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.idx < b.idx
}

func setIdle(r mref, i int) { r.m.hidx = i }

// entry is the dispatcher's view of one work item.
type entry struct {
	it       Item
	route    *compiledRoute
	rank     int64        // enqueue time minus the priority's head start, in ns
	seq      uint64       // enqueue order, breaks rank ties
	qidx     int          // index in the current pool's queue, -1 if not queued
	tidx     int          // index in the timer heap, -1 if no deadline
	timers   *iheap[tref] // the timer heap e is in while tidx >= 0
	deadline time.Time
	timedOut carecontact.ProfessionalID // whose offer last timed out
	accepted time.Time                  // when the offer was accepted, for the mean handling time
	by       *prof                      // the professional last found for it.Professional (see holder)
}

func queueLess(a, b *entry) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.seq < b.seq
}

// qref is an entry in a queue heap with its order key (rank, seq) copied
// in, so that sifting a long queue compares without reading the entries.
// The lowest bit of seq is set when the item excludes anyone (Excluded is
// not empty), so that serve reads no entry of a pool's head to learn that
// it excludes nobody; the bit does not change the order, since no two
// entries share a seq. A queued item's exclusions change only while it is
// out of its queue (offered), so the bit stays true while it is queued.
type qref struct {
	rank int64
	seq  uint64
	e    *entry
}

func qrefOf(e *entry) qref {
	s := e.seq << 1
	if len(e.it.Excluded) > 0 {
		s |= 1
	}
	return qref{e.rank, s, e}
}

// excludes reports whether the item of r excludes professional p.
func (r qref) excludes(p carecontact.ProfessionalID) bool {
	return r.seq&1 != 0 && r.e.excludes(p)
}

func qrefLess(a, b qref) bool {
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.seq < b.seq
}

func setQueue(r qref, i int) { r.e.qidx = i }

func timerLess(a, b *entry) bool {
	if !a.deadline.Equal(b.deadline) {
		return a.deadline.Before(b.deadline)
	}
	return a.seq < b.seq
}

// tref is an entry in a timer heap with its deadline (Unix seconds and
// nanoseconds) and seq copied in, ordered as timerLess orders entries.
type tref struct {
	sec  int64
	nsec int32
	seq  uint64
	e    *entry
}

func trefOf(e *entry) tref {
	return tref{e.deadline.Unix(), int32(e.deadline.Nanosecond()), e.seq, e}
}

func trefLess(a, b tref) bool {
	if a.sec != b.sec {
		return a.sec < b.sec
	}
	if a.nsec != b.nsec {
		return a.nsec < b.nsec
	}
	return a.seq < b.seq
}

func setTimer(r tref, i int) { r.e.tidx = i }

func (e *entry) excludes(p carecontact.ProfessionalID) bool {
	for _, x := range e.it.Excluded {
		if x == p {
			return true
		}
	}
	return false
}

// poolKey identifies a pool.
type poolKey struct {
	target Target
	id     string
	ch     channel.Kind
	filter string
	lang   civil.Language
}

// routeKey is everything of a contact that its route depends on.
type routeKey struct {
	errand channel.Errand
	ch     channel.Kind
	pc     PostalCode
	area   carecontact.AreaID
	prof   carecontact.ProfessionalID
	team   carecontact.TeamID
	lang   civil.Language
}

// compiledRoute is a contact's compiled route: the pool of every policy
// step (nil where the step cannot be resolved for the contact).
type compiledRoute struct {
	pol   *compiledPolicy
	slot  Slot
	pools []*pool
	skip  []string // why a step has no pool
	// noRoute is set when no step has a candidate at all.
	noRoute *NoRouteError
}

// maxRoutes bounds the route cache; when full it is emptied (pools stay).
const maxRoutes = 1 << 16

// routeFor returns the compiled route of c, from the cache or built.
func (d *Dispatcher) routeFor(c Contact) (*compiledRoute, error) {
	k := routeKey{c.Errand, c.Channel, c.PostalCode, c.Area, c.OwnProfessional, c.OwnTeam, c.Language}
	if d.lastRoute != nil && k == d.lastKey {
		return d.lastRoute, nil
	}
	if rt, ok := d.routes[k]; ok {
		d.lastKey, d.lastRoute = k, rt
		return rt, nil
	}
	r, err := d.dir.resolve(c)
	if err != nil {
		return nil, err
	}
	rt := &compiledRoute{pol: r.pol, slot: r.slot, pools: make([]*pool, len(r.scopes)), skip: make([]string, len(r.scopes))}
	usable := false
	for i, sc := range r.scopes {
		if sc.skip != "" {
			rt.skip[i] = sc.skip
			continue
		}
		s := r.pol.Steps[i]
		pk := poolKey{target: sc.target, id: sc.id, ch: c.Channel, filter: r.pol.filters[i]}
		if s.MatchLanguage {
			pk.lang = r.lang
		}
		p, ok := d.pools[pk]
		if !ok {
			p = d.newPool(sc, s, c.Channel, r.slot, r.lang)
			d.pools[pk] = p
		}
		if p.members == 0 {
			_, rt.skip[i], _ = d.dir.candidates(sc, s, c.Channel, r.slot, r.lang)
			continue
		}
		rt.pools[i] = p
		usable = true
	}
	if !usable {
		// The pure decision explains why (no candidates, or the pilot).
		if _, err := d.dir.Route(c); err != nil {
			if nr, ok := err.(*NoRouteError); ok {
				rt.noRoute = nr
			} else {
				return nil, err
			}
		}
	}
	if len(d.routes) >= maxRoutes {
		clear(d.routes)
	}
	d.routes[k] = rt
	d.lastKey, d.lastRoute = k, rt
	return rt, nil
}

// newPool builds the pool of a resolved step and links its members.
func (d *Dispatcher) newPool(sc scope, s Step, k channel.Kind, slot Slot, lang civil.Language) *pool {
	p := &pool{slot: slot}
	p.idle = iheap[mref]{less: mrefLess, set: setIdle}
	p.queue = iheap[qref]{less: qrefLess, set: setQueue}
	switch sc.target {
	case TargetHomeArea, TargetNeighbourAreas:
		for _, a := range d.dir.scopeAreas(sc) {
			p.areas = append(p.areas, d.dir.areaIdx[a])
		}
	case TargetOwnTeam, TargetTeam:
		if a := d.dir.teams[d.dir.teamIdx[carecontact.TeamID(sc.id)]].Area; a != "" {
			p.areas = []int{d.dir.areaIdx[a]}
		}
	}
	cands, _, _ := d.dir.candidates(sc, s, k, slot, lang)
	for _, i := range cands {
		pr := d.profs[i]
		m := &membership{p: pr, pool: p, hidx: -1}
		pr.mem[slot] = append(pr.mem[slot], m)
		pr.pools[slot] = append(pr.pools[slot], p)
		p.members++
		if pr.st.Presence != PresenceAway {
			p.signedIn++
		}
		if pr.st.CanTake(slot) {
			p.idle.push(mrefOf(m))
			pr.idle[slot]++
		}
	}
	return p
}

// open reports whether the pool's areas (if any) are open at t.
func (d *Dispatcher) open(p *pool, t time.Time) bool {
	if len(p.areas) == 0 {
		return true
	}
	for _, a := range p.areas {
		if d.dir.areas[a].IsOpen(t) {
			return true
		}
	}
	return false
}

// usable tells whether an item may enter step i of rt at t, and if not why.
func (d *Dispatcher) usable(rt *compiledRoute, i int, t time.Time) (bool, string) {
	p := rt.pools[i]
	switch {
	case p == nil:
		return false, rt.skip[i]
	case p.signedIn == 0:
		return false, "nobody signed in"
	case !d.open(p, t):
		return false, "area closed"
	}
	return true, ""
}
