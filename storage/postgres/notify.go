package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
)

// NotifyChannel is the channel every change of a work item or of a
// professional's state notifies on (migration 15), with an empty payload.
const NotifyChannel = "carecontact_routing"

// DefaultNotifyInterval is the shortest time between two OnChange calls
// of a Notifier unless NotifierConfig.MinInterval says otherwise.
const DefaultNotifyInterval = 50 * time.Millisecond

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	// OnChange is called from Advance once changes were notified since the
	// last call, typically the dispatcher's Refresh
	// (door.Parts().Dispatcher.Refresh). Required.
	OnChange func(ctx context.Context) error
	// MinInterval is the shortest time between two OnChange calls, so a
	// burst of changes costs one refresh. Defaults to
	// DefaultNotifyInterval (50 ms).
	MinInterval time.Duration
	// Clock schedules OnChange. Defaults to carecontact.SystemClock().
	Clock carecontact.Clock
}

// Notifier brings a replica the other replicas' routing changes promptly:
// Listen holds one connection of its own under LISTEN carecontact_routing
// and marks a change pending on every notification; Advance (a
// carecontact.Driven part, and a carecontact.Waker so the Driver wakes at
// once) then calls OnChange. Polling (routing's RefreshEvery) stays the
// fallback: a notification lost with the listening connection costs at
// most one poll, and Listen marks a change pending after every reconnect.
// Safe for concurrent use.
type Notifier struct {
	db   *DB
	cfg  NotifierConfig
	wake chan struct{}

	mu      sync.Mutex
	pending bool
	last    time.Time
}

// Notifier returns a Notifier over the DB's database.
func (db *DB) Notifier(cfg NotifierConfig) (*Notifier, error) {
	if db == nil {
		return nil, errNilDB
	}
	if cfg.OnChange == nil {
		return nil, carecontact.Invalid(errNotifierConfig, "onChange", "is required")
	}
	if cfg.MinInterval < 0 {
		return nil, carecontact.Invalid(errNotifierConfig, "minInterval", "negative duration")
	}
	if cfg.MinInterval == 0 {
		cfg.MinInterval = DefaultNotifyInterval
	}
	if cfg.Clock == nil {
		cfg.Clock = carecontact.SystemClock()
	}
	return &Notifier{db: db, cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

var errNotifierConfig = carecontact.Sentinel(carecontact.ErrInvalid, "postgres: notifier config")

// Listen listens for notifications until ctx is done and returns
// ctx.Err(). The host runs it in a goroutine of its own, next to its
// carecontact.Driver. It uses a connection of its own (the pool's
// configuration, outside the pool) and reconnects after losing it, with
// a wait that doubles from 100 ms up to 5 s.
func (n *Notifier) Listen(ctx context.Context) error {
	backoff := 100 * time.Millisecond
	for {
		err := n.listenOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			backoff = 100 * time.Millisecond
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (n *Notifier) listenOnce(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, n.db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return fmt.Errorf("postgres: notifier: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+NotifyChannel); err != nil {
		return fmt.Errorf("postgres: notifier: listen: %w", err)
	}
	// Changes made while not listening were missed: refresh once.
	n.notify()
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			if errors.Is(err, ctx.Err()) {
				return nil
			}
			return fmt.Errorf("postgres: notifier: %w", err)
		}
		n.notify()
	}
}

func (n *Notifier) notify() {
	n.mu.Lock()
	n.pending = true
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Wake implements carecontact.Waker: it receives on a notification.
func (n *Notifier) Wake() <-chan struct{} { return n.wake }

// NextDeadline implements carecontact.Driven: while a change is pending,
// when OnChange may next run.
func (n *Notifier) NextDeadline(context.Context) (time.Time, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.pending {
		return time.Time{}, false, nil
	}
	return n.last.Add(n.cfg.MinInterval), true, nil
}

// Advance implements carecontact.Driven: it calls OnChange if a change is
// pending and MinInterval has passed since the last call. A failed
// OnChange leaves the change pending.
func (n *Notifier) Advance(ctx context.Context) error {
	now := n.cfg.Clock.Now()
	n.mu.Lock()
	if !n.pending || now.Before(n.last.Add(n.cfg.MinInterval)) {
		n.mu.Unlock()
		return nil
	}
	n.pending, n.last = false, now
	n.mu.Unlock()
	if err := n.cfg.OnChange(ctx); err != nil {
		n.mu.Lock()
		n.pending = true
		n.mu.Unlock()
		return err
	}
	return nil
}

var (
	_ carecontact.Driven = (*Notifier)(nil)
	_ carecontact.Waker  = (*Notifier)(nil)
)
