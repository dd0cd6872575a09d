package routing_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/routing"
)

func (r *rig) teamLoad(team carecontact.TeamID) routing.TeamLoad {
	r.t.Helper()
	tl, err := r.d.TeamLoad(team)
	require.NoError(r.t, err)
	return tl
}

func TestTeamLoadCountsTheTeamsQueueAndBusyMembers(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	require.Equal(t, routing.TeamLoad{}, r.teamLoad("kallio-a"), "nobody signed in")
	r.presence(routing.PresenceAvailable, "n-aino", "n-bertil")
	require.Equal(t, routing.TeamLoad{SignedIn: 2, Free: 2}, r.teamLoad("kallio-a"))

	call := routing.Contact{Client: "c", Errand: channel.ErrandOther, Channel: channel.InboundPhone, OwnTeam: "kallio-a"}
	for _, id := range []carecontact.ItemID{"i1", "i2", "i3", "i4"} {
		r.enqueue(id, call)
	}
	for _, id := range []carecontact.ItemID{"i1", "i2"} {
		it, ok := r.d.Item(id)
		require.True(t, ok)
		_, err := r.d.Accept(r.ctx, id, it.Professional)
		require.NoError(t, err)
	}
	require.Equal(t, routing.TeamLoad{Waiting: 2, SignedIn: 2, Busy: 2}, r.teamLoad("kallio-a"))

	// A chat takes no synchronous capacity: the chat queue is not counted.
	r.enqueue("chat", routing.Contact{Client: "c", Errand: channel.ErrandOther, Channel: channel.Chat, OwnTeam: "kallio-a"})
	require.Equal(t, 2, r.teamLoad("kallio-a").Waiting)

	// A professional on an in-person visit (busy) is signed in but neither
	// free nor busy on the queue.
	r.presence(routing.PresenceBusy, "n-bertil")
	require.Equal(t, routing.TeamLoad{Waiting: 2, SignedIn: 2, Busy: 1}, r.teamLoad("kallio-a"))
}

func TestTeamLoadSharesAQueueByTheSignedInCandidates(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino", "n-bertil", "d-carita")
	// Home-area calls: the Kallio step's candidates are two of kallio-a and
	// one of kallio-b. The first three take a professional each.
	call := routing.Contact{Client: "c", Errand: channel.ErrandOther, Channel: channel.InboundPhone, PostalCode: "00530"}
	for _, id := range []carecontact.ItemID{"i1", "i2", "i3", "i4", "i5", "i6"} {
		r.enqueue(id, call)
	}
	require.Equal(t, routing.TeamLoad{Waiting: 2, SignedIn: 2, Busy: 2}, r.teamLoad("kallio-a"))
	require.Equal(t, routing.TeamLoad{Waiting: 1, SignedIn: 1, Busy: 1}, r.teamLoad("kallio-b"))

	_, err := r.d.TeamLoad("nowhere")
	require.ErrorIs(t, err, routing.ErrUnknownTeam)
}
