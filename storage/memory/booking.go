package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
)

// BookingStore is an in-memory booking.Store. A store and its Share
// copies share one state; every operation runs under one lock, so
// book-if-free is atomic.
type BookingStore struct{ s *bookingState }

type bookingState struct {
	mu      sync.Mutex
	log     *AuditLog
	appts   map[string]booking.Appointment
	claims  map[booking.CalendarID][]booking.Claim // by owner, sorted by start
	longest map[booking.CalendarID]time.Duration   // by owner, the longest claim ever stored
	waiters []booking.WaitEntry
	// invitations are the redeemed booking invitations, each with the
	// appointment it booked.
	invitations map[string]string
	// calendars are the stored calendars (see calendar.go).
	calendars calendarState
	// spans caches each owner's claims in Unix seconds for AppendBusy;
	// every change to an owner's claims drops its entry.
	spans map[booking.CalendarID]ownerSpans
	// version counts the changes to claims (written under mu).
	version atomic.Uint64
}

// ownerSpans is one owner's claims as Unix seconds, sorted by start, with
// the longest claim's length.
type ownerSpans struct {
	claims  []unixClaim
	longest int64
}

// unixClaim is a claim in Unix seconds; expires in Unix nanoseconds, 0:
// never; shared and capacity as the claim's.
type unixClaim struct {
	start, end, expires int64
	shared              string
	capacity            int
}

// liveSeats counts the claims of cs live at at (Unix nanoseconds) that
// are seats of the same shared slot as cs[i]. Claims are sorted by start,
// so the seats, which share their interval, lie next to cs[i].
func liveSeats(cs []unixClaim, i int, at int64) int {
	a, z := i, i+1
	for a > 0 && cs[a-1].start == cs[i].start {
		a--
	}
	for z < len(cs) && cs[z].start == cs[i].start {
		z++
	}
	n := 0
	for _, c := range cs[a:z] {
		if c.shared == cs[i].shared && c.end == cs[i].end && (c.expires == 0 || at < c.expires) {
			n++
		}
	}
	return n
}

var _ booking.SpanStore = (*BookingStore)(nil)

var _ booking.Store = (*BookingStore)(nil)

// NewBookingStore returns a store over fresh state whose change events go
// to log (nil: a log of its own).
func NewBookingStore(log *AuditLog) *BookingStore {
	if log == nil {
		log = NewAuditLog()
	}
	return &BookingStore{&bookingState{log: log, appts: map[string]booking.Appointment{}, claims: map[booking.CalendarID][]booking.Claim{}, longest: map[booking.CalendarID]time.Duration{},
		spans: map[booking.CalendarID]ownerSpans{}}}
}

// Share returns another store value over the same state, as a second host
// replica over one database would see it.
func (b *BookingStore) Share() *BookingStore { return &BookingStore{b.s} }

// AuditLog returns the log the store writes its events to.
func (b *BookingStore) AuditLog() *AuditLog { return b.s.log }

// apply runs one atomic change: an optional transition of an existing
// appointment, new claims (which may reuse the transitioned appointment's
// time but not each other's), and the removal of a wait entry; all or
// nothing.
func (b *BookingStore) apply(ctx context.Context, old *booking.TransitionRequest, claims []booking.ClaimRequest, waiterID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := kit.BookingChange(old, claims)
	if err != nil {
		return err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	wi := -1
	if waiterID != "" {
		wi = slices.IndexFunc(s.waiters, func(x booking.WaitEntry) bool { return x.ID == waiterID })
		if wi < 0 {
			return fmt.Errorf("booking: wait entry %s: %w", waiterID, booking.ErrNotFound)
		}
	}
	ignoring := ""
	if old != nil {
		prev, ok := s.appts[old.Next.ID]
		if !ok {
			return fmt.Errorf("booking: appointment %s: %w", old.Next.ID, booking.ErrNotFound)
		}
		if err := booking.ValidateTransition(prev, *old); err != nil {
			return err
		}
		if !old.Next.Status.HoldsTime() {
			ignoring = prev.ID
		}
	}
	// Everything that can fail is checked before anything is written.
	for i, c := range claims {
		if err := s.checkClaimLocked(c, ignoring); err != nil {
			return err
		}
		for _, earlier := range claims[:i] {
			if err := conflict(earlier, c); err != nil {
				return err
			}
		}
	}
	if old != nil {
		s.transitionLocked(*old)
	}
	for _, c := range claims {
		s.insertLocked(c)
	}
	if wi >= 0 {
		s.waiters = slices.Delete(s.waiters, wi, wi+1)
	}
	s.log.appendLocked(prepared)
	return nil
}

// conflict reports two claims of one change that take the same ID or the
// same owner's time.
func conflict(a, b booking.ClaimRequest) error {
	if a.Appointment.ID == b.Appointment.ID {
		return fmt.Errorf("booking: appointment %s: %w", b.Appointment.ID, booking.ErrExists)
	}
	if inv := b.Appointment.Invitation; inv != "" && inv == a.Appointment.Invitation {
		return fmt.Errorf("booking: invitation %s: %w", inv, booking.ErrInvitationUsed)
	}
	for _, x := range a.Claims {
		for _, y := range b.Claims {
			if x.Owner == y.Owner && x.Overlaps(y.Interval) && !sameSeat(x, y) {
				return fmt.Errorf("booking: %s at %s: %w", y.Owner, y.Start.Format(time.RFC3339), booking.ErrSlotTaken)
			}
		}
	}
	return nil
}

// sameSeat reports whether two claims are seats of one shared slot, which
// may overlap.
func sameSeat(a, b booking.Claim) bool {
	return a.Shared != "" && a.Shared == b.Shared && a.Interval == b.Interval
}

// Claim implements booking.Store.
func (b *BookingStore) Claim(ctx context.Context, req booking.ClaimRequest) error {
	return b.apply(ctx, nil, []booking.ClaimRequest{req}, "")
}

// Transition implements booking.Store.
func (b *BookingStore) Transition(ctx context.Context, req booking.TransitionRequest) error {
	return b.apply(ctx, &req, nil, "")
}

// Reschedule implements booking.Store.
func (b *BookingStore) Reschedule(ctx context.Context, old booking.TransitionRequest, next booking.ClaimRequest, offer *booking.WaitOffer) error {
	if offer == nil {
		return b.apply(ctx, &old, []booking.ClaimRequest{next}, "")
	}
	if err := booking.ValidateOffer(next, *offer); err != nil {
		return err
	}
	return b.apply(ctx, &old, []booking.ClaimRequest{next, offer.Claim}, offer.WaiterID)
}

// TakeWaiter implements booking.Store.
func (b *BookingStore) TakeWaiter(ctx context.Context, waiterID string, old *booking.TransitionRequest, req booking.ClaimRequest) error {
	if err := kit.WaiterID(waiterID); err != nil {
		return err
	}
	return b.apply(ctx, old, []booking.ClaimRequest{req}, waiterID)
}

// checkClaimLocked checks a claim; ignoring names an appointment whose
// claims and limit count do not count (the one being released in the same
// change). It drops dead holds of the owners involved.
func (s *bookingState) checkClaimLocked(req booking.ClaimRequest, ignoring string) error {
	a := req.Appointment
	if _, dup := s.appts[a.ID]; dup {
		return fmt.Errorf("booking: appointment %s: %w", a.ID, booking.ErrExists)
	}
	if _, used := s.invitations[a.Invitation]; used && a.Invitation != "" {
		return fmt.Errorf("booking: invitation %s: %w", a.Invitation, booking.ErrInvitationUsed)
	}
	for _, c := range req.Claims {
		s.dropDeadLocked(c.Owner, req.Now)
		seats := 0
		for _, o := range s.overlapping(c.Owner, c.Interval) {
			switch {
			case o.Appointment == ignoring:
			case sameSeat(o, c):
				seats++
			default:
				return fmt.Errorf("booking: %s at %s: %w", c.Owner, c.Start.Format(time.RFC3339), booking.ErrSlotTaken)
			}
		}
		if c.Shared != "" && seats >= c.Capacity {
			return fmt.Errorf("booking: %s at %s: shared slot full: %w", c.Owner, c.Start.Format(time.RFC3339), booking.ErrSlotTaken)
		}
	}
	if l := req.Limit; l != nil {
		n := 0
		for _, o := range s.appts {
			if o.Client == a.Client && o.Service == l.Service && o.SelfBooked && o.Status.Active() && o.ID != ignoring &&
				!o.Start.Before(l.From) && o.Start.Before(l.To) && (o.Status != booking.StatusPending || req.Now.Before(o.HoldUntil)) {
				n++
			}
		}
		if n >= l.Max {
			return fmt.Errorf("booking: service %s: %w", l.Service, booking.ErrLimitReached)
		}
	}
	return nil
}

func (s *bookingState) insertLocked(req booking.ClaimRequest) {
	s.appts[req.Appointment.ID] = req.Appointment.Clone()
	if inv := req.Appointment.Invitation; inv != "" {
		if s.invitations == nil {
			s.invitations = map[string]string{}
		}
		s.invitations[inv] = req.Appointment.ID
	}
	for _, c := range req.Claims {
		cs := s.claims[c.Owner]
		i := sort.Search(len(cs), func(i int) bool { return !cs[i].Start.Before(c.Start) })
		s.claims[c.Owner] = slices.Insert(cs, i, c)
		delete(s.spans, c.Owner)
		s.version.Add(1)
		s.longest[c.Owner] = max(s.longest[c.Owner], c.Duration())
	}
}

func (s *bookingState) dropDeadLocked(owner booking.CalendarID, now time.Time) {
	cs := s.claims[owner]
	if slices.ContainsFunc(cs, func(c booking.Claim) bool { return !c.Live(now) }) {
		s.claims[owner] = slices.DeleteFunc(cs, func(c booking.Claim) bool { return !c.Live(now) })
		delete(s.spans, owner)
		s.version.Add(1)
	}
}

// overlapping returns owner's claims that overlap iv (live or not).
func (s *bookingState) overlapping(owner booking.CalendarID, iv booking.Interval) []booking.Claim {
	return s.appendOverlapping(nil, owner, iv, time.Time{})
}

// appendOverlapping appends owner's claims that overlap iv and, unless now
// is zero, are live at now.
func (s *bookingState) appendOverlapping(out []booking.Claim, owner booking.CalendarID, iv booking.Interval, now time.Time) []booking.Claim {
	for _, c := range s.candidates(owner, iv) {
		if c.Overlaps(iv) && (now.IsZero() || c.Live(now)) {
			out = append(out, c)
		}
	}
	return out
}

// countOverlapping counts what appendOverlapping would append.
func (s *bookingState) countOverlapping(owner booking.CalendarID, iv booking.Interval, now time.Time) int {
	n := 0
	for _, c := range s.candidates(owner, iv) {
		if c.Overlaps(iv) && (now.IsZero() || c.Live(now)) {
			n++
		}
	}
	return n
}

// candidates returns the run of owner's claims that may overlap iv: claims
// are sorted by start and none is longer than longest, so the first one
// that can reach iv starts at or after iv.Start - longest, and the run ends
// at the first claim that starts at or after iv.End.
func (s *bookingState) candidates(owner booking.CalendarID, iv booking.Interval) []booking.Claim {
	cs := s.claims[owner]
	from := iv.Start.Add(-s.longest[owner])
	i := sort.Search(len(cs), func(i int) bool { return !cs[i].Start.Before(from) })
	j := i + sort.Search(len(cs)-i, func(k int) bool { return !cs[i+k].Start.Before(iv.End) })
	return cs[i:j]
}

func (s *bookingState) releaseLocked(a booking.Appointment) {
	for _, p := range a.Participants {
		s.claims[p] = slices.DeleteFunc(s.claims[p], func(c booking.Claim) bool { return c.Appointment == a.ID })
		delete(s.spans, p)
		s.version.Add(1)
	}
}

// transitionLocked stores a validated transition.
func (s *bookingState) transitionLocked(req booking.TransitionRequest) {
	next := req.Next
	prev := s.appts[next.ID]
	s.appts[next.ID] = next.Clone()
	switch {
	case !next.Status.HoldsTime():
		s.releaseLocked(prev)
	case prev.Status == booking.StatusPending && next.Status == booking.StatusBooked:
		for _, p := range prev.Participants {
			for i, c := range s.claims[p] {
				if c.Appointment == next.ID {
					s.claims[p][i].Expires = time.Time{}
					delete(s.spans, p)
					s.version.Add(1)
				}
			}
		}
	}
}

// Appointment implements booking.Store.
func (b *BookingStore) Appointment(ctx context.Context, id string) (booking.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return booking.Appointment{}, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.appts[id]
	if !ok {
		return booking.Appointment{}, fmt.Errorf("booking: appointment %s: %w", id, booking.ErrNotFound)
	}
	return a.Clone(), nil
}

// selectAppointments returns copies of the appointments keep selects,
// sorted by key then ID.
func (b *BookingStore) selectAppointments(ctx context.Context, keep func(booking.Appointment) bool, key func(booking.Appointment) time.Time) ([]booking.Appointment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []booking.Appointment
	for _, a := range s.appts {
		if keep(a) {
			out = append(out, a.Clone())
		}
	}
	slices.SortFunc(out, func(x, y booking.Appointment) int {
		if c := key(x).Compare(key(y)); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	return out, nil
}

// ClientAppointments implements booking.Store.
func (b *BookingStore) ClientAppointments(ctx context.Context, client carecontact.ClientRef) ([]booking.Appointment, error) {
	return b.selectAppointments(ctx, func(a booking.Appointment) bool { return a.Client == client },
		func(a booking.Appointment) time.Time { return a.Start })
}

// Busy implements booking.Store.
func (b *BookingStore) Busy(ctx context.Context, owners []booking.CalendarID, iv booking.Interval, now time.Time) ([]booking.Claim, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	owners = slices.Compact(slices.Sorted(slices.Values(owners)))
	n := 0
	for _, o := range owners {
		n += s.countOverlapping(o, iv, now)
	}
	out := make([]booking.Claim, 0, n)
	for _, o := range owners {
		out = s.appendOverlapping(out, o, iv, now)
	}
	return out, nil
}

// AppendBusy implements booking.SpanStore.
func (b *BookingStore) AppendBusy(ctx context.Context, dst []booking.BusySpan, ends []int32, owners []booking.CalendarID, iv booking.Interval, now time.Time) (booking.BusyRead, error) {
	if err := ctx.Err(); err != nil {
		return booking.BusyRead{Spans: dst, Ends: ends}, err
	}
	// Spans are whole seconds, as the search uses them; holds expire
	// to the nanosecond.
	lo, hi, at := iv.Start.Unix(), iv.End.Unix(), now.UnixNano()
	var expires int64
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range owners {
		os, ok := s.spans[o]
		if !ok {
			os = s.unixLocked(o)
		}
		cs, base := os.claims, len(dst)
		from := lo - os.longest
		i, j := 0, len(cs)
		for i < j { // the first claim starting at or after from
			h := int(uint(i+j) >> 1)
			if cs[h].start < from {
				i = h + 1
			} else {
				j = h
			}
		}
		for ; i < len(cs) && cs[i].start < hi; i++ {
			c := cs[i]
			if c.end <= lo || (c.expires != 0 && at >= c.expires) {
				continue
			}
			if c.expires != 0 && (expires == 0 || c.expires < expires) {
				expires = c.expires
			}
			sp := booking.BusySpan{Start: c.start, End: c.end}
			if c.shared != "" && liveSeats(cs, i, at) < c.capacity {
				sp.Open = c.shared // a seat left
			}
			if n := len(dst); n > base && dst[n-1].End == c.start && dst[n-1].Open == "" && sp.Open == "" { // back to back: one span
				dst[n-1].End = c.end
				continue
			}
			dst = append(dst, sp)
		}
		ends = append(ends, int32(len(dst)))
	}
	r := booking.BusyRead{Spans: dst, Ends: ends, Version: s.version.Load()}
	if expires != 0 {
		r.Expires = time.Unix(0, expires).UTC()
	}
	return r, nil
}

// ClaimsVersion implements booking.SpanStore.
func (b *BookingStore) ClaimsVersion() uint64 { return b.s.version.Load() }

// unixLocked builds and caches owner's claims in Unix seconds.
func (s *bookingState) unixLocked(owner booking.CalendarID) ownerSpans {
	cs := s.claims[owner]
	os := ownerSpans{claims: make([]unixClaim, len(cs))}
	for i, c := range cs {
		u := unixClaim{start: c.Start.Unix(), end: c.End.Unix(), shared: c.Shared, capacity: c.Capacity}
		if !c.Expires.IsZero() {
			u.expires = c.Expires.UnixNano()
		}
		os.claims[i] = u
		os.longest = max(os.longest, u.end-u.start)
	}
	s.spans[owner] = os
	return os
}

// ExpiredHolds implements booking.Store.
func (b *BookingStore) ExpiredHolds(ctx context.Context, now time.Time, limit int) ([]booking.Appointment, error) {
	out, err := b.selectAppointments(ctx, func(a booking.Appointment) bool {
		return a.Status == booking.StatusPending && !now.Before(a.HoldUntil)
	}, func(a booking.Appointment) time.Time { return a.HoldUntil })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// NextHoldExpiry implements booking.Store.
func (b *BookingStore) NextHoldExpiry(ctx context.Context) (time.Time, bool, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, false, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var first time.Time
	for _, a := range s.appts {
		if a.Status == booking.StatusPending && (first.IsZero() || a.HoldUntil.Before(first)) {
			first = a.HoldUntil
		}
	}
	return first, !first.IsZero(), nil
}

// AddWaiter implements booking.Store.
func (b *BookingStore) AddWaiter(ctx context.Context, w booking.WaitEntry, events []audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := kit.WaitEntry(w); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.ContainsFunc(s.waiters, func(x booking.WaitEntry) bool { return x.ID == w.ID }) {
		return fmt.Errorf("booking: wait entry %s: %w", w.ID, booking.ErrExists)
	}
	s.waiters = append(s.waiters, w)
	s.log.appendLocked(prepared)
	return nil
}

// Waiters implements booking.Store.
func (b *BookingStore) Waiters(ctx context.Context, area carecontact.AreaID, service string) ([]booking.WaitEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := b.s
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []booking.WaitEntry
	for _, w := range s.waiters {
		if w.Area == area && w.Service == service {
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(x, y booking.WaitEntry) int { return x.Since.Compare(y.Since) })
	return out, nil
}

// Events reads the audit log the store writes to, so the store is also an
// audit.Reader of its own changes.
func (b *BookingStore) Events(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	return b.s.log.Events(ctx, f)
}
