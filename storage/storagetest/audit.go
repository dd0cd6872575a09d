package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
)

func auditEvent(i int) audit.Event {
	return audit.Event{
		At:      time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second),
		Actor:   audit.Actor{Kind: audit.ActorProfessional, ID: fmt.Sprintf("staff-%d", i%3)},
		Action:  "session.read",
		Subject: fmt.Sprintf("session/%d", i),
		Client:  carecontact.ClientRef(fmt.Sprintf("client-%d", i%5)),
		Outcome: audit.Allowed,
		Detail:  map[string]string{"i": fmt.Sprint(i)},
	}
}

func runAudit(t *testing.T, h Harness) {
	ctx := context.Background()
	t.Run("record and filter", func(t *testing.T) {
		logs := h.Audit(t, 1)
		require.Len(t, logs, 1)
		l := logs[0]
		for i := range 10 {
			require.NoError(t, l.Record(ctx, auditEvent(i)))
		}
		all, err := l.Events(ctx, audit.Filter{})
		require.NoError(t, err)
		require.Len(t, all, 10)
		for i, e := range all {
			require.NotEmpty(t, e.ID)
			require.Equal(t, time.UTC, e.At.Location())
			require.Equal(t, fmt.Sprint(i), e.Detail["i"], "events come back in recorded order")
		}
		byClient, err := l.Events(ctx, audit.Filter{Client: "client-1"})
		require.NoError(t, err)
		require.Len(t, byClient, 2)
		limited, err := l.Events(ctx, audit.Filter{ActorID: "staff-0", Limit: 2})
		require.NoError(t, err)
		require.Len(t, limited, 2)
		window, err := l.Events(ctx, audit.Filter{Since: auditEvent(3).At, Until: auditEvent(6).At})
		require.NoError(t, err)
		require.Len(t, window, 3)
	})
	t.Run("invalid events are refused whole", func(t *testing.T) {
		l := h.Audit(t, 1)[0]
		bad := auditEvent(1)
		bad.Detail = map[string]string{"phone": "+358401234567"}
		err := l.Record(ctx, auditEvent(0), bad)
		require.ErrorIs(t, err, audit.ErrInvalidEvent)
		require.NotContains(t, err.Error(), "401234567")
		all, err := l.Events(ctx, audit.Filter{})
		require.NoError(t, err)
		require.Empty(t, all, "nothing half-written")
	})
	t.Run("concurrent writers over shared state", func(t *testing.T) {
		logs := h.Audit(t, 4)
		require.Len(t, logs, 4)
		const writers, each = 16, 25
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := auditEvent(w*each + i)
					if err := logs[w%len(logs)].Record(ctx, e); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, l := range logs {
			all, err := l.Events(ctx, audit.Filter{})
			require.NoError(t, err)
			require.Len(t, all, writers*each, "every value sees every event")
			seen := map[string]bool{}
			for _, e := range all {
				require.False(t, seen[e.ID], "event IDs are unique")
				seen[e.ID] = true
			}
		}
	})
	t.Run("chain verifies under concurrent writers", func(t *testing.T) {
		logs := h.Audit(t, 3)
		const writers, each = 6, 20
		var wg sync.WaitGroup
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					e := auditEvent(w*each + i)
					e.Subject = fmt.Sprintf("session/%d", i%3) // writers share subjects
					if err := logs[w%len(logs)].Record(ctx, e); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		for _, l := range logs {
			v, err := verifierOf(t, l).Verify(ctx)
			require.NoError(t, err)
			require.Nil(t, v.Broken)
			require.Equal(t, writers*each, v.Events)
			require.Equal(t, 3, v.Streams)
		}
	})
	for _, tc := range []struct {
		how     Tampering
		wantSeq int64
	}{
		{TamperEdit, 2},
		{TamperDelete, 2},
		{TamperDeleteLast, 4},
		{TamperReorder, 1},
		{TamperClient, 1},
	} {
		t.Run("tampering detected: "+string(tc.how), func(t *testing.T) {
			l := h.Audit(t, 1)[0]
			for i := range 8 {
				e := auditEvent(i)
				e.Subject = fmt.Sprintf("appointment/%d", i%2)
				require.NoError(t, l.Record(ctx, e))
			}
			v, err := verifierOf(t, l).Verify(ctx)
			require.NoError(t, err)
			require.Nil(t, v.Broken, "the untouched trail verifies")
			h.Tamper(t, l, tc.how, "appointment/1")
			v, err = verifierOf(t, l).Verify(ctx)
			require.NoError(t, err)
			require.NotNil(t, v.Broken, "tampering by %s is detected", tc.how)
			require.Equal(t, "appointment/1", v.Broken.Stream)
			require.Equal(t, tc.wantSeq, v.Broken.Seq, v.Broken.Problem)
			require.ErrorIs(t, v.Broken, audit.ErrTampered)
			require.ErrorIs(t, v.Broken, carecontact.ErrConflict)
		})
	}
}

// verifierOf is the audit.Verifier every adapter's log is.
func verifierOf(t *testing.T, l audit.Log) audit.Verifier {
	v, ok := l.(audit.Verifier)
	require.True(t, ok, "storagetest: the audit log implements audit.Verifier")
	return v
}
