package booking

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// Intervals returns the instants, in UTC, that an absence takes on its
// days (each day's Span, or the whole day), in time order.
func (e Exception) Intervals() []Interval {
	loc := civil.Helsinki()
	var out []Interval
	for d := range e.Days().All() {
		iv := Interval{d.Start(loc), d.AddDays(1).Start(loc)}
		if e.Span != nil {
			iv = Interval{d.At(e.Span.From, loc), d.At(e.Span.To, loc)}
		}
		if iv.Start.Before(iv.End) {
			out = append(out, iv)
		}
	}
	return normalize(out)
}

// Affected returns the appointments an absence added to owner's calendar
// would fall on: the active appointments and live holds whose claimed time
// of owner (buffers included) overlaps the absence, by start, whatever
// their start: those under way, checked in or already over today are
// listed too (the host sees everyone the day's absence touches), while
// PlanAbsence moves only the ones still to come. The host calls it before it adds the absence (AddAbsence) to tell who would be
// hit; PlanAbsence does both and offers each client a new time or the
// waitlist. Only professionals of the
// calendar's area and the system may ask; each appointment returned is
// recorded as read.
func (b *Booker) Affected(ctx context.Context, owner CalendarID, absence Exception, by Requester) ([]Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	v, err := b.view(ctx)
	if err != nil {
		return nil, err
	}
	c, ok := v.ix.set.Calendar(owner)
	if !ok {
		return nil, fmt.Errorf("booking: calendar %s: %w", owner, ErrNotFound)
	}
	if absence.Kind != Absence {
		return nil, carecontact.Invalid(ErrInvalid, "absence.kind", fmt.Sprintf("%q: want absence", absence.Kind))
	}
	probe := Calendar{ID: c.ID, Kind: c.Kind, Area: c.Area, Role: c.Role, Exceptions: []Exception{absence}}
	if err := probe.Validate(); err != nil {
		return nil, err
	}
	if by.self() {
		return nil, b.deny(ctx, now, by, "booking.read", "calendar/"+string(owner), "", fmt.Errorf("booking: affected appointments: %w", ErrNotAllowed))
	}
	if err := b.actsFor(ctx, by, "", c.Area, "calendar "+string(owner)); err != nil {
		return nil, b.deny(ctx, now, by, "booking.read", "calendar/"+string(owner), "", err)
	}
	seen := map[string]bool{}
	var out []Appointment
	for _, iv := range absence.Intervals() {
		apps, err := b.claimedIn(ctx, []CalendarID{owner}, iv, now, seen)
		if err != nil {
			return nil, fmt.Errorf("booking: affected appointments: %w", err)
		}
		for _, a := range apps {
			if a.Status.Active() {
				out = append(out, a)
			}
		}
	}
	slices.SortFunc(out, func(x, y Appointment) int {
		if c := x.Start.Compare(y.Start); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	for _, a := range out {
		if err := b.cfg.Audit.Record(ctx, b.event(now, by, "booking.read", a, map[string]string{"reason": "absence"})); err != nil {
			return nil, fmt.Errorf("booking: audit read: %w", err)
		}
	}
	return out, nil
}
