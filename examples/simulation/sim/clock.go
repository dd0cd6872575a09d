package sim

import "time"

// Clock is the virtual clock of a simulation. It satisfies carecontact.Clock,
// so every library component the simulation drives reads the virtual time
// through it. Only the owner of the clock (normally a Loop) moves it.
//
// A Clock keeps the elapsed virtual time as a time.Duration since its epoch,
// and the time.Time it stands for: Set computes it once per move, and Now,
// which the components a simulation drives call several times per move,
// only reads it.
type Clock struct {
	epoch   time.Time
	elapsed time.Duration
	now     time.Time // epoch + elapsed
}

// NewClock returns a clock standing at epoch (stored in UTC).
func NewClock(epoch time.Time) *Clock {
	e := epoch.UTC()
	return &Clock{epoch: e, now: e}
}

// Now returns the current virtual time.
func (c *Clock) Now() time.Time { return c.now }

// Epoch returns the time the clock started at.
func (c *Clock) Epoch() time.Time { return c.epoch }

// Elapsed returns the virtual time elapsed since the epoch.
func (c *Clock) Elapsed() time.Duration { return c.elapsed }

// At converts an elapsed virtual time to a wall-clock time.Time.
func (c *Clock) At(elapsed time.Duration) time.Time { return c.epoch.Add(elapsed) }

// Set moves the clock to elapsed. A clock never runs backwards: an earlier
// value is ignored and Set reports false.
func (c *Clock) Set(elapsed time.Duration) bool {
	if elapsed < c.elapsed {
		return false
	}
	if elapsed != c.elapsed {
		c.elapsed = elapsed
		c.now = c.epoch.Add(elapsed)
	}
	return true
}
