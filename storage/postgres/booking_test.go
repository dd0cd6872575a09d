package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/storage/memory"
	"github.com/carecontact/carecontact/storage/postgres"
)

// slotStart is the start of slot i of a professional's day: 20-minute slots
// from 08:00 UTC the next day.
func slotStart(i int) time.Time { return t0.Add(24*time.Hour + time.Duration(i)*20*time.Minute) }

// bookReq asks to book (or, with holdUntil set, hold) [start, start+20min)
// of owner for client as appointment id, deciding expiries at now.
func bookReq(id, client string, owner booking.CalendarID, start, now, holdUntil time.Time) booking.ClaimRequest {
	status := booking.StatusBooked
	if !holdUntil.IsZero() {
		status = booking.StatusPending
	}
	end := start.Add(20 * time.Minute)
	a := booking.Appointment{ID: id, Area: "kallio", Service: "nurse-visit", Client: carecontact.ClientRef(client),
		Participants: []booking.CalendarID{owner}, Start: start, End: end, Status: status, Channel: channel.InPerson,
		Block: booking.BlockSelfService, HoldUntil: holdUntil, Created: now, Updated: now, Version: 1}
	return booking.ClaimRequest{Appointment: a, Now: now,
		Claims: []booking.Claim{{Owner: owner, Appointment: id, Interval: booking.Interval{Start: start, End: end}, Expires: holdUntil}},
		Events: []audit.Event{{At: now, Actor: audit.Actor{Kind: audit.ActorClient, ID: client}, Action: "booking.book",
			Subject: "appointment/" + id, Client: carecontact.ClientRef(client), Outcome: audit.Allowed}}}
}

// bookRace lets workers goroutines (goroutine w on stores[w % len]) try to
// book every one of nSlots slots of nProfs professionals, each in its own
// order, and returns how many bookings each slot got. midway, if not nil,
// runs once when a third of the slots are booked.
func bookRace(t *testing.T, stores []booking.Store, nProfs, nSlots, workers int, midway func()) []int32 {
	t.Helper()
	ctx := context.Background()
	won := make([]int32, nProfs*nSlots)
	var booked atomic.Int64
	var once sync.Once
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := stores[w%len(stores)]
			client := fmt.Sprintf("client-%d", w)
			for k := range len(won) {
				slot := (k*7 + w*5) % len(won)
				owner := booking.CalendarID(fmt.Sprintf("nurse-%d", slot%nProfs))
				err := s.Claim(ctx, bookReq(fmt.Sprintf("a-%d-%d", slot, w), client, owner, slotStart(slot/nProfs), t0, time.Time{}))
				switch {
				case err == nil:
					atomic.AddInt32(&won[slot], 1)
					if booked.Add(1) == int64(len(won)/3) && midway != nil {
						once.Do(midway)
					}
				case errors.Is(err, booking.ErrSlotTaken):
				default:
					t.Errorf("worker %d, slot %d: %v", w, slot, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return won
}

// checkBookedOnce asserts that every slot was booked exactly once: one
// success each, one claim each in the store, no overlapping claims, one
// audit event per booking.
func checkBookedOnce(t *testing.T, dbs []*postgres.DB, won []int32, nProfs, nSlots int) {
	t.Helper()
	ctx := context.Background()
	for slot, n := range won {
		require.Equal(t, int32(1), n, "slot %d booked exactly once", slot)
	}
	owners := make([]booking.CalendarID, nProfs)
	for p := range owners {
		owners[p] = booking.CalendarID(fmt.Sprintf("nurse-%d", p))
	}
	busy, err := dbs[len(dbs)-1].BookingStore().Busy(ctx, owners,
		booking.Interval{Start: slotStart(0), End: slotStart(nSlots + 1)}, t0)
	require.NoError(t, err)
	require.Len(t, busy, nProfs*nSlots, "one claim per slot in the store")
	for i := 1; i < len(busy); i++ {
		if busy[i].Owner == busy[i-1].Owner {
			require.False(t, busy[i].Start.Before(busy[i-1].End), "claims of %s overlap", busy[i].Owner)
		}
	}
	evs, err := dbs[0].AuditLog().Events(ctx, audit.Filter{Action: "booking.book"})
	require.NoError(t, err)
	require.Len(t, evs, nProfs*nSlots, "one audit event per booking, none for refused attempts")
}

func bookingStores(dbs []*postgres.DB) []booking.Store {
	out := make([]booking.Store, len(dbs))
	for i, db := range dbs {
		out[i] = db.BookingStore()
	}
	return out
}

func TestReplicasRaceForSlots(t *testing.T) {
	const replicas, nProfs, nSlots, workers = 4, 3, 10, 16
	dbs := openDBs(t, replicas, 4)
	won := bookRace(t, bookingStores(dbs), nProfs, nSlots, workers, nil)
	checkBookedOnce(t, dbs, won, nProfs, nSlots)
}

func TestReplicasRaceForHolds(t *testing.T) {
	// Holds are claims the same constraint covers: while one is live nobody
	// else gets the slot; once it has expired (by the Now the caller
	// passes) the next claim removes it and takes the slot, and the
	// holder can no longer confirm.
	ctx := context.Background()
	const replicas, nSlots, workers = 4, 8, 16
	dbs := openDBs(t, replicas, 4)
	stores := bookingStores(dbs)
	holdUntil := t0.Add(10 * time.Minute)
	later := holdUntil.Add(time.Minute)
	var wg sync.WaitGroup
	run := func(prefix string, now, until time.Time) []string {
		winners := make([]string, nSlots)
		var mu sync.Mutex
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := range nSlots {
					slot := (k + w) % nSlots
					id := fmt.Sprintf("%s-%d-%d", prefix, slot, w)
					err := stores[w%replicas].Claim(ctx, bookReq(id, fmt.Sprintf("client-%d", w), "nurse-1", slotStart(slot), now, until))
					switch {
					case err == nil:
						mu.Lock()
						if winners[slot] != "" {
							t.Errorf("slot %d taken twice: %s and %s", slot, winners[slot], id)
						}
						winners[slot] = id
						mu.Unlock()
					case !errors.Is(err, booking.ErrSlotTaken):
						t.Errorf("%s: %v", id, err)
					}
				}
			}()
		}
		wg.Wait()
		return winners
	}
	holders := run("hold", t0, holdUntil)
	for slot, id := range holders {
		require.NotEmpty(t, id, "slot %d held once", slot)
	}
	bookers := run("book", later, time.Time{})
	for slot, id := range bookers {
		require.NotEmpty(t, id, "slot %d booked once its hold expired", slot)
	}
	for _, id := range holders {
		a, err := stores[0].Appointment(ctx, id)
		require.NoError(t, err)
		next := a.Clone()
		next.Status, next.Version, next.HoldUntil = booking.StatusBooked, a.Version+1, time.Time{}
		err = stores[1].Transition(ctx, booking.TransitionRequest{Next: next, Now: later})
		require.ErrorIs(t, err, booking.ErrHoldExpired, "an expired hold cannot be confirmed")
	}
	busy, err := stores[2].Busy(ctx, []booking.CalendarID{"nurse-1"}, booking.Interval{Start: slotStart(0), End: slotStart(nSlots)}, later)
	require.NoError(t, err)
	require.Len(t, busy, nSlots)
	for i, c := range busy {
		require.Equal(t, bookers[i], c.Appointment, "the live claims are the bookings")
	}
}

func TestBookingSurvivesKilledConnection(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, block string
		commit      bool
		query       string
	}{
		// The first statement of a booking removes expired holds; it waits
		// for a table lock.
		{"before writing", "LOCK TABLE booking_claims IN EXCLUSIVE MODE", true, "%DELETE FROM booking_claims%"},
		// Another, uncommitted booking of the same slot makes the claim
		// insert wait after the appointment row is written; that booking
		// then rolls back, so the retried one gets the slot.
		{"after writing the appointment, while claiming the slot", `
			INSERT INTO booking_appointments (id, client, area, service, status, start_at, version, doc)
				VALUES ('blocker', 'client-9', 'kallio', 'nurse-visit', 'booked', now(), 1, '{}');
			INSERT INTO booking_claims (owner, appointment, during)
				VALUES ('nurse-1', 'blocker', tstzrange('` + slotStart(0).Format(time.RFC3339) + `', '` + slotStart(1).Format(time.RFC3339) + `'))`,
			false, "%INSERT INTO booking_claims%"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dbs := openDBs(t, 1, 2)
			s := dbs[0].BookingStore()
			req := bookReq("a-1", "client-1", "nurse-1", slotStart(0), t0, time.Time{})
			err := killWhileBlocked(t, dsnOf(dbs[0]), tc.block, tc.commit, tc.query, func() error { return s.Claim(ctx, req) })
			require.NoError(t, err, "the booking is retried on a fresh connection")
			a, err := s.Appointment(ctx, "a-1")
			require.NoError(t, err)
			require.Equal(t, booking.StatusBooked, a.Status)
			busy, err := s.Busy(ctx, []booking.CalendarID{"nurse-1"}, booking.Interval{Start: slotStart(0), End: slotStart(1)}, t0)
			require.NoError(t, err)
			require.Len(t, busy, 1, "claimed once")
			require.Equal(t, "a-1", busy[0].Appointment)
			evs, err := dbs[0].AuditLog().Events(ctx, audit.Filter{Subject: "appointment/a-1"})
			require.NoError(t, err)
			require.Len(t, evs, 1, "audited once")
			require.ErrorIs(t, s.Claim(ctx, bookReq("a-2", "client-2", "nurse-1", slotStart(0), t0, time.Time{})), booking.ErrSlotTaken)
			require.NoError(t, s.Claim(ctx, bookReq("a-3", "client-2", "nurse-1", slotStart(1), t0, time.Time{})), "the store works afterwards")
		})
	}
}

func TestBookingsAcrossServerRestart(t *testing.T) {
	const replicas, nProfs, nSlots, workers = 4, 3, 12, 16
	dbs := openDBs(t, replicas, 4)
	won := bookRace(t, bookingStores(dbs), nProfs, nSlots, workers, func() { restartServer(t, dsnOf(dbs[0])) })
	checkBookedOnce(t, dbs, won, nProfs, nSlots)
}

// BenchmarkBook measures booking a free slot (book-if-free: the
// appointment, its claim under the exclusion constraint and its audit
// event in one transaction on postgres) with 1, 4 and 16 concurrent
// workers against the memory store and the throwaway PostgreSQL server.
// Operation i books slot i/8 of professional i%8, so workers contend for
// professionals but never for one slot.
func BenchmarkBook(b *testing.B) {
	ctx := context.Background()
	backends := []struct {
		name string
		open func(b *testing.B, workers int) booking.Store
	}{
		{"memory", func(*testing.B, int) booking.Store { return memory.NewBookingStore(nil) }},
		{"postgres", func(b *testing.B, workers int) booking.Store { return benchDB(b, workers).BookingStore() }},
	}
	for _, be := range backends {
		for _, workers := range benchWorkers {
			b.Run(fmt.Sprintf("%s/workers=%d", be.name, workers), func(b *testing.B) {
				s := be.open(b, workers)
				runWorkers(b, workers, "bookings", func(w, i int) error {
					return s.Claim(ctx, bookReq(fmt.Sprintf("a-%d", i), fmt.Sprintf("client-%d", w),
						booking.CalendarID(fmt.Sprintf("nurse-%d", i%8)), slotStart(i/8), t0, time.Time{}))
				})
			})
		}
	}
}

// Two bookings of one slot that need the same two participants in opposite
// orders would deadlock inside PostgreSQL (each inserting one claim row the
// other waits for) but that a claim inserts its claims in owner order,
// whatever order the request lists them in: the second waits for the
// first's row of the first owner and finds the slot taken. Every slot ends
// up booked exactly once, and no deadlock happens.
func TestCrossedParticipantsBookOnce(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	var deadlocks atomic.Int32
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, dsn, postgres.WithRetryPolicy(postgres.RetryPolicy{
			MaxAttempts: 50, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond,
			Observe: func(_ string, _ int, err error) {
				if postgres.IsTransient(err) && strings.Contains(err.Error(), "40P01") {
					deadlocks.Add(1)
				}
			}}))
		require.NoError(t, err)
		t.Cleanup(db.Close)
		return db
	}
	a, b := open(), open()
	_, err := a.Migrate(ctx)
	require.NoError(t, err)
	const slots = 40
	var won [slots]atomic.Int32
	var wg sync.WaitGroup
	for _, side := range []struct {
		db     *postgres.DB
		owners []booking.CalendarID
	}{{a, []booking.CalendarID{"nurse-1", "room-1"}}, {b, []booking.CalendarID{"room-1", "nurse-1"}}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for slot := range slots {
				req := bookReq(fmt.Sprintf("a-%d-%s", slot, side.owners[0]), "client-"+string(side.owners[0]), side.owners[0], slotStart(slot), t0, time.Time{})
				second := req.Claims[0]
				second.Owner = side.owners[1]
				req.Claims = append(req.Claims, second)
				req.Appointment.Participants = side.owners
				err := side.db.BookingStore().Claim(ctx, req)
				switch {
				case err == nil:
					won[slot].Add(1)
				case !errors.Is(err, booking.ErrSlotTaken):
					t.Errorf("slot %d: %v", slot, err)
				}
			}
		}()
	}
	wg.Wait()
	for slot := range won {
		require.Equal(t, int32(1), won[slot].Load(), "slot %d booked exactly once", slot)
	}
	require.Zero(t, deadlocks.Load(), "claims of the same owners are serialised, never deadlocked")
}

// A claim's events start their subject's audit chain in the claim's one
// round trip. When the subject already has a chain (here an earlier event
// on the same subject), the claim continues it instead: it succeeds, its
// event is the chain's next link, and the chain verifies.
func TestClaimContinuesStartedChain(t *testing.T) {
	ctx := context.Background()
	db := openDBs(t, 1, 2)[0]
	st := db.BookingStore()
	req := bookReq("a-1", "client-1", "nurse-1", slotStart(0), t0, time.Time{})
	first := req.Events[0]
	first.Action = "booking.note"
	require.NoError(t, db.AuditLog().Record(ctx, first))
	require.NoError(t, st.Claim(ctx, req))
	// A second claim of another slot continues its own fresh chain.
	require.NoError(t, st.Claim(ctx, bookReq("a-2", "client-1", "nurse-1", slotStart(1), t0, time.Time{})))
	heads, err := db.AuditLog().Heads(ctx)
	require.NoError(t, err)
	seqs := map[string]int64{}
	for _, h := range heads {
		seqs[h.Stream] = int64(h.Seq)
	}
	require.Equal(t, map[string]int64{"appointment/a-1": 2, "appointment/a-2": 1}, seqs)
	v, err := db.AuditLog().Verify(ctx)
	require.NoError(t, err)
	require.Nil(t, v.Broken)
	require.Equal(t, 3, v.Events)
	// A taken slot leaves no event and no head behind.
	err = st.Claim(ctx, bookReq("a-3", "client-2", "nurse-1", slotStart(1), t0, time.Time{}))
	require.ErrorIs(t, err, booking.ErrSlotTaken)
	heads, err = db.AuditLog().Heads(ctx)
	require.NoError(t, err)
	require.Len(t, heads, 2)
}

// A reschedule (which takes its owners' advisory locks exclusively and
// releases its old claims before inserting the new) races a plain claim
// (which takes them shared) for each slot, with the two participants
// listed in opposite orders: each slot goes to exactly one, the loser
// changes nothing, and no deadlock happens.
func TestReschedulesAndClaimsRaceForSlots(t *testing.T) {
	ctx := context.Background()
	dsn := newDatabase(t)
	var deadlocks atomic.Int32
	open := func() *postgres.DB {
		db, err := postgres.Open(ctx, dsn, postgres.WithRetryPolicy(postgres.RetryPolicy{
			MaxAttempts: 50, BaseDelay: time.Millisecond, MaxDelay: 20 * time.Millisecond,
			Observe: func(_ string, _ int, err error) {
				if postgres.IsTransient(err) && strings.Contains(err.Error(), "40P01") {
					deadlocks.Add(1)
				}
			}}))
		require.NoError(t, err)
		t.Cleanup(db.Close)
		return db
	}
	a, b := open(), open()
	_, err := a.Migrate(ctx)
	require.NoError(t, err)
	both := func(req booking.ClaimRequest, owners ...booking.CalendarID) booking.ClaimRequest {
		second := req.Claims[0]
		second.Owner = owners[1]
		req.Claims = []booking.Claim{{Owner: owners[0], Appointment: second.Appointment, Interval: second.Interval}, second}
		req.Appointment.Participants = owners
		return req
	}
	const slots = 30
	olds := make([]booking.Appointment, slots)
	for k := range olds {
		req := both(bookReq(fmt.Sprintf("old-%d", k), "client-r", "nurse-1", slotStart(100+k), t0, time.Time{}), "nurse-1", "room-1")
		require.NoError(t, a.BookingStore().Claim(ctx, req))
		olds[k] = req.Appointment
	}
	var rescheduled, claimed [slots]atomic.Int32
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for k, old := range olds {
			next := old.Clone()
			next.Status, next.Version = booking.StatusCancelled, old.Version+1
			tr := booking.TransitionRequest{Next: next, Now: t0, Events: []audit.Event{{At: t0, Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-r"},
				Action: "booking.cancelled", Subject: "appointment/" + old.ID, Client: "client-r", Outcome: audit.Allowed}}}
			req := both(bookReq(fmt.Sprintf("new-%d", k), "client-r", "room-1", slotStart(k), t0, time.Time{}), "room-1", "nurse-1")
			err := a.BookingStore().Reschedule(ctx, tr, req, nil)
			switch {
			case err == nil:
				rescheduled[k].Add(1)
			case !errors.Is(err, booking.ErrSlotTaken):
				t.Errorf("reschedule %d: %v", k, err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for k := range olds {
			req := both(bookReq(fmt.Sprintf("plain-%d", k), "client-p", "nurse-1", slotStart(k), t0, time.Time{}), "nurse-1", "room-1")
			err := b.BookingStore().Claim(ctx, req)
			switch {
			case err == nil:
				claimed[k].Add(1)
			case !errors.Is(err, booking.ErrSlotTaken):
				t.Errorf("claim %d: %v", k, err)
			}
		}
	}()
	wg.Wait()
	for k, old := range olds {
		require.Equal(t, int32(1), rescheduled[k].Load()+claimed[k].Load(), "slot %d taken exactly once", k)
		got, err := a.BookingStore().Appointment(ctx, old.ID)
		require.NoError(t, err)
		busy, err := a.BookingStore().Busy(ctx, []booking.CalendarID{"nurse-1", "room-1"}, booking.Interval{Start: slotStart(100 + k), End: slotStart(101 + k)}, t0)
		require.NoError(t, err)
		if rescheduled[k].Load() == 1 {
			require.Equal(t, booking.StatusCancelled, got.Status)
			require.Empty(t, busy, "a rescheduled appointment's old time is free")
		} else {
			require.Equal(t, booking.StatusBooked, got.Status, "a lost reschedule changes nothing")
			require.Len(t, busy, 2)
		}
	}
	require.Zero(t, deadlocks.Load(), "reschedules and claims of the same owners wait for each other, never deadlock")
}
