// Package memory is the embedded default store of the library: every domain
// package's Store interface implemented in process memory, safe for
// concurrent use. Invariants (a slot booked once, a work item offered to one
// professional at a time, a callback never lost) are kept by holding a lock
// for the duration of each store operation, so each operation is atomic.
//
// Several store values can share one backing state (see each constructor),
// which is how storagetest exercises the adapter like several host replicas.
// State lives only as long as the process: use storage/postgres to keep it.
package memory
