package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/guidance"
)

// GuidanceStore is the guidance.Store over the guidance_records table: one
// row per subject with its versions as JSON and a revision that every Save
// compares and sets in one statement.
type GuidanceStore struct{ db *DB }

// GuidanceStore returns the DB's guidance store.
func (db *DB) GuidanceStore() *GuidanceStore { return &GuidanceStore{db: db} }

var _ guidance.Store = (*GuidanceStore)(nil)

// Load implements guidance.Store.
func (s *GuidanceStore) Load(ctx context.Context, subject string) (guidance.Record, error) {
	var rec guidance.Record
	err := s.db.do(ctx, "postgres: guidance load", true, func(ctx context.Context) error {
		var doc []byte
		err := s.db.pool.QueryRow(ctx, "SELECT rev, doc FROM guidance_records WHERE subject = $1", subject).Scan(&rec.Rev, &doc)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("postgres: guidance %q: %w", subject, guidance.ErrNotFound)
		}
		if err != nil {
			return err
		}
		rec.Subject = subject
		rec.Versions = nil
		return decodeVersions(subject, doc, &rec.Versions)
	})
	if err != nil {
		return guidance.Record{}, err
	}
	return rec, nil
}

func decodeVersions(subject string, doc []byte, out *[]guidance.Version) error {
	if err := json.Unmarshal(doc, out); err != nil {
		return fmt.Errorf("postgres: guidance %q: decode versions: %w", subject, err)
	}
	return nil
}

// Save implements guidance.Store.
func (s *GuidanceStore) Save(ctx context.Context, rec guidance.Record, events []audit.Event) (int64, error) {
	prepared, err := kit.GuidanceSave(ctx, rec, events)
	if err != nil {
		return 0, err
	}
	versions := rec.Versions
	if versions == nil {
		versions = []guidance.Version{}
	}
	doc, err := json.Marshal(versions)
	if err != nil {
		return 0, fmt.Errorf("postgres: guidance save %q: encode versions: %w", rec.Subject, err)
	}
	err = s.db.inTx(ctx, "postgres: guidance save", func(ctx context.Context, tx pgx.Tx) error {
		var tag pgconn.CommandTag
		var err error
		if rec.Rev == 0 {
			tag, err = tx.Exec(ctx, `INSERT INTO guidance_records (subject, rev, doc) VALUES ($1, 1, $2)
				ON CONFLICT (subject) DO NOTHING`, rec.Subject, string(doc))
		} else {
			tag, err = tx.Exec(ctx, `UPDATE guidance_records SET rev = rev + 1, doc = $3
				WHERE subject = $1 AND rev = $2`, rec.Subject, rec.Rev, string(doc))
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() != 1 {
			return fmt.Errorf("postgres: guidance save %q at revision %d: %w", rec.Subject, rec.Rev, guidance.ErrConflict)
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return 0, err
	}
	return rec.Rev + 1, nil
}

// List implements guidance.Store. Subjects are ordered bytewise (COLLATE
// "C"), as Go orders strings.
func (s *GuidanceStore) List(ctx context.Context) ([]guidance.Record, error) {
	var out []guidance.Record
	err := s.db.do(ctx, "postgres: guidance list", true, func(ctx context.Context) error {
		out = nil
		rows, err := s.db.pool.Query(ctx, `SELECT subject, rev, doc FROM guidance_records ORDER BY subject COLLATE "C"`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (guidance.Record, error) {
			var rec guidance.Record
			var doc []byte
			if err := row.Scan(&rec.Subject, &rec.Rev, &doc); err != nil {
				return rec, err
			}
			return rec, decodeVersions(rec.Subject, doc, &rec.Versions)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = []guidance.Record{}
	}
	return out, nil
}
