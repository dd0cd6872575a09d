package session_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// TestConcurrentManagers races several managers (as host replicas) over
// one store: notes and checklist marks from many goroutines are all kept,
// and of many professionals taking one waiting session exactly one wins.
func TestConcurrentManagers(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	// Under this much contention a change may meet many conflicts in a
	// row: these managers retry until they win.
	var managers []*session.Manager
	for range 4 {
		m, err := session.New(session.Config{Store: f.store.Share(), Audit: f.log, Clock: f.clk, Teams: teams,
			ConflictRetries: 1000})
		require.NoError(t, err)
		managers = append(managers, m)
	}
	s := f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong, channel.Video, "")

	const workers, each = 12, 8
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := managers[w%len(managers)]
			for i := range each {
				var err error
				if i%2 == 0 {
					_, err = m.AddNote(ctx, nurse1, s.ID, fmt.Sprintf("w%d-%d", w, i))
				} else {
					_, err = m.CompleteChecklistItem(ctx, nurse2, s.ID, fmt.Sprintf("item-%d-%d", w, i))
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	got, err := f.m.Get(ctx, supervisor, s.ID)
	require.NoError(t, err)
	require.Len(t, got.Notes, workers*each/2)
	require.Len(t, got.Checklist, workers*each/2)
	require.Len(t, f.events(t, audit.Filter{Subject: "session/" + s.ID, Action: "session.note"}), workers*each/2,
		"one audit event per kept change, none for retried attempts")

	// Many professionals race to take one waiting session.
	w := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	type result struct {
		who string
		err error
	}
	results := make(chan result, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			who := []string{"nurse-1", "nurse-2"}[i%2]
			_, err := managers[i%len(managers)].Assign(ctx, prof(who), w.ID, carecontact.ProfessionalID(who))
			results <- result{who, err}
		}()
	}
	wg.Wait()
	close(results)
	winners := 0
	var winner string
	for r := range results {
		if r.err == nil {
			winners++
			winner = r.who
			continue
		}
		require.ErrorIs(t, r.err, session.ErrIllegalTransition)
	}
	require.Equal(t, 1, winners)
	got, err = f.m.Get(ctx, supervisor, w.ID)
	require.NoError(t, err)
	require.Equal(t, winner, string(got.Assignee))
}

// conflictStore fails the first n updates with ErrConflict.
type conflictStore struct {
	session.Store
	mu sync.Mutex
	n  int
}

func (c *conflictStore) Update(ctx context.Context, s session.Session, evs []audit.Event) error {
	c.mu.Lock()
	fail := c.n > 0
	c.n--
	c.mu.Unlock()
	if fail {
		return fmt.Errorf("injected: %w", session.ErrConflict)
	}
	return c.Store.Update(ctx, s, evs)
}

func TestConflictRetriesAreBounded(t *testing.T) {
	ctx := context.Background()
	cs := &conflictStore{Store: memory.NewSessionStore(nil), n: 100}
	f := newFixture(t, func(c *session.Config) { c.Store = cs; c.ConflictRetries = 2 })
	s := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	_, err := f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.ErrorIs(t, err, session.ErrConflict)
	cs.mu.Lock()
	cs.n = 2
	cs.mu.Unlock()
	got, err := f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.NoError(t, err, "two conflicts, third attempt wins")
	require.Equal(t, int64(2), got.Version)
	require.False(t, errors.Is(err, session.ErrConflict))
}
