package sim

import (
	"math"
)

// Welford accumulates the count, mean and variance of a stream of values in
// constant memory (Welford's online algorithm).
type Welford struct {
	n    int64
	mean float64
	m2   float64
}

// Add records x.
func (w *Welford) Add(x float64) {
	w.n++
	d := x - w.mean
	w.mean += d / float64(w.n)
	w.m2 += d * (x - w.mean)
}

// Count returns the number of values recorded.
func (w *Welford) Count() int64 { return w.n }

// Mean returns the mean (0 for no values).
func (w *Welford) Mean() float64 { return w.mean }

// Var returns the sample variance (0 for fewer than two values).
func (w *Welford) Var() float64 {
	if w.n < 2 {
		return 0
	}
	return w.m2 / float64(w.n-1)
}

// CI is a confidence interval: Mean ± HalfWidth at the given Level.
type CI struct {
	Mean      float64 `json:"mean"`
	HalfWidth float64 `json:"half_width"`
	Low       float64 `json:"low"`
	High      float64 `json:"high"`
	Level     float64 `json:"level"`
	N         int     `json:"n"`
}

// Contains reports whether x lies inside the interval.
func (c CI) Contains(x float64) bool { return x >= c.Low && x <= c.High }

// MeanCI returns the Student-t confidence interval at level (e.g. 0.95) for
// the mean of independent observations xs: replication results or batch
// means. With fewer than two observations the half-width is +Inf.
func MeanCI(xs []float64, level float64) CI {
	var w Welford
	for _, x := range xs {
		w.Add(x)
	}
	ci := CI{Mean: w.Mean(), Level: level, N: len(xs), HalfWidth: math.Inf(1)}
	if len(xs) >= 2 {
		ci.HalfWidth = StudentTQuantile(0.5+level/2, float64(len(xs)-1)) * math.Sqrt(w.Var()/float64(len(xs)))
	}
	ci.Low, ci.High = ci.Mean-ci.HalfWidth, ci.Mean+ci.HalfWidth
	return ci
}

// Batches implements the method of batch means for one long run: the run's
// observations are split into a fixed number of consecutive batches (by
// arrival order), each batch's mean is treated as one roughly independent
// observation, and the confidence interval comes from the batch means.
// Memory is two numbers per batch, whatever the run length.
type Batches struct {
	sum   []float64
	count []float64
}

// NewBatches returns an accumulator of n batches (n >= 2).
func NewBatches(n int) *Batches {
	n = max(n, 2)
	return &Batches{sum: make([]float64, n), count: make([]float64, n)}
}

// Len returns the number of batches.
func (b *Batches) Len() int { return len(b.sum) }

// Add records observation x in batch i (0 <= i < Len; out-of-range indices
// are clamped).
func (b *Batches) Add(i int, x float64) {
	i = min(max(i, 0), len(b.sum)-1)
	b.sum[i] += x
	b.count[i]++
}

// AddRatio records a numerator and denominator in batch i, for ratio
// estimators such as "mean wait of answered clients" where the denominator
// is itself random.
func (b *Batches) AddRatio(i int, num, den float64) {
	i = min(max(i, 0), len(b.sum)-1)
	b.sum[i] += num
	b.count[i] += den
}

// Mean returns the overall mean: total sum over total count.
func (b *Batches) Mean() float64 {
	var s, c float64
	for i := range b.sum {
		s += b.sum[i]
		c += b.count[i]
	}
	if c == 0 {
		return 0
	}
	return s / c
}

// CI returns the batch-means confidence interval at level, centred on the
// overall mean. Empty batches are left out.
func (b *Batches) CI(level float64) CI {
	means := make([]float64, 0, len(b.sum))
	for i := range b.sum {
		if b.count[i] > 0 {
			means = append(means, b.sum[i]/b.count[i])
		}
	}
	ci := MeanCI(means, level)
	ci.Mean = b.Mean()
	ci.Low, ci.High = ci.Mean-ci.HalfWidth, ci.Mean+ci.HalfWidth
	return ci
}

// StudentTQuantile returns the p-quantile (0 < p < 1) of Student's t
// distribution with df degrees of freedom, by bisection on its distribution
// function (accurate to about 1e-10).
func StudentTQuantile(p, df float64) float64 {
	if p <= 0 {
		return math.Inf(-1)
	}
	if p >= 1 {
		return math.Inf(1)
	}
	if p < 0.5 {
		return -StudentTQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for studentTCDF(hi, df) < p {
		hi *= 2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if studentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-12*max(1, hi) {
			break
		}
	}
	return (lo + hi) / 2
}

func studentTCDF(t, df float64) float64 {
	x := df / (df + t*t)
	tail := 0.5 * BetaInc(df/2, 0.5, x)
	if t >= 0 {
		return 1 - tail
	}
	return tail
}

// BetaInc returns the regularized incomplete beta function I_x(a, b) for
// a, b > 0 and 0 <= x <= 1, by the continued fraction (modified Lentz), with
// the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where that converges faster.
// It returns NaN for arguments out of range.
func BetaInc(a, b, x float64) float64 {
	switch {
	case a <= 0 || b <= 0 || x < 0 || x > 1 || math.IsNaN(x):
		return math.NaN()
	case x == 0:
		return 0
	case x == 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const eps = 1e-16
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, nonzero(1-qab*x/qap)
	d = 1 / d
	h := d
	for m := 1; m <= 10000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		c, d = lentz(fm*(b-fm)*x/((qam+m2)*(a+m2)), c, d)
		h *= d * c
		c, d = lentz(-(a+fm)*(qab+fm)*x/((a+m2)*(qap+m2)), c, d)
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

// lentz is one step of the modified Lentz method for continued fractions.
func lentz(aa, c, d float64) (float64, float64) {
	return nonzero(1 + aa/c), 1 / nonzero(1+aa*d)
}

func nonzero(v float64) float64 {
	if math.Abs(v) < 1e-300 {
		return 1e-300
	}
	return v
}
