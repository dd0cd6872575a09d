package booking

import (
	"fmt"
	"slices"
	"time"
	"unsafe"

	"github.com/carecontact/carecontact/civil"
)

// iblock is a compact indexed block: Unix seconds and a block type code.
type iblock struct {
	start, end int64
	t          uint8
}

var blockCodes = BlockTypes()

func blockCode(t BlockType) uint8 { return uint8(slices.Index(blockCodes, t)) }

// Index holds every calendar's working blocks of a range of days in UTC,
// per calendar and sorted, so that slot search looks up free intervals by
// binary search instead of walking the horizon. It is read-only once built
// and safe for concurrent use. Days outside the range are computed from the
// calendars on demand.
type Index struct {
	set       *CalendarSet
	from, to  civil.Date // days [from, to)
	lo, hi    int64
	blocks    [][]iblock // by calendar position in set
	numBlocks int
	// dayLo[k] is the first instant of day from+k (k up to the number of
	// days), and dayOff[p*(len(dayLo))+k] the first of calendar p's
	// blocks on or after day from+k.
	dayLo  []int64
	dayOff []int32
}

// NewIndex computes the blocks of every calendar of set for the days
// from .. from+days-1 (days of Europe/Helsinki).
func NewIndex(set *CalendarSet, from civil.Date, days int) (*Index, error) {
	if set == nil {
		return nil, fmt.Errorf("%w: index: calendar set is nil", ErrInvalid)
	}
	if !from.Valid() || days < 0 || days > 3660 {
		return nil, fmt.Errorf("%w: index: from %s, days %d", ErrInvalid, from, days)
	}
	loc := civil.Helsinki()
	ix := &Index{set: set, from: from, to: from.AddDays(days), blocks: make([][]iblock, len(set.order)),
		lo: from.At(0, loc).Unix(), hi: from.AddDays(days).At(0, loc).Unix()}
	for k := 0; k <= days; k++ {
		ix.dayLo = append(ix.dayLo, from.AddDays(k).At(0, loc).Unix())
	}
	ix.dayOff = make([]int32, 0, len(set.cals)*(days+1))
	for i, c := range set.cals {
		var bs []iblock
		for d := from; d.Before(ix.to); d = d.AddDays(1) {
			ix.dayOff = append(ix.dayOff, int32(len(bs)))
			bs = appendBlocks(bs, c, d)
		}
		ix.dayOff = append(ix.dayOff, int32(len(bs)))
		ix.blocks[i] = slices.Clip(bs)
		ix.numBlocks += len(bs)
	}
	return ix, nil
}

func appendBlocks(bs []iblock, c *Calendar, d civil.Date) []iblock {
	day, err := c.BlocksOn(d)
	if err != nil {
		return bs
	}
	for _, b := range day {
		bs = append(bs, iblock{b.Start.Unix(), b.End.Unix(), blockCode(b.Type)})
	}
	return bs
}

// Calendars returns the indexed calendar set.
func (ix *Index) Calendars() *CalendarSet { return ix.set }

// Blocks returns the number of indexed blocks.
func (ix *Index) Blocks() int { return ix.numBlocks }

// SizeBytes estimates the memory the index's block data takes: the block
// arrays and the map entries (the calendars themselves are not counted).
func (ix *Index) SizeBytes() int {
	n := 0
	for _, bs := range ix.blocks {
		n += cap(bs)*int(unsafe.Sizeof(iblock{})) + int(unsafe.Sizeof(bs))
	}
	n += 8*cap(ix.dayLo) + 4*cap(ix.dayOff)
	return n
}

// window returns the blocks of the calendar at position pos of the set
// that overlap [lo, hi) (Unix seconds). Inside the indexed days it is a
// subslice of the index, which must not be changed.
func (ix *Index) window(pos int32, lo, hi int64) []iblock {
	return ix.windowOn(pos, ix.day(lo), lo, hi)
}

// day returns the index of the indexed day that holds instant t, or -1
// if t is outside the indexed days.
func (ix *Index) day(t int64) int {
	if t < ix.lo || t >= ix.hi {
		return -1
	}
	i, j := 0, len(ix.dayLo)
	for i < j { // the first day starting after t
		h := int(uint(i+j) >> 1)
		if ix.dayLo[h] > t {
			j = h
		} else {
			i = h + 1
		}
	}
	return i - 1
}

// windowOn is window for an lo on day k (ix.day(lo)).
func (ix *Index) windowOn(pos int32, k int, lo, hi int64) []iblock {
	if k >= 0 && hi <= ix.hi {
		bs := ix.blocks[pos]
		i := int(ix.dayOff[int(pos)*len(ix.dayLo)+k])
		for i < len(bs) && bs[i].end <= lo {
			i++
		}
		j := i
		for j < len(bs) && bs[j].start < hi {
			j++
		}
		return bs[i:j]
	}
	c := ix.set.cals[pos]
	loc := civil.Helsinki()
	var bs []iblock
	first := civil.DateOf(time.Unix(lo, 0), loc).AddDays(-1)
	last := civil.DateOf(time.Unix(hi, 0), loc)
	for d := first; !last.Before(d); d = d.AddDays(1) {
		bs = appendBlocks(bs, c, d)
	}
	return slices.DeleteFunc(bs, func(b iblock) bool { return b.end <= lo || b.start >= hi })
}
