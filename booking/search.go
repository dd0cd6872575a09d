package booking

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
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
	// Limit is the number of slots wanted (default 10, at most 1000; a
	// negative limit is ErrInvalid naming "limit").
	Limit int
	By    Requester
	// Invitation, when set, is the token of an invitation (see
	// Booker.Invite) the requesting client searches under: the slots of
	// the invitation's service, whatever the client's group.
	Invitation string
	// Client, when set, is the client the slots are searched for (such as
	// the patient of a FHIR $find): By must act for them (a client only
	// for themselves, a professional in Area), else ErrNotAllowed, and an
	// ID that looks like personal data is ErrInvalid naming "client". The
	// search is then audited as "booking.search" with By and the client,
	// allowed or denied. Empty means the search is for no client in
	// particular and only its refusals are audited.
	Client carecontact.ClientRef
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
		return lo, hi, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
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
	if by.self() && by.invited != (svcKey{svc.Area, svc.Code}) {
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

// Block type codes of the index (positions in BlockTypes).
const (
	codeSelfService uint8 = iota
	codeProfessionalOnly
	codeCallback
	codeAcuteReserve
)

// rules are the block rules of one search: per owner kind, the block type
// codes the requester may book (a bit per code), and the instants of
// today, to which acute reserve time of a professional is limited.
type rules struct {
	pro, res         uint8 // allowed codes for professionals' and teams' calendars, and for resources'
	todayLo, todayHi int64
}

func newRules(by Requester, now time.Time) rules {
	r := rules{res: 0xff &^ (1 << codeCallback), pro: 1 << codeSelfService}
	if by.self() {
		return r
	}
	r.pro |= 1 << codeProfessionalOnly
	if !by.Acute {
		return r
	}
	// A professional's acute reserve time is for today only.
	r.pro |= 1 << codeAcuteReserve
	loc := civil.Helsinki()
	today := civil.DateOf(now, loc)
	r.todayLo, r.todayHi = today.At(0, loc).Unix(), today.AddDays(1).At(0, loc).Unix()
	return r
}

// allowed reports whether block type code t may be booked on a calendar
// (a resource's if res) for a slot starting at start (Unix seconds).
func (r *rules) allowed(t uint8, res bool, start int64) bool {
	if res {
		return r.res&(1<<t) != 0
	}
	if r.pro&(1<<t) == 0 {
		return false
	}
	return t != codeAcuteReserve || (r.todayLo <= start && start < r.todayHi)
}

// candList is the calendars that can meet a service's requirements.
type candList struct {
	// reqs holds, per requirement, the calendars (positions in the set)
	// in the area's order, and owner, for each of them, its index in
	// owners: every calendar of any requirement once.
	reqs   [][]int32
	owner  [][]int32
	owners []CalendarID
	// rank and res are, per requirement, each calendar's rank by ID and
	// whether it is a resource's.
	rank [][]int32
	res  [][]bool
	// shared lists are the ones New made, kept for the Booker's life:
	// they cache busy time read from a SpanStore.
	shared bool
	cache  [busyCacheChunks]atomic.Pointer[busyEntry]
}

// candidates returns, per requirement, the calendars that can meet it,
// from the lists New made for each service, narrowed to professional or
// team for the first participant.
func (b *Booker) candidates(v *calView, svc *Service, professional carecontact.ProfessionalID, team carecontact.TeamID) *candList {
	cl := v.cands[svcKey{svc.Area, svc.Code}]
	if cl == nil {
		cl = newCandList(v.ix.set, svc)
	}
	if professional == "" && team == "" {
		return cl
	}
	set := v.ix.set
	reqs := slices.Clone(cl.reqs)
	reqs[0] = slices.DeleteFunc(slices.Clone(reqs[0]), func(p int32) bool {
		c := set.cals[p]
		return (professional != "" && c.ID != ProfessionalCalendar(professional)) || (team != "" && c.Team != team)
	})
	return newCandListOf(set, reqs)
}

type svcKey struct {
	area carecontact.AreaID
	code string
}

func newCandList(set *CalendarSet, svc *Service) *candList {
	reqs := make([][]int32, len(svc.Requires))
	for _, id := range set.byArea[svc.Area] {
		p := set.pos[id]
		c := set.cals[p]
		for i, r := range svc.Requires {
			if c.Kind != r.Kind || c.Role != r.Role || (r.Skill != "" && !slices.Contains(c.Skills, r.Skill)) {
				continue
			}
			reqs[i] = append(reqs[i], p)
		}
	}
	return newCandListOf(set, reqs)
}

func newCandListOf(set *CalendarSet, reqs [][]int32) *candList {
	cl := &candList{reqs: reqs, owner: make([][]int32, len(reqs)), rank: make([][]int32, len(reqs)), res: make([][]bool, len(reqs))}
	seen := map[int32]int32{}
	for i, ps := range reqs {
		cl.owner[i] = make([]int32, len(ps))
		for _, p := range ps {
			cl.rank[i] = append(cl.rank[i], set.rank[p])
			cl.res[i] = append(cl.res[i], set.cals[p].Kind == OwnerResource)
		}
		for j, p := range ps {
			o, ok := seen[p]
			if !ok {
				o = int32(len(cl.owners))
				seen[p] = o
				cl.owners = append(cl.owners, set.order[p])
			}
			cl.owner[i][j] = o
		}
	}
	return cl
}

// search holds the state of one search.
type search struct {
	rules
	svc         *Service
	set         *CalendarSet
	ix          *Index
	dur, bb, ba int64
	step        int64
	lo, hi      int64 // slot starts in [lo, hi) of the current chunk
	// day and lastDay are the indexed days of the chunk's blocks [day,
	// lastDay), or day is -1 if the chunk reaches outside the index.
	day, lastDay int
	// spans holds the busy time of the candidate owners, merged and
	// sorted, owner o's in spans[offs[o]:offs[o+1]].
	spans []BusySpan
	offs  []int32
	// ext holds the blocks of the primary candidates for a chunk that
	// reaches outside the index.
	ext []iblock
	// starts and freeOff are busyEntry's free starts when the chunk's
	// busy time came from an entry that has them, else nil.
	starts  []freeRange
	freeOff []int32
}

// busy returns the bounds in q.spans of owner o's busy spans.
func (q *search) busy(o int32) (int32, int32) {
	if o < 0 || int(o)+1 >= len(q.offs) {
		return 0, 0
	}
	return q.offs[o], q.offs[o+1]
}

// free reports whether a slot at s is free of the busy spans q.spans[i:j]
// (i must be at or before the first span that ends after the slot's
// buffered start); it returns the index of that first span and, if the
// slot is taken, the earliest start after the conflict. A span of a
// shared slot with a seat left (BusySpan.Open) leaves that very slot
// free.
func (q *search) free(i, j int32, s int64) (ok bool, at int32, after int64) {
	b, e := s-q.bb, s+q.dur+q.ba
	for i < j && q.spans[i].End <= b {
		i++
	}
	if i < j && q.spans[i].Start < e {
		sp := &q.spans[i]
		if sp.Open != "" {
			if sp.Start == b && sp.End == e && q.seat(sp.Open, s) {
				return true, i, 0 // spans are disjoint: the next starts at e or later
			}
			if s < sp.Start+q.bb { // the shared slot itself may be the next free start
				return false, i, sp.Start + q.bb
			}
		}
		return false, i, sp.End + q.bb
	}
	return true, i, 0
}

// seat reports whether open, the Shared key of a shared slot with a seat
// left, is the searched service's slot at s.
func (q *search) seat(open string, s int64) bool {
	return q.svc != nil && q.svc.Capacity > 1 && open == sharedKey(q.svc, s)
}

// fits reports whether the calendar at position p (owner o of the
// search) can take a slot at s: the appointment lies in one block the
// requester may book, and the buffered time is free.
func (q *search) fits(p, o int32, res bool, s int64) (uint8, bool) {
	var blocks []iblock
	if k := q.ix.day(s); k >= 0 && s+q.dur <= q.ix.hi {
		// A block lies within its day, so one holding the slot is on the
		// day of its start, or an overnight block of the day before.
		i, j := q.ix.dayBlocks(p, k)
		blocks = q.ix.flat[i:j]
		if k > 0 && q.ix.overnight {
			if i, j := q.ix.dayBlocks(p, k-1); i < j && q.ix.flat[j-1].end() > s {
				// Only the day's last block may run past midnight.
				if t, ok := q.fitsIn(q.ix.flat[j-1:j], o, res, s); ok {
					return t, true
				}
			}
		}
	} else {
		blocks = q.ix.window(p, s, s+q.dur)
	}
	return q.fitsIn(blocks, o, res, s)
}

// fitsIn is fits over the calendar's blocks that may hold the slot.
func (q *search) fitsIn(blocks []iblock, o int32, res bool, s int64) (uint8, bool) {
	for _, bl := range blocks {
		if bl.start <= s && s+q.dur <= bl.end() && q.allowed(bl.t, res, s) {
			i, j := q.busy(o)
			bs := q.spans[i:j]
			k := int32(sort.Search(len(bs), func(k int) bool { return bs[k].End > s-q.bb }))
			if ok, _, _ := q.free(i+k, j, s); ok {
				return bl.t, true
			}
			return 0, false
		}
	}
	return 0, false
}

// gen yields the free grid starts of one primary calendar in order. Its
// blocks are the index's, day by day, or computed into q.ext for a chunk
// that reaches outside the index. It holds no pointers.
type gen struct {
	pos, rank, owner int32
	res              bool  // a resource's calendar
	day              int32 // the indexed day of the blocks bi..be
	bi, be           int32 // the current block and the end of the day's (or of q.ext's)
	bp, bq           int32 // busy spans q.spans[bp:bq]; those before bp end before every later slot
	next             int64 // no slot before next in the current block (0: from its start)
	anchor           int64 // in free mode, the block of the current range
	cur              int64 // the current candidate
	block            uint8
}

// current returns g's current block, moving on to the next day's blocks
// where a day's run out; nil when there are no more.
func (q *search) current(g *gen) *iblock {
	if q.day < 0 {
		if g.bi < g.be {
			return &q.ext[g.bi]
		}
		return nil
	}
	for g.bi == g.be {
		g.day++
		if int(g.day) >= q.lastDay {
			return nil
		}
		g.bi, g.be = q.ix.dayBlocks(g.pos, int(g.day))
	}
	return &q.ix.flat[g.bi]
}

func (q *search) advance(g *gen) bool {
	for {
		bl := q.current(g)
		if bl == nil {
			return false
		}
		s := g.next
		if s < bl.start {
			s = bl.start
		}
		if s+q.dur > bl.end() { // the block is used up, grid or not
			g.bi++
			g.next = 0
			continue
		}
		if s < q.lo { // round up onto the block's grid
			s = bl.start + (q.lo-bl.start+q.step-1)/q.step*q.step
		} else if s != bl.start {
			if r := (s - bl.start) % q.step; r != 0 {
				s += q.step - r
			}
		}
		if s >= q.hi || s+q.dur > bl.end() || !q.allowed(bl.t, g.res, s) {
			g.bi++
			g.next = 0
			continue
		}
		ok, at, after := q.free(g.bp, g.bq, s)
		g.bp = at
		if !ok {
			g.next = after
			continue
		}
		g.cur, g.block, g.next = s, bl.t, s+q.step
		return true
	}
}

// step1 moves g on to its next free start, in the mode of the chunk.
func (q *search) step1(g *gen) bool {
	if q.freeOff != nil {
		return q.advanceFree(g)
	}
	return q.advance(g)
}

// advanceFree is advance over busyEntry's free starts: g.bi..g.be index
// q.starts.
func (q *search) advanceFree(g *gen) bool {
	for ; g.bi < g.be; g.bi++ {
		r := &q.starts[g.bi]
		if r.anchor != g.anchor { // a new block: its own grid
			g.anchor, g.next = r.anchor, 0
		}
		s := max(g.next, r.a, q.lo)
		if d := (s - r.anchor) % q.step; d != 0 {
			s += q.step - d
		}
		if s >= q.hi {
			return false // the ranges are in time order
		}
		if s > r.z || !q.allowed(r.t, g.res, s) {
			continue
		}
		g.cur, g.block, g.next = s, r.t, s+q.step
		return true
	}
	return false
}

// genHeap is a binary min-heap of generators by (cur, calendar ID).
type genHeap []*gen

func (h genHeap) less(i, j int) bool {
	if h[i].cur != h[j].cur {
		return h[i].cur < h[j].cur
	}
	return h[i].rank < h[j].rank
}

func (h genHeap) down(i int) {
	n := len(h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h genHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

// searchBuf is the scratch memory of one search, pooled.
type searchBuf struct {
	gens  []gen
	heap  genHeap
	ext   []iblock
	spans []BusySpan
	ends  []int32
}

var searchBufs = sync.Pool{New: func() any { return new(searchBuf) }}

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
// for that chunk from the store (through SpanStore when the store has it),
// and stops once Limit slots are found. A client's search that finds
// nothing is recorded as a "booking.search.empty" audit event of the
// system, naming the area and service and nobody (see Workload). A
// search the requester may not make (ErrNotAllowed: a client group that
// may not self-book the service, an override by a non-professional) is
// audited as a denied "booking.search" of the service, with the
// requesting client (redacted when it looks like personal data).
func (b *Booker) Search(ctx context.Context, req SearchRequest) ([]Slot, error) {
	subject := "service/" + req.Service
	if req.Client != "" {
		if err := b.searchFor(ctx, req, subject); err != nil {
			return nil, err
		}
	}
	out, err := b.searchSlots(ctx, req)
	if errors.Is(err, ErrNotAllowed) {
		client := req.Client
		if client == "" && req.By.self() {
			client = carecontact.ClientRef(req.By.Actor.ID)
		}
		return nil, b.deny(ctx, b.cfg.Clock.Now().UTC(), req.By, "booking.search", subject, client, err)
	}
	if err == nil && req.Client != "" {
		ev := audit.Event{At: b.cfg.Clock.Now().UTC(), Actor: req.By.Actor, Action: "booking.search", Subject: subject, Client: req.Client,
			Outcome: audit.Allowed, Detail: map[string]string{"area": string(req.Area), "service": req.Service, "count": fmt.Sprint(len(out))}}
		overrideDetail(req.By, ev.Detail)
		if err := b.cfg.Audit.Record(ctx, ev); err != nil {
			return nil, fmt.Errorf("booking: audit search: %w", err)
		}
	}
	if err == nil && len(out) == 0 && req.By.self() {
		if err := b.recordEmptySearch(ctx, req); err != nil {
			return nil, err
		}
	}
	return out, err
}

// searchFor checks that req.By may search for req.Client, auditing a
// refusal.
func (b *Booker) searchFor(ctx context.Context, req SearchRequest, subject string) error {
	now := b.cfg.Clock.Now().UTC()
	if err := req.By.Actor.Validate(); err != nil {
		return b.deny(ctx, now, req.By, "booking.search", subject, "", fmt.Errorf("booking: search: actor: %w", err))
	}
	if err := carecontact.ValidateID(ErrInvalid, "client", string(req.Client)); err != nil {
		return err
	}
	if audit.Redact(string(req.Client)) != string(req.Client) {
		return b.deny(ctx, now, req.By, "booking.search", subject, req.Client, carecontact.Invalid(ErrInvalid, "client", "looks like personal data"))
	}
	if err := b.actsFor(ctx, req.By, req.Client, req.Area, "a search for a client"); err != nil {
		if errors.Is(err, ErrNotAllowed) {
			return b.deny(ctx, now, req.By, "booking.search", subject, req.Client, err)
		}
		return err
	}
	return nil
}

func (b *Booker) searchSlots(ctx context.Context, req SearchRequest) ([]Slot, error) {
	svc, err := b.service(ctx, req.Area, req.Service)
	if err != nil {
		return nil, err
	}
	if !req.From.IsZero() && !req.To.IsZero() && req.To.Before(req.From) {
		return nil, carecontact.Invalid(ErrInvalid, "to", "is before from")
	}
	now := b.cfg.Clock.Now().UTC()
	if req.Invitation != "" {
		if req.By, _, err = b.invited(req.Invitation, req.By, svc.Area, svc.Code, now); err != nil {
			return nil, err
		}
	}
	lo, hi, err := b.bounds(&svc, req.By, now, req.From, req.To)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit < 0 || limit > 1000 {
		return nil, carecontact.Invalid(ErrInvalid, "limit", "is not 0 (the default, 10) to 1000")
	}
	if limit == 0 {
		limit = 10
	}
	v, err := b.view(ctx)
	if err != nil {
		return nil, err
	}
	cl := b.candidates(v, &svc, req.Professional, req.Team)
	for _, ps := range cl.reqs {
		if len(ps) == 0 {
			return nil, nil
		}
	}
	buf := searchBufs.Get().(*searchBuf)
	defer searchBufs.Put(buf)
	set := v.ix.set
	q := &search{rules: newRules(req.By, now), svc: &svc, set: set, ix: v.ix,
		dur: int64(svc.Duration / time.Second), bb: int64(svc.BufferBefore / time.Second),
		ba: int64(svc.BufferAfter / time.Second), step: int64(svc.step() / time.Second), ext: buf.ext[:0]}
	var out []Slot
	var parts []CalendarID
	nreq := len(cl.reqs)
	chunk := firstSearchChunk
	for ws, nchunk := lo, 0; ws.Before(hi) && len(out) < limit; ws, chunk, nchunk = ws.Add(chunk), min(2*chunk, maxSearchChunk), nchunk+1 {
		we := ws.Add(chunk)
		if we.After(hi) {
			we = hi
		}
		q.lo, q.hi = ws.Unix(), we.Unix()
		q.ext = q.ext[:0]
		q.starts, q.freeOff = nil, nil
		iv := Interval{ws.Add(-svc.BufferBefore - svc.Duration - svc.BufferAfter), we.Add(svc.Duration + svc.BufferAfter + svc.BufferBefore)}
		if err := b.loadBusy(ctx, q, buf, cl, nchunk, iv, now); err != nil {
			return nil, fmt.Errorf("booking: search: %w", err)
		}
		// The blocks that may hold slots of the chunk overlap [lo, hi+dur).
		q.day, q.lastDay = q.ix.day(q.lo), 0
		if end := q.hi + q.dur; q.day >= 0 && end <= q.ix.hi {
			q.lastDay = q.ix.day(end-1) + 1
			if q.day > 0 && q.ix.overnight { // an overnight block of the day before
				q.day--
			}
		} else {
			q.day = -1
		}
		prim := cl.reqs[0]
		buf.gens = slices.Grow(buf.gens[:0], len(prim))[:len(prim)]
		h := slices.Grow(buf.heap[:0], len(prim))
		for i, p := range prim {
			g := &buf.gens[i]
			o := cl.owner[0][i]
			bp, bq := q.busy(o)
			// Field by field: a composite literal is built on the stack and
			// copied with wide loads that stall on its narrow stores.
			g.pos, g.rank, g.owner, g.res, g.bp, g.bq = p, cl.rank[0][i], o, cl.res[0][i], bp, bq
			g.day, g.next, g.cur, g.block, g.anchor = 0, 0, 0, 0, 0
			if q.freeOff != nil {
				g.bi, g.be = q.freeOff[i], q.freeOff[i+1]
				if q.advanceFree(g) {
					h = append(h, g)
				}
				continue
			}
			if q.day >= 0 {
				g.day = int32(q.day)
				g.bi, g.be = q.ix.dayBlocks(p, q.day)
			} else {
				g.bi = int32(len(q.ext))
				q.ext = append(q.ext, q.ix.window(p, q.lo, q.hi+q.dur)...)
				g.be = int32(len(q.ext))
			}
			if q.advance(g) {
				h = append(h, g)
			}
		}
		h.init()
		for len(h) > 0 && len(out) < limit {
			g := h[0]
			if parts == nil {
				parts = make([]CalendarID, 0, limit*nreq)
			}
			if slot, ok := q.complete(g, cl, parts[len(parts):len(parts)+nreq]); ok {
				parts = parts[:len(parts)+nreq]
				if out == nil {
					out = make([]Slot, 0, min(limit, 64))
				}
				slot.Area, slot.Service = svc.Area, svc.Code
				out = append(out, slot)
			}
			if q.step1(g) {
				h.down(0)
			} else {
				h[0] = h[len(h)-1]
				h[len(h)-1] = nil
				h = h[:len(h)-1]
				h.down(0)
			}
		}
		clear(h)
		buf.heap = h[:0]
	}
	buf.ext = q.ext[:0]
	return out, nil
}

// busyEntry is busy time read from a SpanStore for one chunk window of a
// candidate list, kept for the searches that follow while the store's
// claims version stays the same and none of its holds has expired. It is
// read-only once stored.
type busyEntry struct {
	version uint64
	read    time.Time // the now it was read at: dead holds stay dead after it
	expires time.Time // the first hold among the spans expires then (zero: none)
	lo, hi  int64     // the window read
	spans   []BusySpan
	offs    []int32
	// free holds, for the primary candidates in order, the slot starts
	// the busy time leaves in the indexed blocks that overlap the window:
	// candidate i's are free[freeOff[i]:freeOff[i+1]]. It is made on the
	// entry's second use (nil before; empty if the window reaches outside
	// the index), so that a store that changes between every two searches
	// never pays for it.
	free    []freeRange
	freeOff []int32
}

// freeRange is the slot starts [a, z] of one block (starting at anchor,
// the origin of its grid; of type code t) that a candidate's busy time,
// widened by the service's buffers and duration, leaves free.
type freeRange struct {
	a, z, anchor int64
	t            uint8
}

// freeRanges works out busyEntry.free for the primary candidates of cl
// over the blocks that overlap [lo, hi), from q.spans; nil if the window
// reaches outside the index.
func (q *search) freeRanges(cl *candList, lo, hi int64) ([]freeRange, []int32) {
	k0 := q.ix.day(lo)
	if k0 < 0 || hi > q.ix.hi {
		return nil, nil
	}
	k1 := q.ix.day(hi - 1)
	if k0 > 0 && q.ix.overnight { // an overnight block of the day before
		k0--
	}
	prim := cl.reqs[0]
	offs := make([]int32, len(prim)+1)
	out := make([]freeRange, 0, 2*len(prim))
	for i, p := range prim {
		offs[i] = int32(len(out))
		b0, b1 := q.busy(cl.owner[0][i])
		bs := q.spans[b0:b1]
		j := 0
		for k := k0; k <= k1; k++ {
			bi, be := q.ix.dayBlocks(p, k)
			for _, bl := range q.ix.flat[bi:be] {
				end := bl.end()
				a, z := bl.start, end-q.dur
				if end <= lo || bl.start >= hi || a > z {
					continue
				}
				// A start s is taken by span b if b.Start-dur-ba < s <
				// b.End+bb; spans are sorted and disjoint.
				for j < len(bs) && bs[j].End+q.bb <= a {
					j++
				}
				x := a
				for m := j; m < len(bs) && bs[m].Start-q.dur-q.ba < z; m++ {
					if fl := bs[m].Start - q.dur - q.ba; x <= fl {
						out = append(out, freeRange{x, fl, bl.start, bl.t})
					}
					// A shared slot with a seat left is free at its start.
					if s0 := bs[m].Start + q.bb; bs[m].Open != "" && max(a, x) <= s0 && s0 <= z && bs[m].End == s0+q.dur+q.ba && q.seat(bs[m].Open, s0) {
						out = append(out, freeRange{s0, s0, bl.start, bl.t})
					}
					x = max(x, bs[m].End+q.bb)
				}
				if x <= z {
					out = append(out, freeRange{x, z, bl.start, bl.t})
				}
			}
		}
	}
	offs[len(prim)] = int32(len(out))
	return out, offs
}

// busyCacheChunks is how many chunks of a search are kept per candidate
// list; later chunks are read afresh.
const busyCacheChunks = 4

// busyAlign widens the windows read for the cache to whole hours, so that
// searches a little apart in time share them.
const busyAlign = 3600

// loadBusy reads the live claims of the candidate owners that overlap iv
// into q's busy spans, merged per owner. Chunk is the chunk's number in
// the search.
func (b *Booker) loadBusy(ctx context.Context, q *search, buf *searchBuf, cl *candList, chunk int, iv Interval, now time.Time) error {
	ss, ok := b.cfg.Store.(SpanStore)
	if !ok {
		claims, err := b.cfg.Store.Busy(ctx, cl.owners, iv, now)
		if err != nil {
			return err
		}
		spans, ends := appendClaimSpans(buf.spans[:0], buf.ends[:0], cl.owners, claims)
		q.spans, q.offs = mergeSpans(spans, ends)
		buf.spans, buf.ends = spans, ends
		return nil
	}
	if !cl.shared || chunk >= busyCacheChunks {
		r, err := ss.AppendBusy(ctx, buf.spans[:0], buf.ends[:0], cl.owners, iv, now)
		if err != nil {
			return err
		}
		if len(r.Ends) != len(cl.owners) {
			return fmt.Errorf("span store: %d ends for %d owners", len(r.Ends), len(cl.owners))
		}
		q.spans, q.offs = mergeSpans(r.Spans, r.Ends)
		buf.spans, buf.ends = r.Spans, r.Ends
		return nil
	}
	lo := iv.Start.Unix()
	lo -= ((lo % busyAlign) + busyAlign) % busyAlign
	hi := iv.End.Unix()
	if r := ((hi % busyAlign) + busyAlign) % busyAlign; r != 0 {
		hi += busyAlign - r
	}
	slot := &cl.cache[chunk]
	old := slot.Load()
	if e := old; e != nil && e.lo == lo && e.hi == hi && !now.Before(e.read) && (e.expires.IsZero() || now.Before(e.expires)) &&
		ss.ClaimsVersion() == e.version {
		q.spans, q.offs = e.spans, e.offs
		if e.freeOff == nil { // second use: work out the free starts once
			e2 := *e
			e2.free, e2.freeOff = q.freeRanges(cl, lo, hi)
			if e2.freeOff == nil {
				e2.freeOff = []int32{} // outside the index: never again
			}
			if slot.CompareAndSwap(e, &e2) {
				e = &e2
			}
		}
		if len(e.freeOff) > 0 {
			q.starts, q.freeOff = e.free, e.freeOff
		}
		return nil
	}
	var spans []BusySpan
	if old != nil {
		spans = make([]BusySpan, 0, cap(old.spans))
	}
	r, err := ss.AppendBusy(ctx, spans, make([]int32, 0, len(cl.owners)+1), cl.owners, Interval{time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC()}, now)
	if err != nil {
		return err
	}
	if len(r.Ends) != len(cl.owners) {
		return fmt.Errorf("span store: %d ends for %d owners", len(r.Ends), len(cl.owners))
	}
	e := &busyEntry{version: r.Version, read: now, expires: r.Expires, lo: lo, hi: hi}
	e.spans, e.offs = mergeSpans(r.Spans, r.Ends)
	slot.Store(e)
	q.spans, q.offs = e.spans, e.offs
	return nil
}

// mergeSpans merges each owner's spans in place, sorting them first if a
// store did not: plain spans that overlap or touch become one, the seats
// of one shared slot (equal open spans) one open span, and an open span
// that overlaps another span turns plain; it returns the merged spans and offs, where owner o's are
// spans[offs[o]:offs[o+1]], in ends' spare capacity where there is some.
func mergeSpans(spans []BusySpan, ends []int32) ([]BusySpan, []int32) {
	offs := slices.Grow(ends[len(ends):], len(ends)+1)[:len(ends)+1]
	w, from := 0, 0
	for o, end := range ends {
		offs[o] = int32(w)
		seg := spans[from:end]
		for k := 1; k < len(seg); k++ {
			if seg[k].Start < seg[k-1].Start {
				slices.SortFunc(seg, cmpSpan)
				break
			}
		}
		for _, sp := range seg {
			if int(offs[o]) < w {
				last := &spans[w-1]
				switch {
				case last.Open == "" && sp.Open == "" && sp.Start <= last.End:
					last.End = max(last.End, sp.End)
					continue
				case sp.Open != "" && *last == sp: // another seat of the shared slot
					continue
				case sp.Start < last.End: // a shared slot overlapping other time is busy
					last.End, last.Open = max(last.End, sp.End), ""
					continue
				}
			}
			spans[w] = sp
			w++
		}
		from = int(end)
	}
	offs[len(ends)] = int32(w)
	return spans[:w], offs
}

func cmpSpan(a, b BusySpan) int { return cmp.Compare(a.Start, b.Start) }

// appendClaimSpans groups claims by owner in the order of owners. The
// claims of a shared slot with fewer live seats taken than its Capacity
// come as open spans (BusySpan.Open).
func appendClaimSpans(spans []BusySpan, ends []int32, owners []CalendarID, claims []Claim) ([]BusySpan, []int32) {
	type slot struct {
		owner  CalendarID
		shared string
		iv     Interval
	}
	var seats map[slot]int
	for _, c := range claims {
		if c.Shared != "" {
			if seats == nil {
				seats = map[slot]int{}
			}
			seats[slot{c.Owner, c.Shared, c.Interval}]++
		}
	}
	byOwner := make(map[CalendarID][]BusySpan, len(owners))
	for _, c := range claims {
		sp := BusySpan{Start: c.Start.Unix(), End: c.End.Unix()}
		if c.Shared != "" && seats[slot{c.Owner, c.Shared, c.Interval}] < c.Capacity {
			sp.Open = c.Shared
		}
		byOwner[c.Owner] = append(byOwner[c.Owner], sp)
	}
	for _, o := range owners {
		spans = append(spans, byOwner[o]...)
		ends = append(ends, int32(len(spans)))
	}
	return spans, ends
}

// complete finds the other participants for the primary candidate g,
// writing all of them into parts (of length len(cl.reqs)).
func (q *search) complete(g *gen, cl *candList, parts []CalendarID) (Slot, bool) {
	chosen := make([]int32, 0, 4)
	chosen = append(chosen, g.pos)
	parts[0] = q.set.order[g.pos]
	for i, ps := range cl.reqs[1:] {
		found := false
		for j, p := range ps {
			if slices.Contains(chosen, p) {
				continue
			}
			if _, ok := q.fits(p, cl.owner[i+1][j], cl.res[i+1][j], g.cur); ok {
				chosen = append(chosen, p)
				parts[i+1] = q.set.order[p]
				found = true
				break
			}
		}
		if !found {
			return Slot{}, false
		}
	}
	return Slot{Start: time.Unix(g.cur, 0).UTC(), End: time.Unix(g.cur+q.dur, 0).UTC(), Participants: parts[:len(parts):len(parts)],
		Block: blockCodes[g.block]}, true
}
