package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
)

// buildVersion names the code a run came from: the module version and, in
// a build from a checkout, the VCS revision.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := bi.Main.Version
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v += " " + s.Value
		case "vcs.modified":
			if s.Value == "true" {
				v += " (modified)"
			}
		}
	}
	return v
}

// manifest describes a run so a figure can be reproduced.
type manifest struct {
	Command      string   `json:"command"`
	Scenario     string   `json:"scenario"`
	ScenarioHash string   `json:"scenario_sha256"`
	Seed         uint64   `json:"seed"`
	Days         int      `json:"days"`
	Replications int      `json:"replications"`
	Level        float64  `json:"confidence_level"`
	Version      string   `json:"version"`
	GoVersion    string   `json:"go_version"`
	Targets      any      `json:"targets,omitempty"`
	Files        []string `json:"files"`
}

func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// writeFiles writes the trade-off table as CSV, its plots and the run's
// manifest into dir and returns the paths written.
func (r *staffResult) writeFiles(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	base := filepath.Join(dir, r.Scenario+"-staffing")
	f, err := os.Create(base + ".csv")
	if err != nil {
		return nil, err
	}
	cw := csv.NewWriter(f)
	ff := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	_ = cw.Write([]string{"staffing", "scale_in", "scale_cb", "nurse_hours", "callback_hours",
		"same_day", "same_day_half_width", "service_level", "service_level_half_width",
		"abandonment", "abandonment_half_width", "meets", "best"})
	for i, p := range r.Points {
		_ = cw.Write([]string{p.Label, ff(p.In), ff(p.CB), strconv.Itoa(p.NurseHours), strconv.Itoa(p.CBHours),
			ff(p.SameDay.Mean), ff(p.SameDay.HalfWidth), ff(p.SL.Mean), ff(p.SL.HalfWidth),
			ff(p.Abandon.Mean), ff(p.Abandon.HalfWidth), strconv.FormatBool(p.meets()), strconv.FormatBool(i == r.Best)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	files = append(files, base+".csv")
	if err := writeJSONFile(base+".json", r); err != nil {
		return files, err
	}
	files = append(files, base+".json")
	pf, err := r.writePlots(base)
	files = append(files, pf...)
	if err != nil {
		return files, err
	}
	m := manifest{Command: "staff", Scenario: r.Scenario, ScenarioHash: r.Hash, Seed: r.Seed, Days: r.Days,
		Replications: r.Replications, Level: r.Level, Version: buildVersion(), GoVersion: runtime.Version(),
		Targets: map[string]any{"same_day": r.Targets.SameDay, "service_level": r.Targets.SL,
			"service_level_within": r.SLWithin.String(), "max_abandonment": r.Targets.MaxAbandon, "beta": r.Beta},
	}
	for _, f := range files {
		m.Files = append(m.Files, filepath.Base(f))
	}
	if err := writeJSONFile(base+"-manifest.json", m); err != nil {
		return files, fmt.Errorf("manifest: %w", err)
	}
	return append(files, base+"-manifest.json"), nil
}
