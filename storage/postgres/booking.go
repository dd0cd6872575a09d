package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
)

// BookingStore is the booking.Store over the booking_appointments,
// booking_claims and booking_waiters tables. Every operation is one
// transaction; the exclusion constraint booking_claims_no_overlap is what
// makes two replicas racing for one slot get one success and one
// booking.ErrSlotTaken. The seats of one shared slot (Claim.Shared,
// migration 16) are let past the constraint by their common key and
// counted against their Capacity under the owners' advisory locks.
type BookingStore struct{ db *DB }

// BookingStore returns the DB's booking store.
func (db *DB) BookingStore() *BookingStore { return &BookingStore{db: db} }

var _ booking.Store = (*BookingStore)(nil)

// bookingLockSpace is the first key of the advisory lock that serialises
// one client's limited claims (the count and the insert are one step).
const bookingLockSpace int32 = 0x626b6e67 // "bkng"

// claimLockSpace is the first key of the advisory locks that serialise the
// claims of one owner (professional, room, device): see lockOwners.
const claimLockSpace int32 = 0x636c6d73 // "clms"

const activeStatuses = "('pending', 'booked', 'checked-in')"

func scanAppointment(row pgx.Row) (booking.Appointment, error) {
	var doc []byte
	if err := row.Scan(&doc); err != nil {
		return booking.Appointment{}, err
	}
	var a booking.Appointment
	if err := json.Unmarshal(doc, &a); err != nil {
		return booking.Appointment{}, fmt.Errorf("postgres: appointment document: %w", err)
	}
	return a, nil
}

func upsertAppointment(ctx context.Context, tx pgx.Tx, a booking.Appointment, insert bool) error {
	b := &pgx.Batch{}
	if err := queueAppointment(b, a, insert); err != nil {
		return err
	}
	err := execBatch(ctx, tx, b)
	if insert {
		return appointmentInsertError(a, err)
	}
	return err
}

// execBatch sends b in tx and returns its first error.
func execBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	return tx.SendBatch(ctx, b).Close()
}

// queueAppointment queues upsertAppointment's statement on b.
func queueAppointment(b *pgx.Batch, a booking.Appointment, insert bool) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if insert {
		b.Queue(`INSERT INTO booking_appointments (id, client, area, service, status, start_at, hold_until, version, doc, invitation)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			a.ID, a.Client, a.Area, a.Service, string(a.Status), a.Start.UTC(), nullTime(a.HoldUntil), a.Version, doc, nullString(a.Invitation))
		return nil
	}
	b.Queue(`UPDATE booking_appointments SET status = $2, hold_until = $3, version = $4, doc = $5 WHERE id = $1`,
		a.ID, string(a.Status), nullTime(a.HoldUntil), a.Version, doc)
	return nil
}

// appointmentInsertError maps the error of a's insert.
func appointmentInsertError(a booking.Appointment, err error) error {
	if code, constraint := pgCode(err); code == codeUniqueViolation {
		if constraint == "booking_appointments_invitation_key" {
			return fmt.Errorf("booking: invitation %s: %w", a.Invitation, booking.ErrInvitationUsed)
		}
		return fmt.Errorf("booking: appointment %s: %w", a.ID, booking.ErrExists)
	}
	return err
}

// lockOwners serialises the changes to each owner's claims, first thing in
// the transaction. Two transactions inserting overlapping ranges into the
// exclusion constraint each insert their row and then wait for the other;
// PostgreSQL breaks that cycle only in its deadlock detector (after
// deadlock_timeout, 1 s by default), so a popular slot becomes a storm of
// deadlocks and retries. With every owner's advisory lock taken at once,
// in name order (the same order in every transaction, before any row lock
// or the client lock), a second claimant waits for the first to commit and
// then fails at once on the constraint.
func lockOwners(ctx context.Context, tx pgx.Tx, owners []booking.CalendarID) error {
	if len(owners) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	queueLockOwners(b, owners)
	err := execBatch(ctx, tx, b)
	return err
}

// queueLockOwners queues lockOwners' statement on b (nothing when owners
// is empty) and reports whether it did.
func queueLockOwners(b *pgx.Batch, owners []booking.CalendarID) bool {
	if len(owners) == 0 {
		return false
	}
	b.Queue(`SELECT pg_advisory_xact_lock($1, hashtext(o))
		FROM (SELECT DISTINCT o FROM unnest($2::text[]) AS o ORDER BY o) AS owners`, claimLockSpace, owners)
	return true
}

// claimTx checks the limit and inserts the appointment and its claims.
func claimTx(ctx context.Context, tx pgx.Tx, req booking.ClaimRequest) error {
	a := req.Appointment
	owners := make([]booking.CalendarID, len(req.Claims))
	for i, c := range req.Claims {
		owners[i] = c.Owner
	}
	if _, err := tx.Exec(ctx, "DELETE FROM booking_claims WHERE owner = ANY($1) AND expires <= $2", owners, req.Now.UTC()); err != nil {
		return err
	}
	if l := req.Limit; l != nil {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", bookingLockSpace, a.Client); err != nil {
			return err
		}
		var n int
		err := tx.QueryRow(ctx, `SELECT count(*) FROM booking_appointments
			WHERE client = $1 AND service = $2 AND status IN `+activeStatuses+` AND start_at >= $3 AND start_at < $4
			AND (doc->>'selfBooked')::boolean IS TRUE
			AND (status <> 'pending' OR hold_until > $5)`, a.Client, l.Service, l.From.UTC(), l.To.UTC(), req.Now.UTC()).Scan(&n)
		if err != nil {
			return err
		}
		if n >= l.Max {
			return fmt.Errorf("booking: service %s: %w", l.Service, booking.ErrLimitReached)
		}
	}
	// A seat of a shared slot: the slot must have room, and the claims of
	// the same key must cover the same time (the constraint lets claims
	// of one key overlap). The owners' advisory locks serialise the count
	// and the insert.
	for _, c := range req.Claims {
		if c.Shared == "" {
			continue
		}
		var same, other int
		err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE during = tstzrange($3, $4, '[)')),
				count(*) FILTER (WHERE during <> tstzrange($3, $4, '[)'))
			FROM booking_claims WHERE owner = $1 AND shared = $2 AND during && tstzrange($3, $4, '[)')
			AND (expires IS NULL OR expires > $5)`, c.Owner, c.Shared, c.Start.UTC(), c.End.UTC(), req.Now.UTC()).Scan(&same, &other)
		if err != nil {
			return err
		}
		if other > 0 || same >= c.Capacity {
			return fmt.Errorf("booking: appointment %s: shared slot full: %w", a.ID, booking.ErrSlotTaken)
		}
	}
	if err := upsertAppointment(ctx, tx, a, true); err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, c := range req.Claims {
		batch.Queue(`INSERT INTO booking_claims (owner, appointment, during, expires, shared, capacity) VALUES ($1, $2, tstzrange($3, $4, '[)'), $5, $6, $7)`,
			c.Owner, a.ID, c.Start.UTC(), c.End.UTC(), nullTime(c.Expires), nullString(c.Shared), c.Capacity)
	}
	err := tx.SendBatch(ctx, batch).Close()
	if code, _ := pgCode(err); code == codeExclusionViolation {
		return fmt.Errorf("booking: appointment %s: %w", a.ID, booking.ErrSlotTaken)
	}
	return err
}

// transitionTx validates and stores a transition, releasing or fixing the
// claims.
func transitionTx(ctx context.Context, tx pgx.Tx, req booking.TransitionRequest) error {
	next := req.Next
	prev, err := scanAppointment(tx.QueryRow(ctx, "SELECT doc FROM booking_appointments WHERE id = $1 FOR UPDATE", next.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("booking: appointment %s: %w", next.ID, booking.ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := booking.ValidateTransition(prev, req); err != nil {
		return err
	}
	if err := upsertAppointment(ctx, tx, next, false); err != nil {
		return err
	}
	switch {
	case !next.Status.HoldsTime():
		_, err = tx.Exec(ctx, "DELETE FROM booking_claims WHERE appointment = $1", next.ID)
	case prev.Status == booking.StatusPending && next.Status == booking.StatusBooked:
		_, err = tx.Exec(ctx, "UPDATE booking_claims SET expires = NULL WHERE appointment = $1", next.ID)
	}
	return err
}

// apply runs an optional waiter removal, an optional transition and the
// claims in one transaction with the events of all.
func (s *BookingStore) apply(ctx context.Context, what string, waiterID string, old *booking.TransitionRequest, claims ...booking.ClaimRequest) error {
	prepared, err := kit.BookingChange(old, claims)
	if err != nil {
		return err
	}
	// The owners whose claims change: of the new claims and of the
	// appointment the transition changes.
	var owners []booking.CalendarID
	if old != nil {
		owners = append(owners, old.Next.Participants...)
	}
	for _, c := range claims {
		for _, cl := range c.Claims {
			owners = append(owners, cl.Owner)
		}
	}
	switch {
	case waiterID == "" && old == nil && plainClaims(claims):
		return s.db.inPipelinedTx(ctx, what, pipelinedClaims(owners, claims, prepared))
	case waiterID == "" && old != nil && len(claims) == 0:
		return s.db.inPipelinedTx(ctx, what, pipelinedTransition(owners, *old, prepared))
	}
	return s.db.inTx(ctx, what, func(ctx context.Context, tx pgx.Tx) error {
		if err := lockOwners(ctx, tx, owners); err != nil {
			return err
		}
		if waiterID != "" {
			tag, err := tx.Exec(ctx, "DELETE FROM booking_waiters WHERE id = $1", waiterID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return fmt.Errorf("booking: wait entry %s: %w", waiterID, booking.ErrNotFound)
			}
		}
		if old != nil {
			if err := transitionTx(ctx, tx, *old); err != nil {
				return err
			}
		}
		for _, c := range claims {
			if err := claimTx(ctx, tx, c); err != nil {
				return err
			}
		}
		return insertEvents(ctx, tx, prepared)
	})
}

// Claim implements booking.Store.
func (s *BookingStore) Claim(ctx context.Context, req booking.ClaimRequest) error {
	return s.apply(ctx, "postgres: booking claim", "", nil, req)
}

// Transition implements booking.Store.
func (s *BookingStore) Transition(ctx context.Context, req booking.TransitionRequest) error {
	return s.apply(ctx, "postgres: booking transition", "", &req)
}

// Reschedule implements booking.Store. The old appointment's claims are
// released first inside the transaction, so the new time (and a waiting
// client's offer) may overlap the old; the exclusion constraint keeps the
// new claims and the offer's apart, and if anything does not fit, the whole
// transaction rolls back.
func (s *BookingStore) Reschedule(ctx context.Context, old booking.TransitionRequest, next booking.ClaimRequest, offer *booking.WaitOffer) error {
	if offer == nil {
		return s.apply(ctx, "postgres: booking reschedule", "", &old, next)
	}
	if err := booking.ValidateOffer(next, *offer); err != nil {
		return err
	}
	return s.apply(ctx, "postgres: booking reschedule", offer.WaiterID, &old, next, offer.Claim)
}

// TakeWaiter implements booking.Store.
func (s *BookingStore) TakeWaiter(ctx context.Context, waiterID string, old *booking.TransitionRequest, req booking.ClaimRequest) error {
	if err := kit.WaiterID(waiterID); err != nil {
		return err
	}
	return s.apply(ctx, "postgres: booking offer", waiterID, old, req)
}

func (s *BookingStore) appointments(ctx context.Context, what, query string, args ...any) ([]booking.Appointment, error) {
	var out []booking.Appointment
	err := s.db.do(ctx, what, true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.Appointment, error) { return scanAppointment(row) })
		return err
	})
	return out, err
}

// Appointment implements booking.Store.
func (s *BookingStore) Appointment(ctx context.Context, id string) (booking.Appointment, error) {
	as, err := s.appointments(ctx, "postgres: appointment", "SELECT doc FROM booking_appointments WHERE id = $1", id)
	if err != nil {
		return booking.Appointment{}, err
	}
	if len(as) == 0 {
		return booking.Appointment{}, fmt.Errorf("booking: appointment %s: %w", id, booking.ErrNotFound)
	}
	return as[0], nil
}

// ClientAppointments implements booking.Store.
func (s *BookingStore) ClientAppointments(ctx context.Context, client carecontact.ClientRef) ([]booking.Appointment, error) {
	return s.appointments(ctx, "postgres: client appointments",
		"SELECT doc FROM booking_appointments WHERE client = $1 ORDER BY start_at, id", client)
}

// ExpiredHolds implements booking.Store.
func (s *BookingStore) ExpiredHolds(ctx context.Context, now time.Time, limit int) ([]booking.Appointment, error) {
	if limit <= 0 {
		limit = 1 << 30
	}
	return s.appointments(ctx, "postgres: expired holds",
		"SELECT doc FROM booking_appointments WHERE status = 'pending' AND hold_until <= $1 ORDER BY hold_until, id LIMIT $2", now.UTC(), limit)
}

// NextHoldExpiry implements booking.Store.
func (s *BookingStore) NextHoldExpiry(ctx context.Context) (time.Time, bool, error) {
	var t *time.Time
	err := s.db.do(ctx, "postgres: next hold expiry", true, func(ctx context.Context) error {
		return s.db.pool.QueryRow(ctx, "SELECT min(hold_until) FROM booking_appointments WHERE status = 'pending'").Scan(&t)
	})
	if err != nil || t == nil {
		return time.Time{}, false, err
	}
	return t.UTC(), true, nil
}

// Busy implements booking.Store.
func (s *BookingStore) Busy(ctx context.Context, owners []booking.CalendarID, iv booking.Interval, now time.Time) ([]booking.Claim, error) {
	var out []booking.Claim
	err := s.db.do(ctx, "postgres: busy", true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, `SELECT owner, appointment, lower(during), upper(during), expires, coalesce(shared, ''), capacity FROM booking_claims
			WHERE owner = ANY($1) AND during && tstzrange($2, $3, '[)') AND (expires IS NULL OR expires > $4)
			ORDER BY owner, lower(during)`, owners, iv.Start.UTC(), iv.End.UTC(), now.UTC())
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.Claim, error) {
			var c booking.Claim
			var exp *time.Time
			err := row.Scan(&c.Owner, &c.Appointment, &c.Start, &c.End, &exp, &c.Shared, &c.Capacity)
			c.Start, c.End = c.Start.UTC(), c.End.UTC()
			if exp != nil {
				c.Expires = exp.UTC()
			}
			return c, err
		})
		return err
	})
	return out, err
}

// AddWaiter implements booking.Store.
func (s *BookingStore) AddWaiter(ctx context.Context, w booking.WaitEntry, events []audit.Event) error {
	if err := kit.WaitEntry(w); err != nil {
		return err
	}
	prepared, err := kit.PrepareEvents(events)
	if err != nil {
		return err
	}
	doc, err := json.Marshal(w)
	if err != nil {
		return err
	}
	return s.db.inTx(ctx, "postgres: add waiter", func(ctx context.Context, tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO booking_waiters (id, area, service, since, doc) VALUES ($1, $2, $3, $4, $5)",
			w.ID, w.Area, w.Service, w.Since.UTC(), doc)
		if code, _ := pgCode(err); code == codeUniqueViolation {
			return fmt.Errorf("booking: wait entry %s: %w", w.ID, booking.ErrExists)
		}
		if err != nil {
			return err
		}
		return insertEvents(ctx, tx, prepared)
	})
}

// Waiters implements booking.Store.
func (s *BookingStore) Waiters(ctx context.Context, area carecontact.AreaID, service string) ([]booking.WaitEntry, error) {
	var out []booking.WaitEntry
	err := s.db.do(ctx, "postgres: waiters", true, func(ctx context.Context) error {
		rows, err := s.db.pool.Query(ctx, "SELECT doc FROM booking_waiters WHERE area = $1 AND service = $2 ORDER BY since, seq", area, service)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.WaitEntry, error) {
			var doc []byte
			var w booking.WaitEntry
			if err := row.Scan(&doc); err != nil {
				return w, err
			}
			return w, json.Unmarshal(doc, &w)
		})
		return err
	})
	return slices.Clip(out), err
}

// Events reads the audit log the store writes its events to.
func (s *BookingStore) Events(ctx context.Context, f audit.Filter) ([]audit.Event, error) {
	return s.db.AuditLog().Events(ctx, f)
}

// nullString maps "" to NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// plainClaims reports whether claims need none of claimTx's checks in Go
// (no limit, no seat of a shared slot), so the whole claim can be sent at
// once (pipelinedClaims).
func plainClaims(claims []booking.ClaimRequest) bool {
	for _, c := range claims {
		if c.Limit != nil {
			return false
		}
		for _, cl := range c.Claims {
			if cl.Shared != "" {
				return false
			}
		}
	}
	return len(claims) > 0
}

// pipelinedClaims is apply's transaction for plainClaims in two round
// trips: the owners' locks, claimTx's statements (in the same order) and
// the locks of the audit heads; then the audit events, the commit marker
// and COMMIT.
func pipelinedClaims(owners []booking.CalendarID, claims []booking.ClaimRequest, events []audit.Event) pipeFn {
	streams := eventStreams(events)
	return func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		locked := queueLockOwners(first, owners)
		var queueErr error
		for _, req := range claims {
			reqOwners := make([]booking.CalendarID, len(req.Claims))
			for i, c := range req.Claims {
				reqOwners[i] = c.Owner
			}
			first.Queue("DELETE FROM booking_claims WHERE owner = ANY($1) AND expires <= $2", reqOwners, req.Now.UTC())
			if err := queueAppointment(first, req.Appointment, true); err != nil && queueErr == nil {
				queueErr = err
			}
			for _, c := range req.Claims {
				first.Queue(`INSERT INTO booking_claims (owner, appointment, during, expires, shared, capacity) VALUES ($1, $2, tstzrange($3, $4, '[)'), $5, $6, $7)`,
					c.Owner, req.Appointment.ID, c.Start.UTC(), c.End.UTC(), nullTime(c.Expires), nullString(c.Shared), c.Capacity)
			}
		}
		queueHeadLocks(first, streams)
		return func(br pgx.BatchResults, second *pgx.Batch) (pipeRead, error) {
			if queueErr != nil {
				return nil, queueErr
			}
			if locked {
				if _, err := br.Exec(); err != nil {
					return nil, err
				}
			}
			for _, req := range claims {
				a := req.Appointment
				if _, err := br.Exec(); err != nil {
					return nil, err
				}
				if _, err := br.Exec(); err != nil {
					return nil, appointmentInsertError(a, err)
				}
				for range req.Claims {
					_, err := br.Exec()
					if code, _ := pgCode(err); code == codeExclusionViolation {
						return nil, fmt.Errorf("booking: appointment %s: %w", a.ID, booking.ErrSlotTaken)
					}
					if err != nil {
						return nil, err
					}
				}
			}
			heads, err := readHeads(br, streams)
			if err != nil {
				return nil, err
			}
			n := queueEvents(second, heads, streams, events)
			return func(br pgx.BatchResults) error { return readEvents(br, n) }, nil
		}
	}
}

// pipelinedTransition is apply's transaction for a transition alone in
// two round trips: the owners' locks, the appointment's row lock and the
// locks of the audit heads; then, after booking.ValidateTransition, the
// appointment's update, its claims' release or fixing, the audit events,
// the commit marker and COMMIT.
func pipelinedTransition(owners []booking.CalendarID, req booking.TransitionRequest, events []audit.Event) pipeFn {
	streams := eventStreams(events)
	next := req.Next
	return func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		locked := queueLockOwners(first, owners)
		first.Queue("SELECT doc FROM booking_appointments WHERE id = $1 FOR UPDATE", next.ID)
		queueHeadLocks(first, streams)
		return func(br pgx.BatchResults, second *pgx.Batch) (pipeRead, error) {
			if locked {
				if _, err := br.Exec(); err != nil {
					return nil, err
				}
			}
			prev, err := scanAppointment(br.QueryRow())
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, fmt.Errorf("booking: appointment %s: %w", next.ID, booking.ErrNotFound)
			}
			if err != nil {
				return nil, err
			}
			if err := booking.ValidateTransition(prev, req); err != nil {
				return nil, err
			}
			heads, err := readHeads(br, streams)
			if err != nil {
				return nil, err
			}
			if err := queueAppointment(second, next, false); err != nil {
				return nil, err
			}
			n := 1
			switch {
			case !next.Status.HoldsTime():
				second.Queue("DELETE FROM booking_claims WHERE appointment = $1", next.ID)
				n++
			case prev.Status == booking.StatusPending && next.Status == booking.StatusBooked:
				second.Queue("UPDATE booking_claims SET expires = NULL WHERE appointment = $1", next.ID)
				n++
			}
			nEvents := queueEvents(second, heads, streams, events)
			return func(br pgx.BatchResults) error {
				for range n {
					if _, err := br.Exec(); err != nil {
						return err
					}
				}
				return readEvents(br, nEvents)
			}, nil
		}
	}
}
