package channel_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
)

func TestDefaultGraph(t *testing.T) {
	g := channel.DefaultGraph()
	const none, weak, strong = channel.IdentityNone, channel.IdentityWeak, channel.IdentityStrong
	tests := []struct {
		from, to channel.Kind
		have     channel.IdentityLevel
		consent  bool
		want     error
	}{
		{channel.Callback, channel.Video, strong, true, nil},
		{channel.Callback, channel.Video, strong, false, channel.ErrConsentRequired},
		{channel.Callback, channel.Video, weak, true, channel.ErrIdentityTooWeak},
		{channel.InboundPhone, channel.Video, strong, true, nil},
		{channel.Chat, channel.Callback, weak, true, nil},
		{channel.Chat, channel.Callback, none, true, channel.ErrIdentityTooWeak},
		{channel.Chat, channel.Callback, weak, false, channel.ErrConsentRequired},
		{channel.Chat, channel.Video, strong, true, nil},
		{channel.Video, channel.Callback, weak, false, nil},
		{channel.SecureMessage, channel.InPerson, weak, false, nil},
		{channel.Chat, channel.InPerson, weak, false, nil},
		{channel.Video, channel.Chat, strong, true, channel.ErrEscalationNotAllowed},
		{channel.Callback, channel.Chat, strong, true, channel.ErrEscalationNotAllowed},
		{channel.InPerson, channel.InPerson, strong, true, channel.ErrEscalationNotAllowed},
	}
	for _, tc := range tests {
		err := g.Check(tc.from, tc.to, tc.have, tc.consent)
		if tc.want == nil {
			require.NoError(t, err, "%s -> %s", tc.from, tc.to)
		} else {
			require.ErrorIs(t, err, tc.want, "%s -> %s", tc.from, tc.to)
		}
	}
	var idErr *channel.IdentityError
	require.ErrorAs(t, g.Check(channel.Callback, channel.Video, weak, true), &idErr)
	require.Equal(t, strong, idErr.Required)
	require.Equal(t, weak, idErr.Have)
	var targets []channel.Kind
	for _, e := range g.From(channel.Chat) {
		targets = append(targets, e.To)
	}
	require.Equal(t, []channel.Kind{channel.Callback, channel.Video, channel.InPerson}, targets)
}

func TestNewGraphErrors(t *testing.T) {
	for name, e := range map[string]channel.Escalation{
		"bad to":       {From: channel.Chat, To: "fax"},
		"bad from":     {From: "fax", To: channel.Chat},
		"loop":         {From: channel.Chat, To: channel.Chat},
		"bad identity": {From: channel.Chat, To: channel.Video, Identity: 5},
	} {
		_, err := channel.NewGraph(e)
		require.ErrorIs(t, err, channel.ErrInvalidGraph, name)
	}
	g, err := channel.NewGraph(channel.Escalation{To: channel.Video, Identity: channel.IdentityWeak})
	require.NoError(t, err)
	_, ok := g.Lookup(channel.Video, channel.Video)
	require.False(t, ok, "any -> video does not include video -> video")
	_, ok = g.Lookup(channel.Chat, channel.Video)
	require.True(t, ok)
}

func TestIdentityLevelText(t *testing.T) {
	for _, l := range []channel.IdentityLevel{channel.IdentityNone, channel.IdentityWeak, channel.IdentityStrong} {
		b, err := l.MarshalText()
		require.NoError(t, err)
		var back channel.IdentityLevel
		require.NoError(t, back.UnmarshalText(b))
		require.Equal(t, l, back)
	}
	_, err := channel.IdentityLevel(9).MarshalText()
	require.ErrorIs(t, err, channel.ErrUnknownIdentityLevel)
	var l channel.IdentityLevel
	require.ErrorIs(t, l.UnmarshalText([]byte("bank")), channel.ErrUnknownIdentityLevel)
	require.NoError(t, channel.RequireIdentity(channel.IdentityWeak, channel.IdentityStrong))
	require.ErrorIs(t, channel.RequireIdentity(channel.IdentityStrong, channel.IdentityWeak), channel.ErrIdentityTooWeak)
}

func TestParseGraph(t *testing.T) {
	g, err := channel.ParseGraph([]byte(`{"version": 1, "escalations": [
	  {"from": "callback", "to": "video", "consent": true, "identity": "strong"},
	  {"from": "*", "to": "in_person", "identity": "weak"}
	]}`))
	require.NoError(t, err)
	require.NoError(t, g.Check(channel.Callback, channel.Video, channel.IdentityStrong, true))
	require.ErrorIs(t, g.Check(channel.Chat, channel.Video, channel.IdentityStrong, true), channel.ErrEscalationNotAllowed)
	require.NoError(t, g.Check(channel.EBooking, channel.InPerson, channel.IdentityWeak, false))
	require.Len(t, g.Edges(), 7, "callback -> video and six channels -> in person")

	def, err := json.Marshal(channel.DefaultGraph())
	require.NoError(t, err)
	again, err := channel.ParseGraph(def)
	require.NoError(t, err)
	require.Equal(t, channel.DefaultGraph().Edges(), again.Edges())

	for name, tc := range map[string]struct{ in, want string }{
		"no version":   {`{"escalations": []}`, "version: must be 1"},
		"extra field":  {`{"version": 1, "escalations": [], "x": 1}`, `unknown field "x"`},
		"edge field":   {`{"version": 1, "escalations": [{"from": "chat", "to": "video", "identity": "weak", "why": 1}]}`, `escalations[0]: json: unknown field "why"`},
		"no identity":  {`{"version": 1, "escalations": [{"from": "chat", "to": "video"}]}`, "escalations[0]: from, to and identity are required"},
		"bad identity": {`{"version": 1, "escalations": [{"from": "chat", "to": "video", "identity": "pin"}]}`, "escalations[0].identity: must be"},
		"empty from":   {`{"version": 1, "escalations": [{"from": "", "to": "video", "identity": "weak"}]}`, `use "*"`},
		"bad kind":     {`{"version": 1, "escalations": [{"from": "fax", "to": "video", "identity": "weak"}]}`, `edges[0].from: unknown channel "fax"`},
		"trailing":     {`{"version": 1, "escalations": []} []`, "trailing data"},
	} {
		_, err := channel.ParseGraph([]byte(tc.in))
		require.ErrorIs(t, err, channel.ErrInvalidGraph, name)
		require.Contains(t, err.Error(), tc.want, name)
	}
}

// FuzzParseGraph: the escalation configuration loader never panics, and
// whatever it accepts survives a round trip.
func FuzzParseGraph(f *testing.F) {
	def, _ := json.Marshal(channel.DefaultGraph())
	f.Add(def)
	f.Add([]byte(`{"version":1,"escalations":[{"from":"*","to":"in_person","identity":"weak"}]}`))
	f.Add([]byte(`{"version":1,"escalations":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := channel.ParseGraph(data)
		if err != nil {
			require.ErrorIs(t, err, channel.ErrInvalidGraph)
			return
		}
		out, err := json.Marshal(g)
		require.NoError(t, err)
		again, err := channel.ParseGraph(out)
		require.NoError(t, err)
		require.Equal(t, g.Edges(), again.Edges())
	})
}
