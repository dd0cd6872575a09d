package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// Supervisor access comes from the staff directory with its scope, never
// from the role a caller writes into its actor.
func TestSupervisorAccessComesFromTheDirectory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ownA := f.open(t, channel.ErrandLabResults, channel.IdentityWeak) // team-a
	ownB, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-b", Errand: channel.ErrandLabResults, Team: "team-b", WorkItem: "wi-2", Identity: channel.IdentityWeak})
	require.NoError(t, err)
	clientClaim := audit.Actor{Kind: audit.ActorClient, ID: "client-b", Role: "supervisor"}
	for _, tc := range []struct {
		name    string
		actor   audit.Actor
		session session.Session
		allowed bool
	}{
		{"organisation supervisor, team-a", supervisor, ownA, true},
		{"organisation supervisor, team-b", supervisor, ownB, true},
		{"team-b supervisor, own team", teamBLead, ownB, true},
		{"team-b supervisor, another team", teamBLead, ownA, false},
		{"claimed role, another team", claimant, ownA, false},
		{"claimed role, client", clientClaim, ownA, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.m.Get(ctx, tc.actor, tc.session.ID)
			evs := f.events(t, audit.Filter{Action: "session.read", Subject: "session/" + tc.session.ID, ActorID: tc.actor.ID})
			require.NotEmpty(t, evs, "the read is audited either way")
			last := evs[len(evs)-1]
			if tc.allowed {
				require.NoError(t, err)
				require.Equal(t, audit.Allowed, last.Outcome)
				return
			}
			require.ErrorIs(t, err, session.ErrAccessDenied)
			require.Equal(t, audit.Denied, last.Outcome)
		})
	}
}

// A supervisor's report holds the sessions their grant reaches; a claimed
// role reports nothing and is audited as denied.
func TestReportIsScoped(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	closeOne := func(team, client, item string, who audit.Actor) {
		s, err := f.m.Open(ctx, router, session.OpenRequest{Client: carecontact.ClientRef(client), Errand: channel.ErrandLabResults, Team: carecontact.TeamID(team), WorkItem: carecontact.ItemID(item), Identity: channel.IdentityWeak})
		require.NoError(t, err)
		f.handle(t, who, s.ID, channel.Callback, "", session.OutcomeResolved)
	}
	closeOne("team-a", "client-a", "wi-1", nurse1)
	closeOne("team-b", "client-b", "wi-2", physio1)
	closeOne("team-b", "client-c", "wi-3", physio1)
	until := t0.Add(24 * time.Hour)
	for _, tc := range []struct {
		name   string
		actor  audit.Actor
		closed int // -1: denied
	}{
		{"system", router, 3},
		{"organisation supervisor", supervisor, 3},
		{"team-b supervisor", teamBLead, 2},
		{"claimed role", claimant, -1},
		{"client with the role", audit.Actor{Kind: audit.ActorClient, ID: "client-a", Role: "supervisor"}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := f.m.Report(ctx, tc.actor, t0, until)
			evs := f.events(t, audit.Filter{Action: "session.report", ActorID: tc.actor.ID})
			require.NotEmpty(t, evs)
			if tc.closed < 0 {
				require.ErrorIs(t, err, session.ErrAccessDenied)
				require.Equal(t, audit.Denied, evs[len(evs)-1].Outcome)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.closed, k.Closed)
		})
	}
}

// A client reads their own session without the professionals' notes.
func TestClientViewHasNoNotes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.Callback, "")
	_, err := f.m.AddNote(ctx, nurse1, s.ID, "asiakas huolestunut, kontrolli viikon päästä")
	require.NoError(t, err)
	pro, err := f.m.Get(ctx, nurse1, s.ID)
	require.NoError(t, err)
	require.Len(t, pro.Notes, 1)
	own, err := f.m.Get(ctx, clientA, s.ID)
	require.NoError(t, err)
	require.Empty(t, own.Notes, "notes are not the client's to read")
	require.Equal(t, pro.Legs, own.Legs)
	evs := f.events(t, audit.Filter{Action: "session.read", ActorID: clientA.ID})
	require.Len(t, evs, 1)
	require.Equal(t, "client", evs[0].Detail["view"])
	_, err = f.m.Get(ctx, clientB, s.ID)
	require.ErrorIs(t, err, session.ErrAccessDenied, "another client reads nothing")
}
