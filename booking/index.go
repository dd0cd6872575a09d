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
// length in seconds (a block lies within the day of its start, except an
// overnight block, which ends by the end of the next day; see
// joinOvernight) and a block type code; 16 bytes, so that a day's blocks
// of many calendars take little cache.
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
	// are flat[off[k*ncal+p]:off[k*ncal+p+1]], sorted by start: the
	// blocks that start that day, the last of which may be an overnight
	// block running into the next day.
	dayLo []int64
	flat  []iblock
	off   []int32
	// overnight is set if some block crosses midnight, so that lookups
	// must also read the day before.
	overnight bool
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
	for k, d := 0, from; d.Before(ix.to); k, d = k+1, d.AddDays(1) {
		for p, c := range set.cals {
			seg := len(ix.flat)
			ix.off = append(ix.off, int32(seg))
			ix.flat = appendBlocks(ix.flat, c, d)
			// An overnight span goes on as the previous day's last block.
			if k > 0 && seg < len(ix.flat) {
				if i, j := ix.dayBlocks(int32(p), k-1); i < j && joinOvernight(&ix.flat[j-1], ix.flat[seg], d) {
					ix.flat = slices.Delete(ix.flat, seg, seg+1)
					ix.overnight = true
				}
			}
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

// appendBlocks appends calendar c's blocks of day d to bs.
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

// appendDays appends calendar c's blocks of the days first .. last, an
// overnight span as one block (see joinOvernight).
func appendDays(bs []iblock, c *Calendar, first, last civil.Date) []iblock {
	for d := first; !last.Before(d); d = d.AddDays(1) {
		n := len(bs)
		bs = appendBlocks(bs, c, d)
		if n > 0 && n < len(bs) && joinOvernight(&bs[n-1], bs[n], d) {
			bs = slices.Delete(bs, n, n+1)
		}
	}
	return bs
}

// joinOvernight joins next, the first block of day d, onto prev, the last
// block of the day before, if together they are one overnight span: prev
// starts after the midnight starting its day and runs to midnight, and
// next, of the same type, starts at that midnight. The slots of the span
// then keep one grid and may cross midnight. A block crosses at most one
// midnight: a whole-day block does not take the next day's on (nor one
// already joined, which starts before its day).
func joinOvernight(prev *iblock, next iblock, d civil.Date) bool {
	loc := civil.Helsinki()
	midnight := d.At(0, loc).Unix()
	if next.start != midnight || prev.end() != midnight || prev.t != next.t || prev.start <= d.AddDays(-1).At(0, loc).Unix() {
		return false
	}
	prev.n += next.n
	return true
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
		if k > 0 && ix.overnight { // an overnight block of the day before
			k--
		}
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
	first := civil.DateOf(time.Unix(lo, 0), loc).AddDays(-1)
	last := civil.DateOf(time.Unix(hi, 0), loc)
	bs := appendDays(nil, c, first, last)
	return slices.DeleteFunc(bs, func(b iblock) bool { return b.end() <= lo || b.start >= hi })
}
