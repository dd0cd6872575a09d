package guidance

import (
	"fmt"

	"github.com/carecontact/carecontact"
)

// Sentinel errors. Functions wrap them with context; branch with errors.Is.
var (
	// ErrUnknownKey reports a text key that the Schema does not declare.
	ErrUnknownKey = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: unknown text key")
	// ErrUnknownVariable reports a template variable that its key does not
	// declare.
	ErrUnknownVariable = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: unknown variable")
	// ErrMissingVariable reports a translation that leaves out a variable its
	// key requires every translation to use.
	ErrMissingVariable = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: missing variable")
	// ErrMissingValue reports a render call that does not supply a value for
	// a variable the text uses.
	ErrMissingValue = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: missing value")
	// ErrTemplate reports a template that does not parse.
	ErrTemplate = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: template syntax")
	// ErrLanguage reports a translation in a language the content does not
	// declare, or a text without the default language.
	ErrLanguage = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: language")
	// ErrInvalid reports content that is malformed in another way (a bad
	// identifier, an unknown channel kind, a duplicate entry).
	ErrInvalid = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: invalid content")
	// ErrFormat reports a JSON file that is not guidance content of a
	// supported format version.
	ErrFormat = carecontact.Sentinel(carecontact.ErrInvalid, "guidance: unsupported file format")
	// ErrNotFound reports a subject, version or text that does not exist (or,
	// for serving, that has no published version).
	ErrNotFound = carecontact.Sentinel(carecontact.ErrNotFound, "guidance: not found")
	// ErrConflict reports a compare-and-set that lost: the stored revision
	// is not the one the change was based on.
	ErrConflict = carecontact.Sentinel(carecontact.ErrConflict, "guidance: revision conflict")
	// ErrDenied reports a workflow step the actor has no right to take.
	ErrDenied = carecontact.Sentinel(carecontact.ErrNotAllowed, "guidance: denied")
	// ErrState reports a workflow step that is not possible from the
	// version's current state.
	ErrState = carecontact.Sentinel(carecontact.ErrIllegalTransition, "guidance: invalid state transition")
)

// FileError is a problem in an imported content file: which file, which key
// (a JSON path such as "texts[3].text.sv"; empty for the whole file) and what
// is wrong. Err wraps one of the sentinel errors, so errors.Is works on it.
type FileError struct {
	File string
	Key  string
	Err  error

	problem *fieldError // the validation problem, for Explain
}

// Error returns "file: key: problem".
func (e *FileError) Error() string {
	if e.Key == "" {
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
	return fmt.Sprintf("%s: %s: %v", e.File, e.Key, e.Err)
}

// Unwrap returns the underlying problem.
func (e *FileError) Unwrap() error { return e.Err }

// As lets errors.As find a *carecontact.FieldError naming the key (empty for
// the whole file).
func (e *FileError) As(target any) bool {
	if fe, ok := target.(**carecontact.FieldError); ok {
		*fe = &carecontact.FieldError{Field: e.Key, Reason: e.Err.Error(), Err: e.Err}
		return true
	}
	return false
}

// fieldError is a validation problem at a JSON path inside content; Decode
// turns it into a FileError.
type fieldError struct {
	path   string
	err    error
	format string // the English reason's format: the kind of problem
	args   []any
}

func (e *fieldError) Error() string { return e.path + ": " + e.err.Error() }
func (e *fieldError) Unwrap() error { return e.err }

// As lets errors.As find a *carecontact.FieldError naming the path, so a
// problem with content (a drafted entry, a checklist) is a field error like
// any other package's.
func (e *fieldError) As(target any) bool {
	if fe, ok := target.(**carecontact.FieldError); ok {
		*fe = &carecontact.FieldError{Field: e.path, Reason: e.err.Error(), Err: e.err}
		return true
	}
	return false
}

func fieldErr(path string, sentinel error, format string, args ...any) error {
	return &fieldError{path: path, err: fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)), format: format, args: args}
}
