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

// CallbackNotifyChannel is the channel every change of a callback request
// or of a team's day plan notifies on (migration 17), with an empty
// payload.
const CallbackNotifyChannel = "carecontact_callback"

// DefaultNotifyInterval is the shortest time between two OnChange calls
// of a Notifier unless NotifierConfig.MinInterval says otherwise.
const DefaultNotifyInterval = 50 * time.Millisecond

// NotifierConfig configures a Notifier.
type NotifierConfig struct {
	// OnChange is called from Advance once changes were notified since the
	// last call, typically the dispatcher's Refresh
	// (door.Parts().Dispatcher.Refresh). Required.
	OnChange func(ctx context.Context) error
	// OnCallbackChange is called from Advance once callback requests or
	// day plans were changed (on any replica) since the last call, for a
	// host that keeps a view of them (a desk). The callback planner needs
	// none: a callback notification wakes the Driver, whose step then
	// advances the door and so the planner, which reads the open requests
	// from the store on every pass. Defaults to none.
	OnCallbackChange func(ctx context.Context) error
	// MinInterval is the shortest time between two OnChange calls, and
	// between two OnCallbackChange calls, so a burst of changes costs one
	// refresh. Defaults to DefaultNotifyInterval (50 ms).
	MinInterval time.Duration
	// Clock schedules OnChange. Defaults to carecontact.SystemClock().
	Clock carecontact.Clock
}

// Notifier brings a replica the other replicas' changes promptly: Listen
// holds one connection of its own under LISTEN carecontact_routing and
// carecontact_callback, and marks a change of that kind pending on every
// notification; as a carecontact.Waker it wakes the Driver at once, and
// Advance (a carecontact.Driven part) then calls OnChange for routing
// changes and OnCallbackChange for callback changes. The Driver's step
// after a wake advances every part, so the leader's callback planner
// re-plans at once after a follower's request. Polling stays the
// fallback: routing's RefreshEvery, and the Driver's MaxWait for the
// callback planner; a notification lost with the listening connection
// costs at most one poll, and Listen marks both kinds pending after every
// reconnect. Safe for concurrent use.
type Notifier struct {
	db   *DB
	cfg  NotifierConfig
	wake chan struct{}

	mu    sync.Mutex
	kinds [2]notifyKind // routing, callback
}

// notifyKind is the pending state of one channel.
type notifyKind struct {
	pending bool
	last    time.Time
}

const (
	kindRouting = iota
	kindCallback
)

// onChange returns the callback of kind k, or nil.
func (n *Notifier) onChange(k int) func(context.Context) error {
	if k == kindRouting {
		return n.cfg.OnChange
	}
	return n.cfg.OnCallbackChange
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
// a wait that doubles from 100 ms up to 5 s while connecting fails and
// starts from 100 ms again after a connection that was listening.
func (n *Notifier) Listen(ctx context.Context) error {
	backoff := minReconnectWait
	for {
		listened, _ := n.listenOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		backoff = reconnectWait(backoff, listened)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		backoff = min(2*backoff, maxReconnectWait)
	}
}

// The Notifier's reconnect waits.
const (
	minReconnectWait = 100 * time.Millisecond
	maxReconnectWait = 5 * time.Second
)

// reconnectWait is the wait before the next connection after one that
// ended, the last wait having been last: a connection that was listening
// before it was lost starts a new outage from the shortest wait.
func reconnectWait(last time.Duration, listened bool) time.Duration {
	if listened || last < minReconnectWait {
		return minReconnectWait
	}
	return min(last, maxReconnectWait)
}

// listenOnce listens on one connection until it is lost or ctx is done;
// listened tells whether it got as far as listening.
func (n *Notifier) listenOnce(ctx context.Context) (listened bool, err error) {
	conn, err := pgx.ConnectConfig(ctx, n.db.pool.Config().ConnConfig.Copy())
	if err != nil {
		return false, fmt.Errorf("postgres: notifier: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	for _, ch := range []string{NotifyChannel, CallbackNotifyChannel} {
		if _, err := conn.Exec(ctx, "LISTEN "+ch); err != nil {
			return false, fmt.Errorf("postgres: notifier: listen: %w", err)
		}
	}
	// Changes made while not listening were missed: refresh once.
	n.notify(kindRouting, kindCallback)
	for {
		msg, err := conn.WaitForNotification(ctx)
		if err != nil {
			if errors.Is(err, ctx.Err()) {
				return true, nil
			}
			return true, fmt.Errorf("postgres: notifier: %w", err)
		}
		switch msg.Channel {
		case CallbackNotifyChannel:
			n.notify(kindCallback)
		default:
			n.notify(kindRouting)
		}
	}
}

func (n *Notifier) notify(kinds ...int) {
	n.mu.Lock()
	for _, k := range kinds {
		n.kinds[k].pending = true
	}
	n.mu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// Wake implements carecontact.Waker: it receives on a notification.
func (n *Notifier) Wake() <-chan struct{} { return n.wake }

// NextDeadline implements carecontact.Driven: while a change is pending,
// when its callback may next run.
func (n *Notifier) NextDeadline(context.Context) (time.Time, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var next time.Time
	found := false
	for k, st := range n.kinds {
		if !st.pending || n.onChange(k) == nil {
			continue
		}
		if t := st.last.Add(n.cfg.MinInterval); !found || t.Before(next) {
			next, found = t, true
		}
	}
	return next, found, nil
}

// Advance implements carecontact.Driven: for each kind of change pending
// (routing, callback) whose MinInterval has passed since its last call, it
// calls OnChange or OnCallbackChange; a pending callback change without
// OnCallbackChange is done with, since the wake was all it needed. A
// failed call leaves its change pending; the errors are joined.
func (n *Notifier) Advance(ctx context.Context) error {
	now := n.cfg.Clock.Now()
	var errs []error
	for k := range n.kinds {
		fn := n.onChange(k)
		n.mu.Lock()
		st := &n.kinds[k]
		if !st.pending || (fn != nil && now.Before(st.last.Add(n.cfg.MinInterval))) {
			n.mu.Unlock()
			continue
		}
		st.pending, st.last = false, now
		n.mu.Unlock()
		if fn == nil {
			continue
		}
		if err := fn(ctx); err != nil {
			n.mu.Lock()
			n.kinds[k].pending = true
			n.mu.Unlock()
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

var (
	_ carecontact.Driven = (*Notifier)(nil)
	_ carecontact.Waker  = (*Notifier)(nil)
)
