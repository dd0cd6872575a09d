package carecontact

import (
	"fmt"
	"time"
)

// Days is a retention period in whole calendar days, or KeepForever. A
// day is a day of the calendar, not 24 hours: a record finished at 12:00
// and kept one day goes at 12:00 the next day, which across a change of
// daylight saving time is 23 or 25 hours later. The stores count days in
// Europe/Helsinki.
type Days int

// KeepForever is the retention of a kind of data that is never purged.
const KeepForever Days = -1

// Cutoff returns the instant now less d calendar days in loc: what
// finished at or before it is past its retention. ok is false for
// KeepForever.
func (d Days) Cutoff(now time.Time, loc *time.Location) (cutoff time.Time, ok bool) {
	if d == KeepForever || d < 0 {
		return time.Time{}, false
	}
	return now.In(loc).AddDate(0, 0, -int(d)).UTC(), true
}

// Expired reports whether something finished at finished is past a
// retention of d days at now, counting days in loc: it is kept for d days
// and goes at the same wall-clock time d days later.
func (d Days) Expired(finished, now time.Time, loc *time.Location) bool {
	cutoff, ok := d.Cutoff(now, loc)
	return ok && !finished.After(cutoff)
}

// Retention says how long each kind of client data is kept after it is
// finished. A store's Purge (memory.DB.Purge, postgres.DB.Purge) deletes
// what is past it and pseudonymises the audit events about it
// (audit.Pseudonym): the trail is kept, and still verifies. Every field is
// required: a period of at least one day, or KeepForever. Guidance records
// hold no client data (versions of published text and their reviewers) and
// have no retention here.
type Retention struct {
	// Sessions is how long a closed session (with its notes) is kept after
	// it closed. Required.
	Sessions Days
	// Callbacks is how long a closed callback request, with its phone
	// number, is kept after it closed. Required.
	Callbacks Days
	// DemandContacts is how long a settled, withdrawn or closed
	// duplicate-demand contact is kept after it closed. Required.
	DemandContacts Days
	// RoutingItems is how long a routing item may stay queued after it was
	// enqueued. Finished items leave the routing store at once; this purges
	// abandoned ones. An offered, accepted or wrapping-up item counts on a
	// professional's load and is never purged. Required.
	RoutingItems Days
	// Appointments is how long an appointment that is no longer active
	// (fulfilled, cancelled, no-show, entered in error, on the waitlist) is
	// kept after the later of its end and its last change. Required.
	Appointments Days
	// WaitEntries is how long a waitlist entry is kept after the later of
	// when it was added and the end of the window it waits in. Required.
	WaitEntries Days
}

// ErrRetention reports a retention policy that cannot be applied.
var ErrRetention = Sentinel(ErrInvalid, "carecontact: invalid retention")

// ErrErasure reports a request to erase a client that cannot be carried
// out (no client, a client reference that is not a bounded ID or reads as a
// phone number or identity code, a client that is a pseudonym already, no
// time).
var ErrErasure = Sentinel(ErrInvalid, "carecontact: invalid erasure")

// maxRetention bounds a retention period: 200 years, longer than any
// Finnish rule keeps a health record (120 years from birth), and within the
// years the stores' calendars and timestamps compute.
const maxRetention Days = 200 * 366

// Validate reports the first field of r that is neither a period of at
// least one day (and at most 200 years) nor KeepForever, as a *FieldError
// matching ErrRetention.
func (r Retention) Validate() error {
	for _, f := range []struct {
		name string
		d    Days
	}{
		{"sessions", r.Sessions}, {"callbacks", r.Callbacks}, {"demandContacts", r.DemandContacts},
		{"routingItems", r.RoutingItems}, {"appointments", r.Appointments}, {"waitEntries", r.WaitEntries},
	} {
		switch {
		case f.d == 0:
			return Invalid(ErrRetention, f.name, "is required: at least one day, or KeepForever")
		case f.d < 0 && f.d != KeepForever:
			return Invalid(ErrRetention, f.name, fmt.Sprintf("%d days", int(f.d)))
		case f.d > maxRetention:
			return Invalid(ErrRetention, f.name, fmt.Sprintf("%d days: at most %d (200 years), or KeepForever", int(f.d), int(maxRetention)))
		}
	}
	return nil
}

// Purged counts, per kind of data, the records a purge or an erasure
// deleted or pseudonymised, and the audit events it pseudonymised.
type Purged struct {
	Sessions       int `json:"sessions"`
	Callbacks      int `json:"callbacks"`
	DemandContacts int `json:"demand_contacts"`
	RoutingItems   int `json:"routing_items"`
	Appointments   int `json:"appointments"`
	WaitEntries    int `json:"wait_entries"`
	AuditEvents    int `json:"audit_events"`
}

// Detail returns the counts as audit event detail.
func (p Purged) Detail() map[string]string {
	return map[string]string{
		"sessions": fmt.Sprint(p.Sessions), "callbacks": fmt.Sprint(p.Callbacks),
		"demand_contacts": fmt.Sprint(p.DemandContacts), "routing_items": fmt.Sprint(p.RoutingItems),
		"appointments": fmt.Sprint(p.Appointments), "wait_entries": fmt.Sprint(p.WaitEntries),
		"audit_events": fmt.Sprint(p.AuditEvents),
	}
}

// Erasure is what erasing one client's data did: the pseudonym that
// replaced the client's reference, and what was changed.
type Erasure struct {
	// Pseudonym replaced the client's reference everywhere; the client's
	// audit trail is found under it.
	Pseudonym ClientRef `json:"pseudonym"`
	// Changed counts the records pseudonymised and the audit events.
	Changed Purged `json:"changed"`
}
