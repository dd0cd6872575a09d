package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/internal/golden"
)

// TestServiceChange runs the change twice (the same output both times)
// and compares it with the reviewed transcript in testdata/output.golden
// (regenerate with go test ./examples/servicechange -update after a
// deliberate change). The lines below are what it must show whatever
// else changes.
func TestServiceChange(t *testing.T) {
	out := golden.Check(t, run)
	for _, want := range []string{
		"nurse-aino reviews her own change: refused",
		"catalogue booking/lakeside@1: services bp-check; the flu text not published",
		"catalogue booking/lakeside@2: services bp-check, flu-vaccination; the flu text published",
		"client-5e21 looks for flu-vaccination: ",
		"told \"Influensavaccination: ha en kortärmad tröja på dig.\" (sv, text/ebooking.before/lakeside/flu-vaccination@1)",
		"records the versions shown: text/ebooking.before/lakeside/flu-vaccination@1,booking/lakeside@2",
	} {
		require.Contains(t, out, want)
	}
}
