package guidance_test

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

// exampleGuide returns a guide of area north with an editor (nurse-1), a
// reviewer (nurse-2) and a manager (head-1), and its events so far.
func exampleGuide() (*guidance.Guide, *[]guidance.Event) {
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	clock := carecontact.ClockFunc(func() time.Time { now = now.Add(time.Minute); return now })
	log := memory.NewAuditLog()
	events := &[]guidance.Event{}
	g, err := guidance.New(guidance.Config{
		Store: memory.NewGuidanceStore(log), Audit: log, Clock: clock,
		Roles: guidance.Grants{
			"nurse-1": {{Role: guidance.RoleEditor, Area: "north"}},
			"nurse-2": {{Role: guidance.RoleReviewer, Area: "north"}},
			"head-1":  {{Role: guidance.RoleManager, Area: "north"}},
		},
		Events: func(e guidance.Event) { *events = append(*events, e) },
	})
	if err != nil {
		panic(err)
	}
	return g, events
}

var (
	exNurse1 = audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	exNurse2 = audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-2"}
	exHead   = audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
)

// examplePublished publishes north's callback text and drafts a change.
func examplePublished(g *guidance.Guide) guidance.Ref {
	ctx := context.Background()
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	text := func(fi, sv string) guidance.Entry {
		return guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: "north",
			Text: guidance.Localized{"fi": fi, "sv": sv}}}
	}
	ref, err := g.Draft(ctx, exNurse1, text("Soitamme {callback_window}.", "Vi ringer {callback_window}."), "")
	must(err)
	must(g.Submit(ctx, exNurse1, ref, ""))
	must(g.Review(ctx, exNurse2, ref, ""))
	must(g.Approve(ctx, exHead, ref, ""))
	must(g.Publish(ctx, exHead, ref, ""))
	draft, err := g.Draft(ctx, exNurse1, text("Soitamme sinulle {callback_window}.", "Vi ringer dig {callback_window}."), "")
	must(err)
	return draft
}

func ExampleGuide_Preview() {
	g, _ := exampleGuide()
	draft := examplePublished(g)
	for _, lang := range []string{"fi", "sv", "en"} {
		r, err := g.Preview(context.Background(), exNurse2, draft, lang, guidance.Vars{guidance.VarCallbackWindow: "klo 13–15"})
		if err != nil {
			panic(err)
		}
		fmt.Println(lang, r.Language, r.Version, r.Plain)
	}
	// Output:
	// fi fi text/callback.requested/north/*@2 Soitamme sinulle klo 13–15.
	// sv sv text/callback.requested/north/*@2 Vi ringer dig klo 13–15.
	// en fi text/callback.requested/north/*@2 Soitamme sinulle klo 13–15.
}

func ExampleGuide_Diff() {
	g, _ := exampleGuide()
	draft := examplePublished(g)
	diffs, err := g.Diff(context.Background(), exHead, draft)
	if err != nil {
		panic(err)
	}
	for _, d := range diffs {
		fmt.Println(d.Subject, d.Live.Number, "->", d.Draft.Number)
		for _, t := range d.Texts {
			fmt.Printf("%s %q\n", t.Lang, t.Ops)
		}
	}
	// Output:
	// text/callback.requested/north/* 1 -> 2
	// fi [{"=" "Soitamme "} {"+" "sinulle "} {"=" "{callback_window}."}]
	// sv [{"=" "Vi ringer "} {"+" "dig "} {"=" "{callback_window}."}]
}

func ExampleWordDiff() {
	for _, op := range guidance.WordDiff("Soitamme tänään.", "Soitamme huomenna.") {
		fmt.Printf("%s %q\n", op.Op, op.Text)
	}
	// Output:
	// = "Soitamme "
	// - "tänään."
	// + "huomenna."
}

func ExampleGuide_Worklist() {
	ctx := context.Background()
	g, _ := exampleGuide()
	draft := examplePublished(g)
	show := func(who audit.Actor) {
		items, err := g.Worklist(ctx, who)
		if err != nil {
			panic(err)
		}
		for _, it := range items {
			fmt.Println(who.ID, it.Kind, it.Ref, it.Since.Actor.ID, it.Since.Note, it.Actions)
		}
	}
	if err := g.Submit(ctx, exNurse1, draft, ""); err != nil {
		panic(err)
	}
	show(exNurse2)
	if err := g.Return(ctx, exNurse2, draft, "Mainitse myös tekstiviesti."); err != nil {
		panic(err)
	}
	show(exNurse2)
	show(exNurse1)
	// Output:
	// nurse-2 review text/callback.requested/north/*@2 nurse-1  [review return]
	// nurse-1 returned text/callback.requested/north/*@2 nurse-2 Mainitse myös tekstiviesti. [edit submit withdraw]
}

func ExampleConfig_events() {
	g, events := exampleGuide()
	examplePublished(g)
	for _, e := range *events {
		fmt.Println(e.Action, e.Ref, e.State, e.Actor, e.Authors, e.At.Format("15:04"))
	}
	// Output:
	// submit text/callback.requested/north/*@1 in_review nurse-1 [nurse-1] 06:02
	// review text/callback.requested/north/*@1 in_review nurse-2 [nurse-1] 06:03
	// approve text/callback.requested/north/*@1 approved head-1 [nurse-1] 06:04
	// publish text/callback.requested/north/*@1 published head-1 [nurse-1] 06:05
}

func ExampleExplain() {
	g, _ := exampleGuide()
	_, err := g.Draft(context.Background(), exNurse1, guidance.Entry{Text: &guidance.Text{
		Key: guidance.KeyCallbackRequested, Area: "north", Text: guidance.Localized{"fi": "Soitamme pian."}}}, "")
	for _, lang := range []string{"fi", "sv", "en"} {
		for _, m := range guidance.Explain(err, lang) {
			fmt.Println(lang, m)
		}
	}
	// Output:
	// fi text.text.fi: Tekstin "callback.requested" pitää käyttää paikkamerkkiä {callback_window}.
	// sv text.text.fi: Texten "callback.requested" ska använda platshållaren {callback_window}.
	// en text.text.fi: Text "callback.requested" must use the placeholder {callback_window}.
}
