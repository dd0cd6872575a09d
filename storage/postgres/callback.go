package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
)

// CallbackStore is the callback.Store over the callback_requests table.
// One open request per client and errand is a partial unique index, so a
// callback request is opened once however many replicas race; Update is a
// compare-and-set on the version column under the row's lock.
type CallbackStore struct{ db *DB }

// CallbackStore returns the DB's callback store.
func (db *DB) CallbackStore() *CallbackStore { return &CallbackStore{db: db} }

var _ callback.Store = (*CallbackStore)(nil)

const callbackColumns = "doc, phone, version"

func scanCallback(row pgx.Row) (callback.Record, error) {
	var doc []byte
	var phone string
	var version int64
	if err := row.Scan(&doc, &phone, &version); err != nil {
		return callback.Record{}, err
	}
	var r callback.Record
	if err := json.Unmarshal(doc, &r); err != nil {
		return callback.Record{}, fmt.Errorf("postgres: decode callback request: %w", err)
	}
	r.Phone = callback.Phone(phone)
	r.Version = version
	return r, nil
}

// OpenOrJoin implements callback.Store.
func (s *CallbackStore) OpenOrJoin(ctx context.Context, r callback.Record, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	return s.open(ctx, r, nil, actor, at)
}

// OpenReserved implements callback.Store. The new request's row is
// inserted first and the day's plan row updated after it, in one
// transaction; a plan row whose version moved makes the transaction roll
// back with callback.ErrPlanChanged.
func (s *CallbackStore) OpenReserved(ctx context.Context, r callback.Record, res callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	if err := kit.CallbackReservation(r, res); err != nil {
		return callback.Record{}, false, err
	}
	return s.open(ctx, r, &res, actor, at)
}

// open opens or joins r; a new request takes the reservation res, if any.
func (s *CallbackStore) open(ctx context.Context, r callback.Record, res *callback.Reservation, actor audit.Actor, at time.Time) (callback.Record, bool, error) {
	if err := kit.CallbackOpen(r); err != nil {
		return callback.Record{}, false, err
	}
	var out callback.Record
	var joined bool
	err := s.db.inTx(ctx, "postgres: callback open", func(ctx context.Context, tx pgx.Tx) error {
		for {
			// Join the open request if there is one (locking it) ...
			cur, err := scanCallback(tx.QueryRow(ctx, "SELECT "+callbackColumns+
				" FROM callback_requests WHERE client = $1 AND errand = $2 AND open FOR UPDATE", r.Client, string(r.Errand)))
			if err == nil {
				cur.Joins++
				cur.Version++
				joined, out = true, cur
				if err := s.write(ctx, tx, cur); err != nil {
					return err
				}
				break
			}
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
			// ... else insert; if another transaction inserted the open
			// request meanwhile, the insert does nothing and we join it.
			n := r.Clone()
			n.Version = 1
			doc, err := encodeCallback(n)
			if err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO callback_requests (id, client, errand, team, open, requested_at, version, phone, doc)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (client, errand) WHERE open DO NOTHING`,
				n.ID, n.Client, string(n.Errand), n.Team, n.Open(), n.RequestedAt, n.Version, string(n.Phone), doc)
			if code, constraint := pgCode(err); code == codeUniqueViolation && constraint == "callback_requests_pkey" {
				return fmt.Errorf("postgres: callback open %s: %w: duplicate id", r.ID, callback.ErrConflict)
			}
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				if err := reserve(ctx, tx, n.ID, res); err != nil {
					return err
				}
				joined, out = false, n
				break
			}
		}
		prepared, err := kit.PrepareEvents([]audit.Event{callback.OpenEvent(out, joined, actor, at)})
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return callback.Record{}, false, err
	}
	return out, joined, nil
}

// reserve bumps the plan version of res's day if it is still
// res.Version, else fails with callback.ErrPlanChanged. A nil res reserves
// nothing. Concurrent reservations of one day queue on its row (or, for a
// day's first, on its primary key): the first wins, the others find the
// version moved.
func reserve(ctx context.Context, tx pgx.Tx, id string, res *callback.Reservation) error {
	if res == nil {
		return nil
	}
	if !res.Fence.IsZero() {
		if err := checkFence(ctx, tx, res.Fence, callback.ErrNotLeader); err != nil {
			return fmt.Errorf("postgres: callback %s: %w", id, err)
		}
	}
	var q string
	args := []any{string(res.Key.Team), res.Key.Day}
	if res.Version == 0 {
		q = "INSERT INTO callback_plans (team, day, version) VALUES ($1, $2, 1) ON CONFLICT (team, day) DO NOTHING"
	} else {
		q = "UPDATE callback_plans SET version = version + 1 WHERE team = $1 AND day = $2 AND version = $3"
		args = append(args, res.Version)
	}
	tag, err := tx.Exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("postgres: callback %s: %w (planned at version %d)", id, callback.ErrPlanChanged, res.Version)
	}
	return nil
}

// PlanVersions implements callback.Store.
func (s *CallbackStore) PlanVersions(ctx context.Context, since time.Time) (map[callback.PlanKey]int64, error) {
	out := map[callback.PlanKey]int64{}
	err := s.db.do(ctx, "postgres: callback plan versions", true, func(ctx context.Context) error {
		clear(out)
		rows, err := s.db.pool.Query(ctx, "SELECT team, day, version FROM callback_plans WHERE day >= $1", since)
		if err != nil {
			return err
		}
		var team string
		var day time.Time
		var version int64
		_, err = pgx.ForEachRow(rows, []any{&team, &day, &version}, func() error {
			out[callback.PlanKey{Team: carecontact.TeamID(team), Day: day.UTC()}] = version
			return nil
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func encodeCallback(r callback.Record) ([]byte, error) {
	doc, err := json.Marshal(r) // Phone is tagged json:"-": the number stays out of doc
	if err != nil {
		return nil, fmt.Errorf("postgres: encode callback request %s: %w", r.ID, err)
	}
	return doc, nil
}

// write stores r over its existing row.
func (s *CallbackStore) write(ctx context.Context, tx pgx.Tx, r callback.Record) error {
	doc, err := encodeCallback(r)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE callback_requests SET team = $2, open = $3, requested_at = $4, version = $5, phone = $6, doc = $7
		WHERE id = $1`, r.ID, r.Team, r.Open(), r.RequestedAt, r.Version, string(r.Phone), doc)
	if code, constraint := pgCode(err); code == codeUniqueViolation && constraint == "callback_requests_open_key" {
		return fmt.Errorf("postgres: callback %s: %w: the client already has an open request for the errand", r.ID, callback.ErrConflict)
	}
	return err
}

// Get implements callback.Store.
func (s *CallbackStore) Get(ctx context.Context, id string) (callback.Record, error) {
	var r callback.Record
	err := s.db.do(ctx, "postgres: callback get", true, func(ctx context.Context) error {
		var err error
		r, err = scanCallback(s.db.pool.QueryRow(ctx, "SELECT "+callbackColumns+" FROM callback_requests WHERE id = $1", id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return callback.Record{}, fmt.Errorf("postgres: callback %s: %w", id, callback.ErrNotFound)
	}
	return r, err
}

// Update implements callback.Store.
func (s *CallbackStore) Update(ctx context.Context, r callback.Record, events []audit.Event) (callback.Record, error) {
	return s.update(ctx, r, carecontact.Fence{}, nil, events)
}

// UpdateFenced implements callback.Store: a non-zero fence is checked
// first in the update's transaction (the lease row FOR SHARE, as
// RoutingStore.Apply checks a decision's), so a deposed leader's write is
// refused with callback.ErrNotLeader and writes nothing.
func (s *CallbackStore) UpdateFenced(ctx context.Context, r callback.Record, fence carecontact.Fence, events []audit.Event) (callback.Record, error) {
	return s.update(ctx, r, fence, nil, events)
}

// UpdateReserved implements callback.Store: the request's row is locked
// and checked first, then the day's plan row, in one transaction.
func (s *CallbackStore) UpdateReserved(ctx context.Context, r callback.Record, res callback.Reservation, events []audit.Event) (callback.Record, error) {
	if err := kit.CallbackReservation(r, res); err != nil {
		return callback.Record{}, err
	}
	return s.update(ctx, r, carecontact.Fence{}, &res, events)
}

// update writes r over its row at r.Version, only while fence (unless
// zero) is the lease's current term; with res, only at res's plan
// version, which it bumps (and under res's fence).
func (s *CallbackStore) update(ctx context.Context, r callback.Record, fence carecontact.Fence, res *callback.Reservation, events []audit.Event) (callback.Record, error) {
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return callback.Record{}, err
	}
	next := r.Clone()
	next.Version++
	err = s.db.inTx(ctx, "postgres: callback update", func(ctx context.Context, tx pgx.Tx) error {
		if !fence.IsZero() {
			if err := checkFence(ctx, tx, fence, callback.ErrNotLeader); err != nil {
				return fmt.Errorf("postgres: callback %s: %w", r.ID, err)
			}
		}
		var version int64
		var client, errand string
		err := tx.QueryRow(ctx, "SELECT version, client, errand FROM callback_requests WHERE id = $1 FOR UPDATE", r.ID).
			Scan(&version, &client, &errand)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: callback %s: %w", r.ID, callback.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if version != r.Version {
			return fmt.Errorf("postgres: callback %s: %w", r.ID, callback.ErrConflict)
		}
		if err := kit.CallbackUpdate(carecontact.ClientRef(client), channel.Errand(errand), r); err != nil {
			return err
		}
		if err := reserve(ctx, tx, r.ID, res); err != nil {
			return err
		}
		if err := s.write(ctx, tx, next); err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return callback.Record{}, err
	}
	return next, nil
}

// List implements callback.Store.
func (s *CallbackStore) List(ctx context.Context, f callback.Filter) ([]callback.Record, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Team != "" {
		add("team = ?", f.Team)
	}
	if f.OpenOnly {
		where = append(where, "open")
	}
	if !f.Since.IsZero() {
		add("requested_at >= ?", f.Since)
	}
	if !f.Until.IsZero() {
		add("requested_at < ?", f.Until)
	}
	q := "SELECT " + callbackColumns + " FROM callback_requests"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += ` ORDER BY requested_at, id COLLATE "C"`
	var out []callback.Record
	err := s.db.do(ctx, "postgres: callback list", true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (callback.Record, error) { return scanCallback(row) })
		return err
	})
	return out, err
}
