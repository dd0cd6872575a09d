package storekit_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// PrepareEvents copies, names and stamps events at the kit's precision,
// and refuses the whole batch for one bad event.
func TestPrepareEvents(t *testing.T) {
	at := time.Date(2026, 3, 30, 10, 0, 0, 123456789, time.FixedZone("EEST", 3*3600))
	in := []audit.Event{{At: at, Actor: audit.System("t"), Action: "x.y", Subject: "x/1", Outcome: audit.Allowed,
		Detail: map[string]string{"k": "v"}}}
	for _, tc := range []struct {
		kit  storekit.Kit
		want time.Time
	}{
		{storekit.Kit{Name: "memory"}, at.UTC()},
		{storekit.Kit{Name: "postgres", Precision: time.Microsecond}, at.UTC().Truncate(time.Microsecond)},
	} {
		t.Run(tc.kit.Name, func(t *testing.T) {
			out, err := tc.kit.PrepareEvents(in)
			require.NoError(t, err)
			require.Len(t, out, 1)
			require.Equal(t, tc.want, out[0].At)
			require.NotEmpty(t, out[0].ID)
			out[0].Detail["k"] = "changed"
			require.Equal(t, "v", in[0].Detail["k"], "the caller's Detail is not shared")

			_, err = tc.kit.PrepareEvents(append(in, audit.Event{}))
			require.ErrorIs(t, err, audit.ErrInvalidEvent)
			require.ErrorContains(t, err, tc.kit.Name+": audit event 1")
		})
	}
}

// Each check refuses bad input with its domain's sentinel, of the root kind
// invalid, and lets good input through.
func TestChecks(t *testing.T) {
	k := storekit.Kit{Name: "memory"}
	since := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	record := callback.Record{ID: "r1", Client: "c1", Errand: "lab_results"}
	for _, tc := range []struct {
		name     string
		good     error
		bad      error
		sentinel error
	}{
		{"waiter id", k.WaiterID("w1"), k.WaiterID(""), booking.ErrInvalid},
		{"wait entry", k.WaitEntry(booking.WaitEntry{ID: "w1", Area: "a", Service: "s", Client: "c", Since: since}),
			k.WaitEntry(booking.WaitEntry{ID: "w1"}), booking.ErrInvalid},
		{"callback open", k.CallbackOpen(record), k.CallbackOpen(callback.Record{ID: "r1"}), callback.ErrInvalidRequest},
		{"callback update", k.CallbackUpdate("c1", "lab_results", record), k.CallbackUpdate("c2", "lab_results", record), callback.ErrInvalidRequest},
		{"admission", k.Admission(demand.Contact{ID: "c1", Client: "x"}), k.Admission(demand.Contact{ID: "c1"}), demand.ErrInvalidAdmission},
		{"professional", k.Professional("n-1"), k.Professional(""), routing.ErrInvalid},
		{"presence", k.Presence(routing.PresenceAvailable), k.Presence(routing.PresenceWrapUp), routing.ErrInvalid},
		{"new item", k.NewItem(routing.Item{ID: "i1", State: routing.ItemQueued}), k.NewItem(routing.Item{ID: "i1", State: 99}), routing.ErrInvalid},
		{"new session", k.NewSession(session.Session{ID: "s1"}), k.NewSession(session.Session{}), session.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NoError(t, tc.good)
			require.ErrorIs(t, tc.bad, tc.sentinel)
			require.ErrorIs(t, tc.bad, carecontact.ErrInvalid)
		})
	}
	_, err := k.GuidanceSave(context.Background(), guidance.Record{}, nil)
	require.ErrorIs(t, err, guidance.ErrInvalid)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = k.GuidanceSave(ctx, guidance.Record{Subject: "g"}, nil)
	require.ErrorIs(t, err, context.Canceled)
}

// The errors of routing.Store.Apply that both adapters give: a stale
// version, a professional without room and a count that would go
// negative.
func TestApplyErrors(t *testing.T) {
	k := storekit.Kit{Name: "memory"}
	require.NoError(t, k.ItemVersion("i1", 3, 3))
	err := k.ItemVersion("i1", 4, 3)
	require.ErrorIs(t, err, routing.ErrConflict)
	require.ErrorContains(t, err, "item i1 is at version 4, not 3")

	full := routing.ProfessionalState{
		Presence: routing.PresenceAvailable,
		Capacity: routing.Capacity{Synchronous: 1},
		Load:     routing.Capacity{Synchronous: 1},
	}
	take := routing.Change{Professional: "n-1", Slot: routing.SlotSynchronous, Load: 1}
	err = k.Capacity(&take, &full)
	require.ErrorIs(t, err, routing.ErrNoCapacity)
	require.ErrorContains(t, err, "n-1 is busy with 1/1 synchronous")
	release := take
	release.Load = -1
	require.NoError(t, k.Capacity(&release, &full), "a change that adds no load always fits")
	free := full
	free.Load = routing.Capacity{}
	require.NoError(t, k.Capacity(&take, &free))

	err = k.NegativeCount("n-1")
	require.ErrorIs(t, err, routing.ErrConflict)
	require.ErrorContains(t, err, "professional n-1")
}

// An erasure request names a bounded pseudonymous reference: a mebibyte,
// a NUL or an identity code as the client was taken for a client to erase.
func TestEraseRequestRefusesBadClients(t *testing.T) {
	k := storekit.Kit{Name: "memory"}
	at := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	sys := audit.System("test")
	for _, c := range []carecontact.ClientRef{"", carecontact.ClientRef(strings.Repeat("c", 1<<20)), "c\x00", "131052-308T", "040 123 4567"} {
		_, err := k.EraseRequest(sys, c, at)
		require.ErrorIs(t, err, carecontact.ErrErasure)
		var fe *carecontact.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "client", fe.Field)
		require.Less(t, len(err.Error()), 200)
		require.NotContains(t, err.Error(), "308T")
	}
	p, err := k.EraseRequest(sys, "client-7", at)
	require.NoError(t, err)
	require.True(t, audit.IsPseudonym(p))
}
