package callback

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/carecontact/carecontact"
)

// KPIs are the callback service's key figures over a set of requests.
type KPIs struct {
	// Requests counts requests; Joined counts the second requests that joined one.
	Requests, Joined int
	// BeforeCutoff counts requests made before the daily cut-off; SameDay
	// those of them whose first attempt came the same local day.
	BeforeCutoff, SameDay int
	// SameDayShare is SameDay / BeforeCutoff (1 when there are none);
	// TargetMet compares it with Config.SameDayTarget.
	SameDayShare float64
	TargetMet    bool
	// NextDay counts next-day-or-later promises; Breaches those to requests
	// made before the cut-off; Unplaced requests still without a window.
	NextDay, Breaches, Unplaced int
	// DelayP50 and DelayP90 are percentiles of the delay from request to
	// first attempt (nearest-rank), over attempted requests.
	DelayP50, DelayP90 time.Duration
	// Promised counts requests whose first promised window has been tested
	// (attempted, or its window has ended); Kept those whose first attempt
	// started inside it. PromiseKeptRate is Kept / Promised (1 when none).
	Promised, Kept  int
	PromiseKeptRate float64
	// Closed, Reached and ClosedByOutcome count closed requests, reached
	// clients and those closed with the closing outcome (a request
	// withdrawn after an unanswered attempt is closed, and neither).
	Closed, Reached, ClosedByOutcome int
	// Attempts counts every recorded attempt; AttemptsPerRequest is the
	// mean number of attempts of the closed requests.
	Attempts           int
	AttemptsPerRequest float64
	// Open counts requests not yet closed.
	Open int
	// Withdrawn counts requests withdrawn before any call (the errand was
	// settled in another channel); they are not counted in Closed.
	Withdrawn int
}

// KPIs computes the key figures over the requests made in [from, to), as
// of the clock's now. A to before from is an ErrInvalidRequest
// *carecontact.FieldError naming "to"; a zero to is no bound.
func (s *Planner) KPIs(ctx context.Context, from, to time.Time) (KPIs, error) {
	if !to.IsZero() && to.Before(from) {
		return KPIs{}, carecontact.Invalid(ErrInvalidRequest, "to", "is before from")
	}
	now := s.now()
	recs, err := s.store.List(ctx, Filter{Since: from, Until: to})
	if err != nil {
		return KPIs{}, fmt.Errorf("callback: kpis: %w", err)
	}
	return ComputeKPIs(recs, s.cfg.SameDayTarget, now), nil
}

// ComputeKPIs computes the key figures of recs against the same-day target
// as they stand at asOf: a promised window counts as tested once it was
// attempted or had ended by asOf. It is a pure function of its arguments
// and reads no clock; Planner.KPIs calls it with the records of the store
// and the clock's now.
//
// It is exported for figures over records a caller already holds, where
// the service's store and clock are not the source: the callback
// simulation (examples/simulation) computes them over its records at the
// end of the simulated period, and a host may over an export.
func ComputeKPIs(recs []Record, target float64, asOf time.Time) KPIs {
	var k KPIs
	var delays []time.Duration
	var closedAttempts int
	for _, r := range recs {
		k.Requests++
		k.Joined += r.Joins
		if r.Open() {
			k.Open++
		}
		if r.Unplaced {
			k.Unplaced++
		}
		if r.NextDay {
			k.NextDay++
			if r.BeforeCutoff {
				k.Breaches++
			}
		}
		k.Attempts += len(r.Calls)
		var first time.Time
		if len(r.Calls) > 0 {
			first = r.Calls[0].Start
			delays = append(delays, first.Sub(r.RequestedAt))
		}
		if r.Out == OutcomeWithdrawn && first.IsZero() {
			// Settled elsewhere before any call: no callback was owed, so
			// it counts neither for nor against the same-day share or the
			// promise-kept rate.
			k.Withdrawn++
			continue
		}
		if r.BeforeCutoff {
			k.BeforeCutoff++
			if !first.IsZero() && localDay(first).Equal(localDay(r.RequestedAt)) {
				k.SameDay++
			}
		}
		if !r.Promised.IsZero() && (!first.IsZero() || !asOf.Before(r.Promised.End)) {
			k.Promised++
			if !first.IsZero() && r.Promised.Contains(first) {
				k.Kept++
			}
		}
		if !r.Open() {
			k.Closed++
			closedAttempts += len(r.Calls)
			switch r.Out {
			case OutcomeReached:
				k.Reached++
			case OutcomeWithdrawn:
				// Settled elsewhere after an unanswered attempt: closed,
				// neither reached nor given up on.
			default:
				k.ClosedByOutcome++
			}
		}
	}
	k.SameDayShare = ratio(k.SameDay, k.BeforeCutoff)
	k.TargetMet = k.SameDayShare >= target
	k.PromiseKeptRate = ratio(k.Kept, k.Promised)
	if k.Closed > 0 {
		k.AttemptsPerRequest = float64(closedAttempts) / float64(k.Closed)
	}
	slices.Sort(delays)
	k.DelayP50, k.DelayP90 = percentile(delays, 50), percentile(delays, 90)
	return k
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// percentile returns the nearest-rank p-th percentile of sorted ds.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	rank := (p*len(ds) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return ds[rank-1]
}
