// Package errkinds checks, for the tests of the repository, that every
// exported sentinel error and every exported error type of a package
// matches exactly one root error kind of carecontact (ErrInvalid,
// ErrNotFound, ...), and that a test's explicit list of them is complete:
// it parses the package's non-test sources and fails on any exported Err*
// variable or error type the list leaves out, so a new sentinel cannot be
// forgotten.
package errkinds
