package carecontact_test

import (
	"errors"
	"strings"
	"testing"

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
