package civil

import "errors"

// ErrInvalid reports a malformed or out-of-range date, time of day, range,
// language tag or calendar walk. The message names the field or value.
// Packages that take civil values wrap it together with their own sentinel
// of the root kind carecontact.ErrInvalid.
var ErrInvalid = errors.New("civil: invalid input")
