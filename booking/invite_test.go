package booking_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

var testTokenKey = []byte("0123456789abcdef0123456789abcdef-test-key")

// newTokenFixture is newFixture with Config.TokenKey set.
func newTokenFixture(t *testing.T) *fixture {
	t.Helper()
	set, err := booking.NewCalendarSet(fixtureCalendars(t))
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2026, time.December, 1), 60)
	require.NoError(t, err)
	f := &fixture{store: memory.NewBookingStore(nil), now: helsinki(t, 2026, time.December, 7, 7, 0)}
	f.b, err = booking.New(booking.Config{Index: ix, Catalogues: fixtureCatalogues(t), Store: f.store, Audit: f.store.AuditLog(),
		Clock: carecontact.ClockFunc(func() time.Time { return f.now }), Staff: fixtureStaff, TokenKey: testTokenKey})
	require.NoError(t, err)
	return f
}

// tamper changes one character of the token's claims.
func tamper(tok string) string {
	i := strings.Index(tok, ".") + 3
	c := byte('A')
	if tok[i] == 'A' {
		c = 'B'
	}
	return tok[:i] + string(c) + tok[i+1:]
}

func TestInvitation(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	me := client("c-1")
	// video-check is a service professionals book: no client group may
	// book it themselves.
	_, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "video-check", By: me})
	require.ErrorIs(t, err, booking.ErrNotAllowed)

	inv, err := f.b.Invite(ctx, booking.InviteRequest{Area: "north", Service: "video-check", Client: "c-1", TTL: 48 * time.Hour, By: pro})
	require.NoError(t, err)
	require.Equal(t, carecontact.ProfessionalID("staff-7"), inv.By)
	require.Equal(t, f.now.Add(48*time.Hour), inv.Expires)
	require.NotContains(t, inv.Token, "c-1", "the token's claims are encoded")

	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "video-check", By: me, Invitation: inv.Token, Limit: 2})
	require.NoError(t, err)
	require.Len(t, slots, 2)
	for _, s := range slots {
		require.Equal(t, booking.BlockSelfService, s.Block, "the client's other rules apply: self-service time only")
	}
	_, err = f.b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "c-1", By: me, Invitation: inv.Token})
	require.ErrorIs(t, err, booking.ErrInvalid, "a hold takes no invitation")
	a, err := f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c-1", By: me, Invitation: inv.Token})
	require.NoError(t, err)
	require.Equal(t, inv.ID, a.Invitation)
	require.True(t, a.SelfBooked)

	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[1], Client: "c-1", By: me, Invitation: inv.Token})
	require.ErrorIs(t, err, booking.ErrInvitationUsed, "a second use")
	_, err = f.b.Cancel(ctx, a.ID, "ei sovi", me)
	require.NoError(t, err)
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c-1", By: me, Invitation: inv.Token})
	require.ErrorIs(t, err, booking.ErrInvitationUsed, "used up, though cancelled")
	_, err = f.b.Book(ctx, booking.BookRequest{Slot: slots[1], Client: "c-1", By: me})
	require.ErrorIs(t, err, booking.ErrNotAllowed, "without the invitation the group rule holds")

	evs, err := f.store.AuditLog().Events(ctx, audit.Filter{Subject: "invitation/" + inv.ID})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, "staff-7", evs[0].Actor.ID)
	require.Equal(t, carecontact.ClientRef("c-1"), evs[0].Client)
	require.NotContains(t, evs[0].Detail, "token")
}

func TestInvitationRefusals(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	inv, err := f.b.Invite(ctx, booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", By: pro})
	require.NoError(t, err)
	other, err := booking.NewTokenSigner([]byte("another host's key, thirty-two bytes or more"))
	require.NoError(t, err)
	foreign, err := other.Sign(booking.Token{Kind: booking.TokenInvite, ID: "inv-x", Area: "north", Service: "nurse-visit", Client: "c-1", By: "staff-7", Expires: f.now.Add(time.Hour)})
	require.NoError(t, err)
	child := booking.Requester{Actor: client("c-1").Actor, ClientGroup: "child"}
	slotOf := func(t *testing.T) booking.Slot {
		slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", By: pro, From: helsinki(t, 2026, 12, 10, 9, 0), Limit: 1})
		require.NoError(t, err)
		return slots[0]
	}
	cases := []struct {
		name   string
		token  string
		by     booking.Requester
		client carecontact.ClientRef
		later  time.Duration
		err    error
		reason booking.TokenReason
	}{
		{name: "tampered", token: tamper(inv.Token), by: child, client: "c-1", err: booking.ErrTokenInvalid, reason: booking.TokenBadSignature},
		{name: "signed with another key", token: foreign, by: child, client: "c-1", err: booking.ErrTokenInvalid, reason: booking.TokenBadSignature},
		{name: "not a token", token: "hello", by: child, client: "c-1", err: booking.ErrTokenInvalid, reason: booking.TokenMalformed},
		{name: "another client", token: inv.Token, by: client("c-2"), client: "c-2", err: booking.ErrTokenInvalid, reason: booking.TokenMisused},
		{name: "a professional cannot redeem it", token: inv.Token, by: pro, client: "c-1", err: booking.ErrTokenInvalid, reason: booking.TokenMisused},
		{name: "expired", token: inv.Token, by: child, client: "c-1", later: booking.DefaultInviteTTL, err: booking.ErrTokenExpired, reason: booking.TokenExpired},
		{name: "the invited client's group is let through", token: inv.Token, by: child, client: "c-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			slot := slotOf(t)
			saved := f.now
			f.now = f.now.Add(tc.later)
			defer func() { f.now = saved }()
			_, err := f.b.Book(ctx, booking.BookRequest{Slot: slot, Client: tc.client, By: tc.by, Invitation: tc.token,
				Answers: []booking.Answer{{QuestionID: "symptoms", Text: "selkä"}}})
			if tc.err == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.err)
			var te *booking.TokenError
			require.ErrorAs(t, err, &te)
			require.Equal(t, tc.reason, te.Reason)
			require.NotContains(t, err.Error(), tc.token, "the error does not repeat the token")
		})
	}
	// Who may invite.
	for _, tc := range []struct {
		name string
		req  booking.InviteRequest
		err  error
	}{
		{"a client", booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", By: client("c-1")}, booking.ErrNotAllowed},
		{"another area's professional", booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", By: south1}, booking.ErrNotAllowed},
		{"an unknown service", booking.InviteRequest{Area: "north", Service: "x", Client: "c-1", By: pro}, booking.ErrNotFound},
		{"no client", booking.InviteRequest{Area: "north", Service: "nurse-visit", By: pro}, booking.ErrInvalid},
		{"too long", booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", TTL: 100 * 24 * time.Hour, By: pro}, booking.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.b.Invite(ctx, tc.req)
			require.ErrorIs(t, err, tc.err)
		})
	}
	plain := newFixture(t, civil.NewDate(2026, time.December, 1), 60)
	_, err = plain.b.Invite(ctx, booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", By: pro})
	require.ErrorIs(t, err, booking.ErrNotAllowed, "no key, no invitations")
	_, err = booking.New(booking.Config{Index: nil, TokenKey: []byte("short")})
	require.ErrorIs(t, err, booking.ErrInvalid)
}

func TestReminders(t *testing.T) {
	ctx := context.Background()
	f := newTokenFixture(t)
	tue9 := bookAt(t, f, "c-1", helsinki(t, 2026, 12, 8, 9, 0))
	tue10 := bookAt(t, f, "c-2", helsinki(t, 2026, 12, 8, 10, 0))
	gone := bookAt(t, f, "c-3", helsinki(t, 2026, 12, 8, 9, 30))
	_, err := f.b.Cancel(ctx, gone.ID, "peruttu", pro)
	require.NoError(t, err)
	slots, err := f.b.Search(ctx, booking.SearchRequest{Area: "north", Service: "nurse-visit", Professional: "nurse-2", From: helsinki(t, 2026, 12, 8, 9, 15), By: pro, Limit: 1})
	require.NoError(t, err)
	_, err = f.b.Hold(ctx, booking.BookRequest{Slot: slots[0], Client: "c-4", By: pro}) // a hold gets no reminder
	require.NoError(t, err)

	sys := booking.Requester{Actor: audit.System("reminders")}
	day := 24 * time.Hour
	first, err := f.b.Reminders(ctx, helsinki(t, 2026, 12, 7, 9, 0), helsinki(t, 2026, 12, 7, 10, 0), day, sys)
	require.NoError(t, err)
	require.Len(t, first, 1)
	require.Equal(t, tue9.ID, first[0].Appointment.ID)
	require.Equal(t, helsinki(t, 2026, 12, 7, 9, 0), first[0].At)
	require.Equal(t, "Hoitajan vastaanotto", first[0].ServiceNames.FI)
	require.NotEmpty(t, tue9.Answers, "booked with answers")
	require.Nil(t, first[0].Appointment.Answers, "no pre-question answer reaches a reminder")
	raw, err := json.Marshal(first[0])
	require.NoError(t, err)
	require.NotContains(t, string(raw), tue9.Answers[0].Text)
	require.NotContains(t, string(raw), "answers")
	second, err := f.b.Reminders(ctx, helsinki(t, 2026, 12, 7, 10, 0), helsinki(t, 2026, 12, 7, 11, 0), day, sys)
	require.NoError(t, err)
	require.Len(t, second, 1, "consecutive periods list each reminder once")
	require.Equal(t, tue10.ID, second[0].Appointment.ID)

	_, err = f.b.Reminders(ctx, helsinki(t, 2026, 12, 7, 9, 0), helsinki(t, 2026, 12, 7, 10, 0), day, pro)
	require.ErrorIs(t, err, booking.ErrNotAllowed, "the host's job")
	_, err = f.b.Reminders(ctx, helsinki(t, 2026, 12, 7, 10, 0), helsinki(t, 2026, 12, 7, 9, 0), day, sys)
	require.ErrorIs(t, err, booking.ErrInvalid)

	// The cancel link.
	_, err = f.b.CancelByToken(ctx, tamper(first[0].CancelToken), "")
	require.ErrorIs(t, err, booking.ErrTokenInvalid)
	inv, err := f.b.Invite(ctx, booking.InviteRequest{Area: "north", Service: "nurse-visit", Client: "c-1", By: pro})
	require.NoError(t, err)
	_, err = f.b.CancelByToken(ctx, inv.Token, "")
	require.ErrorIs(t, err, booking.ErrTokenInvalid, "an invitation is no cancel link")
	res, err := f.b.CancelByToken(ctx, first[0].CancelToken, "")
	require.NoError(t, err)
	require.Equal(t, booking.StatusCancelled, res.Cancelled.Status)
	require.Equal(t, "cancelled by link", res.Cancelled.CancelReason)
	_, err = f.b.CancelByToken(ctx, first[0].CancelToken, "")
	require.ErrorIs(t, err, booking.ErrIllegalTransition, "cancelled already")
	f.now = tue10.Start
	_, err = f.b.CancelByToken(ctx, second[0].CancelToken, "")
	require.ErrorIs(t, err, booking.ErrTokenExpired, "the link dies when the appointment starts")

	cancels, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.cancel", Client: "c-1"})
	require.NoError(t, err)
	require.Len(t, cancels, 2, "the cancellation and the refused second one")
	require.Equal(t, audit.ActorClient, cancels[0].Actor.Kind, "recorded as the client's")
	require.Equal(t, audit.Allowed, cancels[0].Outcome)
	require.Equal(t, audit.Denied, cancels[1].Outcome)
	reads, err := f.store.AuditLog().Events(ctx, audit.Filter{Action: "booking.read", ActorID: "reminders"})
	require.NoError(t, err)
	require.Len(t, reads, 2)
}
