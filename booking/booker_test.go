package booking_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
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

var workdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

func sp(t testing.TB, s string) civil.Span {
	t.Helper()
	x, err := civil.ParseSpan(s)
	require.NoError(t, err)
	return x
}

func helsinki(t testing.TB, y int, m time.Month, d, h, min int) time.Time {
	t.Helper()
	loc := civil.Helsinki()
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

func nurse(t testing.TB, id carecontact.ProfessionalID, team carecontact.TeamID) booking.Calendar {
	return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: "north", Team: team, Role: "nurse",
		Rules: []booking.WeeklyRule{
			{Weekdays: workdays, Span: sp(t, "08:00-12:00"), Breaks: []civil.Span{sp(t, "11:00-11:30")}, Block: booking.BlockSelfService},
			{Weekdays: workdays, Span: sp(t, "12:00-14:00"), Block: booking.BlockProfessionalOnly},
			{Weekdays: workdays, Span: sp(t, "14:00-15:00"), Block: booking.BlockAcuteReserve},
			{Weekdays: workdays, Span: sp(t, "15:00-16:00"), Block: booking.BlockCallback},
		}}
}

func fixtureCalendars(t testing.TB) []booking.Calendar {
	return []booking.Calendar{
		nurse(t, "nurse-1", "team-a"),
		nurse(t, "nurse-2", "team-b"),
		{ID: "doctor-1", Kind: booking.OwnerProfessional, Area: "north", Team: "team-a", Role: "doctor", Skills: []string{"diabetes"},
			Rules: []booking.WeeklyRule{{Weekdays: workdays, Span: sp(t, "09:00-12:00"), Block: booking.BlockSelfService}}},
		{ID: "room-1", Kind: booking.OwnerResource, Area: "north", Role: "room",
			Rules: []booking.WeeklyRule{{Weekdays: workdays, Span: sp(t, "08:00-16:00"), Block: booking.BlockSelfService}}},
		{ID: "night-nurse", Kind: booking.OwnerProfessional, Area: "night", Role: "nurse", OpenOnHolidays: true,
			Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Sunday}, Span: sp(t, "01:00-06:00"), Block: booking.BlockSelfService}}},
	}
}

func fixtureCatalogues(t testing.TB) []*booking.Catalogue {
	north, err := booking.NewCatalogue("north", []booking.Service{
		{Code: "nurse-visit", Area: "north", Names: civil.Names{FI: "Hoitajan vastaanotto", SV: "Skötarmottagning", EN: "Nurse appointment"},
			Duration: 30 * time.Minute, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult"}, MinNotice: 2 * time.Hour, Horizon: 30 * 24 * time.Hour, MaxPerClient: 1, Period: 30 * 24 * time.Hour,
			PreQuestions: []booking.Question{{ID: "symptoms", Text: civil.Names{FI: "Oireet?"}, Required: true}, {ID: "meds", Text: civil.Names{FI: "Lääkkeet?"}}}},
		{Code: "joint-visit", Area: "north", Names: civil.Names{FI: "Yhteisvastaanotto"}, Duration: 30 * time.Minute, Channel: channel.InPerson,
			Requires:       []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}, {Kind: booking.OwnerProfessional, Role: "doctor", Skill: "diabetes"}, {Kind: booking.OwnerResource, Role: "room"}},
			SelfBookGroups: []string{"adult"}},
		{Code: "video-check", Area: "north", Names: civil.Names{FI: "Videovastaanotto"}, Duration: 20 * time.Minute, Channel: channel.Video,
			Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}, BufferBefore: 5 * time.Minute, BufferAfter: 5 * time.Minute},
	})
	require.NoError(t, err)
	night, err := booking.NewCatalogue("night", []booking.Service{
		{Code: "night-call", Area: "night", Names: civil.Names{FI: "Yöpuhelu"}, Duration: 30 * time.Minute, Channel: channel.InboundPhone,
			Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}, SelfBookGroups: []string{"adult"}},
	})
	require.NoError(t, err)
	return []*booking.Catalogue{north, night}
}

type fixture struct {
	b     *booking.Booker
	store *memory.BookingStore
	now   time.Time
}

func (f *fixture) set(t time.Time) { f.now = t }

func newFixture(t testing.TB, from civil.Date, days int) *fixture {
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, from, days)
	require.NoError(t, err)
	f := &fixture{store: memory.NewBookingStore(nil)}
	f.now = helsinki(t, 2026, time.December, 7, 7, 0) // Monday
	f.b, err = booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: f.store, Audit: f.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff})
	require.NoError(t, err)
	return f
}

func client(id string) booking.Requester {
	return booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: id}, ClientGroup: "adult"}
}

// fixtureStaff is the host's staff directory: staff-7 works at the north
// station without a calendar; coord-1 coordinates bookings of every area.
var fixtureStaff = func() *carecontact.Staff {
	s, err := carecontact.NewStaff([]carecontact.StaffMember{
		{ID: "staff-7", Teams: []carecontact.TeamID{"north-desk"}, Area: "north"},
		{ID: "staff-1", Teams: []carecontact.TeamID{"north-desk"}, Area: "north"},
		{ID: "coord-1", Teams: []carecontact.TeamID{"central"}, Grants: []carecontact.Grant{{Role: booking.DefaultCrossAreaRole, Scope: carecontact.ScopeOrganisation}}},
		{ID: "south-1", Teams: []carecontact.TeamID{"south-desk"}, Area: "south"},
	}, nil)
	if err != nil {
		panic(err)
	}
	return s
}()

var pro = booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "staff-7", Role: "nurse"}}

type hm struct {
	h, m int
	who  booking.CalendarID
}

func starts(t testing.TB, slots []booking.Slot) []hm {
	loc := civil.Helsinki()
	var out []hm
	for _, s := range slots {
		l := s.Start.In(loc)
		out = append(out, hm{l.Hour(), l.Minute(), s.Participants[0]})
		require.Equal(t, 30*time.Minute, s.End.Sub(s.Start))
	}
	return out
}

func TestSearchRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	tests := []struct {
		name string
		req  booking.SearchRequest
		want []hm
		err  error
	}{
		{"client: minimum notice, earliest first, ties by calendar",
			booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 5, By: client("c1")},
			[]hm{{9, 0, "nurse-1"}, {9, 0, "nurse-2"}, {9, 30, "nurse-1"}, {9, 30, "nurse-2"}, {10, 0, "nurse-1"}}, nil},
		{"client: lunch break skipped, professional-only not offered",
			booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-2", From: helsinki(t, 2026, 12, 7, 10, 15), Limit: 3, By: client("c1")},
			[]hm{{10, 30, "nurse-2"}, {11, 30, "nurse-2"}, {8, 0, "nurse-2"}}, nil},
		{"professional: professional-only time, no acute without the flag, never callback",
			booking.SearchRequest{Area: "north", Service: "nurse-visit", Team: "team-a", From: helsinki(t, 2026, 12, 7, 11, 30), Limit: 6, By: pro},
			[]hm{{11, 30, "nurse-1"}, {12, 0, "nurse-1"}, {12, 30, "nurse-1"}, {13, 0, "nurse-1"}, {13, 30, "nurse-1"}, {8, 0, "nurse-1"}}, nil},
		{"professional acute: same-day reserve today only",
			booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: helsinki(t, 2026, 12, 7, 13, 30), Limit: 4,
				By: booking.Requester{Actor: pro.Actor, Acute: true}},
			[]hm{{13, 30, "nurse-1"}, {14, 0, "nurse-1"}, {14, 30, "nurse-1"}, {8, 0, "nurse-1"}}, nil},
		{"holidays and eves closed: Christmas",
			booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: helsinki(t, 2026, 12, 23, 11, 30), Limit: 2, By: client("c1")},
			[]hm{{11, 30, "nurse-1"}, {8, 0, "nurse-1"}}, nil},
		{"buffers widen the grid", booking.SearchRequest{Area: "north", Service: "video-check", Professional: "nurse-1", From: helsinki(t, 2026, 12, 7, 8, 0), Limit: 3, By: pro},
			nil, nil},
		{"beyond the horizon", booking.SearchRequest{Area: "north", Service: "nurse-visit", From: helsinki(t, 2027, 1, 20, 8, 0), By: client("c1")}, nil, nil},
		{"group may not self-book", booking.SearchRequest{Area: "north", Service: "nurse-visit", By: booking.Requester{Actor: client("c1").Actor, ClientGroup: "child"}}, nil, booking.ErrNotAllowed},
		{"professional-only service", booking.SearchRequest{Area: "north", Service: "video-check", By: client("c1")}, nil, booking.ErrNotAllowed},
		{"unknown service", booking.SearchRequest{Area: "north", Service: "x", By: client("c1")}, nil, booking.ErrNotFound},
		{"unknown area", booking.SearchRequest{Area: "south", Service: "x", By: client("c1")}, nil, booking.ErrNotFound},
		{"bad requester", booking.SearchRequest{Area: "north", Service: "nurse-visit"}, nil, booking.ErrInvalid},
		{"limit too large", booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 5000, By: pro}, nil, booking.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := f.b.Search(ctx, tc.req)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			if tc.req.Service == "video-check" {
				require.Len(t, slots, 3)
				for i, s := range slots {
					require.Equal(t, helsinki(t, 2026, 12, 7, 8, 0).Add(time.Duration(i)*30*time.Minute), s.Start, "grid of 5+20+5 minutes")
					require.Equal(t, 20*time.Minute, s.End.Sub(s.Start))
				}
				return
			}
			require.Equal(t, tc.want, starts(t, slots))
		})
	}
	// Christmas: the day after 23 December with a slot is Monday 28 December.
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: helsinki(t, 2026, 12, 23, 11, 30), Limit: 2, By: client("c1")})
	require.NoError(t, err)
	require.Equal(t, helsinki(t, 2026, 12, 28, 8, 0), slots[1].Start)
	for _, s := range slots {
		require.Equal(t, booking.BlockSelfService, s.Block)
	}
}

// lastSunday returns the day of the last Sunday of month m of year y,
// computed with weekday arithmetic in UTC, independently of the zone
// database the package uses.
func lastSunday(y int, m time.Month) int {
	last := time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC) // day 0 of the next month
	return last.Day() - int(last.Weekday())
}

// TestSlotsAcrossDST books the night nurse's Sunday 01:00-06:00 (local)
// shift in 30-minute slots on the Sunday before each change and on the
// days of the changes in 2025..2030. Finland follows the EU rule
// (Directive 2000/84/EC): summer time begins at 01:00 UTC on the last
// Sunday of March (03:00 EET -> 04:00 EEST) and ends at 01:00 UTC on the
// last Sunday of October (04:00 EEST -> 03:00 EET). The expected UTC
// bounds are computed from the fixed offsets (EET = UTC+2, EEST = UTC+3),
// not from the zone database.
func TestSlotsAcrossDST(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, f *fixture, day civil.Date, wantStart, wantEnd time.Time) {
		t.Helper()
		f.set(wantStart.Add(-24 * time.Hour))
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "night", Service: "night-call", Limit: 50,
			From: wantStart.Add(-6 * time.Hour), To: wantEnd.Add(6 * time.Hour), By: client("c1")})
		require.NoError(t, err)
		want := int(wantEnd.Sub(wantStart) / (30 * time.Minute))
		require.Len(t, slots, want, "%s: every real half hour of the shift is one slot", day)
		seen := map[time.Time]bool{}
		for i, s := range slots {
			require.Equal(t, time.UTC, s.Start.Location(), "stored as UTC")
			require.Equal(t, 30*time.Minute, s.End.Sub(s.Start), "no slot of wrong length")
			require.False(t, seen[s.Start], "no slot doubled")
			seen[s.Start] = true
			if i > 0 {
				require.True(t, s.Start.Equal(slots[i-1].End), "no slot lost: slots are back to back in real time")
			}
		}
		require.Equal(t, wantStart, slots[0].Start)
		require.Equal(t, wantEnd, slots[len(slots)-1].End)
	}
	for y := 2025; y <= 2030; y++ {
		mar, oct := lastSunday(y, time.March), lastSunday(y, time.October)
		tests := []struct {
			name       string
			day        civil.Date
			start, end time.Time // 01:00 and 06:00 local in UTC
		}{
			{"ordinary winter sunday", civil.Date{Year: y, Month: time.March, Day: mar - 7},
				time.Date(y, time.March, mar-8, 23, 0, 0, 0, time.UTC), time.Date(y, time.March, mar-7, 4, 0, 0, 0, time.UTC)},
			{"spring forward: one hour less", civil.Date{Year: y, Month: time.March, Day: mar},
				time.Date(y, time.March, mar-1, 23, 0, 0, 0, time.UTC), time.Date(y, time.March, mar, 3, 0, 0, 0, time.UTC)},
			{"ordinary summer sunday", civil.Date{Year: y, Month: time.October, Day: oct - 7},
				time.Date(y, time.October, oct-8, 22, 0, 0, 0, time.UTC), time.Date(y, time.October, oct-7, 3, 0, 0, 0, time.UTC)},
			{"fall back: one hour more", civil.Date{Year: y, Month: time.October, Day: oct},
				time.Date(y, time.October, oct-1, 22, 0, 0, 0, time.UTC), time.Date(y, time.October, oct, 4, 0, 0, 0, time.UTC)},
		}
		// One index covering the year's changes, and one that ends before
		// them (the search then computes the blocks from the calendars).
		for _, indexed := range []bool{true, false} {
			from, days := civil.Date{Year: y, Month: time.March, Day: 1}, 250 // to early November
			if !indexed {
				from, days = civil.Date{Year: y, Month: time.January, Day: 1}, 40
			}
			f := newFixture(t, from, days)
			for _, tc := range tests {
				t.Run(fmt.Sprintf("%s %s indexed=%v", tc.day, tc.name, indexed), func(t *testing.T) {
					check(t, f, tc.day, tc.start, tc.end)
				})
			}
		}
	}
	// The expected dates themselves, as published for these years.
	require.Equal(t, []int{30, 29, 28, 26, 25, 31}, []int{lastSunday(2025, 3), lastSunday(2026, 3), lastSunday(2027, 3), lastSunday(2028, 3), lastSunday(2029, 3), lastSunday(2030, 3)})
	require.Equal(t, []int{26, 25, 31, 29, 28, 27}, []int{lastSunday(2025, 10), lastSunday(2026, 10), lastSunday(2027, 10), lastSunday(2028, 10), lastSunday(2029, 10), lastSunday(2030, 10)})
}

func TestHoldConfirmExpire(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	search := func() []booking.Slot {
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", Limit: 1, By: client("c1")})
		require.NoError(t, err)
		require.Len(t, slots, 1)
		return slots
	}
	first := search()[0]
	answers := []booking.Answer{{QuestionID: "symptoms", Text: "yskä"}}
	_, err := f.b.Hold(ctx, booking.BookRequest{Slot: first, Client: "c1", By: client("c1")})
	require.ErrorIs(t, err, booking.ErrInvalid, "required pre-question")
	_, err = f.b.Hold(ctx, booking.BookRequest{Slot: first, Client: "c2", By: client("c1")})
	require.ErrorIs(t, err, booking.ErrNotAllowed, "clients book for themselves")
	held, err := f.b.Hold(ctx, booking.BookRequest{Slot: first, Client: "c1", By: client("c1"), Answers: answers, GuidanceVersion: "nurse-visit/v3"})
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, held.Status)
	require.Equal(t, f.now.Add(15*time.Minute), held.HoldUntil)
	require.True(t, search()[0].Start.After(first.Start), "a held slot is not offered")
	_, err = f.b.Hold(ctx, booking.BookRequest{Slot: first, Client: "c2", By: client("c2"), Answers: answers})
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	deadline, ok, err := f.b.NextDeadline(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, held.HoldUntil, deadline)

	// Expiry: nothing happens until Advance is called at the deadline.
	f.set(deadline.Add(-time.Second))
	n, err := f.b.Expire(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	f.set(deadline)
	_, err = f.b.Confirm(ctx, held.ID, client("c1"))
	require.ErrorIs(t, err, booking.ErrHoldExpired)
	f.set(deadline)
	n, err = f.b.Expire(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, err := f.b.Appointment(ctx, held.ID, client("c1"))
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, got.Status)
	require.Equal(t, "hold expired", got.CancelReason)
	again, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: first.Start, Limit: 1, By: pro})
	require.NoError(t, err)
	require.Equal(t, first.Start, again[0].Start, "the slot is free again")
	f.set(helsinki(t, 2026, 12, 7, 7, 0))

	// Hold and confirm in time.
	held, err = f.b.Hold(ctx, booking.BookRequest{Slot: first, Client: "c1", By: client("c1"), Answers: answers, GuidanceVersion: "nurse-visit/v3"})
	require.NoError(t, err)
	f.set(f.now.Add(5 * time.Minute))
	booked, err := f.b.Confirm(ctx, held.ID, client("c1"))
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, booked.Status)
	require.Equal(t, "nurse-visit/v3", booked.GuidanceVersion)
	require.Equal(t, answers, booked.Answers)
	_, err = f.b.Confirm(ctx, held.ID, client("c1"))
	require.ErrorIs(t, err, booking.ErrIllegalTransition)
	_, err = f.b.Appointment(ctx, held.ID, client("c9"))
	require.ErrorIs(t, err, booking.ErrNotAllowed)

	// Max one self-booked nurse visit per 30 days.
	next := search()[0]
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: next, Client: "c1", By: client("c1"), Answers: answers})
	require.ErrorIs(t, err, booking.ErrLimitReached)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: next, Client: "c1", By: pro, Answers: answers})
	require.NoError(t, err, "professionals are not limited")

	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Client: "c1"})
	require.NoError(t, err)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action+"/"+string(e.Outcome))
	}
	require.Equal(t, []string{"booking.hold/denied", "booking.hold/allowed", "booking.confirm/denied", "booking.expire/allowed",
		"booking.read/allowed", "booking.hold/allowed", "booking.confirm/allowed", "booking.confirm/denied", "booking.book/denied", "booking.book/allowed"}, actions)
}

func TestForgedSlotsAreRefused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	answers := []booking.Answer{{QuestionID: "symptoms", Text: "x"}}
	mk := func(h, m int, who ...booking.CalendarID) booking.Slot {
		s := helsinki(t, 2026, 12, 8, h, m)
		return booking.Slot{Area: "north", Service: "nurse-visit", Start: s, End: s.Add(30 * time.Minute), Participants: who}
	}
	tests := []struct {
		name string
		slot booking.Slot
		by   booking.Requester
		err  error
	}{
		{"break", mk(11, 0, "nurse-1"), client("c1"), booking.ErrNotAllowed},
		{"professional-only time for a client", mk(12, 0, "nurse-1"), client("c1"), booking.ErrNotAllowed},
		{"callback time", mk(15, 0, "nurse-1"), pro, booking.ErrNotAllowed},
		{"acute reserve on another day", mk(14, 0, "nurse-1"), booking.Requester{Actor: pro.Actor, Acute: true}, booking.ErrNotAllowed},
		{"wrong role", mk(9, 0, "doctor-1"), client("c1"), booking.ErrInvalid},
		{"wrong length", booking.Slot{Area: "north", Service: "nurse-visit", Start: mk(9, 0).Start, End: mk(9, 0).Start.Add(time.Hour), Participants: []booking.CalendarID{"nurse-1"}}, client("c1"), booking.ErrInvalid},
		{"too soon", booking.Slot{Area: "north", Service: "nurse-visit", Start: helsinki(t, 2026, 12, 7, 8, 0), End: helsinki(t, 2026, 12, 7, 8, 30), Participants: []booking.CalendarID{"nurse-1"}}, client("c1"), booking.ErrNotAllowed},
		{"beyond the horizon", booking.Slot{Area: "north", Service: "nurse-visit", Start: helsinki(t, 2027, 1, 11, 9, 0), End: helsinki(t, 2027, 1, 11, 9, 30), Participants: []booking.CalendarID{"nurse-1"}}, client("c1"), booking.ErrNotAllowed},
		{"client group may not self-book", mk(9, 0, "nurse-1"), booking.Requester{Actor: client("c1").Actor, ClientGroup: "child"}, booking.ErrNotAllowed},
		{"holiday", booking.Slot{Area: "north", Service: "nurse-visit", Start: helsinki(t, 2026, 12, 24, 9, 0), End: helsinki(t, 2026, 12, 24, 9, 30), Participants: []booking.CalendarID{"nurse-1"}}, client("c1"), booking.ErrNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.Book(ctx, booking.BookRequest{Slot: tc.slot, Client: "c1", By: tc.by, Answers: answers})
			require.ErrorIs(t, err, tc.err)
		})
	}
	_, err := f.b.Book(ctx, booking.BookRequest{Slot: mk(12, 0, "nurse-1"), Client: "c1", By: pro, Answers: answers})
	require.NoError(t, err)
}

// TestBuffersKeepNeighboursFree books appointments with and without
// buffers next to each other: a service's buffers keep its participants
// free around it, in search and in the atomic booking alike.
func TestBuffersKeepNeighboursFree(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	at := func(h, m int) time.Time { return helsinki(t, 2026, 12, 8, h, m) }
	slot := func(service string, h, m int) booking.Slot {
		d := 30 * time.Minute
		if service == "video-check" {
			d = 20 * time.Minute
		}
		return booking.Slot{Area: "north", Service: service, Start: at(h, m), End: at(h, m).Add(d), Participants: []booking.CalendarID{"nurse-1"}}
	}
	// nurse-1: nurse visit 08:30-09:00 (no buffers), video check 10:00-10:20
	// with 5 minutes before and after (09:55-10:25).
	_, err := f.b.Book(ctx, booking.BookRequest{Slot: slot("nurse-visit", 8, 30), Client: "c1", By: pro})
	require.NoError(t, err)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slot("video-check", 10, 0), Client: "c2", By: pro})
	require.NoError(t, err)
	tests := []struct {
		name    string
		service string
		h, m    int
		free    bool
	}{
		{"video check before the visit: buffer ends 08:25", "video-check", 8, 0, true},
		{"video check right after the visit: its buffer from 08:55 overlaps", "video-check", 9, 0, false},
		{"video check at 09:30: buffer 09:25-09:55 touches the next one", "video-check", 9, 30, true},
		{"nurse visit 09:30-10:00 overlaps the video check's buffer from 09:55", "nurse-visit", 9, 30, false},
		{"nurse visit 10:00 overlaps the video check", "nurse-visit", 10, 0, false},
		{"nurse visit 10:30 starts after the buffer ends at 10:25", "nurse-visit", 10, 30, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: tc.service, Professional: "nurse-1",
				From: at(tc.h, tc.m), To: at(tc.h, tc.m).Add(time.Second), By: pro})
			require.NoError(t, err)
			require.Equal(t, tc.free, len(slots) == 1, "search")
			// Booking it (and cancelling again) agrees with the search.
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slot(tc.service, tc.h, tc.m), Client: "c3", By: pro})
			if !tc.free {
				require.ErrorIs(t, err, booking.ErrSlotTaken)
				return
			}
			require.NoError(t, err)
			_, err = f.b.Cancel(ctx, a.ID, "test", pro)
			require.NoError(t, err)
		})
	}
}

func TestMultiProfessionalAndResources(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	req := booking.SearchRequest{Area: "north", Service: "joint-visit", From: helsinki(t, 2026, 12, 8, 8, 0), Limit: 3, By: client("c1")}
	slots, err := f.b.Search(ctx, req)
	require.NoError(t, err)
	require.Len(t, slots, 3)
	require.Equal(t, helsinki(t, 2026, 12, 8, 9, 0), slots[0].Start, "the doctor starts at 09:00")
	require.Equal(t, []booking.CalendarID{"nurse-1", "doctor-1", "room-1"}, slots[0].Participants)
	require.Equal(t, []booking.CalendarID{"nurse-2", "doctor-1", "room-1"}, slots[1].Participants)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c1", By: client("c1")})
	require.NoError(t, err)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[1], Client: "c2", By: client("c2")})
	require.ErrorIs(t, err, booking.ErrSlotTaken, "the doctor and the room are taken")
	slots, err = f.b.Search(ctx, req)
	require.NoError(t, err)
	require.Equal(t, helsinki(t, 2026, 12, 8, 9, 30), slots[0].Start)
	// The single-nurse service still finds nurse-2 at 09:00: only the joint
	// participants are taken.
	one, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", From: helsinki(t, 2026, 12, 8, 9, 0), Limit: 1, By: client("c3")})
	require.NoError(t, err)
	require.Equal(t, []booking.CalendarID{"nurse-2"}, one[0].Participants)
	require.Equal(t, helsinki(t, 2026, 12, 8, 9, 0), one[0].Start)
}

func TestCancelLateWaitlistAndReschedule(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	answers := []booking.Answer{{QuestionID: "symptoms", Text: "x"}}
	find := func(from time.Time) booking.Slot {
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: from, Limit: 1, By: pro})
		require.NoError(t, err)
		require.Len(t, slots, 1)
		return slots[0]
	}
	tomorrow := find(helsinki(t, 2026, 12, 8, 9, 0))
	a, err := f.b.Book(ctx, booking.BookRequest{Slot: tomorrow, Client: "c1", By: client("c1"), Answers: answers})
	require.NoError(t, err)
	_, err = f.b.Cancel(ctx, a.ID, "", client("c1"))
	require.ErrorIs(t, err, booking.ErrInvalid)
	_, err = f.b.Cancel(ctx, a.ID, "feeling better", client("c2"))
	require.ErrorIs(t, err, booking.ErrNotAllowed)

	// Two clients wait; the earlier one gets the cancelled slot as a hold.
	_, err = f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c5", By: client("c5")})
	require.ErrorIs(t, err, booking.ErrInvalid, "required answers")
	_, err = f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c6", By: client("c5"), Answers: answers})
	require.ErrorIs(t, err, booking.ErrNotAllowed)
	w1, err := f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c5", By: client("c5"), Answers: answers, GuidanceVersion: "g7"})
	require.NoError(t, err)
	f.set(f.now.Add(time.Minute))
	_, err = f.b.Wait(ctx, booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: "c6", By: client("c6"), Answers: answers})
	require.NoError(t, err)
	f.set(helsinki(t, 2026, 12, 7, 15, 0)) // 18 hours before: late
	res, err := f.b.Cancel(ctx, a.ID, "feeling better", client("c1"))
	require.NoError(t, err)
	require.True(t, res.Cancelled.LateCancel)
	require.NotNil(t, res.Offer)
	require.Equal(t, carecontact.ClientRef("c5"), res.Offer.Client)
	require.Equal(t, booking.StatusPending, res.Offer.Status)
	require.Equal(t, tomorrow.Start, res.Offer.Start)
	require.Equal(t, f.now.Add(2*time.Hour), res.Offer.HoldUntil)
	require.Equal(t, answers, res.Offer.Answers)
	require.Equal(t, "g7", res.Offer.GuidanceVersion)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: tomorrow, Client: "c7", By: client("c7"), Answers: answers})
	require.ErrorIs(t, err, booking.ErrSlotTaken, "the waiting client has it first")
	ws, err := f.store.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Len(t, ws, 1)
	require.NotEqual(t, w1.ID, ws[0].ID)
	offer, err := f.b.Confirm(ctx, res.Offer.ID, client("c5"))
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, offer.Status)
	requireOffer(t, f, "c5", res.Offer.ID, w1.ID, a.ID)

	// Reschedule c5 to the next day: the new slot is taken and the old freed
	// in one step, and the freed time goes to c6, who is still waiting.
	later := find(helsinki(t, 2026, 12, 9, 9, 0))
	rr, err := f.b.Reschedule(ctx, offer.ID, later, client("c5"))
	require.NoError(t, err)
	moved := rr.Moved
	require.Equal(t, offer.ID, moved.RescheduledFrom)
	old, err := f.b.Appointment(ctx, offer.ID, pro)
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, old.Status)
	require.Equal(t, old, rr.Cancelled)
	require.Equal(t, moved.ID, old.RescheduledTo)
	require.False(t, old.LateCancel)
	require.NotNil(t, rr.Offer)
	require.Equal(t, carecontact.ClientRef("c6"), rr.Offer.Client)
	require.Equal(t, tomorrow.Start, rr.Offer.Start)
	requireOffer(t, f, "c6", rr.Offer.ID, ws[0].ID, offer.ID)
	_, err = f.b.Reschedule(ctx, old.ID, later, client("c5"))
	require.ErrorIs(t, err, booking.ErrIllegalTransition)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: tomorrow, Client: "c7", By: client("c7"), Answers: answers})
	require.ErrorIs(t, err, booking.ErrSlotTaken, "the waiting client has the rescheduled time first")
	_, err = f.b.Confirm(ctx, rr.Offer.ID, client("c6"))
	require.NoError(t, err)

	// Early cancellation is not late; no one waiting gets nothing.
	b2, err := f.b.Book(ctx, booking.BookRequest{Slot: find(helsinki(t, 2026, 12, 15, 9, 0)), Client: "c8", By: client("c8"), Answers: answers})
	require.NoError(t, err)
	res, err = f.b.Cancel(ctx, b2.ID, "moving away", client("c8"))
	require.NoError(t, err)
	require.False(t, res.Cancelled.LateCancel)

	// Mark the rest.
	f.set(moved.Start.Add(time.Minute))
	_, err = f.b.Mark(ctx, moved.ID, booking.StatusFulfilled, client("c5"))
	require.ErrorIs(t, err, booking.ErrNotAllowed)
	_, err = f.b.Mark(ctx, moved.ID, booking.StatusNoShow, pro)
	require.NoError(t, err)
	_, err = f.b.Mark(ctx, moved.ID, booking.StatusFulfilled, pro)
	require.ErrorIs(t, err, booking.ErrIllegalTransition)
	as, err := f.b.ClientAppointments(ctx, "c1", client("c1"))
	require.NoError(t, err)
	require.Equal(t, 1, booking.LateCancellations(as, time.Time{}))
}

// requireOffer checks that the waitlist offer to client was recorded in
// the audit log: a system event naming the wait entry and the appointment
// whose time it was.
func requireOffer(t *testing.T, f *fixture, client, offerID, waiterID, fromID string) {
	t.Helper()
	evs, err := f.store.AuditLog().Events(context.Background(), audit.Filter{Client: carecontact.ClientRef(client), Action: "booking.offer"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	e := evs[0]
	require.Equal(t, audit.ActorSystem, e.Actor.Kind)
	require.Equal(t, "appointment/"+offerID, e.Subject)
	require.Equal(t, audit.Allowed, e.Outcome)
	require.Equal(t, waiterID, e.Detail["waiter"])
	require.Equal(t, fromID, e.Detail["from"])
	require.Equal(t, string(booking.StatusPending), e.Detail["status"])
}

func TestRescheduleOffersFreedSlotToWaitlist(t *testing.T) {
	ctx := context.Background()
	answers := []booking.Answer{{QuestionID: "symptoms", Text: "x"}}
	tests := []struct {
		name string
		// setup books or holds c1's appointment and adds waiters; it
		// returns the appointment to move.
		setup func(t *testing.T, f *fixture, from, to booking.Slot) booking.Appointment
		// target is where c1 moves to (default: the slot a day later).
		target    func(from, to booking.Slot) booking.Slot
		wantErr   error
		offeredTo string // "" for no offer
		waiting   []string
	}{
		{name: "nobody waits", offeredTo: "", waiting: nil,
			setup: func(t *testing.T, f *fixture, from, _ booking.Slot) booking.Appointment {
				return book(t, f, from, "c1")
			}},
		{name: "the oldest waiter gets it", offeredTo: "c5", waiting: []string{"c6"},
			setup: func(t *testing.T, f *fixture, from, _ booking.Slot) booking.Appointment {
				wait(t, f, "c5", booking.Interval{})
				wait(t, f, "c6", booking.Interval{})
				return book(t, f, from, "c1")
			}},
		{name: "a waiter whose window does not fit is passed over", offeredTo: "c6", waiting: []string{"c5"},
			setup: func(t *testing.T, f *fixture, from, _ booking.Slot) booking.Appointment {
				wait(t, f, "c5", booking.Interval{Start: from.End, End: from.End.Add(48 * time.Hour)})
				wait(t, f, "c6", booking.Interval{Start: from.Start.Add(-time.Hour), End: from.End})
				return book(t, f, from, "c1")
			}},
		{name: "a waiter at the booking limit is passed over", offeredTo: "c6", waiting: []string{"c5"},
			setup: func(t *testing.T, f *fixture, from, to booking.Slot) booking.Appointment {
				wait(t, f, "c5", booking.Interval{})
				wait(t, f, "c6", booking.Interval{})
				book(t, f, to, "c5") // c5 already has a nurse visit this month
				return book(t, f, from, "c1")
			},
			target: func(from, to booking.Slot) booking.Slot { return nextDay(to) }},
		{name: "the rescheduling client's own wait entry is passed over", offeredTo: "", waiting: []string{"c1"},
			setup: func(t *testing.T, f *fixture, from, _ booking.Slot) booking.Appointment {
				wait(t, f, "c1", booking.Interval{})
				return book(t, f, from, "c1")
			}},
		{name: "a hold is not offered", offeredTo: "", waiting: []string{"c5"},
			setup: func(t *testing.T, f *fixture, from, _ booking.Slot) booking.Appointment {
				wait(t, f, "c5", booking.Interval{})
				a, err := f.b.Hold(ctx, booking.BookRequest{Slot: from, Client: "c1", By: client("c1"), Answers: answers})
				require.NoError(t, err)
				return a
			}},
		{name: "new slot taken: nothing changes", wantErr: booking.ErrSlotTaken, waiting: []string{"c5"},
			setup: func(t *testing.T, f *fixture, from, to booking.Slot) booking.Appointment {
				wait(t, f, "c5", booking.Interval{})
				book(t, f, to, "c8")
				return book(t, f, from, "c1")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			from := findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0))
			to := findSlot(t, f, helsinki(t, 2026, 12, 9, 9, 0))
			a := tc.setup(t, f, from, to)
			target := to
			if tc.target != nil {
				target = tc.target(from, to)
			}
			f.set(f.now.Add(time.Minute))
			rr, err := f.b.Reschedule(ctx, a.ID, target, client("c1"))
			got, gerr := f.store.Appointment(ctx, a.ID)
			require.NoError(t, gerr)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, a, got, "the old appointment stays as it was")
			} else {
				require.NoError(t, err)
				require.Equal(t, booking.StatusCancelled, got.Status)
				require.Equal(t, target.Start, rr.Moved.Start)
				if tc.offeredTo == "" {
					require.Nil(t, rr.Offer)
				} else {
					require.NotNil(t, rr.Offer)
					require.Equal(t, tc.offeredTo, string(rr.Offer.Client))
					require.Equal(t, from.Start, rr.Offer.Start)
					require.Equal(t, from.Participants, rr.Offer.Participants)
					require.Equal(t, booking.StatusPending, rr.Offer.Status)
					require.Equal(t, f.now.Add(2*time.Hour), rr.Offer.HoldUntil)
					require.Equal(t, answers, rr.Offer.Answers)
					evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Client: carecontact.ClientRef(tc.offeredTo), Action: "booking.offer"})
					require.NoError(t, err)
					require.Len(t, evs, 1)
					require.Equal(t, a.ID, evs[0].Detail["from"])
				}
			}
			ws, err := f.store.Waiters(ctx, "north", "nurse-visit")
			require.NoError(t, err)
			var waiting []string
			for _, w := range ws {
				waiting = append(waiting, string(w.Client))
			}
			require.Equal(t, tc.waiting, waiting)
			// The freed time is free to book exactly when nobody was offered it.
			_, err = f.b.Book(ctx, booking.BookRequest{Slot: from, Client: "c7", By: pro})
			if tc.offeredTo != "" || tc.wantErr != nil {
				require.ErrorIs(t, err, booking.ErrSlotTaken)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestLapsedWaitlistOfferGoesToNextWaiter(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	from := findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0))
	a := book(t, f, from, "c1")
	wait(t, f, "c5", booking.Interval{})
	wait(t, f, "c6", booking.Interval{})
	ws, err := f.store.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Len(t, ws, 2)
	res, err := f.b.Cancel(ctx, a.ID, "feeling better", client("c1"))
	require.NoError(t, err)
	first := res.Offer
	require.NotNil(t, first)
	require.Equal(t, carecontact.ClientRef("c5"), first.Client)
	require.Equal(t, ws[0].ID, first.FromWaitlist)

	// c5 does not confirm: at the deadline the time goes on to c6.
	deadline, ok, err := f.b.NextDeadline(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, first.HoldUntil, deadline)
	f.set(deadline)
	n, err := f.b.Expire(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	lapsed, err := f.store.Appointment(ctx, first.ID)
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, lapsed.Status)
	require.Equal(t, "hold expired", lapsed.CancelReason)
	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Client: "c6", Action: "booking.offer"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, first.ID, evs[0].Detail["from"])
	require.Equal(t, ws[1].ID, evs[0].Detail["waiter"])
	second, err := f.store.Appointment(ctx, evs[0].Subject[len("appointment/"):])
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, second.Status)
	require.Equal(t, from.Start, second.Start)
	require.Equal(t, deadline.Add(2*time.Hour), second.HoldUntil)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: from, Client: "c7", By: pro})
	require.ErrorIs(t, err, booking.ErrSlotTaken, "c6 has it first")

	// c6 does not confirm either and nobody else waits: the time is free.
	f.set(second.HoldUntil)
	n, err = f.b.Expire(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	left, err := f.store.Waiters(ctx, "north", "nurse-visit")
	require.NoError(t, err)
	require.Empty(t, left)
	_, ok, err = f.b.NextDeadline(ctx)
	require.NoError(t, err)
	require.False(t, ok)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: from, Client: "c7", By: pro})
	require.NoError(t, err)
}

func findSlot(t *testing.T, f *fixture, from time.Time) booking.Slot {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-1", From: from, Limit: 1, By: pro})
	require.NoError(t, err)
	require.Len(t, slots, 1)
	return slots[0]
}

func nextDay(s booking.Slot) booking.Slot {
	s.Start, s.End = s.Start.Add(24*time.Hour), s.End.Add(24*time.Hour)
	return s
}

func book(t *testing.T, f *fixture, s booking.Slot, who string) booking.Appointment {
	t.Helper()
	a, err := f.b.Book(context.Background(), booking.BookRequest{Slot: s, Client: carecontact.ClientRef(who), By: client(who), Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.NoError(t, err)
	return a
}

func wait(t *testing.T, f *fixture, who string, window booking.Interval) {
	t.Helper()
	_, err := f.b.Wait(context.Background(), booking.WaitRequest{Area: "north", Service: "nurse-visit", Client: carecontact.ClientRef(who), Window: window,
		By: client(who), Answers: []booking.Answer{{QuestionID: "symptoms", Text: "x"}}})
	require.NoError(t, err)
	f.set(f.now.Add(time.Second)) // waiters join one after another
}

func TestMark(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		status booking.Status
		by     booking.Requester
		after  time.Duration // when, relative to the start
		err    error
	}{
		{"no-show before the start", booking.StatusNoShow, pro, -time.Minute, booking.ErrIllegalTransition},
		{"fulfilled before the start", booking.StatusFulfilled, pro, -time.Minute, booking.ErrIllegalTransition},
		{"no-show after the start", booking.StatusNoShow, pro, time.Minute, nil},
		{"fulfilled after the start", booking.StatusFulfilled, pro, 10 * time.Minute, nil},
		{"client checks in early", booking.StatusCheckedIn, client("c1"), -10 * time.Minute, nil},
		{"arrived early", booking.StatusArrived, pro, -5 * time.Minute, nil},
		{"client may not mark fulfilled", booking.StatusFulfilled, client("c1"), time.Minute, booking.ErrNotAllowed},
		{"another client may not check in", booking.StatusCheckedIn, client("c2"), -time.Minute, booking.ErrNotAllowed},
		{"booked is not a mark", booking.StatusBooked, pro, time.Minute, booking.ErrInvalid},
		{"entered in error", booking.StatusEnteredInError, pro, -time.Hour, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 1, By: pro})
			require.NoError(t, err)
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c1", By: pro})
			require.NoError(t, err)
			f.set(a.Start.Add(tc.after))
			got, err := f.b.Mark(ctx, a.ID, tc.status, tc.by)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				stored, err := f.store.Appointment(ctx, a.ID)
				require.NoError(t, err)
				require.Equal(t, booking.StatusBooked, stored.Status)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.status, got.Status)
		})
	}
}

func TestBookerRace(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 4, By: pro})
	require.NoError(t, err)
	var wins [4]atomic.Int32
	var wg sync.WaitGroup
	for c := range 16 {
		for i := range slots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.b.Hold(ctx, booking.BookRequest{Slot: slots[i], Client: "c", By: pro})
				switch {
				case err == nil:
					wins[i].Add(1)
				case !errors.Is(err, booking.ErrSlotTaken):
					t.Errorf("client %d: %v", c, err)
				}
			}()
		}
	}
	wg.Wait()
	for i := range slots {
		require.EqualValues(t, 1, wins[i].Load())
	}
}

func TestNewBookerValidates(t *testing.T) {
	set, err := booking.NewCalendarSet(nil)
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: 1, Day: 1}, 1)
	require.NoError(t, err)
	s := memory.NewBookingStore(nil)
	clock := carecontact.ClockFunc(func() time.Time { return time.Time{} })
	cats := fixtureCatalogues(t)
	tests := []struct {
		name string
		cfg  booking.Config
		want string
	}{
		{"index", booking.Config{Store: s, Audit: s.AuditLog(), Clock: clock}, "config.index"},
		{"store", booking.Config{Index: ix, Audit: s.AuditLog(), Clock: clock}, "config.store"},
		{"audit", booking.Config{Index: ix, Store: s, Clock: clock}, "config.audit"},
		{"clock", booking.Config{Index: ix, Store: s, Audit: s.AuditLog()}, "config.clock"},
		{"ttl", booking.Config{Index: ix, Store: s, Audit: s.AuditLog(), Clock: clock, HoldTTL: -1}, "holdTTL"},
		{"two catalogues for one area", booking.Config{Index: ix, Store: s, Audit: s.AuditLog(), Clock: clock, Catalogues: []*booking.Catalogue{cats[0], cats[0]}}, "catalogues[1]"},
	}
	for _, tc := range tests {
		_, err := booking.New(tc.cfg)
		require.ErrorIs(t, err, booking.ErrInvalid, tc.name)
		require.ErrorContains(t, err, tc.want)
	}
}
