package memory

import (
	"context"
	"sync"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// AuditLog is an in-memory audit.Log. The zero value is not usable; call
// NewAuditLog. Domain stores of this package that are given the same
// AuditLog append the events of each change under the change's own lock.
type AuditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

// NewAuditLog returns an empty audit log.
func NewAuditLog() *AuditLog { return &AuditLog{} }

// Record validates and appends events, all or none.
func (l *AuditLog) Record(ctx context.Context, events ...audit.Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, prepared...)
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
	for _, e := range l.events {
		if f.Match(e) {
			out = append(out, storekit.CloneEvent(e))
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
	l.events = append(l.events, events...)
	l.mu.Unlock()
}
