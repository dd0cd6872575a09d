package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestShippedScenarios(t *testing.T) {
	var out, errb bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"scenarios"}, &out, &errb))
	names := shippedNames()
	require.GreaterOrEqual(t, len(names), 3)
	for _, n := range names {
		require.Contains(t, out.String(), n)
	}
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			dir := t.TempDir()
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"run", "-scenario", n, "-replications", "1", "-days", "1",
				"-format", "json", "-out", dir, "-progress", "-series", filepath.Join(dir, "series.csv")}, &out, &errb)
			require.NoError(t, err, errb.String())
			var rep map[string]any
			require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
			require.Equal(t, n, rep["scenario"])
			require.Contains(t, errb.String(), "100 %")
			series, err := os.ReadFile(filepath.Join(dir, "series.csv"))
			require.NoError(t, err)
			lines := strings.Split(strings.TrimSpace(string(series)), "\n")
			require.Equal(t, "scenario,start,minutes,kpi,unit,mean,half_width,low,high,replications", lines[0])
			require.Greater(t, len(lines), 96*30, "every KPI in every 15 minutes of the day")
			for _, kind := range []string{"queue", "service-level"} {
				b, err := os.ReadFile(filepath.Join(dir, n+"-"+kind+".svg"))
				require.NoError(t, err)
				require.True(t, strings.HasPrefix(string(b), "<svg"))
			}
		})
	}
}

func TestRunCommandErrors(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{
		{"run", "-scenario", "atlantis"},
		{"run", "-format", "xml"},
		{"run", "extra"},
		{"run", "-scenario", "city-day", "-level", "3", "-out", ""},
	} {
		require.Error(t, run(context.Background(), args, &out, &errb), "%v", args)
	}
	require.NoError(t, run(context.Background(), []string{"help"}, &out, &errb))
	require.ErrorContains(t, run(context.Background(), nil, &out, &errb), "help")
}
