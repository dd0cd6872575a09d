package guidance_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/storage/memory"
)

// conflictingStore loses the first n compare-and-sets, as if another
// replica had changed the subject each time.
type conflictingStore struct {
	*memory.GuidanceStore
	n atomic.Int32
}

func (s *conflictingStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	if s.n.Add(-1) >= 0 {
		return 0, guidance.ErrConflict
	}
	return s.GuidanceStore.Save(ctx, rec, events)
}

func TestChangesRetryLostCompareAndSet(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		losses int32
		ok     bool
	}{{0, true}, {3, true}, {7, true}, {8, false}, {50, false}} {
		log := memory.NewAuditLog()
		store := &conflictingStore{GuidanceStore: memory.NewGuidanceStore(log)}
		store.n.Store(tc.losses)
		f := newFixture(t)
		g, err := guidance.New(guidance.Config{Store: store, Audit: log, Roles: grants, Clock: f.clock})
		require.NoError(t, err)
		_, err = g.Draft(ctx, editor, northCallback("Soitamme {callback_window}."), "")
		recs, lerr := store.List(ctx)
		require.NoError(t, lerr)
		events, lerr := log.Events(ctx, audit.Filter{})
		require.NoError(t, lerr)
		if tc.ok {
			require.NoError(t, err, "%d lost compare-and-sets", tc.losses)
			require.Len(t, recs, 1)
			require.Len(t, events, 1)
			continue
		}
		require.ErrorIs(t, err, guidance.ErrConflict, "%d lost compare-and-sets", tc.losses)
		require.Empty(t, recs)
		require.Empty(t, events)
	}
}
