package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/carecontact/carecontact/examples/simulation/plot"
	"github.com/carecontact/carecontact/examples/simulation/scenario"
)

// The shipped scenarios, runnable by name.
//
//go:embed scenarios/*.json
var shipped embed.FS

func shippedNames() []string {
	entries, _ := shipped.ReadDir("scenarios")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

func scenariosCmd(stdout io.Writer) error {
	for _, n := range shippedNames() {
		f, err := shipped.Open("scenarios/" + n + ".json")
		if err != nil {
			return err
		}
		s, err := scenario.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("shipped scenario %s: %w", n, err)
		}
		fmt.Fprintf(stdout, "%-14s %d day(s), %d replication(s): %s\n", n, s.Days, s.Replications, s.Description)
	}
	return nil
}

// loadScenario opens a shipped scenario by name or a JSON file by path.
func loadScenario(name string) (*scenario.Scenario, error) {
	var r io.ReadCloser
	var err error
	if f, ferr := shipped.Open("scenarios/" + name + ".json"); ferr == nil && !strings.ContainsAny(name, "/\\.") {
		r = f
	} else if r, err = os.Open(name); err != nil {
		return nil, fmt.Errorf("scenario %q is neither shipped (%s) nor a readable file: %w", name, strings.Join(shippedNames(), ", "), err)
	}
	defer r.Close()
	return scenario.Parse(r)
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("scenario", "city-day", "shipped scenario name ("+strings.Join(shippedNames(), ", ")+") or path to a JSON file")
	format := fs.String("format", "text", "KPI output: text, csv or json")
	out := fs.String("out", "simulation-out", "directory for the plots (SVG); empty: no plots")
	reps := fs.Int("replications", 0, "override the scenario's number of replications")
	days := fs.Int("days", 0, "override the scenario's number of days")
	seed := fs.Int64("seed", -1, "override the scenario's seed")
	level := fs.Float64("level", 0.95, "confidence level of the intervals")
	series := fs.String("series", "", "write every whole-service KPI per 15 minutes of the run (mean and interval over the replications) as CSV to this file")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	progress := fs.Bool("progress", false, "draw a progress bar on stderr even when it is not a terminal")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("run: unexpected argument %q", fs.Arg(0))
	}
	switch *format {
	case "text", "csv", "json":
	default:
		return fmt.Errorf("run: -format %q: want text, csv or json", *format)
	}
	s, err := loadScenario(*name)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if *reps > 0 {
		s.Replications = *reps
	}
	if *days > 0 {
		s.Days = *days
	}
	if *seed >= 0 {
		s.Seed = uint64(*seed)
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("run: %w", err)
	}
	opt := scenario.Options{Level: *level, Series: *series != ""}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("run: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if *progress || isTerminal(stderr) {
		bar := newProgressBar(stderr, s.Name)
		opt.Progress = bar.update
		defer bar.finish()
	}
	rep, err := scenario.Run(ctx, s, opt)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	if *series != "" {
		if err := writeSeries(*series, rep); err != nil {
			return fmt.Errorf("run: series: %w", err)
		}
		fmt.Fprintln(stderr, "wrote", *series)
	}
	if *out != "" {
		files, err := writePlots(*out, rep)
		if err != nil {
			return fmt.Errorf("run: plots: %w", err)
		}
		for _, f := range files {
			fmt.Fprintln(stderr, "wrote", f)
		}
	}
	switch *format {
	case "csv":
		return rep.WriteCSV(stdout)
	case "json":
		return rep.WriteJSON(stdout)
	}
	return rep.WriteText(stdout)
}

// writeSeries writes the report's 15-minute series as CSV to path.
func writeSeries(path string, rep *scenario.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = rep.WriteSeriesCSV(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws "name [#####.....] 42 % 3.1 s" on one line.
type progressBar struct {
	w     io.Writer
	name  string
	start time.Time
	last  int
}

func newProgressBar(w io.Writer, name string) *progressBar {
	return &progressBar{w: w, name: name, start: time.Now(), last: -1}
}

func (b *progressBar) update(done, total int) {
	if total <= 0 {
		return
	}
	pct := 100 * done / total
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	n := width * done / total
	fmt.Fprintf(b.w, "\r%s [%s%s] %3d %% %.1f s", b.name, strings.Repeat("#", n), strings.Repeat(".", width-n), pct, time.Since(b.start).Seconds())
}

func (b *progressBar) finish() { fmt.Fprintln(b.w) }

// writePlots writes the queue-length and service-level curves over the day,
// one line per team, as SVG files in dir.
func writePlots(dir string, rep *scenario.Report) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	hourLabel := func(x float64) string { return fmt.Sprintf("%02d:00", int(x)) }
	ticks := []float64{0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24}
	var queue, sl []plot.Series
	var xq, xs []float64
	for _, p := range rep.Profiles {
		perHour := 60 / p.BinMinutes
		if xq == nil {
			for i := range p.QueueLength {
				xq = append(xq, float64(i*p.BinMinutes)/60)
			}
			for h := range len(p.ServiceLevel) / perHour {
				xs = append(xs, float64(h)+0.5)
			}
		}
		queue = append(queue, plot.Series{Name: p.Team, Y: p.QueueLength})
		// Service level by hour of arrival, from the bins' shares weighted
		// equally (bins of one hour have similar volumes).
		var y []float64
		for h := range len(p.ServiceLevel) / perHour {
			sum, n := 0.0, 0
			for _, v := range p.ServiceLevel[h*perHour : (h+1)*perHour] {
				if v != nil {
					sum += *v
					n++
				}
			}
			if n == 0 {
				y = append(y, math.NaN())
			} else {
				y = append(y, sum/float64(n))
			}
		}
		sl = append(sl, plot.Series{Name: p.Team, Y: y})
	}
	days := fmt.Sprintf("mean of %d day(s) × %d replication(s)", rep.Days, rep.Replications)
	charts := map[string]plot.Chart{
		"queue": {Title: rep.Scenario + ": clients waiting (line, chat or callback) by home team",
			XLabel: "time of day (Europe/Helsinki), " + days, YLabel: "clients waiting", X: xq, XTicks: ticks, XTickLabel: hourLabel, Series: queue},
		"service-level": {Title: rep.Scenario + ": inbound answered within target, by home team",
			XLabel: "hour of arrival (Europe/Helsinki), " + days, YLabel: "service level", X: xs, XTicks: ticks, XTickLabel: hourLabel,
			YMin: 0, YMax: 1, YPercent: true, Series: sl},
	}
	var files []string
	for _, kind := range []string{"queue", "service-level"} {
		path := filepath.Join(dir, rep.Scenario+"-"+kind+".svg")
		f, err := os.Create(path)
		if err != nil {
			return files, err
		}
		err = charts[kind].WriteSVG(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return files, fmt.Errorf("%s: %w", path, err)
		}
		files = append(files, path)
	}
	return files, nil
}
