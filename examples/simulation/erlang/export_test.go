package erlang

// WithBias is the test-only bias hook: it returns est as a simulation whose
// replications all report figure k off by a factor 1 + b (b = 0.03 for a
// 3 % bias), with the interval recomputed.
func WithBias(est Estimate, k KPI, b float64) Estimate { return est.withBias(k, b) }
