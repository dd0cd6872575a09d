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
	"github.com/carecontact/carecontact/demand"
)

// DemandStore is the demand.Store over the demand_contacts table.
// Every change to one client's contacts for one errand takes the
// transaction-scoped advisory lock of that (client, errand) pair first, so
// the search for an earlier pending contact and the insert of the new one
// are one step for every replica.
type DemandStore struct{ db *DB }

// DemandStore returns the DB's duplicate-demand store.
func (db *DB) DemandStore() *DemandStore { return &DemandStore{db: db} }

var _ demand.Store = (*DemandStore)(nil)

// demandLockSpace is the first key of the two-key advisory locks on
// (client, errand); the second is a hash of the pair.
const demandLockSpace int32 = 0x64656d64 // "demd"

const demandColumns = "id, client, errand, kind, ref, opened_at, state, linked_to, policy, duplicates, closed_at"

func scanContact(row pgx.Row) (demand.Contact, error) {
	var c demand.Contact
	var errand, kind, state, policy string
	var closed *time.Time
	err := row.Scan(&c.ID, &c.Client, &errand, &kind, &c.Ref, &c.OpenedAt, &state, &c.LinkedTo, &policy, &c.Duplicates, &closed)
	c.Errand, c.Kind, c.State, c.Policy = channel.Errand(errand), channel.Kind(kind), demand.ContactState(state), demand.Policy(policy)
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

// Admit implements demand.Store.
func (s *DemandStore) Admit(ctx context.Context, c demand.Contact, p demand.Policy, events demand.AdmitEventsFunc) (demand.Contact, *demand.Contact, error) {
	if err := kit.Admission(c); err != nil {
		return demand.Contact{}, nil, err
	}
	c.State = demand.ContactPending
	c.OpenedAt = c.OpenedAt.UTC().Truncate(time.Microsecond)
	var stored demand.Contact
	var existing *demand.Contact
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
			return fmt.Errorf("postgres: admit %s: %w", c.ID, demand.ErrContactExists)
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
		stored = demand.ResolveDuplicate(c, existing, p)
		_, err = tx.Exec(ctx, "INSERT INTO demand_contacts ("+demandColumns+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
			stored.ID, stored.Client, string(stored.Errand), string(stored.Kind), stored.Ref, stored.OpenedAt,
			string(stored.State), stored.LinkedTo, string(stored.Policy), stored.Duplicates, nullTime(stored.ClosedAt))
		if code, _ := pgCode(err); code == codeUniqueViolation {
			return fmt.Errorf("postgres: admit %s: %w", c.ID, demand.ErrContactExists)
		}
		if err != nil {
			return err
		}
		return s.events(ctx, tx, events, stored, existing)
	})
	if err != nil {
		return demand.Contact{}, nil, err
	}
	return stored, existing, nil
}

func (s *DemandStore) events(ctx context.Context, tx pgx.Tx, f demand.AdmitEventsFunc, stored demand.Contact, existing *demand.Contact) error {
	if f == nil {
		return nil
	}
	var ex *demand.Contact
	if existing != nil {
		cp := *existing
		ex = &cp
	}
	prepared, err := kit.PrepareEvents(f(stored, ex))
	if err != nil {
		return err
	}
	return insertEvents(ctx, tx, prepared)
}

// lockPending locks the pending contact id (and its client and errand),
// failing with ErrContactNotFound or ErrContactClosed.
func lockPending(ctx context.Context, tx pgx.Tx, id, what string) (demand.Contact, error) {
	var client, errand string
	err := tx.QueryRow(ctx, "SELECT client, errand FROM demand_contacts WHERE id = $1", id).Scan(&client, &errand)
	if errors.Is(err, pgx.ErrNoRows) {
		return demand.Contact{}, fmt.Errorf("postgres: %s %s: %w", what, id, demand.ErrContactNotFound)
	}
	if err != nil {
		return demand.Contact{}, err
	}
	if err := lockDemand(ctx, tx, carecontact.ClientRef(client), channel.Errand(errand)); err != nil {
		return demand.Contact{}, err
	}
	c, err := scanContact(tx.QueryRow(ctx, "SELECT "+demandColumns+" FROM demand_contacts WHERE id = $1 FOR UPDATE", id))
	if err != nil {
		return demand.Contact{}, err
	}
	if !c.Open() {
		return demand.Contact{}, fmt.Errorf("postgres: %s %s (%s): %w", what, id, c.State, demand.ErrContactClosed)
	}
	return c, nil
}

// Settle implements demand.Store.
func (s *DemandStore) Settle(ctx context.Context, id string, at time.Time, events demand.SettleEventsFunc) (demand.Contact, []demand.Contact, error) {
	at = at.UTC().Truncate(time.Microsecond)
	var settled demand.Contact
	var withdrawn []demand.Contact
	err := s.db.inTx(ctx, "postgres: settle", func(ctx context.Context, tx pgx.Tx) error {
		c, err := lockPending(ctx, tx, id, "settle")
		if err != nil {
			return err
		}
		c.State, c.ClosedAt = demand.ContactSettled, at
		if _, err := tx.Exec(ctx, "UPDATE demand_contacts SET state = $2, closed_at = $3 WHERE id = $1", id, string(c.State), at); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, "SELECT "+demandColumns+` FROM demand_contacts
			WHERE client = $1 AND errand = $2 AND state = 'pending' AND id <> $3 ORDER BY seq FOR UPDATE`,
			c.Client, string(c.Errand), id)
		if err != nil {
			return err
		}
		withdrawn, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (demand.Contact, error) { return scanContact(row) })
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE demand_contacts SET state = $4, closed_at = $5
			WHERE client = $1 AND errand = $2 AND state = 'pending' AND id <> $3`,
			c.Client, string(c.Errand), id, string(demand.ContactWithdrawn), at); err != nil {
			return err
		}
		for i := range withdrawn {
			withdrawn[i].State, withdrawn[i].ClosedAt = demand.ContactWithdrawn, at
		}
		settled = c
		if events == nil {
			return nil
		}
		prepared, err := kit.PrepareEvents(events(c, append([]demand.Contact(nil), withdrawn...)))
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return demand.Contact{}, nil, err
	}
	if len(withdrawn) == 0 {
		withdrawn = nil
	}
	return settled, withdrawn, nil
}

// Close implements demand.Store.
func (s *DemandStore) Close(ctx context.Context, id string, at time.Time, events []audit.Event) (demand.Contact, error) {
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return demand.Contact{}, err
	}
	at = at.UTC().Truncate(time.Microsecond)
	var out demand.Contact
	err = s.db.inTx(ctx, "postgres: close contact", func(ctx context.Context, tx pgx.Tx) error {
		c, err := lockPending(ctx, tx, id, "close")
		if err != nil {
			return err
		}
		c.State, c.ClosedAt = demand.ContactClosed, at
		if _, err := tx.Exec(ctx, "UPDATE demand_contacts SET state = $2, closed_at = $3 WHERE id = $1", id, string(c.State), at); err != nil {
			return err
		}
		out = c
		return insertEvents(ctx, tx, prepared)
	})
	if err != nil {
		return demand.Contact{}, err
	}
	return out, nil
}

// Get implements demand.Store.
func (s *DemandStore) Get(ctx context.Context, id string) (demand.Contact, error) {
	var c demand.Contact
	err := s.db.do(ctx, "postgres: contact", true, func(ctx context.Context) error {
		var err error
		c, err = scanContact(s.db.pool.QueryRow(ctx, "SELECT "+demandColumns+" FROM demand_contacts WHERE id = $1", id))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return demand.Contact{}, fmt.Errorf("postgres: contact %s: %w", id, demand.ErrContactNotFound)
	}
	return c, err
}

func (s *DemandStore) query(ctx context.Context, what, q string, args ...any) ([]demand.Contact, error) {
	var out []demand.Contact
	err := s.db.do(ctx, what, true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (demand.Contact, error) { return scanContact(row) })
		return err
	})
	return out, err
}

// Pending implements demand.Store.
func (s *DemandStore) Pending(ctx context.Context, client carecontact.ClientRef) ([]demand.Contact, error) {
	return s.query(ctx, "postgres: pending contacts", "SELECT "+demandColumns+
		" FROM demand_contacts WHERE client = $1 AND state = 'pending' ORDER BY opened_at, seq", client)
}

// Stats implements demand.Store.
func (s *DemandStore) Stats(ctx context.Context, since, until time.Time) (demand.Stats, error) {
	cs, err := s.query(ctx, "postgres: demand stats", "SELECT "+demandColumns+
		" FROM demand_contacts WHERE opened_at >= $1 AND opened_at < $2 ORDER BY seq", since, until)
	var out demand.Stats
	for _, c := range cs {
		out.Count(c)
	}
	return out, err
}
