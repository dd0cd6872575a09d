package booking_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"

	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// roomVisit is a self-bookable nurse visit that needs a room as well; the
// fixture has one room (room-1).
func roomVisit() booking.Service {
	return booking.Service{Code: "room-visit", Area: "north", Names: civil.Names{FI: "Hoitajan vastaanotto huoneessa"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, SelfBookGroups: []string{"adult"},
		Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}, {Kind: booking.OwnerResource, Role: "room"}}}
}

// roomSlot returns the room visit of nurse at at.
func roomSlot(t *testing.T, f *fixture, by booking.Requester, nurse string, at time.Time) booking.Slot {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "room-visit", Professional: carecontact.ProfessionalID(nurse), From: at, By: by, Limit: 1})
	require.NoError(t, err)
	require.Len(t, slots, 1)
	require.Equal(t, at, slots[0].Start)
	require.Equal(t, []booking.CalendarID{booking.CalendarID(nurse), "room-1"}, slots[0].Participants)
	return slots[0]
}

// TestProfessionalAndRoom: a search offers only times when a nurse and the
// room are both free, and a hold takes both.
func TestProfessionalAndRoom(t *testing.T) {
	ctx := context.Background()
	f := serviceFixture(t, roomVisit(), limited())
	at := helsinki(t, 2026, time.December, 8, 9, 0)
	h, err := f.b.Hold(ctx, booking.BookRequest{Slot: roomSlot(t, f, client("c1"), "nurse-1", at), Client: "c1", By: client("c1")})
	require.NoError(t, err)
	// nurse-2 is free at 09:00, but the room is held: the next room time
	// is 09:30.
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "room-visit", From: at, By: client("c2"), Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []hm{{9, 30, "nurse-1"}, {9, 30, "nurse-2"}}, starts(t, slots))
	// A service without a room still has nurse-2 at 09:00.
	slots, err = f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "limited", From: at, By: client("c2"), Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []hm{{9, 0, "nurse-2"}}, starts(t, slots))
	// Confirmed, the booking keeps both.
	a, err := f.b.Confirm(ctx, h.ID, client("c1"))
	require.NoError(t, err)
	require.Equal(t, []booking.CalendarID{"nurse-1", "room-1"}, a.Participants)
	busy, err := f.store.Busy(ctx, []booking.CalendarID{"nurse-1", "room-1"}, booking.Interval{Start: at, End: at.Add(30 * time.Minute)}, f.now)
	require.NoError(t, err)
	require.Len(t, busy, 2)
}

// TestRaceForTheLastRoom: two clients, each with a free nurse of their
// own, race for the one room at one time: one gets the booking, the other
// ErrSlotTaken, and the loser's nurse stays free.
func TestRaceForTheLastRoom(t *testing.T) {
	ctx := context.Background()
	for _, hold := range []bool{false, true} {
		f := serviceFixture(t, roomVisit())
		at := helsinki(t, 2026, time.December, 8, 9, 0)
		reqs := []booking.BookRequest{
			{Slot: roomSlot(t, f, client("c1"), "nurse-1", at), Client: "c1", By: client("c1")},
			{Slot: roomSlot(t, f, client("c2"), "nurse-2", at), Client: "c2", By: client("c2")},
		}
		errs := make([]error, len(reqs))
		var wg sync.WaitGroup
		for i, req := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if hold {
					_, errs[i] = f.b.Hold(ctx, req)
				} else {
					_, errs[i] = f.b.Book(ctx, req)
				}
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			require.True(t, errors.Is(err, booking.ErrSlotTaken), "hold %v: %v", hold, err)
		}
		require.Equal(t, 1, won, "hold %v: one booking for the last room", hold)
		busy, err := f.store.Busy(ctx, []booking.CalendarID{"nurse-1", "nurse-2", "room-1"}, booking.Interval{Start: at, End: at.Add(30 * time.Minute)}, f.now)
		require.NoError(t, err)
		require.Len(t, busy, 2, "hold %v: the winner's nurse and the room, not the loser's nurse", hold)
	}
}
