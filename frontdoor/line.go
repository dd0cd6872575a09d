package frontdoor

import (
	"context"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// LineKind names what a host's transport saw happen on a contact.
type LineKind string

// The line events a transport reports.
const (
	// LineCallAnswered: the call connected (the client answered a
	// callback, or an inbound call was put through).
	LineCallAnswered LineKind = "call_answered"
	// LineCallFailed: the call did not connect: the client did not answer
	// a callback, or an inbound call dropped before it was put through.
	LineCallFailed LineKind = "call_failed"
	// LineCallEnded: the call (or video call) ended; the professional
	// wraps up and closes the contact with an outcome.
	LineCallEnded LineKind = "call_ended"
	// LineJoined and LineLeft: the client (Client) or a professional
	// joined or left the video room.
	LineJoined LineKind = "joined"
	LineLeft   LineKind = "left"
	// LineChatReceived: the client wrote in the chat.
	LineChatReceived LineKind = "chat_received"
	// LineClientQuiet: the chat client has not written for the host's
	// quiet time.
	LineClientQuiet LineKind = "client_quiet"
)

// Line is one thing a transport saw on contact Contact.
type Line struct {
	// Kind is what happened. Required.
	Kind LineKind
	// Contact is the contact's ID. Required.
	Contact string
	// Professional is who joined or left (LineJoined, LineLeft), or who
	// handles the contact. Defaults to the professional routing gave the
	// contact to.
	Professional carecontact.ProfessionalID
	// Client: the client, not a professional, joined or left.
	Client bool
}

// ErrInvalidLine is the sentinel of a malformed Line.
var ErrInvalidLine = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid line event")

// EventConnected, EventCallEnded, EventRoom and EventClientActive report
// line events the Door records without changing a contact's course.
const (
	// EventConnected: the call connected.
	EventConnected EventKind = "connected"
	// EventCallEnded: the call ended; the professional wraps up.
	EventCallEnded EventKind = "call_ended"
	// EventRoom: someone joined or left the video room (Reason "joined"
	// or "left", Professional empty for the client).
	EventRoom EventKind = "room"
	// EventClientActive: the client wrote in the chat.
	EventClientActive EventKind = "client_active"
	// EventClientQuiet: the client has gone quiet in a chat in hand.
	EventClientQuiet EventKind = "client_quiet"
)

// Line tells the Door what a transport saw, so it acts on what happened
// rather than on what it assumed:
//
//   - LineCallFailed on a callback in hand is NoAnswer (the retry is
//     planned); on an inbound call in hand, the contact ends with
//     session.OutcomeNoAnswer and the professional is free.
//   - LineCallEnded ends the call: the callback attempt is recorded as
//     answered, the session goes to wrap-up, and routing starts the
//     professional's wrap-up time; Close then records the outcome.
//   - LineLeft of a guest takes them out of the room (Leave); of the
//     client in a video call, it ends the call as LineCallEnded does.
//   - LineClientQuiet on a chat still waiting in the queue withdraws it
//     from routing (the client left); on a chat in hand, it is reported
//     (EventClientQuiet) for the professional to decide.
//   - LineCallAnswered, LineJoined and LineChatReceived are reported as
//     events. A chat's text never reaches the Door.
func (d *Door) Line(ctx context.Context, l Line) error {
	switch l.Kind {
	case LineCallAnswered, LineCallFailed, LineCallEnded, LineJoined, LineLeft, LineChatReceived, LineClientQuiet:
	default:
		return carecontact.Invalid(ErrInvalidLine, "kind", "is not a line event")
	}
	if l.Contact == "" {
		return carecontact.Invalid(ErrInvalidLine, "contact", "is required")
	}
	s, err := d.sessions.Get(ctx, d.system, l.Contact)
	if err != nil {
		return fmt.Errorf("frontdoor: line: %w", err)
	}
	item, err := d.itemOf(ctx, s)
	if err != nil {
		return fmt.Errorf("frontdoor: line: %w", err)
	}
	it, inRouting := d.disp.Item(item)
	handler := l.Professional
	if handler == "" || l.Kind == LineJoined || l.Kind == LineLeft {
		handler = it.Professional
	}
	ev := Event{At: d.cfg.Clock.Now().UTC(), Contact: l.Contact, Item: item, Client: s.Client, Errand: s.Errand,
		Channel: s.LastKind(), Team: s.Team, Professional: handler}
	inHand := inRouting && it.State == routing.ItemAccepted
	switch l.Kind {
	case LineCallAnswered:
		ev.Kind = EventConnected
	case LineChatReceived:
		ev.Kind = EventClientActive
	case LineJoined:
		ev.Kind, ev.Reason, ev.Professional = EventRoom, "joined", l.Professional
	case LineCallFailed:
		if !inHand {
			return fmt.Errorf("%w: contact %s is not in a call", ErrNotHandling, l.Contact)
		}
		if s.WorkItem == "" {
			_, err := d.NoAnswer(ctx, handler, l.Contact)
			return err
		}
		_, err := d.Close(ctx, handler, l.Contact, session.OutcomeNoAnswer)
		return err
	case LineCallEnded:
		return d.endCall(ctx, s, it, inHand)
	case LineLeft:
		if !l.Client {
			if l.Professional == "" {
				return carecontact.Invalid(ErrInvalidLine, "professional", "is required when a professional left")
			}
			if l.Professional != it.Professional {
				_, err := d.Leave(ctx, l.Professional, l.Contact, l.Professional)
				return err
			}
		}
		if s.LastKind() == channel.Video {
			return d.endCall(ctx, s, it, inHand)
		}
		ev.Kind, ev.Reason, ev.Professional = EventRoom, "left", l.Professional
	case LineClientQuiet:
		if inRouting && (it.State == routing.ItemQueued || it.State == routing.ItemOffered) {
			if err := d.rescind(ctx, item, "client went quiet"); err != nil {
				return err
			}
			ev.Kind, ev.Reason = EventWithdrawn, "client went quiet"
			break
		}
		ev.Kind = EventClientQuiet
	default:
		return carecontact.Invalid(ErrInvalidLine, "kind", "is not a line event")
	}
	d.emit(ev)
	return nil
}

// endCall ends the call of a contact in hand: guests leave, a callback
// attempt is recorded as answered, the session wraps up and routing
// starts the professional's wrap-up time.
func (d *Door) endCall(ctx context.Context, s session.Session, it routing.Item, inHand bool) error {
	if !inHand {
		return fmt.Errorf("%w: contact %s is not in a call", ErrNotHandling, s.ID)
	}
	p := it.Professional
	if err := d.leaveAll(ctx, p, s); err != nil {
		return err
	}
	if s.WorkItem == "" {
		if err := d.answered(ctx, s.ID, p); err != nil {
			return err
		}
	}
	if _, err := d.disp.Finish(ctx, it.ID, p); err != nil {
		return fmt.Errorf("frontdoor: call ended: %w", err)
	}
	if s.State == session.StateActive {
		if _, err := d.sessions.FinishContact(ctx, professional(p), s.ID); err != nil {
			return fmt.Errorf("frontdoor: call ended: %w", err)
		}
	}
	d.emit(Event{Kind: EventCallEnded, At: d.cfg.Clock.Now().UTC(), Contact: s.ID, Item: it.ID, Client: s.Client,
		Errand: s.Errand, Channel: s.LastKind(), Team: s.Team, Professional: p})
	return nil
}
