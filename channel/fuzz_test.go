package channel_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// FuzzParseKind: a channel name either names a known kind, which is its
// own text, or fails with ErrUnknownKind and through it carecontact.ErrInvalid.
func FuzzParseKind(f *testing.F) {
	for _, s := range []string{"chat", "e_booking", "Chat", "chat ", "", "fax"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k, err := channel.ParseKind(s)
		if err != nil {
			require.ErrorIs(t, err, channel.ErrUnknownKind)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			return
		}
		require.True(t, k.Valid())
		require.Equal(t, s, string(k))
	})
}

// FuzzParseIdentityLevel: the text decoder of identity levels accepts only
// the names MarshalText writes and re-encodes to the same text; anything
// else is ErrUnknownIdentityLevel and carecontact.ErrInvalid, and leaves
// the level as it was.
func FuzzParseIdentityLevel(f *testing.F) {
	for _, s := range []string{"none", "weak", "strong", "invalid", "Strong", "2", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l := channel.IdentityWeak
		if err := l.UnmarshalText([]byte(s)); err != nil {
			require.ErrorIs(t, err, channel.ErrUnknownIdentityLevel)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			require.Equal(t, channel.IdentityWeak, l, "a failed decode leaves the level alone")
			return
		}
		require.True(t, l.Valid())
		out, err := l.MarshalText()
		require.NoError(t, err)
		require.Equal(t, s, string(out))
		again, err := channel.ParseIdentityLevel(string(out))
		require.NoError(t, err)
		require.Equal(t, l, again)
	})
}
