package carecontact_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

func TestValidateID(t *testing.T) {
	sentinel := carecontact.Sentinel(carecontact.ErrInvalid, "test: invalid")
	for _, tc := range []struct {
		name, id, reason string
	}{
		{"empty", "", ""},
		{"ordinary", "apt-00012345", ""},
		{"at the limit", strings.Repeat("a", carecontact.MaxIDLen), ""},
		{"non-ASCII", "tiimi-ääkköset", ""},
		{"one byte too long", strings.Repeat("a", carecontact.MaxIDLen+1), "is longer than 256 bytes"},
		{"a mebibyte", strings.Repeat("a", 1<<20), "is longer than 256 bytes"},
		{"invalid UTF-8", "id-\xff\xfe", "is not valid UTF-8"},
		{"NUL byte", "id\x00x", "holds a control character"},
		{"newline", "id\nx", "holds a control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := carecontact.ValidateID(sentinel, "request.id", tc.id)
			if tc.reason == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, sentinel)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, "request.id", fe.Field)
			require.Equal(t, tc.reason, fe.Reason)
			require.Less(t, len(err.Error()), 200, "the error does not repeat the value")
		})
	}
}

// FuzzValidate: ValidateID and ValidateText on any text. Each accepts
// exactly what it documents (valid UTF-8 within its length; no control
// characters, text allowing tab, line feed and carriage return), and a
// refusal is a *carecontact.FieldError naming the field and matching the
// sentinel, whose text never repeats the value.
func FuzzValidate(f *testing.F) {
	for _, s := range []string{"", "apt-1", "id\x00", "id-\xff", "line\nbreak", "tab\tand\rreturn", "é"} {
		f.Add(s, uint16(0))
	}
	f.Add("x", uint16(300))
	f.Fuzz(func(t *testing.T, s string, pad uint16) {
		s += strings.Repeat("y", int(pad)%(carecontact.MaxTextLen+2)) // reach both bounds
		sentinel := carecontact.Sentinel(carecontact.ErrInvalid, "test: invalid")
		control := strings.IndexFunc(s, unicode.IsControl) >= 0
		textControl := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' }) >= 0
		for _, tc := range []struct {
			name string
			err  error
			ok   bool
		}{
			{"ValidateID", carecontact.ValidateID(sentinel, "id", s), len(s) <= carecontact.MaxIDLen && utf8.ValidString(s) && !control},
			{"ValidateText", carecontact.ValidateText(sentinel, "text", s), len(s) <= carecontact.MaxTextLen && utf8.ValidString(s) && !textControl},
		} {
			if (tc.err == nil) != tc.ok {
				t.Fatalf("%s(%q): %v, want accepted %v", tc.name, s, tc.err, tc.ok)
			}
			if tc.err == nil {
				continue
			}
			var fe *carecontact.FieldError
			if !errors.As(tc.err, &fe) || fe.Field == "" || !errors.Is(tc.err, sentinel) || !errors.Is(tc.err, carecontact.ErrInvalid) {
				t.Fatalf("%s(%q): not a field error of the sentinel: %v", tc.name, s, tc.err)
			}
			if len(s) >= 4 && strings.Contains(tc.err.Error(), s) {
				t.Fatalf("%s: the error repeats the value: %v", tc.name, tc.err)
			}
		}
	})
}
