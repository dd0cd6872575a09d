// Command desk is a professional's day at the remote reception of a health
// station, run on the front door in virtual time: nurse Aino (staff ID
// nurse-1) takes a callback about a wound, turns it into a video call
// without starting over, brings a doctor and a physiotherapist into the
// call, and closes the errand; the client's duplicate phone call about the
// same errand is recognised at admission and withdrawn when the callback
// settles it. Everything the library asked the telephony and video services
// to do, the front door's events and the whole audit trail are printed.
//
//	go run ./examples/desk
//
// The output is deterministic (a mock clock, counters for IDs, the loopback
// transport); examples/desk/testdata/output.golden is the reviewed transcript.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "desk:", err)
		os.Exit(1)
	}
}

// checklist is the professional checklist the desk runs with; in a host the
// guidance package's published catalog plays this part.
type checklist map[string][]string

// Required implements session.ChecklistPolicy.
func (c checklist) Required(action string, k channel.Kind) []string { return c[action+" "+string(k)] }

// registry stands for the host's population register lookup: it maps a
// personal identity code to the pseudonymous client reference. The code is
// the Digital and Population Data Services Agency's published example.
func registry(_ context.Context, p session.PersonalCode) (carecontact.ClientRef, error) {
	if p.Reveal() == "131052-308T" {
		return "client-101", nil
	}
	return "", errors.New("not found")
}

// organisation is the health station: the Koivikko nurses, a doctor and a
// physiotherapist, and a nurse of the Malmi station. Nurses take the calls
// and chats (nurse-2 also the secure messages) and wait for the station's
// nurses, a due callback an hour for the client's own nurse before her
// team; certificates go to the doctors. The Koivikko nurses pilot video.
func organisation() (*routing.Directory, error) {
	hours := routing.Weekdays(civil.At(8, 0), civil.At(16, 0))
	pro := func(id string, role routing.Role, team carecontact.TeamID, c routing.Capacity) routing.Professional {
		p := routing.Professional{ID: carecontact.ProfessionalID(id), Role: role, Languages: []civil.Language{civil.Finnish},
			Teams: []carecontact.TeamID{team}, Capacity: c}
		if role == routing.RoleNurse {
			p.WrapUp = 5 * time.Minute // for notes after each contact
		}
		return p
	}
	call := routing.Capacity{Synchronous: 1, Chat: 2}
	nurse := []routing.Role{routing.RoleNurse}
	return routing.NewDirectory(routing.Config{
		Areas: []routing.Area{
			{ID: "koivikko", NameFi: "Koivikko", PostalCodes: []routing.PostalCode{"00760"}, Hours: hours},
			{ID: "malmi", NameFi: "Malmi", PostalCodes: []routing.PostalCode{"00700"}, Hours: hours},
		},
		Teams: []routing.Team{
			{ID: "team-koivikko", NameFi: "Koivikon omatiimi", Area: "koivikko"},
			{ID: "team-gp", NameFi: "Koivikon lääkärit", Area: "koivikko"},
			{ID: "team-physio", NameFi: "Koivikon fysioterapia", Area: "koivikko"},
			{ID: "team-malmi", NameFi: "Malmin omatiimi", Area: "malmi"},
		},
		Professionals: []routing.Professional{
			pro("nurse-1", routing.RoleNurse, "team-koivikko", call),
			pro("nurse-2", routing.RoleNurse, "team-koivikko", routing.Capacity{Synchronous: 1, Chat: 2, Message: 10}),
			pro("doctor-1", routing.RoleDoctor, "team-gp", call),
			pro("physio-1", routing.RolePhysiotherapist, "team-physio", call),
			pro("nurse-7", routing.RoleNurse, "team-malmi", call),
		},
		Policies: []routing.Policy{
			{Steps: []routing.Step{{Target: routing.TargetOwnProfessional, Timeout: 2 * time.Minute, Roles: nurse},
				{Target: routing.TargetOwnTeam, Timeout: 5 * time.Minute, Roles: nurse}, {Target: routing.TargetHomeArea, Roles: nurse}}},
			{Channel: channel.Callback, Steps: []routing.Step{{Target: routing.TargetOwnProfessional, Timeout: time.Hour, Roles: nurse},
				{Target: routing.TargetOwnTeam, Roles: nurse}}},
			{Errand: channel.ErrandCertificate, Steps: []routing.Step{{Target: routing.TargetHomeArea, Roles: []routing.Role{routing.RoleDoctor}}}},
		},
		Pilots: []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"team-koivikko"}}},
	})
}

type desk struct {
	w      io.Writer
	ctx    context.Context
	clk    *clock.Mock
	zone   *time.Location
	door   *frontdoor.Door
	tally  *frontdoor.Tally
	log    *memory.AuditLog
	tr     *loopback.Transport
	events []frontdoor.Event
}

func run(w io.Writer) error {
	ctx := context.Background()
	dir, err := organisation()
	if err != nil {
		return err
	}
	capa := callback.NewStaticCapacity(nil)
	if err := capa.SetTeam("team-koivikko", callback.Shift{Professional: "nurse-1", From: civil.At(8, 0), To: civil.At(16, 0)}); err != nil {
		return err
	}
	tally, err := frontdoor.NewTally(frontdoor.TallyConfig{})
	if err != nil {
		return err
	}
	db := memory.New()
	d := &desk{w: w, ctx: ctx, clk: clock.NewMock(), zone: civil.Helsinki(), tally: tally, log: db.AuditLog(), tr: loopback.New()}
	d.clk.Set(d.time("08:00"))
	n := 0
	// The host's staff directory: the head nurse supervises the area's
	// teams. Grants come from here, never from the actor a caller sends.
	staff, err := frontdoor.StaffOf(dir, []carecontact.StaffMember{{ID: "lead-1", Teams: []carecontact.TeamID{"team-koivikko"},
		Grants: []carecontact.Grant{{Role: session.DefaultSupervisorRole, Scope: carecontact.ScopeArea}}}})
	if err != nil {
		return err
	}
	d.door, err = frontdoor.New(ctx, frontdoor.Config{
		Clock: d.clk, Directory: dir, Capacity: capa, Duplicates: demand.PolicyKeepBoth, Staff: staff,
		// The identification service: the client completes bank ID during the call.
		Identifier: session.Identifications{"client-101": {Level: channel.IdentityStrong, Method: "bank_id",
			At: d.time("08:00"), Until: d.time("16:00")}},
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: d.log},
		Transports: channel.Transports{Telephony: d.tr, Video: d.tr, Chat: d.tr},
		Checklists: checklist{
			"leg.start video":          {"private_place", "camera_tested"},
			"participant.invite video": {"team_consent"},
			"close video":              {"summary_given"},
		},
		OnEvent: func(e frontdoor.Event) { d.events = append(d.events, e); tally.Add(e) },
		NewID:   func() string { n++; return fmt.Sprintf("k%d", n) },
	})
	if err != nil {
		return err
	}
	if err := d.day(); err != nil {
		return err
	}
	return d.report()
}

// time is hh:mm on Monday 23 November 2026, Helsinki time.
func (d *desk) time(hhmm string) time.Time {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	return time.Date(2026, 11, 23, h, m, 0, 0, d.zone)
}

// at runs the door in virtual time to hh:mm, through every deadline on the
// way (the driver contract), and prints a heading.
func (d *desk) at(hhmm, what string) error {
	until := d.time(hhmm)
	for i := 0; ; i++ {
		next, ok, err := d.door.NextDeadline(d.ctx)
		if err != nil {
			return err
		}
		if !ok || next.After(until) {
			break
		}
		if i == 10000 {
			return fmt.Errorf("the door's deadline %v does not pass", next)
		}
		if next.After(d.clk.Now()) {
			d.clk.Set(next)
		}
		if err := d.door.Advance(d.ctx); err != nil {
			return err
		}
	}
	d.clk.Set(until)
	if err := d.door.Advance(d.ctx); err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\n%s  %s\n", hhmm, what)
	return nil
}

func (d *desk) say(format string, args ...any) { fmt.Fprintf(d.w, "       "+format+"\n", args...) }

// sessions reaches the session manager for what the door does not offer:
// the supervisor's report.
func (d *desk) sessions() *session.Manager { return d.door.Parts().Sessions }

// check completes checklist items on contact id as p.
func (d *desk) check(p carecontact.ProfessionalID, id string, items ...string) error {
	for _, item := range items {
		if _, err := d.door.Tick(d.ctx, p, id, item); err != nil {
			return err
		}
	}
	return nil
}

func (d *desk) signIn(pr routing.Presence, ps ...carecontact.ProfessionalID) error {
	for _, p := range ps {
		if _, err := d.door.SetPresence(d.ctx, p, pr); err != nil {
			return err
		}
	}
	return nil
}

func (d *desk) showDesk(p carecontact.ProfessionalID) error {
	dk, err := d.door.Desk(d.ctx, p)
	if err != nil {
		return err
	}
	d.say("desk of %s (%s):", p, dk.Professional.Effective())
	for _, part := range []struct {
		name  string
		items []frontdoor.DeskItem
	}{{"offer", dk.Offers}, {"contact", dk.Contacts}, {"waiting", dk.Waiting}} {
		if len(part.items) == 0 {
			d.say("  %-8s none", part.name)
		}
		for _, it := range part.items {
			line := fmt.Sprintf("%s %s (item %s)", it.Channel, it.Contact, it.Item.ID)
			if it.Guest {
				line += ", as a guest"
			}
			if len(it.Actions) > 0 {
				line += fmt.Sprintf(", may %v", it.Actions)
			}
			if len(it.SwitchTo) > 0 {
				line += fmt.Sprintf(" to %v", it.SwitchTo)
			}
			d.say("  %-8s %s", part.name, line)
		}
	}
	return nil
}

func (d *desk) day() error {
	ctx, door := d.ctx, d.door
	client := audit.Actor{Kind: audit.ActorClient, ID: "client-101"}
	wound := frontdoor.ContactRequest{Actor: client, Client: "client-101", Errand: channel.ErrandWoundCare,
		PostalCode: "00760", OwnTeam: "team-koivikko", OwnProfessional: "nurse-1", Language: "fi"}

	fmt.Fprintln(d.w, "A day at the desk of nurse-1, team Koivikko (times in Europe/Helsinki)")
	if err := d.at("08:00", "the station opens: nurse-1 is in the team's morning meeting, nurse-2 at the vaccination clinic (both signed in, busy); doctor-1 and physio-1 at their desks"); err != nil {
		return err
	}
	if err := d.signIn(routing.PresenceBusy, "nurse-1", "nurse-2"); err != nil {
		return err
	}
	if err := d.signIn(routing.PresenceAvailable, "doctor-1", "physio-1"); err != nil {
		return err
	}

	if err := d.at("08:02", "client-101 asks for a callback: a wound on the shin is not healing"); err != nil {
		return err
	}
	req := wound
	req.Channel, req.Phone = channel.Callback, "+358401234567"
	cb, err := door.Contact(ctx, req)
	if err != nil {
		return err
	}
	d.say("contact %s: callback promised %s-%s by %s; its session waits, identification weak (asked in the call)",
		cb.ID, cb.Promise.Window.Start.In(d.zone).Format("15:04"), cb.Promise.Window.End.In(d.zone).Format("15:04"), cb.Promise.Team)

	if err := d.at("08:10", "client-101, unsure the callback comes, also tries the chat"); err != nil {
		return err
	}
	req = wound
	req.Channel, req.Identity, req.IdentityMethod = channel.Chat, channel.IdentityStrong, "bank_id"
	_, err = door.Contact(ctx, req)
	var unsuitable *channel.UnsuitableError
	if !errors.As(err, &unsuitable) {
		return fmt.Errorf("the chat about a wound was not refused: %v", err)
	}
	d.say("chat refused: %s", unsuitable.Reason)
	req = wound
	req.Errand, req.Channel, req.Identity, req.IdentityMethod = channel.ErrandChronicFollowUp, channel.SecureMessage, channel.IdentityStrong, "bank_id"
	msg, err := door.Contact(ctx, req)
	if err != nil {
		return err
	}
	d.say("a secure message about diabetes follow-up is another errand: contact %s, duplicate %v", msg.ID, msg.Duplicate)
	req = wound
	req.Channel = channel.InboundPhone
	dup, err := door.Contact(ctx, req)
	if err != nil {
		return err
	}
	d.say("and calls the health station: contact %s duplicates contact %s (policy keep both: queued, position %d)",
		dup.ID, dup.ExistingID, dup.Wait.Position)

	if err := d.at("08:30", "nurse-1 is out of the meeting: the due callback is offered to her"); err != nil {
		return err
	}
	if err := d.signIn(routing.PresenceAvailable, "nurse-1"); err != nil {
		return err
	}
	if err := d.showDesk("nurse-1"); err != nil {
		return err
	}
	dk, err := door.Desk(ctx, "nurse-1")
	if err != nil {
		return err
	}
	if len(dk.Offers) != 1 || dk.Offers[0].Contact != cb.ID {
		return fmt.Errorf("nurse-1 was not offered callback %s: %+v", cb.ID, dk.Offers)
	}
	s, err := door.Accept(ctx, "nurse-1", dk.Offers[0].Item.ID)
	if err != nil {
		return err
	}
	d.say("accepted: session %s %s, leg %d: %s %s", s.ID, s.State, len(s.Legs), s.Legs[0].Kind, s.Legs[0].Ref)
	if err := door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallAnswered, Contact: s.ID}); err != nil {
		return err
	}
	if s, err = d.door.VerifyPersonalCode(ctx, "nurse-1", s.ID, "131052-308T", registry); err != nil {
		return err
	}
	d.say("the client answers; the nurse checks the personal code the client tells (%s, method %s); the code is printed nowhere",
		s.Identity, s.IdentityMethod)

	if err := d.at("08:36", "the nurse needs to see the wound: switch the call to video"); err != nil {
		return err
	}
	toVideo := frontdoor.SwitchRequest{To: channel.Video, Consent: true}
	_, err = door.Switch(ctx, "nurse-1", s.ID, toVideo)
	d.say("refused: %v", err)
	if s, err = d.door.Identify(ctx, "nurse-1", s.ID, channel.IdentityStrong, "bank_id"); err != nil {
		return err
	}
	d.say("client-101 logs in with bank credentials: identification %s", s.Identity)
	_, err = door.Switch(ctx, "nurse-1", s.ID, toVideo)
	d.say("refused: %v", err)
	if err := d.check("nurse-1", s.ID, "private_place", "camera_tested"); err != nil {
		return err
	}
	d.say("checklist done: private_place, camera_tested")
	d.tr.Fail(loopback.OpCreateRoom, fmt.Errorf("video service busy: %w", channel.ErrTransient))
	if s, err = door.Switch(ctx, "nurse-1", s.ID, toVideo); err != nil {
		return err
	}
	d.say("leg %d: %s %s (the first room request failed and was retried; the call moved into the room)",
		len(s.Legs), s.Legs[1].Kind, s.Legs[1].Ref)
	if err := door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineJoined, Contact: s.ID, Client: true}); err != nil {
		return err
	}

	if err := d.at("08:41", "a doctor and a physiotherapist are brought into the call"); err != nil {
		return err
	}
	_, err = door.Invite(ctx, "nurse-1", s.ID, "doctor-1", "gp")
	d.say("refused: %v", err)
	if err := d.check("nurse-1", s.ID, "team_consent"); err != nil {
		return err
	}
	if _, err = door.Invite(ctx, "nurse-1", s.ID, "doctor-1", "gp"); err != nil {
		return err
	}
	if s, err = door.Invite(ctx, "nurse-1", s.ID, "physio-1", "physiotherapist"); err != nil {
		return err
	}
	d.say("participants: %s", participants(s))
	if s, err = d.door.Note(ctx, "doctor-1", s.ID, "Venous ulcer, no infection; compression and dressing plan."); err != nil {
		return err
	}
	d.say("doctor-1 writes a note (%d note(s); the text stays out of the audit trail)", len(s.Notes))
	_, err = door.Session(ctx, "nurse-7", s.ID)
	d.say("nurse-7 of another team tries to open the session: %v", err)

	if err := d.at("08:44", "client-202 calls the doctors about a sick-leave certificate"); err != nil {
		return err
	}
	cert, err := door.Contact(ctx, frontdoor.ContactRequest{Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-202"},
		Client: "client-202", Errand: channel.ErrandCertificate, Channel: channel.InboundPhone, PostalCode: "00760", Language: "fi"})
	if err != nil {
		return err
	}
	d.say("contact %s %s, queue position %d: the doctor in the room is offered nothing", cert.ID, cert.Item.State, cert.Wait.Position)
	if err := d.showDesk("doctor-1"); err != nil {
		return err
	}

	if err := d.at("08:49", "the physiotherapist has shown the exercises and leaves the room"); err != nil {
		return err
	}
	if err := door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineLeft, Contact: s.ID, Professional: "physio-1"}); err != nil {
		return err
	}
	if s, err = door.Session(ctx, "nurse-1", s.ID); err != nil {
		return err
	}
	d.say("participants: %s", participants(s))

	if err := d.at("08:55", "the video call ends; wrap-up"); err != nil {
		return err
	}
	if err := door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallEnded, Contact: s.ID}); err != nil {
		return err
	}
	d.say("doctor-1 leaves with the call; nurse-1 writes her note and ticks summary_given")
	if s, err = d.door.Note(ctx, "nurse-1", s.ID, "Dressing plan sent to the client; follow-up in two weeks."); err != nil {
		return err
	}
	if err := d.check("nurse-1", s.ID, "summary_given"); err != nil {
		return err
	}
	closed, err := door.Close(ctx, "nurse-1", s.ID, session.OutcomeResolved)
	if err != nil {
		return err
	}
	d.say("closed: %s; participants: %s", closed.Session.Outcome, participants(closed.Session))
	for _, wd := range closed.Withdrawn {
		d.say("withdrawn: %s contact %s (taken out of the phone queue)", wd.Kind, wd.Ref)
	}
	if err := d.showDesk("nurse-1"); err != nil {
		return err
	}
	if err := d.showDesk("doctor-1"); err != nil {
		return err
	}
	if _, err := door.Accept(ctx, "doctor-1", cert.Item.ID); err != nil {
		return err
	}
	d.say("doctor-1, out of the room, takes the certificate call %s", cert.ID)

	if err := d.at("09:03", "doctor-1 has assessed the client and writes the certificate"); err != nil {
		return err
	}
	if closed, err = door.Close(ctx, "doctor-1", cert.ID, session.OutcomeResolved); err != nil {
		return err
	}
	d.say("closed: %s", closed.Session.Outcome)

	if err := d.at("16:00", "the team lead looks at the day"); err != nil {
		return err
	}
	d.say("the secure message about the other errand still waits for nurse-2:")
	if err := d.showDesk("nurse-2"); err != nil {
		return err
	}
	k := d.tally.Report(d.clk.Now()).Total.KPIs
	d.say("contacts %d, duplicate demand %v, first-contact resolution %v", k.Contacts, k.DuplicateDemand, k.FirstContactResolution)
	d.say("same-day callbacks %v, promises kept %v, own professional %v", k.SameDayCallback, k.PromiseKept, k.OwnProfessional)
	lead := audit.Actor{Kind: audit.ActorProfessional, ID: "lead-1"}
	sk, err := d.sessions().Report(ctx, lead, d.clk.Now().Add(-12*time.Hour), d.clk.Now())
	if err != nil {
		return err
	}
	d.say("sessions closed %d, switches %v", sk.Closed, sk.Switches)
	for _, kind := range slices.Sorted(maps.Keys(sk.HandlingTime)) {
		d.say("handling time %-13s %v", kind, sk.HandlingTime[kind].Total)
	}
	return nil
}

func participants(s session.Session) string {
	var out []string
	for _, p := range s.Participants {
		state := "in"
		if !p.Present() {
			state = "left"
		}
		out = append(out, fmt.Sprintf("%s (%s, %s)", p.ID, p.Role, state))
	}
	return strings.Join(out, ", ")
}

// report prints what the transports were asked to do, the front door's
// events and the audit trail.
func (d *desk) report() error {
	fmt.Fprintln(d.w, "\nWhat the telephony and video services were asked to do:")
	for _, r := range d.tr.Records() {
		fmt.Fprintf(d.w, "  %s\n", r)
	}
	fmt.Fprintf(d.w, "\nFront door events (%d):\n", len(d.events))
	for _, e := range d.events {
		line := fmt.Sprintf("  %s %-17s %-6s %-8s", e.At.In(d.zone).Format("15:04"), e.Kind, e.Contact, e.Professional)
		if e.Outcome != "" {
			line += " " + string(e.Outcome)
		}
		if e.Reason != "" {
			line += " " + e.Reason
		}
		fmt.Fprintln(d.w, strings.TrimRight(line, " "))
	}
	events, err := d.log.Events(d.ctx, audit.Filter{})
	if err != nil {
		return err
	}
	// The duplicate-demand records have random IDs; they are printed as
	// d1, d2, ... in order of appearance, so the transcript is the same on
	// every run.
	alias := map[string]string{}
	named := func(v string) string {
		id, ok := strings.CutPrefix(v, "contact/")
		if !ok {
			return v
		}
		if _, seen := alias[id]; !seen {
			alias[id] = fmt.Sprintf("d%d", len(alias)+1)
		}
		return "contact/" + alias[id]
	}
	fmt.Fprintf(d.w, "\nAudit trail (%d events):\n", len(events))
	for _, e := range events {
		var detail []string
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			detail = append(detail, k+"="+named(e.Detail[k]))
		}
		line := fmt.Sprintf("  %s %-22s %-20s %-11s %-7s %s", e.At.In(d.zone).Format("15:04"), e.Actor,
			e.Action, named(e.Subject), e.Outcome, strings.Join(detail, " "))
		fmt.Fprintln(d.w, strings.TrimRight(line, " "))
	}
	return nil
}
