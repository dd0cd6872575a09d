package booking_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// TestSearchMatchesReference compares Booker.Search with refSearch, a
// slow reading of the documented rules straight off Calendar.BlocksOn and
// Store.Busy, on random calendars, services, claims and requests. The
// days run over Christmas and New Year, so holidays and eves count, and
// some searches reach past the index.
func TestSearchMatchesReference(t *testing.T) {
	for seed := range uint64(50) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			checkSearchAgainstReference(t, rand.New(rand.NewPCG(seed, 19)))
		})
	}
}

var equivFrom = civil.Date{Year: 2026, Month: time.December, Day: 18}

func randSpan(r *rand.Rand, minH, maxH int) civil.Span {
	a := minH*60 + 15*r.IntN((maxH-minH)*4)
	b := a + 15*(1+r.IntN(16))
	b = min(b, 24*60)
	return civil.Span{From: civil.TimeOfDay(a), To: civil.TimeOfDay(b)}
}

func randBlock(r *rand.Rand) booking.BlockType {
	return booking.BlockTypes()[r.IntN(4)]
}

func randCalendars(r *rand.Rand) []booking.Calendar {
	n := 1 + r.IntN(10)
	var cals []booking.Calendar
	for i := range n {
		c := booking.Calendar{ID: booking.CalendarID(fmt.Sprintf("cal-%02d", r.IntN(50)*100+i)), Kind: booking.OwnerProfessional, Area: "north",
			Team: carecontact.TeamID([]string{"", "team-a", "team-b"}[r.IntN(3)]), Role: "nurse"}
		switch r.IntN(6) {
		case 0:
			c.Role, c.Skills = "doctor", []string{"diabetes"}
		case 1:
			c.Kind, c.Role, c.Team = booking.OwnerResource, "room", ""
		case 2:
			c.Area = "south"
		}
		for range 1 + r.IntN(4) {
			var days []time.Weekday
			for d := time.Sunday; d <= time.Saturday; d++ {
				if r.IntN(3) > 0 {
					days = append(days, d)
				}
			}
			if len(days) == 0 {
				days = []time.Weekday{time.Monday}
			}
			rule := booking.WeeklyRule{Weekdays: days, Span: randSpan(r, 6, 18), Block: randBlock(r)}
			if r.IntN(3) == 0 {
				rule.Breaks = []civil.Span{randSpan(r, 8, 14)}
			}
			if r.IntN(4) == 0 {
				rule.ValidFrom = equivFrom.AddDays(r.IntN(10))
			}
			if r.IntN(4) == 0 {
				rule.ValidUntil = equivFrom.AddDays(10 + r.IntN(20))
			}
			c.Rules = append(c.Rules, rule)
		}
		for range r.IntN(4) {
			e := booking.Exception{Date: equivFrom.AddDays(r.IntN(25)), Kind: booking.Absence}
			if r.IntN(2) == 0 {
				sp := randSpan(r, 6, 18)
				e.Span = &sp
				if r.IntN(2) == 0 {
					e.Kind, e.Block = booking.ExtraTime, randBlock(r)
				}
			}
			c.Exceptions = append(c.Exceptions, e)
		}
		switch r.IntN(4) {
		case 0:
			c.OpenOnHolidays = true
		case 1:
			sp := randSpan(r, 8, 16)
			c.Closures = &booking.Closures{EvesOpen: r.IntN(2) == 0, Local: []booking.Closure{
				{Date: equivFrom.AddDays(r.IntN(20)), Names: civil.Names{FI: "suljettu"}},
				{Date: equivFrom.AddDays(r.IntN(20)), Span: &sp, Names: civil.Names{FI: "iltapäivä"}}}}
		}
		cals = append(cals, c)
	}
	return cals
}

func randService(r *rand.Rand) booking.Service {
	svc := booking.Service{Code: "svc", Area: "north", Names: civil.Names{FI: "Palvelu"}, Channel: channel.InPerson,
		Duration: time.Duration([]int{15, 20, 30, 45}[r.IntN(4)]) * time.Minute, SelfBookGroups: []string{"adult"},
		Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}}
	switch r.IntN(5) {
	case 0:
		svc.Requires = append(svc.Requires, booking.Requirement{Kind: booking.OwnerResource, Role: "room"})
	case 1:
		svc.Requires = append(svc.Requires, booking.Requirement{Kind: booking.OwnerProfessional, Role: "doctor", Skill: "diabetes"})
	case 2:
		svc.Requires = append(svc.Requires, booking.Requirement{Kind: booking.OwnerProfessional, Role: "nurse"})
	}
	if r.IntN(2) == 0 {
		svc.BufferBefore = time.Duration(5*r.IntN(3)) * time.Minute
		svc.BufferAfter = time.Duration(5*r.IntN(3)) * time.Minute
	}
	if r.IntN(3) == 0 {
		svc.Step = time.Duration(10+5*r.IntN(6)) * time.Minute
	}
	svc.MinNotice = time.Duration(r.IntN(4)) * time.Hour
	if r.IntN(2) == 0 {
		svc.Horizon = svc.MinNotice + time.Duration(1+r.IntN(20*24))*time.Hour
	}
	if r.IntN(3) == 0 {
		svc.Capacity = 2 + r.IntN(2) // a group session: seats
	}
	return svc
}

func checkSearchAgainstReference(t *testing.T, r *rand.Rand) {
	ctx := context.Background()
	cals := randCalendars(r)
	set, err := booking.NewCalendarSet(cals)
	require.NoError(t, err, "random calendars are valid")
	ix, err := booking.NewIndex(set, equivFrom, 5+r.IntN(30))
	require.NoError(t, err)
	svc := randService(r)
	cat, err := booking.NewCatalogue("north", []booking.Service{svc})
	require.NoError(t, err)
	loc := civil.Helsinki()
	t0 := equivFrom.AddDays(r.IntN(3)).At(civil.TimeOfDay(6*60+r.IntN(10)*60), loc).UTC()
	now := t0.Add(time.Duration(r.IntN(120)) * time.Minute)
	store := memory.NewBookingStore(nil)
	ids := set.IDs()
	for i := range 150 {
		owner := ids[r.IntN(len(ids))]
		start := t0.Add(time.Duration(5*r.IntN(12*24*10)) * time.Minute)
		end := start.Add(time.Duration(10+5*r.IntN(18)) * time.Minute)
		a := booking.Appointment{ID: fmt.Sprintf("a%d", i), Area: "north", Service: "svc", Client: "c", Participants: []booking.CalendarID{owner},
			Start: start, End: end, Status: booking.StatusBooked, Channel: channel.InPerson, Version: 1}
		cl := booking.Claim{Owner: owner, Appointment: a.ID, Interval: booking.Interval{Start: start, End: end}}
		if svc.Capacity > 1 && r.IntN(2) == 0 {
			// A seat of a shared slot: of this service at a start on or
			// off the grid, or of another service.
			start = start.Truncate(15 * time.Minute)
			a.Start, a.End = start.Add(svc.BufferBefore), start.Add(svc.BufferBefore+svc.Duration)
			cl.Interval = booking.Interval{Start: start, End: a.End.Add(svc.BufferAfter)}
			cl.Shared, cl.Capacity = seatKey(svc, a.Start), svc.Capacity
			if r.IntN(4) == 0 {
				cl.Shared = "north/other@" + fmt.Sprint(a.Start.Unix())
			}
		}
		if r.IntN(3) == 0 {
			a.Status, a.HoldUntil = booking.StatusPending, t0.Add(time.Duration(1+r.IntN(180))*time.Minute)
			cl.Expires = a.HoldUntil
		}
		err := store.Claim(ctx, booking.ClaimRequest{Now: t0, Appointment: a, Claims: []booking.Claim{cl}})
		if err != nil && !errors.Is(err, booking.ErrSlotTaken) {
			require.NoError(t, err)
		}
	}
	// Some Bookers see the store through Busy only, without SpanStore.
	var st booking.Store = store
	if r.IntN(4) == 0 {
		st = busyOnly{store}
	}
	bk, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: st, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now })})
	require.NoError(t, err)

	for k := range 10 {
		req := randRequest(r, now, ids)
		compareSearch(ctx, t, bk, set, svc, store, now, req)
		// The same search again reuses the busy time the first read, and
		// the free starts worked out from it.
		got := compareSearch(ctx, t, bk, set, svc, store, now, req)
		// Then time moves on (holds lapse) or the first slot found is
		// taken, and the same search again must see it: busy time a
		// Booker keeps must be read again.
		switch {
		case len(got) > 0 && r.IntN(2) == 0:
			sl := got[0]
			id := fmt.Sprintf("b%d", k)
			a := booking.Appointment{ID: id, Area: "north", Service: "svc", Client: "c", Participants: sl.Participants,
				Start: sl.Start, End: sl.End, Status: booking.StatusBooked, Channel: channel.InPerson, Version: 1}
			if r.IntN(2) == 0 {
				a.Status, a.HoldUntil = booking.StatusPending, now.Add(time.Duration(1+r.IntN(60))*time.Minute)
			}
			cr := booking.ClaimRequest{Now: now, Appointment: a}
			for _, p := range sl.Participants {
				c := booking.Claim{Owner: p, Appointment: id, Interval: booking.Interval{Start: sl.Start.Add(-svc.BufferBefore), End: sl.End.Add(svc.BufferAfter)}, Expires: a.HoldUntil}
				if svc.Capacity > 1 {
					c.Shared, c.Capacity = seatKey(svc, sl.Start), svc.Capacity
				}
				cr.Claims = append(cr.Claims, c)
			}
			require.NoError(t, store.Claim(ctx, cr))
		default:
			now = now.Add(time.Duration(r.IntN(90)) * time.Minute)
		}
		compareSearch(ctx, t, bk, set, svc, store, now, req)
	}
}

func randRequest(r *rand.Rand, now time.Time, ids []booking.CalendarID) booking.SearchRequest {
	req := booking.SearchRequest{Area: "north", Service: "svc", Limit: 1 + r.IntN(25)}
	switch r.IntN(4) {
	case 0:
		req.By = booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "c1"}, ClientGroup: []string{"adult", "adult", "child"}[r.IntN(3)]}
	case 1:
		req.By = booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1"}, Acute: true}
	default:
		req.By = booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1"}}
	}
	if r.IntN(3) == 0 {
		req.From = now.Add(time.Duration(r.IntN(72*60)-60) * time.Minute)
	}
	if r.IntN(3) == 0 {
		req.To = now.Add(time.Duration(r.IntN(40*24)) * time.Hour)
	}
	switch r.IntN(6) {
	case 0:
		req.Professional = carecontact.ProfessionalID(ids[r.IntN(len(ids))])
	case 1:
		req.Team = "team-a"
	}
	return req
}

// compareSearch runs req through bk and through refSearch and requires the
// same answer; it returns the slots.
func compareSearch(ctx context.Context, t *testing.T, bk *booking.Booker, set *booking.CalendarSet, svc booking.Service, store booking.Store, now time.Time, req booking.SearchRequest) []booking.Slot {
	t.Helper()
	want, wantErr := refSearch(ctx, set, svc, store, now, req)
	got, err := bk.Search(ctx, req)
	if wantErr != nil {
		require.ErrorIs(t, err, wantErr)
		return nil
	}
	require.NoError(t, err)
	require.Equal(t, want, got, "request %+v at %s", req, now)
	return got
}

// seatKey is the Shared key the Booker gives the claims of a shared slot
// of svc starting at start: area/code@Unix seconds.
func seatKey(svc booking.Service, start time.Time) string {
	return fmt.Sprintf("%s/%s@%d", svc.Area, svc.Code, start.Unix())
}

// busyOnly hides the optional SpanStore of the store it wraps.
type busyOnly struct{ booking.Store }

// refSearch is the search rules read off the documentation, slowly: every
// grid start of every block of every candidate, checked one by one.
func refSearch(ctx context.Context, set *booking.CalendarSet, svc booking.Service, store booking.Store, now time.Time, req booking.SearchRequest) ([]booking.Slot, error) {
	if !req.From.IsZero() && !req.To.IsZero() && req.To.Before(req.From) {
		return nil, booking.ErrInvalid
	}
	self := req.By.Actor.Kind == audit.ActorClient
	lo, hi := now, now.Add(90*24*time.Hour)
	if req.From.After(lo) {
		lo = req.From
	}
	if !req.To.IsZero() {
		hi = req.To
	}
	if self {
		if !slices.Contains(svc.SelfBookGroups, req.By.ClientGroup) {
			return nil, booking.ErrNotAllowed
		}
		if n := now.Add(svc.MinNotice); lo.Before(n) {
			lo = n
		}
		if svc.Horizon > 0 && hi.After(now.Add(svc.Horizon)) {
			hi = now.Add(svc.Horizon)
		}
	}
	limit := req.Limit
	step := svc.Step
	if step == 0 {
		step = svc.BufferBefore + svc.Duration + svc.BufferAfter
	}
	loc := civil.Helsinki()
	today := civil.DateOf(now, loc)
	allowed := func(c booking.Calendar, t booking.BlockType, s time.Time) bool {
		if c.Kind == booking.OwnerResource {
			return t != booking.BlockCallback
		}
		switch t {
		case booking.BlockSelfService:
			return true
		case booking.BlockProfessionalOnly:
			return !self
		case booking.BlockAcuteReserve:
			return !self && req.By.Acute && civil.DateOf(s, loc) == today
		}
		return false
	}
	var cands [][]booking.Calendar
	for i, rq := range svc.Requires {
		var cs []booking.Calendar
		for _, id := range set.InArea(svc.Area) {
			c, _ := set.Calendar(id)
			if c.Kind != rq.Kind || c.Role != rq.Role || (rq.Skill != "" && !slices.Contains(c.Skills, rq.Skill)) {
				continue
			}
			if i == 0 && ((req.Professional != "" && c.ID != booking.ProfessionalCalendar(req.Professional)) || (req.Team != "" && c.Team != req.Team)) {
				continue
			}
			cs = append(cs, c)
		}
		if len(cs) == 0 {
			return nil, nil
		}
		cands = append(cands, cs)
	}
	blocksAround := func(c booking.Calendar, from, to time.Time) []booking.Block {
		var out []booking.Block
		for d := civil.DateOf(from, loc).AddDays(-1); !civil.DateOf(to, loc).AddDays(1).Before(d); d = d.AddDays(1) {
			bs, err := c.BlocksOn(d)
			if err != nil {
				panic(err)
			}
			out = append(out, bs...)
		}
		return out
	}
	free := func(c booking.Calendar, s time.Time) bool {
		iv := booking.Interval{Start: s.Add(-svc.BufferBefore), End: s.Add(svc.Duration + svc.BufferAfter)}
		claims, err := store.Busy(ctx, []booking.CalendarID{c.ID}, iv, now)
		if err != nil {
			panic(err)
		}
		// A slot of a service with Capacity > 1 stays free while its
		// shared slot has a seat left: every claim over it is a live seat
		// of exactly this slot, fewer than the capacity.
		if svc.Capacity > 1 && len(claims) > 0 && len(claims) < svc.Capacity {
			for _, cl := range claims {
				if cl.Shared != seatKey(svc, s) || cl.Interval != iv || cl.Capacity != svc.Capacity {
					return false
				}
			}
			return true
		}
		return len(claims) == 0
	}
	fits := func(c booking.Calendar, s time.Time) bool {
		slot := booking.Interval{Start: s, End: s.Add(svc.Duration)}
		for _, b := range blocksAround(c, s, s) {
			if b.Contains(slot) && allowed(c, b.Type, s) {
				return free(c, s)
			}
		}
		return false
	}
	type cand struct {
		start time.Time
		cal   booking.Calendar
		block booking.BlockType
	}
	var all []cand
	for _, c := range cands[0] {
		for _, b := range blocksAround(c, lo, hi) {
			for s := b.Start; !s.Add(svc.Duration).After(b.End); s = s.Add(step) {
				if !s.Before(lo) && s.Before(hi) && allowed(c, b.Type, s) && free(c, s) {
					all = append(all, cand{s, c, b.Type})
				}
			}
		}
	}
	slices.SortFunc(all, func(a, b cand) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return cmp.Compare(a.cal.ID, b.cal.ID)
	})
	var out []booking.Slot
	for _, x := range all {
		if len(out) == limit {
			break
		}
		parts := []booking.CalendarID{x.cal.ID}
		ok := true
		for _, cs := range cands[1:] {
			found := false
			for _, c := range cs {
				if !slices.Contains(parts, c.ID) && fits(c, x.start) {
					parts = append(parts, c.ID)
					found = true
					break
				}
			}
			if !found {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, booking.Slot{Area: svc.Area, Service: svc.Code, Start: x.start.UTC(), End: x.start.Add(svc.Duration).UTC(),
				Participants: parts, Block: x.block})
		}
	}
	return out, nil
}

// TestSearchWhileBooking searches and holds from many goroutines on one
// Booker (whose kept busy time they share), then checks that a search
// afterwards still matches refSearch.
func TestSearchWhileBooking(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	req := booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 5, By: pro}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 20 {
				slots, err := f.b.Search(ctx, req)
				if err != nil {
					t.Errorf("search: %v", err)
					return
				}
				if len(slots) == 0 || (g+k)%2 == 1 {
					continue
				}
				_, err = f.b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "c", By: pro})
				if err != nil && !errors.Is(err, booking.ErrSlotTaken) {
					t.Errorf("hold: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	svc, err := f.b.Service("north", "nurse-visit")
	require.NoError(t, err)
	set, err := booking.NewCalendarSet(fixtureCalendars(t)) // the fixture's calendars
	require.NoError(t, err)
	compareSearch(ctx, t, f.b, set, svc, f.store, f.now, req)
}
