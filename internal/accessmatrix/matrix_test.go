package accessmatrix_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// The organisation: area north holds teams n1 and n2, area south team s1.
// The client data every operation touches belongs to client c1 and team n1
// in north.
var (
	t0 = time.Date(2026, 11, 23, 6, 0, 0, 0, time.UTC) // Monday 08:00 in Helsinki

	g = func(role string, s carecontact.Scope) carecontact.Grant {
		return carecontact.Grant{Role: role, Scope: s}
	}

	staffList = []carecontact.StaffMember{
		{ID: "nurse-n1", Teams: []carecontact.TeamID{"n1"}, Area: "north"},
		{ID: "nurse-n2", Teams: []carecontact.TeamID{"n2"}, Area: "north"},
		{ID: "nurse-s1", Teams: []carecontact.TeamID{"s1"}, Area: "south"},
		{ID: "lead-n1", Teams: []carecontact.TeamID{"n1"}, Area: "north", Grants: []carecontact.Grant{g(session.DefaultSupervisorRole, carecontact.ScopeTeam)}},
		{ID: "lead-n2", Teams: []carecontact.TeamID{"n2"}, Area: "north", Grants: []carecontact.Grant{g(session.DefaultSupervisorRole, carecontact.ScopeTeam)}},
		{ID: "head-north", Teams: []carecontact.TeamID{"n2"}, Area: "north", Grants: []carecontact.Grant{g(session.DefaultSupervisorRole, carecontact.ScopeArea)}},
		{ID: "coord", Teams: []carecontact.TeamID{"s1"}, Area: "south", Grants: []carecontact.Grant{
			g(session.DefaultSupervisorRole, carecontact.ScopeOrganisation), g(booking.DefaultCrossAreaRole, carecontact.ScopeOrganisation),
			g(callback.DefaultCrossTeamRole, carecontact.ScopeOrganisation)}},
	}
)

// actor is one row of the matrix.
type actor struct {
	name  string
	actor audit.Actor
}

func pro(id, claimed string) audit.Actor {
	return audit.Actor{Kind: audit.ActorProfessional, ID: id, Role: claimed}
}

var actors = []actor{
	{"client, own data", audit.Actor{Kind: audit.ActorClient, ID: "c1"}},
	{"client, another's data", audit.Actor{Kind: audit.ActorClient, ID: "c2"}},
	{"client claiming supervisor", audit.Actor{Kind: audit.ActorClient, ID: "c2", Role: "supervisor"}},
	{"system", audit.System("host")},
	{"nurse, own team", pro("nurse-n1", "")},
	{"nurse, other team same area", pro("nurse-n2", "")},
	{"nurse, other area", pro("nurse-s1", "")},
	{"nurse, other area, claiming every role", pro("nurse-s1", "supervisor")},
	{"unknown professional claiming supervisor", pro("stranger", "supervisor")},
	{"supervisor, team scope, own team", pro("lead-n1", "")},
	{"supervisor, team scope, other team", pro("lead-n2", "")},
	{"supervisor, area scope", pro("head-north", "")},
	{"coordinator, organisation scope", pro("coord", "")},
}

// world is one fresh set of parts over one audit log.
type world struct {
	log      *memory.AuditLog
	clk      *clock.Mock
	sessions *session.Manager
	booker   *booking.Booker
	planner  *callback.Planner
	admit    *demand.Admitter
	session  string // c1's session, owned by n1
	apt      string // c1's appointment in north
	request  string // c1's due callback request of n1
}

func newWorld(t *testing.T) *world {
	ctx := context.Background()
	staff, err := carecontact.NewStaff(staffList, nil)
	require.NoError(t, err)
	w := &world{log: memory.NewAuditLog(), clk: clock.NewMock()}
	w.clk.Set(t0)
	w.admit, err = demand.New(demand.Config{Matrix: channel.DefaultMatrix(), Store: memory.NewDemandStore(w.log), Clock: w.clk,
		Audit: w.log, Policy: demand.PolicyKeepBoth})
	require.NoError(t, err)
	// c1 has completed bank ID for the day; reading health data needs it.
	bankID := session.Identifications{"c1": {Level: channel.IdentityStrong, Method: "bank_id", At: t0, Until: t0.Add(8 * time.Hour)}}
	w.sessions, err = session.New(session.Config{Store: memory.NewSessionStore(w.log), Audit: w.log, Clock: w.clk, Staff: staff, Identifier: bankID,
		Teams: session.Teams{"n1": {"nurse-n1", "lead-n1"}, "n2": {"nurse-n2", "lead-n2", "head-north"}, "s1": {"nurse-s1", "coord"}}})
	require.NoError(t, err)
	s, err := w.sessions.Open(ctx, audit.System("routing"), session.OpenRequest{Client: "c1", Errand: channel.ErrandLabResults,
		Team: "n1", WorkItem: "wi-1", Identity: channel.IdentityWeak})
	require.NoError(t, err)
	w.session = s.ID

	span, err := civil.ParseSpan("08:00-16:00")
	require.NoError(t, err)
	workdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	set, err := booking.NewCalendarSet([]booking.Calendar{{ID: booking.ProfessionalCalendar("nurse-n1"), Kind: booking.OwnerProfessional,
		Area: "north", Team: "n1", Role: "nurse", Rules: []booking.WeeklyRule{{Weekdays: workdays, Span: span, Block: booking.BlockSelfService}}}})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.NewDate(2026, time.November, 23), 14)
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("north", []booking.Service{{Code: "visit", Area: "north", Names: civil.Names{FI: "Käynti"},
		Duration: 30 * time.Minute, Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
		SelfBookGroups: []string{"adult"}}})
	require.NoError(t, err)
	bs := memory.NewBookingStore(w.log)
	w.booker, err = booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: bs, Audit: w.log, Clock: w.clk, Staff: staff})
	require.NoError(t, err)
	sys := booking.Requester{Actor: audit.System("host")}
	slots, err := w.booker.Search(ctx, booking.SearchRequest{Area: "north", Service: "visit", Limit: 1, By: sys, From: t0.Add(48 * time.Hour)})
	require.NoError(t, err)
	a, err := w.booker.Book(ctx, booking.BookRequest{Slot: slots[0], Client: "c1", By: sys})
	require.NoError(t, err)
	w.apt = a.ID

	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("n1", callback.Shift{Professional: "nurse-n1", From: civil.At(8, 0), To: civil.At(16, 0)}))
	router := callback.StaticRouter{Areas: map[string]carecontact.AreaID{"00100": "north"}, Teams: map[carecontact.AreaID]carecontact.TeamID{"north": "n1"}}
	w.planner, err = callback.New(callback.Config{Clock: w.clk, Store: memory.NewCallbackStore(w.log), Router: router, Capacity: capa,
		Audit: w.log, Staff: staff})
	require.NoError(t, err)
	p, err := w.planner.Request(ctx, callback.Request{Client: "c1", Phone: "+358401234567", Errand: channel.ErrandLabResults,
		PostalCode: "00100", Language: "fi"})
	require.NoError(t, err)
	_, err = w.planner.Plan(ctx)
	require.NoError(t, err)
	w.request = p.Request
	return w
}

// operation is one column: what it does, and who may.
type operation struct {
	name   string
	action string // the audit action of the attempt
	run    func(ctx context.Context, w *world, a audit.Actor) error
	// allowed names the rows that may do it; every other row is refused.
	allowed []string
	// skip names rows the operation does not apply to (a client cannot
	// take a callback).
	skip []string
}

func requester(a audit.Actor) booking.Requester {
	return booking.Requester{Actor: a, ClientGroup: "adult"}
}

var (
	clientSelf = "client, own data"
	everyPro   = []string{"nurse, own team", "nurse, other team same area", "nurse, other area", "nurse, other area, claiming every role",
		"unknown professional claiming supervisor", "supervisor, team scope, own team", "supervisor, team scope, other team",
		"supervisor, area scope", "coordinator, organisation scope"}
	clients = []string{"client, own data", "client, another's data", "client claiming supervisor"}
)

var operations = []operation{
	{name: "read a session", action: "session.read",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.sessions.Get(ctx, a, w.session)
			return err
		},
		allowed: []string{clientSelf, "system", "nurse, own team", "supervisor, team scope, own team", "supervisor, area scope", "coordinator, organisation scope"}},
	{name: "take a session", action: "session.assign",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.sessions.Assign(ctx, a, w.session, carecontact.ProfessionalID(a.ID))
			return err
		},
		allowed: []string{"nurse, own team", "supervisor, team scope, own team", "supervisor, area scope", "coordinator, organisation scope"},
		skip:    append(append([]string{}, clients...), "system")},
	{name: "the session report", action: "session.report",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.sessions.Report(ctx, a, t0, t0.Add(24*time.Hour))
			return err
		},
		allowed: []string{"system", "supervisor, team scope, own team", "supervisor, team scope, other team", "supervisor, area scope", "coordinator, organisation scope"}},
	{name: "read an appointment", action: "booking.read",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.booker.Appointment(ctx, w.apt, requester(a))
			return err
		},
		allowed: []string{clientSelf, "system", "nurse, own team", "nurse, other team same area", "supervisor, team scope, own team",
			"supervisor, team scope, other team", "supervisor, area scope", "coordinator, organisation scope"}},
	{name: "cancel an appointment", action: "booking.cancel",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.booker.Cancel(ctx, w.apt, "illness", requester(a))
			return err
		},
		allowed: []string{clientSelf, "system", "nurse, own team", "nurse, other team same area", "supervisor, team scope, own team",
			"supervisor, team scope, other team", "supervisor, area scope", "coordinator, organisation scope"}},
	{name: "accept a due callback", action: "callback.attempt",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.planner.Accept(ctx, w.request, carecontact.ProfessionalID(a.ID))
			return err
		},
		allowed: []string{"nurse, own team", "supervisor, team scope, own team", "coordinator, organisation scope"},
		skip:    append(append([]string{}, clients...), "system")},
	{name: "read a callback request", action: "callback.read",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.planner.Get(ctx, a, w.request)
			return err
		},
		allowed: append([]string{clientSelf, "system"}, everyPro...)},
	{name: "read pending contacts", action: "channel.pending",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.admit.Pending(ctx, a, "c1")
			return err
		},
		allowed: append([]string{clientSelf, "system"}, everyPro...)},
	{name: "admit a contact", action: "channel.admit",
		run: func(ctx context.Context, w *world, a audit.Actor) error {
			_, err := w.admit.Admit(ctx, demand.Request{Actor: a, Client: "c1", Errand: channel.ErrandLabResults, Kind: channel.Chat})
			return err
		},
		allowed: append([]string{clientSelf, "system"}, everyPro...)},
}

// TestAccessMatrix runs every actor against every operation on a fresh
// world: an allowed attempt succeeds, a refused one fails with the root
// kind not-allowed and leaves a denied audit event of its actor (the
// stand-in for an actor the trail cannot record).
func TestAccessMatrix(t *testing.T) {
	ctx := context.Background()
	var tried, allowed, denied int
	for _, op := range operations {
		for _, row := range actors {
			if contains(op.skip, row.name) {
				continue
			}
			tried++
			want := contains(op.allowed, row.name)
			if want {
				allowed++
			} else {
				denied++
			}
			t.Run(op.name+"/"+row.name, func(t *testing.T) {
				w := newWorld(t)
				err := op.run(ctx, w, row.actor)
				if want {
					require.NoError(t, err)
					return
				}
				require.Error(t, err)
				require.True(t, errors.Is(err, carecontact.ErrNotAllowed), "refused as not allowed: %v", err)
				who, _ := audit.StandIn(row.actor)
				evs, lerr := w.log.Events(ctx, audit.Filter{Action: op.action, ActorID: who.ID})
				require.NoError(t, lerr)
				found := false
				for _, e := range evs {
					found = found || e.Outcome == audit.Denied
				}
				require.True(t, found, "the refusal of %s is audited", op.action)
			})
		}
	}
	t.Logf("access matrix: %d attempts over %d operations and %d actors: %d allowed, %d denied and audited",
		tried, len(operations), len(actors), allowed, denied)
	require.GreaterOrEqual(t, tried, 100, "the matrix covers the operations on client data")
	require.Positive(t, denied)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
