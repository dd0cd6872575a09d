package storagetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/demand"
)

var demandT0 = time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)

func demandContact(id string, client carecontact.ClientRef, e channel.Errand, k channel.Kind, minute int) demand.Contact {
	return demand.Contact{ID: id, Client: client, Errand: e, Kind: k,
		OpenedAt: demandT0.Add(time.Duration(minute) * time.Minute), State: demand.ContactPending}
}

func demandEvents(action string) demand.AdmitEventsFunc {
	return func(stored demand.Contact, existing *demand.Contact) []audit.Event {
		d := map[string]string{"state": string(stored.State)}
		if existing != nil {
			d["duplicate_of"] = existing.ID
		}
		return []audit.Event{{At: stored.OpenedAt, Actor: audit.System("test"), Action: action,
			Subject: "contact/" + stored.ID, Client: stored.Client, Outcome: audit.Allowed, Detail: d}}
	}
}

func runDemand(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("admit without duplicate", func(t *testing.T) {
		s := h.Demand(t, 1)[0]
		stored, existing, err := s.Admit(ctx, demandContact("c1", "client-a", channel.ErrandLabResults, channel.Chat, 0), demand.PolicyMerge, demandEvents("channel.admit"))
		require.NoError(t, err)
		require.Nil(t, existing)
		require.Equal(t, demand.ContactPending, stored.State)
		got, err := s.Get(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, stored.ID, got.ID)
		require.True(t, got.OpenedAt.Equal(demandT0))
		_, _, err = s.Admit(ctx, demandContact("c1", "client-b", channel.ErrandLabResults, channel.Chat, 1), demand.PolicyMerge, nil)
		require.ErrorIs(t, err, demand.ErrContactExists)
		_, err = s.Get(ctx, "nope")
		require.ErrorIs(t, err, demand.ErrContactNotFound)
	})
	policies := []struct {
		policy demand.Policy
		state  demand.ContactState
	}{
		{demand.PolicyMerge, demand.ContactMerged},
		{demand.PolicyKeepBoth, demand.ContactPending},
		{demand.PolicyRedirect, demand.ContactRedirected},
	}
	for _, tc := range policies {
		t.Run("duplicate across chat and callback: "+string(tc.policy), func(t *testing.T) {
			stores := h.Demand(t, 2)
			_, _, err := stores[0].Admit(ctx, demandContact("chat-1", "client-a", channel.ErrandInfectionSymptoms, channel.Chat, 0), tc.policy, nil)
			require.NoError(t, err)
			// another errand of the same client is not a duplicate
			_, ex, err := stores[0].Admit(ctx, demandContact("msg-1", "client-a", channel.ErrandPrescriptionRenewal, channel.SecureMessage, 1), tc.policy, nil)
			require.NoError(t, err)
			require.Nil(t, ex)
			stored, existing, err := stores[1].Admit(ctx, demandContact("cb-1", "client-a", channel.ErrandInfectionSymptoms, channel.Callback, 2), tc.policy, nil)
			require.NoError(t, err)
			require.NotNil(t, existing)
			require.Equal(t, "chat-1", existing.ID)
			require.Equal(t, 1, existing.Duplicates)
			require.Equal(t, tc.state, stored.State)
			require.Equal(t, "chat-1", stored.LinkedTo)
			require.Equal(t, tc.policy, stored.Policy)
			earlier, err := stores[0].Get(ctx, "chat-1")
			require.NoError(t, err)
			require.Equal(t, 1, earlier.Duplicates)
			pending, err := stores[0].Pending(ctx, "client-a")
			require.NoError(t, err)
			wantPending := 2
			if tc.policy == demand.PolicyKeepBoth {
				wantPending = 3
			}
			require.Len(t, pending, wantPending)
			require.Equal(t, "chat-1", pending[0].ID, "oldest first")
			stats, err := stores[1].Stats(ctx, demandT0, demandT0.Add(time.Hour))
			require.NoError(t, err)
			require.Equal(t, 3, stats.Admitted)
			require.Equal(t, 1, stats.Duplicates)
			require.InDelta(t, 1.0/3, stats.DuplicateRate(), 1e-9)
		})
	}
	t.Run("settling withdraws the client's other pending contacts", func(t *testing.T) {
		s := h.Demand(t, 1)[0]
		for i, c := range []demand.Contact{
			demandContact("chat-1", "client-a", channel.ErrandInfectionSymptoms, channel.Chat, 0),
			demandContact("cb-1", "client-a", channel.ErrandInfectionSymptoms, channel.Callback, 1),
			demandContact("cb-2", "client-a", channel.ErrandLabResults, channel.Callback, 2),
			demandContact("cb-3", "client-b", channel.ErrandInfectionSymptoms, channel.Callback, 3),
		} {
			_, _, err := s.Admit(ctx, c, demand.PolicyKeepBoth, nil)
			require.NoError(t, err, i)
		}
		var seen []string
		settled, withdrawn, err := s.Settle(ctx, "chat-1", demandT0.Add(time.Hour), func(st demand.Contact, w []demand.Contact) []audit.Event {
			for _, c := range w {
				seen = append(seen, c.ID)
			}
			return []audit.Event{{At: demandT0.Add(time.Hour), Actor: audit.System("test"), Action: "channel.settle",
				Subject: "contact/" + st.ID, Client: st.Client, Outcome: audit.Allowed}}
		})
		require.NoError(t, err)
		require.Equal(t, demand.ContactSettled, settled.State)
		require.Len(t, withdrawn, 1)
		require.Equal(t, "cb-1", withdrawn[0].ID)
		require.Equal(t, demand.ContactWithdrawn, withdrawn[0].State)
		require.Equal(t, []string{"cb-1"}, seen)
		for id, want := range map[string]demand.ContactState{"cb-1": demand.ContactWithdrawn, "cb-2": demand.ContactPending, "cb-3": demand.ContactPending} {
			c, err := s.Get(ctx, id)
			require.NoError(t, err)
			require.Equal(t, want, c.State, id)
		}
		_, _, err = s.Settle(ctx, "cb-1", demandT0.Add(2*time.Hour), nil)
		require.ErrorIs(t, err, demand.ErrContactClosed)
		_, _, err = s.Settle(ctx, "nope", demandT0, nil)
		require.ErrorIs(t, err, demand.ErrContactNotFound)
		stats, err := s.Stats(ctx, demandT0, demandT0.Add(time.Hour))
		require.NoError(t, err)
		require.Equal(t, demand.Stats{Admitted: 4, Duplicates: 1, KeptBoth: 1, Settled: 1, Withdrawn: 1}, stats)
	})
	t.Run("close ends one contact only", func(t *testing.T) {
		s := h.Demand(t, 1)[0]
		_, _, err := s.Admit(ctx, demandContact("a", "client-a", channel.ErrandOther, channel.Chat, 0), demand.PolicyKeepBoth, nil)
		require.NoError(t, err)
		_, _, err = s.Admit(ctx, demandContact("b", "client-a", channel.ErrandOther, channel.Callback, 1), demand.PolicyKeepBoth, nil)
		require.NoError(t, err)
		c, err := s.Close(ctx, "a", demandT0.Add(time.Minute), nil)
		require.NoError(t, err)
		require.Equal(t, demand.ContactClosed, c.State)
		_, err = s.Close(ctx, "a", demandT0.Add(time.Minute), nil)
		require.ErrorIs(t, err, demand.ErrContactClosed)
		_, err = s.Close(ctx, "zz", demandT0, nil)
		require.ErrorIs(t, err, demand.ErrContactNotFound)
		b, err := s.Get(ctx, "b")
		require.NoError(t, err)
		require.True(t, b.Open())
	})
	t.Run("audit events are written with the change, a bad event fails it whole", func(t *testing.T) {
		s := h.Demand(t, 1)[0]
		_, _, err := s.Admit(ctx, demandContact("ok", "client-a", channel.ErrandOther, channel.Chat, 0), demand.PolicyMerge, demandEvents("channel.admit"))
		require.NoError(t, err)
		bad := func(stored demand.Contact, _ *demand.Contact) []audit.Event {
			return []audit.Event{{At: stored.OpenedAt, Actor: audit.System("test"), Action: "channel.admit",
				Subject: "contact/" + stored.ID, Outcome: audit.Allowed, Detail: map[string]string{"phone": "+358 40 1234567"}}}
		}
		_, _, err = s.Admit(ctx, demandContact("bad", "client-a", channel.ErrandLabResults, channel.Chat, 1), demand.PolicyMerge, bad)
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		_, err = s.Get(ctx, "bad")
		require.ErrorIs(t, err, demand.ErrContactNotFound, "nothing half-written")
	})
	t.Run("concurrent admissions of one client see each other", func(t *testing.T) {
		stores := h.Demand(t, 4)
		const n = 24
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k := []channel.Kind{channel.Chat, channel.Callback, channel.InboundPhone}[i%3]
				_, _, err := stores[i%len(stores)].Admit(ctx, demandContact(fmt.Sprintf("c%02d", i), "client-a", channel.ErrandMentalHealth, k, 0), demand.PolicyMerge, demandEvents("channel.admit"))
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		pending, err := stores[0].Pending(ctx, "client-a")
		require.NoError(t, err)
		require.Len(t, pending, 1, "exactly one contact stays pending; the rest merged into it")
		require.Equal(t, n-1, pending[0].Duplicates)
		stats, err := stores[3].Stats(ctx, demandT0, demandT0.Add(time.Minute))
		require.NoError(t, err)
		require.Equal(t, n, stats.Admitted)
		require.Equal(t, n-1, stats.Merged)
	})
	t.Run("concurrent settlements withdraw each contact once", func(t *testing.T) {
		stores := h.Demand(t, 4)
		const n = 16
		for i := range n {
			_, _, err := stores[0].Admit(ctx, demandContact(fmt.Sprintf("k%02d", i), "client-a", channel.ErrandCertificate, channel.Callback, i), demand.PolicyKeepBoth, nil)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		settledOK, withdrawnTotal := 0, 0
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, w, err := stores[i%len(stores)].Settle(ctx, fmt.Sprintf("k%02d", i), demandT0.Add(time.Hour), nil)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					settledOK++
					withdrawnTotal += len(w)
				} else if !errorIs(err, demand.ErrContactClosed) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 1, settledOK, "one settlement wins")
		require.Equal(t, n-1, withdrawnTotal)
	})
}

func errorIs(err, target error) bool { return errors.Is(err, target) }
