package routing

// arity is the heaps' branching factor: four children per node make the
// heaps shallower and friendlier to the cache than binary ones.
const arity = 4

// iheap is an indexed 4-ary min-heap: every element knows its index (set
// tells it), so it can be removed or re-ordered in O(log n).
type iheap[T comparable] struct {
	a    []T
	less func(a, b T) bool
	set  func(x T, i int)
}

func (h *iheap[T]) len() int { return len(h.a) }

func (h *iheap[T]) push(x T) {
	h.a = append(h.a, x)
	i := len(h.a) - 1
	h.set(x, i)
	h.up(i)
}

// remove takes out the element at index i and marks it as out (-1).
func (h *iheap[T]) remove(i int) {
	var zero T
	n := len(h.a) - 1
	x := h.a[i]
	if i != n {
		h.swap(i, n)
	}
	h.a[n] = zero
	h.a = h.a[:n]
	if i != n {
		h.fix(i)
	}
	h.set(x, -1)
}

// fix restores the order after the element at index i changed.
func (h *iheap[T]) fix(i int) {
	if !h.down(i) {
		h.up(i)
	}
}

func (h *iheap[T]) swap(i, j int) {
	h.a[i], h.a[j] = h.a[j], h.a[i]
	h.set(h.a[i], i)
	h.set(h.a[j], j)
}

func (h *iheap[T]) up(j int) {
	for j > 0 {
		i := (j - 1) / arity
		if !h.less(h.a[j], h.a[i]) {
			break
		}
		h.swap(i, j)
		j = i
	}
}

func (h *iheap[T]) down(i0 int) bool {
	i, n := i0, len(h.a)
	for {
		l := arity*i + 1
		if l >= n {
			break
		}
		j := l
		for r := l + 1; r < l+arity && r < n; r++ {
			if h.less(h.a[r], h.a[j]) {
				j = r
			}
		}
		if !h.less(h.a[j], h.a[i]) {
			break
		}
		h.swap(i, j)
		i = j
	}
	return i > i0
}

// bestLimit bounds the search of best: items a caller must skip (declined
// by the professional, or professionals who declined the item) are rare, so
// looking past more than this many is not worth the time.
const bestLimit = 16

// best returns the index of the least element for which ok holds, looking at
// no more than bestLimit elements in order, or -1. The head is checked
// first without any bookkeeping.
func (h *iheap[T]) best(ok func(T) bool) int {
	if len(h.a) == 0 {
		return -1
	}
	if ok(h.a[0]) {
		return 0
	}
	// Best-first walk of the tree: the frontier holds the children of the
	// elements looked at so far; the least of them is the next in order.
	var buf [arity*bestLimit + arity]int
	frontier := buf[:0]
	for c := 1; c <= arity; c++ {
		frontier = append(frontier, c)
	}
	for seen := 1; seen < bestLimit; seen++ {
		m := -1
		for k, i := range frontier {
			if i < len(h.a) && (m < 0 || h.less(h.a[i], h.a[frontier[m]])) {
				m = k
			}
		}
		if m < 0 {
			return -1
		}
		i := frontier[m]
		if ok(h.a[i]) {
			return i
		}
		frontier[m] = frontier[len(frontier)-1]
		frontier = frontier[:len(frontier)-1]
		for c := arity*i + 1; c <= arity*i+arity; c++ {
			frontier = append(frontier, c)
		}
	}
	return -1
}
