package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

// keepAll is a retention that keeps every kind of data 30 days.
func keepAll() carecontact.Retention {
	return carecontact.Retention{Sessions: 30, Callbacks: 30, DemandContacts: 30, RoutingItems: 30, Appointments: 30, WaitEntries: 30}
}

func retentionCases() []badCase {
	validate := func(edit func(*carecontact.Retention)) func(context.Context, *world) error {
		return pure(func() error {
			r := keepAll()
			edit(&r)
			return r.Validate()
		})
	}
	purge := func(now time.Time, edit func(*carecontact.Retention)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			if _, err := w.queued(ctx, "c-1"); err != nil {
				return err
			}
			r := keepAll()
			edit(&r)
			_, err := w.db.Purge(ctx, now, r)
			return err
		}
	}
	keep := func(*carecontact.Retention) {}
	erase := func(actor audit.Actor, client carecontact.ClientRef, at time.Time) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			if _, err := w.queued(ctx, "c-1"); err != nil {
				return err
			}
			_, err := w.db.EraseClient(ctx, actor, client, at)
			return err
		}
	}
	return []badCase{
		{"retention/Validate/zero days", validate(func(r *carecontact.Retention) { r.Sessions = 0 }), invalid("sessions")},
		{"retention/Validate/negative days", validate(func(r *carecontact.Retention) { r.Callbacks = -5 }), invalid("callbacks")},
		{"retention/Validate/a billion days", validate(func(r *carecontact.Retention) { r.Appointments = 1_000_000_000 }), invalid("appointments")},
		{"retention/Validate/keep forever", validate(func(r *carecontact.Retention) { r.WaitEntries = carecontact.KeepForever }),
			accepted("carecontact.Retention: every field is a period of at least one day, or KeepForever")},
		{"retention/Purge/zero retention", purge(monday, func(r *carecontact.Retention) { *r = carecontact.Retention{} }), invalid("sessions")},
		{"retention/Purge/zero time", purge(time.Time{}, keep), invalid("now")},
		{"retention/Purge/year 9999", purge(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), keep),
			accepted("memory.DB.Purge: deletes what is past the retention at now (live work is never purged)")},
		{"retention/EraseClient/empty client", erase(system, "", monday), invalid("client")},
		{"retention/EraseClient/mebibyte client", erase(system, carecontact.ClientRef(mib), monday), invalid("client")},
		{"retention/EraseClient/identity code as client", erase(system, carecontact.ClientRef(hetu), monday), invalid("client")},
		{"retention/EraseClient/zero actor", erase(audit.Actor{}, "c-1", monday), invalid("actor.kind")},
		{"retention/EraseClient/zero time", erase(system, "c-1", time.Time{}), invalid("at")},
		{"retention/EraseClient/a client nobody knows", erase(system, "c-nobody", monday),
			accepted("memory.DB.EraseClient: the client's reference is replaced in every store (there is none to replace)")},
	}
}
