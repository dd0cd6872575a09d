package booking

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
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
	// Limit is the number of slots wanted (default 10, at most 1000; a
	// negative limit is ErrInvalid naming "limit").
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
		return lo, hi, fmt.Errorf("%w: requester: %w", ErrInvalid, err)
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
func (b *Booker) candidates(svc *Service, professional carecontact.ProfessionalID, team carecontact.TeamID) *candList {
	cl := b.cands[svcKey{svc.Area, svc.Code}]
	if cl == nil {
		cl = newCandList(b.cfg.Index.set, svc)
	}
	if professional == "" && team == "" {
		return cl
	}
	set := b.cfg.Index.set
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
// slot is taken, the earliest start after the conflict.
func (q *search) free(i, j int32, s int64) (ok bool, at int32, after int64) {
	b, e := s-q.bb, s+q.dur+q.ba
	for i < j && q.spans[i].End <= b {
		i++
	}
	if i < j && q.spans[i].Start < e {
		return false, i, q.spans[i].End + q.bb
	}
	return true, i, 0
}

// fits reports whether the calendar at position p (owner o of the
// search) can take a slot at s: the appointment lies in one block the
// requester may book, and the buffered time is free.
func (q *search) fits(p, o int32, res bool, s int64) (uint8, bool) {
	var blocks []iblock
	if k := q.ix.day(s); k >= 0 && s+q.dur <= q.ix.hi {
		// A block lies within its day, so one holding the slot is on the
		// day of its start.
		i, j := q.ix.dayBlocks(p, k)
		blocks = q.ix.flat[i:j]
	} else {
		blocks = q.ix.window(p, s, s+q.dur)
	}
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
// and stops once Limit slots are found.
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
	if limit < 0 || limit > 1000 {
		return nil, carecontact.Invalid(ErrInvalid, "limit", "is not 0 (the default, 10) to 1000")
	}
	if limit == 0 {
		limit = 10
	}
	cl := b.candidates(&svc, req.Professional, req.Team)
	for _, ps := range cl.reqs {
		if len(ps) == 0 {
			return nil, nil
		}
	}
	buf := searchBufs.Get().(*searchBuf)
	defer searchBufs.Put(buf)
	set := b.cfg.Index.set
	q := &search{rules: newRules(req.By, now), set: set, ix: b.cfg.Index,
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
		iv := Interval{ws.Add(-svc.BufferBefore - svc.Duration - svc.BufferAfter), we.Add(svc.Duration + svc.BufferAfter + svc.BufferBefore)}
		if err := b.loadBusy(ctx, q, buf, cl, nchunk, iv, now); err != nil {
			return nil, fmt.Errorf("booking: search: %w", err)
		}
		// The blocks that may hold slots of the chunk overlap [lo, hi+dur).
		q.day, q.lastDay = q.ix.day(q.lo), 0
		if end := q.hi + q.dur; q.day >= 0 && end <= q.ix.hi {
			q.lastDay = q.ix.day(end-1) + 1
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
			g.day, g.next, g.cur, g.block = 0, 0, 0, 0
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
			if q.advance(g) {
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
// store did not; it returns the merged spans and offs, where owner o's are
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
			if int(offs[o]) < w && sp.Start <= spans[w-1].End {
				spans[w-1].End = max(spans[w-1].End, sp.End)
				continue
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

// appendClaimSpans groups claims by owner in the order of owners.
func appendClaimSpans(spans []BusySpan, ends []int32, owners []CalendarID, claims []Claim) ([]BusySpan, []int32) {
	byOwner := make(map[CalendarID][]BusySpan, len(owners))
	for _, c := range claims {
		byOwner[c.Owner] = append(byOwner[c.Owner], BusySpan{c.Start.Unix(), c.End.Unix()})
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
