// Command day is one day of the Kallio health station on the front door,
// in virtual time: a chat routed by postal code, a callback promised the
// same day and turned into a video call with a doctor, the same client's
// duplicate chat recognised, an e-booking with the Swedish text and a
// Finnish fallback, a guidance change going live, the audit trail and the
// KPIs. The organisation is named once (organisation.go), the guidance
// content is data (guidance.json); this file is all the host code.
//
//	go run ./examples/day
//
// The output is deterministic; testdata/output.golden is the reviewed
// transcript.
package main

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

//go:embed guidance.json
var content string

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "day:", err)
		os.Exit(1)
	}
}

// failed carries the first error out of run: must stops the day there.
type failed struct{ err error }

func must[T any](v T, err error) T {
	if err != nil {
		panic(failed{err})
	}
	return v
}

func run(w io.Writer) (err error) {
	defer func() {
		if r, ok := recover().(failed); ok {
			err = r.err
		}
	}()
	ctx, hki := context.Background(), civil.Helsinki()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 11, 23, 8, 0, 0, 0, hki)) // a Monday
	at := func(h, m int) { clk.Set(time.Date(2026, 11, 23, h, m, 0, 0, hki)) }
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "%s  %s\n", clk.Now().In(hki).Format("15:04"), fmt.Sprintf(format, args...))
	}
	db, n, apt := memory.New(), 0, 0

	// The guidance professionals maintain: imported, reviewed, published.
	editor, reviewer, head := pro("editor"), pro("reviewer"), pro("head")
	guide := must(guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Clock: clk,
		Roles: guidance.Grants{"editor": {{Role: guidance.RoleEditor}}, "reviewer": {{Role: guidance.RoleReviewer}},
			"head": {{Role: guidance.RoleManager}}}}))
	publish := func(ref guidance.Ref) {
		must(0, guide.Submit(ctx, editor, ref, ""))
		must(0, guide.Review(ctx, reviewer, ref, "ok"))
		must(0, guide.Approve(ctx, head, ref, ""))
		must(0, guide.Publish(ctx, head, ref, ""))
	}
	texts := must(guidance.Decode("guidance.json", strings.NewReader(content), nil))
	for _, ref := range must(guide.Import(ctx, editor, texts)) {
		publish(ref)
	}

	// The organisation, checked across packages, and the front door over it.
	org := kallio(&texts)
	built := must(org.Build())
	index := must(booking.NewIndex(built.Calendars, civil.NewDate(2026, time.November, 23), 14))
	booker := must(booking.New(booking.Config{Index: index, Catalogues: built.Catalogues, Store: db.BookingStore(),
		Audit: db.AuditLog(), Clock: clk, Staff: built.Staff, NewID: func(p string) string { apt++; return fmt.Sprintf("%s%d", p, apt) }}))
	tally := must(frontdoor.NewTally(frontdoor.TallyConfig{}))
	// The identification service: client-2 completes bank ID on her phone.
	bankID := session.Identifications{"client-2": {Level: channel.IdentityStrong, Method: "bank_id",
		At: time.Date(2026, 11, 23, 8, 0, 0, 0, hki), Until: time.Date(2026, 11, 23, 16, 0, 0, 0, hki)}}
	door := must(frontdoor.New(ctx, frontdoor.Config{Clock: clk, Organisation: &org, Guide: guide, Booker: booker, Identifier: bankID,
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		NewID: func() string { n++; return fmt.Sprintf("k%d", n) }, OnEvent: tally.Add}))
	advance := func(h, m int) { // the driver's work, in virtual time
		until := time.Date(2026, 11, 23, h, m, 0, 0, hki)
		for next, ok, _ := door.NextDeadline(ctx); ok && !next.After(until); next, ok, _ = door.NextDeadline(ctx) {
			clk.Set(next)
			must(0, door.Advance(ctx))
		}
		clk.Set(until)
	}
	for _, p := range []carecontact.ProfessionalID{"aino", "bertil", "dora"} {
		must(door.SetPresence(ctx, p, routing.PresenceAvailable))
	}
	say("aino, bertil and dr dora sign in")

	at(8, 5) // a chat in Swedish, routed by postal code
	chat := must(door.Contact(ctx, frontdoor.ContactRequest{Client: "client-1", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Language: "sv-FI", Identity: channel.IdentityStrong, IdentityMethod: "bank_id"}))
	say("client-1 chats from 00530: %s offered to %s; told %q (%s, %s)", chat.ID, chat.Item.Professional,
		chat.Text.Plain, chat.Text.Language, chat.Text.Version)
	must(door.Accept(ctx, chat.Item.Professional, chat.Item.ID))
	must(door.Close(ctx, chat.Item.Professional, chat.ID, session.OutcomeResolved))
	say("%s answers the lab results in the chat: resolved", chat.Item.Professional)

	at(8, 15)
	must(door.SetPresence(ctx, "bertil", routing.PresenceBusy))
	say("bertil leaves for the vaccination clinic (busy)")
	at(8, 20) // a callback, and the same client's chat about it
	cb := must(door.Contact(ctx, frontdoor.ContactRequest{Client: "client-2", Errand: channel.ErrandInfectionSymptoms,
		Channel: channel.Callback, PostalCode: "00500", Phone: "+358401234567"}))
	say("client-2 asks for a callback: %s promised %s-%s; told %q", cb.ID, clock15(cb.Promise.Window.Start),
		clock15(cb.Promise.Window.End), cb.Text.Plain)
	advance(8, 20) // the window has come: the callback is due
	for _, o := range must(door.Desk(ctx, "aino")).Offers {
		must(door.Accept(ctx, "aino", o.Item.ID))
		say("aino takes the due callback %s (%s) from her desk", o.Contact, o.Item.ID)
	}
	at(8, 22)
	dup := must(door.Contact(ctx, frontdoor.ContactRequest{Client: "client-2", Errand: channel.ErrandInfectionSymptoms,
		Channel: channel.Chat, PostalCode: "00500", Identity: channel.IdentityStrong, IdentityMethod: "bank_id"}))
	say("client-2 also opens a chat: duplicate of %s, merged %t; told %q", dup.ExistingID, dup.Merged, dup.Text.Plain)

	at(8, 25) // the nurse needs to see the client: video, with a doctor
	must(door.Identify(ctx, "aino", cb.ID, channel.IdentityStrong, "bank_id"))
	s := must(door.Switch(ctx, "aino", cb.ID, frontdoor.SwitchRequest{To: channel.Video, Consent: true}))
	s = must(door.Invite(ctx, "aino", cb.ID, "dora", "gp"))
	say("the call continues on %s; dr dora joins (busy for offers: %t)", s.LastKind(),
		must(door.Desk(ctx, "dora")).Professional.Effective() == routing.PresenceBusy)
	at(8, 44)
	must(0, door.Line(ctx, frontdoor.Line{Kind: frontdoor.LineCallEnded, Contact: cb.ID}))
	closed := must(door.Close(ctx, "aino", cb.ID, session.OutcomeResolved))
	say("video call ends: %s, withdrawn with it: %d contact(s)", closed.Session.Outcome, len(closed.Withdrawn))

	at(10, 0) // e-booking in Swedish; the service text exists only in Finnish
	q := frontdoor.BookingQuery{Client: "client-3", Group: "adult", PostalCode: "00530", Service: "bp-check", Limit: 1, Language: "sv-FI"}
	times := must(door.BookSearch(ctx, q))
	say("client-3 books %s in sv-FI: first time %s; before booking: %q (%s fallback)", times.Service.Code,
		clock15(times.Slots[0].Start), times.Text.Plain, times.Text.Language)
	held := must(door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-3", Group: "adult", Slot: times.Slots[0], Language: "sv-FI"}))
	booked := must(door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "client-3", Group: "adult",
		Hold: held.Appointment.ID, Language: "sv-FI"}))
	say("booked %s: told %q (%s)", booked.Appointment.ID, booked.Text.Plain, booked.Text.Language)

	at(11, 0) // professionals change the chat advice; it goes live
	publish(must(guide.Draft(ctx, editor, guidance.Entry{Text: &guidance.Text{Key: guidance.AdviceKey(channel.Chat),
		Text: guidance.Localized{"fi": "Chat palvelee {opening_hours}.", "sv": "Chatten betjänar {opening_hours}."}}}, "clearer")))
	later := must(door.Contact(ctx, frontdoor.ContactRequest{Client: "client-4", Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Language: "sv", Identity: channel.IdentityStrong, IdentityMethod: "bank_id"}))
	say("client-4 chats after the change: told %q (%s)", later.Text.Plain, later.Text.Version)
	must(door.Accept(ctx, later.Item.Professional, later.Item.ID))
	must(door.Close(ctx, later.Item.Professional, later.ID, session.OutcomeFollowUp))

	at(16, 0) // the audit trail of client-2 and the day's KPIs
	for _, e := range must(db.AuditLog().Events(ctx, audit.Filter{Client: "client-2"})) {
		fmt.Fprintf(w, "       audit %s %-22s %-26s %s\n", clock15(e.At), string(e.Actor.Kind)+":"+e.Actor.ID, e.Action, e.Subject)
	}
	k := tally.Report(clk.Now()).Total.KPIs
	say("KPIs: contacts %d, same-day callbacks %s, promises kept %s, first-contact resolution %s, duplicate demand %s, "+
		"failure demand %s, own team %s, inbound delay p90 %s", k.Contacts, k.SameDayCallback, k.PromiseKept,
		k.FirstContactResolution, k.DuplicateDemand, k.FailureDemand, k.OwnTeam, k.InboundDelay.P90)
	return nil
}

func clock15(t time.Time) string { return t.In(civil.Helsinki()).Format("15:04") }

func pro(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }
