package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/golden"
)

// TestDay runs the health-station day twice (the same output both times)
// and compares it with the reviewed transcript in testdata/output.golden
// (regenerate with go test ./examples/day -update after a deliberate
// change). The lines below are what the day must show whatever else
// changes.
func TestDay(t *testing.T) {
	out := golden.Check(t, run)
	for _, want := range []string{
		"client-1 chats from 00530: k1 offered to aino; told \"Chatten är öppen",
		"client-2 asks for a callback: k2 promised 08:20-10:00",
		"aino takes the due callback k2 (k2.1)",
		"client-2 also opens a chat: duplicate of k2, merged true",
		"the call continues on video; dr dora joins (busy for offers: true)",
		"(fi fallback)",
		"told \"Bokad: Blodtryckskontroll",
		"client-4 chats after the change: told \"Chatten betjänar mån–fre 8–16.\" (text/advice.chat/*/*@2)",
		"audit 08:44 professional:aino      channel.settle",
		"same-day callbacks 1/1 (100.0 %)",
	} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "+358", "no phone number in the transcript")
}
