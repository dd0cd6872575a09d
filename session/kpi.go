package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// KPIs are the outcome indicators of closed sessions.
type KPIs struct {
	// Closed counts the closed sessions considered; Handled those in which
	// a contact with the client actually happened: at least one leg, and
	// an outcome other than no answer or merged as a duplicate (calls that
	// did not reach the client still count in HandlingTime).
	Closed  int `json:"closed"`
	Handled int `json:"handled"`
	// Outcomes counts closed sessions per outcome.
	Outcomes map[Outcome]int `json:"outcomes"`
	// FirstContactResolved counts handled sessions resolved without a
	// transfer to another team; FirstContactResolution is their share of
	// Handled.
	FirstContactResolved   int     `json:"first_contact_resolved"`
	FirstContactResolution float64 `json:"first_contact_resolution"`
	// OwnProfessional counts handled sessions whose client has an own
	// professional (WithOwnProfessional) and whose last leg that
	// professional ran; OwnTeam likewise for the owning team at closing.
	WithOwnProfessional    int     `json:"with_own_professional"`
	OwnProfessional        int     `json:"own_professional"`
	ProfessionalContinuity float64 `json:"professional_continuity"`
	WithOwnTeam            int     `json:"with_own_team"`
	OwnTeam                int     `json:"own_team"`
	TeamContinuity         float64 `json:"team_continuity"`
	// ChannelSwitches counts legs in another channel than the leg before
	// them, over handled sessions (a retried callback is no switch);
	// Switches counts them per "from->to" pair.
	ChannelSwitches    int            `json:"channel_switches"`
	SwitchesPerSession float64        `json:"switches_per_session"`
	Switches           map[string]int `json:"switches"`
	// Duplicates counts closed sessions that duplicated another contact
	// (admitted as a duplicate or closed as merged); DuplicateRate is their
	// share of Closed.
	Duplicates    int     `json:"duplicates"`
	DuplicateRate float64 `json:"duplicate_rate"`
	// HandlingTime is the time spent in legs, per channel.
	HandlingTime map[channel.Kind]ChannelTime `json:"handling_time"`
}

// ChannelTime is the handling time in one channel.
type ChannelTime struct {
	Legs  int           `json:"legs"`
	Total time.Duration `json:"total"`
	Mean  time.Duration `json:"mean"`
}

func share(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) / float64(of)
}

// Compute returns the KPIs of the closed sessions among sessions (others
// are ignored). It is a pure function.
func Compute(sessions []Session) KPIs {
	k := KPIs{Outcomes: map[Outcome]int{}, Switches: map[string]int{}, HandlingTime: map[channel.Kind]ChannelTime{}}
	for _, s := range sessions {
		if s.State != StateClosed {
			continue
		}
		k.Closed++
		k.Outcomes[s.Outcome]++
		if s.Duplicate || s.Outcome == OutcomeDuplicateMerged {
			k.Duplicates++
		}
		for _, l := range s.Legs {
			ct := k.HandlingTime[l.Kind]
			ct.Legs++
			ct.Total += l.Duration(s.ClosedAt)
			k.HandlingTime[l.Kind] = ct
		}
		if len(s.Legs) == 0 || closableWithoutContact(s.Outcome) {
			continue
		}
		k.Handled++
		if s.Outcome == OutcomeResolved && len(s.Transfers) == 0 {
			k.FirstContactResolved++
		}
		last := s.Legs[len(s.Legs)-1]
		if s.OwnProfessional != "" {
			k.WithOwnProfessional++
			if last.By == s.OwnProfessional {
				k.OwnProfessional++
			}
		}
		if s.OwnTeam != "" {
			k.WithOwnTeam++
			if s.Team == s.OwnTeam {
				k.OwnTeam++
			}
		}
		for i, l := range s.Legs {
			if i > 0 && s.Legs[i-1].Kind != l.Kind {
				k.ChannelSwitches++
				k.Switches[string(s.Legs[i-1].Kind)+"->"+string(l.Kind)]++
			}
		}
	}
	for kind, ct := range k.HandlingTime {
		ct.Mean = ct.Total / time.Duration(ct.Legs)
		k.HandlingTime[kind] = ct
	}
	k.FirstContactResolution = share(k.FirstContactResolved, k.Handled)
	k.ProfessionalContinuity = share(k.OwnProfessional, k.WithOwnProfessional)
	k.TeamContinuity = share(k.OwnTeam, k.WithOwnTeam)
	k.SwitchesPerSession = share(k.ChannelSwitches, k.Handled)
	k.DuplicateRate = share(k.Duplicates, k.Closed)
	return k
}

// Report computes the KPIs of the sessions closed in [since, until). It
// reads many clients' sessions, so only the system or a supervisor may run
// it, and a supervisor's report holds the sessions of the teams their
// grant reaches (their team, their area or every area; see Config.Staff).
// The read is audited "session.report" (denials too). An until before
// since is an ErrInvalid *carecontact.FieldError naming "until".
func (m *Manager) Report(ctx context.Context, actor audit.Actor, since, until time.Time) (KPIs, error) {
	if !until.IsZero() && until.Before(since) {
		return KPIs{}, invalid("until", "is before since")
	}
	if err := actor.Validate(); err != nil {
		return KPIs{}, fmt.Errorf("session: report: actor: %w", err)
	}
	now := m.now()
	ev := audit.Event{At: now, Actor: actor, Action: "session.report", Subject: "sessions", Detail: map[string]string{}}
	for k, t := range map[string]time.Time{"since": since, "until": until} {
		if !t.IsZero() {
			ev.Detail[k] = t.UTC().Format(time.RFC3339)
		}
	}
	var member carecontact.StaffMember
	staffErr := errors.New("not in the staff directory")
	if actor.Kind == audit.ActorProfessional {
		member, staffErr = m.cfg.Staff.Member(ctx, professionalOf(actor))
		if staffErr != nil && !errors.Is(staffErr, carecontact.ErrNotFound) {
			return KPIs{}, fmt.Errorf("session: report: staff directory: %w", staffErr)
		}
	}
	supervisor := staffErr == nil && slices.ContainsFunc(member.Grants, func(g carecontact.Grant) bool { return g.Role == m.cfg.SupervisorRole })
	if actor.Kind != audit.ActorSystem && !supervisor {
		ev.Outcome = audit.Denied
		ev.Detail["reason"] = "only a supervisor or the system may report"
		aerr := &AccessError{Actor: actor.String(), Action: ev.Action, Session: "*", Reason: ev.Detail["reason"]}
		if err := m.cfg.Audit.Record(ctx, ev); err != nil {
			return KPIs{}, fmt.Errorf("%w (recording the denial failed: %v)", aerr, err)
		}
		return KPIs{}, aerr
	}
	list, err := m.cfg.Store.List(ctx, Filter{ClosedSince: since, ClosedUntil: until})
	if err != nil {
		return KPIs{}, fmt.Errorf("session: report: %w", err)
	}
	if actor.Kind != audit.ActorSystem {
		areas := map[carecontact.TeamID]carecontact.AreaID{}
		list = slices.DeleteFunc(list, func(s Session) bool {
			area, ok := areas[s.Team]
			if !ok {
				area, _ = m.cfg.Staff.TeamArea(ctx, s.Team) // an unknown team is in no area
				areas[s.Team] = area
			}
			return !member.Holds(m.cfg.SupervisorRole, carecontact.Place{Team: s.Team, Area: area})
		})
	}
	ev.Outcome = audit.Allowed
	ev.Detail["sessions"] = fmt.Sprint(len(list))
	if err := m.cfg.Audit.Record(ctx, ev); err != nil {
		return KPIs{}, fmt.Errorf("session: report: audit: %w", err)
	}
	return Compute(list), nil
}
