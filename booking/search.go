package booking

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// SearchRequest asks for free slots.
type SearchRequest struct {
	Area    carecontact.AreaID
	Service string
	// Professional, if set, limits the first participant to that calendar.
	Professional carecontact.ProfessionalID
	// Team, if set, limits the first participant to the team's members.
	Team carecontact.TeamID
	// From and To bound the slot starts; zero To means the service's
	// horizon (self-service) or 90 days. A To before From is ErrInvalid
	// naming "to".
	From, To time.Time
	// Limit is the number of slots wanted (default 10, at most 1000).
	Limit int
	By    Requester
}

// Slot is a free time for a service with the calendars that would take it.
type Slot struct {
	Area         carecontact.AreaID `json:"area"`
	Service      string             `json:"service"`
	Start        time.Time          `json:"start"`
	End          time.Time          `json:"end"`
	Participants []CalendarID       `json:"participants"`
	Block        BlockType          `json:"block"`
}

const defaultSearchSpan = 90 * 24 * time.Hour

// bounds returns the window of slot starts the requester may book, and
// checks that the requester may book the service at all.
func (b *Booker) bounds(svc *Service, by Requester, now, from, to time.Time) (lo, hi time.Time, err error) {
	if err := by.Actor.Validate(); err != nil {
		return lo, hi, fmt.Errorf("%w: requester: %v", ErrInvalid, err)
	}
	if err := checkOverride(by); err != nil {
		return lo, hi, err
	}
	lo, hi = from, to
	if lo.Before(now) {
		lo = now
	}
	if hi.IsZero() {
		hi = now.Add(defaultSearchSpan)
	}
	if by.self() {
		if !slices.Contains(svc.SelfBookGroups, by.ClientGroup) {
			return lo, hi, fmt.Errorf("booking: service %s: client group %q may not self-book: %w", svc.Code, by.ClientGroup, ErrNotAllowed)
		}
	}
	if by.clientRules() && !by.overrides(RuleNotice) {
		if n := now.Add(svc.MinNotice); lo.Before(n) {
			lo = n
		}
		if svc.Horizon > 0 {
			if h := now.Add(svc.Horizon); hi.After(h) {
				hi = h
			}
		}
	}
	return lo.UTC(), hi.UTC(), nil
}

// allowed reports whether block type t may be booked by the requester for a
// slot starting at start (Unix seconds), given the day of now.
func allowed(t uint8, k OwnerKind, by Requester, start int64, today civil.Date) bool {
	bt := blockCodes[t]
	if k == OwnerResource {
		return bt != BlockCallback
	}
	switch bt {
	case BlockSelfService:
		return true
	case BlockProfessionalOnly:
		return !by.self()
	case BlockAcuteReserve:
		if by.self() || !by.Acute {
			return false
		}
		loc := civil.Helsinki()
		return civil.DateOf(time.Unix(start, 0), loc) == today
	}
	return false
}

// candidates returns, per requirement, the calendars that can meet it.
func (b *Booker) candidates(svc *Service, professional carecontact.ProfessionalID, team carecontact.TeamID) [][]*Calendar {
	set := b.cfg.Index.set
	out := make([][]*Calendar, len(svc.Requires))
	for _, id := range set.byArea[svc.Area] {
		c := set.byID[id]
		for i, r := range svc.Requires {
			if c.Kind != r.Kind || c.Role != r.Role || (r.Skill != "" && !slices.Contains(c.Skills, r.Skill)) {
				continue
			}
			if i == 0 && ((professional != "" && c.ID != ProfessionalCalendar(professional)) || (team != "" && c.Team != team)) {
				continue
			}
			out[i] = append(out[i], c)
		}
	}
	return out
}

type span64 struct {
	start, end int64
	// open is the Shared key of a claim whose shared slot has room.
	open string
}

// search holds the state of one search chunk.
type search struct {
	svc         *Service
	by          Requester
	today       civil.Date
	dur, bb, ba int64
	step        int64
	busy        map[CalendarID][]span64
	ix          *Index
	lo, hi      int64 // slot starts in [lo, hi)
}

// free reports whether owner is free over the buffered time of a slot at s;
// if not, it returns the earliest start after the conflict.
func (q *search) free(owner CalendarID, s int64) (bool, int64) {
	bs, be := s-q.bb, s+q.dur+q.ba
	busy := q.busy[owner]
	i := sort.Search(len(busy), func(i int) bool { return busy[i].end > bs })
	for ; i < len(busy) && busy[i].start < be; i++ {
		if busy[i].open != "" && busy[i].start == bs && busy[i].end == be && busy[i].open == sharedKey(q.svc, s) {
			continue // a seat left in this very slot
		}
		if busy[i].end <= bs {
			continue
		}
		return false, busy[i].end + q.bb
	}
	return true, 0
}

// fits reports whether calendar c can take a slot at s: the appointment lies
// in one block the requester may book, and the buffered time is free.
func (q *search) fits(c *Calendar, s int64) (BlockType, bool) {
	for _, bl := range q.ix.window(c.ID, s, s+q.dur) {
		if bl.start <= s && s+q.dur <= bl.end && allowed(bl.t, c.Kind, q.by, s, q.today) {
			if ok, _ := q.free(c.ID, s); ok {
				return blockCodes[bl.t], true
			}
			return "", false
		}
	}
	return "", false
}

// gen yields the free grid starts of one primary calendar in order.
type gen struct {
	cal    *Calendar
	blocks []iblock
	bi     int
	next   int64
	cur    int64 // the current candidate
	block  uint8
}

func (q *search) advance(g *gen) bool {
	for g.bi < len(g.blocks) {
		bl := g.blocks[g.bi]
		if !allowed(bl.t, g.cal.Kind, q.by, bl.start, q.today) {
			g.bi++
			continue
		}
		s := g.next
		if s < bl.start {
			s = bl.start
		}
		if s < q.lo { // round up onto the block's grid
			s = bl.start + (q.lo-bl.start+q.step-1)/q.step*q.step
		} else if r := (s - bl.start) % q.step; r != 0 {
			s += q.step - r
		}
		if s >= q.hi || s+q.dur > bl.end {
			g.bi++
			if g.bi < len(g.blocks) {
				g.next = g.blocks[g.bi].start
			}
			continue
		}
		if acute := blockCodes[bl.t] == BlockAcuteReserve; acute && !allowed(bl.t, g.cal.Kind, q.by, s, q.today) {
			g.bi++
			continue
		}
		if ok, after := q.free(g.cal.ID, s); !ok {
			g.next = after
			continue
		}
		g.cur, g.block, g.next = s, bl.t, s+q.step
		return true
	}
	return false
}

type genHeap []*gen

func (h genHeap) Len() int { return len(h) }
func (h genHeap) Less(i, j int) bool {
	if h[i].cur != h[j].cur {
		return h[i].cur < h[j].cur
	}
	return h[i].cal.ID < h[j].cal.ID
}
func (h genHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *genHeap) Push(x any)   { *h = append(*h, x.(*gen)) }
func (h *genHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// The search reads claims for a chunk of the window at a time: the first
// chunk is short (the first free slots are usually near), later chunks
// double up to a week.
const (
	firstSearchChunk = 6 * time.Hour
	maxSearchChunk   = 7 * 24 * time.Hour
)

// Search returns free slots for a service, earliest first (ties by calendar
// ID), honouring the service's rules for the requester: who may self-book,
// minimum notice, horizon, block types, buffers, and every participant and
// resource being free. Held slots count as taken. The search walks the
// window chunk by chunk using the index, reading the participants' claims
// for that day from the store, and stops once Limit slots are found.
func (b *Booker) Search(ctx context.Context, req SearchRequest) ([]Slot, error) {
	svc, err := b.Service(req.Area, req.Service)
	if err != nil {
		return nil, err
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.To.Before(req.From) {
		return nil, carecontact.Invalid(ErrInvalid, "to", "is before from")
	}
	now := b.cfg.Clock.Now().UTC()
	lo, hi, err := b.bounds(&svc, req.By, now, req.From, req.To)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 10
	}
	if limit > 1000 {
		return nil, fmt.Errorf("%w: search limit %d: at most 1000", ErrInvalid, limit)
	}
	cands := b.candidates(&svc, req.Professional, req.Team)
	var owners []CalendarID
	for _, cs := range cands {
		if len(cs) == 0 {
			return nil, nil
		}
		for _, c := range cs {
			owners = append(owners, c.ID)
		}
	}
	loc := civil.Helsinki()
	q := &search{svc: &svc, by: req.By, today: civil.DateOf(now, loc), ix: b.cfg.Index,
		dur: int64(svc.Duration / time.Second), bb: int64(svc.BufferBefore / time.Second),
		ba: int64(svc.BufferAfter / time.Second), step: int64(svc.step() / time.Second)}
	var out []Slot
	chunk := firstSearchChunk
	for ws := lo; ws.Before(hi) && len(out) < limit; ws, chunk = ws.Add(chunk), min(2*chunk, maxSearchChunk) {
		we := ws.Add(chunk)
		if we.After(hi) {
			we = hi
		}
		q.lo, q.hi = ws.Unix(), we.Unix()
		claims, err := b.cfg.Store.Busy(ctx, owners, Interval{ws.Add(-svc.BufferBefore - svc.Duration - svc.BufferAfter), we.Add(svc.Duration + svc.BufferAfter + svc.BufferBefore)}, now)
		if err != nil {
			return nil, fmt.Errorf("booking: search: %w", err)
		}
		q.busy = busySpans(claims)
		h := make(genHeap, 0, len(cands[0]))
		gens := make([]gen, len(cands[0]))
		for i, c := range cands[0] {
			g := &gens[i]
			g.cal, g.blocks = c, q.ix.window(c.ID, q.lo, q.hi+q.dur)
			if len(g.blocks) > 0 {
				g.next = g.blocks[0].start
				if q.advance(g) {
					h = append(h, g)
				}
			}
		}
		heap.Init(&h)
		for h.Len() > 0 && len(out) < limit {
			g := h[0]
			if slot, ok := q.complete(g, cands); ok {
				out = append(out, slot)
			}
			if q.advance(g) {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
		}
	}
	return out, nil
}

// busySpans groups the claims' intervals by owner, each owner's sorted by
// start, in one backing array.
func busySpans(claims []Claim) map[CalendarID][]span64 {
	order := make([]int, len(claims))
	for i := range order {
		order[i] = i
	}
	// Stores return claims sorted by owner then start, which makes this
	// sort cheap; it is here so that the search does not depend on it.
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(claims[a].Owner, claims[b].Owner); c != 0 {
			return c
		}
		return claims[a].Start.Compare(claims[b].Start)
	})
	type seat struct {
		owner  CalendarID
		shared string
	}
	taken := map[seat]int{}
	for _, c := range claims {
		if c.Shared != "" {
			taken[seat{c.Owner, c.Shared}]++
		}
	}
	spans := make([]span64, len(claims))
	busy := map[CalendarID][]span64{}
	for i := 0; i < len(order); {
		owner := claims[order[i]].Owner
		j := i
		for ; j < len(order) && claims[order[j]].Owner == owner; j++ {
			c := &claims[order[j]]
			spans[j] = span64{start: c.Start.Unix(), end: c.End.Unix()}
			if c.Shared != "" && taken[seat{c.Owner, c.Shared}] < c.Capacity {
				spans[j].open = c.Shared
			}
		}
		busy[owner] = spans[i:j:j]
		i = j
	}
	return busy
}

// complete finds the other participants for the primary candidate g.
func (q *search) complete(g *gen, cands [][]*Calendar) (Slot, bool) {
	parts := []CalendarID{g.cal.ID}
	for _, cs := range cands[1:] {
		found := false
		for _, c := range cs {
			if slices.Contains(parts, c.ID) {
				continue
			}
			if _, ok := q.fits(c, g.cur); ok {
				parts = append(parts, c.ID)
				found = true
				break
			}
		}
		if !found {
			return Slot{}, false
		}
	}
	return Slot{Area: q.svc.Area, Service: q.svc.Code, Start: time.Unix(g.cur, 0).UTC(),
		End: time.Unix(g.cur+q.dur, 0).UTC(), Participants: parts, Block: blockCodes[g.block]}, true
}
