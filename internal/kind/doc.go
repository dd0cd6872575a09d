// Package kind holds the values of the root error kinds of carecontact, so
// that the root and civil, which import nothing else of the project, share
// them. The root re-exports each value (carecontact.ErrInvalid is
// kind.ErrInvalid), so errors.Is matches either name; code outside the
// root and civil uses the root names.
//
// kind imports nothing of the project.
package kind
