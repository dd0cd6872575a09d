package routing_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// FuzzRoute feeds arbitrary contacts to the pure decision: it never panics,
// and it either routes or fails with a documented error.
func FuzzRoute(f *testing.F) {
	f.Add("infection_symptoms", "callback", "00530", "", "n-aino", "kallio-a", "fi", 0)
	f.Add("certificate", "video", "00500", "", "", "", "sv", 2)
	f.Add("", "fax", "5300", "espoo", "x", "y", "de", 9)
	d := fixture(f)
	f.Fuzz(func(t *testing.T, errand, ch, pc, area, own, team, lang string, prio int) {
		c := routing.Contact{Client: "c", Errand: channel.Errand(errand), Channel: channel.Kind(ch), PostalCode: routing.PostalCode(pc),
			Area: carecontact.AreaID(area), OwnProfessional: carecontact.ProfessionalID(own), OwnTeam: carecontact.TeamID(team),
			Language: civil.Language(lang), Priority: routing.Priority(prio)}
		r, err := d.Route(c)
		if err != nil {
			require.True(t, errors.Is(err, routing.ErrInvalid) || errors.Is(err, routing.ErrMalformedPostalCode) ||
				errors.Is(err, routing.ErrNoRoute), "unexpected error %v", err)
			return
		}
		require.NotEmpty(t, r.Steps)
		for _, s := range r.Steps {
			require.NotEmpty(t, s.Professionals)
			require.NotEmpty(t, s.Teams)
		}
	})
}

// FuzzDispatcher runs arbitrary sequences of operations and checks after
// each that the dispatcher and the store agree: every professional's load
// in the store is exactly the items offered to, accepted by or wrapping up
// with them, nobody exceeds their capacity, and no item is lost.
func FuzzDispatcher(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15})
	f.Add([]byte{7, 7, 7, 0, 0, 0, 0, 1, 1, 2, 3, 5, 5, 5, 6, 4, 4})
	f.Add([]byte{7, 0, 0, 8, 8, 8, 8, 8, 8, 1, 2, 3, 4, 9, 9, 9})
	f.Add([]byte{7, 0x17, 0x27, 0, 1, 2, 10, 4, 10, 8, 5, 0, 3, 10, 8, 8, 8})
	f.Fuzz(func(t *testing.T, ops []byte) {
		ctx := context.Background()
		dir := fixture(t)
		store := memory.NewRoutingStore(nil)
		clk := clock.NewMock()
		clk.Set(monday10)
		d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clk, Store: store})
		require.NoError(t, err)
		live := map[carecontact.ItemID]bool{}
		var ids []carecontact.ItemID
		codes := []routing.PostalCode{"00530", "00550", "00540", "00250", "00990"}
		chans := []channel.Kind{channel.Callback, channel.Chat, channel.Video, channel.SecureMessage}
		errands := []channel.Errand{channel.ErrandOther, channel.ErrandMentalHealth, channel.ErrandChronicFollowUp, channel.ErrandCertificate}
		profs := dir.Professionals()
		pick := func(i int) carecontact.ItemID {
			if len(ids) == 0 {
				return "none"
			}
			return ids[i%len(ids)]
		}
		for k, op := range ops {
			arg := int(op >> 4)
			switch op % 11 {
			case 0, 1:
				id := carecontact.ItemID(fmt.Sprintf("i%d", k))
				c := routing.Contact{Client: "c", Errand: errands[arg%len(errands)], Channel: chans[(arg/2)%len(chans)],
					PostalCode: codes[(k+arg)%len(codes)], Priority: routing.Priority(arg % 3)}
				if arg%2 == 0 {
					c.OwnProfessional, c.OwnTeam = "n-aino", "kallio-a"
				}
				if _, err := d.Enqueue(ctx, id, c); err == nil {
					ids = append(ids, id)
					live[id] = true
				} else {
					require.ErrorIs(t, err, routing.ErrNoRoute)
				}
			case 2:
				it, ok := d.Item(pick(arg))
				if ok && it.State == routing.ItemOffered {
					_, err := d.Accept(ctx, it.ID, it.Professional)
					require.NoError(t, err)
				}
			case 3:
				it, ok := d.Item(pick(arg))
				if ok && it.State == routing.ItemOffered {
					require.NoError(t, d.Decline(ctx, it.ID, it.Professional))
				}
			case 4:
				it, ok := d.Item(pick(arg))
				if ok && it.State == routing.ItemAccepted {
					_, err := d.Finish(ctx, it.ID, it.Professional)
					require.NoError(t, err)
				}
			case 5:
				it, ok := d.Item(pick(arg))
				if ok && it.State == routing.ItemWrapUp {
					require.NoError(t, d.Complete(ctx, it.ID, it.Professional))
				}
			case 6:
				err := d.Rescind(ctx, pick(arg), "client_left")
				if err != nil {
					require.True(t, errors.Is(err, routing.ErrWrongState) || errors.Is(err, routing.ErrItemNotFound), "%v", err)
				}
			case 7:
				_, err := d.SetPresence(ctx, profs[arg%len(profs)], []routing.Presence{routing.PresenceAvailable, routing.PresenceBusy, routing.PresenceAway}[k%3])
				require.NoError(t, err)
			case 8:
				clk.Add(time.Duration(arg+1) * 20 * time.Second)
				require.NoError(t, d.Advance(ctx))
			case 10:
				// The host restarts: a new dispatcher recovers from the store.
				d, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clk, Store: store})
				require.NoError(t, err)
			case 9:
				_, err := d.Accept(ctx, pick(arg), profs[arg%len(profs)])
				if err != nil {
					require.True(t, errors.Is(err, routing.ErrWrongState) || errors.Is(err, routing.ErrItemNotFound) ||
						errors.Is(err, routing.ErrOfferExpired), "%v", err)
				}
			}
			checkConsistent(t, ctx, d, store, profs, live)
			checkWorkConserving(t, ctx, dir, d, store)
		}
	})
}

func checkConsistent(t *testing.T, ctx context.Context, d *routing.Dispatcher, store *memory.RoutingStore,
	profs []carecontact.ProfessionalID, live map[carecontact.ItemID]bool) {
	t.Helper()
	items, err := store.Items(ctx)
	require.NoError(t, err)
	load := map[carecontact.ProfessionalID]routing.Capacity{}
	var stats routing.Stats
	inStore := map[carecontact.ItemID]bool{}
	for _, it := range items {
		inStore[it.ID] = true
		mine, ok := d.Item(it.ID)
		require.True(t, ok, "item %s is in the store but not the dispatcher", it.ID)
		require.Equal(t, it.Version, mine.Version)
		require.Equal(t, it.State, mine.State)
		switch it.State {
		case routing.ItemQueued:
			stats.Queued++
			require.Empty(t, it.Professional)
			continue
		case routing.ItemOffered:
			stats.Offered++
		case routing.ItemAccepted:
			stats.Accepted++
		case routing.ItemWrapUp:
			stats.WrapUp++
		}
		sl, err := routing.SlotOf(it.Contact.Channel)
		require.NoError(t, err)
		c := load[it.Professional]
		switch sl {
		case routing.SlotSynchronous:
			c.Synchronous++
		case routing.SlotChat:
			c.Chat++
		case routing.SlotMessage:
			c.Message++
		}
		load[it.Professional] = c
	}
	require.Equal(t, stats, d.Stats())
	for _, p := range profs {
		st, err := store.Professional(ctx, p)
		require.NoError(t, err)
		require.Equal(t, load[p], st.Load, "load of %s", p)
		for _, s := range []routing.Slot{routing.SlotSynchronous, routing.SlotChat, routing.SlotMessage} {
			require.LessOrEqual(t, st.Load.Of(s), st.Capacity.Of(s))
		}
		mine, ok := d.Professional(p)
		require.True(t, ok)
		require.Equal(t, st, mine)
	}
	for id := range live {
		if !inStore[id] {
			delete(live, id) // completed, rescinded or dropped: gone from both
			_, ok := d.Item(id)
			require.False(t, ok)
		}
	}
}

// checkWorkConserving checks that no queued item waits while one of its
// step's candidates who has not declined it could take it.
func checkWorkConserving(t *testing.T, ctx context.Context, dir *routing.Directory, d *routing.Dispatcher, store *memory.RoutingStore) {
	t.Helper()
	items, err := store.Items(ctx)
	require.NoError(t, err)
	for _, it := range items {
		if it.State != routing.ItemQueued {
			continue
		}
		r, err := dir.Route(it.Contact)
		require.NoError(t, err)
		sl, _ := routing.SlotOf(it.Contact.Channel)
		for _, s := range r.Steps {
			if s.Index != it.Step {
				continue
			}
			for _, p := range s.Professionals {
				st, _ := d.Professional(p)
				if st.CanTake(sl) {
					require.Contains(t, it.Excluded, p, "%s waits in step %d while %s is free", it.ID, it.Step, p)
				}
			}
		}
	}
}
