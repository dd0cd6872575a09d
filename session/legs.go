package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// systemActor records what the Manager does on its own (transport failures
// after a change was committed).
var systemActor = audit.System("session")

// precheck loads the session and checks access, recording a denial.
func (m *Manager) precheck(ctx context.Context, actor audit.Actor, id, action string, acc access, target carecontact.ProfessionalID) (Session, error) {
	if err := m.checkActor(ctx, actor, action, id); err != nil {
		return Session{}, err
	}
	s, err := m.load(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if reason, ok, err := m.authorize(ctx, actor, &s, acc, target); err != nil {
		return Session{}, err
	} else if !ok {
		return Session{}, m.deny(ctx, actor, action, &s, m.now(), reason)
	}
	return s, nil
}

// try runs a transport operation, retrying failures marked channel.ErrTransient
// up to TransportAttempts times. There is no sleeping between attempts: the
// library starts no timers; a transport that wants back-off waits inside
// its own call, under ctx.
func (m *Manager) try(ctx context.Context, op string, kind channel.Kind, f func() error) (int, error) {
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil {
			return attempt, nil
		}
		if !errors.Is(err, channel.ErrTransient) || attempt >= m.cfg.TransportAttempts || ctx.Err() != nil {
			return attempt, &TransportError{Op: op, Kind: kind, Attempts: attempt, Err: err}
		}
	}
}

func isPhone(k channel.Kind) bool { return k == channel.Callback || k == channel.InboundPhone }

// opened is the transport side of a new leg.
type opened struct {
	ref      string
	upgraded bool // a phone call moved into the video room
	undo     func()
}

// openLeg does the transport work of a new leg of kind k run by by; from is
// the leg it replaces, nil for a first leg. ref is used where no transport
// creates one.
func (m *Manager) openLeg(ctx context.Context, s *Session, k channel.Kind, by carecontact.ProfessionalID, ref string, from *Leg) (opened, error) {
	t := m.cfg.Transports
	out := opened{ref: ref, undo: func() {}}
	switch {
	case k == channel.Callback && t.Telephony != nil:
		var call string
		if _, err := m.try(ctx, "telephony.place_call", k, func() (err error) {
			call, err = t.Telephony.PlaceCall(ctx, channel.CallRequest{Session: s.ID, Client: s.Client, Professional: by})
			return err
		}); err != nil {
			return opened{}, err
		}
		out.ref = call
		out.undo = func() { m.hangUp(context.WithoutCancel(ctx), call) }
	case k == channel.Video && t.Video != nil:
		var room string
		if _, err := m.try(ctx, "video.create_room", k, func() (err error) {
			room, err = t.Video.CreateRoom(ctx, channel.RoomRequest{Session: s.ID, Host: by})
			return err
		}); err != nil {
			return opened{}, err
		}
		endRoom := func() { _ = t.Video.EndRoom(context.WithoutCancel(ctx), room) }
		if _, err := m.try(ctx, "video.invite", k, func() error {
			return t.Video.Invite(ctx, room, channel.Invitee{Client: s.Client})
		}); err != nil {
			endRoom()
			return opened{}, err
		}
		out.ref, out.undo = room, endRoom
		if up, ok := t.Telephony.(channel.CallUpgrader); ok && from != nil && isPhone(from.Kind) && from.Ref != "" {
			// The client already has the invitation: a failed upgrade
			// leaves them to join by it, so it is not fatal.
			if up.UpgradeToVideo(ctx, from.Ref, room) == nil {
				out.upgraded = true
			}
		}
	}
	return out, nil
}

func (m *Manager) hangUp(ctx context.Context, call string) error {
	if e, ok := m.cfg.Transports.Telephony.(channel.CallEnder); ok && call != "" {
		_, err := m.try(ctx, "telephony.hang_up", channel.Callback, func() error { return e.HangUp(ctx, call) })
		return err
	}
	return nil
}

// closeLeg ends a leg's transport: hang up, end the room, close the chat
// (posting notice first when given).
func (m *Manager) closeLeg(ctx context.Context, l Leg, notice string) error {
	t := m.cfg.Transports
	if l.Ref == "" {
		return nil
	}
	switch {
	case isPhone(l.Kind):
		return m.hangUp(ctx, l.Ref)
	case l.Kind == channel.Video && t.Video != nil:
		_, err := m.try(ctx, "video.end_room", l.Kind, func() error { return t.Video.EndRoom(ctx, l.Ref) })
		return err
	case l.Kind == channel.Chat && t.Chat != nil:
		if notice != "" {
			if _, err := m.try(ctx, "chat.post", l.Kind, func() error {
				return t.Chat.Post(ctx, l.Ref, channel.ChatMessage{From: "system", Text: notice})
			}); err != nil {
				return err
			}
		}
		_, err := m.try(ctx, "chat.close", l.Kind, func() error { return t.Chat.Close(ctx, l.Ref) })
		return err
	}
	return nil
}

// afterCommit ends the transport of a leg that the committed change ended;
// a failure is recorded on the session (by the system) rather than lost.
func (m *Manager) afterCommit(ctx context.Context, s Session, l Leg, notice string) Session {
	err := m.closeLeg(ctx, l, notice)
	if err == nil {
		return s
	}
	var te *TransportError
	f := Failure{Op: "leg.end", Kind: l.Kind, At: m.now()}
	if errors.As(err, &te) {
		f.Attempts, f.Transient = te.Attempts, errors.Is(te.Err, channel.ErrTransient)
	}
	if ns, rerr := m.recordFailure(ctx, systemActor, s.ID, f); rerr == nil {
		return ns
	}
	return s
}

// recordFailure appends a Failure, audited "session.transport_failed".
func (m *Manager) recordFailure(ctx context.Context, actor audit.Actor, id string, f Failure) (Session, error) {
	return m.update(ctx, actor, id, "session.transport_failed", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		s.Failures = append(s.Failures, f)
		d := map[string]string{"op": f.Op, "kind": string(f.Kind), "attempts": fmt.Sprint(f.Attempts),
			"transient": fmt.Sprint(f.Transient)}
		if f.Fallback != "" {
			d["fallback"] = string(f.Fallback)
		}
		return d, nil
	})
}

func (m *Manager) failure(op string, k channel.Kind, err error) Failure {
	f := Failure{Op: op, Kind: k, At: m.now(), Attempts: 1}
	var te *TransportError
	if errors.As(err, &te) {
		f.Attempts, f.Transient = te.Attempts, errors.Is(te.Err, channel.ErrTransient)
	}
	return f
}

// handler is the professional who runs a leg: the acting professional, or
// the assignee when the system acts.
func handler(actor audit.Actor, s *Session) carecontact.ProfessionalID {
	if actor.Kind == audit.ActorProfessional {
		return professionalOf(actor)
	}
	return s.Assignee
}

// StartLeg starts the first (or next, after EndLeg) leg of an assigned
// session in channel kind: assigned -> active, audited "session.leg_start".
// The errand must suit the channel, the client's identification must reach
// the level the matrix asks, and the checklist for ActionStartLeg must be
// done. A callback places the call and a video leg creates a room and
// invites the client through the transports; other channels use ref (the
// inbound call, the chat conversation, the booking). A transport failure
// after retries leaves the session assigned, records a Failure and returns
// a *TransportError.
func (m *Manager) StartLeg(ctx context.Context, actor audit.Actor, id string, kind channel.Kind, ref string) (Session, error) {
	if !kind.Valid() {
		return Session{}, invalid("kind", "is not a known channel")
	}
	check := func(s *Session) error {
		if s.State != StateAssigned {
			return &StateError{Op: "start leg", From: s.State, To: StateActive}
		}
		if err := m.legAllowed(s, kind); err != nil {
			return err
		}
		return m.gate(s, ActionStartLeg, kind)
	}
	pre, err := m.precheck(ctx, actor, id, "session.leg_start", accessHandle, "")
	if err != nil {
		return Session{}, err
	}
	if err := check(&pre); err != nil {
		return Session{}, err
	}
	by := handler(actor, &pre)
	o, err := m.openLeg(ctx, &pre, kind, by, ref, nil)
	if err != nil {
		if _, rerr := m.recordFailure(ctx, actor, id, m.failure(ActionStartLeg, kind, err)); rerr != nil {
			return Session{}, errors.Join(err, rerr)
		}
		return Session{}, err
	}
	s, err := m.update(ctx, actor, id, "session.leg_start", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if err := check(s); err != nil {
			return nil, err
		}
		s.State = StateActive
		s.Legs = append(s.Legs, Leg{Kind: kind, Ref: o.ref, By: by, StartedAt: now})
		return map[string]string{"kind": string(kind), "leg": fmt.Sprint(len(s.Legs) - 1)}, nil
	})
	if err != nil {
		o.undo()
		return Session{}, err
	}
	return s, nil
}

// EscalateRequest asks to switch a running session to another channel.
type EscalateRequest struct {
	To channel.Kind
	// Consent: the client agreed to the switch (asked for by the graph).
	Consent bool
	// Ref is the new leg's reference where no transport creates one
	// (the booking of an in-person visit).
	Ref string
	// Fallback is the channel to switch to instead when To fails in the
	// transport after retries ("" for none): e.g. chat -> video, falling
	// back to a callback.
	Fallback channel.Kind
	// Notice is posted into a chat leg before it closes (the text the
	// client sees; hosts take it from guidance).
	Notice string
}

// Escalate switches the running leg to another channel inside the same
// session (active -> active, audited "session.escalate"): callback -> video,
// chat -> callback, any -> in person. The escalation graph must allow it,
// with the client's consent and identification where the graph asks; the
// errand must suit the target channel at the identification the matrix asks;
// the checklist for ActionEscalate must be done.
//
// The new leg is set up in the transport first (a room created and the
// client invited, a call placed), with retries; only then is the switch
// committed, and the old leg's call hung up (or upgraded into the room) or
// chat closed. When the transport fails for good the session keeps running
// on its current leg, the failure is recorded, and either the Fallback
// channel is tried (a successful fallback returns no error; the Failure
// names the fallback) or a *TransportError is returned. State is never lost.
func (m *Manager) Escalate(ctx context.Context, actor audit.Actor, id string, req EscalateRequest) (Session, error) {
	if !req.To.Valid() {
		return Session{}, invalid("to", "is not a known channel")
	}
	if req.Fallback != "" && !req.Fallback.Valid() {
		return Session{}, invalid("fallback", "is not a known channel")
	}
	check := func(s *Session, to channel.Kind) (Leg, error) {
		cur, _, ok := s.CurrentLeg()
		if s.State != StateActive || !ok {
			return Leg{}, &StateError{Op: "escalate", From: s.State}
		}
		if err := m.cfg.Graph.Check(cur.Kind, to, s.IdentityAt(m.now()), req.Consent); err != nil {
			return Leg{}, fmt.Errorf("session: escalate: %w", err)
		}
		if err := m.legAllowed(s, to); err != nil {
			return Leg{}, err
		}
		return cur, m.gate(s, ActionEscalate, to, ActionStartLeg)
	}
	pre, err := m.precheck(ctx, actor, id, "session.escalate", accessHandle, "")
	if err != nil {
		return Session{}, err
	}
	cur, err := check(&pre, req.To)
	if err != nil {
		return Session{}, err
	}
	by := handler(actor, &pre)
	to := req.To
	o, terr := m.openLeg(ctx, &pre, to, by, req.Ref, &cur)
	var failed *Failure
	if terr != nil {
		f := m.failure(ActionEscalate, req.To, terr)
		failed = &f
		fallbackOK := false
		if req.Fallback != "" {
			if _, ferr := check(&pre, req.Fallback); ferr == nil {
				if fo, ferr := m.openLeg(ctx, &pre, req.Fallback, by, req.Ref, &cur); ferr == nil {
					o, to, fallbackOK = fo, req.Fallback, true
					failed.Fallback = req.Fallback
				}
			}
		}
		if !fallbackOK {
			if _, rerr := m.recordFailure(ctx, actor, id, f); rerr != nil {
				return Session{}, errors.Join(terr, rerr)
			}
			return Session{}, terr
		}
	}
	var ended Leg
	s, err := m.update(ctx, actor, id, "session.escalate", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		c, err := check(s, to)
		if err != nil {
			return nil, err
		}
		ended = c
		s.endLeg(now, "escalated")
		s.Legs = append(s.Legs, Leg{Kind: to, Ref: o.ref, By: by, StartedAt: now})
		d := map[string]string{"from_kind": string(c.Kind), "to_kind": string(to), "consent": fmt.Sprint(req.Consent)}
		if o.upgraded {
			d["upgraded"] = "true"
		}
		if failed != nil {
			f := *failed
			f.At = now
			s.Failures = append(s.Failures, f)
			d["failed_kind"], d["attempts"] = string(f.Kind), fmt.Sprint(f.Attempts)
		}
		return d, nil
	})
	if err != nil {
		o.undo()
		return Session{}, err
	}
	if o.upgraded {
		return s, nil
	}
	return m.afterCommit(ctx, s, ended, req.Notice), nil
}

// Invite brings another professional into the running video leg (a
// multi-professional team), audited "session.invite". The invited
// professional may then read the session, write notes and leave. The
// checklist for ActionInvite must be done. A professional the directory
// does not know is an ErrInvalid *carecontact.FieldError naming
// "professional".
func (m *Manager) Invite(ctx context.Context, actor audit.Actor, id string, professional carecontact.ProfessionalID, role string) (Session, error) {
	if professional == "" {
		return Session{}, invalid("professional", "is required")
	}
	if err := carecontact.ValidateID(ErrInvalid, "professional", string(professional)); err != nil {
		return Session{}, err
	}
	if err := carecontact.ValidateText(ErrInvalid, "role", role); err != nil {
		return Session{}, err
	}
	check := func(s *Session) (Leg, int, error) {
		cur, i, ok := s.CurrentLeg()
		if s.State != StateActive || !ok || cur.Kind != channel.Video {
			return Leg{}, 0, &StateError{Op: "invite (needs a running video leg)", From: s.State}
		}
		if professional == s.Assignee || s.Present(professional) {
			return Leg{}, 0, fmt.Errorf("%w: %s is already in the session", ErrParticipant, professional)
		}
		return cur, i, m.gate(s, ActionInvite, channel.Video)
	}
	pre, err := m.precheck(ctx, actor, id, "session.invite", accessHandle, "")
	if err != nil {
		return Session{}, err
	}
	if ok, err := m.cfg.Teams.HasProfessional(ctx, professional); err != nil {
		return Session{}, fmt.Errorf("session: team directory: %w", err)
	} else if !ok {
		return Session{}, invalid("professional", "is not in the team directory")
	}
	cur, _, err := check(&pre)
	if err != nil {
		return Session{}, err
	}
	if v := m.cfg.Transports.Video; v != nil && cur.Ref != "" {
		if _, err := m.try(ctx, "video.invite", channel.Video, func() error {
			return v.Invite(ctx, cur.Ref, channel.Invitee{Professional: professional})
		}); err != nil {
			if _, rerr := m.recordFailure(ctx, actor, id, m.failure(ActionInvite, channel.Video, err)); rerr != nil {
				return Session{}, errors.Join(err, rerr)
			}
			return Session{}, err
		}
	}
	return m.update(ctx, actor, id, "session.invite", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		_, i, err := check(s)
		if err != nil {
			return nil, err
		}
		s.Participants = append(s.Participants, Participant{ID: professional, Role: role, Leg: i, InvitedBy: professionalOf(actor), JoinedAt: now})
		return map[string]string{"participant": string(professional), "role": audit.Redact(role)}, nil
	})
}

// Leave ends a participant's part in the session, audited "session.leave".
// The participant may leave; the assignee or a supervisor may remove them
// (through the video transport's ParticipantRemover, when it has one).
func (m *Manager) Leave(ctx context.Context, actor audit.Actor, id string, professional carecontact.ProfessionalID) (Session, error) {
	pre, err := m.precheck(ctx, actor, id, "session.leave", accessLeave, professional)
	if err != nil {
		return Session{}, err
	}
	if !pre.Present(professional) {
		return Session{}, fmt.Errorf("%w: %s is not a participant", ErrParticipant, professional)
	}
	if cur, _, ok := pre.CurrentLeg(); ok && cur.Kind == channel.Video && professionalOf(actor) != professional {
		if r, ok := m.cfg.Transports.Video.(channel.ParticipantRemover); ok {
			if _, err := m.try(ctx, "video.remove_participant", channel.Video, func() error {
				return r.RemoveParticipant(ctx, cur.Ref, professional)
			}); err != nil {
				return Session{}, err
			}
		}
	}
	return m.update(ctx, actor, id, "session.leave", accessLeave, professional, func(s *Session, now time.Time) (map[string]string, error) {
		for i := range s.Participants {
			if p := &s.Participants[i]; p.ID == professional && p.Present() {
				p.LeftAt = now
				return map[string]string{"participant": string(professional)}, nil
			}
		}
		return nil, fmt.Errorf("%w: %s is not a participant", ErrParticipant, professional)
	})
}

// TransferRequest moves a session to another team.
type TransferRequest struct {
	Team   carecontact.TeamID // required
	Reason string             // short label, e.g. "needs_physiotherapist"
	// Destination is the telephony address a running call is transferred
	// to; default Team.
	Destination string
	// WorkItem is the routing work item of the transferred session, when
	// routing made a new one.
	WorkItem carecontact.ItemID
}

// Transfer moves an assigned or active session to another team: -> waiting,
// unassigned, audited "session.transfer". A running phone call is
// transferred by the telephony transport (a failure leaves the session
// untouched: the professional still has the client); a video room is ended;
// a chat conversation stays open for the next professional. The checklist
// for ActionTransfer must be done. A team the directory does not know is an
// ErrInvalid *carecontact.FieldError naming "team".
func (m *Manager) Transfer(ctx context.Context, actor audit.Actor, id string, req TransferRequest) (Session, error) {
	if req.Team == "" {
		return Session{}, invalid("team", "is required")
	}
	for _, f := range []struct{ name, text string }{{"reason", req.Reason}, {"destination", req.Destination}} {
		if err := carecontact.ValidateText(ErrInvalid, f.name, f.text); err != nil {
			return Session{}, err
		}
	}
	check := func(s *Session) error {
		if err := transition("transfer", s.State, StateWaiting); err != nil {
			return err
		}
		return m.gate(s, ActionTransfer, s.LastKind())
	}
	pre, err := m.precheck(ctx, actor, id, "session.transfer", accessHandle, "")
	if err != nil {
		return Session{}, err
	}
	if ok, err := m.cfg.Teams.HasTeam(ctx, req.Team); err != nil {
		return Session{}, fmt.Errorf("session: team directory: %w", err)
	} else if !ok {
		return Session{}, invalid("team", "is not in the team directory")
	}
	if err := check(&pre); err != nil {
		return Session{}, err
	}
	cur, _, running := pre.CurrentLeg()
	if running && isPhone(cur.Kind) && cur.Ref != "" && m.cfg.Transports.Telephony != nil {
		dest := req.Destination
		if dest == "" {
			dest = string(req.Team)
		}
		if _, err := m.try(ctx, "telephony.transfer", cur.Kind, func() error {
			return m.cfg.Transports.Telephony.Transfer(ctx, cur.Ref, dest)
		}); err != nil {
			return Session{}, err
		}
	}
	var ended Leg
	s, err := m.update(ctx, actor, id, "session.transfer", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if err := check(s); err != nil {
			return nil, err
		}
		ended, _, _ = s.CurrentLeg()
		s.endLeg(now, "transferred")
		s.Transfers = append(s.Transfers, Transfer{From: s.Team, To: req.Team, By: professionalOf(actor), At: now, Reason: req.Reason})
		d := map[string]string{"from_team": string(s.Team), "to_team": string(req.Team), "reason": audit.Redact(req.Reason)}
		s.Team, s.Assignee, s.State = req.Team, "", StateWaiting
		if req.WorkItem != "" {
			s.WorkItem = req.WorkItem
		}
		return d, nil
	})
	if err != nil {
		return Session{}, err
	}
	if ended.Kind == channel.Video {
		return m.afterCommit(ctx, s, ended, ""), nil
	}
	return s, nil
}

// EndLeg ends the running leg without ending the contact (the client did
// not answer the callback, the call dropped): active -> assigned, audited
// "session.leg_end". Reason is a short label such as "no_answer".
func (m *Manager) EndLeg(ctx context.Context, actor audit.Actor, id, reason string) (Session, error) {
	if reason == "" || len(reason) > 40 {
		return Session{}, invalid("reason", "must be 1 to 40 characters")
	}
	var ended Leg
	s, err := m.update(ctx, actor, id, "session.leg_end", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if err := transition("end leg", s.State, StateAssigned); err != nil {
			return nil, err
		}
		ended, _, _ = s.CurrentLeg()
		s.endLeg(now, reason)
		s.State = StateAssigned
		return map[string]string{"kind": string(ended.Kind), "reason": audit.Redact(reason)}, nil
	})
	if err != nil {
		return Session{}, err
	}
	return m.afterCommit(ctx, s, ended, ""), nil
}

// Release hands an assigned session back to its team's queue without a
// transfer: assigned -> waiting, audited "session.release". It is how a
// callback whose attempt went unanswered (EndLeg "no_answer") waits for its
// retry, which whoever is free then takes (Assign). Reason is a short label
// such as "no_answer". The owning team, and with it the first-contact
// resolution KPI, is unchanged.
func (m *Manager) Release(ctx context.Context, actor audit.Actor, id, reason string) (Session, error) {
	if reason == "" || len(reason) > 40 {
		return Session{}, invalid("reason", "must be 1 to 40 characters")
	}
	return m.update(ctx, actor, id, "session.release", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if s.State != StateAssigned {
			return nil, &StateError{Op: "release", From: s.State, To: StateWaiting}
		}
		d := map[string]string{"assignee": string(s.Assignee), "reason": audit.Redact(reason)}
		s.Assignee, s.State = "", StateWaiting
		return d, nil
	})
}

// FinishContact ends the contact with the client: active -> wrap_up,
// audited "session.wrap_up"; the running leg ends ("finished") and its
// transport is closed.
func (m *Manager) FinishContact(ctx context.Context, actor audit.Actor, id string) (Session, error) {
	var ended Leg
	s, err := m.update(ctx, actor, id, "session.wrap_up", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if err := transition("finish contact", s.State, StateWrapUp); err != nil {
			return nil, err
		}
		ended, _, _ = s.CurrentLeg()
		s.endLeg(now, "finished")
		s.State, s.WrapUpAt = StateWrapUp, now
		return map[string]string{"kind": string(ended.Kind)}, nil
	})
	if err != nil {
		return Session{}, err
	}
	return m.afterCommit(ctx, s, ended, ""), nil
}

// CloseResult is the result of Close.
type CloseResult struct {
	Session Session
	// Withdrawn are the client's other pending contacts for the errand that
	// closing this session withdrew (when Config.Demand is set and the
	// outcome settles the errand): rescind them from their queues.
	Withdrawn []WithdrawnContact
}

// Close ends the session with an outcome, audited "session.close": from
// wrap_up with any outcome, or straight from waiting or assigned with
// OutcomeNoAnswer, OutcomeDuplicateMerged or OutcomeWithdrawn. The checklist for ActionClose
// must be done. With Config.Demand set, an outcome that settles the errand
// settles the session's contact and withdraws the client's other pending
// contacts for the errand; no answer, follow-up and withdrawn close the
// contact alone.
// That second step is a separate atomic operation: if it fails, the session
// stays closed and the error says so (the contact can be settled again
// through the duplicate-demand service).
func (m *Manager) Close(ctx context.Context, actor audit.Actor, id string, outcome Outcome) (CloseResult, error) {
	if !outcome.Valid() {
		return CloseResult{}, invalid("outcome", "is not a known outcome")
	}
	s, err := m.update(ctx, actor, id, "session.close", accessHandle, "", func(s *Session, now time.Time) (map[string]string, error) {
		if err := transition("close", s.State, StateClosed); err != nil {
			return nil, err
		}
		if s.State != StateWrapUp && !closableWithoutContact(outcome) {
			return nil, &StateError{Op: "close with outcome " + string(outcome), From: s.State, To: StateClosed}
		}
		if err := m.gate(s, ActionClose, s.LastKind()); err != nil {
			return nil, err
		}
		s.State, s.Outcome, s.ClosedAt = StateClosed, outcome, now
		return map[string]string{"outcome": string(outcome)}, nil
	})
	if err != nil {
		return CloseResult{}, err
	}
	res := CloseResult{Session: s}
	if m.cfg.Demand == nil || s.Contact == "" {
		return res, nil
	}
	switch {
	case outcome.Settles():
		withdrawn, err := m.cfg.Demand.Settle(ctx, actor, s.Contact)
		if err != nil {
			return res, fmt.Errorf("session: %s closed, but settling its contact: %w", id, err)
		}
		res.Withdrawn = withdrawn
	case outcome == OutcomeNoAnswer || outcome == OutcomeFollowUp || outcome == OutcomeWithdrawn:
		if err := m.cfg.Demand.Close(ctx, actor, s.Contact, string(outcome)); err != nil {
			return res, fmt.Errorf("session: %s closed, but closing its contact: %w", id, err)
		}
	}
	return res, nil
}
