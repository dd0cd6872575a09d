package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/scenario"
	"github.com/carecontact/carecontact/examples/simulation/sim"
)

// staffTargets are what the staffing search must meet.
type staffTargets struct {
	SameDay    float64 // same-day callback share, at least
	SL         float64 // inbound service level, at least
	MaxAbandon float64 // inbound abandonment, at most
}

// staffPoint is one evaluated staffing: the area teams' weekday rosters
// from the square-root staffing scaled by In (inbound line) and CB
// (callback duty), or the scenario's own rosters (Shipped).
type staffPoint struct {
	Label       string
	Shipped     bool
	In, CB      float64
	NurseHours  int // weekday nurse-hours of the area teams, callback duty included
	CBHours     int // of which on callback duty
	SameDay     sim.CI
	SL          sim.CI
	Abandon     sim.CI
	MeetsSL     bool // service level and abandonment
	MeetsCB     bool // same-day callbacks
	Rosters     map[string][2][]int
	WallSeconds float64
	// Replications the staffing was simulated with; Coarse: a search
	// step of -coarse, judged by the means instead of the bounds.
	Replications int
	Coarse       bool
}

func (p staffPoint) meets() bool { return p.MeetsSL && p.MeetsCB }

// teamLoad is the offered load of one area team by local weekday hour, in
// erlangs: on the inbound line (phone without callback, video, chat over
// its concurrency) and in callbacks.
type teamLoad struct {
	In, CB [24]float64
}

// offeredLoads splits each weekday demand stream over the areas by their
// client shares and over the hours by the stream's hourly weights, and
// multiplies by the mean handling time plus the team's wrap-up. Contacts
// are counted at their home team (what the routing's first step aims
// for); central teams are left out of the search.
func offeredLoads(s *scenario.Scenario) (map[string]*teamLoad, error) {
	weights := map[string]float64{}
	total := 0.0
	for _, a := range s.Areas {
		w := a.Clients
		if w == 0 {
			w = 1
		}
		weights[a.ID] = w
		total += w
	}
	teamsOf := map[string][]int{}
	for i, t := range s.Teams {
		if !t.Central && t.Area != "" {
			teamsOf[t.Area] = append(teamsOf[t.Area], i)
		}
	}
	loads := map[string]*teamLoad{}
	for _, t := range s.Teams {
		if !t.Central && t.Area != "" {
			loads[t.ID] = &teamLoad{}
		}
	}
	for i, d := range s.Demand {
		dist, err := d.Handling.Dist(fmt.Sprintf("demand[%d].handling", i))
		if err != nil {
			return nil, err
		}
		hsum := 0.0
		for _, w := range d.Hourly {
			hsum += w
		}
		if hsum == 0 {
			continue
		}
		for area, idx := range teamsOf {
			for _, ti := range idx {
				t := s.Teams[ti]
				hold := (dist.Mean() + time.Duration(t.WrapUp)).Hours()
				share := weights[area] / total / float64(len(idx))
				for h := range 24 {
					lam := d.PerDay.Weekday * d.Hourly[h] / hsum * share // per hour
					l := loads[t.ID]
					switch d.Channel {
					case "inbound_phone":
						l.In[h] += lam * (1 - d.CallbackShare) * hold
						l.CB[h] += lam * d.CallbackShare * hold
					case "chat":
						l.In[h] += lam * hold / float64(max(t.Capacity.Chat, 1))
					case "video":
						l.In[h] += lam * hold
					}
				}
			}
		}
	}
	return loads, nil
}

// sqrtStaff returns R + β√R rounded up (0 for no load).
func sqrtStaff(r, beta float64) int {
	if r <= 0 {
		return 0
	}
	return int(math.Ceil(r + beta*math.Sqrt(r)))
}

// staffRosters returns the weekday rosters (total signed in, on callback
// duty) of the area teams at scales in and cb of the square-root staffing,
// in the hours the scenario's own roster is open.
func staffRosters(s *scenario.Scenario, loads map[string]*teamLoad, beta, in, cb float64) map[string][2][]int {
	out := map[string][2][]int{}
	for _, t := range s.Teams {
		l, ok := loads[t.ID]
		if !ok {
			continue
		}
		total := make([]int, 24)
		duty := make([]int, 24)
		for h := range 24 {
			if t.Roster.Weekday[h] == 0 {
				continue
			}
			if t.CallbackRoster != nil && t.CallbackRoster.Weekday[h] > 0 {
				duty[h] = max(1, int(math.Ceil(cb*float64(sqrtStaff(l.CB[h], beta))-1e-9)))
			}
			total[h] = max(1, int(math.Ceil(in*float64(sqrtStaff(l.In[h], beta))-1e-9))) + duty[h]
		}
		out[t.ID] = [2][]int{total, duty}
	}
	return out
}

// scenarioHash is the SHA-256 of the scenario's JSON form.
func scenarioHash(s *scenario.Scenario) string {
	b, err := json.Marshal(s)
	if err != nil {
		return ""
	}
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// cloneScenario returns a deep copy of s through its JSON form.
func cloneScenario(s *scenario.Scenario) (*scenario.Scenario, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var c scenario.Scenario
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// kpi returns the whole-service interval of the named KPI.
func kpi(rep *scenario.Report, name string) sim.CI {
	for _, k := range rep.KPIs {
		if k.Name == name && k.Team == "" {
			return k.CI
		}
	}
	return sim.CI{Mean: math.NaN(), HalfWidth: math.NaN(), Low: math.NaN(), High: math.NaN()}
}

// evaluate runs s with the rosters (nil: the scenario's own) and judges the
// KPIs against the targets by their confidence bounds: the lower bound of
// the same-day share and of the service level at least the target, the
// upper bound of abandonment at most the maximum.
//
// A coarse evaluation (ev.coarse) judges the means instead: it only guides
// the search, and the staffing it finds is simulated again in full.
func evaluate(ctx context.Context, base *scenario.Scenario, rosters map[string][2][]int, ev evalOpts, tg staffTargets) (staffPoint, error) {
	s, err := cloneScenario(base)
	if err != nil {
		return staffPoint{}, err
	}
	if ev.reps > 0 {
		s.Replications = ev.reps
	}
	var p staffPoint
	p.Rosters = map[string][2][]int{}
	for i := range s.Teams {
		t := &s.Teams[i]
		if r, ok := rosters[t.ID]; ok {
			t.Roster.Weekday = slices.Clone(r[0])
			if t.CallbackRoster != nil {
				t.CallbackRoster.Weekday = slices.Clone(r[1])
			}
		}
		if t.Central || t.Area == "" {
			continue
		}
		var duty []int
		if t.CallbackRoster != nil {
			duty = t.CallbackRoster.Weekday
		} else {
			duty = make([]int, 24)
		}
		p.Rosters[t.ID] = [2][]int{t.Roster.Weekday, duty}
		for h := range 24 {
			p.NurseHours += t.Roster.Weekday[h]
			p.CBHours += duty[h]
		}
	}
	if err := s.Validate(); err != nil {
		return staffPoint{}, err
	}
	start := time.Now()
	rep, err := scenario.Run(ctx, s, scenario.Options{Level: ev.level, Parallel: ev.parallel})
	if err != nil {
		return staffPoint{}, err
	}
	p.WallSeconds = time.Since(start).Seconds()
	p.Replications, p.Coarse = s.Replications, ev.coarse
	p.SameDay, p.SL, p.Abandon = kpi(rep, "same_day_callback"), kpi(rep, "service_level"), kpi(rep, "abandonment")
	if ev.coarse {
		p.MeetsCB = p.SameDay.Mean >= tg.SameDay
		p.MeetsSL = p.SL.Mean >= tg.SL && p.Abandon.Mean <= tg.MaxAbandon
		return p, nil
	}
	p.MeetsCB = p.SameDay.Low >= tg.SameDay
	p.MeetsSL = p.SL.Low >= tg.SL && p.Abandon.High <= tg.MaxAbandon
	return p, nil
}

// evalOpts say how a staffing is simulated: the confidence level, the
// replications (0: the scenario's), how many at once, and whether it is a
// coarse search step judged by the means.
type evalOpts struct {
	level    float64
	reps     int
	parallel int
	coarse   bool
}

func staffCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("staff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("scenario", "city-day", "shipped scenario name or path to a JSON file")
	sameDay := fs.Float64("target-sameday", 0.98, "target share of callback requests before the cut-off called back the same day")
	slTarget := fs.Float64("target-sl", 0.8, "target inbound service level")
	within := fs.Duration("sl-within", 60*time.Second, "service-level target time (replaces the scenario's)")
	maxAbandon := fs.Float64("max-abandon", 0.05, "largest acceptable inbound abandonment")
	beta := fs.Float64("beta", 1, "square-root staffing: R + beta*sqrt(R) professionals for an offered load of R erlangs")
	reps := fs.Int("replications", 5, "replications per evaluated staffing")
	days := fs.Int("days", 0, "override the scenario's number of days")
	evals := fs.Int("max-evals", 9, "largest number of staffings to simulate besides the scenario's own")
	level := fs.Float64("level", 0.95, "confidence level of the intervals")
	out := fs.String("out", "", "directory for the trade-off CSV and JSON, manifest and plots; empty: none")
	scales := fs.String("scale", "", "simulate only the scenario's own rosters and this staffing, \"in,cb\" (scale factors of the square-root staffing), instead of searching")
	replot := fs.String("replot", "", "read a trade-off JSON written by an earlier run and only write its files into -out")
	coarse := fs.Int("coarse", 0, "search with this many replications per staffing, judged by the means, then simulate the cheapest staffings that pass again with -replications and judge them by the confidence bounds (0: search with -replications)")
	confirm := fs.Int("confirm", 3, "with -coarse: at most this many staffings simulated again in full")
	parallel := fs.Int("parallel", 1, "replications simulated at once (each in a goroutine of its own)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("staff: unexpected argument %q", fs.Arg(0))
	}
	for _, v := range []struct {
		name string
		v    float64
	}{{"target-sameday", *sameDay}, {"target-sl", *slTarget}, {"max-abandon", *maxAbandon}, {"level", *level}} {
		if !(v.v >= 0 && v.v <= 1) {
			return fmt.Errorf("staff: -%s %v: want a share between 0 and 1", v.name, v.v)
		}
	}
	if *within <= 0 || *reps < 2 || *evals < 1 || !(*beta >= 0) || *coarse < 0 || *coarse == 1 || *confirm < 1 || *parallel < 1 {
		return fmt.Errorf("staff: want -sl-within > 0, -replications >= 2, -max-evals >= 1, -beta >= 0, -coarse 0 or >= 2, -confirm >= 1, -parallel >= 1")
	}
	var fixIn, fixCB float64
	if *scales != "" {
		if _, err := fmt.Sscanf(*scales, "%g,%g", &fixIn, &fixCB); err != nil || !(fixIn > 0 && fixCB > 0) {
			return fmt.Errorf("staff: -scale %q: want two positive factors \"in,cb\"", *scales)
		}
	}
	if *replot != "" {
		b, err := os.ReadFile(*replot)
		if err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		var res staffResult
		if err := json.Unmarshal(b, &res); err != nil {
			return fmt.Errorf("staff: %s: %w", *replot, err)
		}
		if err := res.writeText(stdout); err != nil {
			return err
		}
		if *out == "" {
			return nil
		}
		files, err := res.writeFiles(*out)
		for _, f := range files {
			fmt.Fprintln(stderr, "wrote", f)
		}
		return err
	}
	s, err := loadScenario(*name)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	s.ServiceLevelTarget = sim.Duration(*within)
	s.Replications = *reps
	if *days > 0 {
		s.Days = *days
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	tg := staffTargets{SameDay: *sameDay, SL: *slTarget, MaxAbandon: *maxAbandon}
	loads, err := offeredLoads(s)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	started := time.Now()
	var points []staffPoint
	log := func(p staffPoint) {
		fmt.Fprintf(stderr, "staff: %-9s in×%.3f cb×%.3f %4d nurse-h: same-day %.3f, SL %.3f, abandon %.3f (%.0f s)\n",
			p.Label, p.In, p.CB, p.NurseHours, p.SameDay.Mean, p.SL.Mean, p.Abandon.Mean, p.WallSeconds)
	}
	full := evalOpts{level: *level, parallel: *parallel}
	search := full
	if *coarse > 0 {
		search = evalOpts{level: *level, reps: *coarse, parallel: *parallel, coarse: true}
	}
	shipped, err := evaluate(ctx, s, nil, full, tg)
	if err != nil {
		return fmt.Errorf("staff: %w", err)
	}
	shipped.Label, shipped.Shipped = "scenario", true
	fmt.Fprintf(stderr, "staff: the scenario's own rosters, %d nurse-h: same-day %.3f, SL %.3f, abandon %.3f (%.0f s)\n",
		shipped.NurseHours, shipped.SameDay.Mean, shipped.SL.Mean, shipped.Abandon.Mean, shipped.WallSeconds)
	points = append(points, shipped)
	// Staffings are cached by their rosters: two scalings that round to the
	// same rosters are simulated once.
	cache := map[string]staffPoint{}
	eval := func(in, cb float64) (staffPoint, error) {
		rosters := staffRosters(s, loads, *beta, in, cb)
		key := fmt.Sprint(rosters) // fmt sorts map keys
		if p, ok := cache[key]; ok {
			return p, nil
		}
		p, err := evaluate(ctx, s, rosters, search, tg)
		if err != nil {
			return p, err
		}
		p.Label, p.In, p.CB = fmt.Sprintf("sqrt-%d", len(cache)+1), in, cb
		cache[key] = p
		points = append(points, p)
		log(p)
		return p, nil
	}
	// Search each scale factor between a failing lower and a passing upper
	// bound: first step from the square-root staffing (scale 1) by a factor
	// 1.25 up while a target group fails and down while it passes, then
	// halve the brackets. Both factors move in each simulated staffing; the
	// answer is the cheapest simulated staffing that meets every target.
	const step = 1.25
	in, cb := 1.0, 1.0
	loIn, hiIn, loCB, hiCB := 0.0, 0.0, 0.0, 0.0
	used := 0
	if *scales != "" {
		in, cb = fixIn, fixCB
		if _, err := eval(in, cb); err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		used = *evals // no search
	}
	for used < *evals && (loIn == 0 || hiIn == 0 || loCB == 0 || hiCB == 0) {
		p, err := eval(in, cb)
		if err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		used++
		if p.MeetsSL {
			hiIn = in
			if loIn == 0 {
				in /= step
			}
		} else {
			loIn = in
			if hiIn == 0 {
				in *= step
			}
		}
		if p.MeetsCB {
			hiCB = cb
			if loCB == 0 {
				cb /= step
			}
		} else {
			loCB = cb
			if hiCB == 0 {
				cb *= step
			}
		}
		if in < 0.3 || cb < 0.3 || in > 4 || cb > 4 {
			break
		}
		if loIn != 0 && hiIn != 0 {
			in = hiIn
		}
		if loCB != 0 && hiCB != 0 {
			cb = hiCB
		}
	}
	for used < *evals && loIn != 0 && hiIn != 0 && loCB != 0 && hiCB != 0 && (hiIn/loIn > 1.05 || hiCB/loCB > 1.05) {
		in, cb = (loIn+hiIn)/2, (loCB+hiCB)/2
		if hiIn/loIn <= 1.05 {
			in = hiIn
		}
		if hiCB/loCB <= 1.05 {
			cb = hiCB
		}
		p, err := eval(in, cb)
		if err != nil {
			return fmt.Errorf("staff: %w", err)
		}
		used++
		if in != hiIn {
			if p.MeetsSL {
				hiIn = in
			} else {
				loIn = in
			}
		}
		if cb != hiCB {
			if p.MeetsCB {
				hiCB = cb
			} else {
				loCB = cb
			}
		}
	}
	if *coarse > 0 {
		// Simulate the cheapest staffings the coarse search passed again
		// with the full replications, cheapest first, until one meets
		// every target by its confidence bounds.
		var cands []staffPoint
		for _, p := range points {
			if p.Coarse && p.meets() {
				cands = append(cands, p)
			}
		}
		slices.SortStableFunc(cands, func(a, b staffPoint) int { return a.NurseHours - b.NurseHours })
		for _, c := range cands[:min(len(cands), *confirm)] {
			p, err := evaluate(ctx, s, c.Rosters, full, tg)
			if err != nil {
				return fmt.Errorf("staff: %w", err)
			}
			p.Label, p.In, p.CB = c.Label+"-full", c.In, c.CB
			points = append(points, p)
			log(p)
			if p.meets() {
				break
			}
		}
	}
	best := chooseBest(points)
	res := staffResult{Scenario: s.Name, Hash: scenarioHash(s), Seed: s.Seed, Days: s.Days, Replications: s.Replications,
		Level: *level, Coarse: *coarse, Beta: *beta, Targets: tg, SLWithin: *within, Points: points, Best: best,
		WallSeconds: time.Since(started).Seconds()}
	if err := res.writeText(stdout); err != nil {
		return err
	}
	if *out != "" {
		files, err := res.writeFiles(*out)
		for _, f := range files {
			fmt.Fprintln(stderr, "wrote", f)
		}
		if err != nil {
			return fmt.Errorf("staff: %w", err)
		}
	}
	return nil
}

// chooseBest returns the index of the staffing with the fewest nurse-hours
// that meets every target by its confidence bounds (coarse search steps
// do not count), -1 for none.
func chooseBest(points []staffPoint) int {
	best := -1
	for i, p := range points {
		if !p.Coarse && p.meets() && (best < 0 || p.NurseHours < points[best].NurseHours) {
			best = i
		}
	}
	return best
}

// staffResult is a staffing search: every simulated staffing and the
// cheapest that meets every target.
type staffResult struct {
	Scenario     string
	Hash         string
	Seed         uint64
	Days         int
	Replications int
	Level        float64
	Coarse       int // replications of the coarse search steps, 0 for none
	Beta         float64
	Targets      staffTargets
	SLWithin     time.Duration
	Points       []staffPoint
	Best         int // index into Points; -1: none meets every target
	WallSeconds  float64
}

func (r *staffResult) writeText(w io.Writer) error {
	fmt.Fprintf(w, "staffing for %s: %d day(s), %d replication(s) per staffing, seed %d, %.0f %% intervals\n",
		r.Scenario, r.Days, r.Replications, r.Seed, 100*r.Level)
	fmt.Fprintf(w, "targets: same-day callbacks >= %.1f %%, service level >= %.1f %% within %v, abandonment <= %.1f %% (judged by the confidence bounds)\n",
		100*r.Targets.SameDay, 100*r.Targets.SL, r.SLWithin, 100*r.Targets.MaxAbandon)
	if r.Coarse > 0 {
		fmt.Fprintf(w, "search: %d replication(s) per staffing judged by the means; the cheapest that pass simulated again with %d and judged by the bounds\n", r.Coarse, r.Replications)
	}
	fmt.Fprintf(w, "start: square-root staffing R + %.2g·√R per area team and weekday hour (inbound line and callback duty apart); central teams as in the scenario\n\n", r.Beta)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "staffing\tscale in\tscale cb\tnurse-h\tcallback-h\treps\tsame-day\tservice level\tabandonment\tmeets\t")
	pct := func(c sim.CI) string { return fmt.Sprintf("%.1f ± %.1f %%", 100*c.Mean, 100*c.HalfWidth) }
	for i, p := range r.Points {
		scaleIn, scaleCB := fmt.Sprintf("%.3f", p.In), fmt.Sprintf("%.3f", p.CB)
		if p.Shipped {
			scaleIn, scaleCB = "-", "-"
		}
		mark := "no"
		if p.meets() {
			mark = "yes"
		}
		if p.Coarse {
			mark += " (means)"
		}
		if i == r.Best {
			mark = "BEST"
		}
		n := p.Replications
		if n == 0 {
			n = r.Replications
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t\n", p.Label, scaleIn, scaleCB, p.NurseHours, p.CBHours, n,
			pct(p.SameDay), pct(p.SL), pct(p.Abandon), mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Best < 0 {
		_, err := fmt.Fprintf(w, "\nno simulated staffing meets every target (raise -max-evals or -beta)\n")
		return err
	}
	b := r.Points[r.Best]
	fmt.Fprintf(w, "\nsmallest staffing meeting every target: %s, %d weekday nurse-hours in the area teams (%d on callback duty); the scenario's own: %d (%d)\n",
		b.Label, b.NurseHours, b.CBHours, r.Points[0].NurseHours, r.Points[0].CBHours)
	tw = tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "team\troster by local hour (signed in / of which on callback duty)")
	ids := make([]string, 0, len(b.Rosters))
	for id := range b.Rosters {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		ro := b.Rosters[id]
		line := ""
		for h := range 24 {
			if ro[0][h] > 0 {
				line += fmt.Sprintf(" %02d:%d/%d", h, ro[0][h], ro[1][h])
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", id, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "searched %d staffings in %.0f s\n", len(r.Points), r.WallSeconds)
	return err
}
