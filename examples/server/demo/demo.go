package demo

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/server/web"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
	"github.com/carecontact/carecontact/storage/postgres"
)

//go:embed guidance.json
var content []byte

// Passwords are the demo sign-in passwords of the professionals.
var Passwords = map[carecontact.ProfessionalID]string{
	"aino": "aino-demo", "bertil": "bertil-demo", "hanna": "hanna-demo", "dora": "dora-demo", "ville": "ville-demo", "vera": "vera-demo",
}

// Config configures Build.
type Config struct {
	// Clock tells the time of every part. Required.
	Clock carecontact.Clock
	// OnEvent receives the door's events (frontdoor.Config.OnEvent).
	// Defaults to none.
	OnEvent func(frontdoor.Event)
	// BookingDays is how many days ahead the booking index reaches.
	// Defaults to 14.
	BookingDays int
	// Postgres is the database to run on, migrated: every process built
	// over one database is a replica of the door (frontdoor.Config.
	// Replicated), and the first to start publishes the demo's guidance.
	// Defaults to none: a fresh memory store of this process's own.
	Postgres *postgres.DB
	// Leader elects the replicas' leader (frontdoor.Config.Leader), such
	// as a postgres.Lease driven before the door. Requires Postgres.
	// Defaults to none.
	Leader carecontact.Leadership
}

// stores are the stores of one storage adapter.
type stores struct {
	door     frontdoor.Stores
	guidance guidance.Store
	booking  booking.Store
	audit    audit.Log
}

// Demo is the built demonstration: the door, its staff directory and the
// store it runs on.
type Demo struct {
	Door *frontdoor.Door
	// Transport is the loopback telephony and video transport.
	Transport *loopback.Transport
	// Chat is the demo's chat system.
	Chat *web.Conversations
	// Directory is the organisation's routing directory (its areas,
	// teams and professionals).
	Directory *routing.Directory
	Booker    *booking.Booker
	Staff     *carecontact.Staff
	Guide     *guidance.Guide
	// DB is the memory store, nil on PostgreSQL.
	DB      *memory.DB
	Audit   audit.Log
	Content guidance.Content
}

// Build builds the demo organisation and its front door.
func Build(ctx context.Context, cfg Config) (*Demo, error) {
	if cfg.Clock == nil {
		return nil, fmt.Errorf("%w: demo: clock is required", carecontact.ErrInvalid)
	}
	if cfg.BookingDays == 0 {
		cfg.BookingDays = 14
	}
	var st stores
	var db *memory.DB
	if cfg.Postgres != nil {
		p := cfg.Postgres
		st = stores{door: frontdoor.Stores{Routing: p.RoutingStore(), Callback: p.CallbackStore(), Session: p.SessionStore(),
			Demand: p.DemandStore(), Audit: p.AuditLog()}, guidance: p.GuidanceStore(), booking: p.BookingStore(), audit: p.AuditLog()}
	} else {
		if cfg.Leader != nil {
			return nil, fmt.Errorf("%w: demo: a leader needs Postgres", carecontact.ErrInvalid)
		}
		db = memory.New()
		st = stores{door: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()}, guidance: db.GuidanceStore(), booking: db.BookingStore(), audit: db.AuditLog()}
	}
	texts, err := guidance.Decode("guidance.json", bytes.NewReader(content), nil)
	if err != nil {
		return nil, err
	}
	org := Organisation(&texts)
	built, err := org.Build()
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, st, cfg.Clock, texts); err != nil {
		return nil, err
	}
	// Who edits, reviews, approves and publishes comes from the staff
	// directory's grants.
	guide, err := guidance.New(guidance.Config{Store: st.guidance, Audit: st.audit, Clock: cfg.Clock,
		Roles: web.StaffRoles{Staff: built.Staff}})
	if err != nil {
		return nil, err
	}
	today := civil.DateOf(cfg.Clock.Now(), civil.Helsinki())
	index, err := booking.NewIndex(built.Calendars, today, cfg.BookingDays)
	if err != nil {
		return nil, err
	}
	booker, err := booking.New(booking.Config{Index: index, Catalogues: built.Catalogues, Store: st.booking,
		Audit: st.audit, Clock: cfg.Clock, Staff: built.Staff})
	if err != nil {
		return nil, err
	}
	// Telephony and video through the loopback transport (no media); chat
	// through the host's in-memory chat system, which the desk and the
	// client read back.
	lb, chat := loopback.New(), web.NewConversations()
	door, err := frontdoor.New(ctx, frontdoor.Config{Clock: cfg.Clock, Organisation: &org, Guide: guide, Booker: booker,
		Identifier: bankID{cfg.Clock}, Transports: channel.Transports{Telephony: lb, Video: lb, Chat: chat},
		Stores: st.door, OnEvent: cfg.OnEvent, Replicated: cfg.Postgres != nil, Leader: cfg.Leader})
	if err != nil {
		return nil, err
	}
	return &Demo{Door: door, Transport: lb, Chat: chat, Directory: built.Directory, Booker: booker, Staff: built.Staff, Guide: guide, DB: db, Audit: st.audit, Content: texts}, nil
}

// seed publishes the demo's guidance content through the workflow, by
// the content's setup accounts (a writer, a checker and an approver who
// are not staff and cannot sign in): the initial load of a new host. A
// store that holds guidance already (another replica's) is left as it is;
// when two replicas start at once and race, the loser keeps what the
// winner stored.
func seed(ctx context.Context, st stores, clk carecontact.Clock, texts guidance.Content) error {
	roles := guidance.Grants{"setup-writer": {{Role: guidance.RoleEditor}}, "setup-checker": {{Role: guidance.RoleReviewer}},
		"setup-approver": {{Role: guidance.RoleManager}}}
	guide, err := guidance.New(guidance.Config{Store: st.guidance, Audit: st.audit, Clock: clk, Roles: roles})
	if err != nil {
		return err
	}
	if recs, err := guide.Records(ctx); err != nil || len(recs) > 0 {
		return err
	}
	if err := publish(ctx, guide, texts); err != nil {
		if recs, lerr := guide.Records(ctx); lerr == nil && len(recs) > 0 && (errors.Is(err, guidance.ErrState) || errors.Is(err, guidance.ErrConflict)) {
			return nil
		}
		return err
	}
	return nil
}

func publish(ctx context.Context, guide *guidance.Guide, texts guidance.Content) error {
	pro := func(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }
	refs, err := guide.Import(ctx, pro("setup-writer"), texts)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		for _, step := range []func() error{
			func() error { return guide.Submit(ctx, pro("setup-writer"), ref, "initial content") },
			func() error { return guide.Review(ctx, pro("setup-checker"), ref, "initial content") },
			func() error { return guide.Approve(ctx, pro("setup-approver"), ref, "initial content") },
			func() error { return guide.Publish(ctx, pro("setup-approver"), ref, "initial content") },
		} {
			if err := step(); err != nil {
				return err
			}
		}
	}
	return nil
}

// Organisation is the demo organisation over the guidance content.
func Organisation(content *guidance.Content) frontdoor.Organisation {
	pro := func(id carecontact.ProfessionalID, role routing.Role, team carecontact.TeamID) routing.Professional {
		return routing.Professional{ID: id, Role: role, Teams: []carecontact.TeamID{team},
			Languages: []civil.Language{civil.Finnish, civil.Swedish, civil.English}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	hours := routing.Weekdays(civil.At(8, 0), civil.At(16, 0))
	shift := func(p carecontact.ProfessionalID) callback.Shift {
		return callback.Shift{Professional: p, From: civil.At(8, 0), To: civil.At(16, 0)}
	}
	return frontdoor.Organisation{
		Routing: routing.Config{
			Areas: []routing.Area{
				{ID: "kallio", NameFi: "Kallio", NameSv: "Berghäll", PostalCodes: []routing.PostalCode{"00500", "00530"}, Hours: hours},
				{ID: "vallila", NameFi: "Vallila", NameSv: "Vallgård", PostalCodes: []routing.PostalCode{"00510", "00550"}, Hours: hours},
			},
			Teams: []routing.Team{{ID: "kallio-nurses", NameFi: "Kallion hoitajat", Area: "kallio"},
				{ID: "kallio-doctors", NameFi: "Kallion lääkärit", Area: "kallio"},
				{ID: "vallila-nurses", NameFi: "Vallilan hoitajat", Area: "vallila"},
				{ID: "vallila-doctors", NameFi: "Vallilan lääkärit", Area: "vallila"}},
			Professionals: []routing.Professional{pro("aino", routing.RoleNurse, "kallio-nurses"),
				pro("bertil", routing.RoleNurse, "kallio-nurses"), pro("dora", routing.RoleDoctor, "kallio-doctors"),
				pro("ville", routing.RoleNurse, "vallila-nurses"), pro("vera", routing.RoleDoctor, "vallila-doctors")},
			Policies: []routing.Policy{routing.StandardPolicy("")},
			Pilots: []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-doctors", "vallila-doctors"},
				Professionals: []carecontact.ProfessionalID{"aino", "ville"}}},
		},
		ClientGroups: []string{"adult"},
		Calendars: []booking.Calendar{{ID: booking.ProfessionalCalendar("aino"), Kind: booking.OwnerProfessional,
			Area: "kallio", Team: "kallio-nurses", Role: "nurse", Rules: []booking.WeeklyRule{{Weekdays: weekdays,
				Span: civil.Span{From: civil.At(14, 0), To: civil.At(15, 0)}, Block: booking.BlockSelfService}}}},
		Services: []booking.Service{{Code: "bp-check", Area: "kallio", Duration: 20 * time.Minute, Step: 30 * time.Minute,
			Names:   civil.Names{FI: "Verenpaineen seuranta", SV: "Blodtryckskontroll"},
			Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult"}}},
		Rosters: []frontdoor.Roster{
			{Team: "kallio-nurses", Shifts: []callback.Shift{shift("aino"), shift("bertil")}},
			{Team: "vallila-nurses", Shifts: []callback.Shift{shift("ville")}}},
		Guidance: content,
		// The guidance workflow's roles: aino drafts Kallio's texts,
		// bertil reviews them, and hanna, Kallio's head nurse who takes no
		// contacts, approves and publishes every area's.
		Staff: []carecontact.StaffMember{
			{ID: "aino", Grants: []carecontact.Grant{{Role: web.RoleGuidanceEditor, Scope: carecontact.ScopeArea}}},
			{ID: "bertil", Grants: []carecontact.Grant{{Role: web.RoleGuidanceReviewer, Scope: carecontact.ScopeArea}}},
			{ID: "hanna", Teams: []carecontact.TeamID{"kallio-nurses"}, Grants: []carecontact.Grant{
				{Role: web.RoleGuidanceManager, Scope: carecontact.ScopeOrganisation}, {Role: web.RoleGuidanceEditor, Scope: carecontact.ScopeOrganisation}}},
		},
	}
}

// bankID is the demo's simulated identification service: every client has
// just completed bank ID, for an hour. A host asks its real one.
type bankID struct{ clock carecontact.Clock }

func (b bankID) Identification(context.Context, carecontact.ClientRef) (session.Identification, error) {
	now := b.clock.Now()
	return session.Identification{Level: channel.IdentityStrong, Method: "bank_id", At: now, Until: now.Add(time.Hour)}, nil
}
