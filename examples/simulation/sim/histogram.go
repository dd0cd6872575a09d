package sim

import (
	"math/bits"
	"time"
)

// Histogram records non-negative durations in fixed log-linear buckets
// (64 sub-buckets per power of two, so a relative error of at most 1/64,
// about 1.6 %) and answers quantiles. Its memory is fixed (about 30 KB)
// whatever the number of values, so percentiles of ten million waits cost
// no more than of ten.
type Histogram struct {
	counts   []int64
	n        int64
	min, max time.Duration
}

const (
	histSubBits = 6
	histSub     = 1 << histSubBits // 64
	histBuckets = 2*histSub + (63-histSubBits)*histSub
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{counts: make([]int64, histBuckets)}
}

func histIndex(v int64) int {
	if v < 2*histSub {
		return int(v)
	}
	s := bits.Len64(uint64(v)) - (histSubBits + 1)
	return 2*histSub + (s-1)*histSub + int(v>>s) - histSub
}

// histLow returns the smallest value in bucket i and the bucket's width.
func histLow(i int) (int64, int64) {
	if i < 2*histSub {
		return int64(i), 1
	}
	j := i - 2*histSub
	s := j/histSub + 1
	return int64(j%histSub+histSub) << s, int64(1) << s
}

// Add records d (negative values count as zero).
func (h *Histogram) Add(d time.Duration) {
	d = max(d, 0)
	if h.n == 0 || d < h.min {
		h.min = d
	}
	if d > h.max {
		h.max = d
	}
	h.n++
	h.counts[histIndex(int64(d))]++
}

// Count returns the number of values recorded.
func (h *Histogram) Count() int64 { return h.n }

// Merge adds all values of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.n == 0 {
		return
	}
	if h.n == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.n += o.n
	for i, c := range o.counts {
		h.counts[i] += c
	}
}

// Quantile returns the q-quantile (0 <= q <= 1) of the recorded values: the
// middle of the bucket holding it, clamped to the observed minimum and
// maximum; q <= 0 gives the minimum and q >= 1 the maximum exactly. It returns 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	if q <= 0 {
		return h.min
	}
	if q >= 1 {
		return h.max
	}
	rank := int64(q*float64(h.n-1)) + 1
	var cum int64
	for i, c := range h.counts {
		cum += c
		if cum >= rank {
			lo, w := histLow(i)
			v := time.Duration(lo + w/2)
			return min(max(v, h.min), h.max)
		}
	}
	return h.max
}
