package memory

import (
	"slices"

	"github.com/carecontact/carecontact/routing"
)

// Tamper changes the log's stored events of subject behind its back, for
// the conformance suite's tampering cases: how is one of storagetest's
// Tampering values.
func (l *AuditLog) Tamper(how, subject string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var at []int // indexes of the subject's links, in order
	for i, ln := range l.links {
		if ln.Event.Subject == subject {
			at = append(at, i)
		}
	}
	switch how {
	case "edit":
		ln := &l.links[at[1]]
		ln.Event.Detail = map[string]string{"i": "edited"}
	case "delete":
		l.links = slices.Delete(l.links, at[1], at[1]+1)
	case "delete-last":
		last := at[len(at)-1]
		l.links = slices.Delete(l.links, last, last+1)
	case "reorder":
		l.links[at[0]], l.links[at[1]] = l.links[at[1]], l.links[at[0]]
	case "client":
		l.links[at[0]].Event.Client = "someone-else"
	default:
		panic("unknown tampering " + how)
	}
}

// RoutingRecords counts the records the routing store's maps hold (live
// items and tombstones) and its tombstones, and returns the most
// tombstones it may keep.
func (s *RoutingStore) RoutingRecords() (mapped, dead, maxTombstones int) {
	for i := range s.items {
		sh := &s.items[i]
		sh.mu.Lock()
		mapped += len(sh.m)
		dead += sh.ndead
		n := 0
		for r := sh.oldest; r != nil; r = r.next {
			if r.Version != 0 || r.Contact != (routing.Contact{}) || sh.m[r.ID] != r {
				panic("memory: a tombstone holds an item or is not indexed")
			}
			n++
		}
		if n != sh.ndead {
			panic("memory: tombstone count is off")
		}
		sh.mu.Unlock()
	}
	return mapped, dead, shards * maxDead
}
