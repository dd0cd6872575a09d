package guidance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Role is a professional's role in maintaining guidance.
type Role string

// Roles. A professional may hold several, each for one area or for all.
const (
	// RoleEditor writes drafts and submits them for review.
	RoleEditor Role = "editor"
	// RoleReviewer reviews drafts of the service area and may return them.
	RoleReviewer Role = "reviewer"
	// RoleManager is the service area's management: approves, publishes
	// and withdraws, and may also draft and return.
	RoleManager Role = "manager"
)

// Grant gives a role in a service area; Area "" grants it in every area and
// for the shared entries that belong to no area.
type Grant struct {
	Role Role
	Area carecontact.AreaID
}

// Roles tells which roles professionals hold: the host's staff directory,
// or a fixed Grants.
type Roles interface {
	Grants(ctx context.Context, professional carecontact.ProfessionalID) ([]Grant, error)
}

// Grants is a fixed Roles: the grants of each professional.
type Grants map[carecontact.ProfessionalID][]Grant

// Grants returns the professional's grants.
func (g Grants) Grants(_ context.Context, professional carecontact.ProfessionalID) ([]Grant, error) {
	return slices.Clone(g[professional]), nil
}

// Config configures a Guide.
type Config struct {
	// Store keeps the versions. Required.
	Store Store
	// Audit records denied attempts; allowed steps are written by
	// Store.Save with the change. Required.
	Audit audit.Recorder
	// Roles tells who may take which step. Required.
	Roles Roles
	// Clock stamps the steps. Required.
	Clock carecontact.Clock
	// Languages of the content, default first. Defaults to fi, sv, en.
	Languages []string
	// Schema of text keys. Defaults to DefaultSchema().
	Schema *Schema
	// Events receives a change notification (see Event) after each
	// workflow step of a version or change set has been stored:
	// submitted, reviewed, returned, approved, published, withdrawn and
	// rolled back. The Guide calls it synchronously on the goroutine of
	// the call that took the step, once per step (a change set's step is
	// one event for the set, not one per member), before that call
	// returns; a refused step calls nothing. It must not block for long
	// and must not call the Guide back into the same subject. Defaults to
	// nil: no notifications.
	Events func(Event)
}

// Guide maintains guidance content through the change workflow and serves
// what is published. It is safe for concurrent use; all state is in the
// Store, and every change is a compare-and-set retried a few times on
// conflict.
type Guide struct {
	store  Store
	audit  audit.Recorder
	roles  Roles
	clock  carecontact.Clock
	langs  *languages
	schema *Schema
	events func(Event)
}

// New returns a Guide. Errors wrap ErrInvalid and name the missing field.
func New(cfg Config) (*Guide, error) {
	switch {
	case cfg.Store == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.Store", "is required")
	case cfg.Audit == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.Audit", "is required")
	case cfg.Roles == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.Roles", "is required")
	case cfg.Clock == nil:
		return nil, carecontact.Invalid(ErrInvalid, "config.Clock", "is required")
	}
	if cfg.Languages == nil {
		cfg.Languages = []string{"fi", "sv", "en"}
	}
	langs, err := newLanguages(cfg.Languages)
	if err != nil {
		return nil, fmt.Errorf("guidance: config.Languages: %w", err)
	}
	if cfg.Schema == nil {
		cfg.Schema = DefaultSchema()
	}
	return &Guide{store: cfg.Store, audit: cfg.Audit, roles: cfg.Roles, clock: cfg.Clock, langs: langs, schema: cfg.Schema, events: cfg.Events}, nil
}

const casAttempts = 8

// rule says who may take a step and from which states.
type rule struct {
	from  []State
	to    State // "" keeps the state
	roles []Role
}

var rules = map[Action]rule{
	ActionEdit:     {from: []State{StateDraft}, roles: []Role{RoleEditor, RoleManager}},
	ActionSubmit:   {from: []State{StateDraft}, to: StateInReview, roles: []Role{RoleEditor, RoleManager}},
	ActionReview:   {from: []State{StateInReview}, roles: []Role{RoleReviewer}},
	ActionReturn:   {from: []State{StateInReview}, to: StateDraft, roles: []Role{RoleReviewer, RoleManager}},
	ActionApprove:  {from: []State{StateInReview}, to: StateApproved, roles: []Role{RoleManager}},
	ActionPublish:  {from: []State{StateApproved}, to: StatePublished, roles: []Role{RoleManager}},
	ActionWithdraw: {from: []State{StateDraft, StateInReview, StateApproved, StatePublished}, to: StateWithdrawn, roles: []Role{RoleEditor, RoleManager}},
}

// Draft starts a new version of the entry's subject as a draft. The entry is
// validated against the guide's schema and languages (errors name the field);
// a subject may have only one open (draft, in review or approved) version.
func (g *Guide) Draft(ctx context.Context, actor audit.Actor, e Entry, note string) (Ref, error) {
	return g.draft(ctx, actor, e, note, "")
}

// draft drafts e, as a member of change set set when set is not empty.
func (g *Guide) draft(ctx context.Context, actor audit.Actor, e Entry, note, set string) (Ref, error) {
	if err := checkNote(note); err != nil {
		return Ref{}, err
	}
	if err := validateEntry(e, g.schema, g.langs); err != nil {
		return Ref{}, err
	}
	e = e.Clone()
	subject := e.Subject()
	var ref Ref
	err := g.change(ctx, actor, subject, ActionDraft, func(rec *Record, now time.Time) (*Version, error) {
		if err := g.authorize(ctx, actor, ActionDraft, e.Area(), []Role{RoleEditor, RoleManager}); err != nil {
			return nil, err
		}
		if v, ok := rec.Latest(); ok && v.State.open() {
			return nil, fmt.Errorf("%w: %s@%d is still %s; edit it or withdraw it first", ErrState, subject, v.Number, v.State)
		}
		v := Version{Number: len(rec.Versions) + 1, State: StateDraft, Entry: e, Set: set,
			Steps: []Step{{Action: ActionDraft, State: StateDraft, Actor: actor, At: now, Note: note}}}
		rec.Versions = append(rec.Versions, v)
		ref = Ref{Subject: subject, Number: v.Number}
		return &rec.Versions[len(rec.Versions)-1], nil
	})
	return ref, err
}

// Edit replaces the entry of a draft. The entry must keep the subject.
func (g *Guide) Edit(ctx context.Context, actor audit.Actor, ref Ref, e Entry, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	if err := validateEntry(e, g.schema, g.langs); err != nil {
		return err
	}
	if e.Subject() != ref.Subject {
		return fmt.Errorf("%w: edit %s: entry is for subject %s", ErrInvalid, ref, e.Subject())
	}
	e = e.Clone()
	return g.step(ctx, actor, ref, ActionEdit, note, func(v *Version) { v.Entry = e })
}

// Submit sends a draft to review.
func (g *Guide) Submit(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	return g.step(ctx, actor, ref, ActionSubmit, note, nil)
}

// Review records that a reviewer of the service area, who is not an author
// of the version, accepts it. Approval needs a review after the latest
// submission.
func (g *Guide) Review(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	return g.step(ctx, actor, ref, ActionReview, note, nil)
}

// Return sends a version in review back to draft; the note (why) is
// required.
func (g *Guide) Return(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	if note == "" {
		return carecontact.Invalid(ErrInvalid, "note", "is required to return a version")
	}
	return g.step(ctx, actor, ref, ActionReturn, note, nil)
}

// Approve approves a reviewed version: a manager of the area who is not an
// author of the version, after a review by somebody else since the latest
// submission (one person holding reviewer and manager roles does not
// review and approve one change alone).
func (g *Guide) Approve(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	return g.step(ctx, actor, ref, ActionApprove, note, nil)
}

// Publish puts an approved version into service; the subject's previously
// published version is superseded at the same moment. It checks the
// version alone, not the catalogue it joins: changes that only make sense
// together (a video offer and its advice text) go through a change set
// (NewSet, PublishSet), which is validated with what is live as a whole.
func (g *Guide) Publish(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	return g.step(ctx, actor, ref, ActionPublish, note, nil)
}

// Withdraw takes a version out of the workflow or out of service. Only a
// manager withdraws a published version; an editor may withdraw versions
// that are not yet published. A member of a change set goes with its set
// (WithdrawSet), except a version drafted in a set that does not list it
// (its DraftInSet failed to add it), which Withdraw takes.
func (g *Guide) Withdraw(ctx context.Context, actor audit.Actor, ref Ref, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	set, err := g.orphanSet(ctx, ref)
	if err != nil {
		return err
	}
	if set != "" {
		v, err := g.stepVersion(ctx, actor, ref, ActionWithdraw, note, set, nil)
		if err == nil {
			g.notify(ActionWithdraw, ref, v, actor)
		}
		return err
	}
	return g.step(ctx, actor, ref, ActionWithdraw, note, nil)
}

// step applies a workflow transition to ref.
func (g *Guide) step(ctx context.Context, actor audit.Actor, ref Ref, act Action, note string, mutate func(*Version)) error {
	v, err := g.stepVersion(ctx, actor, ref, act, note, "", mutate)
	if err == nil {
		g.notify(act, ref, v, actor)
	}
	return err
}

// stepIn applies a workflow transition to ref on behalf of change set set
// ("" for a step of its own). A version drafted in a change set moves
// through review, approval and publication only with its set.
func (g *Guide) stepIn(ctx context.Context, actor audit.Actor, ref Ref, act Action, note, set string, mutate func(*Version)) error {
	_, err := g.stepVersion(ctx, actor, ref, act, note, set, mutate)
	return err
}

// stepVersion is stepIn returning the version as stored by the step.
func (g *Guide) stepVersion(ctx context.Context, actor audit.Actor, ref Ref, act Action, note, set string, mutate func(*Version)) (Version, error) {
	r := rules[act]
	var out Version
	err := g.change(ctx, actor, ref.Subject, act, func(rec *Record, now time.Time) (*Version, error) {
		if ref.Number < 1 || ref.Number > len(rec.Versions) {
			return nil, fmt.Errorf("%w: version %s", ErrNotFound, ref)
		}
		v := &rec.Versions[ref.Number-1]
		roles := r.roles
		if act == ActionWithdraw && v.State == StatePublished {
			roles = []Role{RoleManager}
		}
		if err := g.authorize(ctx, actor, act, v.area(), roles); err != nil {
			return nil, err
		}
		if v.Set != set && act != ActionEdit && !(act == ActionWithdraw && v.State == StatePublished) {
			return nil, fmt.Errorf("%w: %s is part of change set %s: %s the set", ErrState, ref, v.Set, act)
		}
		if !slices.Contains(r.from, v.State) {
			return nil, fmt.Errorf("%w: cannot %s %s: it is %s", ErrState, act, ref, v.State)
		}
		if err := fourEyes(act, actor, v); err != nil {
			return nil, err
		}
		if mutate != nil {
			mutate(v)
		}
		to := r.to
		if to == "" {
			to = v.State
		}
		if act == ActionPublish {
			for i := range rec.Versions {
				if p := &rec.Versions[i]; p.State == StatePublished {
					p.State = StateSuperseded
					p.Steps = append(p.Steps, Step{Action: ActionSupersede, State: StateSuperseded, Actor: actor, At: now,
						Note: "superseded by version " + strconv.Itoa(v.Number)})
				}
			}
		}
		v.State = to
		v.Steps = append(v.Steps, Step{Action: act, State: to, Actor: actor, At: now, Note: note})
		out = *v
		return v, nil
	})
	return out, err
}

// fourEyes enforces that authors do not review or approve their own
// version, and that approval follows a review of the latest submission.
func fourEyes(act Action, actor audit.Actor, v *Version) error {
	if act != ActionReview && act != ActionApprove {
		return nil
	}
	for _, s := range v.Steps {
		if (s.Action == ActionDraft || s.Action == ActionEdit) && s.Actor.ID == actor.ID {
			return fmt.Errorf("%w: %s may not %s a version they wrote", ErrDenied, actor, act)
		}
	}
	if act == ActionApprove {
		reviewed, ownReview := false, false
		for _, s := range v.Steps {
			switch s.Action {
			case ActionSubmit:
				reviewed, ownReview = false, false
			case ActionReview:
				if s.Actor.ID == actor.ID {
					ownReview = true
				} else {
					reviewed = true
				}
			}
		}
		switch {
		case !reviewed && ownReview:
			// One person holding both roles may not review and approve
			// one change alone: the approval needs somebody else's review.
			return fmt.Errorf("%w: %s may not approve version %d they reviewed alone", ErrDenied, actor, v.Number)
		case !reviewed:
			return fmt.Errorf("%w: cannot approve version %d: no review since it was submitted", ErrState, v.Number)
		}
	}
	return nil
}

// authorize checks that actor is a professional holding one of roles in
// area (or in every area).
func (g *Guide) authorize(ctx context.Context, actor audit.Actor, act Action, area carecontact.AreaID, roles []Role) error {
	if actor.Kind != audit.ActorProfessional {
		return fmt.Errorf("%w: %s: only professionals maintain guidance", ErrDenied, act)
	}
	grants, err := g.roles.Grants(ctx, carecontact.ProfessionalID(actor.ID))
	if err != nil {
		return fmt.Errorf("guidance: roles of %s: %w", actor, err)
	}
	for _, gr := range grants {
		if slices.Contains(roles, gr.Role) && (gr.Area == "" || gr.Area == area) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s needs role %v in area %s to %s", ErrDenied, actor, roles, star(area), act)
}

// change runs apply on the subject's current record and saves it with
// compare-and-set, retrying on conflict. apply returns the version it
// changed. A denial or impossible transition is recorded as a denied audit
// event.
func (g *Guide) change(ctx context.Context, actor audit.Actor, subject string, act Action,
	apply func(rec *Record, now time.Time) (*Version, error)) error {
	if len(subject) > maxSubjectLen || !utf8.ValidString(subject) {
		return carecontact.Invalid(ErrInvalid, "subject", fmt.Sprintf("is not UTF-8 of at most %d bytes", maxSubjectLen))
	}
	if err := actor.Validate(); err != nil {
		who, kind := audit.StandIn(actor)
		g.recordRefusal(ctx, who, subject, act, g.clock.Now().UTC(), map[string]string{"reason": "invalid_actor", "actor_kind": kind})
		return fmt.Errorf("guidance: %s: actor: %w", act, err)
	}
	for range casAttempts {
		rec, err := g.store.Load(ctx, subject)
		if errors.Is(err, ErrNotFound) {
			rec, err = Record{Subject: subject}, nil
		}
		if err != nil {
			return fmt.Errorf("guidance: %s %s: %w", act, subject, err)
		}
		before := map[int]State{}
		for _, v := range rec.Versions {
			before[v.Number] = v.State
		}
		now := g.clock.Now().UTC()
		v, err := apply(&rec, now)
		if err != nil {
			if errors.Is(err, ErrDenied) || errors.Is(err, ErrState) {
				g.recordDenied(ctx, actor, subject, act, now, err)
			}
			return fmt.Errorf("guidance: %s %s: %w", act, subject, err)
		}
		events := []audit.Event{stepEvent(actor, subject, act, now, v.Number, before[v.Number], v.State)}
		for _, o := range rec.Versions {
			if o.Number != v.Number && before[o.Number] != o.State {
				act := ActionSupersede
				if n := len(o.Steps); n > 0 && o.Steps[n-1].At.Equal(now) {
					act = o.Steps[n-1].Action
				}
				events = append(events, stepEvent(actor, subject, act, now, o.Number, before[o.Number], o.State))
			}
		}
		_, err = g.store.Save(ctx, rec, events)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return fmt.Errorf("guidance: %s %s: %w", act, subject, err)
		}
		return nil
	}
	return fmt.Errorf("guidance: %s %s: %w after %d attempts", act, subject, ErrConflict, casAttempts)
}

func stepEvent(actor audit.Actor, subject string, act Action, now time.Time, number int, from, to State) audit.Event {
	d := map[string]string{"version": strconv.Itoa(number), "to": string(to)}
	if from != "" {
		d["from"] = string(from)
	}
	return audit.Event{At: now, Actor: actor, Action: "guidance." + string(act),
		Subject: "guidance/" + subject, Outcome: audit.Allowed, Detail: d}
}

func (g *Guide) recordDenied(ctx context.Context, actor audit.Actor, subject string, act Action, now time.Time, cause error) {
	reason := "state"
	if errors.Is(cause, ErrDenied) {
		reason = "no_right"
	}
	g.recordRefusal(ctx, actor, subject, act, now, map[string]string{"reason": reason})
}

// recordRefusal records a denied step. A failure to record it does not
// change the answer: the step is refused either way, and the caller gets
// the refusal.
func (g *Guide) recordRefusal(ctx context.Context, actor audit.Actor, subject string, act Action, now time.Time, detail map[string]string) {
	_ = g.audit.Record(ctx, audit.Event{At: now, Actor: actor, Action: "guidance." + string(act),
		Subject: "guidance/" + audit.Redact(subject), Outcome: audit.Denied, Detail: detail})
}

// Record returns everything stored about subject: all versions with their
// steps.
func (g *Guide) Record(ctx context.Context, subject string) (Record, error) {
	rec, err := g.store.Load(ctx, subject)
	if err != nil {
		return Record{}, fmt.Errorf("guidance: record %s: %w", subject, err)
	}
	return rec, nil
}

// Records returns every subject's record, ordered by subject.
func (g *Guide) Records(ctx context.Context) ([]Record, error) {
	recs, err := g.store.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("guidance: records: %w", err)
	}
	return recs, nil
}

// Published reconstructs the catalog that was in service at t: for every
// subject, the version in service at t by the effective times of its
// publication and of its supersession or withdrawal, counting the steps
// of a change set only once the set itself is published (or rolled
// back). Pass the clock's now for what is served now. Every rendered text
// names the version it came from (Rendered.Version).
func (g *Guide) Published(ctx context.Context, t time.Time) (*Catalog, error) {
	recs, err := g.Records(ctx)
	if err != nil {
		return nil, err
	}
	counts := setCounts(recs)
	var entries []Entry
	var refs []Ref
	for _, r := range recs {
		if strings.HasPrefix(r.Subject, setPrefix) {
			continue
		}
		if v, ok := r.liveAt(t, counts); ok {
			if err := validateEntry(v.Entry, g.schema, g.langs); err != nil {
				return nil, fmt.Errorf("guidance: published %s@%d no longer validates: %w", r.Subject, v.Number, err)
			}
			entries = append(entries, v.Entry)
			refs = append(refs, Ref{Subject: r.Subject, Number: v.Number})
		}
	}
	return buildCatalog(g.langs, g.schema, entries, refs, t.UTC())
}

// Export returns the content that was in service at t, as one content set.
func (g *Guide) Export(ctx context.Context, t time.Time) (Content, error) {
	c, err := g.Published(ctx, t)
	if err != nil {
		return Content{}, err
	}
	return c.Content(), nil
}

// Import brings a content set in as drafts: for every entry that differs
// from its subject's newest version, a new draft (or an edit of the open
// draft). Unchanged entries are skipped, so importing the same file twice
// changes nothing. The content must be valid and written in the guide's
// languages, and the actor must have the right to draft every entry; all of
// this is checked before anything is written, and each subject is then
// changed atomically (a concurrent change between the check and the write
// can still stop the import part-way; importing again completes it). It
// returns the drafts written.
func (g *Guide) Import(ctx context.Context, actor audit.Actor, c Content) ([]Ref, error) {
	if err := c.Validate(g.schema); err != nil {
		return nil, err
	}
	if !slices.Equal(c.Languages, g.langs.names) {
		return nil, fmt.Errorf("%w: languages: content is in %v, the guide in %v", ErrLanguage, c.Languages, g.langs.names)
	}
	type plan struct {
		entry Entry
		edit  Ref
	}
	var plans []plan
	for _, e := range c.Entries() {
		rec, err := g.store.Load(ctx, e.Subject())
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("guidance: import %s: %w", e.Subject(), err)
		}
		latest, ok := rec.Latest()
		switch {
		case !ok:
			plans = append(plans, plan{entry: e})
		case sameEntry(latest.Entry, e):
		case latest.State == StateDraft:
			plans = append(plans, plan{entry: e, edit: Ref{Subject: rec.Subject, Number: latest.Number}})
		case latest.State.open():
			return nil, fmt.Errorf("guidance: import %s: %w: version %d is %s", e.Subject(), ErrState, latest.Number, latest.State)
		default:
			plans = append(plans, plan{entry: e})
		}
	}
	for _, p := range plans {
		act, roles := ActionDraft, []Role{RoleEditor, RoleManager}
		if p.edit.Subject != "" {
			act = ActionEdit
		}
		if err := g.authorize(ctx, actor, act, p.entry.Area(), roles); err != nil {
			g.recordDenied(ctx, actor, p.entry.Subject(), act, g.clock.Now().UTC(), err)
			return nil, fmt.Errorf("guidance: import %s: %w", p.entry.Subject(), err)
		}
	}
	var refs []Ref
	for _, p := range plans {
		if p.edit.Subject != "" {
			if err := g.Edit(ctx, actor, p.edit, p.entry, "import"); err != nil {
				return refs, err
			}
			refs = append(refs, p.edit)
			continue
		}
		ref, err := g.Draft(ctx, actor, p.entry, "import")
		if err != nil {
			return refs, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func sameEntry(a, b Entry) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

// maxSubjectLen bounds a subject: a kind, a text key and a scope of IDs.
const maxSubjectLen = 4 * carecontact.MaxIDLen

// checkNote reports a workflow note that is not free text (see
// carecontact.ValidateText), naming "note".
func checkNote(note string) error {
	return carecontact.ValidateText(ErrInvalid, "note", note)
}
