package memory_test

import (
	"context"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// A client asks to be forgotten: their reference is replaced with its
// pseudonym everywhere, the audit trail keeps their history under the
// pseudonym and still verifies, and a purge later removes what is past
// its retention.
func ExampleDB_EraseClient() {
	ctx := context.Background()
	db := memory.New()
	opened := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	s := session.Session{ID: "s1", Client: "client-7f3a", State: session.StateClosed, OpenedAt: opened, ClosedAt: opened.Add(time.Hour)}
	_ = db.SessionStore().Create(ctx, s, []audit.Event{{At: opened, Actor: audit.Actor{Kind: audit.ActorClient, ID: "client-7f3a"},
		Action: "session.open", Subject: "session/s1", Client: "client-7f3a", Outcome: audit.Allowed}})

	er, err := db.EraseClient(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "dpo-1"}, "client-7f3a", opened.Add(24*time.Hour))
	if err != nil {
		fmt.Println(err)
		return
	}
	old, _ := db.AuditLog().Events(ctx, audit.Filter{Client: "client-7f3a"})
	kept, _ := db.AuditLog().Events(ctx, audit.Filter{Client: er.Pseudonym})
	v, _ := db.AuditLog().Verify(ctx)
	fmt.Println("sessions pseudonymised:", er.Changed.Sessions)
	fmt.Println("events by the old reference:", len(old))
	fmt.Println("events under the pseudonym:", len(kept), kept[0].Action, kept[1].Action)
	fmt.Println("trail verifies:", v.Broken == nil)

	days := carecontact.Days(30)
	n, _ := db.Purge(ctx, opened.AddDate(0, 2, 0), carecontact.Retention{Sessions: days, Callbacks: days,
		DemandContacts: days, RoutingItems: days, Appointments: days, WaitEntries: days})
	fmt.Println("sessions purged:", n.Sessions)
	// Output:
	// sessions pseudonymised: 1
	// events by the old reference: 0
	// events under the pseudonym: 2 session.open storage.erase
	// trail verifies: true
	// sessions purged: 1
}
