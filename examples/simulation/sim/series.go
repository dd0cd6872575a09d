package sim

import "time"

// Level tracks a piecewise-constant quantity over virtual time (a queue
// length, the number of busy professionals) and its time average in fixed
// bins, for plots such as "queue length over the day". Memory is one number
// per bin; time past the last bin is accumulated in the last one.
type Level struct {
	width time.Duration
	area  []float64 // level × nanoseconds per bin
	last  time.Duration
	level float64
	total float64
}

// NewLevel returns a tracker of bins bins of the given width, starting at
// elapsed time 0 with level 0.
func NewLevel(width time.Duration, bins int) *Level {
	return &Level{width: max(width, 1), area: make([]float64, max(bins, 1))}
}

// Set records that the quantity changes to v at elapsed time now. Calls
// must come in non-decreasing time order; an earlier time is treated as the
// last one.
func (l *Level) Set(now time.Duration, v float64) {
	l.advance(now)
	l.level = v
}

// Add changes the quantity by dv at elapsed time now.
func (l *Level) Add(now time.Duration, dv float64) { l.Set(now, l.level+dv) }

// Value returns the current value.
func (l *Level) Value() float64 { return l.level }

func (l *Level) advance(now time.Duration) {
	for l.last < now {
		i := int(l.last / l.width)
		end := now
		if i < len(l.area)-1 {
			end = min(now, time.Duration(i+1)*l.width)
		} else {
			i = len(l.area) - 1
		}
		a := l.level * float64(end-l.last)
		l.area[i] += a
		l.total += a
		l.last = end
	}
}

// Close integrates up to elapsed time end; call it once at the end of a run
// before reading the means.
func (l *Level) Close(end time.Duration) { l.advance(end) }

// Bins returns the number of bins.
func (l *Level) Bins() int { return len(l.area) }

// BinMean returns the time-average level in bin i.
func (l *Level) BinMean(i int) float64 {
	if i < 0 || i >= len(l.area) {
		return 0
	}
	return l.area[i] / float64(l.width)
}

// Mean returns the time-average level from 0 to the last recorded time.
func (l *Level) Mean() float64 {
	if l.last == 0 {
		return l.level
	}
	return l.total / float64(l.last)
}
