package badinput_test

import (
	"context"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
)

func guidanceCases() []badCase {
	decode := func(data string) func(context.Context, *world) error {
		return pure(func() error { _, err := guidance.Decode("case.json", strings.NewReader(data), nil); return err })
	}
	header := `"format":"carecontact.guidance","version":1,"languages":["fi"]`
	file := func(body string) string { return "{" + header + body + "}" }
	draft := func(actor audit.Actor, e guidance.Entry) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			_, err := w.guide.Draft(ctx, actor, e, "")
			return err
		}
	}
	text := func(key, fi string) guidance.Entry {
		return guidance.Entry{Text: &guidance.Text{Key: key, Text: guidance.Localized{"fi": fi}}}
	}
	published := func(f func(ctx context.Context, w *world, c *guidance.Catalog) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			c, err := w.guide.Published(ctx, w.clk.Now())
			if err != nil {
				return setup(err)
			}
			return f(ctx, w, c)
		}
	}
	drafted := func(f func(ctx context.Context, w *world, ref guidance.Ref) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			ref, err := w.guide.Draft(ctx, editor, text(guidance.KeyAdviceIntro, "Tervetuloa."), "")
			if err != nil {
				return setup(err)
			}
			return f(ctx, w, ref)
		}
	}
	situation := func(edit func(*guidance.Situation)) func(context.Context, *world) error {
		return published(func(ctx context.Context, w *world, c *guidance.Catalog) error {
			s := guidance.Situation{Errand: channel.ErrandLabResults, Area: "kallio", Languages: []language.Tag{language.Finnish}, Identity: channel.IdentityStrong}
			edit(&s)
			_, err := c.Advise(channel.DefaultMatrix(), s)
			return err
		})
	}
	return []badCase{
		{"guidance/Decode/empty", decode(""), invalid("")},
		{"guidance/Decode/null", decode("null"), invalid("")},
		{"guidance/Decode/mebibyte of garbage", decode(mib), invalid("")},
		{"guidance/Decode/over MaxFileSize", decode(`{"texts":"` + strings.Repeat("x", guidance.MaxFileSize) + `"}`), invalid("")},
		{"guidance/Decode/invalid UTF-8", decode(file(`,"texts":[{"key":"advice.intro","text":{"fi":"` + badUTF8 + `"}}]`)), invalid("")},
		{"guidance/Decode/format version 2", decode(`{"format":"carecontact.guidance","version":2,"languages":["fi"]}`), invalid("version")},
		{"guidance/Decode/language klingon!!", decode(`{"format":"carecontact.guidance","version":1,"languages":["klingon!!"]}`), invalid("languages")},
		{"guidance/Decode/unknown text key", decode(file(`,"texts":[{"key":"advice.teleport","text":{"fi":"x"}}]`)), invalid("texts[0].key")},
		{"guidance/Decode/unterminated template", decode(file(`,"texts":[{"key":"advice.intro","text":{"fi":"Tervetuloa {area_name"}}]`)), invalid("texts[0].text.fi")},
		{"guidance/Decode/missing required variable", decode(file(`,"texts":[{"key":"callback.requested","text":{"fi":"Soitamme."}}]`)), invalid("texts[0].text.fi")},
		{"guidance/Decode/unknown JSON key", decode(file(`,"colour":"blue"`)), invalid("colour")},
		{"guidance/ParseTemplate/lone brace", pure(func() error { _, err := guidance.ParseTemplate("a } b"); return err }), invalid("template")},
		{"guidance/ParseTemplate/upper-case variable", pure(func() error { _, err := guidance.ParseTemplate("{Name}"); return err }), invalid("template")},
		{"guidance/Render/unknown key", published(func(_ context.Context, _ *world, c *guidance.Catalog) error {
			_, err := c.Render("advice.teleport", guidance.Scope{}, nil, nil)
			return err
		}), invalid("key")},
		{"guidance/Render/missing value", published(func(_ context.Context, _ *world, c *guidance.Catalog) error {
			_, err := c.Render(guidance.KeyCallbackRequested, guidance.Scope{}, nil, nil)
			return err
		}), invalid("values.callback_window")},
		{"guidance/Render/mebibyte value", published(func(_ context.Context, _ *world, c *guidance.Catalog) error {
			_, err := c.Render(guidance.KeyCallbackRequested, guidance.Scope{}, nil, guidance.Vars{guidance.VarCallbackWindow: mib})
			return err
		}), accepted("guidance.Template.Plain: values the caller supplies are rendered as given; HTML output escapes them")},
		{"guidance/Advise/urgency 9", situation(func(s *guidance.Situation) { s.Urgency = 9 }), invalid("situation.urgency")},
		{"guidance/Advise/empty errand", situation(func(s *guidance.Situation) { s.Errand = "" }), invalid("situation.errand")},
		{"guidance/Advise/identity 9", situation(func(s *guidance.Situation) { s.Identity = 9 }), invalid("situation.identity")},
		{"guidance/Advise/unknown area gets the default", situation(func(s *guidance.Situation) { s.Area = "atlantis" }),
			accepted("guidance.ChannelConfig: the default configuration serves areas that have none of their own")},
		{"guidance/Draft/client actor", draft(clientActor("c-1"), text(guidance.KeyAdviceIntro, "x")), fails(carecontact.ErrNotAllowed)},
		{"guidance/Draft/zero actor", draft(audit.Actor{}, text(guidance.KeyAdviceIntro, "x")), invalid("actor.kind")},
		{"guidance/Draft/empty entry", draft(editor, guidance.Entry{}), invalid("entry")},
		{"guidance/Draft/two parts in one entry", draft(editor, guidance.Entry{Text: text(guidance.KeyAdviceIntro, "x").Text,
			Checklist: &guidance.ChecklistItem{ID: "c", Category: guidance.CategoryPrivacy, Actions: []string{"close"}, Text: guidance.Localized{"fi": "x"}}}),
			invalid("entry")},
		{"guidance/Draft/unknown key", draft(editor, text("advice.teleport", "x")), invalid("text.key")},
		{"guidance/Draft/template syntax", draft(editor, text(guidance.KeyAdviceIntro, "{")), invalid("text.text.fi")},
		{"guidance/Draft/mebibyte note", func(ctx context.Context, w *world) error {
			_, err := w.guide.Draft(ctx, editor, text(guidance.KeyAdviceIntro, "Tervetuloa."), mib)
			return err
		}, invalid("note")},
		{"guidance/Draft/note with a phone number", func(ctx context.Context, w *world) error {
			if _, err := w.guide.Draft(ctx, editor, text(guidance.KeyAdviceIntro, "Tervetuloa."), "kysy "+phone); err != nil {
				return err
			}
			return w.auditClean(ctx, "guidance.draft")
		}, accepted("free text never blocks the operation and reaches audit details redacted (issue 15, defect 2)")},
		{"guidance/Approve/by its author", drafted(func(ctx context.Context, w *world, ref guidance.Ref) error {
			if err := w.guide.Submit(ctx, editor, ref, ""); err != nil {
				return setup(err)
			}
			return w.guide.Approve(ctx, editor, ref, "")
		}), fails(carecontact.ErrNotAllowed)},
		{"guidance/Approve/without a review", drafted(func(ctx context.Context, w *world, ref guidance.Ref) error {
			if err := w.guide.Submit(ctx, editor, ref, ""); err != nil {
				return setup(err)
			}
			return w.guide.Approve(ctx, head, ref, "")
		}), fails(carecontact.ErrIllegalTransition)},
		{"guidance/Return/empty note", drafted(func(ctx context.Context, w *world, ref guidance.Ref) error {
			if err := w.guide.Submit(ctx, editor, ref, ""); err != nil {
				return setup(err)
			}
			return w.guide.Return(ctx, reviewer, ref, "")
		}), invalid("note")},
		{"guidance/Review/unknown version", func(ctx context.Context, w *world) error {
			return w.guide.Review(ctx, reviewer, guidance.Ref{Subject: "text/advice.intro/*/*", Number: 99}, "")
		}, fails(carecontact.ErrNotFound)},
		{"guidance/Review/mebibyte subject", func(ctx context.Context, w *world) error {
			return w.guide.Review(ctx, reviewer, guidance.Ref{Subject: mib, Number: 1}, "")
		}, invalid("subject")},
		{"guidance/Published/year 1", func(ctx context.Context, w *world) error {
			_, err := w.guide.Published(ctx, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC))
			return err
		}, accepted("guidance.Guide.Published: reconstructs the catalog in service at t (nothing was published in year 1)")},
		{"guidance/New/no store", pure(func() error { _, err := guidance.New(guidance.Config{}); return err }), invalid("config.Store")},
		{"guidance/NewSchema/duplicate key", pure(func() error {
			_, err := guidance.NewSchema(guidance.KeyDef{Key: "a.b"}, guidance.KeyDef{Key: "a.b"})
			return err
		}), invalid("schema.keys")},
		{"guidance/NewChecklist/unknown category", pure(func() error {
			_, err := guidance.NewChecklist([]string{"fi"}, guidance.ChecklistItem{ID: "x", Category: "vibes", Actions: []string{"close"}, Text: guidance.Localized{"fi": "x"}})
			return err
		}), invalid("checklist[0].category")},
	}
}
