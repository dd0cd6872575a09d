package callback

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Estimate is what a client can be told before asking for a callback or
// while waiting in an inbound queue.
type Estimate struct {
	// Window is the window a new callback request for the errand would be
	// promised now by the team, zero when the team has no room today.
	Window Window
	// CallbackWait is Window.Start - now (zero when Window is zero).
	CallbackWait time.Duration
	// InboundWait is the expected wait of an inbound call joining the
	// team's queue now: the due callbacks and the calls in progress worked
	// off by the professionals on duty. InboundOK is false when today's
	// capacity runs out first.
	InboundWait time.Duration
	InboundOK   bool
	// Due is the number of callbacks waiting for a professional.
	Due int
}

// Estimate returns the expected waits at team at the clock's now. It
// changes nothing.
func (s *Planner) Estimate(ctx context.Context, team carecontact.TeamID, errand channel.Errand) (Estimate, error) {
	now := s.now()
	if team == "" {
		return Estimate{}, fmt.Errorf("%w: team is empty", ErrInvalidRequest)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.newPlanner(ctx, now, map[carecontact.TeamID][]Record{})
	today := localDay(now)
	var est Estimate
	if isWorkday(s.cfg.Workdays, today) {
		dp, err := p.plan(team, today)
		if err != nil {
			return Estimate{}, err
		}
		if w, ok := dp.find(now, at(today, s.cfg.DayEnd), s.cfg.handling(errand)); ok {
			est.Window, est.CallbackWait = w, w.Start.Sub(now)
		}
		recs, err := p.records(team)
		if err != nil {
			return Estimate{}, err
		}
		var work time.Duration
		for _, r := range recs {
			switch r.State {
			case StateInCall:
				work += s.busyLeft(r, now)
			case StateDue:
				work += r.Handling
				est.Due++
			}
		}
		// The inbound call is answered once the work ahead is done and a
		// professional is on duty (a nanosecond of work finds the latter).
		if end, ok := advance(dp.ivals, now, work+time.Nanosecond); ok {
			est.InboundWait, est.InboundOK = end.Sub(now).Round(time.Second), true
		}
	}
	return est, nil
}
