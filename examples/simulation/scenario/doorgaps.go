package scenario

import (
	"errors"
	"fmt"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// The two client actions below have no frontdoor.Door method yet, so they
// reach the door's parts (frontdoor.Door.Parts). Each is the client's
// action, named as the door would take it; neither decides anything the
// door decides elsewhere.

// abandon: the client of waiting contact i hangs up. The door has no
// operation for a client leaving the queue; the contact's routing item is
// rescinded and its session closed unanswered, which closes the client's
// demand record too (so a later contact about the errand is not merged
// into this dead one).
func (m *model) abandon(i int32) error {
	c := &m.contacts[i]
	parts := m.door.Parts()
	if err := parts.Dispatcher.Rescind(m.ctx, carecontact.ItemID(c.id), "abandoned"); err != nil && !errors.Is(err, routing.ErrItemNotFound) {
		return fmt.Errorf("abandon: %w", err)
	}
	if _, err := parts.Sessions.Close(m.ctx, system, c.id, session.OutcomeNoAnswer); err != nil {
		return fmt.Errorf("abandon: %w", err)
	}
	c.waiting = false
	t := &m.teams[m.clients[c.client].team]
	t.queue.Add(m.loop.Now(), -1)
	t.abandoned++
	m.abandoned++
	m.release(i)
	return nil
}

// identifyStrongly: the client of contact id identifies with bank ID (to
// join a video call). The door has no operation for it.
func (m *model) identifyStrongly(id string) error {
	if _, err := m.door.Parts().Sessions.Identify(m.ctx, system, id, channel.IdentityStrong, "bank_id"); err != nil {
		return fmt.Errorf("identify: %w", err)
	}
	return nil
}
