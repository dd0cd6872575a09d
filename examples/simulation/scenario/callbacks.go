package scenario

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
)

// callbackConfig is the callback planner's configuration: the scenario's
// service levels, with the streams' mean handling times as the expected
// handling per errand. The door routes requests with its directory (own
// team, then the policy's overflow steps) and reads the teams' callback
// rosters as capacity (rosterCapacity).
func (m *model) callbackConfig() callback.Config {
	cfg := m.s.cb
	cfg.Handling = map[channel.Errand]time.Duration{}
	var sum time.Duration
	for _, st := range m.streams {
		mean := st.handling.Mean()
		sum += mean
		if _, ok := cfg.Handling[st.errand]; !ok || st.kind == channel.InboundPhone {
			cfg.Handling[st.errand] = mean
		}
	}
	cfg.DefaultHandling = sum / time.Duration(len(m.streams))
	return cfg
}

// rosterCapacity is the callback capacity of the scenario's teams: the
// professionals on callback duty (callback_roster, or the whole roster)
// in each hour of the local day, on the day's roster type.
type rosterCapacity struct{ m *model }

// CallbackCapacity implements callback.Capacity.
func (c rosterCapacity) CallbackCapacity(_ context.Context, team carecontact.TeamID, dayStart time.Time) ([]callback.Interval, error) {
	ti, ok := c.m.teamIdx[string(team)]
	if !ok {
		return nil, nil
	}
	t := &c.m.s.Teams[ti]
	r := t.Roster
	if t.CallbackRoster != nil {
		r = *t.CallbackRoster
	}
	l := dayStart.In(helsinki)
	end := time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, helsinki)
	var out []callback.Interval
	// Hour by hour in absolute time: 23 hours on the March DST day, 25 in
	// October, each read on the roster by its local hour.
	for at := dayStart; at.Before(end); at = at.Add(time.Hour) {
		n := rosterAt(r, hour{local: at.In(helsinki).Hour(), dayType: c.m.cal.dayType(at)})
		to := at.Add(time.Hour)
		if to.After(end) {
			to = end
		}
		switch {
		case n == 0:
		case len(out) > 0 && out[len(out)-1].End.Equal(at) && out[len(out)-1].Professionals == n:
			out[len(out)-1].End = to.UTC()
		default:
			out = append(out, callback.Interval{Start: at.UTC(), End: to.UTC(), Professionals: n})
		}
	}
	return out, nil
}
