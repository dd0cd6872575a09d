package postgres

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestLeaseDefaultsFailOverWithinTenSeconds checks the deployment promise:
// with the default lease a dead leader is replaced within TTL plus one
// renewal period, at most 10 s, and the store's operation timeout (which
// also ends an idle transaction) stays below the TTL.
func TestLeaseDefaultsFailOverWithinTenSeconds(t *testing.T) {
	l, err := (&DB{}).Lease(LeaseConfig{})
	require.NoError(t, err)
	require.LessOrEqual(t, l.cfg.TTL+l.cfg.RenewEvery, 10*time.Second)
	require.Less(t, DefaultOperationTimeout, l.cfg.TTL)
}
