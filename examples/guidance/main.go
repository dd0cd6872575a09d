// Command guidance walks through the guidance package with the starter
// content (content.json, Finnish, Swedish and English): professionals
// import the content and take it through review, approval and publication;
// clients get channel advice for their errands; a service area changes its
// callback text and the booking configuration of its e-bookable services
// as one change set that goes from draft through review and approval to
// publication as a whole (steps the author may not take are refused), the
// text served and the services booking reads through the front door's
// catalogue adapter are reconstructed for moments before and after, and
// the set is rolled back; a professional sees the checklist that gates
// starting a video call. The output is deterministic.
//
//	go run ./examples/guidance
package main

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

//go:embed content.json
var contentJSON []byte

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "guidance example:", err)
		os.Exit(1)
	}
}

// Professionals of the example. Grants without an area apply to every area
// and to the shared content (county-wide defaults and checklists).
var (
	contentEditor   = pro("editor-county")
	contentReviewer = pro("reviewer-county")
	countyManager   = pro("manager-county")
	koivikkoNurse   = pro("nurse-koivikko")
	koivikkoRev     = pro("reviewer-koivikko")
	koivikkoHead    = pro("head-koivikko")
)

func pro(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }

// staffID is the professional ID of a professional actor.
func staffID(a audit.Actor) carecontact.ProfessionalID { return carecontact.ProfessionalID(a.ID) }

var roles = guidance.Grants{
	staffID(contentEditor):   {{Role: guidance.RoleEditor}},
	staffID(contentReviewer): {{Role: guidance.RoleReviewer}},
	staffID(countyManager):   {{Role: guidance.RoleManager}},
	staffID(koivikkoNurse):   {{Role: guidance.RoleEditor, Area: "koivikko"}},
	staffID(koivikkoRev):     {{Role: guidance.RoleReviewer, Area: "koivikko"}},
	staffID(koivikkoHead):    {{Role: guidance.RoleManager, Area: "koivikko"}},
}

// virtualClock is the example's clock: it only moves when told to.
type virtualClock struct{ now time.Time }

func (c *virtualClock) advance(d time.Duration) { c.now = c.now.Add(d) }

func run(w io.Writer) error {
	ctx := context.Background()
	helsinki := civil.Helsinki()
	local := func(t time.Time) string { return t.In(helsinki).Format("2006-01-02 15:04 MST") }

	// 1. Load the starter content. Decode validates it: unknown keys,
	// undeclared variables and missing translations are errors here.
	content, err := guidance.Decode("content.json", bytes.NewReader(contentJSON), nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "== content.json: %d texts, %d channel configurations, %d booking configurations, %d checklist items in %v\n",
		len(content.Texts), len(content.Channels), len(content.Booking), len(content.Checklist), content.Languages)

	// 2. A guide over the memory store, on a virtual clock.
	vc := &virtualClock{now: time.Date(2026, 3, 2, 8, 0, 0, 0, helsinki).UTC()}
	clock := carecontact.ClockFunc(func() time.Time { return vc.now })
	db := memory.New()
	g, err := guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Roles: roles, Clock: clock})
	if err != nil {
		return err
	}

	// 3. Import as drafts, then review, approve and publish everything.
	refs, err := g.Import(ctx, contentEditor, content)
	if err != nil {
		return err
	}
	steps := []struct {
		who  audit.Actor
		step func(context.Context, audit.Actor, guidance.Ref, string) error
	}{
		{contentEditor, g.Submit}, {contentReviewer, g.Review}, {countyManager, g.Approve}, {countyManager, g.Publish},
	}
	for _, s := range steps {
		vc.advance(time.Minute)
		for _, ref := range refs {
			if err := s.step(ctx, s.who, ref, ""); err != nil {
				return err
			}
		}
	}
	firstPublished := vc.now
	fmt.Fprintf(w, "imported %d drafts; reviewed, approved and published at %s\n", len(refs), local(firstPublished))
	again, err := g.Import(ctx, contentEditor, content)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "importing the same file again creates %d drafts\n", len(again))

	// 4. Channel advice for three clients, against the channel package's
	// default suitability matrix.
	cat, err := g.Published(ctx, vc.now)
	if err != nil {
		return err
	}
	matrix := channel.DefaultMatrix()
	clients := []struct {
		who string
		s   guidance.Situation
	}{
		{"Finnish-speaking client in Koivikko, fever since yesterday, no bank credentials at hand", guidance.Situation{
			Errand: channel.ErrandInfectionSymptoms, Area: "koivikko", Languages: []language.Tag{language.Finnish},
			Identity: channel.IdentityWeak, Urgency: guidance.UrgencySameDay}},
		{"Swedish-speaking client in Rantala, stitches to be removed", guidance.Situation{
			Errand: channel.ErrandWoundCare, Area: "rantala", Languages: []language.Tag{language.MustParse("sv-FI")},
			Identity: channel.IdentityStrong}},
		{"English-speaking client, prescription renewal", guidance.Situation{
			Errand: channel.ErrandPrescriptionRenewal, Languages: []language.Tag{language.MustParse("de"), language.English},
			Identity: channel.IdentityStrong}},
	}
	for _, c := range clients {
		adv, err := cat.Advise(matrix, c.s)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "\n== advice: %s (%s)\n%s\n", c.who, adv.Language, adv.Notice.Plain)
		for i, f := range adv.Fits {
			extra := ""
			if f.Service != "" {
				extra = " [service " + f.Service + "]"
			}
			fmt.Fprintf(w, "  %d. %s%s: %s\n", i+1, f.Kind, extra, f.Text.Plain)
			if f.Code != guidance.CodeFits {
				fmt.Fprintf(w, "     (%s)\n", f.Reason)
			}
		}
		for _, u := range adv.Unsuitable {
			fmt.Fprintf(w, "  - not %s: %s\n", u.Kind, u.Reason)
		}
	}

	// 5. The text after a callback request, in two languages, as plain text
	// and as HTML.
	fmt.Fprintf(w, "\n== callback confirmation\n")
	windows := map[string]string{"fi": "tänään klo 13–15", "sv": "i dag kl. 13–15"}
	for _, lang := range []string{"fi", "sv"} {
		r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "koivikko"},
			[]language.Tag{language.MustParse(lang)}, guidance.Vars{guidance.VarCallbackWindow: windows[lang]})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s plain: %s\n%s html:  %s\n", lang, r.Plain, lang, r.HTML)
	}

	// 6. Koivikko changes its callback text and starts booking flu
	// vaccinations with its own rules: one change set, validated and
	// published as a whole. Its own nurse lacks the role to approve; the area's
	// reviewer and head nurse can.
	vc.advance(7 * 24 * time.Hour)
	fmt.Fprintf(w, "\n== Koivikko's change set koivikko-spring (%s)\n", local(vc.now))
	const setID = "koivikko-spring"
	if err := g.NewSet(ctx, koivikkoNurse, setID, "koivikko", "toinen soittoyritys ja influenssarokotukset"); err != nil {
		return err
	}
	flu := guidance.BookableService{ID: "flu-vaccination", Errand: channel.ErrandVaccination, Groups: []string{"adult", "senior"},
		Name: guidance.Localized{"fi": "influenssarokotus", "sv": "influensavaccination", "en": "flu vaccination"},
		Rules: &guidance.BookingRules{DurationMinutes: 10, Channel: channel.InPerson, StepMinutes: 15, MinNoticeMinutes: 60, HorizonDays: 14,
			MaxPerClient: 1, PeriodDays: 180, ClientCancelBeforeMinutes: 120,
			Requires: []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}}}
	for _, e := range []guidance.Entry{
		{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: "koivikko", Text: guidance.Localized{
			"fi": "Kiitos! Koivikon hoitotiimi soittaa sinulle {callback_window}. Jos et vastaa, soitamme vielä kerran 15 minuutin kuluttua.",
			"sv": "Tack! Vårdteamet i Koivikko ringer dig {callback_window}. Om du inte svarar ringer vi en gång till efter 15 minuter.",
		}}},
		{Booking: &guidance.BookingConfig{Area: "koivikko", Services: []guidance.BookableService{flu}}},
	} {
		ref, err := g.DraftInSet(ctx, koivikkoNurse, setID, e, "")
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s drafts %s\n", koivikkoNurse.ID, ref)
	}
	if err := g.SubmitSet(ctx, koivikkoNurse, setID, ""); err != nil {
		return err
	}
	if err := g.ApproveSet(ctx, koivikkoNurse, setID, ""); errors.Is(err, guidance.ErrDenied) {
		fmt.Fprintf(w, "refused: %v\n", err)
	} else {
		return fmt.Errorf("approval by the author was not refused: %v", err)
	}
	if err := g.ApproveSet(ctx, koivikkoHead, setID, ""); errors.Is(err, guidance.ErrState) {
		fmt.Fprintf(w, "refused: %v\n", err)
	} else {
		return fmt.Errorf("approval before review was not refused: %v", err)
	}
	vc.advance(time.Hour)
	if err := g.ReviewSet(ctx, koivikkoRev, setID, "selkeä"); err != nil {
		return err
	}
	vc.advance(time.Hour)
	if err := g.ApproveSet(ctx, koivikkoHead, setID, ""); err != nil {
		return err
	}
	beforeSet := vc.now
	vc.advance(time.Minute)
	if err := g.PublishSet(ctx, koivikkoHead, setID, time.Time{}, ""); err != nil {
		return err
	}
	setLive := vc.now
	if err := printSet(ctx, w, g, setID, local); err != nil {
		return err
	}

	// 7. Point in time: what a client was told, and what booking offered
	// through the front door's catalogue adapter, before and after.
	services := frontdoor.CatalogueServices{Guide: g}
	served := func(at time.Time) error {
		past, err := g.Published(ctx, at)
		if err != nil {
			return err
		}
		r, err := past.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "koivikko"},
			[]language.Tag{language.Finnish}, guidance.Vars{guidance.VarCallbackWindow: "klo 13–15"})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "served at %s: %s\n", local(at), firstLine(r.Plain))
		svcs, version, err := services.Services(ctx, "koivikko", at)
		var codes []string
		for _, s := range svcs {
			codes = append(codes, fmt.Sprintf("%s %s for %v", s.Code, s.Duration, s.SelfBookGroups))
		}
		switch {
		case err != nil:
			fmt.Fprintf(w, "  booking in koivikko: %v\n", err)
		case len(codes) == 0:
			fmt.Fprintf(w, "  booking in koivikko (%s): no services with booking rules\n", version)
		default:
			fmt.Fprintf(w, "  booking in koivikko (%s): %s\n", version, strings.Join(codes, ", "))
		}
		return nil
	}
	for _, at := range []time.Time{firstPublished.Add(24 * time.Hour), beforeSet, setLive} {
		if err := served(at); err != nil {
			return err
		}
	}

	// The head nurse takes the set out of service again: the versions it
	// replaced come back as a whole, and the record keeps both moments.
	vc.advance(24 * time.Hour)
	if err := g.RollbackSet(ctx, koivikkoNurse, setID, "väärä aloituspäivä"); errors.Is(err, guidance.ErrDenied) {
		fmt.Fprintf(w, "\nrefused: %v\n", err)
	} else {
		return fmt.Errorf("rollback by the author was not refused: %v", err)
	}
	if err := g.RollbackSet(ctx, koivikkoHead, setID, "väärä aloituspäivä"); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s rolls %s back at %s\n", koivikkoHead.ID, setID, local(vc.now))
	for _, at := range []time.Time{setLive, vc.now} {
		if err := served(at); err != nil {
			return err
		}
	}
	if err := printSet(ctx, w, g, setID, local); err != nil {
		return err
	}

	// 8. The checklist a professional completes before starting a video
	// call and before inviting a colleague.
	now, err := g.Published(ctx, vc.now)
	if err != nil {
		return err
	}
	for _, action := range []string{"leg.start", "participant.invite"} {
		fmt.Fprintf(w, "\n== checklist before %s (video)\n", action)
		for _, id := range now.Required(action, channel.Video) {
			it, _ := now.Checklist().Item(id)
			text, _, _ := now.Checklist().Text(id, []language.Tag{language.Finnish})
			fmt.Fprintf(w, "  [%s] %s: %s\n", it.Category, id, text)
		}
	}

	// 9. The audit trail and an export of what is in service.
	events, err := db.AuditLog().Events(ctx, audit.Filter{})
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, e := range events {
		counts[e.Action+" "+string(e.Outcome)]++
	}
	fmt.Fprintf(w, "\n== audit trail: %d events\n", len(events))
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(w, "  %-28s %d\n", k, counts[k])
	}
	exported, err := g.Export(ctx, vc.now)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := guidance.Encode(&out, exported); err != nil {
		return err
	}
	back, err := guidance.Decode("export.json", &out, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "export: %d texts (as imported: Koivikko's change set was rolled back), decodes again: %t\n",
		len(back.Texts), len(back.Texts) == len(content.Texts))
	return nil
}

// printSet prints the state of a change set and the steps of its record.
func printSet(ctx context.Context, w io.Writer, g *guidance.Guide, id string, local func(time.Time) string) error {
	rec, err := g.Record(ctx, guidance.SetSubject(id))
	if err != nil {
		return err
	}
	v, ok := rec.Latest()
	if !ok {
		return fmt.Errorf("change set %s has no version", id)
	}
	fmt.Fprintf(w, "change set %s is %s; steps:\n", id, v.State)
	for _, s := range v.Steps {
		if s.Action == guidance.ActionEdit {
			continue
		}
		note := ""
		if s.Note != "" {
			note = " (" + s.Note + ")"
		}
		fmt.Fprintf(w, "  %s  %-8s by %s%s\n", local(s.At), s.Action, s.Actor.ID, note)
	}
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
