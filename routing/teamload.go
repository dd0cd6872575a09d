package routing

import (
	"fmt"
	"math"

	"github.com/carecontact/carecontact"
)

// TeamLoad is the live load of a team's synchronous work (calls, callbacks,
// video and in-person contacts), as the dispatcher sees it now.
type TeamLoad struct {
	// Waiting is the team's share of the synchronous items queued where its
	// members may be offered them. Each step queue a member is a candidate
	// of counts its queued items times the team's share of the step's
	// signed-in candidates, so a queue the team serves alone counts whole
	// and a central queue counts in part. The sum is rounded up.
	Waiting int
	// SignedIn counts the team's members whose presence is not away.
	SignedIn int
	// Free counts the members who can be offered a synchronous item now:
	// available, not wrapping up, with synchronous capacity left.
	Free int
	// Busy counts the members who are available and take synchronous work
	// but cannot be offered it now: their synchronous capacity is in use
	// or they are wrapping up.
	Busy int
}

// TeamLoad returns the live load of team's synchronous work, or
// ErrUnknownTeam. It reads the dispatcher's in-memory view, not the
// store, and changes nothing; its cost grows with the team's members and
// the steps they are candidates of, not with the queued items.
func (d *Dispatcher) TeamLoad(team carecontact.TeamID) (TeamLoad, error) {
	ti, ok := d.dir.teamIdx[team]
	if !ok {
		return TeamLoad{}, fmt.Errorf("%w: %s", ErrUnknownTeam, quoteID(string(team)))
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var tl TeamLoad
	// share counts, per synchronous pool, the team's signed-in members in it.
	share := map[*pool]int{}
	for _, i := range d.dir.teamMembers[ti] {
		p := d.profs[i]
		if p.st.Presence == PresenceAway {
			continue
		}
		tl.SignedIn++
		switch {
		case p.st.CanTake(SlotSynchronous):
			tl.Free++
		case p.st.Presence == PresenceAvailable && p.st.Capacity.Synchronous > 0:
			tl.Busy++
		}
		for _, m := range p.mem[SlotSynchronous] {
			share[m.pool]++
		}
	}
	var waiting float64
	for pl, n := range share {
		if q := pl.queue.len(); q > 0 && pl.signedIn > 0 {
			waiting += float64(q) * float64(n) / float64(pl.signedIn)
		}
	}
	// The small epsilon keeps float error from rounding a whole count up.
	tl.Waiting = int(math.Ceil(waiting - 1e-9))
	return tl, nil
}
