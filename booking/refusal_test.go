package booking_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
)

// TestReadRefusalsAudited: a read by an actor that cannot be recorded, or
// of an ID that looks like personal data, is refused and audited as
// denied with the actor's kind; neither the error nor the event repeats
// the raw identity.
func TestReadRefusalsAudited(t *testing.T) {
	cases := []struct {
		name     string
		by       booking.Requester
		id       string // "" means the booked appointment
		wantErr  error
		wantWho  audit.Actor
		wantKind string
	}{
		{"zero actor", booking.Requester{}, "", audit.ErrInvalidEvent,
			audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}, "none"},
		{"client with identity code as ID", booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: "131052-308T"}}, "", audit.ErrInvalidEvent,
			audit.Actor{Kind: audit.ActorClient, ID: audit.Unidentified}, "client"},
		{"identity code as appointment ID", pro, "131052-308T", booking.ErrInvalid, pro.Actor, ""},
		{"another client", client("c-other"), "", booking.ErrNotAllowed, client("c-other").Actor, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 14)
			a := book(t, f, findSlot(t, f, helsinki(t, 2026, 12, 8, 9, 0)), "c-1")
			id := tc.id
			if id == "" {
				id = a.ID
			}
			_, err := f.b.Appointment(ctx, id, tc.by)
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "131052")
			evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.read"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			ev := evs[0]
			require.Equal(t, audit.Denied, ev.Outcome)
			require.Equal(t, tc.wantWho, ev.Actor)
			require.Equal(t, tc.wantKind, ev.Detail["actor_kind"])
			require.False(t, strings.Contains(ev.Subject, "131052"))
			for k, v := range ev.Detail {
				require.False(t, strings.Contains(k+v, "131052"), "detail %s=%s", k, v)
			}
		})
	}
	t.Run("client appointments, zero actor", func(t *testing.T) {
		ctx := context.Background()
		f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 14)
		_, err := f.b.ClientAppointments(ctx, carecontact.ClientRef("c-1"), booking.Requester{})
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.read"})
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.Equal(t, audit.Denied, evs[0].Outcome)
	})
}

// TestWaitOncePerService: a client joins a service's waitlist once; a
// second entry, even with another window, is an ErrInvalid FieldError
// naming "client". Another client, and a professional adding a different
// client, are accepted.
func TestWaitOncePerService(t *testing.T) {
	window := booking.Interval{Start: helsinki(t, 2026, 12, 8, 8, 0), End: helsinki(t, 2026, 12, 8, 12, 0)}
	cases := []struct {
		name      string
		second    booking.WaitRequest
		wantField string // "" means accepted
	}{
		{"same client again", booking.WaitRequest{Client: "c-1", By: client("c-1")}, "client"},
		{"same client, another window", booking.WaitRequest{Client: "c-1", By: client("c-1"), Window: window}, "client"},
		{"same client added by a professional", booking.WaitRequest{Client: "c-1", By: pro}, "client"},
		{"another client", booking.WaitRequest{Client: "c-2", By: client("c-2")}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 14)
			wait(t, f, "c-1", booking.Interval{})
			req := tc.second
			req.Area, req.Service = "north", "nurse-visit"
			req.Answers = []booking.Answer{{QuestionID: "symptoms", Text: "x"}}
			_, err := f.b.Wait(context.Background(), req)
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, booking.ErrInvalid)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.wantField, fe.Field)
			ws, err := f.store.Waiters(context.Background(), "north", "nurse-visit")
			require.NoError(t, err)
			require.Len(t, ws, 1)
		})
	}
}

// TestSearchForAClientAudited: a search for a client (SearchRequest.Client)
// is checked with the booker's access model and audited as booking.search
// with the requester and the client, allowed or denied; a search the
// requester may not make at all is audited as denied too. The identity
// code is in neither the error nor the event.
func TestSearchForAClientAudited(t *testing.T) {
	child := client("c-1")
	child.ClientGroup = "child"
	cases := []struct {
		name    string
		by      booking.Requester
		client  carecontact.ClientRef
		wantErr error
		outcome audit.Outcome
		logged  carecontact.ClientRef
	}{
		{"the client itself", client("c-1"), "c-1", nil, audit.Allowed, "c-1"},
		{"a professional of the area", pro, "c-2", nil, audit.Allowed, "c-2"},
		{"another client", client("c-1"), "c-2", booking.ErrNotAllowed, audit.Denied, "c-2"},
		{"an identity code", client("c-1"), "131052-308T", booking.ErrInvalid, audit.Denied, audit.Redacted},
		{"a group that may not self-book", child, "", booking.ErrNotAllowed, audit.Denied, "c-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, civil.Date{Year: 2026, Month: time.December, Day: 1}, 14)
			_, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Limit: 2, By: tc.by, Client: tc.client,
				From: helsinki(t, 2026, time.December, 9, 8, 0)})
			if tc.wantErr == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tc.wantErr)
				require.NotContains(t, err.Error(), "131052")
			}
			evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.search"})
			require.NoError(t, err)
			require.Len(t, evs, 1)
			require.Equal(t, tc.outcome, evs[0].Outcome)
			require.Equal(t, tc.by.Actor, evs[0].Actor)
			require.Equal(t, tc.logged, evs[0].Client)
			require.NotContains(t, fmt.Sprintf("%+v", evs[0]), "131052")
		})
	}
}
