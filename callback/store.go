package callback

import (
	"context"
	"strconv"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// Store keeps callback requests. Every method is one atomic operation; an
// implementation is safe for concurrent use and several values may share
// one backing state (several host replicas over one database).
type Store interface {
	// OpenOrJoin stores r (ID set, Version 0) as a new open request, unless
	// an open request of the same client and errand exists: then that one is
	// joined (its Joins incremented) and returned with joined=true, and r is
	// not stored. The audit event OpenEvent(result, joined, actor, at) is
	// recorded in the same operation.
	OpenOrJoin(ctx context.Context, r Record, actor audit.Actor, at time.Time) (rec Record, joined bool, err error)
	// Get returns the request with the ID, or ErrNotFound.
	Get(ctx context.Context, id string) (Record, error)
	// Update replaces the stored request with r if the stored Version equals
	// r.Version (else ErrConflict; ErrNotFound if there is none), bumps the
	// version, and records events in the same operation. Closing a request
	// frees its client and errand for a new request.
	Update(ctx context.Context, r Record, events []audit.Event) (Record, error)
	// List returns the requests that match f, ordered by RequestedAt, then ID.
	List(ctx context.Context, f Filter) ([]Record, error)

	// PlanVersions returns the plan version of every team's day that
	// starts at since or later and has one: how many reservations were
	// made in it (OpenReserved, UpdateReserved). A day missing from the
	// map has version 0. The Planner reads them before it lists the
	// requests it plans from.
	PlanVersions(ctx context.Context, since time.Time) (map[PlanKey]int64, error)
	// OpenReserved is OpenOrJoin for a request promised a window in the
	// day res.Key. A join is made as OpenOrJoin makes it and reserves
	// nothing. A new request is stored only if the day's plan version is
	// still res.Version, and the version is bumped in the same atomic
	// operation; otherwise nothing is stored and the error is
	// ErrPlanChanged.
	OpenReserved(ctx context.Context, r Record, res Reservation, actor audit.Actor, at time.Time) (rec Record, joined bool, err error)
	// UpdateReserved is Update for a change that places r (a new window,
	// team or day) in the day res.Key: written only if both r.Version
	// (else ErrConflict) and the day's plan version res.Version (else
	// ErrPlanChanged) are as given, bumping both in the same atomic
	// operation.
	UpdateReserved(ctx context.Context, r Record, res Reservation, events []audit.Event) (Record, error)
	// UpdateFenced is Update for a decision of the leader's planning pass
	// that places nothing (an escalation, a due or hand-over mark, a
	// request left unplaced): a store shared by replicas writes it only
	// while fence is the lease's current term, checked in the same atomic
	// operation, else ErrNotLeader and nothing is written. The zero fence
	// fences nothing; a store of one process may ignore the fence.
	UpdateFenced(ctx context.Context, r Record, fence carecontact.Fence, events []audit.Event) (Record, error)
}

// PlanKey names one team's local day: the unit in which callback capacity
// is reserved.
type PlanKey struct {
	Team carecontact.TeamID
	// Day is the local (Europe/Helsinki) midnight that starts the day, in
	// UTC.
	Day time.Time
}

// Reservation is a promise's claim on the capacity of one team's day. The
// Planner computes a promise from the day's requests as it listed them
// after reading the day's plan version; the store writes the promise only
// if the version has not moved since, so two planners (two replicas) that
// planned from the same state cannot both promise the same capacity: the
// second gets ErrPlanChanged and plans again from the new state. This is
// an optimistic lock per team and day, held in the store.
type Reservation struct {
	Key PlanKey
	// Version is the day's plan version the promise was planned at
	// (PlanVersions; 0 for a day without one).
	Version int64
	// Fence, when not zero, is the leader term of the planning pass that
	// made the reservation (Config.Leader): a store shared by replicas
	// writes it only while the fence is the lease's current term, checked
	// in the same atomic operation, else ErrNotLeader. A store of one
	// process may ignore it.
	Fence carecontact.Fence
}

// Filter selects requests in Store.List. Zero fields match everything.
type Filter struct {
	// Team selects the team currently responsible.
	Team carecontact.TeamID
	// OpenOnly selects requests that are not closed.
	OpenOnly bool
	// Since and Until bound RequestedAt: [Since, Until).
	Since, Until time.Time
}

// Match reports whether r passes f.
func (f Filter) Match(r Record) bool {
	switch {
	case f.Team != "" && r.Team != f.Team,
		f.OpenOnly && !r.Open(),
		!f.Since.IsZero() && r.RequestedAt.Before(f.Since),
		!f.Until.IsZero() && !r.RequestedAt.Before(f.Until):
		return false
	}
	return true
}

// Subject returns the audit subject of a request: "callback/<id>".
func Subject(id string) string { return "callback/" + id }

// OpenEvent is the audit event of opening (action "callback.open") or
// joining ("callback.join") request r. Store implementations record it.
func OpenEvent(r Record, joined bool, actor audit.Actor, at time.Time) audit.Event {
	action := "callback.open"
	if joined {
		action = "callback.join"
	}
	return audit.Event{
		At: at.UTC(), Actor: actor, Action: action, Subject: Subject(r.ID), Client: r.Client,
		Outcome: audit.Allowed,
		Detail: map[string]string{
			"errand": string(r.Errand), "team": string(r.Team), "urgency": r.Urgency.String(),
			"joins": strconv.Itoa(r.Joins),
		},
	}
}

// changeEvent is the audit event of a change to r.
func changeEvent(action string, r Record, actor audit.Actor, at time.Time, detail map[string]string) audit.Event {
	d := map[string]string{"state": string(r.State), "team": string(r.Team)}
	if !r.Window.IsZero() {
		d["window"] = r.Window.Start.UTC().Format(time.RFC3339) + "/" + r.Window.End.UTC().Format(time.RFC3339)
	}
	for k, v := range detail {
		d[k] = v
	}
	return audit.Event{
		At: at.UTC(), Actor: actor, Action: action, Subject: Subject(r.ID), Client: r.Client,
		Outcome: audit.Allowed, Detail: d,
	}
}
