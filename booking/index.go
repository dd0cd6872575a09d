package booking

import (
	"fmt"
	"slices"
	"sort"
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
	blocks    map[CalendarID][]iblock
	numBlocks int
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
	ix := &Index{set: set, from: from, to: from.AddDays(days), blocks: make(map[CalendarID][]iblock, len(set.order)),
		lo: from.At(0, loc).Unix(), hi: from.AddDays(days).At(0, loc).Unix()}
	for _, id := range set.order {
		c := set.byID[id]
		var bs []iblock
		for d := from; d.Before(ix.to); d = d.AddDays(1) {
			bs = appendBlocks(bs, c, d)
		}
		ix.blocks[id] = slices.Clip(bs)
		ix.numBlocks += len(bs)
	}
	return ix, nil
}

func appendBlocks(bs []iblock, c *Calendar, d civil.Date) []iblock {
	day, err := c.BlocksOn(d)
	if err != nil {
		return bs
	}
	midnight := d.At(0, civil.Helsinki()).Unix()
	for _, b := range day {
		ib := iblock{b.Start.Unix(), b.End.Unix(), blockCode(b.Type)}
		// An overnight span goes on across midnight as one block, so its
		// slots keep their grid and may cross midnight.
		if n := len(bs); n > 0 && ib.start == midnight && bs[n-1].end == midnight && bs[n-1].t == ib.t {
			bs[n-1].end = ib.end
			continue
		}
		bs = append(bs, ib)
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
	for id, bs := range ix.blocks {
		n += cap(bs)*int(unsafe.Sizeof(iblock{})) + len(id) + int(unsafe.Sizeof(bs)) + int(unsafe.Sizeof(id))
	}
	return n
}

// window returns calendar id's blocks that overlap [lo, hi) (Unix seconds).
func (ix *Index) window(id CalendarID, lo, hi int64) []iblock {
	if lo >= ix.lo && hi <= ix.hi {
		bs := ix.blocks[id]
		i := sort.Search(len(bs), func(i int) bool { return bs[i].end > lo })
		j := i
		for j < len(bs) && bs[j].start < hi {
			j++
		}
		return bs[i:j]
	}
	c, ok := ix.set.byID[id]
	if !ok {
		return nil
	}
	loc := civil.Helsinki()
	var bs []iblock
	first := civil.DateOf(time.Unix(lo, 0), loc).AddDays(-1)
	last := civil.DateOf(time.Unix(hi, 0), loc)
	for d := first; !last.Before(d); d = d.AddDays(1) {
		bs = appendBlocks(bs, c, d)
	}
	return slices.DeleteFunc(bs, func(b iblock) bool { return b.end <= lo || b.start >= hi })
}
