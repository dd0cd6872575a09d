package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/output.golden from the program's output")

// TestRun runs the example program and compares its output with the
// reviewed transcript in testdata/output.golden (regenerate with
// go test ./examples/guidance -update after a deliberate change).
func TestRun(t *testing.T) {
	var first, second bytes.Buffer
	require.NoError(t, run(&first))
	require.NoError(t, run(&second))
	require.Equal(t, first.String(), second.String(), "the output is deterministic")

	golden := filepath.Join("testdata", "output.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, first.Bytes(), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), first.String())

	out := first.String()
	for _, must := range []string{
		"importing the same file again creates 0 drafts",
		"needs role [manager] in area koivikko to approve",
		"no review since it was submitted",
		"not video: not offered in area rantala",
		"[service suture-removal]",
		"Vi ringer dig i dag kl. 13–15.",
		"booking in koivikko (booking/koivikko@1): flu-vaccination 10m0s for [adult senior]",
		"change set koivikko-spring is rolled_back",
		"rollback by head-koivikko",
		"decodes again: true",
	} {
		require.Contains(t, out, must)
	}
	require.Equal(t, 3, strings.Count(out, "refused: "))
}
