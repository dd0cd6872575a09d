package golden

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden from the program's output")

// Check runs run twice, requires the same output both times (the examples
// are deterministic), compares it with testdata/output.golden (rewritten
// when the test runs with -update after a deliberate change) and returns it.
func Check(t *testing.T, run func(io.Writer) error) string {
	t.Helper()
	var first, second bytes.Buffer
	require.NoError(t, run(&first))
	require.NoError(t, run(&second))
	require.Equal(t, first.String(), second.String(), "the output is deterministic")
	path := filepath.Join("testdata", "output.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, first.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(want), first.String())
	return first.String()
}
