package guidance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

func callbackText(area carecontact.AreaID, text guidance.Localized) guidance.Entry {
	return guidance.Entry{Text: &guidance.Text{Key: guidance.KeyCallbackRequested, Area: area, Text: text}}
}

// previewFixture publishes north's channels and a shared callback text in
// fi and sv, and drafts north's own callback text in Finnish only.
func previewFixture(t *testing.T) (fixture, guidance.Ref) {
	t.Helper()
	f := newFixture(t)
	f.publish(t, northAdvice(channel.Callback, "Jätä soittopyyntö.", "Lämna en begäran."))
	f.publish(t, northChannels(channel.Callback))
	f.publish(t, callbackText("", guidance.Localized{"fi": "Soitamme {callback_window}.", "sv": "Vi ringer {callback_window}."}))
	ref, err := f.g.Draft(context.Background(), editor, callbackText("north", guidance.Localized{"fi": "{area_name}: soitamme {callback_window}."}), "own text")
	require.NoError(t, err)
	return f, ref
}

func TestPreview(t *testing.T) {
	ctx := context.Background()
	f, ref := previewFixture(t)
	tests := []struct {
		name    string
		actor   audit.Actor
		lang    string
		sample  guidance.Vars
		plain   string
		inLang  string
		version guidance.Ref
		err     error
	}{
		{name: "finnish with sample", actor: reviewer, lang: "fi", sample: guidance.Vars{"callback_window": "klo 13–15"},
			plain: "Pohjoinen: soitamme klo 13–15.", inLang: "fi", version: ref},
		{name: "missing sample shows the placeholder", actor: editor, lang: "fi",
			plain: "Pohjoinen: soitamme [callback_window].", inLang: "fi", version: ref},
		{name: "undeclared sample ignored", actor: manager, lang: "fi", sample: guidance.Vars{"callback_window": "pian", "nope": "x"},
			plain: "Pohjoinen: soitamme pian.", inLang: "fi", version: ref},
		{name: "swedish client sees the shared swedish text, as served", actor: reviewer, lang: "sv", sample: guidance.Vars{"callback_window": "kl 13–15"},
			plain: "Vi ringer kl 13–15.", inLang: "sv"},
		{name: "client may not preview", actor: clientAct, lang: "fi", err: guidance.ErrDenied},
		{name: "editor of another area may not preview", actor: editor2, lang: "fi", err: guidance.ErrDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.g.Preview(ctx, tt.actor, ref, tt.lang, tt.sample)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.plain, r.Plain)
			require.Equal(t, tt.inLang, r.Language.String())
			if tt.version.Subject != "" {
				require.Equal(t, tt.version, r.Version)
			} else {
				require.NotEqual(t, ref, r.Version)
			}
		})
	}
	reads, err := f.log.Events(ctx, audit.Filter{Action: "guidance.preview"})
	require.NoError(t, err)
	allowed, denied := 0, 0
	for _, e := range reads {
		require.Equal(t, "guidance/"+ref.Subject, e.Subject)
		if e.Outcome == audit.Allowed {
			allowed++
		} else {
			denied++
		}
	}
	require.Equal(t, 4, allowed, "every preview is audited as a read")
	require.Equal(t, 2, denied)

	_, err = f.g.Preview(ctx, reviewer, guidance.Ref{Subject: ref.Subject, Number: 9}, "fi", nil)
	require.ErrorIs(t, err, guidance.ErrNotFound)
	chRec, err := f.g.Record(ctx, northChannels().Subject())
	require.NoError(t, err)
	_, err = f.g.Preview(ctx, reviewer, guidance.Ref{Subject: chRec.Subject, Number: 1}, "fi", nil)
	require.ErrorIs(t, err, guidance.ErrInvalid, "a channel configuration is no text")
}

func TestPreviewSchemaSample(t *testing.T) {
	ctx := context.Background()
	def, ok := guidance.DefaultSchema().Key(guidance.KeyCallbackRequested)
	require.True(t, ok)
	def.Sample = map[string]guidance.Localized{"callback_window": {"fi": "klo 13–15", "sv": "kl 13–15"}}
	base := guidance.DefaultSchema()
	var defs []guidance.KeyDef
	for _, d := range base.Keys() {
		if d.Key == def.Key {
			d = def
		}
		defs = append(defs, d)
	}
	schema, err := guidance.NewSchema(defs...)
	require.NoError(t, err)
	log := memory.NewAuditLog()
	g, err := guidance.New(guidance.Config{Store: memory.NewGuidanceStore(log), Audit: log, Roles: grants, Clock: &testClock{now: t0}, Schema: schema})
	require.NoError(t, err)
	ref, err := g.Draft(ctx, editor, callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window}.", "sv": "Vi ringer {callback_window}."}), "")
	require.NoError(t, err)
	for lang, want := range map[string]string{"fi": "Soitamme klo 13–15.", "sv": "Vi ringer kl 13–15."} {
		r, err := g.Preview(ctx, reviewer, ref, lang, nil)
		require.NoError(t, err)
		require.Equal(t, want, r.Plain)
	}
	r, err := g.Preview(ctx, reviewer, ref, "sv", guidance.Vars{"callback_window": "i morgon"})
	require.NoError(t, err)
	require.Equal(t, "Vi ringer i morgon.", r.Plain, "the caller's sample wins")

	def.Sample = map[string]guidance.Localized{"nope": {"fi": "x"}}
	_, err = guidance.NewSchema(def)
	require.ErrorIs(t, err, guidance.ErrInvalid, "a sample of an undeclared variable")
}

func TestWordDiff(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want []guidance.DiffOp
	}{
		{name: "equal", a: "a b", b: "a b", want: []guidance.DiffOp{{Op: "=", Text: "a b"}}},
		{name: "both empty", a: "", b: "", want: nil},
		{name: "new text", a: "", b: "Soitamme pian.", want: []guidance.DiffOp{{Op: "+", Text: "Soitamme pian."}}},
		{name: "removed", a: "Soitamme pian.", b: "", want: []guidance.DiffOp{{Op: "-", Text: "Soitamme pian."}}},
		{name: "word replaced", a: "Soitamme {callback_window} tänään.", b: "Soitamme {callback_window} huomenna.",
			want: []guidance.DiffOp{{Op: "=", Text: "Soitamme {callback_window} "}, {Op: "-", Text: "tänään."}, {Op: "+", Text: "huomenna."}}},
		{name: "word inserted", a: "Vi ringer.", b: "Vi ringer snart.",
			want: []guidance.DiffOp{{Op: "=", Text: "Vi "}, {Op: "-", Text: "ringer."}, {Op: "+", Text: "ringer snart."}}},
		{name: "line break kept", a: "a\nb", b: "a\nc", want: []guidance.DiffOp{{Op: "=", Text: "a\n"}, {Op: "-", Text: "b"}, {Op: "+", Text: "c"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := guidance.WordDiff(tt.a, tt.b)
			require.Equal(t, tt.want, got)
			var live, draft strings.Builder
			for _, op := range got {
				if op.Op != "+" {
					live.WriteString(op.Text)
				}
				if op.Op != "-" {
					draft.WriteString(op.Text)
				}
			}
			require.Equal(t, tt.a, live.String())
			require.Equal(t, tt.b, draft.String())
		})
	}
	long := strings.Repeat("sana ", guidance.MaxDiffWords+1)
	require.Equal(t, []guidance.DiffOp{{Op: "-", Text: long}, {Op: "+", Text: "x"}}, guidance.WordDiff(long, "x"))
	// Two texts at the bound that differ in one word come back as that
	// word's change between their equal start and end.
	half := strings.Repeat("sana ", guidance.MaxDiffWords/2-1)
	require.Equal(t, []guidance.DiffOp{{Op: "=", Text: half}, {Op: "-", Text: "vanha "}, {Op: "+", Text: "uusi "}, {Op: "=", Text: half}},
		guidance.WordDiff(half+"vanha "+half, half+"uusi "+half))
}

func TestDiff(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	live := f.publish(t, callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window} tänään.", "sv": "Vi ringer {callback_window}."}))
	draft, err := f.g.Draft(ctx, editor, callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window} huomenna.", "sv": "Vi ringer {callback_window}.", "en": "We call {callback_window}."}), "")
	require.NoError(t, err)
	fresh, err := f.g.Draft(ctx, editor, callbackText("", guidance.Localized{"fi": "Soitamme."}), "")
	_ = fresh
	require.Error(t, err, "a shared text needs a shared editor")
	fresh, err = f.g.Draft(ctx, chiefEditor, callbackText("", guidance.Localized{"fi": "Soitamme {callback_window}."}), "")
	require.NoError(t, err)

	tests := []struct {
		name  string
		actor audit.Actor
		ref   guidance.Ref
		want  []guidance.SubjectDiff
		err   error
	}{
		{name: "changed finnish, same swedish, new english", actor: reviewer, ref: draft, want: []guidance.SubjectDiff{{
			Subject: draft.Subject, Draft: draft, Live: live, Changed: true, Texts: []guidance.LangDiff{
				{Lang: "fi", Live: "Soitamme {callback_window} tänään.", Draft: "Soitamme {callback_window} huomenna.",
					Ops: []guidance.DiffOp{{Op: "=", Text: "Soitamme {callback_window} "}, {Op: "-", Text: "tänään."}, {Op: "+", Text: "huomenna."}}},
				{Lang: "sv", Live: "Vi ringer {callback_window}.", Draft: "Vi ringer {callback_window}."},
				{Lang: "en", Draft: "We call {callback_window}.", Ops: []guidance.DiffOp{{Op: "+", Text: "We call {callback_window}."}}},
			}}}},
		{name: "nothing live yet", actor: chief, ref: fresh, want: []guidance.SubjectDiff{{
			Subject: fresh.Subject, Draft: fresh, Changed: true, Texts: []guidance.LangDiff{
				{Lang: "fi", Draft: "Soitamme {callback_window}.", Ops: []guidance.DiffOp{{Op: "+", Text: "Soitamme {callback_window}."}}},
			}}}},
		{name: "client refused", actor: clientAct, ref: draft, err: guidance.ErrDenied},
		{name: "unknown version", actor: reviewer, ref: guidance.Ref{Subject: draft.Subject, Number: 7}, err: guidance.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.g.Diff(ctx, tt.actor, tt.ref)
			if tt.err != nil {
				require.ErrorIs(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
	reads, err := f.log.Events(ctx, audit.Filter{Action: "guidance.diff"})
	require.NoError(t, err)
	require.Len(t, reads, 3, "each diff of a version, allowed or refused, is audited")
}

func TestDiffChangeSet(t *testing.T) {
	ctx := context.Background()
	f, oldCfg, cfgRef := setFixture(t)
	adv, err := f.g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Videovastaanotto.", "Videomottagning."), "")
	require.NoError(t, err)
	got, err := f.g.Diff(ctx, reviewer, guidance.Ref{Subject: guidance.SetSubject("video"), Number: 1})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, cfgRef, got[0].Draft)
	require.Equal(t, oldCfg, got[0].Live)
	require.True(t, got[0].Changed, "an offer was added")
	require.Equal(t, []guidance.LangDiff{
		{Lang: "fi", Live: "Pohjoinen\nma–pe 8–16", Draft: "Pohjoinen\nma–pe 8–16\nma–pe 8–16",
			Ops: []guidance.DiffOp{{Op: "=", Text: "Pohjoinen\nma–pe "}, {Op: "+", Text: "8–16\nma–pe "}, {Op: "=", Text: "8–16"}}},
		{Lang: "sv", Live: "Norra\nmån–fre 8–16", Draft: "Norra\nmån–fre 8–16\nmån–fre 8–16",
			Ops: []guidance.DiffOp{{Op: "=", Text: "Norra\nmån–fre "}, {Op: "+", Text: "8–16\nmån–fre "}, {Op: "=", Text: "8–16"}}},
	}, got[0].Texts, "the area's name and one line of hours per offer")
	require.Equal(t, adv, got[1].Draft)
	require.Zero(t, got[1].Live)
	require.Equal(t, []guidance.LangDiff{
		{Lang: "fi", Draft: "Videovastaanotto.", Ops: []guidance.DiffOp{{Op: "+", Text: "Videovastaanotto."}}},
		{Lang: "sv", Draft: "Videomottagning.", Ops: []guidance.DiffOp{{Op: "+", Text: "Videomottagning."}}},
	}, got[1].Texts)
}

func kinds(items []guidance.WorkItem) []string {
	out := []string{}
	for _, it := range items {
		out = append(out, string(it.Kind)+" "+it.Ref.String())
	}
	return out
}

func TestWorklist(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ref, err := f.g.Draft(ctx, editor, callbackText("north", guidance.Localized{"fi": "Soitamme {callback_window}."}), "")
	require.NoError(t, err)
	list := func(a audit.Actor) []string {
		t.Helper()
		items, err := f.g.Worklist(ctx, a)
		require.NoError(t, err)
		return kinds(items)
	}
	require.Equal(t, []string{"draft " + ref.String()}, list(editor), "a fresh draft waits for its author")
	require.Empty(t, list(reviewer), "and for nobody else")
	f.advance(time.Minute)
	require.NoError(t, f.g.Submit(ctx, editor, ref, ""))
	steps := []struct {
		name string
		take func() error
		want map[audit.Actor][]string
	}{
		{name: "submitted", take: func() error { return nil }, want: map[audit.Actor][]string{
			reviewer: {"review " + ref.String()}, dual: {"review " + ref.String()}, manager: {}, editor: {}, editor2: {}, clientAct: {}}},
		{name: "reviewed", take: func() error { return f.g.Review(ctx, reviewer, ref, "ok") }, want: map[audit.Actor][]string{
			reviewer: {}, manager: {"approval " + ref.String()}, dual: {"approval " + ref.String()}, editor: {}}},
		{name: "returned", take: func() error { return f.g.Return(ctx, manager, ref, "Lisää soittoaika.") }, want: map[audit.Actor][]string{
			editor: {"returned " + ref.String()}, reviewer: {}, manager: {}}},
		{name: "resubmitted, reviewed and approved", take: func() error {
			require.NoError(t, f.g.Submit(ctx, editor, ref, ""))
			require.NoError(t, f.g.Review(ctx, dual, ref, ""))
			return f.g.Approve(ctx, manager, ref, "")
		}, want: map[audit.Actor][]string{editor: {}, manager: {"publish " + ref.String()}, dual: {"publish " + ref.String()}, reviewer: {}}},
	}
	for _, st := range steps {
		f.advance(time.Minute)
		require.NoError(t, st.take(), st.name)
		for a, want := range st.want {
			require.Equal(t, want, list(a), "%s: %s", st.name, a)
		}
	}

	require.NoError(t, f.g.Publish(ctx, manager, ref, ""))
	ref2, err := f.g.Draft(ctx, editor, callbackText("north", guidance.Localized{"fi": "Soitamme pian {callback_window}."}), "")
	require.NoError(t, err)
	require.NoError(t, f.g.Submit(ctx, editor, ref2, ""))
	f.advance(time.Minute)
	require.NoError(t, f.g.Return(ctx, reviewer, ref2, "Tarkista sanamuoto."))
	items, err := f.g.Worklist(ctx, editor)
	require.NoError(t, err)
	require.Len(t, items, 1)
	it := items[0]
	require.Equal(t, guidance.WorkReturned, it.Kind)
	require.Equal(t, "Tarkista sanamuoto.", it.Since.Note, "the reviewer's comment")
	require.Equal(t, reviewer.ID, it.Since.Actor.ID)
	require.Equal(t, guidance.StateDraft, it.State)
	require.Equal(t, "north", it.Area)
	require.Equal(t, []guidance.Action{guidance.ActionEdit, guidance.ActionSubmit, guidance.ActionWithdraw}, it.Actions)
}

func TestWorklistChangeSet(t *testing.T) {
	ctx := context.Background()
	f, _, _ := setFixture(t)
	_, err := f.g.DraftInSet(ctx, editor, "video", northAdvice(channel.Video, "Video.", "Video."), "")
	require.NoError(t, err)
	require.NoError(t, f.g.SubmitSet(ctx, editor, "video", ""))
	set := guidance.Ref{Subject: guidance.SetSubject("video"), Number: 1}
	items, err := f.g.Worklist(ctx, reviewer)
	require.NoError(t, err)
	require.Equal(t, []string{"review " + set.String()}, kinds(items), "the set, not its members")
	require.Equal(t, "video", items[0].Set)
	require.NoError(t, f.g.ReturnSet(ctx, reviewer, "video", "Puuttuu ruotsi."))
	items, err = f.g.Worklist(ctx, editor)
	require.NoError(t, err)
	require.Equal(t, []string{"returned " + set.String()}, kinds(items))
	require.Equal(t, "Puuttuu ruotsi.", items[0].Since.Note)
	require.NoError(t, f.g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, f.g.ReviewSet(ctx, reviewer, "video", ""))
	items, err = f.g.Worklist(ctx, manager)
	require.NoError(t, err)
	require.Equal(t, []string{"approval " + set.String()}, kinds(items))
}

func TestEvents(t *testing.T) {
	ctx := context.Background()
	var got []guidance.Event
	log := memory.NewAuditLog()
	clock := &testClock{now: t0}
	g, err := guidance.New(guidance.Config{Store: memory.NewGuidanceStore(log), Audit: log, Roles: grants, Clock: clock,
		Events: func(e guidance.Event) { got = append(got, e) }})
	require.NoError(t, err)
	f := fixture{g: g, clock: clock, log: log}
	f.publish(t, northAdvice(channel.Callback, "Jätä soittopyyntö.", "Lämna en begäran."))
	old := f.publish(t, northChannels(channel.Callback))
	require.Len(t, got, 8)
	ref := guidance.Ref{Subject: old.Subject, Number: old.Number}
	require.Equal(t, guidance.Event{Action: guidance.ActionPublish, Ref: ref, Area: "north", State: guidance.StatePublished,
		Actor: manager.ID, Authors: []string{editor.ID}, At: clock.Now()}, got[7])

	got = nil
	require.Error(t, g.Approve(ctx, manager, ref, ""), "a refused step")
	require.Empty(t, got, "calls nothing")

	require.NoError(t, g.NewSet(ctx, editor, "video", "north", ""))
	_, err = g.DraftInSet(ctx, editor, "video", northChannels(channel.Callback, channel.Video), "")
	require.NoError(t, err)
	_, err = g.DraftInSet(ctx, editor2, "video", northAdvice(channel.Video, "Video.", "Video."), "")
	require.ErrorIs(t, err, guidance.ErrDenied)
	_, err = g.DraftInSet(ctx, manager, "video", northAdvice(channel.Video, "Video.", "Video."), "")
	require.NoError(t, err)
	require.NoError(t, g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, g.ReturnSet(ctx, reviewer, "video", "Lisää hinta."))
	require.NoError(t, g.SubmitSet(ctx, editor, "video", ""))
	require.NoError(t, g.ReviewSet(ctx, reviewer, "video", ""))
	require.NoError(t, g.ApproveSet(ctx, chief, "video", ""))
	from := clock.Now().Add(24 * time.Hour)
	require.NoError(t, g.PublishSet(ctx, chief, "video", from, ""))
	require.NoError(t, g.RollbackSet(ctx, chief, "video", ""))
	var acts []guidance.Action
	set := guidance.Ref{Subject: guidance.SetSubject("video"), Number: 1}
	for _, e := range got {
		acts = append(acts, e.Action)
		require.Equal(t, set, e.Ref, "one event per set step")
		require.Equal(t, "video", e.Set)
		require.Equal(t, carecontact.AreaID("north"), e.Area)
		require.Equal(t, []string{editor.ID, manager.ID}, e.Authors)
	}
	require.Equal(t, []guidance.Action{guidance.ActionSubmit, guidance.ActionReturn, guidance.ActionSubmit, guidance.ActionReview,
		guidance.ActionApprove, guidance.ActionPublish, guidance.ActionRollback}, acts)
	require.Equal(t, guidance.StateRolledBack, got[6].State)
	require.Equal(t, from, got[5].Effective, "published from a set time")
	require.Equal(t, chief.ID, got[5].Actor)
}

// FuzzWordDiff: for any two texts, the kept and removed runs are the live
// text and the kept and added runs the draft.
func FuzzWordDiff(f *testing.F) {
	f.Add("Vi ringer dig {callback_window}.", "Vi ringer {callback_window}.")
	f.Add("", "x")
	f.Add(" a\n\nb  c", "a b\tc ")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 4000 || len(b) > 4000 {
			return
		}
		var x, y strings.Builder
		for _, op := range guidance.WordDiff(a, b) {
			switch op.Op {
			case "=":
				x.WriteString(op.Text)
				y.WriteString(op.Text)
			case "-":
				x.WriteString(op.Text)
			case "+":
				y.WriteString(op.Text)
			default:
				t.Fatalf("op %q", op.Op)
			}
		}
		if x.String() != a || y.String() != b {
			t.Fatalf("diff of %q and %q rebuilds %q and %q", a, b, x.String(), y.String())
		}
	})
}

// TestPreviewChangeSet: a member of a change set is previewed with the
// set's other members in place, here the area's new name.
func TestPreviewChangeSet(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.publish(t, northAdvice(channel.Callback, "Jätä soittopyyntö.", "Lämna en begäran."))
	f.publish(t, northChannels(channel.Callback))
	require.NoError(t, f.g.NewSet(ctx, editor, "rename", "north", ""))
	renamed := northChannels(channel.Callback)
	renamed.Channels.AreaName = guidance.Localized{"fi": "Pohjois-Karjala", "sv": "Norra Karelen"}
	_, err := f.g.DraftInSet(ctx, editor, "rename", renamed, "")
	require.NoError(t, err)
	ref, err := f.g.DraftInSet(ctx, editor, "rename", callbackText("north", guidance.Localized{"fi": "{area_name}: soitamme {callback_window}.", "sv": "{area_name}: vi ringer {callback_window}."}), "")
	require.NoError(t, err)
	for lang, want := range map[string]string{"fi": "Pohjois-Karjala: soitamme pian.", "sv": "Norra Karelen: vi ringer pian."} {
		r, err := f.g.Preview(ctx, reviewer, ref, lang, guidance.Vars{"callback_window": "pian"})
		require.NoError(t, err)
		require.Equal(t, want, r.Plain, lang)
		require.Equal(t, ref, r.Version)
	}
	cat, err := f.g.Published(ctx, f.clock.Now())
	require.NoError(t, err)
	_, err = cat.Render(guidance.KeyCallbackRequested, guidance.Scope{Area: "north"}, nil, guidance.Vars{"callback_window": "pian"})
	require.ErrorIs(t, err, guidance.ErrNotFound, "nothing of the set is served")
}

// subjectFailingStore fails the Save of one subject while fail is set.
type subjectFailingStore struct {
	*memory.GuidanceStore
	fail string
}

func (s *subjectFailingStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	if rec.Subject == s.fail {
		return 0, carecontact.ErrUnavailable
	}
	return s.GuidanceStore.Save(ctx, rec, events)
}

// TestEventsOfAStepCompletedLater: a set's step that stopped part-way
// notifies nothing; taking it again completes it and notifies once.
func TestEventsOfAStepCompletedLater(t *testing.T) {
	ctx := context.Background()
	log := memory.NewAuditLog()
	store := &subjectFailingStore{GuidanceStore: memory.NewGuidanceStore(log)}
	var got []guidance.Action
	g, err := guidance.New(guidance.Config{Store: store, Audit: log, Roles: grants, Clock: &testClock{now: t0},
		Events: func(e guidance.Event) { got = append(got, e.Action) }})
	require.NoError(t, err)
	require.NoError(t, g.NewSet(ctx, editor, "s", "north", ""))
	ref, err := g.DraftInSet(ctx, editor, "s", northAdvice(channel.Callback, "Soita.", ""), "")
	require.NoError(t, err)
	store.fail = ref.Subject
	require.ErrorIs(t, g.SubmitSet(ctx, editor, "s", ""), carecontact.ErrUnavailable)
	require.Empty(t, got)
	store.fail = ""
	require.NoError(t, g.SubmitSet(ctx, editor, "s", ""))
	require.Equal(t, []guidance.Action{guidance.ActionSubmit}, got)
	require.NoError(t, g.SubmitSet(ctx, editor, "s", ""), "taking a completed step again changes nothing")
	require.Equal(t, []guidance.Action{guidance.ActionSubmit}, got, "and notifies nothing")
}
