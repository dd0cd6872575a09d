package memory

import (
	"context"
	"slices"
	"strings"
	"sync"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// AuditLog is an in-memory audit.Log. The zero value is not usable; call
// NewAuditLog. Domain stores of this package that are given the same
// AuditLog append the events of each change under the change's own lock.
//
// Its events are chained per subject (see audit.Chain): Verify checks
// them, and Heads returns the heads a host may keep elsewhere.
type AuditLog struct {
	mu    sync.Mutex
	links []audit.Link
	heads map[string]audit.Head
}

// NewAuditLog returns an empty audit log.
func NewAuditLog() *AuditLog { return &AuditLog{heads: map[string]audit.Head{}} }

var (
	_ audit.Log      = (*AuditLog)(nil)
	_ audit.Verifier = (*AuditLog)(nil)
)

// Record validates and appends events, all or none.
func (l *AuditLog) Record(ctx context.Context, events ...audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	l.appendLocked(prepared)
	return nil
}

// Events returns the events that match f, oldest first.
func (l *AuditLog) Events(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []audit.Event
	for _, ln := range l.links {
		if f.Match(ln.Event) {
			out = append(out, storekit.CloneEvent(ln.Event))
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

// kit is the adapter's share of the checks and event preparation that
// every adapter makes alike. Event times keep full precision.
var kit = storekit.Kit{Name: "memory"}

// appendLocked appends already prepared events. Callers that change domain
// state prepare the events first (so a bad event fails the change before
// anything is written) and append them while holding their own lock.
func (l *AuditLog) appendLocked(events []audit.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range events {
		head := l.heads[e.Subject]
		ln := audit.Next(head, e)
		l.links = append(l.links, ln)
		l.heads[e.Subject] = audit.Head{Stream: e.Subject, Seq: ln.Seq, Hash: ln.Hash}
	}
}

// Verify checks the chain of every subject's events and reports the first
// broken link, streams in the order of their first event.
func (l *AuditLog) Verify(ctx context.Context) (audit.Verification, error) {
	if err := ctx.Err(); err != nil {
		return audit.Verification{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var order []string
	streams := map[string][]audit.Link{}
	for _, ln := range l.links {
		if _, ok := streams[ln.Event.Subject]; !ok {
			order = append(order, ln.Event.Subject)
		}
		streams[ln.Event.Subject] = append(streams[ln.Event.Subject], ln)
	}
	for _, h := range l.sortedHeads() {
		if _, ok := streams[h.Stream]; !ok {
			order = append(order, h.Stream)
		}
	}
	v := audit.Verification{Streams: len(order), Events: len(l.links)}
	for _, st := range order {
		head, ok := l.heads[st]
		if !ok {
			head = audit.Head{Stream: st}
		}
		if b := audit.VerifyStream(head, streams[st]); b != nil {
			v.Broken = b
			break
		}
	}
	return v, nil
}

// Heads returns the head of every stream, by stream.
func (l *AuditLog) Heads(ctx context.Context) ([]audit.Head, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sortedHeads(), nil
}

func (l *AuditLog) sortedHeads() []audit.Head {
	out := make([]audit.Head, 0, len(l.heads))
	for _, h := range l.heads {
		out = append(out, h)
	}
	slices.SortFunc(out, func(a, b audit.Head) int { return strings.Compare(a.Stream, b.Stream) })
	return out
}
