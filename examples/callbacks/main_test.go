package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRunIsDeterministic(t *testing.T) {
	var a, b bytes.Buffer
	require.NoError(t, run(context.Background(), &a))
	require.NoError(t, run(context.Background(), &b))
	require.Equal(t, a.String(), b.String())
	out := a.String()
	for _, want := range []string{"same-day share", "p50", "p90", "promise kept rate", "attempts per request", "callback requests"} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "+35840", "phone numbers never printed")
	t.Log("\n" + out)
}
