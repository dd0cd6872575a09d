package callback_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// A professional accepts the due requests of their own team, or of the
// teams a coordinator grant reaches; a claimed role or another team's
// membership is refused and audited. Reads of a request take the caller
// and are audited; a client reads only their own.
func TestAcceptAndReadAreChecked(t *testing.T) {
	ctx := context.Background()
	staff, err := carecontact.NewStaff([]carecontact.StaffMember{
		{ID: "n-0", Teams: []carecontact.TeamID{"team-north"}, Area: "north"},
		{ID: "s-0", Teams: []carecontact.TeamID{"team-south"}, Area: "south"},
		{ID: "coord", Teams: []carecontact.TeamID{"team-east"}, Area: "east",
			Grants: []carecontact.Grant{{Role: callback.DefaultCrossTeamRole, Scope: carecontact.ScopeOrganisation}}},
		{ID: "lead-s", Teams: []carecontact.TeamID{"team-south"}, Area: "south",
			Grants: []carecontact.Grant{{Role: callback.DefaultCrossTeamRole, Scope: carecontact.ScopeArea}}},
	}, map[carecontact.TeamID]carecontact.AreaID{"team-north": "north"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name    string
		who     carecontact.ProfessionalID
		allowed bool
	}{
		{"own team", "n-0", true},
		{"another team", "s-0", false},
		{"coordinator of every area", "coord", true},
		{"coordinator of another area", "lead-s", false},
		{"unknown", "x-9", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			capa := callback.NewStaticCapacity(nil)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			log := memory.NewAuditLog()
			svc, _ := newPlanner(t, callback.Config{Staff: staff, Audit: log}, capa)
			now := at(2026, 11, 23, 9, 30)
			p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
			require.NoError(t, err)
			_, err = on(svc, now).Plan(ctx)
			require.NoError(t, err)
			_, err = on(svc, now).Accept(ctx, p.Request, tc.who)
			evs, lerr := log.Events(ctx, audit.Filter{ActorID: string(tc.who), Action: "callback.attempt"})
			require.NoError(t, lerr)
			if tc.allowed {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, callback.ErrNotAllowed)
			require.ErrorIs(t, err, carecontact.ErrNotAllowed)
			require.Len(t, evs, 1)
			require.Equal(t, audit.Denied, evs[0].Outcome)
			rec, err := on(svc, now).Get(ctx, audit.System("test"), p.Request)
			require.NoError(t, err)
			require.Equal(t, callback.StateDue, rec.State, "still due for its own team")
		})
	}
	t.Run("reads", func(t *testing.T) {
		capa := callback.NewStaticCapacity(nil)
		require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
		log := memory.NewAuditLog()
		svc, _ := newPlanner(t, callback.Config{Staff: staff, Audit: log}, capa)
		now := at(2026, 11, 23, 9, 30)
		p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
		require.NoError(t, err)
		for _, tc := range []struct {
			who     audit.Actor
			allowed bool
		}{
			{audit.Actor{Kind: audit.ActorClient, ID: "c1"}, true},
			{audit.Actor{Kind: audit.ActorClient, ID: "c2"}, false},
			{audit.Actor{Kind: audit.ActorProfessional, ID: "n-0"}, true},
			{audit.Actor{}, false},
		} {
			_, err := svc.Get(ctx, tc.who, p.Request)
			if tc.allowed {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		}
		evs, err := log.Events(ctx, audit.Filter{Action: "callback.read"})
		require.NoError(t, err)
		require.Len(t, evs, 4, "every read and refusal is audited")
		outcomes := []audit.Outcome{evs[0].Outcome, evs[1].Outcome, evs[2].Outcome, evs[3].Outcome}
		require.Equal(t, []audit.Outcome{audit.Allowed, audit.Denied, audit.Allowed, audit.Denied}, outcomes)
		for _, e := range evs {
			require.NotContains(t, e.Detail, "phone")
		}
	})
}
