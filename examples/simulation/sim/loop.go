package sim

import "time"

// Loop is a discrete-event loop in virtual time: a binary heap of pending
// events of type E ordered by due time, ties broken by scheduling order, so a
// run is deterministic. Popping an event moves the Clock to its due time.
//
// The loop never sleeps and starts no goroutines: the caller pops events
// with Next and handles them, typically with a switch on a small event
// struct, which keeps the hot path free of allocations and indirect calls.
// Cancelling an event is left to the handler (lazy deletion: keep a
// generation number in the event and ignore stale ones).
type Loop[E any] struct {
	clock *Clock
	heap  []entry[E]
	seq   uint64
}

type entry[E any] struct {
	at  time.Duration
	seq uint64
	ev  E
}

// NewLoop returns an empty loop driving clock.
func NewLoop[E any](clock *Clock) *Loop[E] {
	return &Loop[E]{clock: clock}
}

// Clock returns the virtual clock the loop drives.
func (l *Loop[E]) Clock() *Clock { return l.clock }

// Now returns the elapsed virtual time.
func (l *Loop[E]) Now() time.Duration { return l.clock.elapsed }

// Len returns the number of pending events.
func (l *Loop[E]) Len() int { return len(l.heap) }

// At schedules ev at elapsed virtual time at. A time in the past is
// scheduled at the current time (virtual time never runs backwards).
func (l *Loop[E]) At(at time.Duration, ev E) {
	if at < l.clock.elapsed {
		at = l.clock.elapsed
	}
	l.seq++
	l.heap = append(l.heap, entry[E]{at: at, seq: l.seq, ev: ev})
	l.up(len(l.heap) - 1)
}

// After schedules ev d after the current virtual time (d < 0 means now).
func (l *Loop[E]) After(d time.Duration, ev E) { l.At(l.clock.elapsed+d, ev) }

// Peek returns the due time of the earliest pending event.
func (l *Loop[E]) Peek() (time.Duration, bool) {
	if len(l.heap) == 0 {
		return 0, false
	}
	return l.heap[0].at, true
}

// Ticket uses up and returns the place in scheduling order that an event
// scheduled now would take, for an event the caller keeps outside the
// loop: the next of a stream that comes in time order anyway, such as
// arrivals, costs no heap operations there. Before compares it with the
// pending events, ties broken by ticket as At breaks them, so a run is
// the same as with the event scheduled by At.
func (l *Loop[E]) Ticket() uint64 {
	l.seq++
	return l.seq
}

// Before reports whether an event due at elapsed virtual time at, with
// ticket t (see Ticket), comes before every pending event. The caller
// that takes it moves the clock (Clock.Set).
func (l *Loop[E]) Before(at time.Duration, t uint64) bool {
	if len(l.heap) == 0 {
		return true
	}
	top := &l.heap[0]
	return at < top.at || at == top.at && t < top.seq
}

// Next removes the earliest pending event, moves the clock to its due time
// and returns it. It reports false when no event is pending.
func (l *Loop[E]) Next() (E, bool) {
	var zero E
	n := len(l.heap)
	if n == 0 {
		return zero, false
	}
	top := l.heap[0]
	last := n - 1
	l.heap[0] = l.heap[last]
	l.heap[last] = entry[E]{}
	l.heap = l.heap[:last]
	if last > 0 {
		l.down(0)
	}
	l.clock.Set(top.at)
	return top.ev, true
}

func (l *Loop[E]) less(i, j int) bool {
	a, b := &l.heap[i], &l.heap[j]
	if a.at != b.at {
		return a.at < b.at
	}
	return a.seq < b.seq
}

func (l *Loop[E]) up(i int) {
	h := l.heap
	for i > 0 {
		p := (i - 1) / 2
		if !l.less(i, p) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
}

func (l *Loop[E]) down(i int) {
	h := l.heap
	n := len(h)
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if r := c + 1; r < n && l.less(r, c) {
			c = r
		}
		if !l.less(c, i) {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}
