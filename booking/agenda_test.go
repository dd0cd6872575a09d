package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

func TestAgenda(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	tue := civil.NewDate(2026, time.December, 8)
	slotAt := func(who carecontact.ProfessionalID, at time.Time) booking.Slot {
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: who, From: at, By: pro, Limit: 1})
		require.NoError(t, err)
		require.Equal(t, at, slots[0].Start)
		return slots[0]
	}
	// The client books themselves and answers; a professional books another.
	self, err := f.b.Book(ctx, booking.BookRequest{Slot: slotAt("nurse-1", helsinki(t, 2026, 12, 8, 10, 0)), Client: "c-1", By: client("c-1"),
		Answers: []booking.Answer{{QuestionID: "meds", Text: "ei lääkkeitä"}, {QuestionID: "symptoms", Text: "kurkkukipu"}}})
	require.NoError(t, err)
	byPro := bookAt(t, f, "c-2", helsinki(t, 2026, 12, 8, 9, 0))
	gone := bookAt(t, f, "c-3", helsinki(t, 2026, 12, 8, 12, 0))
	_, err = f.b.Cancel(ctx, gone.ID, "peruttu", pro)
	require.NoError(t, err)
	bookAt(t, f, "c-4", helsinki(t, 2026, 12, 9, 9, 0))                                                                          // another day
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slotAt("nurse-2", helsinki(t, 2026, 12, 8, 9, 0)), Client: "c-5", By: pro}) // another nurse
	require.NoError(t, err)

	ag, err := f.b.Agenda(ctx, "nurse-1", tue, nurse1)
	require.NoError(t, err)
	require.Equal(t, booking.CalendarID("nurse-1"), ag.Owner)
	require.Len(t, ag.Blocks, 5, "08-11, 11:30-12 self-service, professional-only, acute, callback")
	require.Len(t, ag.Items, 2)
	require.Equal(t, byPro.ID, ag.Items[0].Appointment.ID)
	require.Equal(t, self.ID, ag.Items[1].Appointment.ID)
	require.Equal(t, "Hoitajan vastaanotto", ag.Items[1].ServiceNames.FI)
	var answers [][2]string
	for _, a := range ag.Items[1].Answers {
		answers = append(answers, [2]string{a.Question.Text.FI, a.Text})
	}
	require.Equal(t, [][2]string{{"Oireet?", "kurkkukipu"}, {"Lääkkeet?", "ei lääkkeitä"}}, answers, "in the service's question order")
	require.Len(t, ag.Items[0].Answers, 1, "the answers a professional gave")

	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.read", ActorID: "nurse-1"})
	require.NoError(t, err)
	require.Len(t, evs, 2, "each appointment recorded as read by the professional")
	for _, e := range evs {
		require.Equal(t, "agenda", e.Detail["reason"])
		require.NoError(t, e.Validate())
	}

	// After an absence is added, the day has no working time, but the
	// appointments still on it are shown.
	_, err = f.b.AddAbsence(ctx, "nurse-1", 0, booking.Exception{Date: tue, Kind: booking.Absence}, nurse1)
	require.NoError(t, err)
	ag, err = f.b.Agenda(ctx, "nurse-1", tue, pro)
	require.NoError(t, err)
	require.Empty(t, ag.Blocks)
	require.Len(t, ag.Items, 2)

	cases := []struct {
		name  string
		owner booking.CalendarID
		day   civil.Date
		by    booking.Requester
		err   error
	}{
		{"another area's professional", "nurse-1", tue, south1, booking.ErrNotAllowed},
		{"a client", "nurse-1", tue, client("c-1"), booking.ErrNotAllowed},
		{"an unknown calendar", "nobody", tue, nurse1, booking.ErrNotFound},
		{"not a day", "nurse-1", civil.Date{Year: 2026, Month: time.February, Day: 30}, nurse1, booking.ErrInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.Agenda(ctx, tc.owner, tc.day, tc.by)
			require.ErrorIs(t, err, tc.err)
		})
	}
	denied, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "calendar/nurse-1", ActorID: "south-1"})
	require.NoError(t, err)
	require.Len(t, denied, 1)
	require.Equal(t, audit.Denied, denied[0].Outcome)
}
