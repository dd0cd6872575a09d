package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/session"
)

// SessionStore is the session.Store over the sessions table: each session
// is a JSON document with a version column, and Update is a single
// compare-and-set UPDATE in the transaction that writes its audit events.
type SessionStore struct{ db *DB }

// SessionStore returns the DB's session store.
func (db *DB) SessionStore() *SessionStore { return &SessionStore{db: db} }

var _ session.Store = (*SessionStore)(nil)

func sessionDoc(s session.Session) ([]byte, error) {
	doc, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("postgres: encode session %s: %w", s.ID, err)
	}
	return doc, nil
}

// Create implements session.Store.
func (s *SessionStore) Create(ctx context.Context, v session.Session, events []audit.Event) error {
	if err := kit.NewSession(v); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	v.Version = 1
	doc, err := sessionDoc(v)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, "postgres: create session", func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO sessions (id, version, client, state, opened_at, closed_at, doc)
			VALUES ($1, 1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
			v.ID, v.Client, string(v.State), v.OpenedAt.UTC(), nullTime(v.ClosedAt), doc)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("postgres: create session %s: %w", v.ID, session.ErrExists)
		}
		return insertEvents(ctx, tx, prepared)
	})
}

func scanSession(row pgx.Row) (session.Session, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		return session.Session{}, err
	}
	var v session.Session
	if err := json.Unmarshal(doc, &v); err != nil {
		return session.Session{}, fmt.Errorf("postgres: decode session: %w", err)
	}
	return v, nil
}

// Get implements session.Store.
func (s *SessionStore) Get(ctx context.Context, id string) (session.Session, error) {
	var v session.Session
	err := s.db.do(ctx, "postgres: get session", true, func(ctx context.Context) error {
		var err error
		v, err = scanSession(s.db.pool.QueryRow(ctx, "SELECT doc FROM sessions WHERE id = $1", id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return session.Session{}, fmt.Errorf("postgres: session %s: %w", id, session.ErrNotFound)
	}
	return v, err
}

// Update implements session.Store.
func (s *SessionStore) Update(ctx context.Context, v session.Session, events []audit.Event) error {
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	expected := v.Version
	v.Version++
	doc, err := sessionDoc(v)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, "postgres: update session", func(ctx context.Context, tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE sessions SET version = $3, client = $4, state = $5, closed_at = $6, doc = $7
			WHERE id = $1 AND version = $2`,
			v.ID, expected, v.Version, v.Client, string(v.State), nullTime(v.ClosedAt), doc)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var stored int64
			err := tx.QueryRow(ctx, "SELECT version FROM sessions WHERE id = $1", v.ID).Scan(&stored)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("postgres: update session %s: %w", v.ID, session.ErrNotFound)
			}
			if err != nil {
				return err
			}
			return fmt.Errorf("postgres: update session %s: stored version %d, given %d: %w", v.ID, stored, expected, session.ErrConflict)
		}
		return insertEvents(ctx, tx, prepared)
	})
}

// List implements session.Store.
func (s *SessionStore) List(ctx context.Context, f session.Filter) ([]session.Session, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Client != "" {
		where = append(where, "client = "+arg(f.Client))
	}
	if f.State != "" {
		where = append(where, "state = "+arg(string(f.State)))
	}
	if !f.ClosedSince.IsZero() || !f.ClosedUntil.IsZero() {
		where = append(where, "closed_at IS NOT NULL")
	}
	q := "SELECT doc FROM sessions"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY opened_at, id"
	var out []session.Session
	err := s.db.do(ctx, "postgres: list sessions", true, func(ctx context.Context) error {
		out = out[:0]
		rows, err := s.db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanSession(rows)
			if err != nil {
				return err
			}
			// The document holds the exact times; the columns only narrow.
			if f.Match(v) {
				out = append(out, v)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
