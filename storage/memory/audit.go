package memory

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/carecontact/carecontact/audit"
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
	prepared, err := prepareEvents(events)
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
			out = append(out, cloneEvent(e))
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

// prepareEvents validates events, assigns missing IDs and normalises times to
// UTC, returning copies; the caller appends them under its own lock.
func prepareEvents(events []audit.Event) ([]audit.Event, error) {
	out := make([]audit.Event, 0, len(events))
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("memory: audit event %d: %w", i, err)
		}
		e = cloneEvent(e)
		if e.ID == "" {
			e.ID = uuid.NewString()
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, nil
}

// appendLocked appends already prepared events. Callers that change domain
// state prepare the events first (so a bad event fails the change before
// anything is written) and append them while holding their own lock.
func (l *AuditLog) appendLocked(events []audit.Event) {
	l.mu.Lock()
	l.events = append(l.events, events...)
	l.mu.Unlock()
}

func cloneEvent(e audit.Event) audit.Event {
	if e.Detail != nil {
		d := make(map[string]string, len(e.Detail))
		for k, v := range e.Detail {
			d[k] = v
		}
		e.Detail = d
	}
	return e
}
