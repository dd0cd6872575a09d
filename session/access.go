package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// access is the kind of right an operation needs.
type access int

const (
	// accessRead: read the session. Involved professionals, the client
	// themselves, the system.
	accessRead access = iota
	// accessInvolved: notes and checklist marks. Involved professionals
	// and the system.
	accessInvolved
	// accessAssign: take a session (a team member for themselves) or give
	// it (supervisor, system).
	accessAssign
	// accessHandle: run the contact (legs, escalation, invitations,
	// transfer, identification, wrap-up, close). The assignee, a
	// supervisor, the system.
	accessHandle
	// accessLeave: a participant leaves; the participant themselves or
	// whoever may handle the session.
	accessLeave
)

// professionalOf is the professional ID of a professional actor, and
// clientOf the client reference of a client actor: audit keeps the ID as a
// string, and these are the only places it is converted.
func professionalOf(actor audit.Actor) carecontact.ProfessionalID {
	return carecontact.ProfessionalID(actor.ID)
}

func clientOf(actor audit.Actor) carecontact.ClientRef { return carecontact.ClientRef(actor.ID) }

// authorize decides whether actor may act on s. The target is the
// professional an operation concerns (assign, leave). It returns the reason
// for a denial; err only when the team directory fails.
func (m *Manager) authorize(ctx context.Context, actor audit.Actor, s *Session, acc access, target carecontact.ProfessionalID) (reason string, ok bool, err error) {
	switch actor.Kind {
	case audit.ActorSystem:
		return "", true, nil
	case audit.ActorClient:
		if acc == accessRead && clientOf(actor) == s.Client {
			return "", true, nil
		}
		if clientOf(actor) != s.Client {
			return "not the session's client", false, nil
		}
		return "clients may only read their session", false, nil
	case audit.ActorProfessional:
	default:
		return "unknown actor kind", false, nil
	}
	me := professionalOf(actor)
	supervisor, err := m.supervises(ctx, actor, s.Team)
	if err != nil {
		return "", false, err
	}
	assigned := s.Assignee != "" && me == s.Assignee
	if supervisor || assigned {
		return "", true, nil
	}
	switch acc {
	case accessHandle:
		return "only the assigned professional or a supervisor may handle the session", false, nil
	case accessLeave:
		if me == target && s.Present(target) {
			return "", true, nil
		}
		return "only the participant, the assigned professional or a supervisor may end a participation", false, nil
	case accessRead, accessInvolved:
		if s.Present(me) {
			return "", true, nil
		}
	case accessAssign:
		if target != me {
			return "only a supervisor or the system may assign another professional", false, nil
		}
	}
	member, err := m.cfg.Teams.IsMember(ctx, s.Team, me)
	if err != nil {
		return "", false, fmt.Errorf("session: team directory: %w", err)
	}
	if member {
		return "", true, nil
	}
	return "not assigned, invited, a member of the owning team or a supervisor", false, nil
}

// supervises reports whether the staff directory grants the professional
// actor the supervisor role over team. The actor's own Role is a claim
// and counts for nothing.
func (m *Manager) supervises(ctx context.Context, actor audit.Actor, team carecontact.TeamID) (bool, error) {
	if actor.Kind != audit.ActorProfessional {
		return false, nil
	}
	me, err := m.cfg.Staff.Member(ctx, professionalOf(actor))
	if errors.Is(err, carecontact.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("session: staff directory: %w", err)
	}
	area, err := m.cfg.Staff.TeamArea(ctx, team)
	if err != nil && !errors.Is(err, carecontact.ErrNotFound) {
		return false, fmt.Errorf("session: staff directory: %w", err)
	}
	return me.Holds(m.cfg.SupervisorRole, carecontact.Place{Team: team, Area: area}), nil
}

// mayOpen decides whether actor may open s.
func (m *Manager) mayOpen(ctx context.Context, actor audit.Actor, s *Session) (reason string, ok bool, err error) {
	switch {
	case actor.Kind == audit.ActorSystem:
		return "", true, nil
	case actor.Kind == audit.ActorClient:
		if clientOf(actor) == s.Client {
			return "", true, nil
		}
		return "a client may open only their own session", false, nil
	case actor.Kind == audit.ActorProfessional:
		if sup, err := m.supervises(ctx, actor, s.Team); err != nil || sup {
			return "", sup, err
		}
		member, err := m.cfg.Teams.IsMember(ctx, s.Team, professionalOf(actor))
		if err != nil {
			return "", false, fmt.Errorf("session: team directory: %w", err)
		}
		if member {
			return "", true, nil
		}
		return "not a member of the owning team", false, nil
	}
	return "unknown actor kind", false, nil
}

// deny records a denied attempt and returns the typed error. A failure to
// record the denial is returned alongside, so it is never silent.
func (m *Manager) deny(ctx context.Context, actor audit.Actor, action string, s *Session, now time.Time, reason string) error {
	aerr := &AccessError{Actor: actor.String(), Action: action, Session: s.ID, Reason: reason}
	ev := event(actor, action, s, now, audit.Denied, map[string]string{"reason": reason})
	if err := m.cfg.Audit.Record(ctx, ev); err != nil {
		return fmt.Errorf("%w (recording the denial failed: %v)", aerr, err)
	}
	return aerr
}
