package routing_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
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

// TestConcurrentDispatch races enqueuers, professionals accepting,
// declining and finishing, and a client-side rescinder against one
// dispatcher: no item is ever offered to two professionals at once, and
// every item ends completed or rescinded.
func TestConcurrentDispatch(t *testing.T) {
	const nProfs, enqueuers, perEnqueuer = 20, 8, 150
	const total = enqueuers * perEnqueuer
	cfg := routing.Config{
		Areas: []routing.Area{{ID: "malmi", NameFi: "Malmi", NameSv: "Malm", PostalCodes: []routing.PostalCode{"00700", "00710"}}},
		Teams: []routing.Team{{ID: "malmi-a", NameFi: "Malmin tiimi", Area: "malmi"}},
		Policies: []routing.Policy{{Steps: []routing.Step{
			{Target: routing.TargetOwnProfessional, Timeout: time.Minute},
			{Target: routing.TargetHomeArea},
		}}},
	}
	for i := range nProfs {
		cfg.Professionals = append(cfg.Professionals, routing.Professional{
			ID: carecontact.ProfessionalID(fmt.Sprintf("n-%02d", i)), Role: routing.RoleNurse, Languages: []civil.Language{"fi"},
			Teams: []carecontact.TeamID{"malmi-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2},
		})
	}
	dir, err := routing.NewDirectory(cfg)
	require.NoError(t, err)

	var (
		holder     = map[carecontact.ItemID]carecontact.ProfessionalID{} // guarded by the dispatcher's lock
		violations []string
		ended      int
		done       = make(chan struct{})
		inbox      = map[carecontact.ProfessionalID]chan carecontact.ItemID{}
	)
	for _, p := range dir.Professionals() {
		inbox[p] = make(chan carecontact.ItemID, total)
	}
	sink := func(e routing.Event) {
		switch e.Kind {
		case routing.EventOffered:
			if h, busy := holder[e.Item]; busy {
				violations = append(violations, fmt.Sprintf("%s offered to %s while held by %s", e.Item, e.Professional, h))
			}
			holder[e.Item] = e.Professional
			inbox[e.Professional] <- e.Item
		case routing.EventDeclined, routing.EventTimedOut:
			delete(holder, e.Item)
		case routing.EventCompleted, routing.EventRescinded, routing.EventNoRoute:
			delete(holder, e.Item)
			ended++
			if ended == total {
				close(done)
			}
		}
	}
	ctx := context.Background()
	store := memory.NewRoutingStore(nil)
	clk := clock.NewMock()
	clk.Set(monday10)
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clk, Store: store, Sink: sink})
	require.NoError(t, err)
	for _, p := range dir.Professionals() {
		_, err := d.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
	}

	var workers sync.WaitGroup
	declined := sync.Map{}
	for p, ch := range inbox {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for {
				select {
				case <-done:
					return
				case id := <-ch:
					if len(id)%3 == 0 {
						if _, again := declined.LoadOrStore(id, true); !again {
							if err := d.Decline(ctx, id, p); err != nil && !errors.Is(err, routing.ErrWrongState) && !errors.Is(err, routing.ErrItemNotFound) && !errors.Is(err, routing.ErrOfferExpired) {
								t.Errorf("decline %s: %v", id, err)
							}
							continue
						}
					}
					if _, err := d.Accept(ctx, id, p); err != nil {
						if !errors.Is(err, routing.ErrWrongState) && !errors.Is(err, routing.ErrItemNotFound) && !errors.Is(err, routing.ErrOfferExpired) {
							t.Errorf("accept %s: %v", id, err)
						}
						continue
					}
					if _, err := d.Finish(ctx, id, p); err != nil {
						t.Errorf("finish %s: %v", id, err)
					}
				}
			}
		}()
	}
	var producers sync.WaitGroup
	for w := range enqueuers {
		producers.Add(1)
		go func() {
			defer producers.Done()
			for i := range perEnqueuer {
				id := carecontact.ItemID(fmt.Sprintf("w%d-i%d", w, i))
				c := routing.Contact{Client: carecontact.ClientRef(id), Errand: channel.ErrandOther, PostalCode: "00700",
					Channel: []channel.Kind{channel.Chat, channel.Callback}[i%2]}
				if i%4 == 0 {
					c.OwnProfessional = carecontact.ProfessionalID(fmt.Sprintf("n-%02d", (w+i)%nProfs))
				}
				if _, err := d.Enqueue(ctx, id, c); err != nil {
					t.Errorf("enqueue %s: %v", id, err)
				}
				if i%10 == 9 {
					err := d.Rescind(ctx, id, "client_left")
					if err != nil && !errors.Is(err, routing.ErrWrongState) && !errors.Is(err, routing.ErrItemNotFound) && !errors.Is(err, routing.ErrOfferExpired) {
						t.Errorf("rescind %s: %v", id, err)
					}
				}
			}
		}()
	}
	producers.Wait()
	// Items their own professional declined wait for the step's timeout:
	// let virtual time pass until every item has ended.
	for tick := 0; ; tick++ {
		select {
		case <-done:
		case <-time.After(10 * time.Millisecond):
			require.Less(t, tick, 1000, "items were lost: %+v still in the dispatcher", d.Stats())
			clk.Add(time.Minute)
			require.NoError(t, d.Advance(ctx))
			continue
		}
		break
	}
	workers.Wait()
	require.Empty(t, violations)
	require.Equal(t, routing.Stats{}, d.Stats())
	left, err := store.Items(ctx)
	require.NoError(t, err)
	require.Empty(t, left, "the store keeps no finished items")
	for _, p := range dir.Professionals() {
		st, err := store.Professional(ctx, p)
		require.NoError(t, err)
		require.Equal(t, routing.Capacity{}, st.Load, "%s holds nothing", p)
	}
}
