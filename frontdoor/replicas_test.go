package frontdoor_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// Two replicated doors over one store: a chat admitted through A is
// offered to the nurse who signed in through B, accepted through B and
// closed through A.
func TestReplicatedDoors(t *testing.T) {
	ctx := context.Background()
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}},
		Professionals: []routing.Professional{{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	capa := callback.NewStaticCapacity(nil)
	clk := clock.NewMock()
	clk.Set(at(2026, time.November, 23, 9, 0))
	db := memory.New()
	newDoor := func(db *memory.DB, prefix string) *frontdoor.Door {
		n := 0
		d, err := frontdoor.New(ctx, frontdoor.Config{Clock: clk, Directory: dir, Capacity: capa, Replicated: true,
			Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(),
				Session: db.SessionStore(), Demand: db.DemandStore(), Audit: db.AuditLog()},
			NewID: func() string { n++; return prefix + string(rune('a'+n)) }})
		require.NoError(t, err)
		return d
	}
	a, b := newDoor(db, "ka"), newDoor(db.Share(), "kb")

	_, err = b.SetPresence(ctx, "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	clk.Add(routing.DefaultRefreshEvery)
	require.NoError(t, a.Advance(ctx))
	c, err := a.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, c.Item.State, "A knows aino signed in through B")
	require.Equal(t, carecontact.ProfessionalID("aino"), c.Item.Professional)

	s, err := b.Accept(ctx, "aino", c.Item.ID)
	require.NoError(t, err, "B serves the chat A admitted")
	require.Equal(t, carecontact.ProfessionalID("aino"), s.Assignee)
	_, err = a.Close(ctx, "aino", s.ID, session.OutcomeResolved)
	require.NoError(t, err, "A closes the session B opened")
	_, ok := a.Parts().Dispatcher.Item(c.Item.ID)
	require.False(t, ok)
}

// switchLeader is a Leadership the test hands from replica to replica.
type switchLeader struct {
	holder *int
	me     int
	term   *int64
}

func (s switchLeader) Leading() (carecontact.Fence, bool) {
	return carecontact.Fence{Lease: "routing", Token: *s.term}, *s.holder == s.me
}

// Two doors with a leader: the follower admits a chat without offering
// it, the leader offers it at its next refresh; when the lead passes, the
// old leader no longer times the offer out and the new one does, at the
// time it took over.
func TestLedDoors(t *testing.T) {
	ctx := context.Background()
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}},
		Professionals: []routing.Professional{{ID: "aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"},
			Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	require.NoError(t, err)
	capa := callback.NewStaticCapacity(nil)
	clk := clock.NewMock()
	clk.Set(at(2026, time.November, 23, 9, 0))
	db := memory.New()
	holder, term := 0, int64(1)
	newDoor := func(db *memory.DB, me int, prefix string) *frontdoor.Door {
		n := 0
		d, err := frontdoor.New(ctx, frontdoor.Config{Clock: clk, Directory: dir, Capacity: capa, Replicated: true,
			Leader: switchLeader{holder: &holder, me: me, term: &term},
			Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(),
				Session: db.SessionStore(), Demand: db.DemandStore(), Audit: db.AuditLog()},
			NewID: func() string { n++; return prefix + string(rune('a'+n)) }})
		require.NoError(t, err)
		return d
	}
	a, b := newDoor(db, 0, "ka"), newDoor(db.Share(), 1, "kb")
	store := db.RoutingStore()

	_, err = b.SetPresence(ctx, "aino", routing.PresenceAvailable)
	require.NoError(t, err)
	c, err := b.Contact(ctx, chat("client-1"))
	require.NoError(t, err)
	require.Equal(t, routing.ItemQueued, c.Item.State, "the follower makes no offer")
	clk.Add(routing.DefaultRefreshEvery)
	require.NoError(t, a.Advance(ctx))
	it, err := store.Item(ctx, c.Item.ID)
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, it.State, "the leader offers at its refresh")

	holder, term = 1, 2
	clk.Set(it.Deadline.Add(time.Minute))
	require.NoError(t, a.Advance(ctx))
	got, err := store.Item(ctx, c.Item.ID)
	require.NoError(t, err)
	require.Equal(t, it.Version, got.Version, "the old leader decides nothing")
	require.NoError(t, b.Advance(ctx))
	got, err = store.Item(ctx, c.Item.ID)
	require.NoError(t, err)
	require.Contains(t, got.Excluded, carecontact.ProfessionalID("aino"), "the new leader times the offer out")
	require.Equal(t, routing.ItemQueued, got.State)
}
