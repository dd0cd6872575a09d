package carecontact

import "time"

// Clock tells the current time. Every component of the library that needs
// the time is given a Clock; none reads the wall clock itself.
//
// github.com/benbjohnson/clock's Clock and Mock satisfy this interface, so
// tests and simulations can drive time explicitly. Implementations may return
// times in any location; the library stores times in UTC.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts an ordinary function to the Clock interface.
type ClockFunc func() time.Time

// Now returns f().
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock returns the Clock a production host normally passes: the
// operating system's wall clock, in UTC.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now().UTC() }
