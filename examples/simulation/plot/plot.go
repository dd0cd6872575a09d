package plot

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/carecontact/carecontact"
)

// ErrEmpty reports a chart without any finite point to draw.
var ErrEmpty = carecontact.Sentinel(carecontact.ErrInvalid, "plot: nothing to draw")

// Series is one line: Y[i] is drawn at the chart's X[i]. NaN values leave a
// gap in the line.
type Series struct {
	Name string
	Y    []float64
}

// Chart is a line chart.
type Chart struct {
	Title, XLabel, YLabel string
	X                     []float64
	// XTicks are the x values to label; XTickLabel formats them (default:
	// the number).
	XTicks     []float64
	XTickLabel func(float64) string
	// YMin and YMax fix the y range when YMax > YMin; otherwise it is
	// chosen from the data (starting at zero for non-negative data).
	YMin, YMax float64
	// YPercent formats y tick labels as percentages of 1.
	YPercent bool
	Series   []Series
	// Width and Height in pixels; default 900 × 480.
	Width, Height int
}

// Palette holds distinguishable line colours (Okabe–Ito, safe for colour
// blindness, then darker variants); series cycle through it and switch to a
// dashed line on the second round.
var Palette = []string{"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#BCBD22"}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceStep returns a round tick step for a range covered by about n ticks.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			return m * mag
		}
	}
	return 10 * mag
}

// WriteSVG writes the chart as a standalone SVG document.
func (c Chart) WriteSVG(w io.Writer) error {
	width, height := c.Width, c.Height
	if width <= 0 {
		width = 900
	}
	if height <= 0 {
		height = 480
	}
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i, y := range s.Y {
			if i >= len(c.X) || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			xmin, xmax = min(xmin, c.X[i]), max(xmax, c.X[i])
			ymin, ymax = min(ymin, y), max(ymax, y)
		}
	}
	if math.IsInf(xmin, 1) {
		return ErrEmpty
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	if c.YMax > c.YMin {
		ymin, ymax = c.YMin, c.YMax
	} else {
		if ymin >= 0 {
			ymin = 0
		}
		if ymax <= ymin {
			ymax = ymin + 1
		}
		step := niceStep(ymax-ymin, 5)
		ymax = math.Ceil(ymax/step) * step
		ymin = math.Floor(ymin/step) * step
	}
	legendRows := (len(c.Series) + 3) / 4
	left, right, top := 80.0, 30.0, 50.0
	bottom := 70.0 + 22*float64(legendRows)
	pw, ph := float64(width)-left-right, float64(height)-top-bottom
	px := func(x float64) float64 { return left + (x-xmin)/(xmax-xmin)*pw }
	py := func(y float64) float64 { return top + ph - (y-ymin)/(ymax-ymin)*ph }

	bw := bufio.NewWriter(w)
	p := func(format string, a ...any) { fmt.Fprintf(bw, format, a...) }
	p(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`+"\n", width, height, width, height)
	p(`<rect width="100%%" height="100%%" fill="white"/>` + "\n")
	p(`<text x="%s" y="28" font-size="18" font-weight="bold" text-anchor="middle">%s</text>`+"\n", num(float64(width)/2), esc(c.Title))
	// y grid and ticks
	ystep := niceStep(ymax-ymin, 5)
	for y := math.Ceil(ymin/ystep) * ystep; y <= ymax+ystep*1e-9; y += ystep {
		label := strconv.FormatFloat(y, 'g', 4, 64)
		if c.YPercent {
			label = strconv.FormatFloat(100*y, 'f', 0, 64) + " %"
		}
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#dddddd"/>`+"\n", num(left), num(py(y)), num(left+pw), num(py(y)))
		p(`<text x="%s" y="%s" font-size="13" text-anchor="end">%s</text>`+"\n", num(left-8), num(py(y)+4), esc(label))
	}
	// x ticks
	ticks := c.XTicks
	if len(ticks) == 0 {
		st := niceStep(xmax-xmin, 8)
		for x := math.Ceil(xmin/st) * st; x <= xmax+st*1e-9; x += st {
			ticks = append(ticks, x)
		}
	}
	for _, x := range ticks {
		if x < xmin || x > xmax {
			continue
		}
		label := strconv.FormatFloat(x, 'g', 4, 64)
		if c.XTickLabel != nil {
			label = c.XTickLabel(x)
		}
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#eeeeee"/>`+"\n", num(px(x)), num(top), num(px(x)), num(top+ph))
		p(`<text x="%s" y="%s" font-size="13" text-anchor="middle">%s</text>`+"\n", num(px(x)), num(top+ph+20), esc(label))
	}
	p(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#333333"/>`+"\n", num(left), num(top), num(pw), num(ph))
	p(`<text x="%s" y="%s" font-size="14" text-anchor="middle">%s</text>`+"\n", num(left+pw/2), num(top+ph+42), esc(c.XLabel))
	p(`<text x="18" y="%s" font-size="14" text-anchor="middle" transform="rotate(-90 18 %s)">%s</text>`+"\n", num(top+ph/2), num(top+ph/2), esc(c.YLabel))
	// lines
	for si, s := range c.Series {
		colour := Palette[si%len(Palette)]
		dash := ""
		if si >= len(Palette) {
			dash = ` stroke-dasharray="6 4"`
		}
		var path strings.Builder
		pen := false
		for i, y := range s.Y {
			if i >= len(c.X) || math.IsNaN(y) || math.IsInf(y, 0) {
				pen = false
				continue
			}
			y = min(max(y, ymin), ymax)
			if pen {
				path.WriteString(" L")
			} else {
				path.WriteString(" M")
			}
			path.WriteString(num(px(c.X[i])) + " " + num(py(y)))
			pen = true
		}
		if path.Len() > 0 {
			p(`<path d="%s" fill="none" stroke="%s" stroke-width="2.2"%s/>`+"\n", strings.TrimSpace(path.String()), colour, dash)
		}
		// legend: four entries a row under the x label
		lx := left + float64(si%4)*pw/4
		ly := top + ph + 62 + 22*float64(si/4)
		p(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="3"%s/>`+"\n", num(lx), num(ly-4), num(lx+24), num(ly-4), colour, dash)
		p(`<text x="%s" y="%s" font-size="13">%s</text>`+"\n", num(lx+30), num(ly), esc(s.Name))
	}
	p("</svg>\n")
	return bw.Flush()
}
