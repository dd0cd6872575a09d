package carecontact_test

import (
	"fmt"
	"testing"
	"time"

	bclock "github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

func TestClockImplementations(t *testing.T) {
	fixed := time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)
	mock := bclock.NewMock()
	mock.Set(fixed)
	tests := []struct {
		name  string
		clock carecontact.Clock
		want  func(time.Time) bool
	}{
		{"mock", mock, func(got time.Time) bool { return got.Equal(fixed) }},
		{"func", carecontact.ClockFunc(func() time.Time { return fixed }), func(got time.Time) bool { return got.Equal(fixed) }},
		{"system", carecontact.SystemClock(), func(got time.Time) bool { return got.Location() == time.UTC && !got.IsZero() }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.True(t, tc.want(tc.clock.Now()))
		})
	}
}

func ExampleClockFunc() {
	c := carecontact.ClockFunc(func() time.Time {
		return time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC)
	})
	helsinki, _ := time.LoadLocation("Europe/Helsinki")
	fmt.Println(c.Now().In(helsinki).Format("2006-01-02 15:04 MST"))
	// Output: 2026-10-25 03:30 EEST
}
