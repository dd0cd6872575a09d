package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/routing"
)

// RoutingStore is the routing.Store over the routing_items and
// routing_professionals tables. An Apply is one transaction: a conditional
// UPDATE of the item (WHERE version = Expect) and a conditional UPDATE of the
// professional (WHERE the professional can take the item), plus the audit
// events; the row locks these take order concurrent offers, so a work item
// is offered to one professional at a time and no professional is offered
// beyond capacity, across any number of replicas. Every write notifies
// NotifyChannel after its commit by a transaction of its own
// (inPipelinedTxNotifying), not through the tables' triggers.
type RoutingStore struct{ db *DB }

// RoutingStore returns the DB's routing store.
func (db *DB) RoutingStore() *RoutingStore { return &RoutingStore{db: db} }

var _ routing.Store = (*RoutingStore)(nil)

const profColumns = `id, presence, cap_sync, cap_chat, cap_message, load_sync, load_chat, load_message, wrap_ups, in_call, idle_since, version`

func scanProfessional(row pgx.Row) (routing.ProfessionalState, error) {
	var ps routing.ProfessionalState
	var id string
	err := row.Scan(&id, &ps.Presence, &ps.Capacity.Synchronous, &ps.Capacity.Chat, &ps.Capacity.Message,
		&ps.Load.Synchronous, &ps.Load.Chat, &ps.Load.Message, &ps.WrapUps, &ps.InCall, &ps.IdleSince, &ps.Version)
	ps.ID = carecontact.ProfessionalID(id)
	ps.IdleSince = ps.IdleSince.UTC()
	return ps, err
}

// RegisterProfessional implements routing.Store.
func (s *RoutingStore) RegisterProfessional(ctx context.Context, id carecontact.ProfessionalID, c routing.Capacity, at time.Time) (routing.ProfessionalState, error) {
	if err := kit.Professional(id); err != nil {
		return routing.ProfessionalState{}, err
	}
	var ps routing.ProfessionalState
	err := s.pipelinedWrite(ctx, "postgres: register professional", nil, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO routing_professionals
			(id, presence, cap_sync, cap_chat, cap_message, idle_since, version)
			VALUES ($1, $2, $3, $4, $5, $6, 1)
			ON CONFLICT (id) DO UPDATE SET cap_sync = EXCLUDED.cap_sync, cap_chat = EXCLUDED.cap_chat,
				cap_message = EXCLUDED.cap_message, version = routing_professionals.version + 1
			RETURNING `+profColumns,
			string(id), routing.PresenceAway, c.Synchronous, c.Chat, c.Message, at.UTC())
	}, func(br pgx.BatchResults) error {
		var err error
		ps, err = scanProfessional(br.QueryRow())
		return err
	})
	if err != nil {
		return routing.ProfessionalState{}, fmt.Errorf("postgres: register professional %s: %w", id, err)
	}
	return ps, nil
}

// SetPresence implements routing.Store.
func (s *RoutingStore) SetPresence(ctx context.Context, id carecontact.ProfessionalID, p routing.Presence, at time.Time, events []audit.Event) (routing.ProfessionalState, error) {
	if err := kit.Presence(p); err != nil {
		return routing.ProfessionalState{}, err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return routing.ProfessionalState{}, err
	}
	var ps routing.ProfessionalState
	err = s.pipelinedWrite(ctx, "postgres: set presence", prepared, func(b *pgx.Batch) {
		b.Queue(`UPDATE routing_professionals SET
				idle_since = CASE WHEN presence = $2 AND $3 <> $2 THEN $4 ELSE idle_since END,
				presence = $3, version = version + 1
			WHERE id = $1 RETURNING `+profColumns,
			string(id), routing.PresenceAway, p, at.UTC())
	}, func(br pgx.BatchResults) error {
		var err error
		ps, err = scanProfessional(br.QueryRow())
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, id)
		}
		return err
	})
	if err != nil {
		return routing.ProfessionalState{}, err
	}
	return ps, nil
}

// Professional implements routing.Store.
func (s *RoutingStore) Professional(ctx context.Context, id carecontact.ProfessionalID) (routing.ProfessionalState, error) {
	var ps routing.ProfessionalState
	err := s.db.do(ctx, "postgres: professional", true, func(ctx context.Context) error {
		var err error
		ps, err = scanProfessional(s.db.pool.QueryRow(ctx, "SELECT "+profColumns+" FROM routing_professionals WHERE id = $1", string(id)))
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return routing.ProfessionalState{}, fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, id)
	}
	return ps, err
}

// itemRow is an item as the columns of routing_items.
type itemRow struct {
	state        routing.ItemState
	professional string
	deadline     *time.Time
	doc          []byte
}

func encodeItem(it routing.Item) (itemRow, error) {
	it = kit.NormItem(it)
	doc, err := json.Marshal(it)
	if err != nil {
		return itemRow{}, fmt.Errorf("postgres: encode item %s: %w", it.ID, err)
	}
	r := itemRow{state: it.State, professional: string(it.Professional), doc: doc}
	if !it.Deadline.IsZero() {
		r.deadline = &it.Deadline
	}
	return r, nil
}

func decodeItem(doc []byte, version uint64) (routing.Item, error) {
	var it routing.Item
	if err := json.Unmarshal(doc, &it); err != nil {
		return routing.Item{}, fmt.Errorf("postgres: decode item: %w", err)
	}
	it.Version = version
	return kit.NormItem(it), nil
}

// CreateItem implements routing.Store.
func (s *RoutingStore) CreateItem(ctx context.Context, it routing.Item, events []audit.Event) (routing.Item, error) {
	if err := kit.NewItem(it); err != nil {
		return routing.Item{}, err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return routing.Item{}, err
	}
	it.Version = 1
	row, err := encodeItem(it)
	if err != nil {
		return routing.Item{}, err
	}
	err = s.pipelinedWrite(ctx, "postgres: create item", prepared, func(b *pgx.Batch) {
		b.Queue(`INSERT INTO routing_items (id, version, state, professional, deadline, doc)
			VALUES ($1, 1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
			string(it.ID), row.state, row.professional, row.deadline, row.doc)
	}, func(br pgx.BatchResults) error {
		tag, err := br.Exec()
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: %s", routing.ErrDuplicateItem, it.ID)
		}
		return nil
	})
	if err != nil {
		return routing.Item{}, err
	}
	return kit.NormItem(it), nil
}

// Item implements routing.Store.
func (s *RoutingStore) Item(ctx context.Context, id carecontact.ItemID) (routing.Item, error) {
	var doc []byte
	var version uint64
	err := s.db.do(ctx, "postgres: item", true, func(ctx context.Context) error {
		return s.db.pool.QueryRow(ctx, "SELECT doc, version FROM routing_items WHERE id = $1", string(id)).Scan(&doc, &version)
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return routing.Item{}, fmt.Errorf("%w: %s", routing.ErrItemNotFound, id)
	}
	if err != nil {
		return routing.Item{}, err
	}
	return decodeItem(doc, version)
}

// Items implements routing.Store: one consistent snapshot, in byte order of
// the IDs (COLLATE "C", whatever the database's collation).
func (s *RoutingStore) Items(ctx context.Context) ([]routing.Item, error) {
	var out []routing.Item
	err := s.db.do(ctx, "postgres: items", true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, `SELECT doc, version FROM routing_items ORDER BY id COLLATE "C"`)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (routing.Item, error) {
			var doc []byte
			var version uint64
			if err := row.Scan(&doc, &version); err != nil {
				return routing.Item{}, err
			}
			return decodeItem(doc, version)
		})
		return err
	})
	return out, err
}

// Apply implements routing.Store with apply.
func (s *RoutingStore) Apply(ctx context.Context, c *routing.Change, it *routing.Item, ps *routing.ProfessionalState) error {
	stored, st, err := s.apply(ctx, *c)
	if err != nil {
		return err
	}
	if it != nil && !c.Remove {
		*it = stored
	}
	if ps != nil && c.Professional != "" {
		*ps = st
	}
	return nil
}

// apply makes change c in one transaction: the item row first, then the
// professional's, always in that order, so concurrent changes cannot
// deadlock. It is pipelined (inPipelinedTxNotifying) in two round trips:
// the fence check and the locks of the item, the professional and the
// audit heads; then, after the same checks as ever in Go, the writes (the
// item's and the professional's in one statement), the commit marker and
// COMMIT, followed by the transaction that notifies
// NotifyChannel (the tables' triggers stay silent for this one, so its
// durable commit is flushed in a group with others).
func (s *RoutingStore) apply(ctx context.Context, c routing.Change) (routing.Item, routing.ProfessionalState, error) {
	id := c.Item.ID
	prepared, err := kit.PrepareEvents(c.Events)
	if err != nil {
		return routing.Item{}, routing.ProfessionalState{}, err
	}
	next := c.Item
	next.Version = c.Expect + 1
	row, err := encodeItem(next)
	if err != nil {
		return routing.Item{}, routing.ProfessionalState{}, err
	}
	streams := eventStreams(prepared)
	var ps routing.ProfessionalState
	err = s.db.inPipelinedTxNotifying(ctx, "postgres: apply", NotifyChannel, func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		if !c.Fence.IsZero() {
			queueFence(first, c.Fence)
		}
		first.Queue("SELECT version FROM routing_items WHERE id = $1 FOR UPDATE", string(id))
		if c.Professional != "" {
			first.Queue("SELECT "+profColumns+" FROM routing_professionals WHERE id = $1 FOR UPDATE", string(c.Professional))
		}
		if len(prepared) > 0 {
			queueHeadLocks(first, streams)
		}
		return func(br pgx.BatchResults, second *pgx.Batch) (pipeRead, error) {
			ps = routing.ProfessionalState{}
			if !c.Fence.IsZero() {
				if err := readFence(br, c.Fence, routing.ErrNotLeader); err != nil {
					return nil, err
				}
			}
			var version uint64
			err := br.QueryRow().Scan(&version)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, fmt.Errorf("%w: %s", routing.ErrItemNotFound, id)
			}
			if err != nil {
				return nil, err
			}
			if err := kit.ItemVersion(id, version, c.Expect); err != nil {
				return nil, err
			}
			if !c.Remove {
				if err := kit.ItemState(id, c.Item.State); err != nil {
					return nil, err
				}
			}
			if c.Professional != "" {
				cur, err := scanProfessional(br.QueryRow())
				if errors.Is(err, pgx.ErrNoRows) {
					return nil, fmt.Errorf("%w: %s", routing.ErrUnknownProfessional, c.Professional)
				}
				if err != nil {
					return nil, err
				}
				if err := kit.Capacity(&c, &cur); err != nil {
					return nil, err
				}
			}
			var heads map[string]audit.Head
			if len(prepared) > 0 {
				if heads, err = readHeads(br, streams); err != nil {
					return nil, err
				}
			}
			// The item's write, and the professional's: with both, one
			// statement (the item's by a data-modifying WITH; both rows
			// are locked already, so their order does not matter).
			itemWrite, itemArgs := itemDelete, []any{string(id)}
			if !c.Remove {
				itemWrite = itemUpdate
				itemArgs = append(itemArgs, next.Version, row.state, row.professional, row.deadline, row.doc)
			}
			if c.Professional != "" {
				// The professional's arguments first ($1 to $7), then
				// the item's ($8 on).
				q := withItemDelete
				if !c.Remove {
					q = withItemUpdate
				}
				second.Queue(q, append(professionalArgs(c), itemArgs...)...)
			} else {
				second.Queue(itemWrite, itemArgs...)
			}
			nEvents := 0
			if len(prepared) > 0 {
				nEvents = queueEvents(second, heads, streams, prepared)
			}
			return func(br pgx.BatchResults) error {
				if c.Professional != "" {
					var err error
					ps, err = scanProfessional(br.QueryRow())
					if code, _ := pgCode(err); code == codeCheckViolation {
						return kit.NegativeCount(c.Professional)
					}
					if err != nil {
						return err
					}
				} else if _, err := br.Exec(); err != nil {
					return err
				}
				return readEvents(br, nEvents)
			}, nil
		}
	})
	if err != nil {
		return routing.Item{}, routing.ProfessionalState{}, err
	}
	if c.Remove {
		return routing.Item{}, ps, nil
	}
	return kit.NormItem(next), ps, nil
}

// pipelinedWrite makes one write and records events with it in a
// notifying pipelined transaction (inPipelinedTxNotifying), as Apply does:
// the first batch is the write (queued by write, its result read by
// read, in Go, before anything else is sent) and the locks of the events'
// audit chains; the second the events, the commit marker, COMMIT and the
// notification.
func (s *RoutingStore) pipelinedWrite(ctx context.Context, what string, events []audit.Event, write func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	streams := eventStreams(events)
	return s.db.inPipelinedTxNotifying(ctx, what, NotifyChannel, func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		write(first)
		if len(events) > 0 {
			queueHeadLocks(first, streams)
		}
		return func(br pgx.BatchResults, second *pgx.Batch) (pipeRead, error) {
			if err := read(br); err != nil {
				return nil, err
			}
			if len(events) == 0 {
				return nil, nil
			}
			heads, err := readHeads(br, streams)
			if err != nil {
				return nil, err
			}
			n := queueEvents(second, heads, streams, events)
			return func(br pgx.BatchResults) error { return readEvents(br, n) }, nil
		}
	})
}

// The writes of apply: an item's update or removal, and the same nested
// in the professional's update (professionalUpdate), with the item's
// parameters after the professional's.
const (
	itemUpdate = `UPDATE routing_items SET version = $2, state = $3, professional = $4, deadline = $5, doc = $6 WHERE id = $1`
	itemDelete = `DELETE FROM routing_items WHERE id = $1`

	withItemUpdate = `WITH item AS (UPDATE routing_items SET version = $9, state = $10, professional = $11, deadline = $12, doc = $13
		WHERE id = $8) ` + professionalUpdate
	withItemDelete = `WITH item AS (DELETE FROM routing_items WHERE id = $8) ` + professionalUpdate
)

// professionalUpdate is the update of a professional's load, wrap-ups and
// idle time, returning the new state; professionalArgs are its arguments.
const professionalUpdate = `UPDATE routing_professionals SET
		load_sync = load_sync + $2, load_chat = load_chat + $3, load_message = load_message + $4,
		wrap_ups = wrap_ups + $5, idle_since = COALESCE($6, idle_since), in_call = in_call + $7, version = version + 1
	WHERE id = $1 RETURNING ` + profColumns

// professionalArgs returns professionalUpdate's arguments ($1 to $7) for
// the change c makes.
func professionalArgs(c routing.Change) []any {
	var dSync, dChat, dMsg int
	switch c.Slot {
	case routing.SlotSynchronous:
		dSync = c.Load
	case routing.SlotChat:
		dChat = c.Load
	case routing.SlotMessage:
		dMsg = c.Load
	}
	var idle *time.Time
	if !c.IdleSince.IsZero() {
		t := c.IdleSince.UTC()
		idle = &t
	}
	return []any{string(c.Professional), dSync, dChat, dMsg, c.WrapUps, idle, c.InCall}
}
