package routing_test

import (
	"testing"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// twoNurses is one team of two nurses without wrap-up, so a finished
// contact is completed (and its item removed) at once.
func twoNurses() routing.Config {
	return routing.Config{
		Areas: []routing.Area{{ID: "tolo", NameFi: "Töölö", PostalCodes: []routing.PostalCode{"00250"}}},
		Teams: []routing.Team{{ID: "t", NameFi: "Tiimi", Area: "tolo"}},
		Professionals: []routing.Professional{
			{ID: "n1", Role: routing.RoleNurse, Teams: []carecontact.TeamID{"t"}, Capacity: routing.Capacity{Synchronous: 1},
				Languages: []civil.Language{civil.Finnish}},
			{ID: "n2", Role: routing.RoleNurse, Teams: []carecontact.TeamID{"t"}, Capacity: routing.Capacity{Synchronous: 1},
				Languages: []civil.Language{civil.Finnish}},
		},
		Policies: []routing.Policy{{Steps: []routing.Step{{Target: routing.TargetTeam, Team: "t"}}}},
	}
}

func TestSinkKindsFilterEvents(t *testing.T) {
	tests := []struct {
		name  string
		kinds []routing.EventKind
		want  []string
	}{
		{"every kind", nil, []string{
			"queued a step=0 team", "offered a step=0 team n1", "declined a step=0 team n1",
			"offered a step=0 team n2", "accepted a step=0 team n2", "completed a step=0 team n2",
		}},
		{"offers only", []routing.EventKind{routing.EventOffered}, []string{
			"offered a step=0 team n1", "offered a step=0 team n2",
		}},
		{"declines and completions", []routing.EventKind{routing.EventCompleted, routing.EventDeclined}, []string{
			"declined a step=0 team n1", "completed a step=0 team n2",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, twoNurses(), func(o *routing.DispatcherConfig) { o.SinkKinds = tt.kinds })
			r.presence(routing.PresenceAvailable, "n1", "n2")
			r.enqueue("a", routing.Contact{Client: "c", Errand: channel.ErrandOther, Channel: channel.InboundPhone, Area: "tolo"})
			require.NoError(t, r.d.Decline(r.ctx, "a", "n1"))
			_, err := r.d.Accept(r.ctx, "a", "n2")
			require.NoError(t, err)
			_, err = r.d.Finish(r.ctx, "a", "n2")
			require.NoError(t, err)
			require.Equal(t, tt.want, r.log())
		})
	}
}

func TestSinkKindsRejectsUnknownKind(t *testing.T) {
	dir, err := routing.NewDirectory(twoNurses())
	require.NoError(t, err)
	for _, k := range []routing.EventKind{0, -1, routing.EventReclaimed + 1, 64} {
		_, err := routing.NewDispatcher(t.Context(), routing.DispatcherConfig{Directory: dir,
			Clock: clock.NewMock(), Store: memory.NewRoutingStore(nil),
			Sink: func(routing.Event) {}, SinkKinds: []routing.EventKind{routing.EventOffered, k},
		})
		require.ErrorIs(t, err, routing.ErrInvalid, "kind %d", int(k))
	}
}

// TestRemovedItemsLeaveNothingBehind runs items through decline, accept
// and completion many times, reusing IDs: a new item never inherits the
// state (exclusions, version, step) of one removed before it.
func TestRemovedItemsLeaveNothingBehind(t *testing.T) {
	r := newRig(t, twoNurses(), nil)
	r.presence(routing.PresenceAvailable, "n1", "n2")
	c := routing.Contact{Client: "c", Errand: channel.ErrandOther, Channel: channel.InboundPhone, Area: "tolo"}
	for i := range 300 {
		id := carecontact.ItemID([]string{"a", "b", "c"}[i%3])
		it := r.enqueue(id, c)
		require.Equal(t, routing.ItemOffered, it.State)
		require.Empty(t, it.Excluded)
		require.Equal(t, uint64(2), it.Version) // created, then offered
		first := it.Professional
		require.NoError(t, r.d.Decline(r.ctx, id, first))
		stored, err := r.store.Item(r.ctx, id)
		require.NoError(t, err)
		require.Equal(t, []carecontact.ProfessionalID{first}, stored.Excluded)
		require.Equal(t, routing.ItemOffered, stored.State)
		it, err = r.d.Accept(r.ctx, id, stored.Professional)
		require.NoError(t, err)
		require.Equal(t, []carecontact.ProfessionalID{first}, it.Excluded)
		done, err := r.d.Finish(r.ctx, id, stored.Professional)
		require.NoError(t, err)
		require.Zero(t, done)
		_, err = r.store.Item(r.ctx, id)
		require.ErrorIs(t, err, routing.ErrItemNotFound)
		require.Equal(t, routing.Stats{}, r.d.Stats())
	}
	items, err := r.store.Items(r.ctx)
	require.NoError(t, err)
	require.Empty(t, items)
}
