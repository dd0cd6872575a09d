package booking

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// DefaultAlternatives is the default AbsenceRequest.Alternatives.
const DefaultAlternatives = 3

// DefaultRebookWithin is the default AbsenceRequest.Within.
const DefaultRebookWithin = 14 * 24 * time.Hour

// AbsenceRequest adds an absence to a calendar and finds each client whose
// appointment it falls on a new time (see PlanAbsence).
type AbsenceRequest struct {
	// Owner is the calendar the absence is added to. Required.
	Owner CalendarID
	// Version is the calendar's version the caller read (see
	// Booker.Calendar). Defaults to 0, a calendar not stored yet.
	Version int
	// Absence is the absence; its Kind must be Absence. Required.
	Absence Exception
	// Alternatives is how many new times to find per appointment, 1 to
	// 20. Defaults to DefaultAlternatives.
	Alternatives int
	// Within is how far from the appointment's start a new time may be,
	// before or after it (never before now). Defaults to
	// DefaultRebookWithin (14 days).
	Within time.Duration
	// KeepProfessional finds new times with the appointment's own first
	// participant only (the client's own nurse), outside the absence.
	// Defaults to false: any calendar that meets the service.
	KeepProfessional bool
	// By is the professional (of the calendar's area) or the system that
	// adds the absence. Required.
	By Requester
}

// Rebooking is one appointment an absence falls on and what the client is
// offered instead.
type Rebooking struct {
	// Appointment is the appointment as it is now: still active when
	// Alternatives were found (the client picks one and the host calls
	// Reschedule), cancelled with reason "absence" when the client was
	// moved to the waitlist.
	Appointment Appointment `json:"appointment"`
	// Alternatives are free slots of the same service, the nearest to the
	// appointment's start first (ties: the earlier), which a professional
	// may book for the client.
	Alternatives []Slot `json:"alternatives,omitempty"`
	// Waiting is the client's waitlist entry for the service when no
	// alternative was found (an entry the client already had is kept).
	Waiting *WaitEntry `json:"waiting,omitempty"`
	// Err is why this appointment could not be handled (a failed search,
	// store operation or audit record), empty when it was: the
	// appointment is then as Appointment shows it (still booked, or on
	// the waitlist when Waiting is set and only the cancellation failed)
	// and the host handles it by hand. It names no client and no answer.
	Err string `json:"error,omitempty"`
}

// AbsencePlan is what PlanAbsence did.
type AbsencePlan struct {
	// Calendar is the calendar as stored with the absence.
	Calendar StoredCalendar `json:"calendar"`
	// Rebookings are the affected appointments, by start.
	Rebookings []Rebooking `json:"rebookings,omitempty"`
}

// PlanAbsence adds an absence to a calendar over booked times: it stores
// the absence (AddAbsence, recorded with its caller), then finds the
// appointments it falls on (Affected, each recorded as read; read after
// the absence is committed, so a booking made meanwhile is among them;
// if this read fails, the error is returned with the plan's Calendar
// set, the absence being stored), and then,
// for each of them that is still to come (booked or a live hold, not
// checked in, starting after the Booker's clock's now: one already under
// way or over is left as it is and not listed), offers the client either the nearest free times of the same service,
// found after the absence is in the calendar, or, when there is none
// within req.Within, the waitlist: the client is put on the service's
// waitlist (keeping the answers and the guidance version) and the
// appointment is cancelled with reason "absence", both recorded. The
// absent time is offered to nobody. A change of the calendar since
// req.Version fails with ErrConflict before anything is stored. An
// appointment given alternatives is recorded as a "booking.rebook" audit
// event (see Workload). Once the absence is stored, a failure with one
// appointment does not stop the others: it is recorded in that
// Rebooking's Err and PlanAbsence carries on. The waitlist step is two
// store operations (the entry, then the cancellation): if the second
// fails, the Rebooking has Waiting set, the appointment still booked and
// Err set, which a second PlanAbsence cannot repeat (the absence is
// stored); the host then cancels it. What remains: a claim does not check
// the calendars version, so a booking whose slot was found on the calendar
// before the absence and claimed after PlanAbsence read Affected still
// lands on the absent time and is in no plan; the host finds it by
// calling Affected again for the absence.
func (b *Booker) PlanAbsence(ctx context.Context, req AbsenceRequest) (AbsencePlan, error) {
	n := req.Alternatives
	switch {
	case n == 0:
		n = DefaultAlternatives
	case n < 0 || n > 20:
		return AbsencePlan{}, carecontact.Invalid(ErrInvalid, "alternatives", fmt.Sprintf("%d is not 1 to 20", n))
	}
	within := req.Within
	switch {
	case within == 0:
		within = DefaultRebookWithin
	case within < 0:
		return AbsencePlan{}, carecontact.Invalid(ErrInvalid, "within", "is negative")
	}
	sc, err := b.AddAbsence(ctx, req.Owner, req.Version, req.Absence, req.By)
	if err != nil {
		return AbsencePlan{}, err
	}
	plan := AbsencePlan{Calendar: sc}
	// Read after the absence is committed, so that a booking made while it
	// was being stored is among them.
	affected, err := b.Affected(ctx, req.Owner, req.Absence, req.By)
	if err != nil {
		return plan, err
	}
	by := Requester{Actor: req.By.Actor}
	now := b.cfg.Clock.Now()
	for _, a := range affected {
		if (a.Status != StatusBooked && a.Status != StatusPending) || !a.Start.After(now) {
			continue // under way, checked in or over: not moved
		}
		plan.Rebookings = append(plan.Rebookings, b.rebook(ctx, a, n, within, req.KeepProfessional, by))
	}
	return plan, nil
}

// rebook offers a's client alternatives or the waitlist (see PlanAbsence);
// a failure is the Rebooking's Err.
func (b *Booker) rebook(ctx context.Context, a Appointment, n int, within time.Duration, keep bool, by Requester) Rebooking {
	alts, err := b.alternatives(ctx, a, n, within, keep, by)
	if err != nil {
		return Rebooking{Appointment: a, Err: err.Error()}
	}
	if len(alts) > 0 {
		ev := b.event(b.cfg.Clock.Now().UTC(), by, "booking.rebook", a,
			map[string]string{"reason": "absence", "alternatives": strconv.Itoa(len(alts))})
		if err := b.cfg.Audit.Record(ctx, ev); err != nil {
			return Rebooking{Appointment: a, Err: fmt.Sprintf("booking: audit rebooking: %v", err)}
		}
		return Rebooking{Appointment: a, Alternatives: alts}
	}
	w, cancelled, err := b.toWaitlist(ctx, a, by)
	if err != nil {
		r := Rebooking{Appointment: a, Err: err.Error()}
		if w.ID != "" {
			r.Waiting = &w
		}
		return r
	}
	return Rebooking{Appointment: cancelled, Waiting: &w}
}

// alternatives finds up to n free slots of a's service nearest to its
// start, within the given distance.
func (b *Booker) alternatives(ctx context.Context, a Appointment, n int, within time.Duration, keep bool, by Requester) ([]Slot, error) {
	sr := SearchRequest{Area: a.Area, Service: a.Service, By: by}
	if keep && len(a.Participants) > 0 {
		v, err := b.view(ctx)
		if err != nil {
			return nil, err
		}
		c, ok := v.ix.set.byID[a.Participants[0]]
		if !ok {
			return nil, nil
		}
		p, ok := c.Professional()
		if !ok {
			return nil, nil
		}
		sr.Professional = p
	}
	after := sr
	after.From, after.To, after.Limit = a.Start, a.Start.Add(within), n
	later, err := b.Search(ctx, after)
	if err != nil {
		return nil, fmt.Errorf("booking: alternatives for %s: %w", a.ID, err)
	}
	var earlier []Slot
	if now := b.cfg.Clock.Now(); now.Before(a.Start) {
		before := sr
		before.From, before.To, before.Limit = a.Start.Add(-within), a.Start, 1000
		if earlier, err = b.Search(ctx, before); err != nil {
			return nil, fmt.Errorf("booking: alternatives for %s: %w", a.ID, err)
		}
		earlier = earlier[max(0, len(earlier)-n):]
	}
	all := append(earlier, later...)
	dist := func(s Slot) time.Duration { return max(s.Start.Sub(a.Start), a.Start.Sub(s.Start)) }
	slices.SortStableFunc(all, func(x, y Slot) int {
		if c := cmp.Compare(dist(x), dist(y)); c != 0 {
			return c
		}
		return x.Start.Compare(y.Start)
	})
	return all[:min(n, len(all))], nil
}

// toWaitlist puts a's client on the waitlist of a's service (unless they
// wait already) and cancels a with reason "absence".
func (b *Booker) toWaitlist(ctx context.Context, a Appointment, by Requester) (WaitEntry, Appointment, error) {
	now := b.cfg.Clock.Now().UTC()
	ws, err := b.cfg.Store.Waiters(ctx, a.Area, a.Service)
	if err != nil {
		return WaitEntry{}, Appointment{}, err
	}
	i := slices.IndexFunc(ws, func(w WaitEntry) bool { return w.Client == a.Client })
	var w WaitEntry
	if i >= 0 {
		w = ws[i]
	} else {
		w = WaitEntry{ID: b.cfg.NewID("wait"), Area: a.Area, Service: a.Service, Client: a.Client, Since: now,
			Answers: slices.Clone(a.Answers), GuidanceVersion: a.GuidanceVersion}
		ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.wait", Subject: "waitlist/" + w.ID, Client: a.Client,
			Outcome: audit.Allowed, Detail: map[string]string{"service": a.Service, "reason": "absence", "from": a.ID}}
		if err := b.cfg.Store.AddWaiter(ctx, w, []audit.Event{ev}); err != nil {
			return WaitEntry{}, Appointment{}, fmt.Errorf("booking: waitlist after absence: %w", err)
		}
	}
	next := a.Clone()
	next.Status, next.CancelReason, next.HoldUntil = StatusCancelled, "absence", time.Time{}
	next.Version, next.Updated = a.Version+1, now
	ev := b.event(now, by, "booking.cancel", next, map[string]string{"from": string(a.Status), "reason": "absence", "waiter": w.ID})
	if err := b.cfg.Store.Transition(ctx, TransitionRequest{Next: next, Now: now, Events: []audit.Event{ev}}); err != nil {
		return w, Appointment{}, fmt.Errorf("booking: cancel after absence: %w", err)
	}
	return w, next, nil
}

// stillWorking reports whether a's time is still working time of every
// participant (an absence or a changed rota
// may have taken it since a was booked), so that freed time is offered to
// a waiting client only if it can be worked.
func (b *Booker) stillWorking(ctx context.Context, svc *Service, a Appointment) (bool, error) {
	v, err := b.view(ctx)
	if err != nil {
		return false, err
	}
	set := v.ix.set
	// Any working time will do (the waitlist offers what was booked),
	// but callback time, which never holds appointments.
	working := 0xff &^ (uint8(1) << codeCallback)
	q := &search{rules: rules{pro: working, res: working, todayLo: math.MinInt64, todayHi: math.MaxInt64}, svc: svc, set: set, ix: v.ix,
		dur: int64(a.End.Sub(a.Start) / time.Second)}
	for _, id := range a.Participants {
		p, ok := set.pos[id]
		if !ok {
			return false, nil
		}
		if _, ok := q.fits(p, -1, set.cals[p].Kind == OwnerResource, a.Start.Unix()); !ok {
			return false, nil
		}
	}
	return true, nil
}
