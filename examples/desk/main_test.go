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
		"offer    callback k1 (item k1.1), may [accept decline]",
		"and calls the health station: contact k4 duplicates contact k1",
		"leg 2: video room-2",
		"contact  video k1 (item k1.1), as a guest, may [leave]",
		"video.invite room-2 professional:doctor-1",
		"video.invite room-2 professional:physio-1",
		"telephony.upgrade_to_video call-1 room:room-2",
		"withdrawn: inbound_phone contact k4",
		"channel.withdraw     contact/d3  allowed kind=inbound_phone settled_by=contact/d1",
		"waiting  secure_message k3",
	} {
		require.Contains(t, out, must)
	}
	for _, never := range []string{"131052", "308T", "+358", "Venous ulcer", "Dressing plan"} {
		require.NotContains(t, out, never, "no identity code, phone number or note text in the output")
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
	// 08:00  the station opens: nurse-1 is in the team's morning meeting, nurse-2 at the vaccination clinic (both signed in, busy); doctor-1 and physio-1 at their desks
}
