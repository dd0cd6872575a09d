package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestReconnectWait(t *testing.T) {
	tests := []struct {
		name     string
		last     time.Duration
		listened bool
		want     time.Duration
	}{
		{"first failure", minReconnectWait, false, minReconnectWait},
		{"failures keep the grown wait", 1600 * time.Millisecond, false, 1600 * time.Millisecond},
		{"never beyond the maximum", time.Minute, false, maxReconnectWait},
		{"a connection that listened resets it", maxReconnectWait, true, minReconnectWait},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, reconnectWait(tt.last, tt.listened))
		})
	}
}
