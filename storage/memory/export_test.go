package memory

import "slices"

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
