package carecontact

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"time"
)

// Driven is the one driver contract: a component whose state changes with
// time (offers that time out, callback windows that fall due, holds that
// expire) tells when it next has work and does that work when told. It
// never starts a goroutine or a timer itself. Routing's dispatcher,
// booking's booker, callback's service and the front door implement it; the
// Driver below runs any set of them on a real clock, and the simulation
// runs the same parts in virtual time.
type Driven interface {
	// NextDeadline returns the earliest time at which Advance has work; ok
	// is false when nothing is scheduled.
	NextDeadline(ctx context.Context) (next time.Time, ok bool, err error)
	// Advance makes every transition that is due at the component's
	// clock's current time.
	Advance(ctx context.Context) error
}

// Waker is implemented by a Driven part that can learn of an earlier
// deadline between two calls to Advance (a new offer, say). The Driver
// wakes when the channel receives.
type Waker interface {
	Wake() <-chan struct{}
}

// WaitFunc blocks until the clock reaches until (when ok), wake receives,
// or ctx is done, in which case it returns ctx.Err().
type WaitFunc func(ctx context.Context, until time.Time, ok bool, wake []<-chan struct{}) error

// DriverConfig configures a Driver.
type DriverConfig struct {
	// Parts are the components to drive, advanced in this order. Required.
	Parts []Driven
	// Clock tells the time. Defaults to SystemClock().
	Clock Clock
	// Wait waits for the next deadline. Defaults to a real timer measured
	// against Clock.
	Wait WaitFunc
	// MaxWait is the longest the driver waits without advancing, so that
	// changes another replica made through a shared store are seen.
	// Defaults to DefaultMaxWait.
	MaxWait time.Duration
	// MinBackoff is the delay before a part that failed is advanced again;
	// it doubles on each further failure up to MaxBackoff and resets on
	// success. Defaults to DefaultMinBackoff.
	MinBackoff time.Duration
	// MaxBackoff caps the delay between retries of a failing part.
	// Defaults to DefaultMaxBackoff.
	MaxBackoff time.Duration
	// OnError is called with the index of the part in Parts and its error
	// each time a part fails. Defaults to nothing.
	OnError func(part int, err error)
	// Logger receives a warning for each failure, without personal data
	// (errors of this library carry none). Defaults to no logging.
	Logger *slog.Logger
}

// Defaults of DriverConfig.
const (
	DefaultMaxWait    = time.Second
	DefaultMinBackoff = 100 * time.Millisecond
	DefaultMaxBackoff = 30 * time.Second
)

// ErrDriver is the sentinel of the driver's own configuration errors.
var ErrDriver = Sentinel(ErrInvalid, "carecontact: driver")

// Driver advances a set of Driven parts on a clock, supervised: a part that
// fails is reported and retried with backoff while the others go on; the
// loop ends only when its context is done. The host starts Run in a
// goroutine of its own; the Driver starts none.
type Driver struct {
	cfg     DriverConfig
	wakes   []<-chan struct{}
	retryAt []time.Time
	backoff []time.Duration
}

// NewDriver checks cfg and returns a Driver.
func NewDriver(cfg DriverConfig) (*Driver, error) {
	if len(cfg.Parts) == 0 {
		return nil, Invalid(ErrDriver, "parts", "no part to drive")
	}
	for i, p := range cfg.Parts {
		if p == nil || (reflect.ValueOf(p).Kind() == reflect.Pointer && reflect.ValueOf(p).IsNil()) {
			return nil, Invalid(ErrDriver, fmt.Sprintf("parts[%d]", i), "is nil")
		}
	}
	for _, f := range []struct {
		name string
		d    time.Duration
	}{{"maxWait", cfg.MaxWait}, {"minBackoff", cfg.MinBackoff}, {"maxBackoff", cfg.MaxBackoff}} {
		if f.d < 0 {
			return nil, Invalid(ErrDriver, f.name, "negative duration")
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock()
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	if cfg.MinBackoff == 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff == 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		return nil, Invalid(ErrDriver, "maxBackoff", "shorter than minBackoff")
	}
	if cfg.Wait == nil {
		cfg.Wait = SleepUntil(cfg.Clock)
	}
	d := &Driver{cfg: cfg, retryAt: make([]time.Time, len(cfg.Parts)), backoff: make([]time.Duration, len(cfg.Parts))}
	for _, p := range cfg.Parts {
		if w, ok := p.(Waker); ok {
			d.wakes = append(d.wakes, w.Wake())
		}
	}
	return d, nil
}

// Step advances every part that is due (and not backing off after a
// failure) and returns the time the driver should next wake: the earliest
// deadline, retry or MaxWait from now. It returns an error only when ctx is
// done; parts' errors are reported through OnError and Logger.
func (d *Driver) Step(ctx context.Context) (time.Time, error) {
	now := d.cfg.Clock.Now()
	next := now.Add(d.cfg.MaxWait)
	for i, p := range d.cfg.Parts {
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		if now.Before(d.retryAt[i]) {
			next = earliest(next, d.retryAt[i])
			continue
		}
		err := p.Advance(ctx)
		var t time.Time
		var ok bool
		if err == nil {
			t, ok, err = p.NextDeadline(ctx)
		}
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
				return time.Time{}, ctxErr
			}
			d.fail(i, now, err)
			next = earliest(next, d.retryAt[i])
			continue
		}
		d.backoff[i] = 0
		if ok {
			next = earliest(next, t)
		}
	}
	return next, nil
}

func (d *Driver) fail(i int, now time.Time, err error) {
	b := d.backoff[i] * 2
	if b == 0 {
		b = d.cfg.MinBackoff
	}
	b = min(b, d.cfg.MaxBackoff)
	d.backoff[i] = b
	d.retryAt[i] = now.Add(b)
	if d.cfg.OnError != nil {
		d.cfg.OnError(i, err)
	}
	if d.cfg.Logger != nil {
		d.cfg.Logger.Warn("carecontact: driven part failed; retrying",
			slog.Int("part", i), slog.String("type", fmt.Sprintf("%T", d.cfg.Parts[i])),
			slog.String("error", err.Error()), slog.Duration("retry_in", b))
	}
}

// Run steps and waits until ctx is done, and returns ctx.Err().
func (d *Driver) Run(ctx context.Context) error {
	for {
		next, err := d.Step(ctx)
		if err != nil {
			return err
		}
		if err := d.cfg.Wait(ctx, next, true, d.wakes); err != nil {
			return err
		}
	}
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// SleepUntil returns the WaitFunc a host uses with a real clock: it waits in
// a timer for until as measured by clock, or until woken or cancelled.
func SleepUntil(clock Clock) WaitFunc {
	return func(ctx context.Context, until time.Time, ok bool, wake []<-chan struct{}) error {
		cases := make([]reflect.SelectCase, 0, len(wake)+2)
		cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())})
		if ok {
			t := time.NewTimer(until.Sub(clock.Now()))
			defer t.Stop()
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(t.C)})
		}
		for _, w := range wake {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(w)})
		}
		if chosen, _, _ := reflect.Select(cases); chosen == 0 {
			return ctx.Err()
		}
		return nil
	}
}
