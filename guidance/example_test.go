package guidance_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

func ExampleParseTemplate() {
	t, err := guidance.ParseTemplate("Soitamme sinulle {callback_window}.\n\n{{Huom}} <b>ei HTML:ää</b>")
	if err != nil {
		panic(err)
	}
	vals := guidance.Vars{"callback_window": "klo 13–15 & <myöhemmin>"}
	plain, _ := t.Plain(vals)
	html, _ := t.HTML(vals)
	fmt.Println(t.Vars())
	fmt.Println(plain)
	fmt.Println(html)
	_, err = t.Plain(nil)
	fmt.Println(err)
	// Output:
	// [callback_window]
	// Soitamme sinulle klo 13–15 & <myöhemmin>.
	//
	// {Huom} <b>ei HTML:ää</b>
	// <p>Soitamme sinulle klo 13–15 &amp; &lt;myöhemmin&gt;.</p>
	// <p>{Huom} &lt;b&gt;ei HTML:ää&lt;/b&gt;</p>
	// guidance: missing value: values.callback_window: {callback_window} is required by the text
}

func ExampleCatalog_Render() {
	content := `{
	  "format": "carecontact.guidance", "version": 1, "languages": ["fi", "sv", "en"],
	  "texts": [
	    {"key": "callback.requested", "text": {
	      "fi": "Soitamme sinulle {callback_window}.",
	      "sv": "Vi ringer dig {callback_window}.",
	      "en": "We will call you {callback_window}."}},
	    {"key": "callback.requested", "area": "koivikko", "text": {
	      "fi": "{area_name}: soitamme {callback_window}."}}
	  ],
	  "channels": [{"area": "koivikko", "area_name": {"fi": "Koivikon terveysasema", "sv": "Koivikko hälsostation"},
	    "offers": []}]
	}`
	_, err := guidance.Decode("texts.json", strings.NewReader(content), nil)
	fmt.Println(err)

	content = strings.Replace(content, `"offers": []`, `"offers": [{"kind": "inbound_phone", "rank": 1, "identity": "weak", "hours": {"fi": "ma–pe 8–16"}}]`, 1)
	content = strings.Replace(content, `"texts": [`, `"texts": [{"key": "advice.inbound_phone", "text": {"fi": "Soita {opening_hours}."}},`, 1)
	c, err := guidance.Decode("texts.json", strings.NewReader(content), nil)
	if err != nil {
		panic(err)
	}
	cat, err := guidance.NewCatalog(c, nil)
	if err != nil {
		panic(err)
	}
	for _, prefs := range []string{"fi", "sv-FI", "de, en;q=0.8"} {
		tags, _, _ := language.ParseAcceptLanguage(prefs)
		r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "koivikko"}, tags,
			guidance.Vars{guidance.VarCallbackWindow: "klo 13–15"})
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-13s %s %s\n", prefs, r.Language, r.Plain)
	}
	// Output:
	// texts.json: channels[0].offers: guidance: invalid content: offers no channel
	// fi            fi Koivikon terveysasema: soitamme klo 13–15.
	// sv-FI         sv Vi ringer dig klo 13–15.
	// de, en;q=0.8  en We will call you klo 13–15.
}

// fixedMatrix is a small Suitability for the examples; hosts pass
// channel.DefaultMatrix() or their own *channel.Matrix.
type fixedMatrix map[channel.Kind]string

func (m fixedMatrix) Suitable(_ channel.Errand, k channel.Kind) (bool, string) {
	r, no := m[k]
	return !no, r
}

func ExampleCatalog_Advise() {
	c := miniContent()
	cat, err := guidance.NewCatalog(c, nil)
	if err != nil {
		panic(err)
	}
	adv, err := cat.Advise(fixedMatrix{channel.Chat: "a vaccination is given at a visit"}, guidance.Situation{
		Errand: channel.ErrandVaccination, Area: "north", Group: "adult",
		Languages: []language.Tag{language.Swedish}, Identity: channel.IdentityStrong,
	})
	if err != nil {
		panic(err)
	}
	for _, f := range adv.Fits {
		fmt.Printf("fits %s: %s\n", f.Kind, f.Text.Plain)
	}
	for _, u := range adv.Unsuitable {
		fmt.Printf("not %s (%s): %s\n", u.Kind, u.Code, u.Reason)
	}
	// Output:
	// fits callback: Lämna en begäran (mån–fre 8–16).
	// fits e_booking: Boka: influensavaccination.
	// not inbound_phone (not_offered): not offered in area north
	// not video (not_offered): not offered in area north
	// not chat (not_suitable): not suitable for vaccination: a vaccination is given at a visit
	// not secure_message (not_offered): not offered in area north
	// not in_person (not_offered): not offered in area north
}

func ExampleChecklist_Required() {
	c := miniContent()
	cl, err := guidance.NewChecklist(c.Languages, c.Checklist...)
	if err != nil {
		panic(err)
	}
	// The session package asks which items must be done before an action.
	for _, id := range cl.Required("leg.start", channel.Video) {
		text, _, _ := cl.Text(id, []language.Tag{language.Finnish})
		fmt.Printf("%s: %s\n", id, text)
	}
	fmt.Println(cl.Required("leg.start", channel.Callback))
	// Output:
	// av-tested: Kuva ja ääni
	// identity-verified: Henkilöllisyys tarkistettu
	// private-place: Rauhallinen paikka
	// [identity-verified]
}

func ExampleGuide() {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)
	clock := carecontact.ClockFunc(func() time.Time { return now })
	log := memory.NewAuditLog()
	g, err := guidance.New(guidance.Config{
		Store: memory.NewGuidanceStore(log), Audit: log, Clock: clock,
		Roles: guidance.Grants{
			"nurse-1": {{Role: guidance.RoleEditor, Area: "north"}},
			"nurse-2": {{Role: guidance.RoleReviewer, Area: "north"}},
			"head-1":  {{Role: guidance.RoleManager, Area: "north"}},
		},
	})
	if err != nil {
		panic(err)
	}
	nurse1 := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	nurse2 := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-2"}
	head := audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}

	ref, err := g.Draft(ctx, nurse1, guidance.Entry{Text: &guidance.Text{
		Key: guidance.KeyCallbackRequested, Area: "north",
		Text: guidance.Localized{"fi": "Soitamme {callback_window}.", "sv": "Vi ringer {callback_window}."},
	}}, "")
	if err != nil {
		panic(err)
	}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(g.Submit(ctx, nurse1, ref, ""))
	err = g.Approve(ctx, nurse1, ref, "")
	fmt.Println(errors.Is(err, guidance.ErrDenied), err)
	must(g.Review(ctx, nurse2, ref, "ok"))
	must(g.Approve(ctx, head, ref, ""))
	now = now.Add(time.Hour)
	must(g.Publish(ctx, head, ref, ""))

	for _, at := range []time.Time{now.Add(-time.Minute), now} {
		cat, err := g.Published(ctx, at)
		must(err)
		r, err := cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "north"}, nil, guidance.Vars{"callback_window": "klo 13–15"})
		fmt.Println(at.Format("15:04"), r.Plain, errors.Is(err, guidance.ErrNotFound))
	}
	// Output:
	// true guidance: approve text/callback.requested/north/*: guidance: denied: professional:nurse-1 needs role [manager] in area north to approve
	// 06:59  true
	// 07:00 Soitamme klo 13–15. false
}

func ExampleGuide_PublishSet() {
	ctx := context.Background()
	now := time.Date(2026, 2, 23, 8, 0, 0, 0, time.UTC)
	clock := carecontact.ClockFunc(func() time.Time { return now })
	log := memory.NewAuditLog()
	g, err := guidance.New(guidance.Config{Store: memory.NewGuidanceStore(log), Audit: log, Clock: clock,
		Roles: guidance.Grants{
			"nurse-1": {{Role: guidance.RoleEditor, Area: "north"}},
			"nurse-2": {{Role: guidance.RoleReviewer, Area: "north"}},
			"head-1":  {{Role: guidance.RoleManager, Area: "north"}},
		}})
	if err != nil {
		panic(err)
	}
	nurse1 := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	nurse2 := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-2"}
	head := audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(g.NewSet(ctx, nurse1, "video", "north", "offer video"))
	hours := guidance.Localized{"fi": "ma–pe 8–16", "sv": "mån–fre 8–16"}
	for _, e := range []guidance.Entry{
		{Channels: &guidance.ChannelConfig{Area: "north", AreaName: guidance.Localized{"fi": "Pohjoinen"},
			Offers: []guidance.Offer{{Kind: channel.Video, Rank: 1, Identity: channel.IdentityStrong, Hours: hours}}}},
		{Text: &guidance.Text{Key: guidance.AdviceKey(channel.Video), Area: "north",
			Text: guidance.Localized{"fi": "Videovastaanotto {opening_hours}.", "sv": "Videomottagning {opening_hours}."}}},
	} {
		_, err := g.DraftInSet(ctx, nurse1, "video", e, "")
		must(err)
	}
	must(g.SubmitSet(ctx, nurse1, "video", ""))
	must(g.ReviewSet(ctx, nurse2, "video", "ok"))
	must(g.ApproveSet(ctx, head, "video", ""))
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	must(g.PublishSet(ctx, head, "video", from, "from 1 March"))

	for _, at := range []time.Time{from.Add(-time.Second), from} {
		cat, err := g.Published(ctx, at)
		must(err)
		r, err := cat.Render(guidance.AdviceKey(channel.Video), guidance.Scope{Area: "north"},
			[]language.Tag{language.Swedish}, guidance.Vars{guidance.VarOpeningHours: "8–16"})
		fmt.Println(at.Format("Jan 2 15:04:05"), errors.Is(err, guidance.ErrNotFound), r.Plain, r.Language, r.Version)
	}
	// Output:
	// Feb 28 23:59:59 true  und @0
	// Mar 1 00:00:00 false Videomottagning 8–16. sv text/advice.video/north/*@1
}
