package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// ErrNotInPilot is the error of a switch to a channel that is piloted, by a
// professional outside the pilot.
var ErrNotInPilot = carecontact.Sentinel(carecontact.ErrNotAllowed, "frontdoor: professional is not in the channel's pilot")

// ErrNotHandling is the error of an action on a contact the professional
// does not handle (it is not accepted by them, or not a callback where one
// is needed).
var ErrNotHandling = carecontact.Sentinel(carecontact.ErrIllegalTransition, "frontdoor: professional does not handle the contact")

func professional(p carecontact.ProfessionalID) audit.Actor {
	return audit.Actor{Kind: audit.ActorProfessional, ID: string(p)}
}

// handled returns the session of contact id and the routing item that
// professional p holds for it, accepted.
func (d *Door) handled(ctx context.Context, p carecontact.ProfessionalID, id string) (session.Session, routing.Item, error) {
	s, err := d.sessions.Get(ctx, professional(p), id)
	if err != nil {
		return session.Session{}, routing.Item{}, err
	}
	item, err := d.itemOf(ctx, s)
	if err != nil {
		return session.Session{}, routing.Item{}, err
	}
	it, ok := d.disp.Item(item)
	if !ok || it.State != routing.ItemAccepted || it.Professional != p {
		return session.Session{}, routing.Item{}, fmt.Errorf("%w: %s does not hold contact %s", ErrNotHandling, p, id)
	}
	return s, it, nil
}

// itemOf returns the routing item a session's contact is in now: the
// session's work item, or the latest dispatch of its callback.
func (d *Door) itemOf(ctx context.Context, s session.Session) (carecontact.ItemID, error) {
	if s.WorkItem != "" {
		return s.WorkItem, nil
	}
	rec, err := d.cbRecord(ctx, s.ID)
	if err != nil {
		return "", err
	}
	return ItemOf(rec), nil
}

// Decline declines the offer of item to professional p; routing offers it
// to someone else.
func (d *Door) Decline(ctx context.Context, p carecontact.ProfessionalID, item carecontact.ItemID) error {
	if err := d.disp.Decline(ctx, item, p); err != nil {
		return fmt.Errorf("frontdoor: decline: %w", err)
	}
	return nil
}

// SwitchRequest asks to continue a contact on another channel.
type SwitchRequest struct {
	// To is the channel to continue on, e.g. channel.Video. Required.
	To channel.Kind
	// Consent: the client agreed, where the escalation graph asks.
	Consent bool
	// Fallback is tried when the transport cannot set up To (e.g. a
	// callback when the video room fails). Defaults to none.
	Fallback channel.Kind
	// Notice is posted into a chat before it closes. Defaults to none.
	Notice string
}

// Switch continues professional p's contact id on another channel: a chat
// or call becoming a video call. The channel's pilot applies (a piloted
// channel is for its pilot's professionals only, ErrNotInPilot); the
// escalation graph, the client's identification and consent and the
// checklist gate it (session.Escalate); and a switch to a synchronous
// channel takes the professional's synchronous capacity in routing, so they
// get no offers during the call (routing.ErrNoCapacity when they are in
// another call).
func (d *Door) Switch(ctx context.Context, p carecontact.ProfessionalID, id string, req SwitchRequest) (session.Session, error) {
	if !req.To.Valid() {
		return session.Session{}, carecontact.Invalid(ErrInvalidContact, "to", "is not a known channel")
	}
	if !d.dir.InPilot(req.To, p) {
		return session.Session{}, fmt.Errorf("%w: %s, %s", ErrNotInPilot, p, req.To)
	}
	_, it, err := d.handled(ctx, p, id)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: switch: %w", err)
	}
	before := it.Continued
	if before == "" {
		before = it.Contact.Channel
	}
	routed := routable(req.To)
	if routed {
		if _, err := d.disp.Continue(ctx, it.ID, p, req.To); err != nil {
			return session.Session{}, fmt.Errorf("frontdoor: switch: %w", err)
		}
	}
	s, err := d.sessions.Escalate(ctx, professional(p), id, session.EscalateRequest{To: req.To, Consent: req.Consent,
		Fallback: req.Fallback, Notice: req.Notice})
	if err != nil {
		if routed {
			if _, uerr := d.disp.Continue(ctx, it.ID, p, before); uerr != nil {
				err = errors.Join(err, fmt.Errorf("frontdoor: undo switch in routing: %w", uerr))
			}
		}
		return session.Session{}, fmt.Errorf("frontdoor: switch: %w", err)
	}
	if k := s.LastKind(); k != req.To && routed && routable(k) { // the fallback was taken
		if _, err := d.disp.Continue(ctx, it.ID, p, k); err != nil {
			return s, fmt.Errorf("frontdoor: switch to fallback: %w", err)
		}
	}
	d.emit(Event{Kind: EventEscalated, At: d.cfg.Clock.Now().UTC(), Contact: id, Item: it.ID, Client: s.Client,
		Errand: s.Errand, Channel: s.LastKind(), Team: s.Team, Professional: p})
	return s, nil
}

// routable reports whether routing holds capacity for channel k.
func routable(k channel.Kind) bool {
	_, err := routing.SlotOf(k)
	return err == nil
}

// Invite brings colleague guest into host's video call on contact id, in
// a role ("doctor"). The guest's synchronous capacity is taken in routing,
// so they get no offers while in the room; the session records them and
// the video transport invites them.
func (d *Door) Invite(ctx context.Context, host carecontact.ProfessionalID, id string, guest carecontact.ProfessionalID, role string) (session.Session, error) {
	_, it, err := d.handled(ctx, host, id)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: invite: %w", err)
	}
	if _, err := d.disp.Invite(ctx, it.ID, host, guest); err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: invite: %w", err)
	}
	s, err := d.sessions.Invite(ctx, professional(host), id, guest, role)
	if err != nil {
		if _, uerr := d.disp.Leave(ctx, it.ID, guest); uerr != nil {
			err = errors.Join(err, fmt.Errorf("frontdoor: undo invite in routing: %w", uerr))
		}
		return session.Session{}, fmt.Errorf("frontdoor: invite: %w", err)
	}
	d.emit(Event{Kind: EventInvited, At: d.cfg.Clock.Now().UTC(), Contact: id, Item: it.ID, Client: s.Client,
		Errand: s.Errand, Channel: s.LastKind(), Team: s.Team, Professional: guest, Reason: role})
	return s, nil
}

// Leave takes guest out of contact id: they leave, or actor (the host or
// a supervisor) removes them. Their capacity is free again in routing.
func (d *Door) Leave(ctx context.Context, actor carecontact.ProfessionalID, id string, guest carecontact.ProfessionalID) (session.Session, error) {
	s, err := d.sessions.Leave(ctx, professional(actor), id, guest)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: leave: %w", err)
	}
	item, err := d.itemOf(ctx, s)
	if err != nil {
		return s, fmt.Errorf("frontdoor: leave: %w", err)
	}
	if _, err := d.disp.Leave(ctx, item, guest); err != nil && !errors.Is(err, routing.ErrItemNotFound) {
		return s, fmt.Errorf("frontdoor: leave: %w", err)
	}
	d.emit(Event{Kind: EventLeft, At: d.cfg.Clock.Now().UTC(), Contact: id, Item: item, Client: s.Client,
		Errand: s.Errand, Channel: s.LastKind(), Team: s.Team, Professional: guest})
	return s, nil
}

// leaveAll takes every guest out of s's contact, as its host.
func (d *Door) leaveAll(ctx context.Context, host carecontact.ProfessionalID, s session.Session) error {
	for _, pt := range s.Participants {
		if pt.Present() {
			if _, err := d.Leave(ctx, host, s.ID, pt.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// TransferRequest moves a contact to another team.
type TransferRequest struct {
	// Team is the team to move to. Required.
	Team carecontact.TeamID
	// Reason is a short label ("needs_physiotherapist"). Required.
	Reason string
}

// Transfer moves professional p's inbound contact id to another team: its
// routing item ends and a new one queues for the team first, keeping the
// contact's place by its enqueue time, and the session is transferred. A
// callback is not transferred: close it with session.OutcomeReferred, or
// let the callback planner widen it.
func (d *Door) Transfer(ctx context.Context, p carecontact.ProfessionalID, id string, req TransferRequest) (session.Session, error) {
	if req.Team == "" {
		return session.Session{}, carecontact.Invalid(ErrInvalidContact, "team", "is required")
	}
	if req.Reason == "" {
		return session.Session{}, carecontact.Invalid(ErrInvalidContact, "reason", "is required")
	}
	if _, err := d.dir.Members(req.Team); err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: transfer: %w", err)
	}
	s, it, err := d.handled(ctx, p, id)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: transfer: %w", err)
	}
	if s.WorkItem == "" {
		return session.Session{}, fmt.Errorf("%w: contact %s is a callback; close it as referred instead", ErrNotHandling, id)
	}
	if err := d.leaveAll(ctx, p, s); err != nil {
		return session.Session{}, err
	}
	next := carecontact.ItemID(id + ".t" + strconv.Itoa(len(s.Transfers)+1))
	c := it.Contact
	c.OwnTeam, c.OwnProfessional = req.Team, ""
	if it.Continued != "" {
		c.Channel = it.Continued
	}
	if _, err := d.disp.Finish(ctx, it.ID, p); err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: transfer: %w", err)
	}
	if _, err := d.disp.Enqueue(ctx, next, c); err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: transfer: queue for %s: %w", req.Team, err)
	}
	s, err = d.sessions.Transfer(ctx, professional(p), id, session.TransferRequest{Team: req.Team, Reason: req.Reason, WorkItem: next})
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: transfer: %w", err)
	}
	d.emit(Event{Kind: EventTransferred, At: d.cfg.Clock.Now().UTC(), Contact: id, Item: next, Client: s.Client,
		Errand: s.Errand, Channel: c.Channel, Team: req.Team, Professional: p, Reason: req.Reason})
	return s, nil
}

// transferredFrom returns the contact of an item Transfer made.
func transferredFrom(item carecontact.ItemID) (string, bool) {
	i := strings.LastIndex(string(item), ".t")
	if i <= 0 {
		return "", false
	}
	if _, err := strconv.Atoi(string(item[i+2:])); err != nil {
		return "", false
	}
	return string(item[:i]), true
}

// NoAnswer records that the client of professional p's callback id did
// not answer: the attempt ends in routing, the session's leg ends and the
// session waits for the retry, and the callback planner schedules the next
// attempt (or closes the request after its last one). It returns the
// callback record.
func (d *Door) NoAnswer(ctx context.Context, p carecontact.ProfessionalID, id string) (callback.Record, error) {
	s, it, err := d.handled(ctx, p, id)
	if err != nil {
		return callback.Record{}, fmt.Errorf("frontdoor: no answer: %w", err)
	}
	if s.WorkItem != "" {
		return callback.Record{}, fmt.Errorf("%w: contact %s is not a callback", ErrNotHandling, id)
	}
	if _, err := d.disp.Finish(ctx, it.ID, p); err != nil {
		return callback.Record{}, fmt.Errorf("frontdoor: no answer: %w", err)
	}
	rec, evs, err := d.cb.Complete(ctx, id, p, callback.NoAnswer)
	if err != nil {
		return callback.Record{}, fmt.Errorf("frontdoor: no answer: %w", err)
	}
	d.emitCallbacks(evs)
	actor := professional(p)
	if _, err := d.sessions.EndLeg(ctx, actor, id, "no_answer"); err != nil {
		return rec, fmt.Errorf("frontdoor: no answer: %w", err)
	}
	if rec.State == callback.StateClosed {
		res, err := d.sessions.Close(ctx, actor, id, session.OutcomeNoAnswer)
		if err != nil {
			return rec, fmt.Errorf("frontdoor: no answer: %w", err)
		}
		d.emit(Event{Kind: EventClosed, At: d.cfg.Clock.Now().UTC(), Contact: id, Client: s.Client, Errand: s.Errand,
			Channel: channel.Callback, Team: res.Session.Team, Professional: p, Outcome: session.OutcomeNoAnswer})
		return rec, nil
	}
	if _, err := d.sessions.Release(ctx, actor, id, "no_answer"); err != nil {
		return rec, fmt.Errorf("frontdoor: no answer: %w", err)
	}
	return rec, nil
}

// Identify records how strongly professional p's client on contact id has
// been identified (a bank login, a mobile certificate), audited with p.
// Method is a short label ("bank_id"), never the code itself. A switch to
// video, for one, needs strong identification.
func (d *Door) Identify(ctx context.Context, p carecontact.ProfessionalID, id string, level channel.IdentityLevel, method string) (session.Session, error) {
	s, err := d.sessions.Identify(ctx, professional(p), id, level, method)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: identify: %w", err)
	}
	return s, nil
}

// VerifyPersonalCode checks the personal identity code the client told
// professional p on a call against contact id's client: lookup maps the
// code to a client reference (the host's population register). A match
// makes the identification at least weak (method "personal_code"); a
// mismatch is audited as denied (session.ErrIdentityMismatch). The code is
// never stored, logged, audited or put in an error.
func (d *Door) VerifyPersonalCode(ctx context.Context, p carecontact.ProfessionalID, id, code string,
	lookup func(context.Context, session.PersonalCode) (carecontact.ClientRef, error)) (session.Session, error) {
	s, err := d.sessions.VerifyPersonalCode(ctx, professional(p), id, code, lookup)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: verify personal code: %w", err)
	}
	return s, nil
}

// Note adds professional p's note to contact id's session (a guest may
// write one too). The text is kept with the session only: audit records
// its length, never its words.
func (d *Door) Note(ctx context.Context, p carecontact.ProfessionalID, id, text string) (session.Session, error) {
	s, err := d.sessions.AddNote(ctx, professional(p), id, text)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: note: %w", err)
	}
	return s, nil
}

// Tick marks checklist item done on contact id for professional p: the
// items Config.Checklists asks before a switch, an invitation or a close.
func (d *Door) Tick(ctx context.Context, p carecontact.ProfessionalID, id, item string) (session.Session, error) {
	s, err := d.sessions.CompleteChecklistItem(ctx, professional(p), id, item)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: checklist: %w", err)
	}
	return s, nil
}
