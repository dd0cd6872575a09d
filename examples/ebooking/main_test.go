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
	for _, want := range []string{
		"Tue 22 Dec 11:30-11:50  nurse-aino", // 07:00 + 4 h notice, past the lunch break
		"Mon 28 Dec 10:00",                   // after the Christmas closure
		"booking: slot taken",
		"booking limit reached",
		`"resourceType": "Appointment"`,
		`"resourceType": "Slot"`,
		"Ajanvarauksen tila 3 Varattu",
		"booking.confirm",
		"offered to client-91bc from the waitlist",
		"booking.offer",
	} {
		require.Contains(t, out, want)
	}
	t.Log("\n" + out)
}
