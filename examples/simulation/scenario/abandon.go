package scenario

import (
	"fmt"
)

// abandon: the client of waiting contact i hangs up or leaves the chat
// queue. The door withdraws the contact: out of routing, its session and
// demand record closed, so a later contact about the errand is not merged
// into this one.
func (m *model) abandon(i int32) error {
	c := &m.contacts[i]
	if err := m.door.Withdraw(m.ctx, clientActor(c.client), c.id, "abandoned"); err != nil {
		return fmt.Errorf("abandon: %w", err)
	}
	c.waiting = false
	t := &m.teams[m.clients[c.client].team]
	t.queue.Add(m.loop.Now(), -1)
	t.abandoned++
	m.abandoned++
	m.bin(c.arrived).abandoned++
	m.release(i)
	return nil
}
