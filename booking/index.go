package booking

import (
	"fmt"
	"math"
	"slices"
	"time"
	"unsafe"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// iblock is a compact indexed block: its start in Unix seconds, its
// length in seconds (a block lies within one day) and a block type code;
// 16 bytes, so that a day's blocks of many calendars take little cache.
type iblock struct {
	start int64
	n     uint32
	t     uint8
}

// end returns the end of b in Unix seconds.
func (b *iblock) end() int64 { return b.start + int64(b.n) }

var blockCodes = BlockTypes()

func blockCode(t BlockType) uint8 { return uint8(slices.Index(blockCodes, t)) }

// Index holds every calendar's working blocks of a range of days in UTC,
// day by day and within a day calendar by calendar, so that slot search
// finds the blocks near an instant without walking the horizon and reads
// the calendars of one day from one stretch of memory. It is read-only once
// built and safe for concurrent use. Days outside the range are computed
// from the calendars on demand.
type Index struct {
	set       *CalendarSet
	from, to  civil.Date // days [from, to)
	lo, hi    int64
	numBlocks int
	ncal      int
	// dayLo[k] is the first instant of day from+k (k up to the number of
	// days). The blocks of calendar p (its position in set) on day from+k
	// are flat[off[k*ncal+p]:off[k*ncal+p+1]], sorted by start.
	dayLo []int64
	flat  []iblock
	off   []int32
}

// NewIndex computes the blocks of every calendar of set for the days
// from .. from+days-1 (days of Europe/Helsinki).
func NewIndex(set *CalendarSet, from civil.Date, days int) (*Index, error) {
	if set == nil {
		return nil, carecontact.Invalid(ErrInvalid, "set", "the calendar set is nil")
	}
	if !from.Valid() {
		return nil, carecontact.Invalid(ErrInvalid, "from", fmt.Sprintf("%s is not a day", from))
	}
	if days < 0 || days > 3660 {
		return nil, carecontact.Invalid(ErrInvalid, "days", fmt.Sprintf("%d is not 0 to 3660", days))
	}
	loc := civil.Helsinki()
	ix := &Index{set: set, from: from, to: from.AddDays(days), ncal: len(set.cals),
		lo: from.At(0, loc).Unix(), hi: from.AddDays(days).At(0, loc).Unix()}
	for k := 0; k <= days; k++ {
		ix.dayLo = append(ix.dayLo, from.AddDays(k).At(0, loc).Unix())
	}
	ix.off = make([]int32, 0, len(set.cals)*days+1)
	for d := from; d.Before(ix.to); d = d.AddDays(1) {
		for _, c := range set.cals {
			ix.off = append(ix.off, int32(len(ix.flat)))
			ix.flat = appendBlocks(ix.flat, c, d)
			if len(ix.flat) > math.MaxInt32 {
				return nil, fmt.Errorf("%w: index: too many blocks", ErrInvalid)
			}
		}
	}
	ix.off = append(ix.off, int32(len(ix.flat)))
	ix.flat = slices.Clip(ix.flat)
	ix.numBlocks = len(ix.flat)
	return ix, nil
}

// dayBlocks returns the indices in flat of the blocks of the calendar at
// position pos on indexed day k.
func (ix *Index) dayBlocks(pos int32, k int) (int32, int32) {
	i := k*ix.ncal + int(pos)
	return ix.off[i], ix.off[i+1]
}

func appendBlocks(bs []iblock, c *Calendar, d civil.Date) []iblock {
	day, err := c.BlocksOn(d)
	if err != nil {
		return bs
	}
	for _, b := range day {
		start := b.Start.Unix()
		bs = append(bs, iblock{start, uint32(b.End.Unix() - start), blockCode(b.Type)})
	}
	return bs
}

// Calendars returns the indexed calendar set.
func (ix *Index) Calendars() *CalendarSet { return ix.set }

// Blocks returns the number of indexed blocks.
func (ix *Index) Blocks() int { return ix.numBlocks }

// SizeBytes estimates the memory the index's block data takes (the
// calendars themselves are not counted).
func (ix *Index) SizeBytes() int {
	return cap(ix.flat)*int(unsafe.Sizeof(iblock{})) + 4*cap(ix.off) + 8*cap(ix.dayLo)
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
		var out []iblock
		for ; k < len(ix.dayLo)-1 && ix.dayLo[k] < hi; k++ {
			i, j := ix.dayBlocks(pos, k)
			for _, b := range ix.flat[i:j] {
				if b.end() > lo && b.start < hi {
					out = append(out, b)
				}
			}
		}
		return out
	}
	c := ix.set.cals[pos]
	loc := civil.Helsinki()
	var bs []iblock
	first := civil.DateOf(time.Unix(lo, 0), loc).AddDays(-1)
	last := civil.DateOf(time.Unix(hi, 0), loc)
	for d := first; !last.Before(d); d = d.AddDays(1) {
		bs = appendBlocks(bs, c, d)
	}
	return slices.DeleteFunc(bs, func(b iblock) bool { return b.end() <= lo || b.start >= hi })
}
