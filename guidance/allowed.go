package guidance

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/carecontact/carecontact/audit"
)

// workflowActions are the steps Allowed considers, in workflow order.
var workflowActions = []Action{ActionEdit, ActionSubmit, ActionReview, ActionReturn, ActionApprove, ActionPublish, ActionWithdraw}

// Allowed returns the workflow steps the actor may take on version ref
// now, in workflow order: the same checks of role, area, state and four
// eyes as the steps themselves, without taking any step or writing any
// audit event. A host builds a professional's worklist from it. Errors
// wrap ErrNotFound for an unknown version, or the store's error.
func (g *Guide) Allowed(ctx context.Context, actor audit.Actor, ref Ref) ([]Action, error) {
	rec, err := g.store.Load(ctx, ref.Subject)
	if err != nil {
		return nil, fmt.Errorf("guidance: allowed %s: %w", ref, err)
	}
	v, ok := rec.Version(ref.Number)
	if !ok {
		return nil, fmt.Errorf("guidance: allowed %s: %w", ref, ErrNotFound)
	}
	if actor.Validate() != nil {
		return []Action{}, nil
	}
	// A change set's review and approval also follow the four eyes of its
	// members, as ReviewSet and ApproveSet do: whoever edited a member
	// takes neither.
	var members []Version
	if v.ChangeSet != nil {
		if members, err = g.members(ctx, v.ChangeSet); err != nil {
			return nil, fmt.Errorf("guidance: allowed %s: %w", ref, err)
		}
	}
	out := []Action{}
actions:
	for _, act := range workflowActions {
		r := rules[act]
		if !slices.Contains(r.from, v.State) {
			continue
		}
		roles := r.roles
		if act == ActionWithdraw && v.State == StatePublished {
			roles = []Role{RoleManager}
		}
		if err := g.authorize(ctx, actor, act, v.area(), roles); err != nil {
			if errors.Is(err, ErrDenied) {
				continue
			}
			return nil, err
		}
		if fourEyes(act, actor, &v) != nil {
			continue
		}
		for i := range members {
			if fourEyes(act, actor, &members[i]) != nil {
				continue actions
			}
		}
		out = append(out, act)
	}
	return out, nil
}
