package channel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/channel"
)

func TestParseKind(t *testing.T) {
	for _, k := range channel.Kinds() {
		got, err := channel.ParseKind(string(k))
		require.NoError(t, err)
		require.Equal(t, k, got)
		require.True(t, k.Valid())
	}
	for _, bad := range []string{"", "fax", "Video", " chat"} {
		_, err := channel.ParseKind(bad)
		require.ErrorIs(t, err, channel.ErrUnknownKind, bad)
		require.False(t, channel.Kind(bad).Valid())
	}
}

func TestSynchronous(t *testing.T) {
	tests := map[channel.Kind]bool{
		channel.InboundPhone: true, channel.Callback: true, channel.Video: true, channel.InPerson: true,
		channel.Chat: false, channel.SecureMessage: false, channel.EBooking: false,
	}
	for k, want := range tests {
		require.Equal(t, want, k.Synchronous(), k)
	}
}

func TestIdentityLevelOrderAndString(t *testing.T) {
	require.Less(t, channel.IdentityNone, channel.IdentityWeak)
	require.Less(t, channel.IdentityWeak, channel.IdentityStrong)
	require.Equal(t, "none", channel.IdentityNone.String())
	require.Equal(t, "weak", channel.IdentityWeak.String())
	require.Equal(t, "strong", channel.IdentityStrong.String())
	require.Equal(t, "invalid", channel.IdentityLevel(9).String())
}

// A mebibyte kind or identity level does not come back whole in the error.
func TestParseErrorsAreShort(t *testing.T) {
	mib := strings.Repeat("x", 1<<20)
	_, err := channel.ParseKind(mib)
	require.ErrorIs(t, err, channel.ErrUnknownKind)
	require.Less(t, len(err.Error()), 200)
	var l channel.IdentityLevel
	err = l.UnmarshalText([]byte(mib))
	require.ErrorIs(t, err, channel.ErrUnknownIdentityLevel)
	require.Less(t, len(err.Error()), 200)
}
