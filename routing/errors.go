package routing

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/channel"
)

// Sentinel errors. Functions wrap them with context; test with errors.Is.
var (
	// ErrInvalid reports bad input; the message names the field.
	ErrInvalid = carecontact.Sentinel(carecontact.ErrInvalid, "routing: invalid input")
	// ErrMalformedPostalCode reports a postal code that is not five digits.
	ErrMalformedPostalCode = carecontact.Sentinel(carecontact.ErrInvalid, "routing: malformed postal code")
	// ErrUnknownPostalCode reports a well-formed postal code no area has.
	ErrUnknownPostalCode = carecontact.Sentinel(carecontact.ErrNotFound, "routing: unknown postal code")
	// ErrUnknownArea reports an area ID the directory does not have.
	ErrUnknownArea = carecontact.Sentinel(carecontact.ErrNotFound, "routing: unknown area")
	// ErrUnknownTeam reports a team ID the directory does not have.
	ErrUnknownTeam = carecontact.Sentinel(carecontact.ErrNotFound, "routing: unknown team")
	// ErrUnknownProfessional reports a professional ID the directory or the
	// store does not have.
	ErrUnknownProfessional = carecontact.Sentinel(carecontact.ErrNotFound, "routing: unknown professional")
	// ErrNoRoute reports a contact that no policy step can serve. The
	// error is a *NoRouteError carrying the reason.
	ErrNoRoute = carecontact.Sentinel(carecontact.ErrNotFound, "routing: no route")
	// ErrItemNotFound reports a work item that is not (or no longer) in
	// the store: never enqueued, or already completed or rescinded.
	ErrItemNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "routing: work item not found")
	// ErrDuplicateItem reports an Enqueue or CreateItem of an ID that is
	// already in the store.
	ErrDuplicateItem = carecontact.Sentinel(carecontact.ErrConflict, "routing: duplicate work item")
	// ErrConflict reports a conditional store change whose condition no
	// longer held: the item changed state or version since it was read.
	ErrConflict = carecontact.Sentinel(carecontact.ErrConflict, "routing: conflicting change")
	// ErrNoCapacity reports an offer to a professional who is not
	// available or has no free capacity of the item's slot class.
	ErrNoCapacity = carecontact.Sentinel(carecontact.ErrConflict, "routing: professional has no capacity")
	// ErrWrongState reports an action the item's state does not allow,
	// e.g. accepting an item that is not offered to the caller.
	ErrWrongState = carecontact.Sentinel(carecontact.ErrIllegalTransition, "routing: wrong state")
	// ErrOfferExpired reports an Accept or Decline after the offer's
	// deadline; the offer has timed out and the item is re-offered.
	ErrOfferExpired = carecontact.Sentinel(carecontact.ErrIllegalTransition, "routing: offer expired")
	// ErrNotLeader reports a leader's decision (Change.Fence) that the
	// store refused because another replica has taken the lease over
	// since.
	ErrNotLeader = carecontact.Sentinel(carecontact.ErrConflict, "routing: not the leader")
)

// NoRouteReason says why a contact has no route.
type NoRouteReason string

// The reasons for ErrNoRoute.
const (
	// ReasonNoPolicy: no policy for the errand and no default policy.
	ReasonNoPolicy NoRouteReason = "no_policy"
	// ReasonNoCandidates: no step has a professional who matches the
	// step's target and filters and takes work on the channel.
	ReasonNoCandidates NoRouteReason = "no_candidates"
	// ReasonNotInPilot: the channel is enabled for a pilot cohort only and
	// no step reaches a member of it.
	ReasonNotInPilot NoRouteReason = "not_in_pilot"
	// ReasonNobodySignedIn: every step with candidates was skipped because
	// none of them is signed in, or its area is closed.
	ReasonNobodySignedIn NoRouteReason = "nobody_signed_in"
	// ReasonExhausted: the item waited through every step, the last step's
	// timeout passed, and it was dropped from the queue.
	ReasonExhausted NoRouteReason = "exhausted"
)

// NoRouteError is the error for a contact no step can serve. It matches
// ErrNoRoute with errors.Is.
type NoRouteError struct {
	Reason  NoRouteReason
	Errand  channel.Errand
	Channel channel.Kind
	// Skipped lists the policy steps that were skipped and why.
	Skipped []SkippedStep
}

// Error describes the reason and the skipped steps.
func (e *NoRouteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "routing: no route for errand %q on %s: %s", e.Errand, e.Channel, e.Reason)
	for i, s := range e.Skipped {
		if i == 0 {
			b.WriteString(" (")
		} else {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "step %d %s: %s", s.Index, s.Target, s.Reason)
		if i == len(e.Skipped)-1 {
			b.WriteString(")")
		}
	}
	return b.String()
}

// Is reports whether target is ErrNoRoute or the root kind ErrNoRoute wraps.
func (e *NoRouteError) Is(target error) bool { return errors.Is(ErrNoRoute, target) }

// maxQuoted is how much of a caller's ID an error text repeats.
const maxQuoted = 64

// quoteID returns id for an error text: cut to maxQuoted bytes, so a
// megabyte passed as an ID does not come back in the error.
func quoteID(id string) string {
	if len(id) <= maxQuoted {
		return id
	}
	cut := maxQuoted
	for cut > 0 && !utf8.RuneStart(id[cut]) {
		cut--
	}
	return id[:cut] + "…"
}
