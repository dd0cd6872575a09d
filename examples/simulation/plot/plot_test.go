package plot_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/carecontact/carecontact/examples/simulation/plot"
	"github.com/stretchr/testify/require"
)

func TestWriteSVG(t *testing.T) {
	x := []float64{0, 1, 2, 3, 4}
	for name, c := range map[string]plot.Chart{
		"auto": {Title: "Queue <A&B>", XLabel: "hour", YLabel: "clients", X: x,
			Series: []plot.Series{{Name: "team \"A\"", Y: []float64{0, 2, 5, math.NaN(), 1}}, {Name: "B", Y: []float64{1, 1, 1, 1, 1}}}},
		"fixed": {Title: "SL", X: x, YMin: 0, YMax: 1, YPercent: true, XTicks: []float64{0, 2, 4},
			XTickLabel: func(v float64) string { return fmt.Sprintf("%02.0f:00", v) },
			Series:     []plot.Series{{Name: "A", Y: []float64{0.5, 0.7, 1.2, 0.9, -1}}}},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, c.WriteSVG(&b))
			// Well-formed XML throughout.
			d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
			paths := 0
			for {
				tok, err := d.Token()
				if err != nil {
					require.ErrorContains(t, err, "EOF")
					break
				}
				if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
					paths++
				}
			}
			require.Positive(t, paths)
			require.Contains(t, b.String(), "<svg")
			require.NotContains(t, b.String(), "NaN")
		})
	}
	var b bytes.Buffer
	require.Contains(t, func() string {
		_ = plot.Chart{Title: "t", X: []float64{0, 1}, Series: []plot.Series{{Name: "a", Y: []float64{1, 2}}}}.WriteSVG(&b)
		return b.String()
	}(), "M80.0 ")
	// The NaN gap splits the first series into two sub-paths.
	b.Reset()
	require.NoError(t, plot.Chart{X: x, Series: []plot.Series{{Name: "gap", Y: []float64{1, 2, math.NaN(), 3, 4}}}}.WriteSVG(&b))
	out := b.String()
	i := strings.Index(out, `<path d="`)
	require.Positive(t, i)
	d := out[i+len(`<path d="`):]
	d = d[:strings.IndexByte(d, '"')]
	require.Equal(t, 2, strings.Count(d, "M"), d)
}

func TestWriteSVGEmpty(t *testing.T) {
	var b bytes.Buffer
	err := plot.Chart{X: []float64{0}, Series: []plot.Series{{Name: "a", Y: []float64{math.NaN()}}}}.WriteSVG(&b)
	require.True(t, errors.Is(err, plot.ErrEmpty))
}

func ExampleChart_WriteSVG() {
	c := plot.Chart{
		Title: "Queue length", XLabel: "hour", YLabel: "clients waiting",
		X:      []float64{8, 9, 10},
		Series: []plot.Series{{Name: "Kallio", Y: []float64{0, 3, 1}}},
	}
	var b strings.Builder
	if err := c.WriteSVG(&b); err != nil {
		fmt.Println(err)
	}
	fmt.Println(strings.HasPrefix(b.String(), "<svg"), strings.Count(b.String(), "<path"))
	// Output: true 1
}
