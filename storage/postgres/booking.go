package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
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
// counted against their Capacity under the owners' advisory locks. A
// plain claim (no limit, no shared seat) is one round trip, and of the
// plain claims and transitions of its owners it waits only for one that
// claims or releases an overlapping time (see lockOwners).
type BookingStore struct{ db *DB }

// BookingStore returns the DB's booking store.
func (db *DB) BookingStore() *BookingStore { return &BookingStore{db: db} }

var _ booking.Store = (*BookingStore)(nil)

// bookingLockSpace is the first key of the advisory lock that serialises
// one client's limited claims (the count and the insert are one step).
const bookingLockSpace int32 = 0x626b6e67 // "bkng"

// claimLockSpace is the first key of the advisory locks of one owner's
// claims (professional, room, device): taken shared by plain claims and
// transitions, exclusively by the changes that must not interleave with
// them; see lockOwners.
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

// lockOwners takes, first thing in the transaction, the exclusive
// advisory lock of each owner whose claims the transaction changes in
// ways the exclusion constraint alone cannot order: the seats of a shared
// slot (counted, then inserted), a reschedule's release of the old claims
// before the new ones, a waiting client's offer (and, on the same path, a
// claim under a limit, whose count the client's own lock serialises). The
// locks are taken at once, in name order, before any row lock or the
// client lock. A plain claim or a transition takes the same locks shared
// (queueLockOwners): they never wait for each other, only for such an
// exclusive change of one of their owners, and it waits for them.
//
// Without the exclusive locks, two transactions inserting overlapping
// ranges into the exclusion constraint could each insert a row and then
// wait for the other (a reschedule releases its old claim first, so its
// claims are not in owner order); PostgreSQL breaks that cycle only in its
// deadlock detector (after deadlock_timeout, 1 s by default), so a popular
// slot would become a storm of deadlocks and retries. Plain claims insert
// their claims in owner order (sortedClaims), so their waits on each
// other's rows never form a cycle: a second claimant of a slot waits for
// the first to commit and then fails at once on the constraint.
func lockOwners(ctx context.Context, tx pgx.Tx, owners []booking.CalendarID) error {
	if len(owners) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	queueLockOwners(b, owners, false)
	err := execBatch(ctx, tx, b)
	return err
}

// queueLockOwners queues lockOwners' statement on b, with shared locks
// when shared is set (nothing when owners is empty), and reports whether
// it did.
func queueLockOwners(b *pgx.Batch, owners []booking.CalendarID, shared bool) bool {
	if len(owners) == 0 {
		return false
	}
	fn := "pg_advisory_xact_lock"
	if shared {
		fn = "pg_advisory_xact_lock_shared"
	}
	if !slices.ContainsFunc(owners, func(o booking.CalendarID) bool { return o != owners[0] }) {
		// One owner (the usual case): the same lock, a cheaper statement.
		b.Queue(`SELECT `+fn+`($1, hashtext($2))`, claimLockSpace, owners[0])
		return true
	}
	b.Queue(`SELECT `+fn+`($1, hashtext(o))
		FROM (SELECT DISTINCT o FROM unnest($2::text[]) AS o ORDER BY o) AS owners`, claimLockSpace, owners)
	return true
}

// queueReleaseExpired queues, on b, the deletion of the expired holds that
// stand in the way of req's claims: the claims of the same owners,
// overlapping the claimed time, whose expiry has passed at req.Now. Only
// those, so claimants of different times of one calendar never touch the
// same rows (and the statement stays an index probe however many claims
// the calendar has). The rows are locked in one order (owner, start)
// before they are deleted, so two claimants releasing the same expired
// holds wait for each other instead of deadlocking.
func queueReleaseExpired(b *pgx.Batch, req booking.ClaimRequest) {
	if len(req.Claims) == 1 {
		// One claim (the usual case): one index probe, in the index's
		// order, planned once (the general statement below is planned
		// afresh each time, which costs more than running it).
		c := req.Claims[0]
		b.Queue(`DELETE FROM booking_claims WHERE owner = $1 AND during && tstzrange($2, $3, '[)') AND expires <= $4`,
			c.Owner, c.Start.UTC(), c.End.UTC(), req.Now.UTC())
		return
	}
	owners := make([]booking.CalendarID, len(req.Claims))
	starts := make([]time.Time, len(req.Claims))
	ends := make([]time.Time, len(req.Claims))
	for i, c := range req.Claims {
		owners[i], starts[i], ends[i] = c.Owner, c.Start.UTC(), c.End.UTC()
	}
	b.Queue(`DELETE FROM booking_claims WHERE ctid = ANY(ARRAY(
			SELECT c.ctid FROM booking_claims c
			JOIN unnest($1::text[], $2::timestamptz[], $3::timestamptz[]) AS w (owner, s, e)
				ON c.owner = w.owner AND c.during && tstzrange(w.s, w.e, '[)')
			WHERE c.expires <= $4
			ORDER BY c.owner, lower(c.during), c.appointment
			FOR UPDATE OF c))`, owners, starts, ends, req.Now.UTC())
}

// sortedClaims returns req's claims in owner order, the order plain
// claims insert them in (see lockOwners).
func sortedClaims(req booking.ClaimRequest) []booking.Claim {
	cs := slices.Clone(req.Claims)
	slices.SortStableFunc(cs, func(a, b booking.Claim) int { return strings.Compare(string(a.Owner), string(b.Owner)) })
	return cs
}

// queueClaim queues the insert of claim c of appointment id on b.
func queueClaim(b *pgx.Batch, id string, c booking.Claim) {
	b.Queue(`INSERT INTO booking_claims (owner, appointment, during, expires, shared, capacity) VALUES ($1, $2, tstzrange($3, $4, '[)'), $5, $6, $7)`,
		c.Owner, id, c.Start.UTC(), c.End.UTC(), nullTime(c.Expires), nullString(c.Shared), c.Capacity)
}

// claimError maps the error of a claim's insert for appointment id.
func claimError(id string, err error) error {
	if code, _ := pgCode(err); code == codeExclusionViolation {
		return fmt.Errorf("booking: appointment %s: %w", id, booking.ErrSlotTaken)
	}
	return err
}

// claimTx checks the limit and inserts the appointment and its claims.
func claimTx(ctx context.Context, tx pgx.Tx, req booking.ClaimRequest) error {
	a := req.Appointment
	release := &pgx.Batch{}
	queueReleaseExpired(release, req)
	if err := execBatch(ctx, tx, release); err != nil {
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
		queueClaim(batch, a.ID, c)
	}
	return claimError(a.ID, tx.SendBatch(ctx, batch).Close())
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
	if q := claimsTransition(prev, next); q != "" {
		_, err = tx.Exec(ctx, q, next.ID)
	}
	return err
}

// claimsTransition returns the statement that releases ($1's claims
// deleted) or fixes (their expiry cleared) the claims of appointment $1 as
// it goes from prev to next, or "" when they stay as they are. The rows
// are locked first in the order queueReleaseExpired locks expired holds
// in (owner, start), so a transition and a claimant releasing the same
// expired hold wait for each other instead of deadlocking.
func claimsTransition(prev, next booking.Appointment) string {
	const rows = `ctid = ANY(ARRAY(SELECT ctid FROM booking_claims WHERE appointment = $1
		ORDER BY owner, lower(during) FOR UPDATE))`
	switch {
	case !next.Status.HoldsTime():
		return "DELETE FROM booking_claims WHERE " + rows
	case prev.Status == booking.StatusPending && next.Status == booking.StatusBooked:
		return "UPDATE booking_claims SET expires = NULL WHERE " + rows
	}
	return ""
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
		err := s.db.inOneBatchTx(ctx, what, oneBatchClaims(owners, claims, prepared))
		if !errors.Is(err, errChainStarted) {
			return err
		}
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

// errChainStarted is oneBatchClaims' failure when an event's subject
// already has an audit chain: apply then runs the claim again through
// pipelinedClaims, which reads the chain's head first.
var errChainStarted = errors.New("postgres: audit chain already started")

// queueClaims queues the statements of plain claims on b, in claimTx's
// order: each request's release of expired holds, its appointment and its
// claims (in owner order); readClaims reads their results.
func queueClaims(b *pgx.Batch, claims []booking.ClaimRequest) error {
	for _, req := range claims {
		queueReleaseExpired(b, req)
		if err := queueAppointment(b, req.Appointment, true); err != nil {
			return err
		}
		for _, c := range sortedClaims(req) {
			queueClaim(b, req.Appointment.ID, c)
		}
	}
	return nil
}

// readClaims reads the results of queueClaims, mapping a taken slot to
// booking.ErrSlotTaken and a used ID or invitation to its error.
func readClaims(br pgx.BatchResults, claims []booking.ClaimRequest) error {
	for _, req := range claims {
		a := req.Appointment
		if _, err := br.Exec(); err != nil {
			return err
		}
		if _, err := br.Exec(); err != nil {
			return appointmentInsertError(a, err)
		}
		for range req.Claims {
			if _, err := br.Exec(); err != nil {
				return claimError(a.ID, err)
			}
		}
	}
	return nil
}

// oneBatchClaims is apply's transaction for plainClaims in one round
// trip: the owners' shared locks, claimTx's statements and the audit
// events and the commit marker (with a single event, its head's insert,
// the marker's and its own are one statement), each subject's chain
// started afresh (a new appointment's subject has none yet; an insert of
// the head, not an upsert, so a subject that has one fails with
// errChainStarted instead of forking its chain).
func oneBatchClaims(owners []booking.CalendarID, claims []booking.ClaimRequest, events []audit.Event) batchFn {
	streams := eventStreams(events)
	return func(b *pgx.Batch, marker uuid.UUID) (pipeRead, error) {
		locked := queueLockOwners(b, owners, true)
		if err := queueClaims(b, claims); err != nil {
			return nil, err
		}
		if len(events) == 1 {
			// One event (a booking's usual one): its chain's head, the
			// commit marker and the event in one statement, the head and
			// the marker inserted by data-modifying WITHs.
			e := events[0]
			ln := audit.Next(audit.Head{Stream: e.Subject}, e)
			b.Queue(`WITH head AS (INSERT INTO audit_heads (stream, seq, hash) VALUES ($16, $17, $18)),
				marker AS (INSERT INTO carecontact_commits (id) VALUES ($19)) `+eventInsert,
				eventArgs(e, ln, e.Subject, ln.Seq, ln.Hash[:], marker)...)
			return func(br pgx.BatchResults) error {
				if locked {
					if _, err := br.Exec(); err != nil {
						return err
					}
				}
				if err := readClaims(br, claims); err != nil {
					return err
				}
				_, err := br.Exec()
				if code, constraint := pgCode(err); code == codeUniqueViolation && constraint == "audit_heads_pkey" {
					return errChainStarted
				}
				if err != nil {
					return fmt.Errorf("postgres: write audit events: %w", err)
				}
				return nil
			}, nil
		}
		// queueEvents links the events to fresh heads and leaves the last
		// heads in the map; the heads are inserted with those, and the
		// head updates queueEvents queues last are left out.
		heads := make(map[string]audit.Head, len(streams))
		for _, st := range streams {
			heads[st] = audit.Head{Stream: st}
		}
		writes := &pgx.Batch{}
		n := queueEvents(writes, heads, streams, events) - len(streams)
		for _, st := range streams {
			h := heads[st]
			b.Queue(`INSERT INTO audit_heads (stream, seq, hash) VALUES ($1, $2, $3)`, st, h.Seq, h.Hash[:])
		}
		b.QueuedQueries = append(b.QueuedQueries, writes.QueuedQueries[:n]...)
		b.Queue(markerInsert, marker)
		return func(br pgx.BatchResults) error {
			if locked {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			if err := readClaims(br, claims); err != nil {
				return err
			}
			for range streams {
				_, err := br.Exec()
				if code, constraint := pgCode(err); code == codeUniqueViolation && constraint == "audit_heads_pkey" {
					return errChainStarted
				}
				if err != nil {
					return fmt.Errorf("postgres: start audit chain: %w", err)
				}
			}
			if err := readEvents(br, n); err != nil {
				return err
			}
			_, err := br.Exec()
			return err
		}, nil
	}
}

// pipelinedClaims is apply's transaction for plainClaims whose events
// continue an existing chain, in two round trips: the owners' shared
// locks, claimTx's statements (in the same order) and the locks of the
// audit heads; then the audit events, the commit marker and COMMIT.
func pipelinedClaims(owners []booking.CalendarID, claims []booking.ClaimRequest, events []audit.Event) pipeFn {
	streams := eventStreams(events)
	return func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		locked := queueLockOwners(first, owners, true)
		queueErr := queueClaims(first, claims)
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
			if err := readClaims(br, claims); err != nil {
				return nil, err
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
// two round trips: the owners' shared locks, the appointment's row lock
// and the locks of the audit heads; then, after
// booking.ValidateTransition, the appointment's update, its claims'
// release or fixing, the audit events, the commit marker and COMMIT.
func pipelinedTransition(owners []booking.CalendarID, req booking.TransitionRequest, events []audit.Event) pipeFn {
	streams := eventStreams(events)
	next := req.Next
	return func(first *pgx.Batch) func(pgx.BatchResults, *pgx.Batch) (pipeRead, error) {
		locked := queueLockOwners(first, owners, true)
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
			if q := claimsTransition(prev, next); q != "" {
				second.Queue(q, next.ID)
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
