package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// Codes computed for these tests with the published algorithm (remainder
// of DDMMYYZZZ divided by 31); 131052-308T and 010594Y9021 are the examples
// the Digital and Population Data Services Agency publishes.
func TestParsePersonalCode(t *testing.T) {
	valid := []struct {
		code string
		born string
	}{
		{"131052-308T", "1952-10-13"},
		{"010594Y9021", "1994-05-01"},
		{"020286U914K", "1986-02-02"},
		{"170645W005K", "1945-06-17"},
		{"311231X3211", "1931-12-31"},
		{"121212V777K", "1912-12-12"},
		{"311299+8997", "1899-12-31"},
		{"150307A234E", "2007-03-15"},
		{"290200B002C", "2000-02-29"},
		{"240822C456A", "2022-08-24"},
		{"050505D0505", "2005-05-05"},
		{"280810E666K", "2010-08-28"},
		{"010101F123N", "2001-01-01"},
		{" 131052-308t ", "1952-10-13"},
	}
	for _, tc := range valid {
		p, err := session.ParsePersonalCode(tc.code)
		require.NoError(t, err, tc.code)
		require.Equal(t, tc.born, p.BirthDate().Format(time.DateOnly), tc.code)
		require.Equal(t, strings.ToUpper(strings.TrimSpace(tc.code)), p.Reveal())
		require.True(t, session.ValidPersonalCode(tc.code))
	}
	p, _ := session.ParsePersonalCode("010594Y9021")
	require.True(t, p.Temporary(), "individual numbers 900-999 are temporary")
	p, _ = session.ParsePersonalCode("131052-308T")
	require.False(t, p.Temporary())

	invalid := map[string]string{
		"":             "must be 11 characters",
		"131052-308":   "must be 11 characters",
		"131052-308TT": "must be 11 characters",
		"131052-308U":  "check character does not match",
		"131052G308T":  "unknown century sign",
		"131052Z308T":  "unknown century sign",
		"13105x-308T":  "must be digits",
		"131052-3x8T":  "must be digits",
		"290200-002C":  "not a calendar date", // 1900 was no leap year
		"320152-308T":  "not a calendar date",
		"001352-308T":  "not a calendar date",
		"131352-308T":  "not a calendar date",
		"131052-001T":  "individual number",
		"131052-000T":  "individual number",
	}
	for code, want := range invalid {
		_, err := session.ParsePersonalCode(code)
		require.ErrorIs(t, err, session.ErrInvalidPersonalCode, code)
		require.Contains(t, err.Error(), want, code)
		if len(code) > 4 {
			require.NotContains(t, err.Error(), code[:6], "the error never repeats the code")
		}
	}
}

func TestPersonalCodeNeverPrints(t *testing.T) {
	p, err := session.ParsePersonalCode("131052-308T")
	require.NoError(t, err)
	var logs strings.Builder
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("identified", "code", p)
	outputs := []string{
		p.String(), fmt.Sprint(p), fmt.Sprintf("%v %s %q %x %#v %+v %d", p, p, p, p, p, p, p),
		fmt.Sprintf("%v", struct{ C session.PersonalCode }{p}), logs.String(),
	}
	for _, out := range outputs {
		require.NotContains(t, out, "131052", out)
		require.NotContains(t, out, "308T", out)
	}
	_, err = json.Marshal(struct{ C session.PersonalCode }{p})
	require.Error(t, err, "a code cannot be encoded into JSON by accident")
	require.NotContains(t, err.Error(), "131052")
}

func TestVerifyPersonalCode(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandLabResults, channel.IdentityWeak, channel.InboundPhone, "call-in-1")
	registry := map[string]carecontact.ClientRef{"131052-308T": "client-a", "010594Y9021": "client-b"}
	lookup := func(_ context.Context, p session.PersonalCode) (carecontact.ClientRef, error) {
		if c, ok := registry[p.Reveal()]; ok {
			return c, nil
		}
		return "", errors.New("not in registry")
	}
	_, err := f.m.VerifyPersonalCode(ctx, nurse1, s.ID, "131052-308U", lookup)
	require.ErrorIs(t, err, session.ErrInvalidPersonalCode)
	_, err = f.m.VerifyPersonalCode(ctx, nurse1, s.ID, "010594Y9021", lookup)
	require.ErrorIs(t, err, session.ErrIdentityMismatch)
	require.NotContains(t, err.Error(), "010594")
	s, err = f.m.VerifyPersonalCode(ctx, nurse1, s.ID, "131052-308T", lookup)
	require.NoError(t, err)
	require.Equal(t, channel.IdentityWeak, s.Identity)
	require.Equal(t, "personal_code", s.IdentityMethod)
	evs := f.events(t, audit.Filter{Action: "session.identify"})
	require.Len(t, evs, 2)
	require.Equal(t, audit.Denied, evs[0].Outcome)
	require.Equal(t, audit.Allowed, evs[1].Outcome)
	all, err := json.Marshal(f.events(t, audit.Filter{}))
	require.NoError(t, err)
	stored, err := json.Marshal(s)
	require.NoError(t, err)
	for _, code := range []string{"131052", "010594"} {
		require.NotContains(t, string(all), code, "no code in the audit trail")
		require.NotContains(t, string(stored), code, "no code in the session")
	}
}

// FuzzParsePersonalCode: the validator never panics, never echoes its input
// in an error, accepts only well-formed codes, and a parsed code never
// prints its digits.
func FuzzParsePersonalCode(f *testing.F) {
	for _, s := range []string{"131052-308T", "010594Y9021", "290200B002C", "311299+8997", "", "131052-308U", "999999-999Y", "010101F123N"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := session.ParsePersonalCode(s)
		if err != nil {
			require.ErrorIs(t, err, session.ErrInvalidPersonalCode)
			// Every error text is one of a fixed set: none carries input.
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "code", fe.Field)
			problem := strings.TrimPrefix(err.Error(), session.ErrInvalidPersonalCode.Error()+": code: ")
			require.Contains(t, []string{
				"must be 11 characters", "date and individual number must be digits", "unknown century sign",
				"date of birth is not a calendar date", "individual number must be 002-999", "check character does not match",
			}, problem)
			return
		}
		code := p.Reveal()
		require.Len(t, code, 11)
		require.Equal(t, strings.ToUpper(strings.TrimSpace(s)), code)
		again, err := session.ParsePersonalCode(code)
		require.NoError(t, err)
		require.Equal(t, p.BirthDate(), again.BirthDate())
		require.Equal(t, code[:2], p.BirthDate().Format("02"))
		out := fmt.Sprintf("%v %s %#v %q", p, p, p, p)
		require.NotContains(t, out, code[:6])
	})
}
