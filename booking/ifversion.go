package booking

import (
	"context"
	"fmt"

	carecontact "github.com/carecontact/carecontact"
)

// IfVersion returns the changes of one appointment that go ahead only while
// the stored appointment is at version, as an HTTP If-Match asks, or a
// professional's screen that must not overwrite a change it has not shown.
// The booker compares the version it reads with version before it changes
// anything, and its store write is a compare-and-set on that same read, so
// no change made by someone else in between is overwritten. Another version
// fails with ErrStaleVersion (which matches ErrConflict), audited as a
// refusal like the booker's other refusals. A version below 1 is refused
// with an ErrInvalid *carecontact.FieldError naming "version".
func (b *Booker) IfVersion(version int) Versioned {
	return Versioned{b: b, version: version}
}

// Versioned makes the changes of Booker's methods of the same names, each
// only while the appointment is at the version given to IfVersion.
type Versioned struct {
	b       *Booker
	version int
}

func (v Versioned) check() error {
	if v.version < 1 {
		return carecontact.Invalid(ErrInvalid, "version", "is below 1")
	}
	return nil
}

// Confirm is Booker.Confirm at the version.
func (v Versioned) Confirm(ctx context.Context, id string, by Requester) (Appointment, error) {
	if err := v.check(); err != nil {
		return Appointment{}, err
	}
	return v.b.confirm(ctx, id, v.version, by)
}

// Mark is Booker.Mark at the version.
func (v Versioned) Mark(ctx context.Context, id string, status Status, by Requester) (Appointment, error) {
	if err := v.check(); err != nil {
		return Appointment{}, err
	}
	return v.b.mark(ctx, id, status, v.version, by)
}

// Cancel is Booker.Cancel at the version.
func (v Versioned) Cancel(ctx context.Context, id, reason string, by Requester) (CancelResult, error) {
	if err := v.check(); err != nil {
		return CancelResult{}, err
	}
	return v.b.cancel(ctx, id, reason, nil, v.version, by)
}

// CancelCoded is Booker.CancelCoded at the version.
func (v Versioned) CancelCoded(ctx context.Context, id, reason string, codes []ReasonCode, by Requester) (CancelResult, error) {
	if err := v.check(); err != nil {
		return CancelResult{}, err
	}
	return v.b.cancel(ctx, id, reason, codes, v.version, by)
}

// Reschedule is Booker.Reschedule at the version.
func (v Versioned) Reschedule(ctx context.Context, id string, slot Slot, by Requester) (RescheduleResult, error) {
	if err := v.check(); err != nil {
		return RescheduleResult{}, err
	}
	return v.b.reschedule(ctx, id, slot, v.version, by)
}

// checkVersion refuses a stored appointment at another version than want
// (0: any).
func checkVersion(a Appointment, want int) error {
	if want == 0 || a.Version == want {
		return nil
	}
	return fmt.Errorf("booking: appointment %s is at version %d, not %d: %w", a.ID, a.Version, want, ErrStaleVersion)
}
