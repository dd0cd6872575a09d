package booking

import (
	"context"
	"errors"
	"time"

	"github.com/carecontact/carecontact/audit"
)

// Advance implements carecontact.Driven: it releases the holds that have
// expired at the clock's now (see Expire). The host calls it at the time
// NextDeadline returns, or periodically; nothing runs by itself.
func (b *Booker) Advance(ctx context.Context) error {
	_, err := b.Expire(ctx)
	return err
}

// Expire releases the holds that have expired at the clock's now (held
// slots and waitlist offers not confirmed in time): each becomes cancelled
// with reason "hold expired", and the time of a lapsed waitlist offer is
// offered to the next waiting client in the same store operation. It
// returns how many holds it released.
func (b *Booker) Expire(ctx context.Context) (int, error) {
	now := b.cfg.Clock.Now().UTC()
	sys := Requester{Actor: audit.System("booking.expiry")}
	n := 0
	for {
		expired, err := b.cfg.Store.ExpiredHolds(ctx, now, 100)
		if err != nil {
			return n, err
		}
		if len(expired) == 0 {
			return n, nil
		}
		progressed := false
		for _, a := range expired {
			next := a.Clone()
			next.Status, next.CancelReason, next.HoldUntil = StatusCancelled, "hold expired", time.Time{}
			next.Version, next.Updated = a.Version+1, now
			req := TransitionRequest{Next: next, Now: now,
				Events: []audit.Event{b.event(now, sys, "booking.expire", next, expireDetail(a))}}
			var err error
			offered := false
			if a.FromWaitlist != "" && a.Start.After(now) {
				// A lapsed waitlist offer goes on to the next waiting client,
				// in the same store operation as the expiry.
				var o *Appointment
				o, err = b.offer(ctx, a, now, func(waiterID string, cr ClaimRequest) error {
					return b.cfg.Store.TakeWaiter(ctx, waiterID, &req, cr)
				})
				offered = err == nil && o != nil
			}
			if !offered && !errors.Is(err, ErrConflict) {
				err = b.cfg.Store.Transition(ctx, req)
			}
			switch {
			case err == nil:
				n++
				progressed = true
			case errors.Is(err, ErrConflict):
				// Changed concurrently (confirmed, cancelled or expired by
				// another replica): read it again on the next round.
				progressed = true
			default:
				return n, err
			}
		}
		if !progressed {
			return n, nil
		}
	}
}

// NextDeadline implements carecontact.Driven: it returns the earliest hold
// expiry, when Advance next has work; ok is false when there are no holds.
func (b *Booker) NextDeadline(ctx context.Context) (time.Time, bool, error) {
	return b.cfg.Store.NextHoldExpiry(ctx)
}

// expireDetail is the audit detail of an expired hold; a lapsed waitlist
// offer is marked "offer".
func expireDetail(a Appointment) map[string]string {
	d := map[string]string{"from": string(a.Status)}
	if a.FromWaitlist != "" {
		d["offer"] = "true"
	}
	return d
}
