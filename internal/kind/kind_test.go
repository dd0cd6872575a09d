package kind_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/kind"
)

func TestSentinelMatchesItsKindOnly(t *testing.T) {
	kinds := []error{kind.ErrInvalid, kind.ErrNotFound, kind.ErrConflict, kind.ErrNotAllowed, kind.ErrIllegalTransition, kind.ErrUnavailable}
	for _, k := range kinds {
		s := kind.Sentinel(k, "pkg: thing")
		require.EqualError(t, s, "pkg: thing")
		for _, other := range kinds {
			require.Equal(t, k == other, errors.Is(s, other), "%v and %v", s, other)
		}
		require.NotErrorIs(t, s, kind.Sentinel(k, "pkg: thing"), "two sentinels stay distinct")
	}
}
