package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

func staff(id, claimedRole string) booking.Requester {
	return booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: id, Role: claimedRole}}
}

// A professional acts on the appointments of the areas they serve (a
// calendar there, or the directory's area) and where a cross-area grant
// reaches; a claimed role counts for nothing. Every refusal is audited.
func TestProfessionalsActInTheirAreas(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		by      booking.Requester
		allowed bool
	}{
		{"calendar owner in the area", staff("nurse-1", ""), true},
		{"directory area", staff("staff-7", ""), true},
		{"coordinator of every area", staff("coord-1", ""), true},
		{"another area", staff("south-1", ""), false},
		{"another area, claimed coordinator role", staff("south-1", booking.DefaultCrossAreaRole), false},
		{"unknown professional", staff("stranger-1", "supervisor"), false},
		{"the client", client("c1"), true},
		{"another client", client("c2"), false},
		{"the system", booking.Requester{Actor: audit.System("reminders")}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 60)
			slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 2, By: pro,
				From: helsinki(t, 2026, time.December, 9, 8, 0)})
			require.NoError(t, err)
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c1", By: pro})
			require.NoError(t, err)

			_, readErr := f.b.Appointment(ctx, a.ID, tc.by)
			list, listErr := f.b.ClientAppointments(ctx, "c1", tc.by)
			moved, reErr := f.b.Reschedule(ctx, a.ID, slots[1], tc.by)
			if reErr == nil {
				a = moved.Moved
			}
			_, cancelErr := f.b.Cancel(ctx, a.ID, "illness", tc.by)
			denied, err := f.store.AuditLog().Events(ctx, audit.Filter{ActorID: tc.by.Actor.ID})
			require.NoError(t, err)
			if tc.allowed {
				require.NoError(t, readErr)
				require.NoError(t, listErr)
				require.Len(t, list, 1)
				require.NoError(t, reErr)
				require.NoError(t, cancelErr)
				return
			}
			for _, err := range []error{readErr, reErr, cancelErr} {
				require.ErrorIs(t, err, booking.ErrNotAllowed)
			}
			if tc.by.Actor.Kind == audit.ActorProfessional {
				require.NoError(t, listErr)
				require.Empty(t, list, "another area's appointments are withheld")
			} else {
				require.ErrorIs(t, listErr, booking.ErrNotAllowed)
			}
			refused := map[string]bool{}
			for _, e := range denied {
				refused[e.Action] = refused[e.Action] || e.Outcome == audit.Denied
			}
			for _, action := range []string{"booking.read", "booking.reschedule", "booking.cancel"} {
				require.True(t, refused[action], "%s refused and audited", action)
			}
		})
	}
}
