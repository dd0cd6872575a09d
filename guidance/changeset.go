package guidance

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// ChangeSet groups drafts of several entries (services and their texts in
// every language) into one change: it is validated as a whole together
// with what is published, reviewed by the service area, approved by its
// management, published atomically (optionally from a set time) and can be
// rolled back to what was published before it. A change set is stored as
// the record of subject "changeset/<id>" (see SetSubject), whose one
// version carries the set's workflow steps; its members are ordinary
// versions of their subjects with Version.Set naming the set.
type ChangeSet struct {
	// ID names the set: lower-case letters, digits, '-', '_', '.'.
	ID string `json:"id"`
	// Area is the service area whose roles govern the set; every member
	// belongs to it. Empty for the shared entries of every area.
	Area carecontact.AreaID `json:"area,omitempty"`
	// Members are the versions drafted in the set, one per subject.
	Members []Ref `json:"members,omitempty"`
	// Effective is when the published set went (or goes) into service.
	Effective time.Time `json:"effective,omitzero"`
	// Replaced are the versions that were in service before the set and
	// that a rollback puts back.
	Replaced []Ref `json:"replaced,omitempty"`
}

func (cs ChangeSet) clone() ChangeSet {
	cs.Members = slices.Clone(cs.Members)
	cs.Replaced = slices.Clone(cs.Replaced)
	return cs
}

// SetSubject returns the subject of change set id's own record.
func SetSubject(id string) string { return setPrefix + id }

const setPrefix = "changeset/"

// area returns the service area whose roles govern the version.
func (v Version) area() carecontact.AreaID {
	if v.ChangeSet != nil {
		return v.ChangeSet.Area
	}
	return v.Entry.Area()
}

// NewSet opens an empty change set for area. The actor, an editor or
// manager of the area, becomes one of its authors.
func (g *Guide) NewSet(ctx context.Context, actor audit.Actor, id string, area carecontact.AreaID, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	if !validID(id) {
		return carecontact.Invalid(ErrInvalid, "set", "is not an identifier (lower-case letters, digits, '-', '_', '.')")
	}
	if err := carecontact.ValidateID(ErrInvalid, "area", string(area)); err != nil {
		return err
	}
	return g.change(ctx, actor, SetSubject(id), ActionDraft, func(rec *Record, now time.Time) (*Version, error) {
		if err := g.authorize(ctx, actor, ActionDraft, area, []Role{RoleEditor, RoleManager}); err != nil {
			return nil, err
		}
		if len(rec.Versions) > 0 {
			return nil, fmt.Errorf("%w: change set %s already exists", ErrState, id)
		}
		rec.Versions = append(rec.Versions, Version{Number: 1, State: StateDraft, Set: id,
			ChangeSet: &ChangeSet{ID: id, Area: area},
			Steps:     []Step{{Action: ActionDraft, State: StateDraft, Actor: actor, At: now, Note: note}}})
		return &rec.Versions[0], nil
	})
}

// DraftInSet drafts e as a member of the open (draft) change set id; the
// entry must belong to the set's area, and the set may hold one version of
// each subject. The actor becomes an author of the set, so they neither
// review nor approve it. Edit changes a member while the set is a draft.
// Should the draft be saved but not added to the set, it is withdrawn
// again (the error tells if that failed too: Withdraw then takes it); the
// Ref returned with such an error names it.
func (g *Guide) DraftInSet(ctx context.Context, actor audit.Actor, id string, e Entry, note string) (Ref, error) {
	if err := checkNote(note); err != nil {
		return Ref{}, err
	}
	set, err := g.loadSet(ctx, id)
	if err != nil {
		return Ref{}, err
	}
	cs := set.Versions[0]
	if cs.State != StateDraft {
		return Ref{}, fmt.Errorf("guidance: draft in set %s: %w: the set is %s", id, ErrState, cs.State)
	}
	if e.Area() != cs.ChangeSet.Area {
		return Ref{}, carecontact.Invalid(ErrInvalid, "entry.area", fmt.Sprintf("is %q, the change set is for area %q", star(e.Area()), star(cs.ChangeSet.Area)))
	}
	for _, m := range cs.ChangeSet.Members {
		if m.Subject == e.Subject() {
			return Ref{}, fmt.Errorf("guidance: draft in set %s: %w: it already holds %s", id, ErrState, m)
		}
	}
	ref, err := g.draft(ctx, actor, e, note, id)
	if err != nil {
		return Ref{}, err
	}
	err = g.stepIn(ctx, actor, Ref{Subject: SetSubject(id), Number: 1}, ActionEdit, "adds "+ref.String(), id, func(v *Version) {
		v.ChangeSet.Members = append(v.ChangeSet.Members, ref)
	})
	if err != nil {
		// The set does not list the draft: withdraw it in the set's name,
		// so the subject is free again. Should that fail too, Withdraw
		// takes the orphan (a set-tagged version its set does not list).
		if werr := g.stepIn(ctx, actor, ref, ActionWithdraw, "not added to change set "+id, id, nil); werr != nil {
			err = errors.Join(err, fmt.Errorf("guidance: withdraw %s, which the set does not list: %w", ref, werr))
		}
	}
	return ref, err
}

// orphanSet returns the change set whose name v carries when that set
// does not list v (a DraftInSet whose add to the set failed), else "".
func (g *Guide) orphanSet(ctx context.Context, ref Ref) (string, error) {
	v, err := g.loadVersion(ctx, ref)
	if err != nil || v.Set == "" || v.ChangeSet != nil {
		return "", nil // Withdraw reports what is wrong with ref
	}
	rec, err := g.store.Load(ctx, SetSubject(v.Set))
	if errors.Is(err, ErrNotFound) {
		return v.Set, nil
	}
	if err != nil {
		return "", fmt.Errorf("guidance: withdraw %s: change set %s: %w", ref, v.Set, err)
	}
	if len(rec.Versions) == 1 && rec.Versions[0].ChangeSet != nil && slices.Contains(rec.Versions[0].ChangeSet.Members, ref) {
		return "", nil
	}
	return v.Set, nil
}

// SubmitSet sends a draft change set and all its members to review, once
// the set validates as a whole with what is published now.
func (g *Guide) SubmitSet(ctx context.Context, actor audit.Actor, id, note string) error {
	return g.setStep(ctx, actor, id, ActionSubmit, note)
}

// ReviewSet records that a reviewer of the set's area, who wrote none of
// it, accepts the whole set.
func (g *Guide) ReviewSet(ctx context.Context, actor audit.Actor, id, note string) error {
	return g.setStep(ctx, actor, id, ActionReview, note)
}

// ReturnSet sends a set in review, with all its members, back to draft;
// the note (why) is required.
func (g *Guide) ReturnSet(ctx context.Context, actor audit.Actor, id, note string) error {
	if note == "" {
		return carecontact.Invalid(ErrInvalid, "note", "is required to return a change set")
	}
	return g.setStep(ctx, actor, id, ActionReturn, note)
}

// ApproveSet approves a reviewed set: a manager of the area who wrote none
// of it and did not review it alone (separation of duties is by person).
func (g *Guide) ApproveSet(ctx context.Context, actor audit.Actor, id, note string) error {
	return g.setStep(ctx, actor, id, ActionApprove, note)
}

// WithdrawSet abandons a change set that is not yet published, with all
// its members (an editor or manager of the area). A published set is
// rolled back instead (RollbackSet).
func (g *Guide) WithdrawSet(ctx context.Context, actor audit.Actor, id, note string) error {
	set, err := g.loadSet(ctx, id)
	if err != nil {
		return err
	}
	if st := set.Versions[0].State; st == StatePublished || st == StateRolledBack {
		return fmt.Errorf("guidance: withdraw set %s: %w: it is %s; roll it back instead", id, ErrState, st)
	}
	return g.setStep(ctx, actor, id, ActionWithdraw, note)
}

// setStep applies act to the set's record and then to every member. Every
// member is checked first, so a refusal changes nothing; a step that
// stops part-way (a store failure) is completed by taking it again.
func (g *Guide) setStep(ctx context.Context, actor audit.Actor, id string, act Action, note string) error {
	if err := checkNote(note); err != nil {
		return err
	}
	set, err := g.loadSet(ctx, id)
	if err != nil {
		return err
	}
	cs := set.Versions[0]
	r := rules[act]
	// done: a step that stopped part-way already moved v.
	done := func(v Version) bool {
		n := len(v.Steps)
		return r.to != "" && v.State == r.to && n > 0 && v.Steps[n-1].Action == act
	}
	if act == ActionSubmit {
		if len(cs.ChangeSet.Members) == 0 {
			return fmt.Errorf("guidance: submit set %s: %w: the set is empty", id, ErrState)
		}
		if err := g.validateSet(ctx, cs.ChangeSet, g.clock.Now().UTC()); err != nil {
			return err
		}
	}
	members, err := g.members(ctx, cs.ChangeSet)
	if err != nil {
		return err
	}
	var stepped *Version
	if !done(cs) {
		// Who may take the step at all is checked before the four eyes of
		// the members, so a nurse without the manager's role is told she
		// lacks the role, not that she wrote a member.
		if err := g.authorize(ctx, actor, act, cs.area(), r.roles); err != nil {
			g.recordDenied(ctx, actor, SetSubject(id), act, g.clock.Now().UTC(), err)
			return fmt.Errorf("guidance: %s set %s: %w", act, id, err)
		}
		for _, m := range members {
			if done(m) {
				continue
			}
			if !slices.Contains(r.from, m.State) {
				return fmt.Errorf("guidance: %s set %s: %w: member %s@%d is %s", act, id, ErrState, m.Entry.Subject(), m.Number, m.State)
			}
			if err := fourEyes(act, actor, &m); err != nil {
				g.recordDenied(ctx, actor, SetSubject(id), act, g.clock.Now().UTC(), err)
				return fmt.Errorf("guidance: %s set %s: member %s@%d: %w", act, id, m.Entry.Subject(), m.Number, err)
			}
		}
		sv, err := g.stepVersion(ctx, actor, Ref{Subject: SetSubject(id), Number: 1}, act, note, id, nil)
		if err != nil {
			return err
		}
		stepped = &sv
	}
	changed := stepped != nil
	for i, m := range members {
		if done(m) {
			continue
		}
		if err := g.stepIn(ctx, actor, cs.ChangeSet.Members[i], act, note, id, nil); err != nil {
			return err
		}
		changed = true
	}
	if changed {
		// The step is complete now, also when this call completed one
		// that stopped part-way: notify once.
		if stepped == nil {
			stepped = &cs
		}
		g.notifySet(act, *stepped, members, actor)
	}
	return nil
}

// notifySet sends the event of a change set's step, naming the authors of
// the set and of its members.
func (g *Guide) notifySet(act Action, set Version, members []Version, actor audit.Actor) {
	g.notify(act, Ref{Subject: SetSubject(set.Set), Number: 1}, set, actor, members...)
}

// PublishSet puts an approved change set into service as a whole at
// effective (zero: now; it may not lie in the past). The set is validated
// once more, with what will be published at effective. Every member's
// record is first prepared with steps in the set's name, which count for
// nothing until the set's own record carries the publication: that one
// write is the moment the whole set, and the supersession of the versions
// it replaces, take effect. Published answers for any moment what was
// live, so the set is not served before effective.
func (g *Guide) PublishSet(ctx context.Context, actor audit.Actor, id string, effective time.Time, note string) error {
	cs, err := g.managersSet(ctx, actor, id, ActionPublish, StateApproved, note, "publish")
	if err != nil {
		return err
	}
	now := g.clock.Now().UTC()
	if effective.IsZero() {
		effective = now
	}
	effective = effective.UTC()
	if effective.Before(now) {
		return carecontact.Invalid(ErrInvalid, "effective", "is in the past")
	}
	if err := g.validateSet(ctx, cs.ChangeSet, effective); err != nil {
		return err
	}
	// Every member is checked before the first write, so a refusal
	// changes nothing: each must be approved, or already prepared for
	// this publication by a PublishSet that stopped part-way.
	members, err := g.members(ctx, cs.ChangeSet)
	if err != nil {
		return err
	}
	for _, m := range members {
		switch {
		case m.State == StateApproved:
		case m.State == StatePublished && hasSetStep(m, ActionPublish, id):
		case m.State == StateInReview && hasSetStep(cs, ActionApprove, ""):
			// ApproveSet stopped part-way: the set is approved, this
			// member not yet.
			g.recordRefusal(ctx, actor, SetSubject(id), ActionPublish, g.clock.Now().UTC(), map[string]string{"reason": "state"})
			return fmt.Errorf("guidance: publish set %s: %w: member %s@%d is still %s; take ApproveSet again to complete the approval",
				id, ErrState, m.Entry.Subject(), m.Number, m.State)
		default:
			g.recordRefusal(ctx, actor, SetSubject(id), ActionPublish, g.clock.Now().UTC(), map[string]string{"reason": "state"})
			return fmt.Errorf("guidance: publish set %s: %w: member %s@%d is %s", id, ErrState, m.Entry.Subject(), m.Number, m.State)
		}
	}
	var replaced []Ref
	for _, ref := range cs.ChangeSet.Members {
		err := g.change(ctx, actor, ref.Subject, ActionPublish, func(rec *Record, now time.Time) (*Version, error) {
			if ref.Number < 1 || ref.Number > len(rec.Versions) {
				return nil, fmt.Errorf("%w: version %s", ErrNotFound, ref)
			}
			v := &rec.Versions[ref.Number-1]
			if v.State != StateApproved && v.State != StatePublished {
				return nil, fmt.Errorf("%w: member %s is %s", ErrState, ref, v.State)
			}
			for i := range rec.Versions {
				p := &rec.Versions[i]
				if p.Number != v.Number && p.State == StatePublished {
					p.State = StateSuperseded
					p.Steps = append(p.Steps, Step{Action: ActionSupersede, State: StateSuperseded, Actor: actor, At: now,
						Effective: effective, Set: id, Note: "superseded by change set " + id})
				}
				if hasSetStep(*p, ActionSupersede, id) {
					replaced = append(replaced, Ref{Subject: ref.Subject, Number: p.Number})
				}
			}
			if v.State == StateApproved {
				v.State = StatePublished
				v.Steps = append(v.Steps, Step{Action: ActionPublish, State: StatePublished, Actor: actor, At: now,
					Effective: effective, Set: id, Note: note})
			}
			return v, nil
		})
		if err != nil {
			return fmt.Errorf("guidance: publish set %s: %w", id, err)
		}
	}
	sv, err := g.stepVersion(ctx, actor, Ref{Subject: SetSubject(id), Number: 1}, ActionPublish, note, id, func(v *Version) {
		v.ChangeSet.Effective = effective
		v.ChangeSet.Replaced = replaced
	})
	if err != nil {
		return err
	}
	g.notifySet(ActionPublish, sv, members, actor)
	return nil
}

// managersSet loads change set id for a step only a manager of its area
// takes (act, named verb in errors), from state want: a refusal of the
// role is recorded as denied, one of the state as refused.
func (g *Guide) managersSet(ctx context.Context, actor audit.Actor, id string, act Action, want State, note, verb string) (Version, error) {
	if err := checkNote(note); err != nil {
		return Version{}, err
	}
	set, err := g.loadSet(ctx, id)
	if err != nil {
		return Version{}, err
	}
	cs := set.Versions[0]
	if err := g.authorize(ctx, actor, act, cs.ChangeSet.Area, []Role{RoleManager}); err != nil {
		g.recordDenied(ctx, actor, SetSubject(id), act, g.clock.Now().UTC(), err)
		return Version{}, fmt.Errorf("guidance: %s set %s: %w", verb, id, err)
	}
	if cs.State != want {
		g.recordRefusal(ctx, actor, SetSubject(id), act, g.clock.Now().UTC(), map[string]string{"reason": "state"})
		return Version{}, fmt.Errorf("guidance: %s set %s: %w: it is %s", verb, id, ErrState, cs.State)
	}
	return cs, nil
}

// RollbackSet takes a published change set out of service now (or, for a
// set not yet in effect, at its effective time, so it never goes live) and
// puts back the versions it replaced, atomically as PublishSet does. A set
// whose member a later version has replaced cannot be rolled back: roll
// back or change the later one. Only a manager of the set's area rolls
// back; the note is recorded with the audit events.
func (g *Guide) RollbackSet(ctx context.Context, actor audit.Actor, id, note string) error {
	cs, err := g.managersSet(ctx, actor, id, ActionRollback, StatePublished, note, "roll back")
	if err != nil {
		return err
	}
	at := g.clock.Now().UTC()
	if at.Before(cs.ChangeSet.Effective) {
		at = cs.ChangeSet.Effective
	}
	members, err := g.members(ctx, cs.ChangeSet)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.State != StatePublished && !hasSetStep(m, ActionRollback, id) {
			g.recordRefusal(ctx, actor, SetSubject(id), ActionRollback, g.clock.Now().UTC(), map[string]string{"reason": "state"})
			return fmt.Errorf("guidance: roll back set %s: %w: member %s@%d is %s", id, ErrState, m.Entry.Subject(), m.Number, m.State)
		}
	}
	for _, ref := range cs.ChangeSet.Members {
		err := g.change(ctx, actor, ref.Subject, ActionRollback, func(rec *Record, now time.Time) (*Version, error) {
			if ref.Number < 1 || ref.Number > len(rec.Versions) {
				return nil, fmt.Errorf("%w: version %s", ErrNotFound, ref)
			}
			v := &rec.Versions[ref.Number-1]
			// The check above ran on an earlier load: repeat it on the
			// record this write replaces, so a version published in
			// between is not joined by the restored ones.
			if v.State != StatePublished && !hasSetStep(*v, ActionRollback, id) {
				return nil, fmt.Errorf("%w: member %s is %s", ErrState, ref, v.State)
			}
			for _, p := range rec.Versions[ref.Number:] {
				if p.State == StatePublished || hasStep(p, ActionPublish) {
					return nil, fmt.Errorf("%w: member %s was replaced by version %d", ErrState, ref, p.Number)
				}
			}
			if v.State == StatePublished {
				v.State = StateRolledBack
				v.Steps = append(v.Steps, Step{Action: ActionRollback, State: StateRolledBack, Actor: actor, At: now,
					Effective: at, Set: id, Note: note})
			}
			for _, old := range cs.ChangeSet.Replaced {
				if old.Subject != ref.Subject || old.Number < 1 || old.Number > len(rec.Versions) {
					continue
				}
				if p := &rec.Versions[old.Number-1]; p.State == StateSuperseded {
					p.State = StatePublished
					p.Steps = append(p.Steps, Step{Action: ActionRestore, State: StatePublished, Actor: actor, At: now,
						Effective: at, Set: id, Note: "restored by rolling back change set " + id})
				}
			}
			return v, nil
		})
		if err != nil {
			return fmt.Errorf("guidance: roll back set %s: %w", id, err)
		}
	}
	var sv Version
	err = g.change(ctx, actor, SetSubject(id), ActionRollback, func(rec *Record, now time.Time) (*Version, error) {
		v := &rec.Versions[0]
		if v.State != StatePublished {
			return nil, fmt.Errorf("%w: change set %s is %s", ErrState, id, v.State)
		}
		v.State = StateRolledBack
		v.Steps = append(v.Steps, Step{Action: ActionRollback, State: StateRolledBack, Actor: actor, At: now, Effective: at, Note: note})
		sv = *v
		return v, nil
	})
	if err != nil {
		return err
	}
	g.notifySet(ActionRollback, sv, members, actor)
	return nil
}

// hasStep reports whether v took a step act, in whoever's name.
func hasStep(v Version, act Action) bool {
	for _, s := range v.Steps {
		if s.Action == act {
			return true
		}
	}
	return false
}

func hasSetStep(v Version, act Action, set string) bool {
	for _, s := range v.Steps {
		if s.Action == act && s.Set == set {
			return true
		}
	}
	return false
}

// loadSet returns change set id's record.
func (g *Guide) loadSet(ctx context.Context, id string) (Record, error) {
	if !validID(id) {
		return Record{}, carecontact.Invalid(ErrInvalid, "set", "is not an identifier")
	}
	rec, err := g.store.Load(ctx, SetSubject(id))
	if err != nil {
		return Record{}, fmt.Errorf("guidance: change set %s: %w", id, err)
	}
	if len(rec.Versions) != 1 || rec.Versions[0].ChangeSet == nil {
		return Record{}, fmt.Errorf("guidance: change set %s: %w: not a change set record", id, ErrInvalid)
	}
	return rec, nil
}

// members returns the member versions of cs, in its order.
func (g *Guide) members(ctx context.Context, cs *ChangeSet) ([]Version, error) {
	out := make([]Version, 0, len(cs.Members))
	for _, ref := range cs.Members {
		rec, err := g.store.Load(ctx, ref.Subject)
		if err != nil {
			return nil, fmt.Errorf("guidance: change set %s: member %s: %w", cs.ID, ref, err)
		}
		v, ok := rec.Version(ref.Number)
		if !ok {
			return nil, fmt.Errorf("guidance: change set %s: member %s: %w", cs.ID, ref, ErrNotFound)
		}
		out = append(out, v)
	}
	return out, nil
}

// validateSet checks the set as a whole: what is published at t with the
// set's members in place of their subjects' versions must validate as one
// content set (every offered channel has its advice text, no duplicates).
func (g *Guide) validateSet(ctx context.Context, cs *ChangeSet, t time.Time) error {
	members, err := g.members(ctx, cs)
	if err != nil {
		return err
	}
	recs, err := g.Records(ctx)
	if err != nil {
		return err
	}
	in := map[string]bool{}
	var entries []Entry
	for _, m := range members {
		in[m.Entry.Subject()] = true
		entries = append(entries, m.Entry)
	}
	counts := setCounts(recs)
	for _, r := range recs {
		if strings.HasPrefix(r.Subject, setPrefix) || in[r.Subject] {
			continue
		}
		if v, ok := r.liveAt(t, counts); ok {
			entries = append(entries, v.Entry)
		}
	}
	if err := NewContent(g.langs.names, entries).Validate(g.schema); err != nil {
		return fmt.Errorf("guidance: change set %s does not validate with what is published: %w", cs.ID, err)
	}
	return nil
}

// setCounts returns whether a step counts in what is served: a step of
// its own always, a step taken in a change set's name once the set's
// record carries the publication (publish, supersede) or the rollback
// (rollback, restore).
func setCounts(recs []Record) func(Step) bool {
	published, rolledBack := map[string]bool{}, map[string]bool{}
	for _, r := range recs {
		id, ok := strings.CutPrefix(r.Subject, setPrefix)
		if !ok || len(r.Versions) != 1 {
			continue
		}
		for _, s := range r.Versions[0].Steps {
			switch s.Action {
			case ActionPublish:
				published[id] = true
			case ActionRollback:
				rolledBack[id] = true
			}
		}
	}
	return func(s Step) bool {
		switch {
		case s.Set == "":
			return true
		case s.Action == ActionPublish || s.Action == ActionSupersede:
			return published[s.Set]
		case s.Action == ActionRollback || s.Action == ActionRestore:
			return rolledBack[s.Set]
		}
		return true
	}
}
