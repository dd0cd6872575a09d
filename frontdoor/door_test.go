package frontdoor_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// door is a Kallio health station on the memory stores: two nurses who take
// calls and chats, both on callback duty 8-16.
func door(t *testing.T, dup demand.Policy) (*frontdoor.Door, *clock.Mock, *memory.AuditLog) {
	t.Helper()
	return doorWith(t, dup, nil)
}

// doorWith is door with an event sink.
func doorWith(t *testing.T, dup demand.Policy, onEvent func(frontdoor.Event)) (*frontdoor.Door, *clock.Mock, *memory.AuditLog) {
	t.Helper()
	dir, capa := kallioNurses(t)
	clk := clock.NewMock()
	clk.Set(at(2026, time.November, 23, 9, 0)) // a Monday
	log := memory.NewAuditLog()
	n := 0
	d, err := frontdoor.New(context.Background(), frontdoor.Config{
		Clock: clk, Directory: dir, Capacity: capa, Duplicates: dup,
		Stores: frontdoor.Stores{Routing: memory.NewRoutingStore(log), Callback: memory.NewCallbackStore(log),
			Session: memory.NewSessionStore(log), Demand: memory.NewDemandStore(log), Audit: log},
		NewID:   func() string { n++; return "k" + string(rune('a'+n)) },
		OnEvent: onEvent,
	})
	require.NoError(t, err)
	return d, clk, log
}

func chat(client string) frontdoor.ContactRequest {
	return frontdoor.ContactRequest{Client: carecontact.ClientRef(client), Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Language: "sv-FI",
		Identity: channel.IdentityStrong, IdentityMethod: "bank_id"}
}

func callbackOf(client string) frontdoor.ContactRequest {
	return frontdoor.ContactRequest{Client: carecontact.ClientRef(client), Errand: channel.ErrandLabResults,
		Channel: channel.Callback, PostalCode: "00530", Phone: "+358401234567"}
}

func TestDoorChatFromContactToOutcome(t *testing.T) {
	ctx := context.Background()
	d, _, log := door(t, "")
	_, err := d.SetPresence(ctx, "aino", routing.PresenceAvailable)
	require.NoError(t, err)

	c, err := d.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, c.Item.State)
	require.Equal(t, carecontact.ProfessionalID("aino"), c.Item.Professional)

	// The same client's double click is one contact, not duplicate work.
	again, err := d.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.True(t, again.Merged)
	require.Equal(t, c.ID, again.ExistingID)

	s, err := d.Accept(ctx, "aino", carecontact.ItemID(c.ID))
	require.NoError(t, err)
	require.Equal(t, c.ID, s.ID, "the session is named like the contact")
	require.Equal(t, session.StateActive, s.State)
	require.Equal(t, channel.IdentityStrong, s.Identity, "the identification made at contact reaches the session")

	closed, err := d.Close(ctx, "aino", s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	require.Equal(t, session.StateClosed, closed.Session.State)
	st, ok := d.Parts().Dispatcher.Professional("aino")
	require.True(t, ok)
	require.Zero(t, st.Load.Chat, "the chat slot is free again")

	evs, err := log.Events(ctx, audit.Filter{Client: "client-1"})
	require.NoError(t, err)
	actions := map[string]bool{}
	for _, e := range evs {
		actions[e.Action] = true
	}
	for _, a := range []string{"channel.admit", "session.open", "session.assign", "session.leg_start", "session.close", "channel.settle"} {
		require.True(t, actions[a], "audited %s", a)
	}
}

func TestDoorCallbackIsDispatchedAcceptedAndClosed(t *testing.T) {
	ctx := context.Background()
	d, clk, _ := door(t, "")
	c, err := d.Contact(ctx, callbackOf("client-2"))
	require.NoError(t, err)
	require.NotNil(t, c.Promise)
	require.Equal(t, carecontact.TeamID("kallio-a"), c.Promise.Team)
	require.Equal(t, at(2026, time.November, 23, 9, 0), c.Promise.Window.Start.In(civil.Helsinki()), "capacity is free now")

	_, err = d.SetPresence(ctx, "bertil", routing.PresenceAvailable)
	require.NoError(t, err)
	item := dueItem(t, d, clk, c.ID)
	it, ok := d.Parts().Dispatcher.Item(item)
	require.True(t, ok, "the due callback is a routing item")
	require.Equal(t, routing.ItemOffered, it.State)
	require.Equal(t, carecontact.ProfessionalID("bertil"), it.Professional)

	s, err := d.Accept(ctx, "bertil", item)
	require.NoError(t, err)
	require.Equal(t, c.ID, s.ID)
	rec, err := d.Parts().Callbacks.Get(ctx, audit.System("test"), c.ID)
	require.NoError(t, err)
	require.Equal(t, callback.StateInCall, rec.State, "accepted in routing and in the planner in one step")

	_, err = d.Close(ctx, "bertil", s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	rec, err = d.Parts().Callbacks.Get(ctx, audit.System("test"), c.ID)
	require.NoError(t, err)
	require.Equal(t, callback.StateClosed, rec.State)
}

func TestDoorSettlingWithdrawsTheOtherContacts(t *testing.T) {
	ctx := context.Background()
	d, _, _ := door(t, demand.PolicyKeepBoth)
	cb, err := d.Contact(ctx, callbackOf("client-3"))
	require.NoError(t, err)
	_, err = d.SetPresence(ctx, "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	ch, err := d.Contact(ctx, chat("client-3"))
	require.NoError(t, err)
	require.True(t, ch.Duplicate)
	require.False(t, ch.Merged, "keep both: the chat is queued too")

	s, err := d.Accept(ctx, "aino", carecontact.ItemID(ch.ID))
	require.NoError(t, err)
	closed, err := d.Close(ctx, "aino", s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	require.Len(t, closed.Withdrawn, 1)
	require.Equal(t, cb.ID, closed.Withdrawn[0].Ref)
	rec, err := d.Parts().Callbacks.Get(ctx, audit.System("test"), cb.ID)
	require.NoError(t, err)
	require.Equal(t, callback.StateClosed, rec.State, "nobody calls the client back about a settled errand")
	require.Equal(t, callback.OutcomeWithdrawn, rec.Out)
}

func TestDoorRefusesBadContacts(t *testing.T) {
	d, _, _ := door(t, "")
	tests := []struct {
		name  string
		edit  func(*frontdoor.ContactRequest)
		field string
	}{
		{"no client", func(r *frontdoor.ContactRequest) { r.Client = "" }, "client"},
		{"no errand", func(r *frontdoor.ContactRequest) { r.Errand = "" }, "errand"},
		{"no channel", func(r *frontdoor.ContactRequest) { r.Channel = "" }, "channel"},
		{"no area", func(r *frontdoor.ContactRequest) { r.PostalCode = "" }, "postalCode"},
		{"callback without phone", func(r *frontdoor.ContactRequest) { r.Channel = channel.Callback }, "phone"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := chat("client-4")
			tc.edit(&r)
			_, err := d.Contact(context.Background(), r)
			require.ErrorIs(t, err, frontdoor.ErrInvalidContact)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

// dueItem advances the door as the driver would until the first dispatch
// of callback id is offered in routing, and returns its item.
func dueItem(t *testing.T, d *frontdoor.Door, clk *clock.Mock, id string) carecontact.ItemID {
	t.Helper()
	ctx := context.Background()
	item := carecontact.ItemID(id + ".1")
	for i := 0; i < 20; i++ {
		require.NoError(t, d.Advance(ctx))
		if it, ok := d.Parts().Dispatcher.Item(item); ok && it.State == routing.ItemOffered {
			return item
		}
		next, ok, err := d.NextDeadline(ctx)
		require.NoError(t, err)
		require.True(t, ok, "a deadline is pending")
		clk.Set(next)
	}
	t.Fatalf("callback %s was never offered", id)
	return ""
}

// Regression: the own professional step was lost at dispatch, so a due
// callback went to whichever nurse had waited longest.
func TestDoorDueCallbackGoesToTheOwnProfessionalFirst(t *testing.T) {
	ctx := context.Background()
	d, clk, _ := door(t, "")
	for _, p := range []carecontact.ProfessionalID{"bertil", "aino"} { // bertil idles longer
		_, err := d.SetPresence(ctx, p, routing.PresenceAvailable)
		require.NoError(t, err)
		clk.Add(time.Minute)
	}
	r := callbackOf("client-5")
	r.OwnTeam, r.OwnProfessional = "kallio-a", "aino"
	c, err := d.Contact(ctx, r)
	require.NoError(t, err)
	it, ok := d.Parts().Dispatcher.Item(dueItem(t, d, clk, c.ID))
	require.True(t, ok)
	require.Equal(t, carecontact.ProfessionalID("aino"), it.Professional, "the client's own nurse is free")
}

// Regression: two duplicate detectors that did not know each other. Under
// keep-both, the callback planner joined a second callback request to the
// first while the door opened a session for a request that did not exist.
func TestDoorSecondCallbackRequestIsOneContact(t *testing.T) {
	ctx := context.Background()
	for _, pol := range []demand.Policy{"", demand.PolicyKeepBoth} {
		t.Run(string(pol)+"policy", func(t *testing.T) {
			d, _, _ := door(t, pol)
			first, err := d.Contact(ctx, callbackOf("client-6"))
			require.NoError(t, err)
			again, err := d.Contact(ctx, callbackOf("client-6"))
			require.NoError(t, err)
			require.True(t, again.Duplicate)
			require.True(t, again.Merged, "one callback for one errand")
			require.Equal(t, first.ID, again.ExistingID)
			_, err = d.Parts().Sessions.Get(ctx, audit.System("test"), again.ID)
			require.ErrorIs(t, err, session.ErrNotFound, "no second session")
			_, err = d.Parts().Callbacks.Get(ctx, audit.System("test"), again.ID)
			require.ErrorIs(t, err, callback.ErrNotFound, "no second request")
		})
	}
}

// Regression: Close freed the professional before it withdrew the client's
// other contacts, so the settled errand's duplicate was offered to her in
// the same instant; and the withdrawn contact's session stayed open.
func TestDoorCloseWithdrawsBeforeFreeingTheProfessional(t *testing.T) {
	ctx := context.Background()
	var events []frontdoor.Event
	d, _, _ := doorWith(t, demand.PolicyKeepBoth, func(e frontdoor.Event) { events = append(events, e) })
	_, err := d.SetPresence(ctx, "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	phone := callbackOf("client-7")
	phone.Channel, phone.Phone = channel.InboundPhone, ""
	first, err := d.Contact(ctx, phone)
	require.NoError(t, err)
	_, err = d.Accept(ctx, "aino", first.Item.ID)
	require.NoError(t, err)
	second, err := d.Contact(ctx, phone) // the client calls again while on the line
	require.NoError(t, err)
	require.True(t, second.Duplicate)
	require.Equal(t, routing.ItemQueued, second.Item.State)

	closed, err := d.Close(ctx, "aino", first.ID, session.OutcomeResolved)
	require.NoError(t, err)
	require.Len(t, closed.Withdrawn, 1)
	withdrawn := 0
	for _, e := range events {
		require.False(t, e.Contact == second.ID && e.Kind == frontdoor.EventOffered, "the settled duplicate is never offered")
		if e.Contact == second.ID && e.Kind == frontdoor.EventWithdrawn {
			withdrawn++
			require.Equal(t, session.OutcomeDuplicateMerged, e.Outcome, "withdrawn because another contact settled the errand")
		}
	}
	require.Equal(t, 1, withdrawn)
	s, err := d.Parts().Sessions.Get(ctx, audit.System("test"), second.ID)
	require.NoError(t, err)
	require.Equal(t, session.StateClosed, s.State, "the withdrawn contact's session is closed")
	require.Equal(t, session.OutcomeDuplicateMerged, s.Outcome)
}
