package frontdoor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// Action is something a professional may do with a desk item now.
type Action string

// The actions, each a Door method.
const (
	ActionAccept   Action = "accept"   // Door.Accept
	ActionDecline  Action = "decline"  // Door.Decline
	ActionSwitch   Action = "switch"   // Door.Switch (SwitchTo lists the channels)
	ActionInvite   Action = "invite"   // Door.Invite, in a video call
	ActionTransfer Action = "transfer" // Door.Transfer, inbound contacts
	ActionNoAnswer Action = "no_answer"
	ActionClose    Action = "close" // Door.Close with an outcome
	ActionLeave    Action = "leave" // Door.Leave, as a guest
)

// DeskItem is one piece of work on a professional's desk.
type DeskItem struct {
	// Contact is the contact's (and session's) ID; Item its routing item.
	Contact string
	Item    routing.Item
	// Callback: the item is a due callback.
	Callback bool
	// Channel is where the contact runs now (after a switch, the new
	// channel).
	Channel channel.Kind
	// Guest: the professional was invited into the contact.
	Guest bool
	// Actions are what the professional may do now; SwitchTo the channels
	// ActionSwitch may continue on (the escalation graph's edges that the
	// pilots allow).
	Actions  []Action
	SwitchTo []channel.Kind
}

// Desk is one professional's view of their work.
type Desk struct {
	Professional routing.ProfessionalState
	// Offers wait for the professional's answer.
	Offers []DeskItem
	// Contacts are the contacts the professional handles or is a guest
	// in, and those in wrap-up.
	Contacts []DeskItem
	// Waiting are the queued contacts and due callbacks the professional
	// could be offered next, in offer order.
	Waiting []DeskItem
}

// Desk returns professional p's desk: offers, contacts in hand, and what
// waits in the queues they serve, each with the actions allowed now. It
// reads no client data beyond routing's pseudonymous items.
func (d *Door) Desk(ctx context.Context, p carecontact.ProfessionalID) (Desk, error) {
	if err := ctx.Err(); err != nil {
		return Desk{}, err
	}
	st, ok := d.disp.Professional(p)
	if !ok {
		return Desk{}, fmt.Errorf("frontdoor: desk: %w: %s", routing.ErrUnknownProfessional, clipID(string(p)))
	}
	out := Desk{Professional: st}
	for _, it := range d.disp.Assigned(p) {
		di := d.deskItem(it)
		switch {
		case it.State == routing.ItemOffered:
			di.Actions = []Action{ActionAccept, ActionDecline}
			out.Offers = append(out.Offers, di)
		case slices.Contains(it.Guests, p):
			di.Guest, di.Actions = true, []Action{ActionLeave}
			out.Contacts = append(out.Contacts, di)
		case it.State == routing.ItemAccepted:
			d.handlingActions(&di, p)
			out.Contacts = append(out.Contacts, di)
		default: // wrap-up: the contact is finished
			out.Contacts = append(out.Contacts, di)
		}
	}
	for _, it := range d.disp.Waiting(p) {
		out.Waiting = append(out.Waiting, d.deskItem(it))
	}
	// Every contact the desk shows is a read of a client's data by p.
	now := d.cfg.Clock.Now().UTC()
	var evs []audit.Event
	for _, list := range [][]DeskItem{out.Offers, out.Contacts, out.Waiting} {
		for _, di := range list {
			evs = append(evs, audit.Event{At: now, Actor: professional(p), Action: "routing.read", Subject: "item/" + string(di.Item.ID),
				Client: di.Item.Contact.Client, Outcome: audit.Allowed, Detail: map[string]string{"view": "desk"}})
		}
	}
	if len(evs) > 0 {
		if err := d.cfg.Stores.Audit.Record(ctx, evs...); err != nil {
			return Desk{}, fmt.Errorf("frontdoor: desk: audit: %w", err)
		}
	}
	return out, nil
}

func (d *Door) deskItem(it routing.Item) DeskItem {
	_, cb := RequestOf(it.ID)
	k := it.Continued
	if k == "" {
		k = it.Contact.Channel
	}
	return DeskItem{Contact: contactOfItem(it.ID), Item: it, Callback: cb, Channel: k}
}

// handlingActions fills the actions of a contact p has accepted.
func (d *Door) handlingActions(di *DeskItem, p carecontact.ProfessionalID) {
	di.Actions = []Action{ActionClose}
	if di.Callback {
		di.Actions = append(di.Actions, ActionNoAnswer)
	} else {
		di.Actions = append(di.Actions, ActionTransfer)
	}
	for _, e := range d.cfg.Graph.From(di.Channel) {
		if d.dir.InPilot(e.To, p) {
			di.SwitchTo = append(di.SwitchTo, e.To)
		}
	}
	if len(di.SwitchTo) > 0 {
		di.Actions = append(di.Actions, ActionSwitch)
	}
	if di.Channel == channel.Video {
		di.Actions = append(di.Actions, ActionInvite)
	}
}

// Session reads contact id's session as professional p: the client's
// errand, identification, legs, notes and participants. The read is
// audited with p as the reader, and refused (session.ErrAccessDenied) to a
// professional who neither handles the contact nor belongs to its team.
func (d *Door) Session(ctx context.Context, p carecontact.ProfessionalID, id string) (session.Session, error) {
	s, err := d.sessions.Get(ctx, professional(p), id)
	if err != nil {
		return session.Session{}, fmt.Errorf("frontdoor: session: %w", err)
	}
	return s, nil
}

// clipID cuts a caller's ID to 64 bytes for an error text, so a megabyte
// passed as an ID does not come back in the error.
func clipID(id string) string {
	if len(id) <= 64 {
		return id
	}
	return strings.ToValidUTF8(id[:64], "") + "…"
}
