package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/internal/storekit"
)

// Purge deletes every record past its retention at now (see
// carecontact.Retention: closed sessions, closed callback requests with
// their phone numbers, closed demand contacts, abandoned queued routing
// items, appointments no longer active with their claims, wait entries)
// and pseudonymises the audit events of the deleted records: each event's
// client, and a client actor's ID where the chain holds it by digest, is
// replaced with audit.Pseudonym and the row marked pseudonymised, so the
// trail is kept and still verifies. It records one event of the purge
// (actor audit.System("retention"), action "storage.purge", the counts in
// its detail) and returns the counts. Everything happens in one
// transaction: all or nothing.
func (db *DB) Purge(ctx context.Context, now time.Time, r carecontact.Retention) (carecontact.Purged, error) {
	if err := kit.PurgeRequest(now, r); err != nil {
		return carecontact.Purged{}, err
	}
	var out carecontact.Purged
	err := db.inTx(ctx, "postgres: purge", func(ctx context.Context, tx pgx.Tx) error {
		out = carecontact.Purged{}
		p := purge{tx: tx, now: now}
		steps := []struct {
			d    carecontact.Days
			n    *int
			step func(ctx context.Context, cutoff time.Time, d carecontact.Days) (int, error)
		}{
			{r.Sessions, &out.Sessions, p.sessions},
			{r.Callbacks, &out.Callbacks, p.callbacks},
			{r.DemandContacts, &out.DemandContacts, p.contacts},
			{r.RoutingItems, &out.RoutingItems, p.items},
			{r.Appointments, &out.Appointments, p.appointments},
			{r.WaitEntries, &out.WaitEntries, p.waiters},
		}
		for _, s := range steps {
			cutoff, ok := s.d.Cutoff(now, civil.Helsinki())
			if !ok {
				continue
			}
			n, err := s.step(ctx, cutoff, s.d)
			if err != nil {
				return err
			}
			*s.n = n
		}
		n, err := pseudonymiseEvents(ctx, tx, `subject = ANY($1)`, p.subjects, "")
		if err != nil {
			return err
		}
		out.AuditEvents = n
		ev, err := kit.PurgeEvent(out, now)
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, ev)
	})
	if err != nil {
		return carecontact.Purged{}, fmt.Errorf("postgres: purge: %w", err)
	}
	return out, nil
}

// purge is one Purge transaction: the subjects of what it deleted.
type purge struct {
	tx       pgx.Tx
	now      time.Time
	subjects []string
}

// ids runs q (one row per candidate: its id and its document), keeps the
// candidates whose document past selects, and returns their IDs.
func (p *purge) ids(ctx context.Context, q string, arg any, past func(doc []byte) (bool, error)) ([]string, error) {
	rows, err := p.tx.Query(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	type cand struct {
		id  string
		doc []byte
	}
	cands, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (cand, error) {
		var c cand
		err := row.Scan(&c.id, &c.doc)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range cands {
		ok, err := past(c.doc)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c.id)
		}
	}
	return out, nil
}

// deleted deletes the rows of table whose id is in ids and notes their
// subjects.
func (p *purge) deleted(ctx context.Context, table string, ids []string, subject func(string) string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	if _, err := p.tx.Exec(ctx, "DELETE FROM "+table+" WHERE id = ANY($1)", ids); err != nil {
		return 0, err
	}
	for _, id := range ids {
		p.subjects = append(p.subjects, subject(id))
	}
	return len(ids), nil
}

// Columns give exact answers for sessions and demand contacts; the other
// kinds are narrowed by a column that is never later than the finish time
// and decided on the document, with the memory store's rule.

func (p *purge) sessions(ctx context.Context, cutoff time.Time, _ carecontact.Days) (int, error) {
	return p.deleteReturning(ctx, storekit.SessionSubject,
		`DELETE FROM sessions WHERE state = $1 AND closed_at <= $2 RETURNING id`, string(session.StateClosed), cutoff)
}

func (p *purge) contacts(ctx context.Context, cutoff time.Time, _ carecontact.Days) (int, error) {
	return p.deleteReturning(ctx, storekit.ContactSubject,
		`DELETE FROM demand_contacts WHERE state <> 'pending' AND closed_at <= $1 RETURNING id`, cutoff)
}

// deleteReturning runs a DELETE … RETURNING id and notes the subject of
// each deleted row.
func (p *purge) deleteReturning(ctx context.Context, subject func(string) string, q string, args ...any) (int, error) {
	rows, err := p.tx.Query(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		p.subjects = append(p.subjects, subject(id))
	}
	return len(ids), nil
}

func (p *purge) callbacks(ctx context.Context, cutoff time.Time, d carecontact.Days) (int, error) {
	ids, err := p.ids(ctx, `SELECT id, doc FROM callback_requests WHERE NOT open AND requested_at <= $1`, cutoff, func(doc []byte) (bool, error) {
		var r callback.Record
		if err := json.Unmarshal(doc, &r); err != nil {
			return false, fmt.Errorf("decode callback request: %w", err)
		}
		at, ok := storekit.CallbackFinished(r)
		return storekit.Past(d, at, ok, p.now), nil
	})
	if err != nil {
		return 0, err
	}
	return p.deleted(ctx, "callback_requests", ids, callback.Subject)
}

func (p *purge) items(ctx context.Context, _ time.Time, d carecontact.Days) (int, error) {
	ids, err := p.ids(ctx, `SELECT id, doc FROM routing_items WHERE state = $1`, int(routing.ItemQueued), func(doc []byte) (bool, error) {
		it, err := decodeItem(doc, 0)
		if err != nil {
			return false, err
		}
		at, ok := storekit.ItemAbandoned(it)
		return storekit.Past(d, at, ok, p.now), nil
	})
	if err != nil {
		return 0, err
	}
	return p.deleted(ctx, "routing_items", ids, func(id string) string { return storekit.ItemSubject(carecontact.ItemID(id)) })
}

func (p *purge) appointments(ctx context.Context, cutoff time.Time, d carecontact.Days) (int, error) {
	ids, err := p.ids(ctx, `SELECT id, doc FROM booking_appointments WHERE status NOT IN `+activeStatuses+` AND start_at <= $1`, cutoff,
		func(doc []byte) (bool, error) {
			var a booking.Appointment
			if err := json.Unmarshal(doc, &a); err != nil {
				return false, fmt.Errorf("decode appointment: %w", err)
			}
			at, ok := storekit.AppointmentFinished(a)
			return storekit.Past(d, at, ok, p.now), nil
		})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	if _, err := p.tx.Exec(ctx, `DELETE FROM booking_claims WHERE appointment = ANY($1)`, ids); err != nil {
		return 0, err
	}
	return p.deleted(ctx, "booking_appointments", ids, storekit.AppointmentSubject)
}

func (p *purge) waiters(ctx context.Context, cutoff time.Time, d carecontact.Days) (int, error) {
	ids, err := p.ids(ctx, `SELECT id, doc FROM booking_waiters WHERE since <= $1`, cutoff, func(doc []byte) (bool, error) {
		var w booking.WaitEntry
		if err := json.Unmarshal(doc, &w); err != nil {
			return false, fmt.Errorf("decode wait entry: %w", err)
		}
		at, ok := storekit.WaitFinished(w)
		return storekit.Past(d, at, ok, p.now), nil
	})
	if err != nil {
		return 0, err
	}
	return p.deleted(ctx, "booking_waiters", ids, storekit.WaitSubject)
}

// pseudonymiseEvents pseudonymises the audit events the condition where
// (with arg as $1) selects: only client's, or every client's when client is
// "". It counts the rows it changed.
func pseudonymiseEvents(ctx context.Context, tx pgx.Tx, where string, arg any, client carecontact.ClientRef) (int, error) {
	rows, err := tx.Query(ctx, `SELECT seq, client, actor_kind, actor_id, actor_digest FROM audit_events WHERE `+where+` ORDER BY seq FOR UPDATE`, arg)
	if err != nil {
		return 0, err
	}
	type row struct {
		seq    int64
		e      audit.Event
		digest string
	}
	found, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var x row
		var kind string
		err := r.Scan(&x.seq, &x.e.Client, &kind, &x.e.Actor.ID, &x.digest)
		x.e.Actor.Kind = audit.ActorKind(kind)
		return x, err
	})
	if err != nil {
		return 0, err
	}
	batch := &pgx.Batch{}
	for _, x := range found {
		if storekit.PseudonymiseEvent(&x.e, x.digest, client) {
			batch.Queue(`UPDATE audit_events SET client = $2, actor_id = $3, pseudonymised = true WHERE seq = $1`, x.seq, x.e.Client, x.e.Actor.ID)
		}
	}
	if batch.Len() == 0 {
		return 0, nil
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return 0, err
	}
	return batch.Len(), nil
}

// EraseClient erases the client's data on request, in one transaction: in
// every table the client's reference is replaced with its pseudonym
// (audit.Pseudonym) and a callback request loses its phone number; in the
// audit trail the client's events, and the events the client made
// themselves, name the pseudonym (rows marked pseudonymised; the chain
// holds both by digest, so it still verifies). Rows recorded before
// migration 11 hold a client actor's ID in the chain as it is: their
// actor_id is left, and only their client is replaced. The erasure is
// recorded as one event by actor about the pseudonym (action
// "storage.erase", the counts in its detail, nothing personal), at at.
// Afterwards no read by the old reference finds anything; the client's
// trail is found under Erasure.Pseudonym.
//
// Live work (an open session or callback request, a booked appointment, a
// queued routing item) is kept, under the pseudonym, with its version
// bumped, so a writer holding an older copy conflicts instead of writing
// the old reference back: the host cancels what it no longer wants done
// before it erases (an open callback request has no number to call any
// more). Other fields are kept as recorded, including a session's notes
// and an appointment's answers, which are the care record.
func (db *DB) EraseClient(ctx context.Context, actor audit.Actor, client carecontact.ClientRef, at time.Time) (carecontact.Erasure, error) {
	p, err := kit.EraseRequest(actor, client, at)
	if err != nil {
		return carecontact.Erasure{}, err
	}
	var n carecontact.Purged
	err = db.inTx(ctx, "postgres: erase client", func(ctx context.Context, tx pgx.Tx) error {
		n = carecontact.Purged{}
		var err error
		if n.Sessions, err = eraseDocs(ctx, tx, `SELECT id, doc FROM sessions WHERE client = $1 FOR UPDATE`, client,
			func(ctx context.Context, id string, doc []byte) error {
				var v session.Session
				if err := json.Unmarshal(doc, &v); err != nil {
					return fmt.Errorf("decode session: %w", err)
				}
				v = storekit.EraseSession(v, p)
				v.Version++
				doc, err := sessionDoc(v)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `UPDATE sessions SET client = $2, version = $3, doc = $4 WHERE id = $1`, id, v.Client, v.Version, doc)
				return err
			}); err != nil {
			return err
		}
		if n.Callbacks, err = eraseDocs(ctx, tx, `SELECT id, doc FROM callback_requests WHERE client = $1 FOR UPDATE`, client,
			func(ctx context.Context, id string, doc []byte) error {
				var r callback.Record
				if err := json.Unmarshal(doc, &r); err != nil {
					return fmt.Errorf("decode callback request: %w", err)
				}
				r = storekit.EraseCallback(r, p)
				var version int64
				if err := tx.QueryRow(ctx, `SELECT version FROM callback_requests WHERE id = $1`, id).Scan(&version); err != nil {
					return err
				}
				r.Version = version + 1
				doc, err := encodeCallback(r)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `UPDATE callback_requests SET client = $2, phone = '', version = $3, doc = $4 WHERE id = $1`, id, r.Client, r.Version, doc)
				return err
			}); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE demand_contacts SET client = $2 WHERE client = $1`, client, p)
		if err != nil {
			return err
		}
		n.DemandContacts = int(tag.RowsAffected())
		if n.RoutingItems, err = eraseDocs(ctx, tx, `SELECT id, doc FROM routing_items WHERE client = $1 FOR UPDATE`, client,
			func(ctx context.Context, id string, doc []byte) error {
				var version uint64
				if err := tx.QueryRow(ctx, `SELECT version FROM routing_items WHERE id = $1`, id).Scan(&version); err != nil {
					return err
				}
				it, err := decodeItem(doc, version)
				if err != nil {
					return err
				}
				it = storekit.EraseItem(it, p)
				it.Version++
				row, err := encodeItem(it)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `UPDATE routing_items SET version = $2, doc = $3 WHERE id = $1`, id, it.Version, row.doc)
				return err
			}); err != nil {
			return err
		}
		if n.Appointments, err = eraseDocs(ctx, tx, `SELECT id, doc FROM booking_appointments WHERE client = $1 FOR UPDATE`, client,
			func(ctx context.Context, id string, doc []byte) error {
				var a booking.Appointment
				if err := json.Unmarshal(doc, &a); err != nil {
					return fmt.Errorf("decode appointment: %w", err)
				}
				a.Client = p
				a.Version++
				doc, err := json.Marshal(a)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `UPDATE booking_appointments SET client = $2, version = $3, doc = $4 WHERE id = $1`, id, a.Client, a.Version, doc)
				return err
			}); err != nil {
			return err
		}
		if n.WaitEntries, err = eraseDocs(ctx, tx, `SELECT id, doc FROM booking_waiters WHERE doc->>'client' = $1 FOR UPDATE`, client,
			func(ctx context.Context, id string, doc []byte) error {
				var w booking.WaitEntry
				if err := json.Unmarshal(doc, &w); err != nil {
					return fmt.Errorf("decode wait entry: %w", err)
				}
				w.Client = p
				doc, err := json.Marshal(w)
				if err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `UPDATE booking_waiters SET doc = $2 WHERE id = $1`, id, doc)
				return err
			}); err != nil {
			return err
		}
		if n.AuditEvents, err = pseudonymiseEvents(ctx, tx, `client = $1 OR (actor_kind = 'client' AND actor_id = $1 AND actor_digest <> '')`,
			client, client); err != nil {
			return err
		}
		ev, err := kit.EraseEvent(actor, p, n, at)
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, ev)
	})
	if err != nil {
		return carecontact.Erasure{}, fmt.Errorf("postgres: erase client: %w", err)
	}
	return carecontact.Erasure{Pseudonym: p, Changed: n}, nil
}

// eraseDocs runs q (id and document of each of the client's rows, locked)
// and then change on each row, and counts the rows.
func eraseDocs(ctx context.Context, tx pgx.Tx, q string, client carecontact.ClientRef, change func(ctx context.Context, id string, doc []byte) error) (int, error) {
	rows, err := tx.Query(ctx, q, client)
	if err != nil {
		return 0, err
	}
	type found struct {
		id  string
		doc []byte
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (found, error) {
		var f found
		err := row.Scan(&f.id, &f.doc)
		return f, err
	})
	if err != nil {
		return 0, err
	}
	for _, f := range all {
		if err := change(ctx, f.id, f.doc); err != nil {
			return 0, err
		}
	}
	return len(all), nil
}
