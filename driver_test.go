package carecontact_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

// part is a Driven test double: it has work at its deadlines and fails its
// first failures Advances.
type part struct {
	now       func() time.Time
	deadlines []time.Time
	failures  int
	advanced  []time.Time
}

func (p *part) NextDeadline(context.Context) (time.Time, bool, error) {
	if len(p.deadlines) == 0 {
		return time.Time{}, false, nil
	}
	return p.deadlines[0], true, nil
}

func (p *part) Advance(context.Context) error {
	now := p.now()
	p.advanced = append(p.advanced, now)
	if p.failures > 0 {
		p.failures--
		return errors.New("store unavailable")
	}
	for len(p.deadlines) > 0 && !p.deadlines[0].After(now) {
		p.deadlines = p.deadlines[1:]
	}
	return nil
}

// virtual is a clock the driver's Wait moves.
type virtual struct{ t time.Time }

func (v *virtual) Now() time.Time { return v.t }

func TestDriverSupervisesFailingParts(t *testing.T) {
	start := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC) // the night of the spring DST change
	clk := &virtual{t: start}
	ok := &part{now: clk.Now, deadlines: []time.Time{start.Add(time.Second), start.Add(3 * time.Second)}}
	bad := &part{now: clk.Now, failures: 3}
	var reported []string
	var logged strings.Builder
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	steps := 0
	d, err := carecontact.NewDriver(carecontact.DriverConfig{
		Parts: []carecontact.Driven{ok, bad}, Clock: clk,
		MaxWait: 10 * time.Second, MinBackoff: 100 * time.Millisecond, MaxBackoff: 250 * time.Millisecond,
		OnError: func(i int, err error) {
			reported = append(reported, fmt.Sprintf("%d at %s: %v", i, clk.t.Sub(start), err))
		},
		Logger: slog.New(slog.NewTextHandler(&logged, nil)),
		Wait: func(ctx context.Context, until time.Time, _ bool, _ []<-chan struct{}) error {
			if steps++; steps == 8 {
				cancel()
				return ctx.Err()
			}
			clk.t = until
			return nil
		},
	})
	require.NoError(t, err)
	require.ErrorIs(t, d.Run(ctx), context.Canceled)
	require.Equal(t, []string{
		"1 at 0s: store unavailable",
		"1 at 100ms: store unavailable",
		"1 at 300ms: store unavailable",
	}, reported, "backoff doubles and is capped at MaxBackoff (100, 200, 250 ms)")
	require.Equal(t, []time.Duration{0, 100 * time.Millisecond, 300 * time.Millisecond, 550 * time.Millisecond}, since(start, bad.advanced[:4]))
	require.Contains(t, since(start, ok.advanced), time.Second, "the healthy part ran at its deadline while the other failed")
	require.Contains(t, since(start, ok.advanced), 3*time.Second)
	require.Empty(t, ok.deadlines)
	require.Equal(t, 3, strings.Count(logged.String(), "driven part failed"))
}

func since(start time.Time, ts []time.Time) []time.Duration {
	out := make([]time.Duration, len(ts))
	for i, t := range ts {
		out[i] = t.Sub(start)
	}
	return out
}

func TestNewDriverChecksItsConfig(t *testing.T) {
	var nilPart *part
	tests := []struct {
		name  string
		cfg   carecontact.DriverConfig
		field string
	}{
		{"no parts", carecontact.DriverConfig{}, "parts"},
		{"nil part", carecontact.DriverConfig{Parts: []carecontact.Driven{&part{}, nilPart}}, "parts[1]"},
		{"negative wait", carecontact.DriverConfig{Parts: []carecontact.Driven{&part{}}, MaxWait: -1}, "maxWait"},
		{"backoff upside down", carecontact.DriverConfig{Parts: []carecontact.Driven{&part{}}, MinBackoff: time.Minute, MaxBackoff: time.Second}, "maxBackoff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := carecontact.NewDriver(tc.cfg)
			require.ErrorIs(t, err, carecontact.ErrDriver)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestSleepUntilWakesAndCancels(t *testing.T) {
	wait := carecontact.SleepUntil(carecontact.SystemClock())
	wake := make(chan struct{}, 1)
	wake <- struct{}{}
	require.NoError(t, wait(context.Background(), time.Now().Add(time.Hour), true, []<-chan struct{}{wake}), "a wake returns")
	require.NoError(t, wait(context.Background(), time.Now().Add(-time.Second), true, nil), "a past deadline returns at once")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, wait(ctx, time.Time{}, false, nil), context.Canceled)
}

func TestDriverStepStopsOnCancel(t *testing.T) {
	clk := &virtual{t: time.Date(2026, 12, 24, 12, 0, 0, 0, time.UTC)}
	p := &part{now: clk.Now}
	d, err := carecontact.NewDriver(carecontact.DriverConfig{Parts: []carecontact.Driven{p}, Clock: clk})
	require.NoError(t, err)
	next, err := d.Step(context.Background())
	require.NoError(t, err)
	require.Equal(t, clk.t.Add(carecontact.DefaultMaxWait), next, "nothing scheduled: wake after MaxWait to see other replicas' changes")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.Step(ctx)
	require.ErrorIs(t, err, context.Canceled)
}
