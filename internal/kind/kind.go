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
