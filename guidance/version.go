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
)

// Step is one recorded workflow step: who did what, when, and the state the
// version was left in.
type Step struct {
	Action Action      `json:"action"`
	State  State       `json:"state"`
	Actor  audit.Actor `json:"actor"`
	At     time.Time   `json:"at"`
	Note   string      `json:"note,omitempty"`
}

// Version is one version of a subject's entry.
type Version struct {
	// Number counts a subject's versions from 1.
	Number int    `json:"number"`
	State  State  `json:"state"`
	Entry  Entry  `json:"entry"`
	Steps  []Step `json:"steps"`
}

// PublishedAt returns when the version was published.
func (v Version) PublishedAt() (time.Time, bool) {
	for _, s := range v.Steps {
		if s.Action == ActionPublish {
			return s.At, true
		}
	}
	return time.Time{}, false
}

// EndedAt returns when a published version stopped being served
// (superseded or withdrawn).
func (v Version) EndedAt() (time.Time, bool) {
	if _, ok := v.PublishedAt(); !ok {
		return time.Time{}, false
	}
	for _, s := range v.Steps {
		if s.Action == ActionSupersede || s.Action == ActionWithdraw {
			return s.At, true
		}
	}
	return time.Time{}, false
}

// LiveAt reports whether the version was the one served at t.
func (v Version) LiveAt(t time.Time) bool {
	p, ok := v.PublishedAt()
	if !ok || p.After(t) {
		return false
	}
	end, ended := v.EndedAt()
	return !ended || end.After(t)
}

// Clone returns a deep copy of v.
func (v Version) Clone() Version {
	v.Entry = v.Entry.Clone()
	v.Steps = slices.Clone(v.Steps)
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

// LiveAt returns the version that was served at t.
func (r Record) LiveAt(t time.Time) (Version, bool) {
	for i := len(r.Versions) - 1; i >= 0; i-- {
		if r.Versions[i].LiveAt(t) {
			return r.Versions[i], true
		}
	}
	return Version{}, false
}
