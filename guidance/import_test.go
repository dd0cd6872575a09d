package guidance_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
)

func TestImport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := miniContent()
	refs, err := f.g.Import(ctx, chiefEditor, c)
	require.NoError(t, err)
	require.Len(t, refs, len(c.Entries()))
	for _, r := range refs {
		require.Equal(t, 1, r.Number)
	}

	again, err := f.g.Import(ctx, chiefEditor, c)
	require.NoError(t, err)
	require.Empty(t, again, "an unchanged file writes nothing")

	// A changed entry whose newest version is a draft edits that draft.
	c.Texts[0].Text["en"] = "We will call you {callback_window}."
	edited, err := f.g.Import(ctx, chiefEditor, c)
	require.NoError(t, err)
	require.Equal(t, []guidance.Ref{refs[0]}, edited)
	rec, err := f.g.Record(ctx, refs[0].Subject)
	require.NoError(t, err)
	require.Len(t, rec.Versions, 1)
	require.Equal(t, "We will call you {callback_window}.", rec.Versions[0].Entry.Text.Text["en"])
	require.Equal(t, guidance.ActionEdit, rec.Versions[0].Steps[1].Action)

	// A changed entry whose newest version is in review is refused, whole.
	require.NoError(t, f.g.Submit(ctx, chiefEditor, refs[0], ""))
	c.Texts[0].Text["en"] = "We call {callback_window}."
	c.Texts[2].Text["en"] = "Leave a callback request ({opening_hours})."
	_, err = f.g.Import(ctx, chiefEditor, c)
	require.ErrorIs(t, err, guidance.ErrState)
	rec2, err := f.g.Record(ctx, refs[2].Subject)
	require.NoError(t, err)
	require.Equal(t, "Leave a request ({opening_hours}).", rec2.Versions[0].Entry.Text.Text["en"], "nothing written")

	// After publication, a changed entry becomes a new draft version.
	require.NoError(t, f.g.Review(ctx, chiefReviewer, refs[0], ""))
	require.NoError(t, f.g.Approve(ctx, chief, refs[0], ""))
	require.NoError(t, f.g.Publish(ctx, chief, refs[0], ""))
	f.advance(time.Minute)
	next, err := f.g.Import(ctx, chiefEditor, c)
	require.NoError(t, err)
	require.Contains(t, next, guidance.Ref{Subject: refs[0].Subject, Number: 2})
}

func TestImportRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	c := miniContent()

	_, err := f.g.Import(ctx, editor, c)
	require.ErrorIs(t, err, guidance.ErrDenied, "an area editor cannot import shared content")
	recs, err := f.store.List(ctx)
	require.NoError(t, err)
	require.Empty(t, recs, "a refused import writes nothing")
	denied, err := f.log.Events(ctx, audit.Filter{Action: "guidance.draft"})
	require.NoError(t, err)
	require.Len(t, denied, 1)
	require.Equal(t, audit.Denied, denied[0].Outcome)

	other := miniContent()
	other.Languages = []string{"fi", "en", "sv"}
	_, err = f.g.Import(ctx, chiefEditor, other)
	require.ErrorIs(t, err, guidance.ErrLanguage)

	bad := miniContent()
	bad.Texts[0].Key = "unknown.key"
	_, err = f.g.Import(ctx, chiefEditor, bad)
	require.ErrorIs(t, err, guidance.ErrUnknownKey)
}

func TestPublishedRefusesContentTheSchemaNoLongerKnows(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	schema, err := guidance.DefaultSchema().With(guidance.KeyDef{Key: "lab.ready", Vars: []string{"ready_at"}})
	require.NoError(t, err)
	g, err := guidance.New(guidance.Config{Store: f.store, Audit: f.log, Roles: grants, Clock: f.clock, Schema: schema})
	require.NoError(t, err)
	ref, err := g.Draft(ctx, editor, guidance.Entry{Text: &guidance.Text{Key: "lab.ready", Area: "north", Text: guidance.Localized{"fi": "Valmis {ready_at}."}}}, "")
	require.NoError(t, err)
	require.NoError(t, g.Submit(ctx, editor, ref, ""))
	require.NoError(t, g.Review(ctx, reviewer, ref, ""))
	require.NoError(t, g.Approve(ctx, manager, ref, ""))
	require.NoError(t, g.Publish(ctx, manager, ref, ""))
	cat, err := g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	r, err := cat.Render("lab.ready", guidance.Scope{Area: "north"}, nil, guidance.Vars{"ready_at": "klo 12"})
	require.NoError(t, err)
	require.Equal(t, "Valmis klo 12.", r.Plain)
	// A guide with the default schema refuses to serve it rather than
	// serving something it cannot check.
	_, err = f.g.Published(ctx, f.clock.Now())
	require.ErrorIs(t, err, guidance.ErrUnknownKey)
	require.ErrorContains(t, err, ref.Subject)
}

func TestRecordHelpers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.g.Record(ctx, "text/none/*/*")
	require.ErrorIs(t, err, guidance.ErrNotFound)
	ref := f.publish(t, northCallback("Soitamme {callback_window}."))
	rec, err := f.g.Record(ctx, ref.Subject)
	require.NoError(t, err)
	_, ok := rec.Version(0)
	require.False(t, ok)
	_, ok = rec.Version(2)
	require.False(t, ok)
	v, ok := rec.Latest()
	require.True(t, ok)
	_, ended := v.EndedAt()
	require.False(t, ended)
	require.True(t, v.LiveAt(f.clock.Now()))
	require.False(t, v.LiveAt(f.clock.Now().Add(-time.Nanosecond)))
	live, ok := rec.LiveAt(f.clock.Now().Add(time.Hour))
	require.True(t, ok)
	require.Equal(t, 1, live.Number)
	_, ok = guidance.Record{}.Latest()
	require.False(t, ok)
	cp := rec.Clone()
	cp.Versions[0].Entry.Text.Text["fi"] = "muutettu"
	cp.Versions[0].Steps[0].Note = "muutettu"
	require.Equal(t, "Soitamme {callback_window}.", rec.Versions[0].Entry.Text.Text["fi"])
	require.Equal(t, "new", rec.Versions[0].Steps[0].Note)
}

func TestEntrySubjects(t *testing.T) {
	c := miniContent()
	var got []string
	for _, e := range c.Entries() {
		got = append(got, e.Subject())
	}
	require.Equal(t, []string{
		"text/callback.requested/*/*", "text/callback.requested/north/*", "text/advice.callback/*/*",
		"text/advice.chat/*/*", "text/advice.e_booking/*/*",
		"channels/*", "channels/north", "booking/north",
		"checklist/identity-verified", "checklist/private-place", "checklist/av-tested", "checklist/consent", "checklist/summary",
	}, got)
	require.Equal(t, "", guidance.Entry{}.Subject())
	require.Equal(t, carecontact.AreaID("north"), c.Entries()[7].Area())
	require.Empty(t, c.Entries()[8].Area(), "checklist items belong to no area")
}
