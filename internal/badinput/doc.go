// Package badinput holds the bad-input test of the whole public API: one
// table of cases across the packages (routing, callback, booking and its
// FHIR importers, session, guidance, demand, channel, civil, audit, the
// front door and its Organisation, and the memory stores), each run under
// a deadline. Every case expects either a typed error of a root kind (for
// invalid input a *carecontact.FieldError naming the field) or an
// acceptance that the package documentation states, and no error text may
// repeat the personal data or the megabyte of input a case passed in.
//
// The package has no code of its own; its test imports what it likes, as
// tests may under the dependency rule.
package badinput
