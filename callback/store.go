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
