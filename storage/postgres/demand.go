package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
)

// DemandStore is the channel.DemandStore over the demand_contacts table.
// Every change to one client's contacts for one errand takes the
// transaction-scoped advisory lock of that (client, errand) pair first, so
// the search for an earlier pending contact and the insert of the new one
// are one step for every replica.
type DemandStore struct{ db *DB }

// DemandStore returns the DB's duplicate-demand store.
func (db *DB) DemandStore() *DemandStore { return &DemandStore{db: db} }

var _ channel.DemandStore = (*DemandStore)(nil)

// demandLockSpace is the first key of the two-key advisory locks on
// (client, errand); the second is a hash of the pair.
const demandLockSpace int32 = 0x64656d64 // "demd"

const demandColumns = "id, client, errand, kind, ref, opened_at, state, linked_to, policy, duplicates, closed_at"

func scanContact(row pgx.Row) (channel.Contact, error) {
	var c channel.Contact
	var errand, kind, state, policy string
	var closed *time.Time
	err := row.Scan(&c.ID, &c.Client, &errand, &kind, &c.Ref, &c.OpenedAt, &state, &c.LinkedTo, &policy, &c.Duplicates, &closed)
	c.Errand, c.Kind, c.State, c.Policy = channel.Errand(errand), channel.Kind(kind), channel.ContactState(state), channel.Policy(policy)
	c.OpenedAt = c.OpenedAt.UTC()
	if closed != nil {
		c.ClosedAt = closed.UTC()
	}
	return c, err
}

func lockDemand(ctx context.Context, tx pgx.Tx, client carecontact.ClientRef, errand channel.Errand) error {
	_, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", demandLockSpace, string(client)+"\x1f"+string(errand))
	return err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// Admit implements channel.DemandStore.
func (s *DemandStore) Admit(ctx context.Context, c channel.Contact, p channel.Policy, events channel.AdmitEventsFunc) (channel.Contact, *channel.Contact, error) {
	if c.ID == "" || c.Client == "" {
		return channel.Contact{}, nil, fmt.Errorf("postgres: admit: %w: contact id and client are required", channel.ErrInvalidAdmission)
	}
	c.State = channel.ContactPending
	c.OpenedAt = c.OpenedAt.UTC().Truncate(time.Microsecond)
	var stored channel.Contact
	var existing *channel.Contact
	err := s.db.inTx(ctx, "postgres: admit", func(ctx context.Context, tx pgx.Tx) error {
		existing = nil
		if err := lockDemand(ctx, tx, c.Client, c.Errand); err != nil {
			return err
		}
		var taken bool
		if err := tx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM demand_contacts WHERE id = $1)", c.ID).Scan(&taken); err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("postgres: admit %s: %w", c.ID, channel.ErrContactExists)
		}
		ex, err := scanContact(tx.QueryRow(ctx, "SELECT "+demandColumns+` FROM demand_contacts
			WHERE client = $1 AND errand = $2 AND state = 'pending' ORDER BY opened_at, seq LIMIT 1`, c.Client, string(c.Errand)))
		switch {
		case err == nil:
			ex.Duplicates++
			if _, err := tx.Exec(ctx, "UPDATE demand_contacts SET duplicates = $2 WHERE id = $1", ex.ID, ex.Duplicates); err != nil {
				return err
			}
			existing = &ex
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		stored = channel.ResolveDuplicate(c, existing, p)
		_, err = tx.Exec(ctx, "INSERT INTO demand_contacts ("+demandColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			stored.ID, stored.Client, string(stored.Errand), string(stored.Kind), stored.Ref, stored.OpenedAt,
			string(stored.State), stored.LinkedTo, string(stored.Policy), stored.Duplicates, nullTime(stored.ClosedAt))
		if code, _ := pgCode(err); code == codeUniqueViolation {
			return fmt.Errorf("postgres: admit %s: %w", c.ID, channel.ErrContactExists)
		}
		if err != nil {
			return err
		}
		return s.events(ctx, tx, events, stored, existing)
	})
	if err != nil {
		return channel.Contact{}, nil, err
	}
	return stored, existing, nil
}

func (s *DemandStore) events(ctx context.Context, tx pgx.Tx, f channel.AdmitEventsFunc, stored channel.Contact, existing *channel.Contact) error {
	if f == nil {
		return nil
	}
	var ex *channel.Contact
	if existing != nil {
		cp := *existing
		ex = &cp
	}
	prepared, err := prepareEvents(f(stored, ex))
	if err != nil {
		return err
	}
	return insertEvents(ctx, tx, prepared)
}

// lockPending locks the pending contact id (and its client and errand),
// failing with ErrContactNotFound or ErrContactClosed.
func lockPending(ctx context.Context, tx pgx.Tx, id, what string) (channel.Contact, error) {
	var client, errand string
	err := tx.QueryRow(ctx, "SELECT client, errand FROM demand_contacts WHERE id = $1", id).Scan(&client, &errand)
	if errors.Is(err, pgx.ErrNoRows) {
		return channel.Contact{}, fmt.Errorf("postgres: %s %s: %w", what, id, channel.ErrContactNotFound)
	}
	if err != nil {
		return channel.Contact{}, err
	}
	if err := lockDemand(ctx, tx, carecontact.ClientRef(client), channel.Errand(errand)); err != nil {
		return channel.Contact{}, err
	}
	c, err := scanContact(tx.QueryRow(ctx, "SELECT "+demandColumns+" FROM demand_contacts WHERE id = $1 FOR UPDATE", id))
	if err != nil {
		return channel.Contact{}, err
	}
	if !c.Open() {
		return channel.Contact{}, fmt.Errorf("postgres: %s %s (%s): %w", what, id, c.State, channel.ErrContactClosed)
	}
	return c, nil
}

// Settle implements channel.DemandStore.
func (s *DemandStore) Settle(ctx context.Context, id string, at time.Time, events channel.SettleEventsFunc) (channel.Contact, []channel.Contact, error) {
	at = at.UTC().Truncate(time.Microsecond)
	var settled channel.Contact
	var withdrawn []channel.Contact
	err := s.db.inTx(ctx, "postgres: settle", func(ctx context.Context, tx pgx.Tx) error {
		c, err := lockPending(ctx, tx, id, "settle")
		if err != nil {
			return err
		}
		c.State, c.ClosedAt = channel.ContactSettled, at
		if _, err := tx.Exec(ctx, "UPDATE demand_contacts SET state = $2, closed_at = $3 WHERE id = $1", id, string(c.State), at); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+demandColumns+` FROM demand_contacts
			WHERE client = $1 AND errand = $2 AND state = 'pending' AND id <> $3 ORDER BY seq FOR UPDATE`,
			c.Client, string(c.Errand), id)
		if err != nil {
			return err
		}
		withdrawn, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (channel.Contact, error) { return scanContact(row) })
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE demand_contacts SET state = $4, closed_at = $5
			WHERE client = $1 AND errand = $2 AND state = 'pending' AND id <> $3`,
			c.Client, string(c.Errand), id, string(channel.ContactWithdrawn), at); err != nil {
			return err
		}
		for i := range withdrawn {
			withdrawn[i].State, withdrawn[i].ClosedAt = channel.ContactWithdrawn, at
		}
		settled = c
		if events == nil {
			return nil
		}
		prepared, err := prepareEvents(events(c, append([]channel.Contact(nil), withdrawn...)))
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return channel.Contact{}, nil, err
	}
	if len(withdrawn) == 0 {
		withdrawn = nil
	}
	return settled, withdrawn, nil
}

// Close implements channel.DemandStore.
func (s *DemandStore) Close(ctx context.Context, id string, at time.Time, events []audit.Event) (channel.Contact, error) {
	prepared, err := prepareEvents(events)
	if err != nil {
		return channel.Contact{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var out channel.Contact
	err = s.db.inTx(ctx, "postgres: close contact", func(ctx context.Context, tx pgx.Tx) error {
		c, err := lockPending(ctx, tx, id, "close")
		if err != nil {
			return err
		}
		c.State, c.ClosedAt = channel.ContactClosed, at
		if _, err := tx.Exec(ctx, "UPDATE demand_contacts SET state = $2, closed_at = $3 WHERE id = $1", id, string(c.State), at); err != nil {
			return err
		}
		out = c
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return channel.Contact{}, err
	}
	return out, nil
}

// Get implements channel.DemandStore.
func (s *DemandStore) Get(ctx context.Context, id string) (channel.Contact, error) {
	var c channel.Contact
	err := s.db.do(ctx, "postgres: contact", true, func(ctx context.Context) error {
		var err error
		c, err = scanContact(s.db.pool.QueryRow(ctx, "SELECT "+demandColumns+" FROM demand_contacts WHERE id = $1", id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return channel.Contact{}, fmt.Errorf("postgres: contact %s: %w", id, channel.ErrContactNotFound)
	}
	return c, err
}

func (s *DemandStore) query(ctx context.Context, what, q string, args ...any) ([]channel.Contact, error) {
	var out []channel.Contact
	err := s.db.do(ctx, what, true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (channel.Contact, error) { return scanContact(row) })
		return err
	})
	return out, err
}

// Pending implements channel.DemandStore.
func (s *DemandStore) Pending(ctx context.Context, client carecontact.ClientRef) ([]channel.Contact, error) {
	return s.query(ctx, "postgres: pending contacts", "SELECT "+demandColumns+
		" FROM demand_contacts WHERE client = $1 AND state = 'pending' ORDER BY opened_at, seq", client)
}

// Stats implements channel.DemandStore.
func (s *DemandStore) Stats(ctx context.Context, since, until time.Time) (channel.DemandStats, error) {
	cs, err := s.query(ctx, "postgres: demand stats", "SELECT "+demandColumns+
		" FROM demand_contacts WHERE opened_at >= $1 AND opened_at < $2 ORDER BY seq", since, until)
	var out channel.DemandStats
	for _, c := range cs {
		out.Count(c)
	}
	return out, err
}
