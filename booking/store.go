package booking

import (
	"context"
	"fmt"
	"slices"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// Appointment is a booked, held or finished appointment.
type Appointment struct {
	ID      string             `json:"id"`
	Area    carecontact.AreaID `json:"area"`
	Service string             `json:"service"`
	// Client is the client's pseudonymous reference, never an identity code.
	Client carecontact.ClientRef `json:"client"`
	// Participants are the calendar IDs of the professionals and resources,
	// in the order of the service's requirements.
	Participants []CalendarID `json:"participants"`
	Start        time.Time    `json:"start"`
	End          time.Time    `json:"end"`
	Status       Status       `json:"status"`
	Channel      channel.Kind `json:"channel"`
	// Block is the block type the slot was taken from.
	Block BlockType `json:"block"`
	// HoldUntil is when a pending hold lapses unless confirmed.
	HoldUntil time.Time `json:"holdUntil,omitzero"`
	// SelfBooked is true when the client booked it themselves.
	SelfBooked bool `json:"selfBooked,omitempty"`
	// Answers are the client's answers to the service's pre-questions.
	Answers []Answer `json:"answers,omitempty"`
	// GuidanceVersion identifies the guidance text version the client saw.
	GuidanceVersion string `json:"guidanceVersion,omitempty"`
	// Invitation is the ID of the booking invitation the client redeemed
	// with this appointment (see Booker.Invite); stores keep it unique
	// among all appointments, so an invitation books once.
	Invitation string `json:"invitation,omitempty"`
	// CancelReason is the cancellation's reason as text; it may be empty
	// when CancelCodes give the reason.
	CancelReason string `json:"cancelReason,omitempty"`
	// CancelCodes are the cancellation's reason as codes of code systems
	// (a FHIR cancelationReason's codings), beside or instead of the text.
	CancelCodes []ReasonCode `json:"cancelCodes,omitempty"`
	// LateCancel marks a cancellation inside the late-cancellation window.
	LateCancel bool `json:"lateCancel,omitempty"`
	// FromWaitlist is the wait entry a waitlist offer was made for: if
	// the hold lapses, the time goes on to the next waiting client.
	FromWaitlist    string    `json:"fromWaitlist,omitempty"`
	RescheduledFrom string    `json:"rescheduledFrom,omitempty"`
	RescheduledTo   string    `json:"rescheduledTo,omitempty"`
	Created         time.Time `json:"created"`
	Updated         time.Time `json:"updated"`
	// Version counts the changes; stores compare it to detect concurrent
	// changes.
	Version int `json:"version"`
}

// Clone returns a deep copy of a.
func (a Appointment) Clone() Appointment {
	a.Participants = slices.Clone(a.Participants)
	a.Answers = slices.Clone(a.Answers)
	a.CancelCodes = slices.Clone(a.CancelCodes)
	return a
}

// ReasonCode is a coded reason: a code of a code system and its display
// text (a FHIR Coding's system, code and display).
type ReasonCode struct {
	// System is the code system's URI; empty for a code without one.
	System string `json:"system,omitempty"`
	// Code is the code; it is required.
	Code string `json:"code"`
	// Display is the code's display text.
	Display string `json:"display,omitempty"`
}

// MaxReasonCodes is the most codes a reason may have.
const MaxReasonCodes = 16

// validateReasonCodes checks the codes of a reason: at most MaxReasonCodes,
// each with a code, every element text ValidateText accepts.
func validateReasonCodes(codes []ReasonCode) error {
	if len(codes) > MaxReasonCodes {
		return carecontact.Invalid(ErrInvalid, "codes", fmt.Sprintf("has more than %d codes", MaxReasonCodes))
	}
	for i, c := range codes {
		field := fmt.Sprintf("codes[%d]", i)
		if c.Code == "" {
			return carecontact.Invalid(ErrInvalid, field+".code", "is empty")
		}
		for _, el := range [...][2]string{{"system", c.System}, {"code", c.Code}, {"display", c.Display}} {
			if err := carecontact.ValidateText(ErrInvalid, field+"."+el[0], el[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// Claim is one participant's time taken by an appointment or a hold: the
// appointment with its buffers. A claim with a non-zero Expires is a hold
// and is dead from Expires on.
type Claim struct {
	// Owner is the participant whose time is taken.
	Owner       CalendarID `json:"owner"`
	Appointment string     `json:"appointment"`
	Interval               // buffered time, UTC
	Expires     time.Time  `json:"expires,omitzero"`
	// Shared, when set, names a slot that several appointments share (a
	// group session, a vaccination): claims of one owner with the same
	// Shared key and the same Interval may overlap each other, up to
	// Capacity live ones; they conflict with every other claim.
	Shared string `json:"shared,omitempty"`
	// Capacity is how many appointments a Shared slot holds (at least 1);
	// zero when Shared is empty.
	Capacity int `json:"capacity,omitempty"`
}

// Live reports whether the claim still takes time at now.
func (c Claim) Live(now time.Time) bool { return c.Expires.IsZero() || now.Before(c.Expires) }

// ClientLimit caps a client's active self-booked appointments of a
// service: at most Max-1 others that the client booked themselves
// (Appointment.SelfBooked) may start in [From, To) for the claim to
// succeed; appointments professionals booked for the client do not count.
type ClientLimit struct {
	Service string    `json:"service"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to"`
	Max     int       `json:"max"`
}

// ClaimRequest creates an appointment together with its claims.
type ClaimRequest struct {
	// Appointment is the new appointment, Version 1, status pending (a
	// hold, with HoldUntil) or booked.
	Appointment Appointment
	// Claims are the participants' buffered intervals; for a hold every
	// claim's Expires equals Appointment.HoldUntil.
	Claims []Claim
	// Limit, when set, is checked in the same operation.
	Limit *ClientLimit
	// Now decides which holds have expired.
	Now time.Time
	// Events are recorded atomically with the change.
	Events []audit.Event
}

// TransitionRequest changes an appointment's status (and the fields that go
// with it) from the version the caller read.
type TransitionRequest struct {
	// Next is the appointment as it is to be stored; Next.Version must be
	// the stored version + 1.
	Next Appointment
	Now  time.Time
	// Events are recorded atomically with the change.
	Events []audit.Event
}

// WaitEntry is a client waiting for a slot of a service to come free.
type WaitEntry struct {
	ID      string                `json:"id"`
	Area    carecontact.AreaID    `json:"area"`
	Service string                `json:"service"`
	Client  carecontact.ClientRef `json:"client"`
	Since   time.Time             `json:"since"`
	// Window, when set, limits the slots the client wants: an offer's
	// time lies within it. Either end may be zero: a zero Start is no
	// lower bound (until End), a zero End none above (from Start on).
	Window Interval `json:"window,omitzero"`
	// Answers and GuidanceVersion go with the offered appointment.
	Answers         []Answer `json:"answers,omitempty"`
	GuidanceVersion string   `json:"guidanceVersion,omitempty"`
}

// WaitOffer is a hold for a waiting client on time that a change in the
// same store operation frees.
type WaitOffer struct {
	// WaiterID is the wait entry that the offer removes.
	WaiterID string
	// Claim is the waiting client's new pending appointment.
	Claim ClaimRequest
}

// Store keeps appointments, their claims and the waitlist. Every method is
// one atomic operation, expressible as one SQL transaction (claims are rows
// that an exclusion constraint over (owner, tstzrange) keeps disjoint;
// expired holds are deleted first in the same transaction); audit events are
// written in the same operation. Implementations are safe for concurrent
// use, and several values may share one backing state. A Store also keeps
// the calendars (CalendarStore) that a Booker reads at run time.
type Store interface {
	CalendarStore
	// Claim stores a new appointment and its claims if no claim overlaps a
	// live claim of the same owner (ErrSlotTaken) other than the claims
	// of the same Shared slot and Interval, of which fewer than Capacity
	// may be live (else ErrSlotTaken), the appointment ID is new
	// (ErrExists), no stored appointment, whatever its status, has the
	// new one's Invitation (ErrInvitationUsed) and the limit, if any, is
	// not reached (ErrLimitReached).
	// Dead hold claims (Expires <= Now) are removed first.
	Claim(ctx context.Context, req ClaimRequest) error
	// Transition stores req.Next if the stored version is req.Next.Version-1
	// (else ErrConflict) and the status change is legal
	// (ErrIllegalTransition). Confirming a hold (pending -> booked) fails
	// with ErrHoldExpired from HoldUntil on and makes its claims permanent;
	// a status that does not hold time releases the claims.
	Transition(ctx context.Context, req TransitionRequest) error
	// Reschedule applies old (a transition, normally to cancelled) and
	// claims next in one operation: the old claims are released only if the
	// new ones are taken; on any error nothing changes. If offer is not nil,
	// the same operation also offers the freed time to a waiting client: it
	// claims offer.Claim (which may reuse the old appointment's time but
	// must not overlap next: ErrSlotTaken) and removes the wait entry
	// offer.WaiterID (ErrNotFound if it is gone).
	Reschedule(ctx context.Context, old TransitionRequest, next ClaimRequest, offer *WaitOffer) error
	// Appointment returns the appointment with the given ID (ErrNotFound).
	Appointment(ctx context.Context, id string) (Appointment, error)
	// ClientAppointments returns a client's appointments by start.
	ClientAppointments(ctx context.Context, client carecontact.ClientRef) ([]Appointment, error)
	// Busy returns the claims live at now of the given owners that overlap
	// iv, sorted by owner then start.
	Busy(ctx context.Context, owners []CalendarID, iv Interval, now time.Time) ([]Claim, error)
	// ExpiredHolds returns up to limit pending appointments whose HoldUntil
	// is at or before now, earliest first.
	ExpiredHolds(ctx context.Context, now time.Time, limit int) ([]Appointment, error)
	// NextHoldExpiry returns the earliest HoldUntil of a pending
	// appointment; ok is false when there is none.
	NextHoldExpiry(ctx context.Context) (t time.Time, ok bool, err error)
	// AddWaiter adds a waitlist entry (ErrExists for a repeated ID).
	AddWaiter(ctx context.Context, w WaitEntry, events []audit.Event) error
	// Waiters returns the area's waiting entries for service, oldest first.
	Waiters(ctx context.Context, area carecontact.AreaID, service string) ([]WaitEntry, error)
	// TakeWaiter offers time to a waiting client in one operation: it
	// applies old if not nil (the cancellation that frees the time; its
	// claims do not count against req), claims req and removes the wait
	// entry (ErrNotFound if it is gone). On any error nothing changes.
	TakeWaiter(ctx context.Context, waiterID string, old *TransitionRequest, req ClaimRequest) error
}

// BusySpan is a stretch of one owner's claimed time, [Start, End) in Unix
// seconds.
type BusySpan struct {
	Start, End int64
	// Open, when set, is the Shared key of the claims of a shared slot
	// (Claim.Shared) that has a seat left: fewer of its claims are live
	// than their Capacity. Such a span takes the owner's time for every
	// other slot but leaves that shared slot itself (the same key, at
	// exactly [Start, End)) bookable. Empty for other claims and for a
	// full shared slot. Spans with Open set are not joined to others.
	Open string
}

// SpanStore is an optional interface of a Store that Search uses when the
// store has it: the claims Busy would return, as bare spans written into a
// buffer the caller owns, so that a search over hundreds of calendars
// builds no Claim values and allocates nothing per claim; and a version of
// the claims, so that a Booker may search again over spans it read before
// while no claim has changed.
type SpanStore interface {
	// AppendBusy appends to dst, for each of owners in turn, the
	// intervals of the owner's claims that are live at now and overlap iv
	// (in whole seconds, as Unix truncates), sorted by start (spans that
	// touch may come as one), and appends len(dst) to ends after each
	// owner's spans, so owners[i]'s spans are Spans[Ends[i-1]:Ends[i]].
	AppendBusy(ctx context.Context, dst []BusySpan, ends []int32, owners []CalendarID, iv Interval, now time.Time) (BusyRead, error)
	// ClaimsVersion returns a number that changes whenever a claim is
	// added, removed or changed, in this store value or any that shares
	// its state.
	ClaimsVersion() uint64
}

// BusyRead is what SpanStore.AppendBusy read.
type BusyRead struct {
	Spans []BusySpan
	Ends  []int32
	// Version is the claims version the spans were read at.
	Version uint64
	// Expires is the earliest expiry of a hold among the spans (zero if
	// none): from then on the spans no longer show the claims live.
	Expires time.Time
}

// ValidateClaim checks a claim request's shape; stores call it before
// changing anything.
func ValidateClaim(req ClaimRequest) error {
	a := req.Appointment
	switch {
	case a.ID == "":
		return fmt.Errorf("%w: appointment.id is empty", ErrInvalid)
	case a.Version != 1:
		return fmt.Errorf("%w: appointment.version must be 1 for a new appointment", ErrInvalid)
	case a.Status != StatusPending && a.Status != StatusBooked:
		return fmt.Errorf("%w: appointment.status %q: a claim is pending or booked", ErrInvalid, a.Status)
	case a.Status == StatusPending && !req.Now.Before(a.HoldUntil):
		return fmt.Errorf("%w: appointment.holdUntil must be after now for a hold", ErrInvalid)
	case !a.Start.Before(a.End):
		return fmt.Errorf("%w: appointment.start must be before end", ErrInvalid)
	case len(req.Claims) == 0:
		return carecontact.Invalid(ErrInvalid, "claims", "is empty")
	case len(a.Invitation) > carecontact.MaxIDLen:
		return carecontact.Invalid(ErrInvalid, "appointment.invitation", "is too long")
	case req.Limit != nil && req.Limit.Max <= 0:
		return fmt.Errorf("%w: limit.max must be positive", ErrInvalid)
	}
	owners := map[CalendarID]bool{}
	for i, c := range req.Claims {
		switch {
		case c.Owner == "":
			return fmt.Errorf("%w: claims[%d].owner is empty", ErrInvalid, i)
		case c.Appointment != a.ID:
			return fmt.Errorf("%w: claims[%d].appointment is not the appointment's id", ErrInvalid, i)
		case !c.Start.Before(c.End):
			return fmt.Errorf("%w: claims[%d]: start must be before end", ErrInvalid, i)
		case owners[c.Owner]:
			return fmt.Errorf("%w: claims[%d].owner %s repeated", ErrInvalid, i, c.Owner)
		case a.Status == StatusPending && !c.Expires.Equal(a.HoldUntil):
			return fmt.Errorf("%w: claims[%d].expires must equal appointment.holdUntil", ErrInvalid, i)
		case a.Status == StatusBooked && !c.Expires.IsZero():
			return fmt.Errorf("%w: claims[%d].expires must be zero for a booking", ErrInvalid, i)
		case c.Shared == "" && c.Capacity != 0:
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("claims[%d].capacity", i), "needs a shared slot")
		case c.Shared != "" && c.Capacity < 1:
			return carecontact.Invalid(ErrInvalid, fmt.Sprintf("claims[%d].capacity", i), "must be positive for a shared slot")
		}
		owners[c.Owner] = true
	}
	return nil
}

// ValidateTransition checks a transition of prev (the stored appointment)
// to req.Next; stores call it inside the operation.
func ValidateTransition(prev Appointment, req TransitionRequest) error {
	next := req.Next
	if next.Version != prev.Version+1 {
		return fmt.Errorf("booking: appointment %s version %d: %w", next.ID, prev.Version, ErrConflict)
	}
	if err := checkTransition(prev, next.Status); err != nil {
		return err
	}
	if prev.Status == StatusPending && next.Status == StatusBooked && !req.Now.Before(prev.HoldUntil) {
		return fmt.Errorf("booking: appointment %s: %w", next.ID, ErrHoldExpired)
	}
	if !next.Start.Equal(prev.Start) || !next.End.Equal(prev.End) || !slices.Equal(next.Participants, prev.Participants) || next.Client != prev.Client {
		return fmt.Errorf("%w: appointment %s: a transition may not change time, participants or client (reschedule instead)", ErrInvalid, next.ID)
	}
	return nil
}

// ValidateOffer checks a reschedule's wait offer against the rescheduled
// appointment's new claim; stores call it before changing anything.
func ValidateOffer(next ClaimRequest, offer WaitOffer) error {
	if offer.WaiterID == "" {
		return fmt.Errorf("%w: offer.waiterID is empty", ErrInvalid)
	}
	if err := ValidateClaim(offer.Claim); err != nil {
		return fmt.Errorf("offer: %w", err)
	}
	switch o := offer.Claim.Appointment; {
	case o.ID == next.Appointment.ID:
		return fmt.Errorf("booking: offer appointment %s: %w", o.ID, ErrExists)
	case o.Client == next.Appointment.Client:
		return fmt.Errorf("%w: offer.claim.appointment.client: the waiting client is the one who reschedules", ErrInvalid)
	}
	return nil
}
