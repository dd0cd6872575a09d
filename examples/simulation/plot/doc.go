// Package plot draws simple line charts as SVG, written by hand with no
// plotting dependency: one chart is a title, an x axis of numbers with
// labelled ticks, a y axis with a fixed or automatic range, and a line per
// series with a legend. It is enough for "queue length over the day, per
// team" and readable both in a browser and converted to PNG.
//
// Charts are plain values; WriteSVG is safe to call concurrently on
// different charts. Errors: ErrEmpty for a chart with nothing to draw, and
// those of the io.Writer.
package plot
