package main

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"os"
	"slices"

	"github.com/carecontact/carecontact/examples/simulation/sim"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

var (
	bandColour   = color.NRGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0x50} // Okabe–Ito blue, translucent
	lineColour   = color.RGBA{R: 0x00, G: 0x72, B: 0xB2, A: 0xFF}
	targetColour = color.RGBA{R: 0xD5, G: 0x5E, B: 0x00, A: 0xFF} // vermilion
	bestColour   = color.RGBA{R: 0x00, G: 0x9E, B: 0x73, A: 0xFF} // bluish green
	ownColour    = color.RGBA{A: 0xFF}
	otherColour  = color.RGBA{R: 0x7F, G: 0x7F, B: 0x7F, A: 0xFF}
)

// clippedShare draws a share's interval inside [0, 1]: a normal interval
// around a share near 100 % reaches past it, which no share can. Only the
// drawing is clipped; reports keep the intervals as computed.
func clippedShare(y func(staffPoint) sim.CI) func(staffPoint) sim.CI {
	return func(sp staffPoint) sim.CI {
		ci := y(sp)
		ci.Low = min(max(ci.Low, 0), 1)
		ci.High = min(max(ci.High, 0), 1)
		return ci
	}
}

// tradeoffPlot is one panel: a KPI's mean and confidence band against the
// staffing, with the target as a dashed line.
func (r *staffResult) tradeoffPlot(title, ylabel string, x func(staffPoint) float64, y func(staffPoint) sim.CI, target float64, legendTop bool) (*plot.Plot, error) {
	y = clippedShare(y)
	p := plot.New()
	p.Title.Text = title
	p.Y.Label.Text = ylabel
	p.X.Label.Text = "weekday nurse-hours (area teams)"
	// The even scalings (the same factor for line and callbacks) make a
	// curve with a band; the other searched staffings are points with
	// error bars.
	// A coarse search step simulated again in full is drawn once, with
	// its full intervals.
	full := map[[2]float64]bool{}
	for _, sp := range r.Points {
		if !sp.Shipped && !sp.Coarse {
			full[[2]float64{sp.In, sp.CB}] = true
		}
	}
	var pts, other []staffPoint
	for _, sp := range r.Points {
		switch {
		case sp.Shipped:
		case sp.Coarse && full[[2]float64{sp.In, sp.CB}]:
		case sp.In == sp.CB:
			pts = append(pts, sp)
		default:
			other = append(other, sp)
		}
	}
	slices.SortStableFunc(pts, func(a, b staffPoint) int { return cmp.Compare(x(a), x(b)) })
	var mean, band plotter.XYs
	for _, sp := range pts {
		ci := y(sp)
		mean = append(mean, plotter.XY{X: x(sp), Y: ci.Mean})
		band = append(band, plotter.XY{X: x(sp), Y: ci.High})
	}
	for i := len(pts) - 1; i >= 0; i-- {
		band = append(band, plotter.XY{X: x(pts[i]), Y: y(pts[i]).Low})
	}
	if len(pts) >= 2 {
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, err
		}
		poly.Color = bandColour
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = color.Transparent
		p.Add(poly)
		p.Legend.Add(fmt.Sprintf("%.0f %% confidence band", 100*r.Level), poly)
	}
	if len(pts) > 0 {
		line, points, err := plotter.NewLinePoints(mean)
		if err != nil {
			return nil, err
		}
		line.Color, points.Color = lineColour, lineColour
		points.Shape = draw.CircleGlyph{}
		p.Add(line, points)
		p.Legend.Add("square-root staffing, scaled evenly", line, points)
	}
	if len(other) > 0 {
		var xy plotter.XYs
		var bars ciBars
		for _, sp := range other {
			ci := y(sp)
			xy = append(xy, plotter.XY{X: x(sp), Y: ci.Mean})
			bars = append(bars, struct{ x, y, lo, hi float64 }{x(sp), ci.Mean, ci.Mean - ci.Low, ci.High - ci.Mean})
		}
		sc, err := plotter.NewScatter(xy)
		if err != nil {
			return nil, err
		}
		sc.Color, sc.Shape = otherColour, draw.RingGlyph{}
		eb, err := plotter.NewYErrorBars(bars)
		if err != nil {
			return nil, err
		}
		eb.Color = otherColour
		p.Add(eb, sc)
		p.Legend.Add("line and callback duty scaled apart", sc)
	}
	tl := plotter.NewFunction(func(float64) float64 { return target })
	tl.Color = targetColour
	tl.Width = vg.Points(1.5)
	tl.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	p.Add(tl)
	p.Legend.Add(fmt.Sprintf("target %.3g", target), tl)
	mark := func(sp staffPoint, c color.Color, shape draw.GlyphDrawer, label string) error {
		ci := y(sp)
		s, err := plotter.NewScatter(plotter.XYs{{X: x(sp), Y: ci.Mean}})
		if err != nil {
			return err
		}
		s.Color, s.Shape, s.Radius = c, shape, vg.Points(5)
		eb, err := plotter.NewYErrorBars(ciBars{{x: x(sp), y: ci.Mean, lo: ci.Mean - ci.Low, hi: ci.High - ci.Mean}})
		if err != nil {
			return err
		}
		eb.Color = c
		p.Add(eb, s)
		p.Legend.Add(label, s)
		return nil
	}
	if len(r.Points) > 0 && r.Points[0].Shipped {
		if err := mark(r.Points[0], ownColour, draw.BoxGlyph{}, "scenario's own rosters"); err != nil {
			return nil, err
		}
	}
	if r.Best >= 0 {
		if err := mark(r.Points[r.Best], bestColour, draw.PyramidGlyph{}, "smallest meeting every target"); err != nil {
			return nil, err
		}
	}
	// Keep the target line in view.
	pad := 0.05 * (p.Y.Max - p.Y.Min)
	p.Y.Min, p.Y.Max = min(p.Y.Min, target-pad), max(p.Y.Max, target+pad)
	p.Legend.Top = legendTop
	p.Legend.Padding = vg.Points(2)
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	return p, nil
}

// ciBars are y error bars of one point each.
type ciBars []struct{ x, y, lo, hi float64 }

func (b ciBars) Len() int                        { return len(b) }
func (b ciBars) XY(i int) (float64, float64)     { return b[i].x, b[i].y }
func (b ciBars) YError(i int) (float64, float64) { return b[i].lo, b[i].hi }

// writePlots draws the trade-off (service level, abandonment and same-day
// callbacks against the nurse-hours, with confidence bands and target
// lines) as one SVG and one PNG.
func (r *staffResult) writePlots(base string) ([]string, error) {
	nh := func(p staffPoint) float64 { return float64(p.NurseHours) }
	sl, err := r.tradeoffPlot(fmt.Sprintf("%s: answered within %v", r.Scenario, r.SLWithin), "inbound service level", nh,
		func(p staffPoint) sim.CI { return p.SL }, r.Targets.SL, false)
	if err != nil {
		return nil, err
	}
	ab, err := r.tradeoffPlot(r.Scenario+": abandonment", "inbound abandonment", nh,
		func(p staffPoint) sim.CI { return p.Abandon }, r.Targets.MaxAbandon, true)
	if err != nil {
		return nil, err
	}
	cb, err := r.tradeoffPlot(r.Scenario+": same-day callbacks", "same-day callback share", nh,
		func(p staffPoint) sim.CI { return p.SameDay }, r.Targets.SameDay, false)
	if err != nil {
		return nil, err
	}
	plots := [][]*plot.Plot{{sl, ab, cb}}
	w, h := vg.Points(1260), vg.Points(420)
	tiles := draw.Tiles{Rows: 1, Cols: 3, PadX: vg.Points(12), PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(6)}
	var files []string
	svg := vgsvg.New(w, h)
	dc := draw.New(svg)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	drawAll(plots, tiles, dc)
	if err := writeTo(base+".svg", svg.WriteTo); err != nil {
		return files, err
	}
	files = append(files, base+".svg")
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(96), vgimg.UseBackgroundColor(color.White))
	drawAll(plots, tiles, draw.New(img))
	png := vgimg.PngCanvas{Canvas: img}
	if err := writeTo(base+".png", png.WriteTo); err != nil {
		return files, err
	}
	return append(files, base+".png"), nil
}

func drawAll(plots [][]*plot.Plot, tiles draw.Tiles, dc draw.Canvas) {
	canvases := plot.Align(plots, tiles, dc)
	for i := range plots {
		for j := range plots[i] {
			plots[i][j].Draw(canvases[i][j])
		}
	}
}

func writeTo(path string, write func(io.Writer) (int64, error)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
