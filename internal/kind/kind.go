package kind

import "errors"

// The kinds, in the order carecontact.Kinds lists them. Their texts are the
// root kinds' texts.
var (
	ErrInvalid           = errors.New("invalid input")
	ErrNotFound          = errors.New("not found")
	ErrConflict          = errors.New("conflict")
	ErrNotAllowed        = errors.New("not allowed")
	ErrIllegalTransition = errors.New("illegal transition")
	ErrUnavailable       = errors.New("unavailable")
)

// Sentinel returns an error with the text msg that matches k with
// errors.Is and is distinct from every other error.
func Sentinel(k error, msg string) error {
	return &sentinel{kind: k, msg: msg}
}

type sentinel struct {
	kind error
	msg  string
}

func (s *sentinel) Error() string { return s.msg }
func (s *sentinel) Unwrap() error { return s.kind }

// FieldError is an error about one field of the input; the root package
// exports it as carecontact.FieldError.
type FieldError struct {
	// Field is the path of the field at fault.
	Field string
	// Reason says what is wrong, without repeating the value when the value
	// may be personal data.
	Reason string
	// Err is the sentinel the error matches.
	Err error
}

// Error returns "<sentinel>: <field>: <reason>".
func (e *FieldError) Error() string {
	msg := e.Field + ": " + e.Reason
	if e.Err != nil {
		return e.Err.Error() + ": " + msg
	}
	return ErrInvalid.Error() + ": " + msg
}

// Unwrap returns Err, or ErrInvalid when Err is nil.
func (e *FieldError) Unwrap() error {
	if e.Err == nil {
		return ErrInvalid
	}
	return e.Err
}
