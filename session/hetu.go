package session

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
)

// PersonalCode is a validated Finnish personal identity code
// (henkilötunnus). It never prints, logs or encodes its digits: String,
// every fmt verb, slog and JSON/text encoding give a redacted placeholder or
// an error. Reveal returns the code for the one place that needs it (the
// host's lookup of the client record).
//
// Format DDMMYYCZZZQ: date of birth, a century sign, an individual number
// and a check character. Century signs: "+" for 1800s; "-", "Y", "X", "W",
// "V", "U" for 1900s; "A", "B", "C", "D", "E", "F" for 2000s (the letters
// besides "+", "-" and "A" are in use from 1 January 2023, as published by
// the Digital and Population Data Services Agency). The check character is the remainder of the nine-digit number
// DDMMYYZZZ divided by 31, looked up in "0123456789ABCDEFHJKLMNPRSTUVWXY".
type PersonalCode struct {
	code string
	born time.Time
}

const (
	hetuCheckChars = "0123456789ABCDEFHJKLMNPRSTUVWXY"
	redacted       = "[personal code redacted]"
)

func hetuCentury(sign byte) (int, bool) {
	switch sign {
	case '+':
		return 1800, true
	case '-', 'Y', 'X', 'W', 'V', 'U':
		return 1900, true
	case 'A', 'B', 'C', 'D', 'E', 'F':
		return 2000, true
	}
	return 0, false
}

// ParsePersonalCode validates s as a henkilötunnus. Surrounding spaces are
// ignored and letters may be lower case. The error is a
// *carecontact.FieldError naming "code" that wraps ErrInvalidPersonalCode
// and says what is wrong without repeating the code.
func ParsePersonalCode(s string) (PersonalCode, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func(problem string) (PersonalCode, error) {
		return PersonalCode{}, carecontact.Invalid(ErrInvalidPersonalCode, "code", problem)
	}
	if len(s) != 11 {
		return bad("must be 11 characters")
	}
	for i, c := range []byte(s) {
		if (i < 6 || i >= 7 && i < 10) && (c < '0' || c > '9') {
			return bad("date and individual number must be digits")
		}
	}
	century, ok := hetuCentury(s[6])
	if !ok {
		return bad("unknown century sign")
	}
	day, month := atoi(s[0:2]), atoi(s[2:4])
	year := century + atoi(s[4:6])
	born := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if month < 1 || month > 12 || day < 1 || born.Day() != day || born.Month() != time.Month(month) {
		return bad("date of birth is not a calendar date")
	}
	if n := atoi(s[7:10]); n < 2 {
		return bad("individual number must be 002-999")
	}
	if want := hetuCheckChars[atoi(s[0:6]+s[7:10])%31]; s[10] != want {
		return bad("check character does not match")
	}
	return PersonalCode{code: s, born: born}, nil
}

func atoi(digits string) int {
	n := 0
	for _, c := range []byte(digits) {
		n = n*10 + int(c-'0')
	}
	return n
}

// ValidPersonalCode reports whether s is a valid henkilötunnus.
func ValidPersonalCode(s string) bool {
	_, err := ParsePersonalCode(s)
	return err == nil
}

// Reveal returns the code in its canonical form (upper case). Use it only
// to look the client up in the host's registry; never log it.
func (p PersonalCode) Reveal() string { return p.code }

// IsZero reports whether p holds no code.
func (p PersonalCode) IsZero() bool { return p.code == "" }

// BirthDate returns the date of birth the code encodes.
func (p PersonalCode) BirthDate() time.Time { return p.born }

// Temporary reports whether the code is a temporary one (individual number
// 900-999, given by health care units before a permanent code exists).
func (p PersonalCode) Temporary() bool { return p.code != "" && p.code[7] == '9' }

// String returns a redacted placeholder.
func (p PersonalCode) String() string { return redacted }

// GoString returns a redacted placeholder, so %#v does not leak the code.
func (p PersonalCode) GoString() string { return "session.PersonalCode{" + redacted + "}" }

// Format prints the redacted placeholder for every verb.
func (p PersonalCode) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(p.GoString()))
		return
	}
	_, _ = f.Write([]byte(redacted))
}

// LogValue keeps the code out of log/slog output.
func (p PersonalCode) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText refuses to encode the code, so it cannot slip into JSON,
// events or logs by accident.
func (p PersonalCode) MarshalText() ([]byte, error) {
	return nil, fmt.Errorf("%w: personal codes are not encoded", ErrInvalidPersonalCode)
}
