package guidance

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// maintainerRoles are the roles that may read drafts of an area.
var maintainerRoles = []Role{RoleEditor, RoleReviewer, RoleManager}

// loadVersion returns version ref.
func (g *Guide) loadVersion(ctx context.Context, ref Ref) (Version, error) {
	rec, err := g.store.Load(ctx, ref.Subject)
	if err != nil {
		return Version{}, err
	}
	v, ok := rec.Version(ref.Number)
	if !ok {
		return Version{}, fmt.Errorf("%w: version %s", ErrNotFound, ref)
	}
	return v, nil
}

// readAllowed checks that actor may read drafts of area and records the
// read (or its refusal) as an audit event of action "guidance.<act>".
func (g *Guide) readAllowed(ctx context.Context, actor audit.Actor, act Action, ref Ref, area carecontact.AreaID) error {
	now := g.clock.Now().UTC()
	if err := actor.Validate(); err != nil {
		who, kind := audit.StandIn(actor)
		g.recordRefusal(ctx, who, ref.Subject, act, now, map[string]string{"reason": "invalid_actor", "actor_kind": kind})
		return fmt.Errorf("guidance: %s: actor: %w", act, err)
	}
	if err := g.authorize(ctx, actor, act, area, maintainerRoles); err != nil {
		g.recordDenied(ctx, actor, ref.Subject, act, now, err)
		return err
	}
	err := g.audit.Record(ctx, audit.Event{At: now, Actor: actor, Action: "guidance." + string(act),
		Subject: "guidance/" + ref.Subject, Outcome: audit.Allowed,
		Detail: map[string]string{"version": strconv.Itoa(ref.Number)}})
	if err != nil {
		return fmt.Errorf("guidance: %s %s: audit: %w", act, ref, err)
	}
	return nil
}

// Actions of reads that Preview, Diff and Worklist record in the audit
// trail (as "guidance.preview", "guidance.diff"; Worklist records nothing,
// as it shows no content).
const (
	ActionPreview Action = "preview" // a draft rendered with sample data (read)
	ActionDiff    Action = "diff"    // a draft compared with what is live (read)
)

// Preview renders the text of version ref (typically a draft) in lang
// exactly as clients would see it were it published now: the published
// catalogue of this moment with the version (and, for a member of a
// change set, every member of its set) in place of what is live, through
// the same renderer and language fallback as Catalog.RenderLocalized.
// Rendered.Language tells the language actually shown and
// Rendered.Version names ref.
//
// The key's declared placeholders are filled from sample, then from the
// schema's KeyDef.Sample in the rendered language, then (area_name) from
// the area's channel configuration; a declared placeholder still without
// a value is shown as "[name]", so a preview never fails for want of
// sample data. Values for undeclared names are ignored.
//
// The actor must hold a role (editor, reviewer or manager) in the
// version's area; the preview is recorded as a read
// ("guidance.preview"). Errors wrap ErrNotFound (no such version),
// ErrInvalid (the version is not a text), ErrDenied, or the store's error.
func (g *Guide) Preview(ctx context.Context, actor audit.Actor, ref Ref, lang string, sample Vars) (Rendered, error) {
	v, err := g.loadVersion(ctx, ref)
	if err != nil {
		return Rendered{}, fmt.Errorf("guidance: preview %s: %w", ref, err)
	}
	if v.Entry.Text == nil {
		return Rendered{}, fmt.Errorf("guidance: preview %s: %w: the version is not a text", ref, ErrInvalid)
	}
	if err := g.readAllowed(ctx, actor, ActionPreview, ref, v.area()); err != nil {
		return Rendered{}, fmt.Errorf("guidance: preview %s: %w", ref, err)
	}
	now := g.clock.Now().UTC()
	recs, err := g.Records(ctx)
	if err != nil {
		return Rendered{}, err
	}
	// The draft and, for a set, its fellow members replace what is live.
	replace := map[string]Ref{ref.Subject: ref}
	if v.Set != "" {
		for _, r := range recs {
			if r.Subject == SetSubject(v.Set) && len(r.Versions) == 1 && r.Versions[0].ChangeSet != nil {
				for _, m := range r.Versions[0].ChangeSet.Members {
					if _, ok := replace[m.Subject]; !ok {
						replace[m.Subject] = m
					}
				}
			}
		}
	}
	counts := setCounts(recs)
	var entries []Entry
	var refs []Ref
	for _, r := range recs {
		if strings.HasPrefix(r.Subject, setPrefix) {
			continue
		}
		if m, ok := replace[r.Subject]; ok {
			if mv, ok := r.Version(m.Number); ok {
				entries, refs = append(entries, mv.Entry), append(refs, m)
			}
			continue
		}
		if lv, ok := r.liveAt(now, counts); ok {
			entries, refs = append(entries, lv.Entry), append(refs, Ref{Subject: r.Subject, Number: lv.Number})
		}
	}
	c, err := buildCatalog(g.langs, g.schema, entries, refs, now)
	if err != nil {
		return Rendered{}, fmt.Errorf("guidance: preview %s: %w", ref, err)
	}
	t := v.Entry.Text
	def, _ := g.schema.Key(t.Key)
	vals := Vars{}
	loc := LocalizedVars{}
	for _, name := range def.Vars {
		switch s, ok := sample[name]; {
		case ok:
			vals[name] = s
		case len(def.Sample[name]) > 0:
			loc[name] = def.Sample[name]
		case name == VarAreaName:
			if _, ok := c.areaName(t.Area, g.langs.names[0]); !ok {
				vals[name] = "[" + name + "]"
			}
		default:
			vals[name] = "[" + name + "]"
		}
	}
	out, err := c.RenderLocalized(t.Key, Scope{Area: t.Area, Service: t.Service}, []language.Tag{language.Make(lang)}, vals, loc)
	if err != nil {
		return Rendered{}, fmt.Errorf("guidance: preview %s: %w", ref, err)
	}
	return out, nil
}

// DiffOp is one operation of a word diff: Op is "=" (the words are in
// both), "-" (only in the live text) or "+" (only in the draft). Text is
// the words with the white space that separates them, so joining the "="
// and "-" texts gives the live text back and the "=" and "+" texts the
// draft.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// LangDiff is the difference of one language of a text: Live and Draft
// are the two texts as written (with their placeholders), Ops the word
// diff from Live to Draft. Ops is nil when the texts are equal, and holds
// one "-" and one "+" of the whole texts when either has more than
// MaxDiffWords words.
type LangDiff struct {
	Lang  string   `json:"lang"`
	Live  string   `json:"live"`
	Draft string   `json:"draft"`
	Ops   []DiffOp `json:"ops,omitempty"`
}

// SubjectDiff is the difference of one subject's version from the
// version live now: Live is zero when nothing of the subject is live.
// Texts lists every language of either text, in the guide's language
// order; Changed tells whether the entries differ at all (a change of
// booking rules or channels shows in Changed, not in Texts).
type SubjectDiff struct {
	Subject string     `json:"subject"`
	Draft   Ref        `json:"draft"`
	Live    Ref        `json:"live,omitzero"`
	Changed bool       `json:"changed"`
	Texts   []LangDiff `json:"texts,omitempty"`
}

// MaxDiffWords bounds the texts Diff compares word by word.
const MaxDiffWords = 2000

// Diff compares version ref with what is live now: per language, a word
// diff (see DiffOp) of its text against the live version of the same
// subject. For a change set's own record (ref of SetSubject), it returns
// one SubjectDiff per member, in the set's order; otherwise one. Booking
// configurations, channel configurations and checklist items are
// compared per language on their names and texts where they have them,
// and as a whole in Changed.
//
// The actor must hold a role in the version's area; the diff is recorded
// as a read ("guidance.diff"). Errors wrap ErrNotFound, ErrDenied, or the
// store's error.
func (g *Guide) Diff(ctx context.Context, actor audit.Actor, ref Ref) ([]SubjectDiff, error) {
	v, err := g.loadVersion(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("guidance: diff %s: %w", ref, err)
	}
	if err := g.readAllowed(ctx, actor, ActionDiff, ref, v.area()); err != nil {
		return nil, fmt.Errorf("guidance: diff %s: %w", ref, err)
	}
	refs := []Ref{ref}
	if v.ChangeSet != nil {
		refs = v.ChangeSet.Members
	}
	recs, err := g.Records(ctx)
	if err != nil {
		return nil, err
	}
	counts := setCounts(recs)
	bySubject := map[string]Record{}
	for _, r := range recs {
		bySubject[r.Subject] = r
	}
	now := g.clock.Now().UTC()
	out := make([]SubjectDiff, 0, len(refs))
	for _, m := range refs {
		rec := bySubject[m.Subject]
		dv, ok := rec.Version(m.Number)
		if !ok {
			return nil, fmt.Errorf("guidance: diff %s: %w: version %s", ref, ErrNotFound, m)
		}
		d := SubjectDiff{Subject: m.Subject, Draft: m}
		var live Entry
		if lv, ok := rec.liveAt(now, counts); ok {
			d.Live, live = Ref{Subject: m.Subject, Number: lv.Number}, lv.Entry
		}
		d.Changed = !sameEntry(live, dv.Entry)
		a, b := entryTexts(live), entryTexts(dv.Entry)
		for _, lang := range g.langs.names {
			la, lb := a[lang], b[lang]
			if la == "" && lb == "" {
				continue
			}
			ld := LangDiff{Lang: lang, Live: la, Draft: lb}
			if la != lb {
				ld.Ops = WordDiff(la, lb)
			}
			d.Texts = append(d.Texts, ld)
		}
		out = append(out, d)
	}
	return out, nil
}

// entryTexts returns the client-visible wording of e per language: a
// text's template, or the names and texts of a configuration one per
// line.
func entryTexts(e Entry) Localized {
	out := Localized{}
	add := func(l Localized) {
		for lang, s := range l {
			if out[lang] != "" {
				out[lang] += "\n"
			}
			out[lang] += s
		}
	}
	switch {
	case e.Text != nil:
		add(e.Text.Text)
	case e.Channels != nil:
		add(e.Channels.AreaName)
		for _, o := range e.Channels.Offers {
			add(o.Hours)
		}
	case e.Booking != nil:
		for _, s := range e.Booking.Services {
			add(s.Name)
		}
	case e.Checklist != nil:
		add(e.Checklist.Text)
	}
	return out
}

// WordDiff returns the shortest word diff from a to b (a longest common
// subsequence of their words; a word keeps the white space that follows
// it). Texts of more than MaxDiffWords words are not compared word by
// word: the diff is then "-" a and "+" b. Adjacent operations of one kind
// are merged.
func WordDiff(a, b string) []DiffOp {
	wa, wb := splitWords(a), splitWords(b)
	if len(wa) > MaxDiffWords || len(wb) > MaxDiffWords {
		var out []DiffOp
		if a != "" {
			out = append(out, DiffOp{Op: "-", Text: a})
		}
		if b != "" {
			out = append(out, DiffOp{Op: "+", Text: b})
		}
		return out
	}
	// The words both texts start and end with are equal ops of their own:
	// an editor's change is usually small, so the table below covers only
	// the middle that differs.
	pre := 0
	for pre < len(wa) && pre < len(wb) && wa[pre] == wb[pre] {
		pre++
	}
	suf := 0
	for suf < len(wa)-pre && suf < len(wb)-pre && wa[len(wa)-1-suf] == wb[len(wb)-1-suf] {
		suf++
	}
	head, tail := wa[:pre], wa[len(wa)-suf:]
	wa, wb = wa[pre:len(wa)-suf], wb[pre:len(wb)-suf]
	// lcs[i*w+j] is the length of the longest common subsequence of wa[i:]
	// and wb[j:]; at most MaxDiffWords, so uint16 cells: 8 MB at the very
	// most, for two texts of MaxDiffWords words that differ throughout.
	w := len(wb) + 1
	lcs := make([]uint16, (len(wa)+1)*w)
	for i := len(wa) - 1; i >= 0; i-- {
		for j := len(wb) - 1; j >= 0; j-- {
			if wa[i] == wb[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var out []DiffOp
	emit := func(op, s string) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += s
			return
		}
		out = append(out, DiffOp{Op: op, Text: s})
	}
	for _, x := range head {
		emit("=", x)
	}
	i, j := 0, 0
	for i < len(wa) && j < len(wb) {
		switch {
		case wa[i] == wb[j]:
			emit("=", wa[i])
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			emit("-", wa[i])
			i++
		default:
			emit("+", wb[j])
			j++
		}
	}
	for ; i < len(wa); i++ {
		emit("-", wa[i])
	}
	for ; j < len(wb); j++ {
		emit("+", wb[j])
	}
	for _, x := range tail {
		emit("=", x)
	}
	return out
}

// splitWords splits s into words, each with the white space after it
// (leading white space is a word of its own).
func splitWords(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		if j == i {
			break
		}
		out = append(out, s[start:j])
		start, i = j, j
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// WorkKind says why an item is on a professional's worklist.
type WorkKind string

// Kinds of work.
const (
	// WorkReview waits for the actor's review.
	WorkReview WorkKind = "review"
	// WorkApproval waits for the actor's approval.
	WorkApproval WorkKind = "approval"
	// WorkPublish is approved and waits for the actor to publish it.
	WorkPublish WorkKind = "publish"
	// WorkReturned was returned to the actor, an author, with the
	// returner's note.
	WorkReturned WorkKind = "returned"
	// WorkDraft is the actor's own draft, not yet submitted.
	WorkDraft WorkKind = "draft"
)

// WorkItem is one version (or change set) on a professional's worklist.
type WorkItem struct {
	Kind WorkKind `json:"kind"`
	// Ref names the version; for a change set, version 1 of its
	// SetSubject.
	Ref   Ref   `json:"ref"`
	State State `json:"state"`
	// Set is the change set's ID when the item is a change set.
	Set  string `json:"set,omitempty"`
	Area string `json:"area,omitempty"`
	// Since is the step that put the item on the list (the latest
	// submission, review, approval or return; for a draft, its latest
	// step): who took it, when, and its note.
	// For WorkReturned, Since.Note is the reviewer's comment.
	Since Step `json:"since"`
	// Actions are the steps the actor may take now (Allowed); on a
	// change set they are taken with the set's methods (ReviewSet,
	// ApproveSet, PublishSet, ...).
	Actions []Action `json:"actions"`
}

// Worklist returns what waits for the actor, oldest first: versions and
// change sets in review that the actor may review (and has not reviewed
// since the latest submission) or approve, approved ones the actor may
// publish, drafts returned to the actor (an author) with the note of
// whoever returned them, and the actor's own drafts not yet submitted. It is built on Allowed, so it offers exactly the
// steps the workflow would accept; versions that belong to a change set
// appear only through their set. Worklist shows no content and records
// no audit event. Errors are the store's or the role directory's.
func (g *Guide) Worklist(ctx context.Context, actor audit.Actor) ([]WorkItem, error) {
	recs, err := g.Records(ctx)
	if err != nil {
		return nil, err
	}
	out := []WorkItem{}
	if actor.Validate() != nil {
		return out, nil
	}
	for _, rec := range recs {
		v, ok := rec.Latest()
		if !ok || !v.State.open() || (v.Set != "" && v.ChangeSet == nil) {
			continue
		}
		ref := Ref{Subject: rec.Subject, Number: v.Number}
		acts, err := g.Allowed(ctx, actor, ref)
		if err != nil {
			return nil, err
		}
		item := WorkItem{Ref: ref, State: v.State, Area: string(v.area()), Actions: acts}
		if v.ChangeSet != nil {
			item.Set = v.ChangeSet.ID
		}
		last := lastStep(v, ActionSubmit, ActionReturn)
		switch {
		case v.State == StateInReview && slices.Contains(acts, ActionApprove):
			item.Kind = WorkApproval
		case v.State == StateInReview && slices.Contains(acts, ActionReview) && !reviewedSinceSubmit(v, actor):
			item.Kind = WorkReview
		case v.State == StateApproved && slices.Contains(acts, ActionPublish):
			item.Kind, last = WorkPublish, lastStep(v, ActionApprove)
		case v.State == StateDraft && last.Action == ActionReturn && wrote(v, actor):
			item.Kind = WorkReturned
		case v.State == StateDraft && slices.Contains(acts, ActionSubmit) && wrote(v, actor):
			item.Kind, last = WorkDraft, v.Steps[len(v.Steps)-1]
		default:
			continue
		}
		if item.Kind == WorkApproval {
			last = lastStep(v, ActionReview)
		}
		item.Since = last
		out = append(out, item)
	}
	slices.SortStableFunc(out, func(a, b WorkItem) int {
		return cmp.Or(a.Since.At.Compare(b.Since.At), cmp.Compare(a.Ref.Subject, b.Ref.Subject))
	})
	return out, nil
}

// lastStep returns the latest of v's steps that is one of acts.
func lastStep(v Version, acts ...Action) Step {
	for i := len(v.Steps) - 1; i >= 0; i-- {
		if slices.Contains(acts, v.Steps[i].Action) {
			return v.Steps[i]
		}
	}
	return Step{}
}

// reviewedSinceSubmit reports whether actor reviewed v after its latest
// submission.
func reviewedSinceSubmit(v Version, actor audit.Actor) bool {
	for i := len(v.Steps) - 1; i >= 0; i-- {
		switch s := v.Steps[i]; {
		case s.Action == ActionSubmit:
			return false
		case s.Action == ActionReview && s.Actor.ID == actor.ID:
			return true
		}
	}
	return false
}

// wrote reports whether actor drafted, edited or submitted v.
func wrote(v Version, actor audit.Actor) bool {
	for _, s := range v.Steps {
		if (s.Action == ActionDraft || s.Action == ActionEdit || s.Action == ActionSubmit) && s.Actor.ID == actor.ID {
			return true
		}
	}
	return false
}
