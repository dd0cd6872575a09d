package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
)

// ErrLeaseLost reports a Renew of a lease whose term has ended: it lapsed
// or another replica took it over.
var ErrLeaseLost = carecontact.Sentinel(carecontact.ErrConflict, "postgres: lease lost")

var errLeaseConfig = carecontact.Sentinel(carecontact.ErrInvalid, "postgres: lease config")

// Defaults of LeaseConfig.
const (
	DefaultLeaseName = "routing"
	DefaultLeaseTTL  = 7 * time.Second
)

// LeaseConfig configures a Lease.
type LeaseConfig struct {
	// Name names the lease; the replicas electing one leader use one
	// name. Defaults to DefaultLeaseName ("routing").
	Name string
	// Holder names this replica in the lease row; it must differ between
	// processes (no personal data). Defaults to a random UUID.
	Holder string
	// TTL is how long a term lasts without a renewal, measured on the
	// database's clock: when the leader dies, another replica takes over
	// at most TTL plus RenewEvery later. Defaults to DefaultLeaseTTL
	// (7 seconds, so that a takeover comes within 10 s).
	TTL time.Duration
	// RenewEvery is how often the holder renews and a follower tries to
	// take over (Advance). It must be shorter than TTL. Defaults to a
	// third of TTL.
	RenewEvery time.Duration
	// Clock schedules Advance and tells when, by this replica's own
	// reckoning, its term may have lapsed (TTL after the renewal was sent);
	// it never decides who holds the lease. Defaults to
	// carecontact.SystemClock().
	Clock carecontact.Clock
}

// Lease is one replica's part in electing a leader in PostgreSQL: a row of
// carecontact_leases holds the name, the holder, a fencing token and an
// expiry on the database's clock. Acquire takes the lease if it is free or
// has expired (the token then increases), Renew extends the holder's term,
// Release ends it. As a carecontact.Driven part (before the door in a
// carecontact.Driver) it renews while held and otherwise tries to take
// over, every RenewEvery; it starts no goroutine. It implements
// carecontact.Leadership for routing.DispatcherConfig.Leader, and the
// RoutingStore refuses a decision whose fence is no longer the lease's
// current term (routing.ErrNotLeader). Safe for concurrent use.
type Lease struct {
	db  *DB
	cfg LeaseConfig

	mu         sync.Mutex
	held       bool
	fence      carecontact.Fence
	validUntil time.Time // local clock: start of the last renewal + TTL
	nextAt     time.Time // local clock: when Advance next has work
}

// Lease returns this replica's handle on the lease cfg names. It does not
// touch the database; call Acquire, or drive it.
func (db *DB) Lease(cfg LeaseConfig) (*Lease, error) {
	if db == nil {
		return nil, errNilDB
	}
	if cfg.Name == "" {
		cfg.Name = DefaultLeaseName
	}
	if cfg.Holder == "" {
		cfg.Holder = uuid.NewString()
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultLeaseTTL
	}
	if cfg.RenewEvery == 0 {
		cfg.RenewEvery = cfg.TTL / 3
	}
	if cfg.Clock == nil {
		cfg.Clock = carecontact.SystemClock()
	}
	switch {
	case cfg.TTL < time.Millisecond:
		return nil, carecontact.Invalid(errLeaseConfig, "ttl", "shorter than a millisecond")
	case cfg.RenewEvery < 0 || cfg.RenewEvery >= cfg.TTL:
		return nil, carecontact.Invalid(errLeaseConfig, "renewEvery", "not between zero and the ttl")
	}
	return &Lease{db: db, cfg: cfg}, nil
}

// Name returns the lease's name.
func (l *Lease) Name() string { return l.cfg.Name }

// Holder returns the name this replica holds the lease under.
func (l *Lease) Holder() string { return l.cfg.Holder }

// Acquire takes the lease for this replica if nobody holds it or its term
// has expired on the database's clock (a new term: the token is one
// greater than the last), or renews it if this replica holds it. It
// reports the fence and whether this replica now holds the lease.
func (l *Lease) Acquire(ctx context.Context) (carecontact.Fence, bool, error) {
	start := l.cfg.Clock.Now()
	var token int64
	err := l.db.do(ctx, "postgres: acquire lease", true, func(ctx context.Context) error {
		return l.db.pool.QueryRow(ctx, `INSERT INTO carecontact_leases AS l (name, holder, token, expires_at)
			VALUES ($1, $2, 1, now() + $3 * interval '1 microsecond')
			ON CONFLICT (name) DO UPDATE SET
				token = CASE WHEN l.holder = EXCLUDED.holder AND l.expires_at > now() THEN l.token ELSE l.token + 1 END,
				holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
			WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
			RETURNING token`, l.cfg.Name, l.cfg.Holder, l.cfg.TTL.Microseconds()).Scan(&token)
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		l.held = false
		return carecontact.Fence{}, false, nil
	case err != nil:
		return carecontact.Fence{}, false, fmt.Errorf("postgres: acquire lease %s: %w", l.cfg.Name, err)
	}
	l.held, l.fence, l.validUntil = true, carecontact.Fence{Lease: l.cfg.Name, Token: token}, start.Add(l.cfg.TTL)
	return l.fence, true, nil
}

// Renew extends this replica's term by TTL from the database's now. It
// fails with ErrLeaseLost when the term has ended (expired, or another
// replica took over), and this replica no longer leads.
func (l *Lease) Renew(ctx context.Context) error {
	l.mu.Lock()
	f := l.fence
	l.mu.Unlock()
	start := l.cfg.Clock.Now()
	var token int64
	err := l.db.do(ctx, "postgres: renew lease", true, func(ctx context.Context) error {
		return l.db.pool.QueryRow(ctx, `UPDATE carecontact_leases SET expires_at = now() + $4 * interval '1 microsecond'
			WHERE name = $1 AND holder = $2 AND token = $3 AND expires_at > now() RETURNING token`,
			l.cfg.Name, l.cfg.Holder, f.Token, l.cfg.TTL.Microseconds()).Scan(&token)
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		if l.fence == f {
			l.held = false
		}
		return fmt.Errorf("%w: %s term %d", ErrLeaseLost, l.cfg.Name, f.Token)
	case err != nil:
		return fmt.Errorf("postgres: renew lease %s: %w", l.cfg.Name, err)
	}
	if l.fence == f {
		l.validUntil = start.Add(l.cfg.TTL)
	}
	return nil
}

// Release ends this replica's term at once (at a clean shutdown), so
// another replica takes over at its next try instead of after the TTL.
func (l *Lease) Release(ctx context.Context) error {
	l.mu.Lock()
	f, held := l.fence, l.held
	l.held = false
	l.mu.Unlock()
	if !held {
		return nil
	}
	err := l.db.do(ctx, "postgres: release lease", true, func(ctx context.Context) error {
		_, err := l.db.pool.Exec(ctx, `UPDATE carecontact_leases SET expires_at = now()
			WHERE name = $1 AND holder = $2 AND token = $3`, l.cfg.Name, l.cfg.Holder, f.Token)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: release lease %s: %w", l.cfg.Name, err)
	}
	return nil
}

// Leading implements carecontact.Leadership: the fence of this replica's
// term and true while it holds the lease and TTL has not passed on Clock
// since its last renewal was sent. The database's expiry is never
// earlier, so a replica that reports true is the only one that may.
func (l *Lease) Leading() (carecontact.Fence, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.held || !l.cfg.Clock.Now().Before(l.validUntil) {
		return carecontact.Fence{}, false
	}
	return l.fence, true
}

// NextDeadline implements carecontact.Driven: the next renewal or
// takeover attempt, or the lapse of the term if that is earlier.
func (l *Lease) NextDeadline(context.Context) (time.Time, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.nextAt
	if l.held && l.validUntil.Before(t) {
		t = l.validUntil
	}
	return t, true, nil
}

// Advance implements carecontact.Driven: once RenewEvery has passed since
// the last attempt, it renews the term this replica holds, or tries to
// take the lease over. A lost lease is not an error: this replica goes
// on as a follower.
func (l *Lease) Advance(ctx context.Context) error {
	now := l.cfg.Clock.Now()
	l.mu.Lock()
	due, held := !now.Before(l.nextAt), l.held
	if due {
		l.nextAt = now.Add(l.cfg.RenewEvery)
	}
	l.mu.Unlock()
	if !due {
		return nil
	}
	if held {
		err := l.Renew(ctx)
		if !errors.Is(err, ErrLeaseLost) {
			return err
		}
	}
	_, _, err := l.Acquire(ctx)
	return err
}

var (
	_ carecontact.Driven     = (*Lease)(nil)
	_ carecontact.Leadership = (*Lease)(nil)
)

// checkFence refuses, inside tx, a decision whose fence is not the lease's
// current, unexpired term, with an error wrapping notLeader. FOR SHARE
// keeps the lease row as it is until tx ends: a takeover waits for the
// decisions already checked.
func checkFence(ctx context.Context, tx pgx.Tx, f carecontact.Fence, notLeader error) error {
	var current bool
	err := tx.QueryRow(ctx, `SELECT token = $2 AND expires_at > now() FROM carecontact_leases WHERE name = $1 FOR SHARE`,
		f.Lease, f.Token).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !current) {
		return fmt.Errorf("%w: lease %s term %d has ended", notLeader, f.Lease, f.Token)
	}
	return err
}

// queueFence queues checkFence's statement on b.
func queueFence(b *pgx.Batch, f carecontact.Fence) {
	b.Queue(`SELECT token = $2 AND expires_at > now() FROM carecontact_leases WHERE name = $1 FOR SHARE`, f.Lease, f.Token)
}

// readFence reads the result of queueFence as checkFence does.
func readFence(br pgx.BatchResults, f carecontact.Fence, notLeader error) error {
	var current bool
	err := br.QueryRow().Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !current) {
		return fmt.Errorf("%w: lease %s term %d has ended", notLeader, f.Lease, f.Token)
	}
	return err
}
