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
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

func groupSession(capacity int) booking.Service {
	return booking.Service{Code: "group", Area: "north", Names: civil.Names{FI: "Ryhmävastaanotto"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}, {Kind: booking.OwnerResource, Role: "room"}},
		SelfBookGroups: []string{"adult"}, Capacity: capacity}
}

func TestCapacity(t *testing.T) {
	ctx := context.Background()
	from := helsinki(t, 2026, time.December, 8, 8, 0)
	cases := []struct {
		name     string
		capacity int
		bookings int
		booked   int // how many of them succeed on the same slot
	}{
		{name: "no capacity: one per slot", capacity: 0, bookings: 2, booked: 1},
		{name: "capacity 1", capacity: 1, bookings: 2, booked: 1},
		{name: "capacity 3", capacity: 3, bookings: 4, booked: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := serviceFixture(t, groupSession(tc.capacity))
			search := func(by booking.Requester) booking.Slot {
				slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "group", Professional: "nurse-1", From: from, By: by, Limit: 1})
				require.NoError(t, err)
				require.Len(t, slots, 1)
				return slots[0]
			}
			first := search(client("c0"))
			require.Equal(t, from, first.Start)
			booked := 0
			for i := range tc.bookings {
				c := fmt.Sprintf("c%d", i)
				_, err := f.b.Book(ctx, booking.BookRequest{Slot: first, Client: carecontact.ClientRef(c), By: client(c)})
				if err == nil {
					booked++
					continue
				}
				require.ErrorIs(t, err, booking.ErrSlotTaken)
			}
			require.Equal(t, tc.booked, booked)
			// The full slot is no longer offered; the next one is.
			require.True(t, search(client("x")).Start.After(first.Start))
		})
	}
}

func TestCapacityShowsSeatsLeft(t *testing.T) {
	ctx := context.Background()
	from := helsinki(t, 2026, time.December, 8, 8, 0)
	f := serviceFixture(t, groupSession(2), vaccination())
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "group", Professional: "nurse-1", From: from, By: client("a"), Limit: 1})
	require.NoError(t, err)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "a", By: client("a")})
	require.NoError(t, err)
	again, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "group", Professional: "nurse-1", From: from, By: client("b"), Limit: 1})
	require.NoError(t, err)
	require.Equal(t, slots[0].Start, again[0].Start, "a seat is left")
	// Another service may not use the group's time.
	other, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "flu-shot", Professional: "nurse-1", From: from, By: client("b"), Limit: 1})
	require.NoError(t, err)
	require.Equal(t, slots[0].End, other[0].Start)
}

func TestCapacityRace(t *testing.T) {
	ctx := context.Background()
	const capacity = 6
	f := serviceFixture(t, groupSession(capacity))
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "group", Professional: "nurse-1",
		From: helsinki(t, 2026, time.December, 8, 8, 0), By: client("a"), Limit: 1})
	require.NoError(t, err)
	for _, racers := range []int{capacity + 1} {
		var wins atomic.Int32
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				c := fmt.Sprintf("r%d", i)
				_, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: carecontact.ClientRef(c), By: client(c)})
				if err == nil {
					wins.Add(1)
				} else if !errors.Is(err, booking.ErrSlotTaken) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		require.EqualValues(t, capacity, wins.Load())
	}
}
