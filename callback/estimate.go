package callback

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// InboundLoad is the live load of a team's inbound (synchronous) work:
// calls, callbacks being made, video and in-person contacts.
type InboundLoad struct {
	// Waiting is the number of contacts queued for the team's
	// professionals.
	Waiting int
	// Free is the number of the team's professionals who can take a
	// contact now.
	Free int
	// Busy is the number of the team's professionals on a contact (or
	// wrapping one up) who take the next one when done. Professionals
	// signed out or busy with other work count in neither.
	Busy int
}

// Load tells the live load of a team's inbound work.
// frontdoor.RoutingLoad reads it from a routing dispatcher.
type Load interface {
	InboundLoad(ctx context.Context, team carecontact.TeamID) (InboundLoad, error)
}

// Estimate is what a client can be told before asking for a callback or
// while waiting in an inbound queue.
type Estimate struct {
	// Window is the window a new callback request for the errand would be
	// promised now by the team, zero when the team has no room today.
	Window Window
	// CallbackWait is Window.Start - now (zero when Window is zero).
	CallbackWait time.Duration
	// InboundWait is the expected wait of an inbound call joining the
	// team's queue now (see Planner.Estimate for the formula). InboundOK
	// is false when no estimate can be made: nobody of the team is at
	// work on inbound contacts and today's callback capacity runs out
	// first (or there is none).
	InboundWait time.Duration
	InboundOK   bool
	// Due is the number of callbacks waiting for a professional.
	Due int
}

// Estimate returns the expected waits at team at the clock's now. It
// changes nothing.
//
// The inbound wait is the later of two figures. The first is the callback
// work ahead (the due callbacks' handling times and the time left of the
// callbacks in progress) worked off by the team's professionals on
// callback duty today; it is made on working days only. The second is
// made from Config.Load, when set, with the team's live load of W waiting
// contacts, F free and B busy professionals:
//
//   - F > W: a professional is left free once the queue is offered, so the
//     wait is zero, whatever the first figure;
//   - F+B > 0: (W-F+1) * DefaultHandling / (F+B), the contacts not taken
//     at once, and the new one, shared among the professionals at work;
//   - else there is no second figure.
//
// InboundOK is true when either figure exists.
func (s *Planner) Estimate(ctx context.Context, team carecontact.TeamID, errand channel.Errand) (Estimate, error) {
	now := s.now()
	if team == "" {
		return Estimate{}, carecontact.Invalid(ErrInvalidRequest, "team", "is empty")
	}
	// The load is read before the lock: its source has locks of its own.
	live, liveOK, err := s.liveWait(ctx, team)
	if err != nil {
		return Estimate{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.newPlanner(ctx, now, map[carecontact.TeamID][]Record{}, nil) // reserves nothing
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
	switch {
	case !liveOK:
	case live == 0:
		est.InboundWait, est.InboundOK = 0, true
	case !est.InboundOK || live > est.InboundWait:
		est.InboundWait, est.InboundOK = live, true
	}
	return est, nil
}

// liveWait is the inbound wait at team from Config.Load (see Estimate);
// ok is false when there is no Load or nobody of the team is at work.
func (s *Planner) liveWait(ctx context.Context, team carecontact.TeamID) (time.Duration, bool, error) {
	if s.cfg.Load == nil {
		return 0, false, nil
	}
	l, err := s.cfg.Load.InboundLoad(ctx, team)
	if err != nil {
		return 0, false, fmt.Errorf("callback: estimate: load of %s: %w", team, err)
	}
	l.Waiting, l.Free, l.Busy = max(l.Waiting, 0), max(l.Free, 0), max(l.Busy, 0)
	switch working := l.Free + l.Busy; {
	case l.Free > l.Waiting:
		return 0, true, nil
	case working > 0:
		ahead := time.Duration(l.Waiting - l.Free + 1)
		return (ahead * s.cfg.DefaultHandling / time.Duration(working)).Round(time.Second), true, nil
	}
	return 0, false, nil
}
