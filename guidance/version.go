package guidance

import (
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact/audit"
)

// State is where a version is in the change workflow.
type State string

// Version states. A version starts as a draft, is submitted for review,
// approved by the area's management and published; publishing a newer
// version supersedes it, and any version can be withdrawn.
const (
	StateDraft      State = "draft"
	StateInReview   State = "in_review"
	StateApproved   State = "approved"
	StatePublished  State = "published"
	StateSuperseded State = "superseded"
	StateWithdrawn  State = "withdrawn"
	// StateRolledBack is a published change set (or a version published
	// with one) taken out of service by RollbackSet.
	StateRolledBack State = "rolled_back"
)

// open reports whether the version is still being worked on.
func (s State) open() bool {
	return s == StateDraft || s == StateInReview || s == StateApproved
}

// Action is a workflow step.
type Action string

// Workflow steps. Each is recorded in the version's Steps and as the audit
// action "guidance.<step>".
const (
	ActionDraft     Action = "draft"     // a new version (editor or manager)
	ActionEdit      Action = "edit"      // change a draft (editor or manager)
	ActionSubmit    Action = "submit"    // draft -> in review (editor or manager)
	ActionReview    Action = "review"    // a reviewer of the area accepts (state unchanged)
	ActionReturn    Action = "return"    // in review -> draft, with a note (reviewer or manager)
	ActionApprove   Action = "approve"   // in review -> approved (manager, after a review)
	ActionPublish   Action = "publish"   // approved -> published (manager)
	ActionWithdraw  Action = "withdraw"  // any open or published version -> withdrawn
	ActionSupersede Action = "supersede" // published -> superseded, by publishing a newer version
	ActionRollback  Action = "rollback"  // a published change set -> rolled back (manager)
	ActionRestore   Action = "restore"   // superseded -> published again, by rolling back the set that superseded it
)

// Step is one recorded workflow step: who did what, when, and the state the
// version was left in.
type Step struct {
	Action Action      `json:"action"`
	State  State       `json:"state"`
	Actor  audit.Actor `json:"actor"`
	At     time.Time   `json:"at"`
	Note   string      `json:"note,omitempty"`
	// Effective is when the step takes effect in what is served (a
	// publication "from 1 March"); zero means At.
	Effective time.Time `json:"effective,omitzero"`
	// Set names the change set whose publication or rollback the step is
	// part of. Guide.Published counts such a step only once the change
	// set's own record carries the publication or rollback, so the whole
	// set goes live, or is rolled back, at once. Empty for a step of its
	// own.
	Set string `json:"set,omitempty"`
}

// effective returns when the step takes effect.
func (s Step) effective() time.Time {
	if s.Effective.IsZero() {
		return s.At
	}
	return s.Effective
}

// starts reports whether the step puts a version into service, ends
// whether it takes one out.
func (s Step) starts() bool { return s.Action == ActionPublish || s.Action == ActionRestore }

func (s Step) ends() bool {
	return s.Action == ActionSupersede || s.Action == ActionWithdraw || s.Action == ActionRollback
}

// Version is one version of a subject's entry.
type Version struct {
	// Number counts a subject's versions from 1.
	Number int    `json:"number"`
	State  State  `json:"state"`
	Entry  Entry  `json:"entry"`
	Steps  []Step `json:"steps"`
	// Set names the change set the version was drafted in; empty for a
	// version of its own.
	Set string `json:"set,omitempty"`
	// ChangeSet is set on the version of a change set's own record
	// (subject "changeset/<id>"); nil on an entry's version.
	ChangeSet *ChangeSet `json:"change_set,omitempty"`
}

// PublishedAt returns when the version was first put into service: the
// effective time of its publication.
func (v Version) PublishedAt() (time.Time, bool) {
	for _, s := range v.Steps {
		if s.Action == ActionPublish {
			return s.effective(), true
		}
	}
	return time.Time{}, false
}

// EndedAt returns when a published version last stopped being served
// (superseded, withdrawn or rolled back), at the step's effective time.
func (v Version) EndedAt() (time.Time, bool) {
	if _, ok := v.PublishedAt(); !ok {
		return time.Time{}, false
	}
	var end time.Time
	ended := false
	for _, s := range v.Steps {
		if s.ends() {
			end, ended = s.effective(), true
		}
	}
	return end, ended
}

// LiveAt reports whether the version was the one served at t, from the
// effective times of its steps. It counts every step; Guide.Published
// also waits for a change set's publication before counting the steps
// taken in its name.
func (v Version) LiveAt(t time.Time) bool { return v.liveAt(t, nil) }

// liveAt replays the steps that count (all when counts is nil) in the
// order they take effect and reports whether the version was in service
// at t.
func (v Version) liveAt(t time.Time, counts func(Step) bool) bool {
	steps := make([]Step, 0, len(v.Steps))
	for _, s := range v.Steps {
		if (s.starts() || s.ends()) && !s.effective().After(t) && (counts == nil || counts(s)) {
			steps = append(steps, s)
		}
	}
	slices.SortStableFunc(steps, func(a, b Step) int { return a.effective().Compare(b.effective()) })
	live := false
	for _, s := range steps {
		live = s.starts()
	}
	return live
}

// Clone returns a deep copy of v.
func (v Version) Clone() Version {
	v.Entry = v.Entry.Clone()
	v.Steps = slices.Clone(v.Steps)
	if v.ChangeSet != nil {
		cs := v.ChangeSet.clone()
		v.ChangeSet = &cs
	}
	return v
}

// Ref names one version of a subject.
type Ref struct {
	Subject string
	Number  int
}

// String returns "subject@number".
func (r Ref) String() string { return fmt.Sprintf("%s@%d", r.Subject, r.Number) }

// Record is everything stored about one subject: all its versions, oldest
// first, and the revision that compare-and-set checks.
type Record struct {
	Subject string `json:"subject"`
	// Rev is the stored revision; 0 for a record not yet stored.
	Rev      int64     `json:"rev"`
	Versions []Version `json:"versions"`
}

// Clone returns a deep copy of r.
func (r Record) Clone() Record {
	vs := make([]Version, len(r.Versions))
	for i, v := range r.Versions {
		vs[i] = v.Clone()
	}
	r.Versions = vs
	return r
}

// Version returns version n.
func (r Record) Version(n int) (Version, bool) {
	if n < 1 || n > len(r.Versions) {
		return Version{}, false
	}
	return r.Versions[n-1], true
}

// Latest returns the newest version.
func (r Record) Latest() (Version, bool) { return r.Version(len(r.Versions)) }

// LiveAt returns the version that was served at t (the newest one, should
// several be in service).
func (r Record) LiveAt(t time.Time) (Version, bool) { return r.liveAt(t, nil) }

func (r Record) liveAt(t time.Time, counts func(Step) bool) (Version, bool) {
	for i := len(r.Versions) - 1; i >= 0; i-- {
		if r.Versions[i].liveAt(t, counts) {
			return r.Versions[i], true
		}
	}
	return Version{}, false
}
