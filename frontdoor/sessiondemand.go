package frontdoor

import (
	"context"
	"errors"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/session"
)

// SessionDemand is the session.Demand of a demand.Admitter: closing a
// session settles or closes the contact it was admitted as. A contact that
// is no longer pending (settled first in another channel) is no error.
type SessionDemand struct {
	Admitter *demand.Admitter
}

var _ session.Demand = SessionDemand{}

// errNoAdmitter reports a SessionDemand without its Admitter.
var errNoAdmitter = carecontact.Invalid(carecontact.ErrInvalid, "SessionDemand.Admitter", "is nil")

// Settle implements session.Demand.
func (d SessionDemand) Settle(ctx context.Context, actor audit.Actor, contact string) ([]session.WithdrawnContact, error) {
	if d.Admitter == nil {
		return nil, errNoAdmitter
	}
	st, err := d.Admitter.Settle(ctx, actor, contact)
	if errors.Is(err, demand.ErrContactClosed) {
		return nil, nil // settled elsewhere first: nothing left to withdraw
	}
	if err != nil {
		return nil, err
	}
	out := make([]session.WithdrawnContact, len(st.Withdrawn))
	for i, w := range st.Withdrawn {
		out[i] = session.WithdrawnContact{ID: w.ID, Kind: w.Kind, Ref: w.Ref}
	}
	return out, nil
}

// Close implements session.Demand.
func (d SessionDemand) Close(ctx context.Context, actor audit.Actor, contact, reason string) error {
	if d.Admitter == nil {
		return errNoAdmitter
	}
	_, err := d.Admitter.Close(ctx, actor, contact, reason)
	if errors.Is(err, demand.ErrContactClosed) {
		return nil
	}
	return err
}
