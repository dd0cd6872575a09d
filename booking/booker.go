package booking

import (
	"container/heap"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
)

// Config configures a Booker.
type Config struct {
	// Index holds the calendars (see NewIndex).
	Index *Index
	// Catalogues are the service areas' catalogues, one per area.
	Catalogues []*Catalogue
	// Store keeps appointments; every change goes through one atomic
	// Store operation.
	Store Store
	// Audit records reads of client data and refused attempts.
	Audit audit.Recorder
	// Clock tells the time of every operation, Advance included. Required.
	Clock carecontact.Clock
	// HoldTTL is how long a client keeps a held slot (default 15 minutes).
	HoldTTL time.Duration
	// OfferTTL is how long a waiting client has to confirm an offered slot
	// (default 2 hours).
	OfferTTL time.Duration
	// LateCancel is the window before the start in which a cancellation is
	// counted as late (default 24 hours).
	LateCancel time.Duration
	// NewID makes appointment and waitlist IDs from a prefix ("apt",
	// "wait"); nil means prefix + a random UUID in hex. Simulations and
	// examples pass a counter for reproducible output. IDs must be unique
	// and must not look like phone numbers (see audit.Event.Validate).
	NewID func(prefix string) string
}

// Booker searches slots and books, holds, cancels and reschedules
// appointments. It keeps no mutable state of its own: it is safe for
// concurrent use, and several Bookers (one per host replica) may share one
// Store.
type Booker struct {
	cfg   Config
	areas map[carecontact.AreaID]*Catalogue
}

// New checks cfg and returns a Booker.
func New(cfg Config) (*Booker, error) {
	switch {
	case cfg.Index == nil:
		return nil, fmt.Errorf("%w: config.index is nil", ErrInvalid)
	case cfg.Store == nil:
		return nil, fmt.Errorf("%w: config.store is nil", ErrInvalid)
	case cfg.Audit == nil:
		return nil, fmt.Errorf("%w: config.audit is nil", ErrInvalid)
	case cfg.Clock == nil:
		return nil, fmt.Errorf("%w: config.clock is nil", ErrInvalid)
	case cfg.HoldTTL < 0 || cfg.OfferTTL < 0 || cfg.LateCancel < 0:
		return nil, fmt.Errorf("%w: config: holdTTL, offerTTL and lateCancel must not be negative", ErrInvalid)
	}
	if cfg.HoldTTL == 0 {
		cfg.HoldTTL = 15 * time.Minute
	}
	if cfg.OfferTTL == 0 {
		cfg.OfferTTL = 2 * time.Hour
	}
	if cfg.LateCancel == 0 {
		cfg.LateCancel = 24 * time.Hour
	}
	if cfg.NewID == nil {
		cfg.NewID = newID
	}
	b := &Booker{cfg: cfg, areas: map[carecontact.AreaID]*Catalogue{}}
	for i, c := range cfg.Catalogues {
		if c == nil {
			return nil, fmt.Errorf("%w: config.catalogues[%d] is nil", ErrInvalid, i)
		}
		if _, dup := b.areas[carecontact.AreaID(c.Area())]; dup {
			return nil, fmt.Errorf("%w: config.catalogues[%d]: second catalogue for area %s", ErrInvalid, i, c.Area())
		}
		b.areas[carecontact.AreaID(c.Area())] = c
	}
	return b, nil
}

// newID returns prefix followed by a random UUID in hex without dashes.
// (A dashed UUID can contain a run such as "0412-4567" that the audit
// package's phone-number check rejects in event subjects.)
func newID(prefix string) string {
	u := uuid.New()
	return prefix + hex.EncodeToString(u[:])
}

// Requester is who asks: a client booking for themselves (Actor.Kind
// audit.ActorClient, with the client group the self-booking rules check) or
// a professional booking for a client.
type Requester struct {
	Actor       audit.Actor `json:"actor"`
	ClientGroup string      `json:"clientGroup,omitempty"`
	// Acute lets a professional book the acute same-day reserve.
	Acute bool `json:"acute,omitempty"`
}

func (r Requester) self() bool { return r.Actor.Kind == audit.ActorClient }

// SearchRequest asks for free slots.
type SearchRequest struct {
	Area    carecontact.AreaID
	Service string
	// Professional, if set, limits the first participant to that calendar.
	Professional carecontact.ProfessionalID
	// Team, if set, limits the first participant to the team's members.
	Team carecontact.TeamID
	// From and To bound the slot starts; zero To means the service's
	// horizon (self-service) or 90 days.
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
	Participants []string           `json:"participants"`
	Block        BlockType          `json:"block"`
}

// Service returns the service code of area.
func (b *Booker) Service(area carecontact.AreaID, code string) (Service, error) {
	c, ok := b.areas[area]
	if !ok {
		return Service{}, fmt.Errorf("booking: area %s: %w", area, ErrNotFound)
	}
	s, ok := c.Service(code)
	if !ok {
		return Service{}, fmt.Errorf("booking: service %s in area %s: %w", code, area, ErrNotFound)
	}
	return s, nil
}

// Catalogue returns the area's catalogue.
func (b *Booker) Catalogue(area carecontact.AreaID) (*Catalogue, bool) {
	c, ok := b.areas[area]
	return c, ok
}

const defaultSearchSpan = 90 * 24 * time.Hour

// bounds returns the window of slot starts the requester may book, and
// checks that the requester may book the service at all.
func (b *Booker) bounds(svc *Service, by Requester, now, from, to time.Time) (lo, hi time.Time, err error) {
	if err := by.Actor.Validate(); err != nil {
		return lo, hi, fmt.Errorf("%w: requester: %v", ErrInvalid, err)
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
			if i == 0 && ((professional != "" && c.ID != string(professional)) || (team != "" && c.Team != team)) {
				continue
			}
			out[i] = append(out[i], c)
		}
	}
	return out
}

type span64 struct{ start, end int64 }

// search holds the state of one search chunk.
type search struct {
	svc         *Service
	by          Requester
	today       civil.Date
	dur, bb, ba int64
	step        int64
	busy        map[string][]span64
	ix          *Index
	lo, hi      int64 // slot starts in [lo, hi)
}

// free reports whether owner is free over the buffered time of a slot at s;
// if not, it returns the earliest start after the conflict.
func (q *search) free(owner string, s int64) (bool, int64) {
	bs, be := s-q.bb, s+q.dur+q.ba
	busy := q.busy[owner]
	i := sort.Search(len(busy), func(i int) bool { return busy[i].end > bs })
	if i < len(busy) && busy[i].start < be {
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
	var owners []string
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
func busySpans(claims []Claim) map[string][]span64 {
	order := make([]int, len(claims))
	for i := range order {
		order[i] = i
	}
	// Stores return claims sorted by owner then start, which makes this
	// sort cheap; it is here so that the search does not depend on it.
	slices.SortFunc(order, func(a, b int) int {
		if c := strings.Compare(claims[a].Owner, claims[b].Owner); c != 0 {
			return c
		}
		return claims[a].Start.Compare(claims[b].Start)
	})
	spans := make([]span64, len(claims))
	busy := map[string][]span64{}
	for i := 0; i < len(order); {
		owner := claims[order[i]].Owner
		j := i
		for ; j < len(order) && claims[order[j]].Owner == owner; j++ {
			c := &claims[order[j]]
			spans[j] = span64{c.Start.Unix(), c.End.Unix()}
		}
		busy[owner] = spans[i:j:j]
		i = j
	}
	return busy
}

// complete finds the other participants for the primary candidate g.
func (q *search) complete(g *gen, cands [][]*Calendar) (Slot, bool) {
	parts := []string{g.cal.ID}
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

// BookRequest asks to hold or book a slot found by Search.
type BookRequest struct {
	Slot   Slot
	Client carecontact.ClientRef
	By     Requester
	// Answers to the service's pre-questions, kept with the appointment.
	Answers []Answer
	// GuidanceVersion identifies the guidance text version the client saw.
	GuidanceVersion string
}

// checkSlot verifies that slot is bookable by the requester under the
// service's rules and the calendars (claims are checked by the store).
func (b *Booker) checkSlot(svc *Service, by Requester, slot Slot, now time.Time) (BlockType, error) {
	lo, hi, err := b.bounds(svc, by, now, slot.Start, slot.Start.Add(time.Second))
	if err != nil {
		return "", err
	}
	switch {
	case slot.Area != svc.Area || slot.Service != svc.Code:
		return "", fmt.Errorf("%w: slot.service %s/%s", ErrInvalid, slot.Area, slot.Service)
	case slot.End.Sub(slot.Start) != svc.Duration:
		return "", fmt.Errorf("%w: slot: end - start must be the service duration %s", ErrInvalid, svc.Duration)
	case slot.Start.Before(lo) || !slot.Start.Before(hi):
		return "", fmt.Errorf("booking: slot at %s: outside the bookable window (notice, horizon): %w", slot.Start.UTC().Format(time.RFC3339), ErrNotAllowed)
	case len(slot.Participants) != len(svc.Requires):
		return "", fmt.Errorf("%w: slot.participants: want %d", ErrInvalid, len(svc.Requires))
	}
	loc := civil.Helsinki()
	q := &search{svc: svc, by: by, today: civil.DateOf(now, loc), ix: b.cfg.Index, dur: int64(svc.Duration / time.Second)}
	var block BlockType
	set := b.cfg.Index.set
	for i, id := range slot.Participants {
		c, ok := set.byID[id]
		r := svc.Requires[i]
		if !ok || c.Area != svc.Area || c.Kind != r.Kind || c.Role != r.Role || (r.Skill != "" && !slices.Contains(c.Skills, r.Skill)) ||
			slices.Index(slot.Participants, id) != i {
			return "", fmt.Errorf("%w: slot.participants[%d] %q does not meet the requirement %s %s", ErrInvalid, i, id, r.Kind, r.Role)
		}
		bt, ok := q.fits(c, slot.Start.Unix())
		if !ok {
			return "", fmt.Errorf("booking: slot.participants[%d] %s at %s: not bookable working time: %w", i, id, slot.Start.UTC().Format(time.RFC3339), ErrNotAllowed)
		}
		if i == 0 {
			block = bt
		}
	}
	return block, nil
}

func (b *Booker) event(now time.Time, by Requester, action string, a Appointment, detail map[string]string) audit.Event {
	if detail == nil {
		detail = map[string]string{}
	}
	detail["service"] = a.Service
	detail["status"] = string(a.Status)
	return audit.Event{At: now, Actor: by.Actor, Action: action, Subject: "appointment/" + a.ID, Client: a.Client,
		Outcome: audit.Allowed, Detail: detail}
}

// deny records a refused attempt; the refusal itself is returned.
func (b *Booker) deny(ctx context.Context, now time.Time, by Requester, action, subject string, client carecontact.ClientRef, cause error) error {
	if by.Actor.Validate() != nil {
		return cause
	}
	reason := "refused"
	for _, e := range []error{ErrSlotTaken, ErrLimitReached, ErrNotAllowed, ErrHoldExpired, ErrIllegalTransition, ErrConflict} {
		if errors.Is(cause, e) {
			reason = e.Error()
		}
	}
	ev := audit.Event{At: now, Actor: by.Actor, Action: action, Subject: subject, Client: client, Outcome: audit.Denied,
		Detail: map[string]string{"reason": reason}}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return errors.Join(cause, fmt.Errorf("booking: audit: %w", err))
	}
	return cause
}

// newClaim prepares the appointment and claims for a slot.
// Required pre-questions are enforced when requireAnswers is set (a client
// booking a new appointment).
func (b *Booker) newClaim(svc *Service, req BookRequest, status Status, now time.Time, ttl time.Duration, requireAnswers bool) (ClaimRequest, error) {
	if req.Client == "" {
		return ClaimRequest{}, fmt.Errorf("%w: client is empty", ErrInvalid)
	}
	if req.By.self() && req.By.Actor.ID != string(req.Client) {
		return ClaimRequest{}, fmt.Errorf("booking: a client books only for themselves: %w", ErrNotAllowed)
	}
	if err := svc.checkAnswers(req.Answers, requireAnswers); err != nil {
		return ClaimRequest{}, err
	}
	block, err := b.checkSlot(svc, req.By, req.Slot, now)
	if err != nil {
		return ClaimRequest{}, err
	}
	a := Appointment{ID: b.cfg.NewID("apt"), Area: svc.Area, Service: svc.Code, Client: req.Client,
		Participants: slices.Clone(req.Slot.Participants), Start: req.Slot.Start.UTC(), End: req.Slot.End.UTC(),
		Status: status, Channel: svc.Channel, Block: block, SelfBooked: req.By.self(), Answers: slices.Clone(req.Answers),
		GuidanceVersion: req.GuidanceVersion, Created: now, Updated: now, Version: 1}
	var expires time.Time
	if status == StatusPending {
		expires = now.Add(ttl)
		a.HoldUntil = expires
	}
	cr := ClaimRequest{Appointment: a, Now: now}
	for _, p := range a.Participants {
		cr.Claims = append(cr.Claims, Claim{Owner: p, Appointment: a.ID,
			Interval: Interval{a.Start.Add(-svc.BufferBefore), a.End.Add(svc.BufferAfter)}, Expires: expires})
	}
	if req.By.self() && svc.MaxPerClient > 0 {
		cr.Limit = &ClientLimit{Service: svc.Code, From: a.Start.Add(-svc.Period), To: a.Start.Add(svc.Period), Max: svc.MaxPerClient}
	}
	return cr, nil
}

func (b *Booker) claim(ctx context.Context, req BookRequest, status Status, action string) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	svc, err := b.Service(req.Slot.Area, req.Slot.Service)
	if err != nil {
		return Appointment{}, err
	}
	cr, err := b.newClaim(&svc, req, status, now, b.cfg.HoldTTL, req.By.self())
	if err != nil {
		return Appointment{}, b.deny(ctx, now, req.By, action, "service/"+svc.Code, req.Client, err)
	}
	cr.Events = []audit.Event{b.event(now, req.By, action, cr.Appointment, map[string]string{"start": cr.Appointment.Start.Format(time.RFC3339)})}
	if err := b.cfg.Store.Claim(ctx, cr); err != nil {
		return Appointment{}, b.deny(ctx, now, req.By, action, "service/"+svc.Code, req.Client, err)
	}
	return cr.Appointment, nil
}

// Hold keeps a slot for the client for HoldTTL as a pending appointment;
// Confirm books it. Fails with ErrSlotTaken if anyone holds or booked any
// participant's time.
func (b *Booker) Hold(ctx context.Context, req BookRequest) (Appointment, error) {
	return b.claim(ctx, req, StatusPending, "booking.hold")
}

// Book books a slot directly, without a hold.
func (b *Booker) Book(ctx context.Context, req BookRequest) (Appointment, error) {
	return b.claim(ctx, req, StatusBooked, "booking.book")
}

// transition reads the appointment, lets change modify it, and stores it
// with a compare-and-set on its version.
func (b *Booker) transition(ctx context.Context, id string, by Requester, action string, now time.Time,
	change func(a *Appointment) error) (Appointment, error) {
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if by.self() && by.Actor.ID != string(a.Client) {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, "", fmt.Errorf("booking: appointment %s belongs to another client: %w", id, ErrNotAllowed))
	}
	prev := a.Status
	next := a.Clone()
	if err := change(&next); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	next.Version, next.Updated = a.Version+1, now
	req := TransitionRequest{Next: next, Now: now,
		Events: []audit.Event{b.event(now, by, action, next, map[string]string{"from": string(prev)})}}
	if err := b.cfg.Store.Transition(ctx, req); err != nil {
		return Appointment{}, b.deny(ctx, now, by, action, "appointment/"+id, a.Client, err)
	}
	return next, nil
}

// Confirm books a held slot; ErrHoldExpired once the hold has lapsed.
func (b *Booker) Confirm(ctx context.Context, id string, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	return b.transition(ctx, id, by, "booking.confirm", now, func(a *Appointment) error {
		if a.Status != StatusPending {
			return fmt.Errorf("booking: appointment %s is %s, not held: %w", a.ID, a.Status, ErrIllegalTransition)
		}
		a.Status, a.HoldUntil = StatusBooked, time.Time{}
		return nil
	})
}

// Mark records what happened to an appointment: checked-in, arrived,
// fulfilled, noshow or entered-in-error. Clients may only check in;
// fulfilled and noshow are refused before the start (ErrIllegalTransition).
func (b *Booker) Mark(ctx context.Context, id string, status Status, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	switch status {
	case StatusCheckedIn, StatusArrived, StatusFulfilled, StatusNoShow, StatusEnteredInError:
	default:
		return Appointment{}, fmt.Errorf("%w: mark status %q", ErrInvalid, status)
	}
	if by.self() && status != StatusCheckedIn {
		return Appointment{}, b.deny(ctx, now, by, "booking.mark", "appointment/"+id, "", fmt.Errorf("booking: clients may only check in: %w", ErrNotAllowed))
	}
	return b.transition(ctx, id, by, "booking."+string(status), now, func(a *Appointment) error {
		if (status == StatusNoShow || status == StatusFulfilled) && now.Before(a.Start) {
			return fmt.Errorf("booking: appointment %s has not started: %w", a.ID, ErrIllegalTransition)
		}
		a.Status = status
		return nil
	})
}

// CancelResult tells what a cancellation did.
type CancelResult struct {
	Cancelled Appointment
	// Offer is the hold made for the first waiting client the freed slot
	// was offered to, if any.
	Offer *Appointment
}

// Cancel cancels an appointment with a reason. A cancellation within
// LateCancel of the start is marked late (LateCancel). The freed time is
// offered first to the clients waiting for the same service, oldest first:
// the first one it suits gets it as a hold for OfferTTL, atomically with the
// cancellation, so that nobody else can take it in between.
func (b *Booker) Cancel(ctx context.Context, id, reason string, by Requester) (CancelResult, error) {
	now := b.cfg.Clock.Now().UTC()
	if reason == "" {
		return CancelResult{}, fmt.Errorf("%w: cancel reason is empty", ErrInvalid)
	}
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return CancelResult{}, err
	}
	if by.self() && by.Actor.ID != string(a.Client) {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, "", fmt.Errorf("booking: appointment %s belongs to another client: %w", id, ErrNotAllowed))
	}
	next := a.Clone()
	next.Status, next.CancelReason, next.HoldUntil = StatusCancelled, reason, time.Time{}
	next.LateCancel = a.Status == StatusBooked && now.After(a.Start.Add(-b.cfg.LateCancel))
	next.Version, next.Updated = a.Version+1, now
	detail := map[string]string{"from": string(a.Status), "reason": reason}
	if next.LateCancel {
		detail["late"] = "true"
	}
	old := TransitionRequest{Next: next, Now: now, Events: []audit.Event{b.event(now, by, "booking.cancel", next, detail)}}
	if a.Status == StatusBooked && a.Start.After(now) {
		offer, err := b.offer(ctx, a, now, func(waiterID string, cr ClaimRequest) error {
			return b.cfg.Store.TakeWaiter(ctx, waiterID, &old, cr)
		})
		if err != nil {
			return CancelResult{}, err
		}
		if offer != nil {
			return CancelResult{Cancelled: next, Offer: offer}, nil
		}
	}
	if err := b.cfg.Store.Transition(ctx, old); err != nil {
		return CancelResult{}, b.deny(ctx, now, by, "booking.cancel", "appointment/"+id, a.Client, err)
	}
	return CancelResult{Cancelled: next}, nil
}

// offer tries the clients waiting for a's service, oldest first, on the
// time a frees: take stores the hold for one waiter together with the
// change that frees the time. It returns the offered hold, nil if nobody
// took it (the caller then makes the change alone), or an error that stops
// the change.
func (b *Booker) offer(ctx context.Context, a Appointment, now time.Time, take func(waiterID string, cr ClaimRequest) error) (*Appointment, error) {
	ws, err := b.cfg.Store.Waiters(ctx, a.Area, a.Service)
	if err != nil {
		return nil, err
	}
	svc, err := b.Service(a.Area, a.Service)
	if err != nil {
		return nil, err
	}
	sys := audit.System("booking.waitlist")
	for _, w := range ws {
		if w.Client == a.Client || (!w.Window.Start.IsZero() && !w.Window.Contains(Interval{a.Start, a.End})) {
			continue
		}
		o := Appointment{ID: b.cfg.NewID("apt"), Area: a.Area, Service: a.Service, Client: w.Client,
			Participants: slices.Clone(a.Participants), Start: a.Start, End: a.End, Status: StatusPending,
			Channel: a.Channel, Block: a.Block, HoldUntil: now.Add(b.cfg.OfferTTL), SelfBooked: true, FromWaitlist: w.ID,
			Answers: slices.Clone(w.Answers), GuidanceVersion: w.GuidanceVersion, Created: now, Updated: now, Version: 1}
		cr := ClaimRequest{Appointment: o, Now: now,
			Events: []audit.Event{b.event(now, Requester{Actor: sys}, "booking.offer", o, map[string]string{"waiter": w.ID, "from": a.ID})}}
		for _, p := range o.Participants {
			cr.Claims = append(cr.Claims, Claim{Owner: p, Appointment: o.ID,
				Interval: Interval{o.Start.Add(-svc.BufferBefore), o.End.Add(svc.BufferAfter)}, Expires: o.HoldUntil})
		}
		if svc.MaxPerClient > 0 {
			cr.Limit = &ClientLimit{Service: svc.Code, From: o.Start.Add(-svc.Period), To: o.Start.Add(svc.Period), Max: svc.MaxPerClient}
		}
		err := take(w.ID, cr)
		switch {
		case err == nil:
			return &o, nil
		case errors.Is(err, ErrLimitReached), errors.Is(err, ErrNotFound):
			// This client may not take it, or the entry was just taken.
			continue
		case errors.Is(err, ErrSlotTaken):
			// The freed time does not fit (e.g. buffers changed, or a
			// reschedule reuses part of it): no offer.
			return nil, nil
		default:
			return nil, err
		}
	}
	return nil, nil
}

// RescheduleResult tells what a reschedule did.
type RescheduleResult struct {
	// Moved is the new appointment.
	Moved Appointment
	// Cancelled is the old appointment, cancelled with reason "rescheduled".
	Cancelled Appointment
	// Offer is the hold made for the first waiting client the freed slot
	// was offered to, if any.
	Offer *Appointment
}

// Reschedule moves an appointment to a new slot atomically: the new slot is
// booked and the old appointment cancelled (reason "rescheduled") in one
// store operation, so the client never loses the old time without getting
// the new one. The new appointment keeps the answers and guidance version.
// Like a cancellation, a reschedule of a booked future appointment offers
// the freed time first to the clients waiting for the service, oldest
// first, as a hold for OfferTTL in the same store operation.
func (b *Booker) Reschedule(ctx context.Context, id string, slot Slot, by Requester) (RescheduleResult, error) {
	now := b.cfg.Clock.Now().UTC()
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return RescheduleResult{}, err
	}
	fail := func(err error) (RescheduleResult, error) {
		return RescheduleResult{}, b.deny(ctx, now, by, "booking.reschedule", "appointment/"+id, a.Client, err)
	}
	if by.self() && by.Actor.ID != string(a.Client) {
		return fail(fmt.Errorf("booking: appointment %s belongs to another client: %w", id, ErrNotAllowed))
	}
	if a.Status != StatusBooked && a.Status != StatusPending {
		return fail(fmt.Errorf("booking: appointment %s is %s: %w", id, a.Status, ErrIllegalTransition))
	}
	if slot.Area != a.Area || slot.Service != a.Service {
		return fail(fmt.Errorf("%w: slot.service: a reschedule keeps the service", ErrInvalid))
	}
	svc, err := b.Service(a.Area, a.Service)
	if err != nil {
		return RescheduleResult{}, err
	}
	cr, err := b.newClaim(&svc, BookRequest{Slot: slot, Client: a.Client, By: by, Answers: a.Answers, GuidanceVersion: a.GuidanceVersion}, StatusBooked, now, 0, false)
	if err != nil {
		return fail(err)
	}
	cr.Appointment.RescheduledFrom = a.ID
	next := a.Clone()
	next.Status, next.CancelReason, next.RescheduledTo, next.HoldUntil = StatusCancelled, "rescheduled", cr.Appointment.ID, time.Time{}
	next.Version, next.Updated = a.Version+1, now
	old := TransitionRequest{Next: next, Now: now,
		Events: []audit.Event{b.event(now, by, "booking.reschedule", next, map[string]string{"to": cr.Appointment.ID})}}
	cr.Events = []audit.Event{b.event(now, by, "booking.book", cr.Appointment, map[string]string{"from": a.ID, "start": cr.Appointment.Start.Format(time.RFC3339)})}
	res := RescheduleResult{Moved: cr.Appointment, Cancelled: next}
	if a.Status == StatusBooked && a.Start.After(now) {
		offer, err := b.offer(ctx, a, now, func(waiterID string, oc ClaimRequest) error {
			return b.cfg.Store.Reschedule(ctx, old, cr, &WaitOffer{WaiterID: waiterID, Claim: oc})
		})
		if err != nil {
			return fail(err)
		}
		if offer != nil {
			res.Offer = offer
			return res, nil
		}
	}
	// Nobody waiting took the time (or an offer did not fit): the plain
	// reschedule, which also reports a new slot that is taken.
	if err := b.cfg.Store.Reschedule(ctx, old, cr, nil); err != nil {
		return fail(err)
	}
	return res, nil
}

// Advance implements carecontact.Driven: it releases the holds that have
// expired at the clock's now (see Expire). The host calls it at the time
// NextDeadline returns, or periodically; nothing runs by itself.
func (b *Booker) Advance(ctx context.Context) error {
	_, err := b.Expire(ctx)
	return err
}

// Expire releases the holds that have expired at the clock's now (held
// slots and waitlist offers not confirmed in time): each becomes cancelled
// with reason "hold expired", and the time of a lapsed waitlist offer is
// offered to the next waiting client in the same store operation. It
// returns how many holds it released.
func (b *Booker) Expire(ctx context.Context) (int, error) {
	now := b.cfg.Clock.Now().UTC()
	sys := Requester{Actor: audit.System("booking.expiry")}
	n := 0
	for {
		expired, err := b.cfg.Store.ExpiredHolds(ctx, now, 100)
		if err != nil {
			return n, err
		}
		if len(expired) == 0 {
			return n, nil
		}
		progressed := false
		for _, a := range expired {
			next := a.Clone()
			next.Status, next.CancelReason, next.HoldUntil = StatusCancelled, "hold expired", time.Time{}
			next.Version, next.Updated = a.Version+1, now
			req := TransitionRequest{Next: next, Now: now,
				Events: []audit.Event{b.event(now, sys, "booking.expire", next, map[string]string{"from": string(a.Status)})}}
			var err error
			offered := false
			if a.FromWaitlist != "" && a.Start.After(now) {
				// A lapsed waitlist offer goes on to the next waiting client,
				// in the same store operation as the expiry.
				var o *Appointment
				o, err = b.offer(ctx, a, now, func(waiterID string, cr ClaimRequest) error {
					return b.cfg.Store.TakeWaiter(ctx, waiterID, &req, cr)
				})
				offered = err == nil && o != nil
			}
			if !offered && !errors.Is(err, ErrConflict) {
				err = b.cfg.Store.Transition(ctx, req)
			}
			switch {
			case err == nil:
				n++
				progressed = true
			case errors.Is(err, ErrConflict):
				// Changed concurrently (confirmed, cancelled or expired by
				// another replica): read it again on the next round.
				progressed = true
			default:
				return n, err
			}
		}
		if !progressed {
			return n, nil
		}
	}
}

// NextDeadline implements carecontact.Driven: it returns the earliest hold
// expiry, when Advance next has work; ok is false when there are no holds.
func (b *Booker) NextDeadline(ctx context.Context) (time.Time, bool, error) {
	return b.cfg.Store.NextHoldExpiry(ctx)
}

// WaitRequest puts a client on a service's waitlist.
type WaitRequest struct {
	Area    carecontact.AreaID
	Service string
	Client  carecontact.ClientRef
	// Window, when set, limits the slots the client wants.
	Window Interval
	// Answers and GuidanceVersion go with the offered appointment.
	Answers         []Answer
	GuidanceVersion string
	By              Requester
}

// Wait puts a client on the waitlist of a service: the next cancelled slot
// that suits (within the window, if set) is offered to the waiting clients
// in the order they joined.
func (b *Booker) Wait(ctx context.Context, req WaitRequest) (WaitEntry, error) {
	now := b.cfg.Clock.Now().UTC()
	svc, err := b.Service(req.Area, req.Service)
	if err != nil {
		return WaitEntry{}, err
	}
	if req.Client == "" {
		return WaitEntry{}, fmt.Errorf("%w: client is empty", ErrInvalid)
	}
	by := req.By
	if err := by.Actor.Validate(); err != nil {
		return WaitEntry{}, fmt.Errorf("%w: requester: %v", ErrInvalid, err)
	}
	if by.self() && (by.Actor.ID != string(req.Client) || !slices.Contains(svc.SelfBookGroups, by.ClientGroup)) {
		return WaitEntry{}, b.deny(ctx, now, by, "booking.wait", "service/"+svc.Code, req.Client, fmt.Errorf("booking: waitlist for %s: %w", svc.Code, ErrNotAllowed))
	}
	if !req.Window.Start.IsZero() && !req.Window.Start.Before(req.Window.End) {
		return WaitEntry{}, fmt.Errorf("%w: window: start must be before end", ErrInvalid)
	}
	if err := svc.checkAnswers(req.Answers, by.self()); err != nil {
		return WaitEntry{}, err
	}
	w := WaitEntry{ID: b.cfg.NewID("wait"), Area: svc.Area, Service: svc.Code, Client: req.Client, Since: now, Window: req.Window,
		Answers: slices.Clone(req.Answers), GuidanceVersion: req.GuidanceVersion}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.wait", Subject: "waitlist/" + w.ID, Client: req.Client,
		Outcome: audit.Allowed, Detail: map[string]string{"service": svc.Code}}
	if err := b.cfg.Store.AddWaiter(ctx, w, []audit.Event{ev}); err != nil {
		return WaitEntry{}, err
	}
	return w, nil
}

// Appointment returns an appointment, recording the read in the audit log.
// A client may read only their own.
func (b *Booker) Appointment(ctx context.Context, id string, by Requester) (Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	a, err := b.cfg.Store.Appointment(ctx, id)
	if err != nil {
		return Appointment{}, err
	}
	if by.self() && by.Actor.ID != string(a.Client) {
		return Appointment{}, b.deny(ctx, now, by, "booking.read", "appointment/"+id, "", fmt.Errorf("booking: appointment %s: %w", id, ErrNotAllowed))
	}
	if err := b.cfg.Audit.Record(ctx, b.event(now, by, "booking.read", a, nil)); err != nil {
		return Appointment{}, fmt.Errorf("booking: audit read: %w", err)
	}
	return a, nil
}

// ClientAppointments returns a client's appointments by start, recording
// the read; LateCancellations counts those cancelled late.
func (b *Booker) ClientAppointments(ctx context.Context, client carecontact.ClientRef, by Requester) ([]Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	if by.self() && by.Actor.ID != string(client) {
		return nil, b.deny(ctx, now, by, "booking.read", "client-appointments", client, fmt.Errorf("booking: appointments of another client: %w", ErrNotAllowed))
	}
	as, err := b.cfg.Store.ClientAppointments(ctx, client)
	if err != nil {
		return nil, err
	}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.read", Subject: "client-appointments", Client: client,
		Outcome: audit.Allowed, Detail: map[string]string{"count": fmt.Sprint(len(as))}}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return nil, fmt.Errorf("booking: audit read: %w", err)
	}
	return as, nil
}

// LateCancellations counts the appointments in as that were cancelled late
// and started at or after since.
func LateCancellations(as []Appointment, since time.Time) int {
	n := 0
	for _, a := range as {
		if a.Status == StatusCancelled && a.LateCancel && !a.Start.Before(since) {
			n++
		}
	}
	return n
}

var _ carecontact.Driven = (*Booker)(nil)
