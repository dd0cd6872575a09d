package audit_test

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
)

// caught reports whether the detector finds personal data in s, through
// both of its doors: Event.Validate refuses s as a detail, and Redact
// changes it.
func caught(t *testing.T, s string) bool {
	t.Helper()
	e := validEvent()
	e.Detail = map[string]string{"note": s}
	refused := e.Validate() != nil
	require.Equal(t, refused, audit.Redact(s) != s, "Validate and Redact disagree on %q", s)
	return refused
}

// personalSpellings are phone numbers and identity codes as people write
// them; the detector must catch every one.
var personalSpellings = []string{
	"040 123 4567",
	"0401234567",
	"040-123 4567",
	"(040) 1234567",
	"040.123.4567",
	"040/1234567",
	"09 1234 5678",
	"+358401234567",
	"+358 40 123 4567",
	"358401234567",
	"+358 (0)40 1234567",
	"00358 40 123 4567",
	"040\u00a0123\u00a04567",
	"131052-308T",
	"131052+308T",
	"010101A123N",
	"131052 308T",
	"131052\u2010308T",
	"131052\u2011308T",
	"131052\u2212308T",
	"131052\u2013308T",
	"131052-308t",
}

func TestDetectorCatchesPersonalData(t *testing.T) {
	for _, p := range personalSpellings {
		for _, s := range []string{p, "soittakaa " + p + " kiitos", "(" + p + ")", "tunnus:" + p} {
			t.Run(s, func(t *testing.T) {
				require.True(t, caught(t, s))
				require.NotContains(t, audit.Redact(s), p)
			})
		}
	}
	for _, s := range []string{
		"asiakas131052-308T",   // a code inside a word
		"x131052-308Tx",        // glued on both sides
		"hetu131052\u2010308T", // glued, with a Unicode hyphen
		"id131052 308Tb",       // glued, with a space for a century sign
	} {
		t.Run(s, func(t *testing.T) { require.True(t, caught(t, s)) })
	}
}

func TestDetectorPassesIdentifiersAndOrdinaryText(t *testing.T) {
	for _, s := range []string{
		"apt-00012345",
		"apt-01234567",
		"apt_0401234567",
		"appointment/00000001",
		"appointment/01234567",
		"client-9",
		"session/00000000-0412-4567-8901-234567890123",
		"2026-11-23T08:00:00Z",
		"2026-11-23T08:00:00+02:00",
		"01.01.2025",
		"klo 08.00-09.30",
		"1/2/2025 and 05/03/2025",
		"00100 Helsinki",
		"1 000 000 euroa",
		"deadbeef123456b1234c", // hex: a code shape with no valid date
		"asiakas131052-308U",   // glued, wrong check character
		"131052 308U",          // a space for a sign, wrong check character
		"client left",
		"",
	} {
		t.Run(s, func(t *testing.T) { require.False(t, caught(t, s)) })
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"soittakaa 040 123 4567", "soittakaa [redacted]"},
		{"soittakaa (040) 1234567 tai +358 40 765 4321!", "soittakaa [redacted] tai [redacted]!"},
		{"hetu 131052-308T, apt-00012345", "hetu [redacted], apt-00012345"},
		{"ääkköset 131052\u2212308T ok", "ääkköset [redacted] ok"},
		{"item 00000000-0412-4567-8901-234567890123 0401234567", "item 00000000-0412-4567-8901-234567890123 [redacted]"},
		{"no digits at all", "no digits at all"},
		{"bad \xff utf-8 0401234567\x00", "bad \xff utf-8 [redacted]\x00"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			require.Equal(t, tc.want, audit.Redact(tc.in))
		})
	}
}

// A megabyte of digits and separators is scanned in linear time.
func TestDetectorLongInput(t *testing.T) {
	for _, unit := range []string{"0 ", "01.", "1-", "0401234567 ", "131052-308T "} {
		s := strings.Repeat(unit, (1<<20)/len(unit))
		r := audit.Redact(s)
		require.NotEmpty(t, r)
	}
}

// FuzzDetector checks the detector's properties on any text: it never
// panics, Redact leaves nothing it would catch, every spelling of a phone
// number or identity code is caught wherever it stands, and an identifier
// of the form prefix-digits (a zero-padded counter) is not.
func FuzzDetector(f *testing.F) {
	f.Add("", uint32(12345), uint8(8))
	f.Add("apt", uint32(1), uint8(8))
	f.Add("soittakaa", uint32(401234567), uint8(10))
	f.Add("hetu 1310", uint32(0), uint8(0))
	f.Add("(0", uint32(99), uint8(3))
	f.Fuzz(func(t *testing.T, text string, n uint32, width uint8) {
		if len(text) > 128 {
			return // long texts: TestDetectorLongInput; short ones keep the fuzzer fuzzing
		}
		r := audit.Redact(text)
		require.Equal(t, r, audit.Redact(r), "redacting twice changes %q", text)
		p := personalSpellings[int(n%uint32(len(personalSpellings)))]
		if s := text + " " + p + " " + text; audit.Redact(s) == s {
			t.Fatalf("%q not caught in %q", p, s)
		}
		prefix := strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, text)
		if prefix == "" || len(prefix) > 12 {
			prefix = "apt"
		}
		id := fmt.Sprintf("%s-%0*d", prefix, int(width%13)+1, n)
		e := validEvent()
		e.Subject = "appointment/" + id
		require.NoError(t, e.Validate(), id)
	})
}

// Random hexadecimal IDs, with or without a prefix, are not personal data,
// though a stretch of one may read as an identity code with a letter for
// its century sign.
func TestRandomHexIDsAreNotPersonalData(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		var b [16]byte
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		for _, id := range []string{hex.EncodeToString(b[:]), "s" + hex.EncodeToString(b[:]), strings.ToUpper(hex.EncodeToString(b[:]))} {
			require.False(t, caught(t, id), id)
		}
	}
	require.False(t, caught(t, "sad120720f11147dca7159e4708dfe778"))
}

// FuzzDetectorNumbers builds the phone numbers and identity codes of
// issue 15's spellings from fuzzed digits and checks that each is caught,
// alone and among words: a Finnish number in every separator style
// ("(040) 1234567", "040.123.4567", "040/1234567", "358401234567",
// "+358 (0)40 1234567", ...), and a valid identity code with any century
// sign, with a space for it, with a Unicode hyphen, and glued inside a word
// (where only a sign that is no letter counts, as in "asiakas131052-308T").
// A zero-padded counter behind a word and a dash ("apt-00012345") is
// never caught.
func FuzzDetectorNumbers(f *testing.F) {
	f.Add(uint32(1234567), uint8(0), uint32(1310523), uint8(0), "soita")
	f.Add(uint32(7654321), uint8(5), uint32(100000), uint8(3), "")
	f.Add(uint32(0), uint8(9), uint32(3112999), uint8(7), "asiakas")
	f.Fuzz(func(t *testing.T, n uint32, style uint8, birth uint32, sign uint8, word string) {
		word = strings.Map(func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r
			}
			return -1
		}, word)
		if len(word) > 12 {
			word = word[:12]
		}
		sub := fmt.Sprintf("%07d", n%10_000_000) // a subscriber number
		phones := []string{
			"040 " + sub[:3] + " " + sub[3:], "040" + sub, "040-" + sub[:3] + " " + sub[3:], "(040) " + sub,
			"040." + sub[:3] + "." + sub[3:], "040/" + sub, "358" + "40" + sub, "+358" + "40" + sub,
			"+358 40 " + sub[:3] + " " + sub[3:], "+358 (0)40 " + sub, "00358 40 " + sub, "040\u00a0" + sub[:3] + "\u00a0" + sub[3:],
		}
		p := phones[int(style)%len(phones)]
		for _, s := range []string{p, "soittakaa " + p + " kiitos", "(" + p + ")", word + ": " + p + "."} {
			if audit.Redact(s) == s || strings.Contains(audit.Redact(s), sub) {
				t.Fatalf("phone %q not caught in %q", p, s)
			}
		}

		// A valid code: a real date of birth, an individual number, its
		// check character.
		day, month, year := int(birth%28)+1, int(birth/28%12)+1, int(birth/336%100)
		ind := int(birth/33600%898) + 2
		nine := ((day*100+month)*100+year)*1000 + ind
		check := "0123456789ABCDEFHJKLMNPRSTUVWXY"[nine%31]
		signs := []string{"-", "+", "A", "B", "Y", "U", " ", "\u2010", "\u2011", "\u2212", "\u2013"}
		sg := signs[int(sign)%len(signs)]
		code := fmt.Sprintf("%02d%02d%02d%s%03d%c", day, month, year, sg, ind, check)
		for _, s := range []string{code, "hetu " + code + ", kiitos", strings.ToLower(code)} {
			if audit.Redact(s) == s {
				t.Fatalf("code %q not caught in %q", code, s)
			}
		}
		if r := []rune(sg)[0]; !(r >= 'A' && r <= 'Z') && word != "" {
			if s := word + code + word; audit.Redact(s) == s {
				t.Fatalf("code %q not caught inside the word %q", code, s)
			}
		}

		prefix := word
		if prefix == "" {
			prefix = "apt"
		}
		id := fmt.Sprintf("%s-%08d", prefix, n%1000_0000)
		if audit.Redact(id) != id {
			t.Fatalf("the identifier %q is caught as personal data", id)
		}
	})
}
