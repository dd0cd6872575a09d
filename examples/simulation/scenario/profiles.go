package scenario

import "time"

// profiles accumulates the time-of-day curves of all replications.
type profiles struct {
	queueSum [][]float64 // per team, per bin of the day: Σ mean queue
	queueN   [][]float64
	arrivals [][]int64
	inTarget [][]int64
}

func newProfiles(teams int) *profiles {
	n := int(24 * time.Hour / ProfileBin)
	p := &profiles{}
	for range teams {
		p.queueSum = append(p.queueSum, make([]float64, n))
		p.queueN = append(p.queueN, make([]float64, n))
		p.arrivals = append(p.arrivals, make([]int64, n))
		p.inTarget = append(p.inTarget, make([]int64, n))
	}
	return p
}

// addProfiles folds the replication's per-bin queue means onto the local
// time of day (DST-correct: each bin is placed by its local start time).
func (m *model) addProfiles(p *profiles) {
	for ti := range m.teams {
		t := &m.teams[ti]
		for b := range t.queue.Bins() {
			at := time.Duration(b) * ProfileBin
			if at >= m.end {
				break
			}
			k := int(m.cal.timeOfDay(at) / ProfileBin)
			p.queueSum[ti][k] += t.queue.BinMean(b)
			p.queueN[ti][k]++
		}
		for k := range t.slArrivals {
			p.arrivals[ti][k] += t.slArrivals[k]
			p.inTarget[ti][k] += t.slInTarget[k]
		}
	}
}

// result returns the profiles of the teams with home clients (central
// teams have none).
func (p *profiles) result(s *Scenario) []Profile {
	var out []Profile
	for ti, t := range s.Teams {
		if t.Central {
			continue
		}
		pr := Profile{Team: t.ID, BinMinutes: int(ProfileBin / time.Minute)}
		for k := range p.queueSum[ti] {
			q := 0.0
			if p.queueN[ti][k] > 0 {
				q = p.queueSum[ti][k] / p.queueN[ti][k]
			}
			pr.QueueLength = append(pr.QueueLength, q)
			var sl *float64
			if p.arrivals[ti][k] > 0 {
				v := float64(p.inTarget[ti][k]) / float64(p.arrivals[ti][k])
				sl = &v
			}
			pr.ServiceLevel = append(pr.ServiceLevel, sl)
		}
		out = append(out, pr)
	}
	return out
}
