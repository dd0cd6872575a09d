package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
)

func callbackRecord(id string, client carecontact.ClientRef, errand channel.Errand, at time.Time) callback.Record {
	return callback.Record{
		ID: id, Client: client, Phone: "0401234567", Errand: errand, Team: "team-a",
		RequestedAt: at, Deadline: at.Add(2 * time.Hour), Handling: 10 * time.Minute,
		Steps: []callback.Step{{Name: callback.StepOwnTeam, Team: "team-a"}}, State: callback.StatePlanned,
	}
}

func runCallback(t *testing.T, h Harness) {
	ctx := context.Background()
	sys := audit.System("callback")
	at := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

	t.Run("open, join, close frees the key", func(t *testing.T) {
		s := h.Callback(t, 1)[0]
		r, joined, err := s.OpenOrJoin(ctx, callbackRecord("r1", "c1", channel.ErrandLabResults, at), sys, at)
		require.NoError(t, err)
		require.False(t, joined)
		require.Equal(t, int64(1), r.Version)
		j, joined, err := s.OpenOrJoin(ctx, callbackRecord("r2", "c1", channel.ErrandLabResults, at), sys, at)
		require.NoError(t, err)
		require.True(t, joined)
		require.Equal(t, "r1", j.ID)
		require.Equal(t, 1, j.Joins)
		_, err = s.Get(ctx, "r2")
		require.ErrorIs(t, err, callback.ErrNotFound, "a joining request is not stored")
		other, joined, err := s.OpenOrJoin(ctx, callbackRecord("r3", "c1", channel.ErrandWoundCare, at), sys, at)
		require.NoError(t, err)
		require.False(t, joined, "another errand is another request")
		require.Equal(t, "r3", other.ID)
		j.State = callback.StateClosed
		_, err = s.Update(ctx, j, nil)
		require.NoError(t, err)
		again, joined, err := s.OpenOrJoin(ctx, callbackRecord("r4", "c1", channel.ErrandLabResults, at), sys, at)
		require.NoError(t, err)
		require.False(t, joined)
		require.Equal(t, "r4", again.ID)
		open, err := s.List(ctx, callback.Filter{OpenOnly: true})
		require.NoError(t, err)
		require.Len(t, open, 2)
		all, err := s.List(ctx, callback.Filter{})
		require.NoError(t, err)
		require.Len(t, all, 3)
		var filtered []callback.Record
		for _, r := range all {
			if r.Open() {
				filtered = append(filtered, r)
			}
		}
		require.Equal(t, filtered, open, "the open requests, in the order of the full list")
		teamOpen, err := s.List(ctx, callback.Filter{OpenOnly: true, Team: open[0].Team})
		require.NoError(t, err)
		require.Equal(t, open, teamOpen)
	})
	t.Run("compare and set", func(t *testing.T) {
		s := h.Callback(t, 1)[0]
		r, _, err := s.OpenOrJoin(ctx, callbackRecord("r1", "c1", channel.ErrandOther, at), sys, at)
		require.NoError(t, err)
		r.State = callback.StateDue
		r2, err := s.Update(ctx, r, nil)
		require.NoError(t, err)
		require.Equal(t, r.Version+1, r2.Version)
		_, err = s.Update(ctx, r, nil)
		require.ErrorIs(t, err, callback.ErrConflict)
		_, err = s.Update(ctx, callbackRecord("nope", "c9", channel.ErrandOther, at), nil)
		require.ErrorIs(t, err, callback.ErrNotFound)
		got, err := s.Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, callback.StateDue, got.State)
		require.Equal(t, callback.Phone("0401234567"), got.Phone)
	})
	t.Run("bad audit event changes nothing", func(t *testing.T) {
		s := h.Callback(t, 1)[0]
		r, _, err := s.OpenOrJoin(ctx, callbackRecord("r1", "c1", channel.ErrandOther, at), sys, at)
		require.NoError(t, err)
		r.State = callback.StateDue
		_, err = s.Update(ctx, r, []audit.Event{{At: at, Actor: sys, Action: "callback.due", Subject: "callback/r1",
			Outcome: audit.Allowed, Detail: map[string]string{"phone": "+358401234567"}}})
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		got, err := s.Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, callback.StatePlanned, got.State)
		require.Equal(t, r.Version, got.Version)
	})
	t.Run("list filters and order", func(t *testing.T) {
		s := h.Callback(t, 1)[0]
		for i := range 6 {
			r := callbackRecord(fmt.Sprintf("r%d", i), carecontact.ClientRef(fmt.Sprintf("c%d", i)), channel.ErrandOther, at.Add(time.Duration(5-i)*time.Minute))
			if i%2 == 1 {
				r.Team = "team-b"
			}
			_, _, err := s.OpenOrJoin(ctx, r, sys, at)
			require.NoError(t, err)
		}
		b, err := s.List(ctx, callback.Filter{Team: "team-b"})
		require.NoError(t, err)
		require.Len(t, b, 3)
		require.Equal(t, "r5", b[0].ID, "ordered by request time")
		w, err := s.List(ctx, callback.Filter{Since: at.Add(time.Minute), Until: at.Add(4 * time.Minute)})
		require.NoError(t, err)
		require.Len(t, w, 3)
	})
	t.Run("concurrent open of one client and errand yields one request", func(t *testing.T) {
		stores := h.Callback(t, 4)
		var wg sync.WaitGroup
		var opened atomic.Int32
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, joined, err := stores[i%len(stores)].OpenOrJoin(ctx, callbackRecord(fmt.Sprintf("r%d", i), "c1", channel.ErrandOther, at), sys, at)
				if err == nil && !joined {
					opened.Add(1)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int32(1), opened.Load())
		all, err := stores[0].List(ctx, callback.Filter{})
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, 39, all[0].Joins)
	})
	t.Run("concurrent compare-and-set: exactly one wins each version", func(t *testing.T) {
		stores := h.Callback(t, 4)
		_, _, err := stores[0].OpenOrJoin(ctx, callbackRecord("r1", "c1", channel.ErrandOther, at), sys, at)
		require.NoError(t, err)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[i%len(stores)]
				for {
					r, err := s.Get(ctx, "r1")
					if err != nil {
						return
					}
					r.Priority++
					if _, err := s.Update(ctx, r, nil); err == nil {
						wins.Add(1)
						return
					} else if !errors.Is(err, callback.ErrConflict) {
						return
					}
				}
			}()
		}
		wg.Wait()
		r, err := stores[0].Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, int32(50), wins.Load())
		require.Equal(t, 50, r.Priority, "no update lost")
	})
	t.Run("reservations: a promise is written only at the day's plan version", func(t *testing.T) {
		stores := h.Callback(t, 2)
		a, b := stores[0], stores[1]
		day := time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC) // 2026-11-23 00:00 in Helsinki
		key := callback.PlanKey{Team: "team-a", Day: day}
		promised := func(id string, client carecontact.ClientRef) callback.Record {
			r := callbackRecord(id, client, channel.ErrandOther, at)
			r.Window = callback.Window{Start: day.Add(8 * time.Hour), End: day.Add(10 * time.Hour)}
			return r
		}
		versions, err := a.PlanVersions(ctx, day)
		require.NoError(t, err)
		require.Empty(t, versions, "no day has a reservation yet")

		r1, joined, err := a.OpenReserved(ctx, promised("r1", "c1"), callback.Reservation{Key: key}, sys, at)
		require.NoError(t, err)
		require.False(t, joined)
		require.Equal(t, int64(1), r1.Version)
		versions, err = b.PlanVersions(ctx, day)
		require.NoError(t, err)
		require.Equal(t, map[callback.PlanKey]int64{key: 1}, versions, "seen through the other store")

		_, _, err = b.OpenReserved(ctx, promised("r2", "c2"), callback.Reservation{Key: key}, sys, at)
		require.ErrorIs(t, err, callback.ErrPlanChanged, "planned at a version that moved on")
		require.ErrorIs(t, err, carecontact.ErrConflict)
		_, err = a.Get(ctx, "r2")
		require.ErrorIs(t, err, callback.ErrNotFound, "a lost reservation stores nothing")

		// The same instant named in another location is the same day.
		local := callback.PlanKey{Team: "team-a", Day: day.In(time.FixedZone("EET", 2*3600))}
		r2, _, err := b.OpenReserved(ctx, promised("r2", "c2"), callback.Reservation{Key: local, Version: 1}, sys, at)
		require.NoError(t, err)
		require.Equal(t, "r2", r2.ID)

		j, joined, err := a.OpenReserved(ctx, promised("r3", "c1"), callback.Reservation{Key: key}, sys, at)
		require.NoError(t, err, "a join reserves nothing, whatever the version")
		require.True(t, joined)
		require.Equal(t, "r1", j.ID)

		other := callback.PlanKey{Team: "team-a", Day: day.Add(24 * time.Hour)}
		moved := r1
		moved.Joins = j.Joins
		moved.Version = j.Version
		moved.Window = callback.Window{Start: other.Day.Add(8 * time.Hour), End: other.Day.Add(10 * time.Hour)}
		_, err = b.UpdateReserved(ctx, moved, callback.Reservation{Key: other, Version: 3}, nil)
		require.ErrorIs(t, err, callback.ErrPlanChanged)
		got, err := a.Get(ctx, "r1")
		require.NoError(t, err)
		require.Equal(t, j.Version, got.Version, "a lost reservation changes nothing")
		require.Equal(t, r1.Window, got.Window)
		stale := moved
		stale.Version--
		_, err = b.UpdateReserved(ctx, stale, callback.Reservation{Key: other}, nil)
		require.ErrorIs(t, err, callback.ErrConflict, "the request's own version is checked too")
		saved, err := b.UpdateReserved(ctx, moved, callback.Reservation{Key: other}, nil)
		require.NoError(t, err)
		require.Equal(t, moved.Version+1, saved.Version)
		require.Equal(t, moved.Window, saved.Window)

		versions, err = a.PlanVersions(ctx, day)
		require.NoError(t, err)
		require.Equal(t, map[callback.PlanKey]int64{key: 2, other: 1}, versions)
		versions, err = a.PlanVersions(ctx, other.Day)
		require.NoError(t, err)
		require.Equal(t, map[callback.PlanKey]int64{other: 1}, versions, "days before since are left out")

		// A plain update neither checks nor moves a version.
		saved.Priority++
		_, err = a.Update(ctx, saved, nil)
		require.NoError(t, err)
		versions, err = b.PlanVersions(ctx, day)
		require.NoError(t, err)
		require.Equal(t, map[callback.PlanKey]int64{key: 2, other: 1}, versions)
	})
	t.Run("reservations: bad input", func(t *testing.T) {
		s := h.Callback(t, 1)[0]
		day := time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC)
		r := callbackRecord("r1", "c1", channel.ErrandOther, at)
		r.Window = callback.Window{Start: day.Add(8 * time.Hour), End: day.Add(10 * time.Hour)}
		unwindowed := r
		unwindowed.Window = callback.Window{}
		for name, tc := range map[string]struct {
			r   callback.Record
			res callback.Reservation
		}{
			"no team":          {r, callback.Reservation{Key: callback.PlanKey{Day: day}}},
			"no day":           {r, callback.Reservation{Key: callback.PlanKey{Team: "team-a"}}},
			"another team":     {r, callback.Reservation{Key: callback.PlanKey{Team: "team-b", Day: day}}},
			"negative version": {r, callback.Reservation{Key: callback.PlanKey{Team: "team-a", Day: day}, Version: -1}},
			"no window":        {unwindowed, callback.Reservation{Key: callback.PlanKey{Team: "team-a", Day: day}}},
		} {
			_, _, err := s.OpenReserved(ctx, tc.r, tc.res, sys, at)
			require.ErrorIs(t, err, callback.ErrInvalidRequest, name)
			require.ErrorIs(t, err, carecontact.ErrInvalid, name)
		}
		all, err := s.List(ctx, callback.Filter{})
		require.NoError(t, err)
		require.Empty(t, all)
		versions, err := s.PlanVersions(ctx, time.Time{})
		require.NoError(t, err)
		require.Empty(t, versions)
	})
	t.Run("concurrent reservations of one day: each version is won once", func(t *testing.T) {
		stores := h.Callback(t, 4)
		day := time.Date(2026, 11, 22, 22, 0, 0, 0, time.UTC)
		key := callback.PlanKey{Team: "team-a", Day: day}
		const workers = 24
		var mu sync.Mutex
		wonAt := map[int64]string{}
		var wg sync.WaitGroup
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[i%len(stores)]
				r := callbackRecord(fmt.Sprintf("r%d", i), carecontact.ClientRef(fmt.Sprintf("c%d", i)), channel.ErrandOther, at)
				r.Window = callback.Window{Start: day.Add(8 * time.Hour), End: day.Add(10 * time.Hour)}
				for {
					versions, err := s.PlanVersions(ctx, day)
					if err != nil {
						t.Error(err)
						return
					}
					v := versions[key]
					_, _, err = s.OpenReserved(ctx, r, callback.Reservation{Key: key, Version: v}, sys, at)
					if errors.Is(err, callback.ErrPlanChanged) {
						continue
					}
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if prev, ok := wonAt[v]; ok {
						t.Errorf("version %d won by %s and %s", v, prev, r.ID)
					}
					wonAt[v] = r.ID
					mu.Unlock()
					return
				}
			}()
		}
		wg.Wait()
		require.Len(t, wonAt, workers)
		versions, err := stores[1].PlanVersions(ctx, day)
		require.NoError(t, err)
		require.Equal(t, int64(workers), versions[key])
		all, err := stores[2].List(ctx, callback.Filter{})
		require.NoError(t, err)
		require.Len(t, all, workers)
	})
}
