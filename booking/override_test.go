package booking_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// limited is a self-bookable service with one booking per client a month,
// two hours' notice and a one-hour cancellation cut-off.
func limited() booking.Service {
	return booking.Service{Code: "limited", Area: "north", Names: civil.Names{FI: "Rajattu"}, Duration: 30 * time.Minute,
		Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}, MinNotice: 2 * time.Hour, MaxPerClient: 1, Period: 30 * 24 * time.Hour,
		ClientCancelBefore: time.Hour}
}

func overriding(rules []booking.Rule, reason string) booking.Requester {
	r := pro
	r.Override = &booking.Override{Rules: rules, Reason: reason}
	return r
}

// slotAt returns the first slot of the service at or after from for by.
func slotAt(t *testing.T, f *fixture, by booking.Requester, from time.Time) booking.Slot {
	t.Helper()
	slots, err := f.b.Search(context.Background(), booking.SearchRequest{Area: "north", Service: "limited", From: from, By: by, Limit: 1})
	require.NoError(t, err)
	require.Len(t, slots, 1)
	return slots[0]
}

func TestClientLimitCountsSelfBookings(t *testing.T) {
	ctx := context.Background()
	tues := helsinki(t, 2026, time.December, 8, 8, 0)
	cases := []struct {
		name  string
		first booking.Requester // books first, at 08:00 Tuesday
		then  booking.Requester // books second, at 09:00 Tuesday
		want  error
		self  bool // the second appointment counts as the client's own
	}{
		{name: "a professional's booking does not count", first: pro, then: client("c1"), self: true},
		{name: "a client's own booking counts", first: client("c1"), then: client("c1"), want: booking.ErrLimitReached},
		{name: "a professional books beyond the limit", first: client("c1"), then: pro},
		{name: "a professional overrides the limit", first: client("c1"), then: overriding([]booking.Rule{booking.RuleLimit}, "hoitosuunnitelma"), self: true},
		{name: "an override of another rule keeps the limit", first: client("c1"), then: overriding([]booking.Rule{booking.RuleCutOff}, "hoitosuunnitelma"), want: booking.ErrLimitReached},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := serviceFixture(t, limited())
			_, err := f.b.Book(ctx, booking.BookRequest{Slot: slotAt(t, f, tc.first, tues), Client: "c1", By: tc.first})
			require.NoError(t, err)
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slotAt(t, f, tc.then, tues.Add(time.Hour)), Client: "c1", By: tc.then})
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.self, a.SelfBooked)
		})
	}
}

func TestCutOffAndOverrides(t *testing.T) {
	ctx := context.Background()
	start := helsinki(t, 2026, time.December, 8, 10, 0)
	cases := []struct {
		name       string
		at         time.Time // when the change is asked
		by         booking.Requester
		reschedule bool
		want       error
		field      string // a *carecontact.FieldError naming this field
		override   string // the audited override rules
	}{
		{name: "client cancels two hours before", at: start.Add(-2 * time.Hour), by: client("c1")},
		{name: "client cancels ten minutes before", at: start.Add(-10 * time.Minute), by: client("c1"), want: booking.ErrNotAllowed},
		{name: "client cancels at the cut-off", at: start.Add(-time.Hour), by: client("c1"), want: booking.ErrNotAllowed},
		{name: "client reschedules ten minutes before", at: start.Add(-10 * time.Minute), by: client("c1"), reschedule: true, want: booking.ErrNotAllowed},
		{name: "client reschedules the day before", at: start.Add(-24 * time.Hour), by: client("c1"), reschedule: true},
		{name: "professional cancels ten minutes before", at: start.Add(-10 * time.Minute), by: pro},
		{name: "professional overrides the cut-off", at: start.Add(-10 * time.Minute), by: overriding([]booking.Rule{booking.RuleCutOff}, "soitti numerosta 040 1234567, sairastui"), override: "cutoff"},
		{name: "professional reschedules overriding the cut-off and notice", at: start.Add(-10 * time.Minute), reschedule: true,
			by: overriding([]booking.Rule{booking.RuleCutOff, booking.RuleNotice, booking.RuleLimit}, "sairastui"), override: "cutoff,notice,limit"},
		{name: "an override of the limit keeps the cut-off", at: start.Add(-10 * time.Minute), by: overriding([]booking.Rule{booking.RuleLimit}, "x"), want: booking.ErrNotAllowed},
		{name: "a client may not override", at: start.Add(-10 * time.Minute), by: func() booking.Requester {
			c := client("c1")
			c.Override = &booking.Override{Rules: []booking.Rule{booking.RuleCutOff}, Reason: "please"}
			return c
		}(), want: booking.ErrNotAllowed},
		{name: "override without a reason", at: start.Add(-10 * time.Minute), by: overriding([]booking.Rule{booking.RuleCutOff}, " "), field: "override.reason"},
		{name: "override without rules", at: start.Add(-10 * time.Minute), by: overriding(nil, "x"), field: "override.rules"},
		{name: "override of an unknown rule", at: start.Add(-10 * time.Minute), by: overriding([]booking.Rule{"group"}, "x"), field: "override.rules[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := serviceFixture(t, limited())
			f.set(helsinki(t, 2026, time.December, 7, 7, 0))
			a, err := f.b.Book(ctx, booking.BookRequest{Slot: slotAt(t, f, client("c1"), start), Client: "c1", By: client("c1")})
			require.NoError(t, err)
			require.Equal(t, start, a.Start)
			f.set(tc.at)
			var subject string
			if tc.reschedule {
				to := slotAt(t, f, pro, start.Add(2*time.Hour))
				if tc.by.Actor.Kind == audit.ActorClient {
					to = slotAt(t, f, client("c2"), start.Add(2*time.Hour))
				}
				var res booking.RescheduleResult
				res, err = f.b.Reschedule(ctx, a.ID, to, tc.by)
				subject = "appointment/" + res.Cancelled.ID
			} else {
				_, err = f.b.Cancel(ctx, a.ID, "ei pääse", tc.by)
				subject = "appointment/" + a.ID
			}
			switch {
			case tc.field != "":
				var fe *carecontact.FieldError
				require.ErrorAs(t, err, &fe)
				require.Equal(t, tc.field, fe.Field)
				return
			case tc.want != nil:
				require.ErrorIs(t, err, tc.want)
				got, err := f.b.Appointment(ctx, a.ID, pro)
				require.NoError(t, err)
				require.Equal(t, booking.StatusBooked, got.Status)
				return
			}
			require.NoError(t, err)
			evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: subject})
			require.NoError(t, err)
			last := evs[len(evs)-1]
			require.Equal(t, tc.override, last.Detail["override"])
			if tc.override != "" {
				require.NotEmpty(t, last.Detail["override_reason"])
				require.NotContains(t, last.Detail["override_reason"], "1234567")
			}
		})
	}
}
