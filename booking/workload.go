package booking

import (
	"context"
	"fmt"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/civil"
)

// MaxWorkloadDays is the longest period Workload reports on.
const MaxWorkloadDays = 400

// WorkCounts counts, over a period, the professionals' extra work that
// e-booking caused and the clients' failed attempts.
type WorkCounts struct {
	// Overrides are changes a professional made for a client with a
	// client rule set aside (Requester.Override).
	Overrides int `json:"overrides"`
	// AbsenceRebookings are appointments an absence fell on
	// (PlanAbsence): offered new times, or moved to the waitlist.
	AbsenceRebookings int `json:"absence_rebookings"`
	// Corrections are a professional's cancellations, reschedules and
	// entered-in-error marks of appointments the client booked
	// themselves, without an override and not for an absence.
	Corrections int `json:"corrections"`
	// EmptySearches are clients' searches that found no slot.
	EmptySearches int `json:"empty_searches"`
	// LapsedHolds are clients' holds and waitlist offers that expired
	// unconfirmed.
	LapsedHolds int `json:"lapsed_holds"`
}

// Staff is the professionals' extra work: Overrides + AbsenceRebookings +
// Corrections.
func (c WorkCounts) Staff() int { return c.Overrides + c.AbsenceRebookings + c.Corrections }

// Clients is the clients' failed attempts: EmptySearches + LapsedHolds.
func (c WorkCounts) Clients() int { return c.EmptySearches + c.LapsedHolds }

func (c *WorkCounts) add(o WorkCounts) {
	c.Overrides += o.Overrides
	c.AbsenceRebookings += o.AbsenceRebookings
	c.Corrections += o.Corrections
	c.EmptySearches += o.EmptySearches
	c.LapsedHolds += o.LapsedHolds
}

// Workload is a service area's workload report (see Booker.Workload).
type Workload struct {
	// Area is the service area.
	Area carecontact.AreaID `json:"area"`
	// From and To are the first and last day of the period, in
	// Europe/Helsinki.
	From civil.Date `json:"from"`
	To   civil.Date `json:"to"`
	// Period is the instants of the period, in UTC: from the start of
	// From to the start of the day after To in Europe/Helsinki, so that
	// a DST change day counts with its real length (23 or 25 hours).
	Period Interval `json:"period"`
	// Total is the area's counts.
	Total WorkCounts `json:"total"`
	// Services are the counts per service code; services with nothing
	// to count are left out.
	Services map[string]WorkCounts `json:"services,omitempty"`
}

// Workload reports a service area's e-booking workload over the days from
// to to (inclusive, in Europe/Helsinki): per service and in total, the
// professionals' extra work (overrides, rebookings after absences, manual
// corrections) and the clients' failed attempts (searches with no result,
// holds that lapsed), both derived from the audit trail the Booker writes,
// which Config.Audit must therefore read back (an audit.Reader; else
// ErrNotAllowed). Only the area's professionals and the system may ask (a
// client is ErrNotAllowed, recorded as denied); the read is recorded. Days
// that are not valid, a to before from or a period longer than
// MaxWorkloadDays are an ErrInvalid *carecontact.FieldError.
func (b *Booker) Workload(ctx context.Context, by Requester, area carecontact.AreaID, from, to civil.Date) (Workload, error) {
	now := b.cfg.Clock.Now().UTC()
	switch {
	case !from.Valid():
		return Workload{}, carecontact.Invalid(ErrInvalid, "from", "is not a valid date")
	case !to.Valid():
		return Workload{}, carecontact.Invalid(ErrInvalid, "to", "is not a valid date")
	case to.Before(from):
		return Workload{}, carecontact.Invalid(ErrInvalid, "to", "is before from")
	case from.DaysUntil(to)+1 > MaxWorkloadDays:
		return Workload{}, carecontact.Invalid(ErrInvalid, "to", fmt.Sprintf("the period is longer than %d days", MaxWorkloadDays))
	}
	if err := carecontact.ValidateID(ErrInvalid, "area", string(area)); err != nil {
		return Workload{}, err
	}
	if area == "" {
		return Workload{}, carecontact.Invalid(ErrInvalid, "area", "is empty")
	}
	subject := "workload/" + string(area)
	if err := by.Actor.Validate(); err != nil {
		return Workload{}, b.deny(ctx, now, by, "booking.read", subject, "", fmt.Errorf("%w: requester: %w", ErrInvalid, err))
	}
	if by.self() {
		return Workload{}, b.deny(ctx, now, by, "booking.read", subject, "", fmt.Errorf("booking: workload: %w", ErrNotAllowed))
	}
	if err := b.actsFor(ctx, by, "", area, "the workload of area "+string(area)); err != nil {
		return Workload{}, b.deny(ctx, now, by, "booking.read", subject, "", err)
	}
	rd, ok := b.cfg.Audit.(audit.Reader)
	if !ok {
		return Workload{}, fmt.Errorf("booking: workload: the audit recorder does not read back: %w", ErrNotAllowed)
	}
	loc := civil.Helsinki()
	w := Workload{Area: area, From: from, To: to, Period: Interval{from.Start(loc).UTC(), to.AddDays(1).Start(loc).UTC()}}
	evs, err := rd.Events(ctx, audit.Filter{Since: w.Period.Start, Until: w.Period.End})
	if err != nil {
		return Workload{}, fmt.Errorf("booking: workload: %w", err)
	}
	for _, e := range evs {
		if e.Outcome != audit.Allowed || e.Detail["area"] != string(area) {
			continue
		}
		c := workOf(e)
		if c == (WorkCounts{}) {
			continue
		}
		if w.Services == nil {
			w.Services = map[string]WorkCounts{}
		}
		svc := w.Services[e.Detail["service"]]
		svc.add(c)
		w.Services[e.Detail["service"]] = svc
		w.Total.add(c)
	}
	ev := audit.Event{At: now, Actor: by.Actor, Action: "booking.read", Subject: subject, Outcome: audit.Allowed,
		Detail: map[string]string{"reason": "workload", "from": from.String(), "to": to.String()}}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return Workload{}, fmt.Errorf("booking: audit read: %w", err)
	}
	return w, nil
}

// workOf classifies one allowed audit event of an area: what it counts
// for, at most one kind.
func workOf(e audit.Event) WorkCounts {
	d := e.Detail
	switch {
	case e.Action == "booking.book" && d["from"] != "":
		// The new half of a reschedule: the reschedule event counts.
		return WorkCounts{}
	case e.Action == "booking.search.empty":
		return WorkCounts{EmptySearches: 1}
	case e.Action == "booking.expire":
		if d["self_booked"] == "true" || d["offer"] == "true" {
			return WorkCounts{LapsedHolds: 1}
		}
		return WorkCounts{}
	case e.Action == "booking.rebook",
		e.Action == "booking.cancel" && d["reason"] == "absence":
		return WorkCounts{AbsenceRebookings: 1}
	case e.Actor.Kind != audit.ActorProfessional:
		return WorkCounts{}
	case d["override"] != "":
		return WorkCounts{Overrides: 1}
	case d["self_booked"] == "true" &&
		(e.Action == "booking.cancel" || e.Action == "booking.reschedule" || e.Action == "booking."+string(StatusEnteredInError)):
		return WorkCounts{Corrections: 1}
	}
	return WorkCounts{}
}

// recordEmptySearch records a client's search that found nothing: the
// system's event naming the area and the service, without the client.
func (b *Booker) recordEmptySearch(ctx context.Context, req SearchRequest) error {
	ev := audit.Event{At: b.cfg.Clock.Now().UTC(), Actor: audit.System("booking.search"), Action: "booking.search.empty",
		Subject: "service/" + req.Service, Outcome: audit.Allowed,
		Detail: map[string]string{"area": string(req.Area), "service": req.Service}}
	if err := b.cfg.Audit.Record(ctx, ev); err != nil {
		return fmt.Errorf("booking: audit empty search: %w", err)
	}
	return nil
}
