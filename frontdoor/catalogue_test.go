package frontdoor_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

// catalogueBooker publishes the Kallio guidance with bp-check's booking
// rules (for adults only) and returns the guide and a Booker that takes
// its services from it, with no static catalogue. Each edit changes the
// service before it is published.
func catalogueBooker(t *testing.T, edits ...func(*guidance.BookableService)) (*guidance.Guide, *booking.Booker, *clock.Mock) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(at(2026, time.November, 23, 9, 0))
	db := memory.New()
	g, err := guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Clock: clk,
		Roles: guidance.Grants{"editor-1": {{Role: guidance.RoleEditor}}, "reviewer-1": {{Role: guidance.RoleReviewer}},
			"head-1": {{Role: guidance.RoleManager}}}})
	require.NoError(t, err)
	content, err := guidance.Decode("kallio.json", strings.NewReader(clientGuidance), nil)
	require.NoError(t, err)
	svc := &content.Booking[0].Services[0]
	svc.Groups = []string{"adult"}
	questions, err := json.Marshal([]booking.Question{{ID: "home", Text: civil.Names{FI: "Onko kotimittauksia?"}, Kind: booking.QuestionYesNo}})
	require.NoError(t, err)
	svc.Rules = &guidance.BookingRules{DurationMinutes: 20, Channel: channel.InPerson, StepMinutes: 30,
		Requires: []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}, PreQuestions: questions}
	for _, edit := range edits {
		edit(svc)
	}
	refs, err := g.Import(ctx, editor, content)
	require.NoError(t, err)
	for _, ref := range refs {
		require.NoError(t, g.Submit(ctx, editor, ref, ""))
		require.NoError(t, g.Review(ctx, reviewer, ref, "ok"))
		require.NoError(t, g.Approve(ctx, head, ref, ""))
		require.NoError(t, g.Publish(ctx, head, ref, ""))
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	set, err := booking.NewCalendarSet([]booking.Calendar{{ID: booking.ProfessionalCalendar("aino"),
		Kind: booking.OwnerProfessional, Area: "kallio", Team: "kallio-a", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: weekdays, Span: civil.Span{From: civil.At(12, 0), To: civil.At(14, 0)},
			Block: booking.BlockSelfService}}}})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: time.November, Day: 23}, 14)
	require.NoError(t, err)
	b, err := booking.New(booking.Config{Index: ix, Services: frontdoor.CatalogueServices{Guide: g},
		Store: db.BookingStore(), Audit: db.AuditLog(), Clock: clk})
	require.NoError(t, err)
	return g, b, clk
}

func TestAdviceNeverRecommendsAServiceBookingRefuses(t *testing.T) {
	ctx := context.Background()
	g, b, clk := catalogueBooker(t)
	cat, err := g.Published(ctx, clk.Now())
	require.NoError(t, err)
	for _, group := range []string{"adult", "senior", ""} {
		t.Run("group "+group, func(t *testing.T) {
			adv, err := cat.Advise(channel.DefaultMatrix(), guidance.Situation{Errand: channel.ErrandChronicFollowUp, Area: "kallio",
				Group: group, Identity: channel.IdentityStrong})
			require.NoError(t, err)
			recommended := ""
			for _, f := range adv.Fits {
				if f.Kind == channel.EBooking {
					recommended = f.Service
				}
			}
			client := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"}, ClientGroup: group}
			_, searchErr := b.Search(ctx, booking.SearchRequest{Area: "kallio", Service: "bp-check", By: client})
			if recommended != "" {
				require.Equal(t, "bp-check", recommended)
				require.NoError(t, searchErr, "advice recommends it, so booking accepts it")
			} else {
				require.ErrorIs(t, searchErr, booking.ErrNotAllowed, "advice does not recommend it, and booking refuses it")
			}
			require.Equal(t, group == "adult", recommended != "")
		})
	}
	svc, version, err := b.ServiceAt(ctx, "kallio", "bp-check")
	require.NoError(t, err)
	require.Equal(t, "booking/kallio@1", version)
	require.Equal(t, 20*time.Minute, svc.Duration)
	require.Equal(t, "Blodtryckskontroll", svc.Names.SV)
	require.Len(t, svc.PreQuestions, 1)
	_, _, err = b.ServiceAt(ctx, "kallio", "nope")
	require.ErrorIs(t, err, booking.ErrNotFound)
}

// A service only professionals book: advice sends no client group to book
// it, booking refuses every client, and a professional of the area books
// it through the same catalogue.
func TestStaffOnlyServiceFromTheCatalogue(t *testing.T) {
	ctx := context.Background()
	g, b, clk := catalogueBooker(t, func(s *guidance.BookableService) {
		s.Groups = nil
		s.Rules.StaffOnly = true
	})
	cat, err := g.Published(ctx, clk.Now())
	require.NoError(t, err)
	svc, _, err := b.ServiceAt(ctx, "kallio", "bp-check")
	require.NoError(t, err)
	require.Empty(t, svc.SelfBookGroups, "professionals only")
	for _, group := range []string{"adult", "senior", ""} {
		t.Run("group "+group, func(t *testing.T) {
			adv, err := cat.Advise(channel.DefaultMatrix(), guidance.Situation{Errand: channel.ErrandChronicFollowUp, Area: "kallio",
				Group: group, Identity: channel.IdentityStrong})
			require.NoError(t, err)
			for _, f := range adv.Fits {
				require.NotEqual(t, channel.EBooking, f.Kind, "no client is sent to book a staff-only service")
			}
			client := booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"}, ClientGroup: group}
			_, err = b.Search(ctx, booking.SearchRequest{Area: "kallio", Service: "bp-check", By: client})
			require.ErrorIs(t, err, booking.ErrNotAllowed)
		})
	}
	nurse := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: "aino"}}
	slots, err := b.Search(ctx, booking.SearchRequest{Area: "kallio", Service: "bp-check", By: nurse})
	require.NoError(t, err)
	require.NotEmpty(t, slots, "the nurse books it for the client")
}

// The service's own text is Finnish only; once the area publishes a
// Swedish text, a Swedish client reads that one, with the service named in
// Swedish, and the version of what they read.
func TestSwedishAfterFallbackNamesTheServiceInSwedish(t *testing.T) {
	ctx := context.Background()
	st := newClientStation(t, demand.PolicyKeepBoth)
	st.publish(t, guidance.Entry{Text: &guidance.Text{Key: guidance.KeyEBookingBefore, Area: "kallio",
		Text: guidance.Localized{"fi": "{service_name}: tervetuloa.", "sv": "{service_name}: välkommen."}}})
	times, err := st.door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-1", Group: "adult", Area: "kallio",
		Service: "bp-check", Limit: 1, Language: "sv"})
	require.NoError(t, err)
	require.Equal(t, "sv", times.Text.Language.String())
	require.Equal(t, "Blodtryckskontroll: välkommen.", times.Text.Plain)
	require.Equal(t, guidance.Ref{Subject: "text/ebooking.before/kallio/*", Number: 1}, times.Text.Version)
	require.Equal(t, times.Text.Version, times.Text.Rendered.Version)
	held, err := st.door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-1", Group: "adult", Slot: times.Slots[0], Language: "sv"})
	require.NoError(t, err)
	require.Equal(t, "text/ebooking.before/kallio/*@1", held.Appointment.GuidanceVersion)
}
