package demand

import "github.com/carecontact/carecontact"

// Errors of duplicate-demand tracking.
var (
	ErrContactNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "demand: contact not found")
	ErrContactExists   = carecontact.Sentinel(carecontact.ErrConflict, "demand: contact already exists")
	// ErrContactClosed: the contact is no longer pending (settled,
	// withdrawn, merged elsewhere).
	ErrContactClosed = carecontact.Sentinel(carecontact.ErrIllegalTransition, "demand: contact no longer pending")
	// ErrInvalidConfig: a Config that New refuses; the error names the
	// field.
	ErrInvalidConfig = carecontact.Sentinel(carecontact.ErrInvalid, "demand: invalid admitter config")
	// ErrInvalidAdmission: a Request that Admit refuses as malformed; the
	// error names the field.
	ErrInvalidAdmission = carecontact.Sentinel(carecontact.ErrInvalid, "demand: invalid admission request")
	// ErrNotAllowed: the actor may not act on the client's contacts (a
	// client admitting, settling, closing or reading another client's).
	ErrNotAllowed = carecontact.Sentinel(carecontact.ErrNotAllowed, "demand: not allowed")
)
