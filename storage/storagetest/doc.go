// Package storagetest is the conformance suite that every store adapter of
// the library passes: the same tests, run against storage/memory and
// storage/postgres, prove the same guarantees (a slot booked once, a work
// item offered to one professional at a time, a callback never lost, version
// compare-and-set, audit events written with the change, a trail whose
// tampering is found, retention and erasure).
//
// The retention cases take one fresh DB (Harness.Retention, a Retainer and
// its stores): after EraseClient the trail verifies, nothing is found by
// the old client reference, the client's events are found under the
// pseudonym, other clients are untouched and writers holding older copies
// conflict; Purge removes each kind exactly at its retention, counted in
// calendar days of Europe/Helsinki across a change of daylight saving
// time, and keeps the audit events pseudonymised.
//
// An adapter runs the whole suite from one test:
//
//	func TestConformance(t *testing.T) { storagetest.Run(t, myHarness) }
//
// The Harness opens fresh, empty backing state for each test and can open
// several store values over that one state, so the concurrency cases race
// many goroutines across several values the way several host replicas race
// over one database.
package storagetest
