// Command desk is a professional's day at the remote reception of a health
// station, run in virtual time: nurse Aino (staff ID nurse-1) takes a
// callback about a wound, turns it into a video call without starting over,
// brings a doctor and a physiotherapist into the call, and closes the
// errand; the client's duplicate chat request for the same errand is found
// at admission and withdrawn when the callback settles it. Everything the
// library would have asked the telephony and video services to do, and the
// whole audit trail, is printed.
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
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
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

type desk struct {
	w     io.Writer
	ctx   context.Context
	clk   *clock.Mock
	zone  *time.Location
	m     *session.Manager
	adm   *demand.Admitter
	log   *memory.AuditLog
	tr    *loopback.Transport
	steps int
}

// at moves the virtual clock to hh:mm Helsinki time and prints a heading.
func (d *desk) at(hhmm, what string) {
	var h, m int
	_, _ = fmt.Sscanf(hhmm, "%d:%d", &h, &m)
	day := time.Date(2026, 11, 23, h, m, 0, 0, d.zone)
	d.clk.Set(day)
	d.steps++
	fmt.Fprintf(d.w, "\n%s  %s\n", hhmm, what)
}

func (d *desk) say(format string, args ...any) { fmt.Fprintf(d.w, "       "+format+"\n", args...) }

func run(w io.Writer) error {
	zone := civil.Helsinki()
	ctx := context.Background()
	clk := clock.NewMock()
	db := memory.New()
	log := db.AuditLog()
	tr := loopback.New()
	contacts, sessions := 0, 0
	adm, err := demand.New(demand.Config{
		Matrix: channel.DefaultMatrix(), Store: db.DemandStore(), Clock: clk,
		Policy: demand.PolicyKeepBoth,
		NewID:  func() string { contacts++; return fmt.Sprintf("c%d", contacts) },
	})
	if err != nil {
		return err
	}
	m, err := session.New(session.Config{
		Store: db.SessionStore(), Audit: log, Clock: clk,
		Teams: session.Teams{
			"team-koivikko": {"nurse-1", "nurse-2"},
			"team-gp":       {"doctor-1"},
			"team-physio":   {"physio-1"},
		},
		Transports: channel.Transports{Telephony: tr, Video: tr, Chat: tr},
		Checklists: checklist{
			"leg.start video":          {"private_place", "camera_tested"},
			"participant.invite video": {"team_consent"},
			"close video":              {"summary_given"},
		},
		Demand: frontdoor.SessionDemand{Admitter: adm},
		NewID:  func() string { sessions++; return fmt.Sprintf("s%d", sessions) },
	})
	if err != nil {
		return err
	}
	d := &desk{w: w, ctx: ctx, clk: clk, zone: zone, m: m, adm: adm, log: log, tr: tr}
	if err := d.day(); err != nil {
		return err
	}
	return d.report()
}

func (d *desk) day() error {
	ctx, m := d.ctx, d.m
	client := audit.Actor{Kind: audit.ActorClient, ID: "client-101"}
	router := audit.System("routing")
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1", Role: "nurse"}
	doctor := audit.Actor{Kind: audit.ActorProfessional, ID: "doctor-1", Role: "gp"}
	lead := audit.Actor{Kind: audit.ActorProfessional, ID: "lead-1", Role: "supervisor"}

	fmt.Fprintln(d.w, "A day at the desk of nurse-1, team Koivikko (times in Europe/Helsinki)")

	d.at("08:02", "client-101 asks for a callback: a wound on the shin is not healing")
	cb, err := d.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-101", Errand: channel.ErrandWoundCare, Kind: channel.Callback})
	if err != nil {
		return err
	}
	d.say("admitted callback contact %s; needs %s identification", cb.Contact.ID, cb.RequiredIdentity)
	s, err := m.Open(ctx, router, session.OpenRequest{Client: "client-101", Errand: channel.ErrandWoundCare,
		Team: "team-koivikko", OwnTeam: "team-koivikko", OwnProfessional: "nurse-1", WorkItem: "wi-1",
		Contact: cb.Contact.ID, Identity: channel.IdentityWeak, IdentityMethod: "callback_number"})
	if err != nil {
		return err
	}
	d.say("session %s opened for team-koivikko, state %s, identification %s (the number the client gave)", s.ID, s.State, s.Identity)

	d.at("08:10", "client-101, unsure the callback comes, also tries the chat")
	_, err = d.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-101", Errand: channel.ErrandWoundCare, Kind: channel.Chat})
	var unsuitable *channel.UnsuitableError
	if errors.As(err, &unsuitable) {
		d.say("chat refused: %s", unsuitable.Reason)
	}
	d.say("a secure message about diabetes follow-up is another errand: no duplicate")
	_, err = d.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-101", Errand: channel.ErrandChronicFollowUp, Kind: channel.SecureMessage})
	if err != nil {
		return err
	}
	dup, err := d.adm.Admit(ctx, demand.Request{Actor: client, Client: "client-101", Errand: channel.ErrandWoundCare, Kind: channel.InboundPhone})
	if err != nil {
		return err
	}
	d.say("and calls the health station: contact %s duplicates %s contact %s (policy %s, queued: %v)",
		dup.Contact.ID, dup.Existing.Kind, dup.Existing.ID, dup.Contact.Policy, dup.Queue())

	d.at("08:30", "nurse-1 takes the callback and calls")
	if s, err = m.Assign(ctx, nurse, s.ID, "nurse-1"); err != nil {
		return err
	}
	if s, err = m.StartLeg(ctx, nurse, s.ID, channel.Callback, ""); err != nil {
		return err
	}
	d.say("leg %d: %s %s", len(s.Legs), s.Legs[0].Kind, s.Legs[0].Ref)
	if s, err = m.VerifyPersonalCode(ctx, nurse, s.ID, "131052-308T", registry); err != nil {
		return err
	}
	d.say("the nurse checks the personal code the client tells (%s, method %s); the code is printed nowhere", s.Identity, s.IdentityMethod)

	d.at("08:36", "the nurse needs to see the wound: switch the call to video")
	_, err = m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	d.say("refused: %v", err)
	if s, err = m.Identify(ctx, nurse, s.ID, channel.IdentityStrong, "bank_id"); err != nil {
		return err
	}
	d.say("client-101 logs in with bank credentials: identification %s", s.Identity)
	_, err = m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	d.say("refused: %v", err)
	for _, item := range []string{"private_place", "camera_tested"} {
		if s, err = m.CompleteChecklistItem(ctx, nurse, s.ID, item); err != nil {
			return err
		}
	}
	d.say("checklist done: private_place, camera_tested")
	d.tr.Fail(loopback.OpCreateRoom, fmt.Errorf("video service busy: %w", channel.ErrTransient))
	if s, err = m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true}); err != nil {
		return err
	}
	d.say("leg %d: %s %s (the first room request failed and was retried; the call moved into the room)", len(s.Legs), s.Legs[1].Kind, s.Legs[1].Ref)

	d.at("08:41", "a doctor and a physiotherapist are brought into the call")
	_, err = m.Invite(ctx, nurse, s.ID, "doctor-1", "gp")
	d.say("refused: %v", err)
	if s, err = m.CompleteChecklistItem(ctx, nurse, s.ID, "team_consent"); err != nil {
		return err
	}
	if s, err = m.Invite(ctx, nurse, s.ID, "doctor-1", "gp"); err != nil {
		return err
	}
	if s, err = m.Invite(ctx, nurse, s.ID, "physio-1", "physiotherapist"); err != nil {
		return err
	}
	d.say("participants: %s", participants(s))
	if s, err = m.AddNote(ctx, doctor, s.ID, "Venous ulcer, no infection; compression and dressing plan."); err != nil {
		return err
	}
	d.say("doctor-1 writes a note (%d note(s); the text stays out of the audit trail)", len(s.Notes))
	_, err = m.Get(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-7"}, s.ID)
	d.say("nurse-7 of another team tries to open the session: %v", err)

	d.at("08:49", "the physiotherapist has shown the exercises and leaves")
	if s, err = m.Leave(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "physio-1"}, s.ID, "physio-1"); err != nil {
		return err
	}
	d.say("participants: %s", participants(s))

	d.at("08:55", "the call ends; wrap-up")
	if s, err = m.FinishContact(ctx, nurse, s.ID); err != nil {
		return err
	}
	if s, err = m.AddNote(ctx, nurse, s.ID, "Dressing plan sent to the client; follow-up in two weeks."); err != nil {
		return err
	}
	if s, err = m.CompleteChecklistItem(ctx, nurse, s.ID, "summary_given"); err != nil {
		return err
	}
	res, err := m.Close(ctx, nurse, s.ID, session.OutcomeResolved)
	if err != nil {
		return err
	}
	d.say("closed: %s", res.Session.Outcome)
	for _, wd := range res.Withdrawn {
		d.say("withdrawn: %s contact %s (rescind it from the phone queue)", wd.Kind, wd.ID)
	}
	pending, err := d.adm.Pending(ctx, "client-101")
	if err != nil {
		return err
	}
	for _, p := range pending {
		d.say("still pending: %s contact %s about %s", p.Kind, p.ID, p.Errand)
	}

	d.at("16:00", "the team lead looks at the day")
	k, err := m.Report(ctx, lead, d.clk.Now().Add(-12*time.Hour), d.clk.Now())
	if err != nil {
		return err
	}
	d.say("closed %d, first-contact resolution %.0f%%, own professional %.0f%%, switches %v",
		k.Closed, 100*k.FirstContactResolution, 100*k.ProfessionalContinuity, k.Switches)
	for _, kind := range slices.Sorted(maps.Keys(k.HandlingTime)) {
		d.say("handling time %-8s %v", kind, k.HandlingTime[kind].Total)
	}
	stats, err := d.adm.Stats(ctx, d.clk.Now().Add(-12*time.Hour), d.clk.Now())
	if err != nil {
		return err
	}
	d.say("contacts %d, duplicates %d (%.0f%%), withdrawn %d", stats.Admitted, stats.Duplicates, 100*stats.DuplicateRate(), stats.Withdrawn)
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

// report prints what the transports were asked to do and the audit trail.
func (d *desk) report() error {
	fmt.Fprintln(d.w, "\nWhat the telephony and video services were asked to do:")
	for _, r := range d.tr.Records() {
		fmt.Fprintf(d.w, "  %s\n", r)
	}
	events, err := d.log.Events(d.ctx, audit.Filter{})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.w, "\nAudit trail (%d events):\n", len(events))
	for _, e := range events {
		var detail []string
		for _, k := range slices.Sorted(maps.Keys(e.Detail)) {
			detail = append(detail, k+"="+e.Detail[k])
		}
		fmt.Fprintf(d.w, "  %s %-22s %-20s %-11s %-7s %s\n", e.At.In(d.zone).Format("15:04"), e.Actor,
			e.Action, e.Subject, e.Outcome, strings.Join(detail, " "))
	}
	return nil
}
