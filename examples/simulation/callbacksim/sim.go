package callbacksim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

// Team is a team and its professionals' daily callback shifts.
type Team struct {
	Name   string
	Shifts []callback.Shift
}

// Absence is a professional's absence [From, To), reported at Known (zero:
// at From).
type Absence struct {
	Team            carecontact.TeamID
	Professional    carecontact.ProfessionalID
	From, To, Known time.Time
}

// Arrival is a callback request arriving at At.
type Arrival struct {
	At      time.Time
	Request callback.Request
}

// Scenario describes a simulated run.
type Scenario struct {
	Config   callback.Config
	Router   callback.Router
	Teams    []Team
	Absences []Absence
	Arrivals []Arrival
	// Answers reports whether the client answers the attempt-th attempt (1
	// based) of the request; nil: every attempt is answered.
	Answers func(request string, attempt int) bool
	// CallLength is the length of an attempt; nil: the request's handling
	// time when answered, 2 minutes when not.
	CallLength func(r callback.Record, answered bool) time.Duration
	// Start and End bound the simulated time.
	Start, End time.Time
}

// Result is what a run produced.
type Result struct {
	// Promises are the answers to the arrivals, in arrival order.
	Promises []callback.Promise
	// Events are every event the Planner returned, in order.
	Events []callback.Event
	// Records are the stored requests at the end, by request time.
	Records []callback.Record
	// KPIs are computed over all requests at End.
	KPIs callback.KPIs
	// Planner and Store are the ones used, for further inspection.
	Planner *callback.Planner
	Store   *memory.CallbackStore
}

type call struct {
	id       string
	end      time.Time
	answered bool
}

type prof struct {
	id, team string
	shift    callback.Shift
	absent   []Absence
}

// Run runs the scenario.
func Run(ctx context.Context, sc Scenario) (Result, error) {
	capa := callback.NewStaticCapacity(sc.Config.Workdays)
	var staff []*prof
	for _, t := range sc.Teams {
		if err := capa.SetTeam(carecontact.TeamID(t.Name), t.Shifts...); err != nil {
			return Result{}, err
		}
		for _, s := range t.Shifts {
			staff = append(staff, &prof{id: string(s.Professional), team: t.Name, shift: s})
		}
	}
	store := memory.NewCallbackStore(nil)
	n := 0
	var cur time.Time // the simulated time
	cfg := sc.Config
	if cfg.Audit == nil {
		cfg.Audit = memory.NewAuditLog()
	}
	if cfg.Staff == nil {
		// The nurses on the rosters, each a member of the teams that roster them.
		teams := map[carecontact.ProfessionalID][]carecontact.TeamID{}
		var order []carecontact.ProfessionalID
		for _, p := range staff {
			id := carecontact.ProfessionalID(p.id)
			if _, ok := teams[id]; !ok {
				order = append(order, id)
			}
			if !slices.Contains(teams[id], carecontact.TeamID(p.team)) {
				teams[id] = append(teams[id], carecontact.TeamID(p.team))
			}
		}
		members := make([]carecontact.StaffMember, 0, len(order))
		for _, id := range order {
			members = append(members, carecontact.StaffMember{ID: id, Teams: teams[id]})
		}
		dir, err := carecontact.NewStaff(members, nil)
		if err != nil {
			return Result{}, err
		}
		cfg.Staff = dir
	}
	cfg.Clock = carecontact.ClockFunc(func() time.Time { return cur })
	cfg.Store, cfg.Router, cfg.Capacity = store, sc.Router, capa
	cfg.NewID = func() string { n++; return fmt.Sprintf("cb-%05d", n) }
	svc, err := callback.New(cfg)
	if err != nil {
		return Result{}, err
	}
	workdays := svc.Config().Workdays
	on := func(_ *callback.Planner, t time.Time) *callback.Planner { cur = t; return svc }
	arrivals := slices.Clone(sc.Arrivals)
	slices.SortStableFunc(arrivals, func(a, b Arrival) int { return a.At.Compare(b.At) })
	absences := slices.Clone(sc.Absences)
	for i := range absences {
		if absences[i].Known.IsZero() {
			absences[i].Known = absences[i].From
		}
	}
	slices.SortStableFunc(absences, func(a, b Absence) int { return a.Known.Compare(b.Known) })
	res := Result{Planner: svc, Store: store}
	calls := map[string]call{}
	hki := civil.Helsinki()

	onDuty := func(p *prof, now time.Time) bool {
		day := civil.DateOf(now, hki)
		if !workdays.Workday(day) {
			return false
		}
		start, end := day.At(p.shift.From, hki), day.At(p.shift.To, hki)
		if now.Before(start) || !now.Before(end) {
			return false
		}
		for _, a := range p.absent {
			if !now.Before(a.From) && now.Before(a.To) {
				return false
			}
		}
		return true
	}

	now := sc.Start.UTC()
	for !now.After(sc.End) {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// Calls that have ended.
		ended := make([]string, 0)
		for pid, c := range calls {
			if !c.end.After(now) {
				ended = append(ended, pid)
			}
		}
		slices.SortFunc(ended, func(a, b string) int { return cmp.Or(calls[a].end.Compare(calls[b].end), cmp.Compare(a, b)) })
		for _, pid := range ended {
			c := calls[pid]
			delete(calls, pid)
			result := callback.NoAnswer
			if c.answered {
				result = callback.Answered
			}
			_, evs, err := on(svc, c.end).Complete(ctx, c.id, carecontact.ProfessionalID(pid), result)
			if err != nil {
				return res, err
			}
			res.Events = append(res.Events, evs...)
		}
		// Absences reported by now.
		for len(absences) > 0 && !absences[0].Known.After(now) {
			a := absences[0]
			absences = absences[1:]
			capa.Absent(a.Team, a.Professional, a.From, a.To)
			for _, p := range staff {
				if p.id == string(a.Professional) && p.team == string(a.Team) {
					p.absent = append(p.absent, a)
				}
			}
		}
		// Arrivals.
		for len(arrivals) > 0 && !arrivals[0].At.After(now) {
			p, err := on(svc, arrivals[0].At).Request(ctx, arrivals[0].Request)
			if err != nil {
				return res, err
			}
			res.Promises = append(res.Promises, p)
			res.Events = append(res.Events, p.Events...)
			arrivals = arrivals[1:]
		}
		evs, err := on(svc, now).Plan(ctx)
		if err != nil {
			return res, err
		}
		res.Events = append(res.Events, evs...)
		// Free professionals on duty take due requests.
		for _, p := range staff {
			if _, busy := calls[p.id]; busy || !onDuty(p, now) {
				continue
			}
			r, err := on(svc, now).Take(ctx, carecontact.TeamID(p.team), carecontact.ProfessionalID(p.id))
			if errors.Is(err, callback.ErrNothingDue) {
				continue
			}
			if err != nil {
				return res, err
			}
			answered := sc.Answers == nil || sc.Answers(r.ID, len(r.Calls))
			length := r.Handling
			if !answered {
				length = 2 * time.Minute
			}
			if sc.CallLength != nil {
				length = sc.CallLength(r, answered)
			}
			calls[p.id] = call{id: r.ID, end: now.Add(length), answered: answered}
		}
		// The next moment something happens.
		next := time.Time{}
		consider := func(t time.Time) {
			if t.After(now) && (next.IsZero() || t.Before(next)) {
				next = t
			}
		}
		if len(arrivals) > 0 {
			consider(arrivals[0].At)
		}
		if len(absences) > 0 {
			consider(absences[0].Known)
		}
		for _, c := range calls {
			consider(c.end)
		}
		if t, ok, err := on(svc, now).NextDeadline(ctx); err != nil {
			return res, err
		} else if ok {
			consider(t)
		}
		if next.IsZero() {
			break
		}
		now = next
	}
	recs, err := store.List(ctx, callback.Filter{})
	if err != nil {
		return res, err
	}
	res.Records = recs
	res.KPIs = callback.ComputeKPIs(recs, svc.Config().SameDayTarget, sc.End)
	return res, nil
}
