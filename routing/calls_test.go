package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// callDesk is one team of three nurses who each take one call and two
// chats at a time.
func callDesk(t *testing.T, grace time.Duration) (*routing.Dispatcher, *clock.Mock) {
	t.Helper()
	nurse := func(id carecontact.ProfessionalID) routing.Professional {
		return routing.Professional{ID: id, Role: routing.RoleNurse, Teams: []carecontact.TeamID{"t"},
			Capacity: routing.Capacity{Synchronous: 1, Chat: 2}, Languages: []civil.Language{civil.Finnish}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "tolo", NameFi: "Töölö", PostalCodes: []routing.PostalCode{"00250"}}},
		Teams:         []routing.Team{{ID: "t", NameFi: "Tiimi", Area: "tolo"}},
		Professionals: []routing.Professional{nurse("n1"), nurse("n2"), nurse("n3")},
		Policies:      []routing.Policy{{Steps: []routing.Step{{Target: routing.TargetTeam, Team: "t"}}}},
	})
	require.NoError(t, err)
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	d, err := routing.NewDispatcher(context.Background(), routing.DispatcherConfig{Directory: dir, Clock: clk,
		Store: memory.NewRoutingStore(nil), Grace: grace, Handling: 6 * time.Minute})
	require.NoError(t, err)
	return d, clk
}

func signIn(t *testing.T, d *routing.Dispatcher, ps ...carecontact.ProfessionalID) {
	t.Helper()
	for _, p := range ps {
		_, err := d.SetPresence(context.Background(), p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
}

func contact(k channel.Kind) routing.Contact {
	return routing.Contact{Client: "c", Errand: channel.ErrandLabResults, Channel: k, OwnTeam: "t"}
}

// take enqueues an item on channel k and has whoever is offered it accept.
func take(t *testing.T, d *routing.Dispatcher, id carecontact.ItemID, k channel.Kind) routing.Item {
	t.Helper()
	it, err := d.Enqueue(context.Background(), id, contact(k))
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, it.State)
	it, err = d.Accept(context.Background(), id, it.Professional)
	require.NoError(t, err)
	return it
}

// Regression: a chat escalated to a call or video kept only its chat slot,
// so its professional was offered calls and chats on top.
func TestContinueAsVideoHoldsTheProfessional(t *testing.T) {
	ctx := context.Background()
	d, _ := callDesk(t, 0)
	signIn(t, d, "n1")
	it := take(t, d, "chat-1", channel.Chat)
	require.Equal(t, carecontact.ProfessionalID("n1"), it.Professional)

	it, err := d.Continue(ctx, "chat-1", "n1", channel.Video)
	require.NoError(t, err)
	require.Equal(t, channel.Video, it.Continued)
	st, _ := d.Professional("n1")
	require.Equal(t, 1, st.InCall)
	require.Equal(t, routing.PresenceBusy, st.Effective())

	for _, k := range []channel.Kind{channel.Chat, channel.InboundPhone} {
		next, err := d.Enqueue(ctx, carecontact.ItemID("more-"+string(k)), contact(k))
		require.NoError(t, err)
		require.Equal(t, routing.ItemQueued, next.State, "no %s is offered during the video call", k)
	}

	_, err = d.Finish(ctx, "chat-1", "n1")
	require.NoError(t, err)
	st, _ = d.Professional("n1")
	require.Zero(t, st.InCall, "the call ended")
	offered := d.Assigned("n1")
	require.NotEmpty(t, offered, "free again, the waiting work is offered")
}

func TestContinueRules(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		run  func(t *testing.T, d *routing.Dispatcher) error
		want error
	}{
		{"not routed", func(t *testing.T, d *routing.Dispatcher) error {
			take(t, d, "a", channel.Chat)
			_, err := d.Continue(ctx, "a", "n1", channel.Kind("fax"))
			return err
		}, routing.ErrInvalid},
		{"not the holder", func(t *testing.T, d *routing.Dispatcher) error {
			take(t, d, "a", channel.Chat)
			_, err := d.Continue(ctx, "a", "n2", channel.Video)
			return err
		}, routing.ErrWrongState},
		{"already in a call", func(t *testing.T, d *routing.Dispatcher) error {
			take(t, d, "call", channel.InboundPhone)
			take(t, d, "a", channel.Chat)
			_, err := d.Continue(ctx, "a", "n1", channel.Video)
			return err
		}, routing.ErrNoCapacity},
		{"unknown item", func(t *testing.T, d *routing.Dispatcher) error {
			_, err := d.Continue(ctx, "nope", "n1", channel.Video)
			return err
		}, routing.ErrItemNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := callDesk(t, 0)
			signIn(t, d, "n1")
			require.ErrorIs(t, tc.run(t, d), tc.want)
		})
	}
}

func TestContinueBackToChatEndsTheCall(t *testing.T) {
	ctx := context.Background()
	d, _ := callDesk(t, 0)
	signIn(t, d, "n1")
	take(t, d, "a", channel.Chat)
	_, err := d.Continue(ctx, "a", "n1", channel.Video)
	require.NoError(t, err)
	it, err := d.Continue(ctx, "a", "n1", channel.Chat)
	require.NoError(t, err)
	require.Empty(t, it.Continued)
	st, _ := d.Professional("n1")
	require.Zero(t, st.InCall)
	require.Equal(t, routing.PresenceAvailable, st.Effective())
}

// Regression: professionals invited into a video call kept receiving
// offers.
func TestInvitedGuestGetsNoOffers(t *testing.T) {
	ctx := context.Background()
	d, clk := callDesk(t, 0)
	signIn(t, d, "n1")
	take(t, d, "video", channel.Video)
	_, err := d.SetPresence(ctx, "n1", routing.PresenceBusy) // the host takes no chats now
	require.NoError(t, err)
	signIn(t, d, "n2")
	pending, err := d.Enqueue(ctx, "waiting-chat", contact(channel.Chat))
	require.NoError(t, err)
	require.Equal(t, carecontact.ProfessionalID("n2"), pending.Professional)

	it, err := d.Invite(ctx, "video", "n1", "n2")
	require.NoError(t, err)
	require.Equal(t, []carecontact.ProfessionalID{"n2"}, it.Guests)
	w, ok := d.Item("waiting-chat")
	require.True(t, ok)
	require.Equal(t, routing.ItemQueued, w.State, "the guest's pending offer went back to the queue")
	st, _ := d.Professional("n2")
	require.Equal(t, routing.PresenceBusy, st.Effective())
	require.Len(t, d.Assigned("n2"), 1, "the desk of the guest lists the call")

	_, err = d.Invite(ctx, "video", "n1", "n2")
	require.ErrorIs(t, err, routing.ErrConflict, "a guest once")
	_, err = d.Invite(ctx, "video", "n1", "n1")
	require.ErrorIs(t, err, routing.ErrConflict, "the host is no guest")
	_, err = d.Invite(ctx, "video", "n1", "n3")
	require.ErrorIs(t, err, routing.ErrNoCapacity, "n3 is signed out")
	_, err = d.Finish(ctx, "video", "n1")
	require.ErrorIs(t, err, routing.ErrWrongState, "guests leave first")

	clk.Add(time.Minute)
	_, err = d.Leave(ctx, "video", "n2")
	require.NoError(t, err)
	w, _ = d.Item("waiting-chat")
	require.Equal(t, routing.ItemOffered, w.State)
	require.Equal(t, carecontact.ProfessionalID("n2"), w.Professional, "out of the room, offers again")
	_, err = d.Leave(ctx, "video", "n2")
	require.ErrorIs(t, err, routing.ErrWrongState)
	_, err = d.Finish(ctx, "video", "n1")
	require.NoError(t, err)
}

// Regression: an accepted contact had no lease, so a professional who
// signed out kept it (and its slot) indefinitely.
func TestAcceptedContactReturnsAfterTheGrace(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		back     time.Duration // when the professional signs in again; 0: never
		reclaims bool
	}{
		{"away past the grace", 0, true},
		{"back within the grace", 2 * time.Minute, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, clk := callDesk(t, 5*time.Minute)
			signIn(t, d, "n1")
			take(t, d, "a", channel.InboundPhone)
			signIn(t, d, "n2")
			_, err := d.SetPresence(ctx, "n1", routing.PresenceAway)
			require.NoError(t, err)
			next, ok, err := d.NextDeadline(ctx)
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, clk.Now().Add(5*time.Minute), next)
			if tc.back > 0 {
				clk.Add(tc.back)
				signIn(t, d, "n1")
			}
			clk.Set(next) // the grace ends; the new offer's timeout has not passed
			require.NoError(t, d.Advance(ctx))
			it, ok := d.Item("a")
			require.True(t, ok)
			if !tc.reclaims {
				require.Equal(t, routing.ItemAccepted, it.State)
				require.Equal(t, carecontact.ProfessionalID("n1"), it.Professional)
				return
			}
			require.Equal(t, routing.ItemOffered, it.State, "queued again and offered")
			require.Equal(t, carecontact.ProfessionalID("n2"), it.Professional)
			st, _ := d.Professional("n1")
			require.Zero(t, st.Load.Synchronous, "the slot is free")
		})
	}
}

func TestWaitEstimatesFromPositionAndServers(t *testing.T) {
	ctx := context.Background()
	d, _ := callDesk(t, 0)
	signIn(t, d, "n1", "n2")
	take(t, d, "busy-1", channel.InboundPhone)
	take(t, d, "busy-2", channel.InboundPhone)
	for _, id := range []carecontact.ItemID{"q1", "q2", "q3"} {
		_, err := d.Enqueue(ctx, id, contact(channel.InboundPhone))
		require.NoError(t, err)
	}
	w, err := d.Wait("q3")
	require.NoError(t, err)
	require.Equal(t, 3, w.Position)
	require.Equal(t, 2, w.Serving)
	require.True(t, w.Known)
	require.Equal(t, 9*time.Minute, w.Estimate, "3 ahead, 2 servers, 6 minutes each")

	w, err = d.Wait("busy-1")
	require.NoError(t, err)
	require.Equal(t, routing.Wait{MeanHandling: 6 * time.Minute, Known: true}, w, "being handled: no wait")

	for _, p := range []carecontact.ProfessionalID{"n1", "n2"} {
		_, err = d.SetPresence(ctx, p, routing.PresenceAway)
		require.NoError(t, err)
	}
	w, err = d.Wait("q1")
	require.NoError(t, err)
	require.Equal(t, routing.Wait{Position: 1, MeanHandling: 6 * time.Minute}, w, "everyone signed out: unknown")

	_, err = d.Wait("nope")
	require.ErrorIs(t, err, routing.ErrItemNotFound)
}

// Regression: there was no way to list what waits for a professional.
func TestWaitingListsWhatAProfessionalCouldTake(t *testing.T) {
	ctx := context.Background()
	d, clk := callDesk(t, 0)
	signIn(t, d, "n1")
	take(t, d, "call", channel.InboundPhone)
	_, err := d.SetPresence(ctx, "n1", routing.PresenceBusy)
	require.NoError(t, err)
	for _, id := range []carecontact.ItemID{"late", "early"} {
		c := contact(channel.InboundPhone)
		if id == "early" {
			c.Priority = routing.PriorityUrgent
		}
		_, err := d.Enqueue(ctx, id, c)
		require.NoError(t, err)
		clk.Add(time.Minute)
	}
	_, err = d.Enqueue(ctx, "chat", contact(channel.Chat))
	require.NoError(t, err)
	var ids []carecontact.ItemID
	for _, it := range d.Waiting("n1") {
		ids = append(ids, it.ID)
	}
	require.Equal(t, []carecontact.ItemID{"early", "late", "chat"}, ids, "urgent first, then by enqueue time, every slot class")
	require.Empty(t, d.Waiting("nobody"))
}

// A contact that holds waits for whoever signs in instead of being
// refused while nobody is signed in.
func TestHoldWaitsWhileNobodyIsSignedIn(t *testing.T) {
	ctx := context.Background()
	d, _ := callDesk(t, 0)
	c := contact(channel.Callback)
	_, err := d.Enqueue(ctx, "refused", c)
	var nr *routing.NoRouteError
	require.ErrorAs(t, err, &nr)
	require.Equal(t, routing.ReasonNobodySignedIn, nr.Reason)

	c.Hold = true
	it, err := d.Enqueue(ctx, "held", c)
	require.NoError(t, err)
	require.Equal(t, routing.ItemQueued, it.State)
	signIn(t, d, "n2")
	it, ok := d.Item("held")
	require.True(t, ok)
	require.Equal(t, routing.ItemOffered, it.State)
	require.Equal(t, carecontact.ProfessionalID("n2"), it.Professional)
}

// Regression: a held item (a due callback) was dropped as exhausted when
// its last usable step had a timeout, and a professional who signed out
// with an offer pending was never offered it again; together they left a
// callback waiting for good or gone.
func TestHeldItemOutlivesItsStepsAndItsDeclines(t *testing.T) {
	ctx := context.Background()
	nurse := func(id carecontact.ProfessionalID) routing.Professional {
		return routing.Professional{ID: id, Role: routing.RoleNurse, Teams: []carecontact.TeamID{"t"},
			Capacity: routing.Capacity{Synchronous: 1}, Languages: []civil.Language{civil.Finnish}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas:         []routing.Area{{ID: "tolo", NameFi: "Töölö", PostalCodes: []routing.PostalCode{"00250"}}},
		Teams:         []routing.Team{{ID: "t", NameFi: "Tiimi", Area: "tolo"}},
		Professionals: []routing.Professional{nurse("n1")},
		Policies:      []routing.Policy{{Steps: []routing.Step{{Target: routing.TargetTeam, Team: "t", Timeout: 10 * time.Minute}}}},
	})
	require.NoError(t, err)
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	d, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clk, Store: memory.NewRoutingStore(nil)})
	require.NoError(t, err)
	signIn(t, d, "n1")
	c := contact(channel.Callback)
	c.Hold = true
	it, err := d.Enqueue(ctx, "cb.1", c)
	require.NoError(t, err)
	require.Equal(t, carecontact.ProfessionalID("n1"), it.Professional)
	_, err = d.SetPresence(ctx, "n1", routing.PresenceAway) // signs out without answering
	require.NoError(t, err)

	clk.Add(time.Hour)
	require.NoError(t, d.Advance(ctx))
	it, ok := d.Item("cb.1")
	require.True(t, ok, "a held item is never exhausted")
	require.Equal(t, routing.ItemQueued, it.State)
	signIn(t, d, "n1")
	it, _ = d.Item("cb.1")
	require.Equal(t, routing.ItemOffered, it.State, "back from away, the nurse is offered it again")
	require.Equal(t, carecontact.ProfessionalID("n1"), it.Professional)
}
