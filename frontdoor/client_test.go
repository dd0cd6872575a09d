package frontdoor_test

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
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

func TestContactTellsTheClient(t *testing.T) {
	tests := []struct {
		name    string
		req     func() frontdoor.ContactRequest
		key     string
		lang    string
		plain   string
		subject string
		advice  channel.Kind
		// adviceLang is the advice text's language.
		adviceLang string
	}{
		{"sv-FI chat gets Swedish and advice on the preferred callback", func() frontdoor.ContactRequest { return chat("client-1") },
			"advice.chat", "sv", "Chatten är öppen mån–fre 8–18.", "text/advice.chat/*/*", channel.Callback, "sv"},
		{"English chat", func() frontdoor.ContactRequest { r := chat("client-1"); r.Language = "en-GB"; return r },
			"advice.chat", "en", "Chat is open ma–pe 8–18.", "text/advice.chat/*/*", channel.Callback, "fi"},
		{"a language without texts falls back to Finnish", func() frontdoor.ContactRequest { r := chat("client-1"); r.Language = "de"; return r },
			"advice.chat", "fi", "Chat on auki ma–pe 8–18.", "text/advice.chat/*/*", channel.Callback, "fi"},
		{"callback confirms the window", func() frontdoor.ContactRequest { r := callbackOf("client-1"); r.Language = "sv-FI"; return r },
			"callback.requested", "sv", "Vi ringer dig 23.11. 9.00–10.00.", "text/callback.requested/*/*", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newClientStation(t, "")
			c, err := st.door.Contact(context.Background(), tc.req())
			require.NoError(t, err)
			require.Equal(t, tc.key, c.Text.Key)
			require.Equal(t, tc.lang, c.Text.Language.String(), "the language actually used")
			require.Equal(t, tc.plain, c.Text.Plain)
			require.Equal(t, guidance.Ref{Subject: tc.subject, Number: 1}, c.Text.Version)
			if tc.advice == "" {
				require.Nil(t, c.Advice, "the client's channel is the preferred one")
				return
			}
			require.NotNil(t, c.Advice)
			require.Equal(t, tc.advice, c.Advice.Kind)
			require.Equal(t, tc.adviceLang, c.Advice.Text.Language.String())
		})
	}
}

func TestContactTellsAMergedDuplicateWhereItWaits(t *testing.T) {
	st := newClientStation(t, "")
	ctx := context.Background()
	first, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	again, err := st.door.Contact(ctx, callbackOf("client-1"))
	require.NoError(t, err)
	require.True(t, again.Merged)
	require.Equal(t, first.ID, again.ExistingID)
	require.Equal(t, guidance.KeyDuplicateWaiting, again.Text.Key)
	require.Equal(t, "Odotat jo: chat.", again.Text.Plain)
}

func TestContactGetsTheTextPublishedLater(t *testing.T) {
	st := newClientStation(t, "")
	ctx := context.Background()
	before, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.Equal(t, 1, before.Text.Version.Number)

	st.clk.Add(time.Hour)
	st.publish(t, guidance.Entry{Text: &guidance.Text{Key: guidance.AdviceKey(channel.Chat), Text: guidance.Localized{
		"fi": "Chat palvelee {opening_hours}.", "sv": "Chatten betjänar {opening_hours}."}}})
	st.clk.Add(time.Minute)
	after, err := st.door.Contact(ctx, chat("client-2"))
	require.NoError(t, err)
	require.Equal(t, guidance.Ref{Subject: "text/advice.chat/*/*", Number: 2}, after.Text.Version)
	require.Equal(t, "Chatten betjänar mån–fre 8–18.", after.Text.Plain)
	require.Equal(t, "sv", after.Text.Language.String())
}

// plainChat is a chat on a door without guidance, booking or transports.
func plainChat(t *testing.T) (*frontdoor.Door, frontdoor.Contact) {
	t.Helper()
	d, _, _ := door(t, "")
	_, err := d.SetPresence(context.Background(), "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	c, err := d.Contact(context.Background(), chat("client-1"))
	require.NoError(t, err)
	return d, c
}

func TestContactWithoutGuideHasNoText(t *testing.T) {
	_, c := plainChat(t)
	require.True(t, c.Text.IsZero())
	require.Nil(t, c.Advice)
}

func TestContactRefusesAMalformedLanguage(t *testing.T) {
	st := newClientStation(t, "")
	r := chat("client-1")
	r.Language = "not a tag!"
	_, err := st.door.Contact(context.Background(), r)
	require.ErrorIs(t, err, frontdoor.ErrInvalidContact)
	var fe *carecontact.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, "language", fe.Field)
}

// dispatched advances the door until callback id's first dispatch is in
// routing, and returns the item.
func dispatched(t *testing.T, st *clientStation, id string) carecontact.ItemID {
	t.Helper()
	ctx := context.Background()
	item := carecontact.ItemID(id + ".1")
	for range 20 {
		require.NoError(t, st.door.Advance(ctx))
		if _, ok := st.door.Parts().Dispatcher.Item(item); ok {
			return item
		}
		next, ok, err := st.door.NextDeadline(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		st.clk.Set(next)
	}
	t.Fatalf("callback %s was never dispatched", id)
	return ""
}

func TestWithdraw(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, st *clientStation) string
		want    error
		channel channel.Kind
	}{
		{"queued chat", func(t *testing.T, st *clientStation) string {
			c, err := st.door.Contact(context.Background(), chat("client-1"))
			require.NoError(t, err)
			require.Equal(t, routing.ItemQueued, c.Item.State)
			return c.ID
		}, nil, channel.Chat},
		{"offered chat", func(t *testing.T, st *clientStation) string {
			st.signIn(t, "aino")
			c, err := st.door.Contact(context.Background(), chat("client-1"))
			require.NoError(t, err)
			require.Equal(t, routing.ItemOffered, c.Item.State)
			return c.ID
		}, nil, channel.Chat},
		{"planned callback", func(t *testing.T, st *clientStation) string {
			st.clk.Set(at(2026, time.November, 23, 15, 0))
			r := callbackOf("client-1")
			c, err := st.door.Contact(context.Background(), r)
			require.NoError(t, err)
			rec, err := st.door.Parts().Callbacks.Get(context.Background(), audit.System("test"), c.ID)
			require.NoError(t, err)
			require.Equal(t, callback.StatePlanned, rec.State)
			return c.ID
		}, nil, channel.Callback},
		{"due callback", func(t *testing.T, st *clientStation) string {
			c, err := st.door.Contact(context.Background(), callbackOf("client-1"))
			require.NoError(t, err)
			dispatched(t, st, c.ID)
			return c.ID
		}, nil, channel.Callback},
		{"chat in hand", func(t *testing.T, st *clientStation) string {
			st.signIn(t, "aino")
			c, err := st.door.Contact(context.Background(), chat("client-1"))
			require.NoError(t, err)
			_, err = st.door.Accept(context.Background(), "aino", carecontact.ItemID(c.ID))
			require.NoError(t, err)
			return c.ID
		}, frontdoor.ErrContactInHand, ""},
		{"callback in hand", func(t *testing.T, st *clientStation) string {
			st.signIn(t, "aino")
			c, err := st.door.Contact(context.Background(), callbackOf("client-1"))
			require.NoError(t, err)
			_, err = st.door.Accept(context.Background(), "aino", dispatched(t, st, c.ID))
			require.NoError(t, err)
			return c.ID
		}, frontdoor.ErrContactInHand, ""},
		{"unknown contact", func(t *testing.T, st *clientStation) string { return "knone" }, frontdoor.ErrUnknownContact, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := newClientStation(t, "")
			id := tc.prepare(t, st)
			err := st.door.Withdraw(ctx, clientActor("client-1"), id, "no_longer_needed")
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				if tc.want == frontdoor.ErrContactInHand {
					require.ErrorIs(t, err, carecontact.ErrIllegalTransition)
					s, err := st.door.Session(ctx, "aino", id)
					require.NoError(t, err)
					require.Equal(t, session.StateActive, s.State, "the professional keeps the contact")
				} else {
					require.ErrorIs(t, err, carecontact.ErrNotFound)
				}
				return
			}
			require.NoError(t, err)
			for _, it := range []carecontact.ItemID{carecontact.ItemID(id), carecontact.ItemID(id + ".1")} {
				_, ok := st.door.Parts().Dispatcher.Item(it)
				require.False(t, ok, "nothing of %s is left in routing", it)
			}
			if tc.channel == channel.Callback {
				rec, err := st.door.Parts().Callbacks.Get(ctx, audit.System("test"), id)
				require.NoError(t, err)
				require.Equal(t, callback.StateClosed, rec.State)
				require.Equal(t, callback.OutcomeWithdrawn, rec.Out)
			}
			s, err := st.door.Session(ctx, "aino", id)
			require.NoError(t, err)
			require.Equal(t, session.StateClosed, s.State)
			pending, err := st.db.DemandStore().Pending(ctx, "client-1")
			require.NoError(t, err)
			require.Empty(t, pending, "the demand record is closed")
			require.Contains(t, st.kinds(id), frontdoor.EventWithdrawn)
			last := st.events[len(st.events)-1]
			require.Equal(t, frontdoor.EventWithdrawn, last.Kind)
			require.Equal(t, tc.channel, last.Channel)

			evs, err := st.db.AuditLog().Events(ctx, audit.Filter{Client: "client-1"})
			require.NoError(t, err)
			var found bool
			for _, e := range evs {
				if e.Action == "frontdoor.withdraw" {
					found = true
					require.Equal(t, clientActor("client-1"), e.Actor)
					require.Equal(t, "no_longer_needed", e.Detail["reason"])
				}
			}
			require.True(t, found, "the withdrawal is audited with the client")

			require.ErrorIs(t, st.door.Withdraw(ctx, clientActor("client-1"), id, ""), frontdoor.ErrContactClosed)
		})
	}
}

func TestWithdrawRefusesAnotherClient(t *testing.T) {
	ctx := context.Background()
	st := newClientStation(t, "")
	c, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	err = st.door.Withdraw(ctx, clientActor("client-2"), c.ID, "")
	require.ErrorIs(t, err, session.ErrAccessDenied)
	err = st.door.Withdraw(ctx, clientActor("client-1"), c.ID, "Phone 0401234567")
	require.ErrorIs(t, err, frontdoor.ErrInvalidContact, "a reason is a label, never free text")
	_, ok := st.door.Parts().Dispatcher.Item(carecontact.ItemID(c.ID))
	require.True(t, ok, "still queued")
}

func TestChatThroughTheTransport(t *testing.T) {
	ctx := context.Background()
	st := newClientStation(t, "")
	st.signIn(t, "aino")
	c, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	const secret = "my blood sugar was 12 this morning"
	require.NoError(t, st.door.ReceiveChat(ctx, clientActor("client-1"), c.ID, secret), "the client writes while queued")
	require.ErrorIs(t, st.door.SendChat(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "aino"}, c.ID, "hello"),
		frontdoor.ErrNotHandling, "an offer is not yet the professional's")

	_, err = st.door.Accept(ctx, "aino", carecontact.ItemID(c.ID))
	require.NoError(t, err)
	require.NoError(t, st.door.SendChat(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "aino"}, c.ID, "Hei, katsotaan."))
	require.NoError(t, st.door.SendChat(ctx, audit.System("queue"), c.ID, "Wait a moment."))

	tests := []struct {
		name string
		err  error
		want error
	}{
		{"client posting as a professional", st.door.SendChat(ctx, clientActor("client-1"), c.ID, "x"), frontdoor.ErrChatDenied},
		{"professional posting as the client", st.door.ReceiveChat(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "aino"}, c.ID, "x"), frontdoor.ErrChatDenied},
		{"another client", st.door.ReceiveChat(ctx, clientActor("client-2"), c.ID, "x"), session.ErrAccessDenied},
		{"empty", st.door.ReceiveChat(ctx, clientActor("client-1"), c.ID, ""), frontdoor.ErrInvalidContact},
		{"unknown contact", st.door.ReceiveChat(ctx, clientActor("client-1"), "knone", "x"), frontdoor.ErrUnknownContact},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.ErrorIs(t, tc.err, tc.want) })
	}

	var posts []string
	for _, r := range st.chat.Records() {
		posts = append(posts, r.String())
	}
	require.Equal(t, []string{
		fmt.Sprintf("chat.post %s from:client text:%q", c.ID, secret),
		fmt.Sprintf("chat.post %s from:aino text:%q", c.ID, "Hei, katsotaan."),
		fmt.Sprintf("chat.post %s from:system text:%q", c.ID, "Wait a moment."),
	}, posts)

	evs, err := st.db.AuditLog().Events(ctx, audit.Filter{Client: "client-1"})
	require.NoError(t, err)
	var in, out int
	for _, e := range evs {
		for _, v := range e.Detail {
			require.NotContains(t, v, "blood sugar", "message text never reaches the audit log")
		}
		switch e.Action {
		case "frontdoor.chat_receive":
			in++
		case "frontdoor.chat_send":
			out++
		}
	}
	require.Equal(t, 1, in)
	require.Equal(t, 2, out)

	cb, err := st.door.Contact(ctx, callbackOf("client-3"))
	require.NoError(t, err)
	require.ErrorIs(t, st.door.ReceiveChat(ctx, clientActor("client-3"), cb.ID, "x"), frontdoor.ErrNotChat)
}

func TestChatWithoutTransport(t *testing.T) {
	d, c := plainChat(t)
	require.ErrorIs(t, d.ReceiveChat(context.Background(), clientActor("client-1"), c.ID, "x"), channel.ErrNoTransport)
}

func TestSelfBooking(t *testing.T) {
	ctx := context.Background()
	st := newClientStation(t, demand.PolicyKeepBoth)
	r := chat("client-1")
	r.Errand = channel.ErrandChronicFollowUp
	waiting, err := st.door.Contact(ctx, r)
	require.NoError(t, err)

	times, err := st.door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-1", Group: "adult", PostalCode: "00530",
		Service: "bp-check", Limit: 3, Language: "sv-FI"})
	require.NoError(t, err)
	require.Len(t, times.Slots, 3)
	require.Equal(t, at(2026, time.November, 23, 12, 0), times.Slots[0].Start.In(at(2026, 1, 1, 0, 0).Location()))
	require.Equal(t, "fi", times.Text.Language.String(), "no Swedish text for bp-check: Finnish")
	require.Equal(t, "Verenpaineen seuranta: ota kotimittaukset mukaan.", times.Text.Plain, "the service is named in the text's language")
	require.Equal(t, guidance.Ref{Subject: "text/ebooking.before/kallio/bp-check", Number: 1}, times.Text.Version)

	held, err := st.door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-1", Group: "adult", Slot: times.Slots[0], Language: "sv-FI"})
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, held.Appointment.Status)
	require.Equal(t, "text/ebooking.before/kallio/bp-check@1", held.Appointment.GuidanceVersion, "the version the client saw is kept")

	st.clk.Add(2 * time.Minute)
	booked, err := st.door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "client-1", Group: "adult", Hold: held.Appointment.ID, Language: "sv-FI"})
	require.NoError(t, err)
	require.Equal(t, booking.StatusBooked, booked.Appointment.Status)
	require.Equal(t, "sv", booked.Text.Language.String())
	require.Equal(t, "Blodtryckskontroll 23.11.2026 12.00.", booked.Text.Plain)
	require.True(t, booked.Duplicate)
	require.False(t, booked.Merged)
	require.Equal(t, waiting.ID, booked.ExistingID)
	require.Len(t, booked.Withdrawn, 1, "booking settles the errand")
	require.Equal(t, waiting.ID, booked.Withdrawn[0].Ref)
	_, ok := st.door.Parts().Dispatcher.Item(carecontact.ItemID(waiting.ID))
	require.False(t, ok, "nobody chats with the client about the booked errand")
	require.Contains(t, st.kinds(waiting.ID), frontdoor.EventWithdrawn)
}

func TestBookingWithoutBooker(t *testing.T) {
	d, _, _ := door(t, "")
	ctx := context.Background()
	_, err := d.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-1", Area: "kallio", Service: "bp-check"})
	require.ErrorIs(t, err, frontdoor.ErrNoBooking)
	_, err = d.BookHold(ctx, frontdoor.BookingRequest{Client: "client-1"})
	require.ErrorIs(t, err, frontdoor.ErrNoBooking)
	_, err = d.BookConfirm(ctx, frontdoor.BookingRequest{Client: "client-1", Hold: "apt"})
	require.ErrorIs(t, err, frontdoor.ErrNoBooking)
	require.ErrorIs(t, err, carecontact.ErrUnavailable)
}

// Regression guard: an error text never carries the chat message.
func TestChatErrorsDoNotCarryTheText(t *testing.T) {
	st := newClientStation(t, "")
	ctx := context.Background()
	c, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	st.chat.Fail("chat.post", fmt.Errorf("%w: media server busy", channel.ErrTransient))
	err = st.door.ReceiveChat(ctx, clientActor("client-1"), c.ID, "secret symptom text")
	require.ErrorIs(t, err, channel.ErrTransient)
	require.False(t, strings.Contains(err.Error(), "secret"))
}

// One driver: the Door advances its booker too, so a hold the client never
// confirmed expires and its slot is free again.
func TestDoorDrivesTheBooker(t *testing.T) {
	ctx := context.Background()
	st := newClientStation(t, demand.PolicyKeepBoth)
	q := frontdoor.BookingQuery{Client: "client-1", Group: "adult", PostalCode: "00530", Service: "bp-check", Limit: 1}
	times, err := st.door.BookSearch(ctx, q)
	require.NoError(t, err)
	held, err := st.door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-1", Group: "adult", Slot: times.Slots[0]})
	require.NoError(t, err)
	require.Equal(t, booking.StatusPending, held.Appointment.Status)
	next, ok, err := st.door.NextDeadline(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, next.After(held.Appointment.HoldUntil), "the hold's expiry is among the door's deadlines")
	st.clk.Set(held.Appointment.HoldUntil)
	require.NoError(t, st.door.Advance(ctx))
	again, err := st.door.BookSearch(ctx, q)
	require.NoError(t, err)
	require.Equal(t, times.Slots[0].Start, again.Slots[0].Start, "the expired hold's slot is free again")
}
