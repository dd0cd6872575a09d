package channel_test

import (
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
