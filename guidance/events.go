package guidance

import (
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Event is a change notification for the host (Config.Events): one
// workflow step of a version or of a change set that has been stored. It
// carries identifiers only — of the subject, the version, the area and
// the professionals — and never a note or any text, so a host may pass
// it on (to a message queue, an e-mail "something waits for you") without
// personal data.
type Event struct {
	// Action is the step: ActionSubmit, ActionReview, ActionReturn,
	// ActionApprove, ActionPublish, ActionWithdraw or ActionRollback.
	Action Action `json:"action"`
	// Ref names the version; for a change set, version 1 of
	// SetSubject(Set).
	Ref Ref `json:"ref"`
	// Set is the change set's ID for a step of a change set.
	Set string `json:"set,omitempty"`
	// Area is the service area whose roles govern the version.
	Area carecontact.AreaID `json:"area,omitempty"`
	// State is the state the step left the version in.
	State State `json:"state"`
	// Actor is the ID of the professional who took the step.
	Actor string `json:"actor"`
	// Authors are the IDs of the professionals who drafted, edited or
	// submitted the version, sorted: whom a return or an approval
	// concerns.
	Authors []string `json:"authors,omitempty"`
	// At is when the step was taken.
	At time.Time `json:"at"`
	// Effective is when a publication or rollback takes effect in what is
	// served (a change set published "from 1 March"); zero means At.
	Effective time.Time `json:"effective,omitzero"`
}

// notifiedActions are the steps that become events.
var notifiedActions = []Action{ActionSubmit, ActionReview, ActionReturn, ActionApprove, ActionPublish, ActionWithdraw, ActionRollback}

// notify sends the event of step act on v, if there is a sink; the
// authors of also (a change set's members) count as authors of v.
func (g *Guide) notify(act Action, ref Ref, v Version, actor audit.Actor, also ...Version) {
	if g.events == nil || !slices.Contains(notifiedActions, act) {
		return
	}
	ev := Event{Action: act, Ref: ref, Set: v.Set, Area: v.area(), State: v.State, Actor: actor.ID}
	if n := len(v.Steps); n > 0 {
		last := v.Steps[n-1]
		ev.At, ev.Effective = last.At, last.Effective
	}
	if v.ChangeSet != nil && act == ActionPublish && ev.Effective.IsZero() {
		ev.Effective = v.ChangeSet.Effective
	}
	for _, w := range append([]Version{v}, also...) {
		for _, s := range w.Steps {
			if (s.Action == ActionDraft || s.Action == ActionEdit || s.Action == ActionSubmit) && !slices.Contains(ev.Authors, s.Actor.ID) {
				ev.Authors = append(ev.Authors, s.Actor.ID)
			}
		}
	}
	slices.Sort(ev.Authors)
	g.events(ev)
}
