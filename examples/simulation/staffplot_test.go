package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/examples/simulation/sim"
)

func TestClippedShare(t *testing.T) {
	tests := []struct {
		name      string
		in        sim.CI
		low, high float64
	}{
		{"inside", sim.CI{Mean: 0.5, Low: 0.4, High: 0.6}, 0.4, 0.6},
		{"past 100 %", sim.CI{Mean: 0.99, Low: 0.97, High: 1.01}, 0.97, 1},
		{"below 0 %", sim.CI{Mean: 0.01, Low: -0.02, High: 0.04}, 0, 0.04},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := clippedShare(func(staffPoint) sim.CI { return tc.in })(staffPoint{})
			require.Equal(t, tc.low, got.Low)
			require.Equal(t, tc.high, got.High)
			require.Equal(t, tc.in.Mean, got.Mean, "the mean is drawn as computed")
		})
	}
}
