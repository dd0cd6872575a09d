package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// calendarFixture is a nurse's calendar with a two-week rota, an
// overnight span, a range of leave and local closures, so a store must
// keep every part of it.
func calendarFixture(id booking.CalendarID) booking.Calendar {
	brk := civil.Span{From: civil.TimeOfDay(11 * 60), To: civil.TimeOfDay(11*60 + 30)}
	half := civil.Span{From: civil.TimeOfDay(8 * 60), To: civil.TimeOfDay(12 * 60)}
	return booking.Calendar{ID: id, Kind: booking.OwnerProfessional, Area: "north", Team: "team-a", Role: "nurse", Skills: []string{"ecg"},
		Rules: []booking.WeeklyRule{
			{Weekdays: []time.Weekday{time.Monday, time.Tuesday}, Span: civil.Span{From: civil.TimeOfDay(8 * 60), To: civil.TimeOfDay(16 * 60)},
				Breaks: []civil.Span{brk}, Block: booking.BlockSelfService, EveryWeeks: 2, Anchor: civil.NewDate(2026, time.November, 2)},
			{Weekdays: []time.Weekday{time.Friday}, Span: civil.Span{From: civil.TimeOfDay(22 * 60), To: civil.EndOfDay},
				Block: booking.BlockProfessionalOnly, NextDay: civil.TimeOfDay(6 * 60), ValidFrom: civil.NewDate(2026, time.November, 1)},
		},
		Exceptions: []booking.Exception{
			{Date: civil.NewDate(2026, time.December, 14), Until: civil.NewDate(2026, time.December, 27), Kind: booking.Absence},
			{Date: civil.NewDate(2026, time.December, 5), Kind: booking.ExtraTime, Span: &half, Block: booking.BlockSelfService},
		},
		Closures: &booking.Closures{EvesOpen: true, Local: []booking.Closure{{Date: civil.NewDate(2026, time.December, 30), Span: &half,
			Names: civil.Names{FI: "Koulutus", SV: "Utbildning"}}}},
	}
}

func calendarEvent(action string, id booking.CalendarID) audit.Event {
	return audit.Event{At: bookingT0, Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "manager-1"}, Action: action,
		Subject: "calendar/" + string(id), Outcome: audit.Allowed, Detail: map[string]string{"rules": "2"}}
}

// sameCalendar compares calendars as their JSON, so that an empty and a
// nil list are the same.
func sameCalendar(t *testing.T, want, got booking.Calendar) {
	t.Helper()
	w, err := json.Marshal(want)
	require.NoError(t, err)
	g, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(w), string(g))
}

// runBookingCalendars runs the booking.CalendarStore cases, each as a
// parallel subtest over backing state of its own from h.Booking.
func runBookingCalendars(t *testing.T, h Harness) {
	for _, tc := range []struct {
		name string
		test func(*testing.T, Harness)
	}{
		{"put, get, list and delete", testCalendarCRUD},
		{"refused changes write nothing", testCalendarRefused},
		{"changes are seen by every replica", testCalendarReplicas},
		{"race: one winner per version", testCalendarRace},
		{"a Booker on another replica searches the changed calendar", testCalendarBookers},
	} {
		t.Run("calendars: "+tc.name, func(t *testing.T) {
			t.Parallel()
			tc.test(t, h)
		})
	}
}

func testCalendarCRUD(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	v0, err := s.CalendarsVersion(ctx)
	require.NoError(t, err)
	require.Zero(t, v0, "no calendar was ever stored")
	list, at, err := s.Calendars(ctx)
	require.NoError(t, err)
	require.Empty(t, list)
	require.Zero(t, at)
	_, err = s.Calendar(ctx, "nurse-1")
	require.ErrorIs(t, err, booking.ErrNotFound)

	c1, c2 := calendarFixture("nurse-1"), calendarFixture("nurse-0")
	sc, err := s.PutCalendar(ctx, booking.CalendarChange{Calendar: c1, Now: bookingT0, Events: []audit.Event{calendarEvent("calendar.put", c1.ID)}})
	require.NoError(t, err)
	require.Equal(t, 1, sc.Version)
	require.True(t, sc.Updated.Equal(bookingT0))
	_, err = s.PutCalendar(ctx, booking.CalendarChange{Calendar: c2, Now: bookingT0})
	require.NoError(t, err)
	v1, err := s.CalendarsVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, v0+2, v1, "one per change")

	got, err := s.Calendar(ctx, "nurse-1")
	require.NoError(t, err)
	require.Equal(t, 1, got.Version)
	sameCalendar(t, c1, got.Calendar)
	ivs, err := got.Calendar.Intervals(civil.NewDate(2026, time.December, 1), booking.BlockSelfService)
	require.NoError(t, err)
	want, err := c1.Intervals(civil.NewDate(2026, time.December, 1), booking.BlockSelfService)
	require.NoError(t, err)
	require.Equal(t, want, ivs, "the stored calendar works the same")

	// A change: two more days of leave.
	c1.Exceptions = append(c1.Exceptions, booking.Exception{Date: civil.NewDate(2027, time.January, 4), Until: civil.NewDate(2027, time.January, 5), Kind: booking.Absence})
	later := bookingT0.Add(time.Hour)
	sc, err = s.PutCalendar(ctx, booking.CalendarChange{Calendar: c1, Version: 1, Now: later, Events: []audit.Event{calendarEvent("calendar.put", c1.ID)}})
	require.NoError(t, err)
	require.Equal(t, 2, sc.Version)
	v2, err := s.CalendarsVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, v1+1, v2, "one per change")

	list, at, err = s.Calendars(ctx)
	require.NoError(t, err)
	require.Equal(t, v2, at)
	require.Len(t, list, 2)
	require.Equal(t, booking.CalendarID("nurse-0"), list[0].Calendar.ID, "by ID")
	require.Equal(t, booking.CalendarID("nurse-1"), list[1].Calendar.ID)
	require.Equal(t, 2, list[1].Version)
	require.True(t, list[1].Updated.Equal(later))
	sameCalendar(t, c1, list[1].Calendar)

	require.ErrorIs(t, s.DeleteCalendar(ctx, "nurse-1", 1, nil), booking.ErrConflict)
	require.NoError(t, s.DeleteCalendar(ctx, "nurse-1", 2, []audit.Event{calendarEvent("calendar.delete", "nurse-1")}))
	_, err = s.Calendar(ctx, "nurse-1")
	require.ErrorIs(t, err, booking.ErrNotFound)
	require.ErrorIs(t, s.DeleteCalendar(ctx, "nurse-1", 2, nil), booking.ErrNotFound)
	v3, err := s.CalendarsVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, v2+1, v3, "one per change; a refused one counts nothing")
	// A deleted calendar may be created again, from version 1.
	sc, err = s.PutCalendar(ctx, booking.CalendarChange{Calendar: calendarFixture("nurse-1"), Now: later})
	require.NoError(t, err)
	require.Equal(t, 1, sc.Version)

	if r, ok := s.(audit.Reader); ok {
		evs, err := r.Events(ctx, audit.Filter{Subject: "calendar/nurse-1"})
		require.NoError(t, err)
		var actions []string
		for _, e := range evs {
			actions = append(actions, e.Action)
		}
		require.Equal(t, []string{"calendar.put", "calendar.put", "calendar.delete"}, actions, "events written with each change")
	}
}

func testCalendarRefused(t *testing.T, h Harness) {
	ctx := t.Context()
	s := h.Booking(t, 1)[0]
	c := calendarFixture("nurse-1")
	_, err := s.PutCalendar(ctx, booking.CalendarChange{Calendar: c, Now: bookingT0})
	require.NoError(t, err)
	v, err := s.CalendarsVersion(ctx)
	require.NoError(t, err)
	invalid := calendarFixture("nurse-2")
	invalid.Rules[0].Weekdays = nil
	badEvent := calendarEvent("calendar.put", c.ID)
	badEvent.Detail = map[string]string{"phone": "+358401234567"}
	changed := c
	changed.Role = "doctor"
	cases := []struct {
		name   string
		ch     booking.CalendarChange
		target error
	}{
		{"new calendar whose ID is in use", booking.CalendarChange{Calendar: c, Now: bookingT0}, booking.ErrExists},
		{"stale version", booking.CalendarChange{Calendar: changed, Version: 2, Now: bookingT0}, booking.ErrConflict},
		{"change of a calendar not stored", booking.CalendarChange{Calendar: calendarFixture("nurse-9"), Version: 1, Now: bookingT0}, booking.ErrNotFound},
		{"invalid calendar", booking.CalendarChange{Calendar: invalid, Now: bookingT0}, booking.ErrInvalid},
		{"negative version", booking.CalendarChange{Calendar: changed, Version: -1, Now: bookingT0}, booking.ErrInvalid},
		{"no time", booking.CalendarChange{Calendar: changed, Version: 1}, booking.ErrInvalid},
		{"personal data in an event", booking.CalendarChange{Calendar: changed, Version: 1, Now: bookingT0, Events: []audit.Event{badEvent}}, audit.ErrInvalidEvent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.PutCalendar(ctx, tc.ch)
			require.ErrorIs(t, err, tc.target)
			got, err := s.Calendar(ctx, "nurse-1")
			require.NoError(t, err)
			require.Equal(t, 1, got.Version)
			require.Equal(t, "nurse", got.Calendar.Role, "nothing written")
			_, err = s.Calendar(ctx, "nurse-2")
			require.ErrorIs(t, err, booking.ErrNotFound)
			now, err := s.CalendarsVersion(ctx)
			require.NoError(t, err)
			require.Equal(t, v, now, "a refused change does not count")
		})
	}
	require.ErrorIs(t, s.DeleteCalendar(ctx, "nurse-1", 1, []audit.Event{badEvent}), audit.ErrInvalidEvent)
	_, err = s.Calendar(ctx, "nurse-1")
	require.NoError(t, err, "a refused delete deletes nothing")
}

func testCalendarReplicas(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 2)
	a, b := stores[0], stores[1]
	_, err := a.PutCalendar(ctx, booking.CalendarChange{Calendar: calendarFixture("nurse-1"), Now: bookingT0})
	require.NoError(t, err)
	va, err := a.CalendarsVersion(ctx)
	require.NoError(t, err)
	vb, err := b.CalendarsVersion(ctx)
	require.NoError(t, err)
	require.Equal(t, va, vb)
	got, err := b.Calendar(ctx, "nurse-1")
	require.NoError(t, err)
	c := got.Calendar
	c.Exceptions = nil
	_, err = b.PutCalendar(ctx, booking.CalendarChange{Calendar: c, Version: got.Version, Now: bookingT0})
	require.NoError(t, err)
	list, at, err := a.Calendars(ctx)
	require.NoError(t, err)
	require.Greater(t, at, va)
	require.Len(t, list, 1)
	require.Empty(t, list[0].Calendar.Exceptions)
	require.Equal(t, 2, list[0].Version)
}

func testCalendarRace(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 4)
	_, err := stores[0].PutCalendar(ctx, booking.CalendarChange{Calendar: calendarFixture("nurse-1"), Now: bookingT0})
	require.NoError(t, err)
	const racers = 12
	var wg sync.WaitGroup
	errs := make([]error, racers)
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := calendarFixture("nurse-1")
			c.Role = fmt.Sprintf("role-%d", i)
			_, errs[i] = stores[i%len(stores)].PutCalendar(ctx, booking.CalendarChange{Calendar: c, Version: 1, Now: bookingT0})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
			continue
		}
		require.True(t, errors.Is(err, booking.ErrConflict), "%v", err)
	}
	require.Equal(t, 1, wins)
	got, err := stores[1].Calendar(ctx, "nurse-1")
	require.NoError(t, err)
	require.Equal(t, 2, got.Version)
}

// testCalendarBookers runs two Bookers, as two host replicas, over two
// store values of one backing state: an absence one of them adds takes
// the slots out of the other's next search, and removing it brings them
// back.
func testCalendarBookers(t *testing.T, h Harness) {
	ctx := t.Context()
	stores := h.Booking(t, 2)
	cal := booking.Calendar{ID: "nurse-1", Kind: booking.OwnerProfessional, Area: "north", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
			Span: civil.Span{From: civil.TimeOfDay(9 * 60), To: civil.TimeOfDay(10 * 60)}, Block: booking.BlockSelfService}}}
	set, err := booking.NewCalendarSet([]booking.Calendar{cal})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2026, time.November, 23), 28)
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("north", []booking.Service{{Code: "visit", Area: "north", Names: civil.Names{FI: "Käynti"},
		Duration: 30 * time.Minute, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}}})
	require.NoError(t, err)
	now := bookingT0 // Monday 23 November 2026, 10:00 in Helsinki
	bookers := make([]*booking.Booker, 2)
	for i, s := range stores {
		bookers[i], err = booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: s, Audit: discard{},
			Clock: carecontact.ClockFunc(func() time.Time { return now })})
		require.NoError(t, err)
	}
	me := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "c1"}, ClientGroup: "adult"}
	tue := civil.NewDate(2026, time.November, 24)
	search := func(b *booking.Booker) int {
		slots, err := b.Search(ctx, booking.SearchRequest{Area: "north", Service: "visit", By: me,
			From: tue.Start(civil.Helsinki()), To: tue.AddDays(1).Start(civil.Helsinki())})
		require.NoError(t, err)
		return len(slots)
	}
	require.Equal(t, 2, search(bookers[1]))
	sys := booking.Requester{Actor: audit.System("calendars")}
	sc, err := bookers[0].AddAbsence(ctx, "nurse-1", 0, booking.Exception{Date: tue, Kind: booking.Absence}, sys)
	require.NoError(t, err)
	require.Zero(t, search(bookers[1]), "the other replica's next search")
	require.Zero(t, search(bookers[0]))
	c := sc.Calendar
	c.Exceptions = nil
	_, err = bookers[1].PutCalendar(ctx, c, sc.Version, sys)
	require.NoError(t, err)
	require.Equal(t, 2, search(bookers[0]))
	_, err = bookers[0].PutCalendar(ctx, c, sc.Version, sys)
	require.ErrorIs(t, err, booking.ErrConflict, "a stale version")
}
