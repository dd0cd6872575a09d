package routing

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

type hnode struct{ v, idx int }

func newTestHeap() *iheap[*hnode] {
	return &iheap[*hnode]{
		less: func(a, b *hnode) bool { return a.v < b.v },
		set:  func(x *hnode, i int) { x.idx = i },
	}
}

// TestHeapRandomOperations checks the indexed heap against a sorted slice
// under random pushes, removals and re-orderings.
func TestHeapRandomOperations(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	h := newTestHeap()
	var live []*hnode
	for step := range 5000 {
		switch op := r.IntN(4); {
		case op < 2 || len(live) == 0:
			n := &hnode{v: r.IntN(1000)}
			h.push(n)
			live = append(live, n)
		case op == 2:
			k := r.IntN(len(live))
			h.remove(live[k].idx)
			require.Equal(t, -1, live[k].idx)
			live = slices.Delete(live, k, k+1)
		default:
			k := r.IntN(len(live))
			live[k].v = r.IntN(1000)
			h.fix(live[k].idx)
		}
		require.Equal(t, len(live), h.len())
		if step%50 != 0 {
			continue
		}
		for i, n := range h.a {
			if n.idx != i || (i > 0 && h.less(n, h.a[(i-1)/arity])) {
				t.Fatalf("step %d: element %d has index %d or breaks the heap order", step, i, n.idx)
			}
		}
		if len(live) > 0 {
			minV := slices.MinFunc(live, func(a, b *hnode) int { return a.v - b.v }).v
			require.Equal(t, minV, h.a[0].v)
		}
	}
}

// TestHeapBest checks that best finds the least element passing a filter
// among the first bestLimit in order, and gives up beyond.
func TestHeapBest(t *testing.T) {
	h := newTestHeap()
	for _, v := range rand.New(rand.NewPCG(3, 4)).Perm(100) {
		h.push(&hnode{v: v})
	}
	for _, tc := range []struct{ skipBelow, want int }{{0, 0}, {1, 1}, {7, 7}, {bestLimit - 1, bestLimit - 1}, {bestLimit, -1}, {100, -1}} {
		i := h.best(func(n *hnode) bool { return n.v >= tc.skipBelow })
		if tc.want < 0 {
			require.Equal(t, -1, i, "skip below %d", tc.skipBelow)
			continue
		}
		require.GreaterOrEqual(t, i, 0)
		require.Equal(t, tc.want, h.a[i].v, "skip below %d", tc.skipBelow)
	}
	require.Equal(t, -1, newTestHeap().best(func(*hnode) bool { return true }))
}
