package scenario

import (
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// Metric is one KPI value of one replication. Team is empty for the whole
// service.
type Metric struct {
	Name  string  `json:"name"`
	Team  string  `json:"team,omitempty"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
}

// Summary is a KPI over all replications: its mean and Student-t
// confidence interval.
type Summary struct {
	Name string `json:"name"`
	Team string `json:"team,omitempty"`
	Unit string `json:"unit"`
	sim.CI
}

// Report is the result of a scenario run.
type Report struct {
	Scenario     string    `json:"scenario"`
	Days         int       `json:"days"`
	Replications int       `json:"replications"`
	Seed         uint64    `json:"seed"`
	Level        float64   `json:"confidence_level"`
	KPIs         []Summary `json:"kpis"`
	// Runs holds every replication's metrics, in replication order.
	Runs [][]Metric `json:"runs"`
	// Profiles are the time-of-day curves behind the plots.
	Profiles []Profile `json:"profiles"`
	// Series holds the whole-service KPIs of every 15 minutes of the run
	// (Options.Series), over the replications.
	Series []Bin `json:"series,omitempty"`
}

// Bin is the KPIs of one ProfileBin of the run: the counts of the
// contacts that arrived in it (inbound service level, abandonment, wait
// estimates, callback windows) or of the events in it (admissions,
// duplicates, closes, escalations), the callback planner's KPIs of the
// requests made in it, the sessions' of those closed in it, and the mean
// queue and utilisation over it.
type Bin struct {
	Start time.Time `json:"start"`
	KPIs  []Summary `json:"kpis"`
}

// WriteSeriesCSV writes Series as one row per bin and KPI: scenario,
// start (local time, RFC 3339), minutes, kpi, unit, mean, half_width,
// low, high, replications. A KPI with nothing to measure in a bin (no
// arrivals) has empty numbers.
func (r *Report) WriteSeriesCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scenario", "start", "minutes", "kpi", "unit", "mean", "half_width", "low", "high", "replications"})
	f := func(v float64) string {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 8, 64)
	}
	mins := strconv.Itoa(int(ProfileBin / time.Minute))
	for _, b := range r.Series {
		at := b.Start.In(helsinki).Format(time.RFC3339)
		for _, s := range b.KPIs {
			_ = cw.Write([]string{r.Scenario, at, mins, s.Name, s.Unit, f(s.Mean), f(s.HalfWidth), f(s.Low), f(s.High), strconv.Itoa(s.N)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// Profile is a per-team curve over the local time of day, averaged over the
// simulated days and replications.
type Profile struct {
	Team string `json:"team"`
	// BinMinutes is the bin width; Minute[i] is the start of bin i in
	// minutes after local midnight.
	BinMinutes int `json:"bin_minutes"`
	// QueueLength is the mean number of the team's clients waiting.
	QueueLength []float64 `json:"queue_length"`
	// ServiceLevel is the share of the team's inbound contacts arriving in
	// the bin that were answered within the target (NaN written as null
	// where no contact arrived).
	ServiceLevel []*float64 `json:"service_level"`
}

// summarise turns per-replication metrics into confidence intervals, in
// the order metrics first appear.
func summarise(runs [][]Metric, level float64) []Summary {
	type key struct{ name, team string }
	var order []key
	vals := map[key][]float64{}
	units := map[key]string{}
	for _, run := range runs {
		for _, m := range run {
			k := key{m.Name, m.Team}
			if _, ok := units[k]; !ok {
				order = append(order, k)
				units[k] = m.Unit
			}
			if !math.IsNaN(m.Value) {
				vals[k] = append(vals[k], m.Value)
			}
		}
	}
	out := make([]Summary, 0, len(order))
	for _, k := range order {
		ci := sim.MeanCI(vals[k], level)
		if len(vals[k]) == 0 {
			ci.Mean, ci.Low, ci.High = math.NaN(), math.NaN(), math.NaN()
		}
		out = append(out, Summary{Name: k.name, Team: k.team, Unit: units[k], CI: ci})
	}
	slices.SortStableFunc(out, func(a, b Summary) int { return cmp.Compare(a.Team, b.Team) })
	return out
}

func fmtVal(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 0):
		return "inf"
	case unit == "share":
		return strconv.FormatFloat(100*v, 'f', 1, 64) + " %"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// WriteText writes the KPIs as an aligned table.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "scenario %s: %d day(s), %d replication(s), seed %d, %.0f %% confidence intervals\n\n",
		r.Scenario, r.Days, r.Replications, r.Seed, 100*r.Level)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "team\tkpi\tmean\t± half-width\tunit\t")
	for _, s := range r.KPIs {
		team := s.Team
		if team == "" {
			team = "(all)"
		}
		hw := fmtVal(s.HalfWidth, s.Unit)
		if math.IsInf(s.HalfWidth, 0) {
			hw = "n/a"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", team, s.Name, fmtVal(s.Mean, s.Unit), hw, s.Unit)
	}
	return tw.Flush()
}

// WriteCSV writes one row per KPI: team, kpi, unit, mean, half_width, low,
// high, replications.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"scenario", "team", "kpi", "unit", "mean", "half_width", "low", "high", "replications"})
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 8, 64) }
	for _, s := range r.KPIs {
		_ = cw.Write([]string{r.Scenario, s.Team, s.Name, s.Unit, f(s.Mean), f(s.HalfWidth), f(s.Low), f(s.High), strconv.Itoa(s.N)})
	}
	cw.Flush()
	return cw.Error()
}

// MarshalJSON writes the summary with non-finite numbers (the interval of
// a single replication) as null.
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name      string   `json:"name"`
		Team      string   `json:"team,omitempty"`
		Unit      string   `json:"unit"`
		Mean      *float64 `json:"mean"`
		HalfWidth *float64 `json:"half_width"`
		Low       *float64 `json:"low"`
		High      *float64 `json:"high"`
		N         int      `json:"replications"`
	}{s.Name, s.Team, s.Unit, Finite(s.Mean), Finite(s.HalfWidth), Finite(s.Low), Finite(s.High), s.N})
}

// MarshalJSON writes the metric with a non-finite value (a share of
// nothing) as null.
func (m Metric) MarshalJSON() ([]byte, error) {
	type plain Metric
	return json.Marshal(struct {
		plain
		Value *float64 `json:"value"`
	}{plain(m), Finite(m.Value)})
}

// WriteJSON writes the whole report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Finite returns a pointer to v, or nil when v is NaN or infinite, for
// JSON output.
func Finite(v float64) *float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil
	}
	return &v
}
