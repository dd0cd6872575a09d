package postgres_test

import (
	"fmt"
	"sync"

	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

func TestAuditRecordSurvivesKilledConnection(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 1, 2)
	log := dbs[0].AuditLog()
	ev := func(i int) audit.Event {
		return audit.Event{
			At:     time.Date(2026, 11, 23, 8, 0, i, 0, time.UTC),
			Actor:  audit.Actor{Kind: audit.ActorProfessional, ID: "staff-1"},
			Action: "session.read", Subject: "session/1", Client: "client-1", Outcome: audit.Allowed,
		}
	}
	err := killMidway(t, dsnOf(dbs[0]), "audit_events", "%INSERT INTO audit_events%", func() error {
		return log.Record(ctx, ev(1), ev(2))
	})
	require.NoError(t, err, "the store retries on a fresh connection")
	all, err := log.Events(ctx, audit.Filter{})
	require.NoError(t, err)
	require.Len(t, all, 2, "written once: not lost, not doubled")
	require.NoError(t, log.Record(ctx, ev(3)), "the store works afterwards")
}

func TestAuditRecordAcrossServerRestart(t *testing.T) {
	ctx := context.Background()
	dbs := openDBs(t, 4, 4)
	const writers, each = 16, 30
	type result struct {
		id  string
		err error
	}
	results := make(chan result, writers*each)
	started := make(chan struct{}, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			log := dbs[w%len(dbs)].AuditLog()
			for i := range each {
				if i == each/3 {
					started <- struct{}{}
				}
				id := fmt.Sprintf("ev-%d-%d", w, i)
				err := log.Record(ctx, audit.Event{
					ID: id, At: time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC),
					Actor:  audit.Actor{Kind: audit.ActorSystem, ID: "writer"},
					Action: "session.read", Subject: "session/" + id, Outcome: audit.Allowed,
				})
				results <- result{id, err}
			}
		}()
	}
	for range writers {
		<-started
	}
	restartServer(t, dsnOf(dbs[0]))
	wg.Wait()
	close(results)

	all, err := dbs[1].AuditLog().Events(ctx, audit.Filter{})
	require.NoError(t, err)
	stored := map[string]int{}
	for _, e := range all {
		stored[e.ID]++
	}
	ok := 0
	for r := range results {
		switch {
		case r.err == nil:
			ok++
			require.Equal(t, 1, stored[r.id], "a recorded event is stored exactly once: %s", r.id)
		default:
			t.Errorf("record %s: unexpected error %v", r.id, r.err)
		}
	}
	for id, n := range stored {
		require.Equal(t, 1, n, "no event doubled: %s", id)
	}
	require.Equal(t, writers*each, ok, "every Record succeeded: retried or resolved")
	require.Len(t, all, ok, "nothing lost, nothing doubled")
	require.NoError(t, dbs[2].AuditLog().Record(ctx, audit.Event{
		At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Actor: audit.Actor{Kind: audit.ActorSystem, ID: "after"},
		Action: "session.read", Subject: "session/after", Outcome: audit.Allowed,
	}), "the store works after the restart")
}
