package main

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/golden"
)

// TestRun runs the example twice (the same output both times) and
// compares it with the reviewed transcript in testdata/output.golden
// (regenerate with go test ./examples/ebooking -update after a deliberate
// change). The lines below are what it must show whatever else changes.
func TestRun(t *testing.T) {
	out := golden.Check(t, func(w io.Writer) error { return run(context.Background(), w) })
	for _, want := range []string{
		"nurse-aino draft",
		"nurse-emil review",
		"head-liisa publish",
		"booking reads booking/lakeside@1",
		"Tue 22 Dec 11:30-11:50  nurse-aino", // 07:00 + 4 h notice, past the lunch break
		"(fi, text/ebooking.before/lakeside/bp-check@1)",
		"Mon 28 Dec 10:00", // after the Christmas closure
		`client group "adult" may not self-book`,
		"booking: slot taken",
		"booking limit reached",
		"Ajanvarauksen tila 3 Varattu",
		"records the versions shown: text/ebooking.before/lakeside/bp-check@1,booking/lakeside@1",
		"offered to client-91bc from the waitlist",
		`"resourceType": "Appointment"`,
		`"resourceType": "Slot"`,
		"booking.confirm",
		"booking.offer",
	} {
		require.Contains(t, out, want)
	}
}
