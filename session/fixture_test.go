package session_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// t0 is a Monday morning in Helsinki (08:00 EET = 06:00 UTC).
var t0 = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC)

func prof(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }

var (
	nurse1     = prof("nurse-1")
	nurse2     = prof("nurse-2")
	doctor1    = prof("doctor-1")
	physio1    = prof("physio-1")
	outsider   = prof("outsider-9")
	supervisor = prof("lead-1")
	teamBLead  = prof("lead-b")
	// claimant claims the supervisor role the directory does not give her.
	claimant = audit.Actor{Kind: audit.ActorProfessional, ID: "physio-1", Role: "supervisor"}
	router   = audit.System("routing")
	clientA  = audit.Actor{Kind: audit.ActorClient, ID: "client-a"}
	clientB  = audit.Actor{Kind: audit.ActorClient, ID: "client-b"}
)

// staff is the host's directory: lead-1 supervises every area, lead-b
// only team-b; nurses hold no grant.
var staff = mustStaff([]carecontact.StaffMember{
	{ID: "lead-1", Teams: []carecontact.TeamID{"team-a"}, Area: "north", Grants: []carecontact.Grant{{Role: "supervisor", Scope: carecontact.ScopeOrganisation}}},
	{ID: "lead-b", Teams: []carecontact.TeamID{"team-b"}, Area: "south", Grants: []carecontact.Grant{{Role: "supervisor", Scope: carecontact.ScopeTeam}}},
	{ID: "nurse-1", Teams: []carecontact.TeamID{"team-a"}, Area: "north"},
	{ID: "nurse-2", Teams: []carecontact.TeamID{"team-a"}, Area: "north"},
	{ID: "physio-1", Teams: []carecontact.TeamID{"team-b"}, Area: "south"},
	{ID: "doctor-1", Teams: []carecontact.TeamID{"team-c"}, Area: "north"},
}, nil)

func mustStaff(m []carecontact.StaffMember, teams map[carecontact.TeamID]carecontact.AreaID) *carecontact.Staff {
	s, err := carecontact.NewStaff(m, teams)
	if err != nil {
		panic(err)
	}
	return s
}

// identified is the identification service: client-a completed bank ID
// before the day began; it holds for the day.
var identified = session.Identifications{
	"client-a": {Level: channel.IdentityStrong, Method: "bank_id", At: t0.Add(-time.Hour), Until: t0.Add(12 * time.Hour)},
}

var teams = session.Teams{
	"team-a": {"nurse-1", "nurse-2"},
	"team-b": {"physio-1"},
	"team-c": {"doctor-1"},
}

type fixture struct {
	m     *session.Manager
	log   *memory.AuditLog
	store *memory.SessionStore
	tr    *loopback.Transport
	clk   *clock.Mock
	adm   *demand.Admitter
}

func newFixture(t *testing.T, opts ...func(*session.Config)) *fixture {
	t.Helper()
	f := &fixture{log: memory.NewAuditLog(), tr: loopback.New(), clk: clock.NewMock()}
	f.clk.Set(t0)
	f.store = memory.NewSessionStore(f.log)
	n, c := 0, 0
	adm, err := demand.New(demand.Config{
		Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(f.log), Clock: f.clk, Audit: f.log, Policy: demand.PolicyKeepBoth,
		NewID: func() string { c++; return fmt.Sprintf("contact-%d", c) },
	})
	require.NoError(t, err)
	f.adm = adm
	cfg := session.Config{
		Store: f.store, Audit: f.log, Clock: f.clk, Teams: teams, Staff: staff, Identifier: identified,
		Transports: channel.Transports{Telephony: f.tr, Video: f.tr, Chat: f.tr},
		Demand:     frontdoor.SessionDemand{Admitter: adm},
		NewID:      func() string { n++; return fmt.Sprintf("s%d", n) },
	}
	for _, o := range opts {
		o(&cfg)
	}
	f.m, err = session.New(cfg)
	require.NoError(t, err)
	return f
}

func (f *fixture) tick(d time.Duration) { f.clk.Add(d) }

// open opens a session of client-a for team-a.
func (f *fixture) open(t *testing.T, errand channel.Errand, level channel.IdentityLevel) session.Session {
	t.Helper()
	s, err := f.m.Open(context.Background(), router, session.OpenRequest{
		Client: "client-a", Errand: errand, Team: "team-a", OwnTeam: "team-a", OwnProfessional: "nurse-1",
		WorkItem: "wi-1", Identity: level,
	})
	require.NoError(t, err)
	return s
}

// active opens a session, assigns nurse-1 and starts a leg of kind.
func (f *fixture) active(t *testing.T, errand channel.Errand, level channel.IdentityLevel, kind channel.Kind, ref string) session.Session {
	t.Helper()
	ctx := context.Background()
	s := f.open(t, errand, level)
	_, err := f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.NoError(t, err)
	f.tick(time.Minute)
	s, err = f.m.StartLeg(ctx, nurse1, s.ID, kind, ref)
	require.NoError(t, err)
	return s
}

func (f *fixture) events(t *testing.T, filter audit.Filter) []audit.Event {
	t.Helper()
	evs, err := f.log.Events(context.Background(), filter)
	require.NoError(t, err)
	return evs
}

// trail renders the session's audit trail as "actor action outcome from->to".
func (f *fixture) trail(t *testing.T, id string) []string {
	t.Helper()
	var out []string
	for _, e := range f.events(t, audit.Filter{Subject: "session/" + id}) {
		line := fmt.Sprintf("%s %s %s", e.Actor.ID, e.Action, e.Outcome)
		if e.Detail["from"] != "" {
			line += " " + e.Detail["from"] + "->" + e.Detail["to"]
		}
		out = append(out, line)
	}
	return out
}

// checklists is a ChecklistPolicy built from a table.
type checklists map[string][]string

func (c checklists) Required(action string, kind channel.Kind) []string {
	return c[action+"/"+string(kind)]
}

// videoWithDoctor runs a callback, escalates it to video and invites doctor-1.
func (f *fixture) videoWithDoctor(t *testing.T, errand channel.Errand) session.Session {
	t.Helper()
	ctx := context.Background()
	s := f.active(t, errand, channel.IdentityStrong, channel.Callback, "")
	s, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	s, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
	require.NoError(t, err)
	return s
}

// handle takes a waiting session as who, runs one leg and closes it with outcome.
func (f *fixture) handle(t *testing.T, who audit.Actor, id string, kind channel.Kind, ref string, outcome session.Outcome) session.CloseResult {
	t.Helper()
	ctx := context.Background()
	_, err := f.m.Assign(ctx, who, id, carecontact.ProfessionalID(who.ID))
	require.NoError(t, err)
	_, err = f.m.StartLeg(ctx, who, id, kind, ref)
	require.NoError(t, err)
	_, err = f.m.FinishContact(ctx, who, id)
	require.NoError(t, err)
	res, err := f.m.Close(ctx, who, id, outcome)
	require.NoError(t, err)
	return res
}
