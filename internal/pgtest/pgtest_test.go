package pgtest_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/pgtest"
)

func TestStartCreateStop(t *testing.T) {
	s, err := pgtest.Start(t.Context())
	require.NoError(t, err)
	a, err := s.CreateDatabase(t.Context())
	require.NoError(t, err)
	b, err := s.CreateDatabase(t.Context())
	require.NoError(t, err)
	require.NotEqual(t, a, b)
	require.True(t, strings.HasPrefix(a, "host=/"), a)
	dir := strings.TrimPrefix(strings.Fields(a)[0], "host=")
	_, err = os.Stat(dir)
	require.NoError(t, err)
	s.Stop()
	_, err = os.Stat(dir)
	require.True(t, os.IsNotExist(err), "Stop removes the server's directory")
}
