package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/golden"
)

// TestRun runs the example and compares its output with the reviewed
// transcript in testdata/output.golden (regenerate with
// go test ./examples/desk -update after a deliberate change).
func TestRun(t *testing.T) {
	out := golden.Check(t, run)
	for _, must := range []string{
		"video.invite room-2 professional:doctor-1",
		"video.invite room-2 professional:physio-1",
		"telephony.upgrade_to_video call-1 room:room-2",
		"withdrawn: inbound_phone contact c3",
		"duplicates callback contact c1",
		"channel.withdraw     contact/c3",
	} {
		require.Contains(t, out, must)
	}
	for _, never := range []string{"131052", "308T", "Venous ulcer"} {
		require.NotContains(t, out, never, "no identity code or note text in the output")
	}
}

func Example() {
	var buf bytes.Buffer
	if err := run(&buf); err != nil {
		fmt.Println(err)
		return
	}
	for _, l := range strings.Split(buf.String(), "\n")[:3] {
		fmt.Println(l)
	}
	// Output:
	// A day at the desk of nurse-1, team Koivikko (times in Europe/Helsinki)
	//
	// 08:02  client-101 asks for a callback: a wound on the shin is not healing
}
