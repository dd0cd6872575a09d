package booking_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

const (
	benchPros = 500
	benchDays = 90
)

var benchFrom = civil.Date{Year: 2026, Month: time.December, Day: 7}

func benchCalendars(tb testing.TB) []booking.Calendar {
	cals := make([]booking.Calendar, benchPros)
	for i := range cals {
		c := nurse(tb, carecontact.ProfessionalID(fmt.Sprintf("nurse-%03d", i)), carecontact.TeamID(fmt.Sprintf("team-%02d", i%25)))
		c.Exceptions = []booking.Exception{{Date: benchFrom.AddDays(i % benchDays), Kind: booking.Absence}}
		cals[i] = c
	}
	return cals
}

// benchIndex builds the calendar set and its 90-day index and measures the
// heap they take.
func benchIndex(tb testing.TB) (*booking.Index, uint64) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	set, err := booking.NewCalendarSet(benchCalendars(tb))
	if err != nil {
		tb.Fatal(err)
	}
	ix, err := booking.NewIndex(set, benchFrom, benchDays)
	if err != nil {
		tb.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	return ix, after.HeapAlloc - before.HeapAlloc
}

func benchBooker(tb testing.TB, ix *booking.Index, now time.Time) (*booking.Booker, *memory.BookingStore) {
	store := memory.NewBookingStore(nil)
	b, err := booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(tb)[:1], Store: store, Audit: store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return now }), Staff: fixtureStaff})
	if err != nil {
		tb.Fatal(err)
	}
	return b, store
}

// BenchmarkSlotSearch: 500 professionals with 90 days of calendars in one
// area; the first day's morning is fully booked, so the search has to pass
// over taken time; each iteration asks for the first 10 free slots of a
// self-bookable service for a client.
func BenchmarkSlotSearch(b *testing.B) { benchSlotSearch(b, 10) }

// BenchmarkSlotSearchFirst is BenchmarkSlotSearch asking for the first free
// slot only.
func BenchmarkSlotSearchFirst(b *testing.B) { benchSlotSearch(b, 1) }

// BenchmarkSlotSearchAfterChange is BenchmarkSlotSearch with a new claim
// (a hold far ahead, outside the timer) before every search, so busy time
// kept from the search before cannot be used and is read again.
func BenchmarkSlotSearchAfterChange(b *testing.B) { benchSlotSearchOpts(b, 10, true) }

func benchSlotSearch(b *testing.B, limit int) { benchSlotSearchOpts(b, limit, false) }

func benchSlotSearchOpts(b *testing.B, limit int, change bool) {
	ix, heap := benchIndex(b)
	now := helsinki(b, 2026, 12, 7, 6, 0)
	bk, store := benchBooker(b, ix, now)
	ctx := context.Background()
	for i := range benchPros {
		for k := range 6 { // 08:00-11:00 of the first day
			start := helsinki(b, 2026, 12, 7, 8, 0).Add(time.Duration(k) * 30 * time.Minute)
			id := fmt.Sprintf("pre%d-%d", i, k)
			nurse := booking.CalendarID(fmt.Sprintf("nurse-%03d", i))
			err := store.Claim(ctx, booking.ClaimRequest{Now: now,
				Appointment: booking.Appointment{ID: id, Area: "north", Service: "nurse-visit", Client: "c", Participants: []booking.CalendarID{nurse},
					Start: start, End: start.Add(30 * time.Minute), Status: booking.StatusBooked, Channel: channel.InPerson, Version: 1},
				Claims: []booking.Claim{{Owner: nurse, Appointment: id, Interval: booking.Interval{Start: start, End: start.Add(30 * time.Minute)}}}})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	req := booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: limit, By: client("c1")}
	slots, err := bk.Search(ctx, req)
	if err != nil || len(slots) != limit {
		b.Fatalf("search: %d slots, %v", len(slots), err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := range b.N {
		if change {
			b.StopTimer()
			start := helsinki(b, 2026, 12, 7, 8, 0).Add(time.Duration(60+i%20) * 24 * time.Hour)
			id := fmt.Sprintf("hold-%d", i)
			nurse := booking.CalendarID(fmt.Sprintf("nurse-%03d", i/20%benchPros))
			err := store.Claim(ctx, booking.ClaimRequest{Now: now,
				Appointment: booking.Appointment{ID: id, Area: "north", Service: "nurse-visit", Client: "c", Participants: []booking.CalendarID{nurse},
					Start: start, End: start.Add(30 * time.Minute), Status: booking.StatusBooked, Channel: channel.InPerson, Version: 1},
				Claims: []booking.Claim{{Owner: nurse, Appointment: id, Interval: booking.Interval{Start: start, End: start.Add(30 * time.Minute)}}}})
			if err != nil && !errors.Is(err, booking.ErrSlotTaken) {
				b.Fatal(err)
			}
			b.StartTimer()
		}
		if _, err := bk.Search(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if cpu := cpuTime() - cpu0; cpu > 0 && !change {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(heap), "calendar-heap-B")
	b.ReportMetric(float64(ix.SizeBytes()), "index-B")
	b.ReportMetric(float64(ix.Blocks()), "blocks")
}

// BenchmarkBook: a professional books a distinct free slot per iteration
// through Booker.Book (rule checks, the store's atomic book-if-free and the
// audit event).
func BenchmarkBook(b *testing.B) {
	ix, _ := benchIndex(b)
	now := helsinki(b, 2026, 12, 7, 6, 0)
	set := ix.Calendars()
	// The self-service grid of one calendar over the 90 days (all calendars
	// share the weekly rules; absences are skipped when booking).
	var starts []time.Time
	for d := range benchDays {
		ivs, err := set.Intervals("nurse-000", benchFrom.AddDays(d), booking.BlockSelfService)
		if err != nil {
			b.Fatal(err)
		}
		for _, iv := range ivs {
			for s := iv.Start; !s.Add(30 * time.Minute).After(iv.End); s = s.Add(30 * time.Minute) {
				starts = append(starts, s)
			}
		}
	}
	ctx := context.Background()
	bk, _ := benchBooker(b, ix, now)
	pro := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1"}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		k := i % (len(starts) * (benchPros - 1))
		if k == 0 && i > 0 {
			b.StopTimer()
			bk, _ = benchBooker(b, ix, now)
			b.StartTimer()
		}
		s := starts[k/(benchPros-1)]
		who := booking.CalendarID(fmt.Sprintf("nurse-%03d", 1+k%(benchPros-1))) // nurse-000 is absent on the first day only; skip it anyway
		_, err := bk.Book(ctx, booking.BookRequest{Slot: booking.Slot{Area: "north", Service: "nurse-visit", Start: s, End: s.Add(30 * time.Minute),
			Participants: []booking.CalendarID{who}}, Client: carecontact.ClientRef(fmt.Sprintf("client-%d", i)), By: pro})
		if err != nil && !isAbsence(err) {
			b.Fatal(err)
		}
	}
}

// isAbsence tells the refusals of slots that fall on a calendar's absence
// day, which the benchmark's fixed grid cannot know about.
func isAbsence(err error) bool { return errors.Is(err, booking.ErrNotAllowed) }
