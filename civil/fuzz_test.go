package civil_test

import (
	"encoding/json"
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
)

// FuzzParseLanguage: language matching. Every well-formed BCP 47 tag (and
// the empty string) matches Finnish, Swedish or English; a malformed tag is
// an error of civil.ErrInvalid and carecontact.ErrInvalid. The code a
// match encodes to decodes to the same language.
func FuzzParseLanguage(f *testing.F) {
	for _, s := range []string{"", "fi", "sv-FI", "en-GB", "de", "zh-Hant-TW", "x-priv", "sv-u-co-trad", "e", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := civil.ParseLanguage(s)
		_, tagErr := language.Parse(s)
		wellFormed := s == "" || tagErr == nil
		if err != nil {
			if wellFormed {
				t.Fatalf("%q is a well-formed tag, yet: %v", s, err)
			}
			if !errors.Is(err, civil.ErrInvalid) || !errors.Is(err, carecontact.ErrInvalid) {
				t.Fatalf("%q: error not ErrInvalid: %v", s, err)
			}
			return
		}
		if !wellFormed {
			t.Fatalf("malformed tag %q accepted as %q", s, l)
		}
		if !l.Valid() {
			t.Fatalf("%q matched %q, not fi, sv or en", s, l)
		}
		text, err := l.MarshalText()
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		var again civil.Language
		if err := again.UnmarshalText(text); err != nil || again != l {
			t.Fatalf("%q re-decodes to %q, %v", l, again, err)
		}
	})
}

// FuzzUnmarshalJSON: the JSON decoders of Date, TimeOfDay and Language,
// fed any JSON string. A failure is civil.ErrInvalid; a success is a valid
// value that encodes and decodes to itself.
func FuzzUnmarshalJSON(f *testing.F) {
	for _, s := range []string{"", "2026-12-24", "2026-02-29", "0000-01-01", "24:00", "24:01", "8:00", "sv-FI", "en", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		data, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var d civil.Date
		roundTrip(t, data, &d, func() bool { return d.IsZero() || d.Valid() }, func() any { return d })
		var tod civil.TimeOfDay
		roundTrip(t, data, &tod, tod.Valid, func() any { return tod })
		var l civil.Language
		roundTrip(t, data, &l, func() bool { return l == "" || l.Valid() }, func() any { return l })
	})
}

// roundTrip decodes data into v and checks the properties FuzzUnmarshalJSON
// states; valid and value read v after decoding.
func roundTrip(t *testing.T, data []byte, v any, valid func() bool, value func() any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		if !errors.Is(err, civil.ErrInvalid) || !errors.Is(err, carecontact.ErrInvalid) {
			t.Fatalf("%s into %T: error not ErrInvalid: %v", data, v, err)
		}
		return
	}
	if !valid() {
		t.Fatalf("%s decoded to an invalid %T %v", data, v, value())
	}
	first := value()
	out, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("cannot encode %T %v: %v", first, first, err)
	}
	if err := json.Unmarshal(out, v); err != nil || value() != first {
		t.Fatalf("%s: %v re-decodes from %s to %v, %v", data, first, out, value(), err)
	}
}
