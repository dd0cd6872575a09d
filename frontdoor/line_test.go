package frontdoor_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

func TestLineCallFailed(t *testing.T) {
	ctx := context.Background()
	t.Run("callback: the retry is planned", func(t *testing.T) {
		st := newStation(t)
		st.signIn(t, "aino")
		c, err := st.door.Contact(ctx, callbackOf("client-1"))
		require.NoError(t, err)
		_, err = st.door.Accept(ctx, "aino", dueItem(t, st.door, st.clk, c.ID))
		require.NoError(t, err)
		require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallFailed, Contact: c.ID}))
		rec, err := st.door.Parts().Callbacks.Get(ctx, audit.System("test"), c.ID)
		require.NoError(t, err)
		require.Equal(t, callback.StatePlanned, rec.State)
		require.Len(t, rec.Calls, 1)
	})
	t.Run("inbound call dropped: closed unreached", func(t *testing.T) {
		st := newStation(t)
		st.signIn(t, "aino")
		r := callbackOf("client-1")
		r.Channel, r.Phone = channel.InboundPhone, ""
		c, err := st.door.Contact(ctx, r)
		require.NoError(t, err)
		_, err = st.door.Accept(ctx, "aino", c.Item.ID)
		require.NoError(t, err)
		require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallFailed, Contact: c.ID}))
		s, err := st.door.Session(ctx, "aino", c.ID)
		require.NoError(t, err)
		require.Equal(t, session.StateClosed, s.State)
		require.Equal(t, session.OutcomeNoAnswer, s.Outcome)
		require.Zero(t, st.prof(t, "aino").Load.Synchronous)
		require.ErrorIs(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallFailed, Contact: c.ID}),
			frontdoor.ErrNotHandling, "no call any more")
	})
}

// The video call ends on the line; the professional then closes with an
// outcome.
func TestLineCallEndedThenClose(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino", "dora")
	id := st.chatWith(t, "client-1", "aino")
	_, err := st.door.Switch(ctx, "aino", id, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	_, err = st.door.Invite(ctx, "aino", id, "dora", "doctor")
	require.NoError(t, err)

	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineJoined, Contact: id, Professional: "dora"}))
	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineLeft, Contact: id, Professional: "dora"}))
	require.Zero(t, st.prof(t, "dora").InCall, "the doctor left the room")
	s, err := st.door.Session(ctx, "aino", id)
	require.NoError(t, err)
	require.False(t, s.Present("dora"))

	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineLeft, Contact: id, Client: true}))
	s, err = st.door.Session(ctx, "aino", id)
	require.NoError(t, err)
	require.Equal(t, session.StateWrapUp, s.State, "the client left the video call: it ended")
	require.Zero(t, st.prof(t, "aino").InCall)
	require.True(t, hasEvent(st.events, frontdoor.EventCallEnded, id))

	closed, err := st.door.Close(ctx, "aino", id, session.OutcomeResolved)
	require.NoError(t, err)
	require.Equal(t, session.StateClosed, closed.Session.State)
}

func TestLineCallbackEndedIsAnswered(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	c, err := st.door.Contact(ctx, callbackOf("client-1"))
	require.NoError(t, err)
	_, err = st.door.Accept(ctx, "aino", dueItem(t, st.door, st.clk, c.ID))
	require.NoError(t, err)
	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallAnswered, Contact: c.ID}))
	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallEnded, Contact: c.ID}))
	rec, err := st.door.Parts().Callbacks.Get(ctx, audit.System("test"), c.ID)
	require.NoError(t, err)
	require.Equal(t, callback.StateClosed, rec.State, "the attempt reached the client")
	_, err = st.door.Close(ctx, "aino", c.ID, session.OutcomeResolved)
	require.NoError(t, err, "closing after the call ended completes nothing twice")
	require.True(t, hasEvent(st.events, frontdoor.EventConnected, c.ID))
}

func TestLineClientQuiet(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	_, err := st.door.SetPresence(ctx, "aino", routing.PresenceBusy)
	require.NoError(t, err)
	waiting, err := st.door.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineClientQuiet, Contact: waiting.ID}))
	_, ok := st.door.Parts().Dispatcher.Item(waiting.Item.ID)
	require.False(t, ok, "a quiet client's waiting chat leaves the queue")

	st.signIn(t, "aino")
	id := st.chatWith(t, "client-2", "aino")
	require.NoError(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineClientQuiet, Contact: id}))
	require.True(t, hasEvent(st.events, frontdoor.EventClientQuiet, id), "in hand, the professional decides")
	it, ok := st.door.Parts().Dispatcher.Item(carecontact.ItemID(id))
	require.True(t, ok)
	require.Equal(t, routing.ItemAccepted, it.State)
}

func TestLineRefusesBadEvents(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	id := st.chatWith(t, "client-1", "aino")
	tests := []struct {
		name  string
		line  frontdoor.Line
		field string
	}{
		{"no contact", frontdoor.Line{Kind: frontdoor.LineChatReceived}, "contact"},
		{"unknown kind", frontdoor.Line{Kind: "hiccup", Contact: id}, "kind"},
		{"who left", frontdoor.Line{Kind: frontdoor.LineLeft, Contact: id}, "professional"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := st.door.Line(ctx, tc.line)
			require.ErrorIs(t, err, frontdoor.ErrInvalidLine)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
	require.ErrorIs(t, st.door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineChatReceived, Contact: "nope"}), session.ErrNotFound)
}
