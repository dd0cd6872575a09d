package sim

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/carecontact/carecontact"
)

// ErrBadDist reports an invalid distribution specification.
var ErrBadDist = carecontact.Sentinel(carecontact.ErrInvalid, "sim: invalid distribution")

// NewRand returns a deterministic PCG generator for seed and stream. Use one
// stream per source of randomness (arrivals, handling, patience, ...) so a
// change in one does not shift the others (common random numbers).
func NewRand(seed, stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))
}

// Dist is a distribution of durations.
type Dist interface {
	// Sample draws one non-negative duration using r.
	Sample(r *rand.Rand) time.Duration
	// Mean returns the distribution's mean.
	Mean() time.Duration
}

// Exponential is the exponential distribution with the given mean.
type Exponential struct{ M time.Duration }

// Sample draws from the distribution.
func (e Exponential) Sample(r *rand.Rand) time.Duration {
	return time.Duration(r.ExpFloat64() * float64(e.M))
}

// Mean returns the mean.
func (e Exponential) Mean() time.Duration { return e.M }

// Constant always returns the same duration.
type Constant struct{ D time.Duration }

// Sample returns D.
func (c Constant) Sample(*rand.Rand) time.Duration { return c.D }

// Mean returns D.
func (c Constant) Mean() time.Duration { return c.D }

// Uniform is the continuous uniform distribution on [Min, Max].
type Uniform struct{ Min, Max time.Duration }

// Sample draws from the distribution.
func (u Uniform) Sample(r *rand.Rand) time.Duration {
	return u.Min + time.Duration(r.Float64()*float64(u.Max-u.Min))
}

// Mean returns the mean.
func (u Uniform) Mean() time.Duration { return (u.Min + u.Max) / 2 }

// LogNormal is the log-normal distribution parameterised by its mean and
// standard deviation (not those of the underlying normal), the usual way
// handling times are reported.
type LogNormal struct {
	M, SD  time.Duration
	mu, sg float64
}

// NewLogNormal returns the log-normal distribution with mean m and standard
// deviation sd.
func NewLogNormal(m, sd time.Duration) (LogNormal, error) {
	if m <= 0 || sd < 0 {
		return LogNormal{}, fmt.Errorf("%w: lognormal needs mean > 0 and sd >= 0", ErrBadDist)
	}
	cv2 := (float64(sd) / float64(m)) * (float64(sd) / float64(m))
	s2 := math.Log1p(cv2)
	return LogNormal{M: m, SD: sd, mu: math.Log(float64(m)) - s2/2, sg: math.Sqrt(s2)}, nil
}

// Sample draws from the distribution.
func (l LogNormal) Sample(r *rand.Rand) time.Duration {
	return time.Duration(math.Exp(l.mu + l.sg*r.NormFloat64()))
}

// Mean returns the mean.
func (l LogNormal) Mean() time.Duration { return l.M }

// Duration is a time.Duration that reads and writes JSON as a Go duration
// string ("4m", "90s", "1h30m").
type Duration time.Duration

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string such as "4m30s".
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("sim: duration must be a string like \"4m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("sim: duration %q: %w", s, err)
	}
	*d = Duration(v)
	return nil
}

// DistSpec is the JSON form of a distribution:
//
//	{"kind": "exponential", "mean": "4m"}
//	{"kind": "lognormal", "mean": "6m", "sd": "4m"}
//	{"kind": "constant", "mean": "30s"}
//	{"kind": "uniform", "min": "1m", "max": "3m"}
type DistSpec struct {
	Kind string   `json:"kind"`
	Mean Duration `json:"mean,omitempty"`
	SD   Duration `json:"sd,omitempty"`
	Min  Duration `json:"min,omitempty"`
	Max  Duration `json:"max,omitempty"`
}

// Dist validates the specification and returns the distribution. field
// names the specification in errors.
func (s DistSpec) Dist(field string) (Dist, error) {
	switch s.Kind {
	case "exponential":
		if s.Mean <= 0 {
			return nil, fmt.Errorf("%w: %s: exponential needs mean > 0", ErrBadDist, field)
		}
		return Exponential{M: time.Duration(s.Mean)}, nil
	case "constant":
		if s.Mean < 0 {
			return nil, fmt.Errorf("%w: %s: constant needs mean >= 0", ErrBadDist, field)
		}
		return Constant{D: time.Duration(s.Mean)}, nil
	case "uniform":
		if s.Min < 0 || s.Max < s.Min {
			return nil, fmt.Errorf("%w: %s: uniform needs 0 <= min <= max", ErrBadDist, field)
		}
		return Uniform{Min: time.Duration(s.Min), Max: time.Duration(s.Max)}, nil
	case "lognormal":
		d, err := NewLogNormal(time.Duration(s.Mean), time.Duration(s.SD))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		return d, nil
	default:
		return nil, fmt.Errorf("%w: %s: unknown kind %q (exponential, lognormal, constant, uniform)", ErrBadDist, field, s.Kind)
	}
}
