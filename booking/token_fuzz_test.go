package booking_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/carecontact/carecontact/booking"
)

// FuzzParseToken feeds the token parser what a client's link may carry:
// it never panics, refuses with a *TokenError that does not repeat the
// input, and accepts only a token it signed itself (signing what it
// accepted gives the input back).
func FuzzParseToken(f *testing.F) {
	s, err := booking.NewTokenSigner(testTokenKey)
	if err != nil {
		f.Fatal(err)
	}
	exp := time.Date(2027, time.January, 1, 0, 0, 0, 0, time.UTC)
	for _, tok := range []booking.Token{
		{Kind: booking.TokenInvite, ID: "inv-1", Area: "north", Service: "nurse-visit", Client: "c-1", By: "staff-7", Expires: exp},
		{Kind: booking.TokenCancel, ID: "apt-1", Client: "c-1", Expires: exp},
	} {
		signed, err := s.Sign(tok)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(signed)
		f.Add(tamper(signed))
		f.Add(signed + ".")
		f.Add(strings.Replace(signed, "cct1", "cct2", 1))
	}
	for _, seed := range []string{"", ".", "..", "cct1..", "cct1.e30.", "cct1.e30.AAAA", "cct1.\xff.\xff", strings.Repeat("a", 3000)} {
		f.Add(seed)
	}
	now := time.Date(2026, time.December, 7, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, in string) {
		tok, err := s.Parse(in, now)
		if err != nil {
			var te *booking.TokenError
			if !errors.As(err, &te) {
				t.Fatalf("not a *TokenError: %v", err)
			}
			if !errors.Is(err, booking.ErrTokenInvalid) && !errors.Is(err, booking.ErrTokenExpired) {
				t.Fatalf("matches no token sentinel: %v", err)
			}
			if len(in) > 8 && strings.Contains(err.Error(), in) {
				t.Fatalf("the error repeats the input")
			}
			return
		}
		again, err := s.Sign(tok)
		if err != nil {
			t.Fatalf("an accepted token does not sign: %v", err)
		}
		if again != in {
			t.Fatalf("accepted a token it did not sign: %q", in)
		}
	})
}
