package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// Every store of a DB writes its change events to the DB's one audit log,
// and so does every store of a Share.
func TestDBSharesOneAuditLog(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	event := func(action string) []audit.Event {
		return []audit.Event{{At: at, Actor: audit.System("test"), Action: action, Subject: "x/1", Outcome: audit.Allowed}}
	}
	for _, tc := range []struct {
		action string
		change func(db *memory.DB) error
	}{
		{"routing.create", func(db *memory.DB) error {
			_, err := db.RoutingStore().CreateItem(ctx, routing.Item{ID: "i1", State: routing.ItemQueued}, event("routing.create"))
			return err
		}},
		{"booking.wait", func(db *memory.DB) error {
			return db.BookingStore().AddWaiter(ctx, booking.WaitEntry{ID: "w1", Area: "a", Service: "s", Client: "c", Since: at}, event("booking.wait"))
		}},
		{"callback.open", func(db *memory.DB) error {
			_, _, err := db.CallbackStore().OpenOrJoin(ctx, callback.Record{ID: "r1", Client: "c", Errand: channel.ErrandLabResults},
				audit.System("test"), at)
			return err
		}},
		{"session.create", func(db *memory.DB) error {
			return db.SessionStore().Create(ctx, session.Session{ID: "s1", Version: 1}, event("session.create"))
		}},
		{"channel.admit", func(db *memory.DB) error {
			_, _, err := db.DemandStore().Admit(ctx, demand.Contact{ID: "c1", Client: "c", Errand: channel.ErrandLabResults, Kind: channel.Chat, OpenedAt: at},
				demand.PolicyMerge, func(demand.Contact, *demand.Contact) []audit.Event { return event("channel.admit") })
			return err
		}},
		{"guidance.save", func(db *memory.DB) error {
			_, err := db.GuidanceStore().Save(ctx, guidance.Record{Subject: "g1"}, event("guidance.save"))
			return err
		}},
	} {
		for _, shared := range []bool{false, true} {
			t.Run(tc.action, func(t *testing.T) {
				db := memory.New()
				writer := db
				if shared {
					writer = db.Share()
				}
				require.NoError(t, tc.change(writer))
				evs, err := db.AuditLog().Events(ctx, audit.Filter{})
				require.NoError(t, err)
				require.Len(t, evs, 1)
				require.Equal(t, tc.action, evs[0].Action)
				require.Same(t, db.AuditLog(), writer.AuditLog())
			})
		}
	}
}
