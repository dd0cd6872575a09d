// Leadership: a replicated dispatcher with DispatcherConfig.Leader makes
// time-driven decisions and offers only while its replica leads, each
// under the term's fence, and takes over from the store when it becomes
// the leader.

package routing

import (
	"context"
	"errors"
	"time"
)

// leads reports whether this dispatcher may make decisions now: always
// without a Leader, else while its last check found it leading.
func (d *Dispatcher) leads() bool { return d.leader == nil || d.leading }

// checkLead asks the Leader whether this replica leads. On becoming the
// leader (or starting a new term) it rebuilds its view from the store and
// handles every deadline that passed before now at now: the old leader's
// offers still open stay open until their deadline, those past it time
// out now and are offered again with a deadline from now.
func (d *Dispatcher) checkLead(ctx context.Context, now time.Time) (took bool, err error) {
	if d.leader == nil {
		return false, nil
	}
	f, ok := d.leader.Leading()
	switch {
	case !ok:
		d.leading = false
		return false, nil
	case d.leading && f == d.fence:
		return false, nil
	}
	d.leading, d.fence, d.leadSince = true, f, now
	if err := d.refreshLocked(ctx, now); err != nil {
		// Take over again, from a whole view, at the next call.
		d.leading = false
		return true, err
	}
	return true, nil
}

// decide marks the start of a leader decision: the changes written until
// the returned function runs carry the term's fence.
func (d *Dispatcher) decide() func() {
	was := d.deciding
	d.deciding = true
	return func() { d.deciding = was }
}

// fenced fills in c's fence when c is a leader decision.
func (d *Dispatcher) fenced(c *Change) {
	if d.deciding && d.leader != nil {
		c.Fence = d.fence
	}
}

// lostLead handles a store's refusal of a decision: this replica no longer
// leads, so it stops deciding until its Leader says otherwise.
func (d *Dispatcher) lostLead(err error) bool {
	if d.leader == nil || !errors.Is(err, ErrNotLeader) {
		return false
	}
	d.leading = false
	return true
}

// decisionAt is when a deadline t is handled: at t, or for a deadline
// that passed before this replica took the lead, at the takeover.
func (d *Dispatcher) decisionAt(t time.Time) time.Time {
	if d.leader != nil {
		return maxTime(t, d.leadSince)
	}
	return t
}

// Leading reports whether the dispatcher makes decisions: true without a
// Leader, else whether it found its replica leading when it last checked
// (at its last operation or Advance).
func (d *Dispatcher) Leading() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.leads()
}
