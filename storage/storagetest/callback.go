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
}
