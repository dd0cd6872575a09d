package guidance

import (
	"context"

	"github.com/carecontact/carecontact/audit"
)

// Store keeps guidance records. Implementations are safe for concurrent use;
// several Store values may share one backing state (host replicas over one
// database). storage/storagetest proves an implementation.
type Store interface {
	// Load returns the subject's record, or an error wrapping ErrNotFound.
	Load(ctx context.Context, subject string) (Record, error)
	// Save stores rec if the stored revision equals rec.Rev (0: the subject
	// must not be stored yet) and returns the new revision, rec.Rev+1,
	// writing events to the audit log in the same atomic operation.
	// Otherwise nothing is written and the error wraps ErrConflict. An
	// event that fails audit validation fails the whole Save.
	Save(ctx context.Context, rec Record, events []audit.Event) (int64, error)
	// List returns every record, ordered by subject.
	List(ctx context.Context) ([]Record, error)
}
