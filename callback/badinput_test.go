package callback_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// A Phone marshals to JSON as "<redacted>" wherever it stands; a Record's
// JSON never shows the number, and the store still keeps it.
func TestPhoneNeverReachesJSON(t *testing.T) {
	const number = "+358401234567"
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"phone", callback.Phone(number)},
		{"pointer", ptr(callback.Phone(number))},
		{"in a map", map[string]callback.Phone{"to": number}},
		{"in a host struct", struct{ Phone callback.Phone }{number}},
		{"request", req("c1", callback.NonUrgent)},
		{"record", callback.Record{ID: "r1", Phone: number}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := json.Marshal(tc.v)
			require.NoError(t, err)
			require.NotContains(t, string(b), "4567")
		})
	}
	b, err := json.Marshal(callback.Phone(number))
	require.NoError(t, err)
	require.JSONEq(t, `"<redacted>"`, string(b))

	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	svc, store := newPlanner(t, callback.Config{}, capa)
	p, err := on(svc, at(2026, 11, 23, 9, 30)).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	r, err := store.Get(ctx, p.Request)
	require.NoError(t, err)
	require.Equal(t, number, r.Phone.Number(), "the store keeps the number")
	b, err = json.Marshal(r)
	require.NoError(t, err)
	require.NotContains(t, string(b), "4567")
}

func ptr[T any](v T) *T { return &v }

func TestPhoneValidate(t *testing.T) {
	for _, tc := range []struct {
		phone callback.Phone
		ok    bool
	}{
		{"+358401234567", true},
		{"040 123 4567", true},
		{"(09) 310 12345", true},
		{"040-123.4567", true},
		{"116117", true},
		{"not a phone number", false},
		{"040 123 4567 ext", false},
		{"++358401234567", false},
		{"1234", false},
		{"+1234567890123456", false},
		{"040\x00123", false},
		{"040\xff1234567", false},
	} {
		t.Run(string(tc.phone), func(t *testing.T) {
			err := tc.phone.Validate()
			if tc.ok {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, "phone", fe.Field)
			require.NotContains(t, err.Error(), string(tc.phone))

			r := req("c1", callback.NonUrgent)
			r.Phone = tc.phone
			require.ErrorIs(t, r.Validate(), callback.ErrInvalidRequest)
		})
	}
}

// Requests and configurations the planner used to accept without error.
func TestRequestAndConfigBadInput(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, field string
		mutate      func(r *callback.Request)
	}{
		{"huge id", "id", func(r *callback.Request) { r.ID = huge }},
		{"NUL in id", "id", func(r *callback.Request) { r.ID = "cb\x00" }},
		{"invalid UTF-8 client", "client", func(r *callback.Request) { r.Client = "c\xff" }},
		{"huge client", "client", func(r *callback.Request) { r.Client = carecontact.ClientRef(huge) }},
		{"huge postal code", "postalCode", func(r *callback.Request) { r.PostalCode = huge }},
		{"klingon", "language", func(r *callback.Request) { r.Language = "klingon!!" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req("c1", callback.NonUrgent)
			tc.mutate(&r)
			err := r.Validate()
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			require.ErrorContains(t, err, tc.field)
			require.Less(t, len(err.Error()), 300)
		})
	}
	for _, tc := range []struct {
		name, field string
		cfg         callback.Config
	}{
		{"NaN same-day target", "SameDayTarget", callback.Config{SameDayTarget: math.NaN()}},
		{"infinite same-day target", "SameDayTarget", callback.Config{SameDayTarget: math.Inf(1)}},
		{"cut-off before the first window", "Cutoff", callback.Config{FirstWindow: civil.At(8, 0), Cutoff: civil.At(7, 0)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			require.ErrorIs(t, err, callback.ErrConfig)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe))
			require.Equal(t, tc.field, fe.Field)
		})
	}
}

// Bad input the planner accepted, or answered untyped, before issue 15.
func TestPlannerBadInputRegressions(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	svc, _ := newPlanner(t, callback.Config{}, capa)
	p := on(svc, at(2026, 11, 23, 9, 30))
	mib := strings.Repeat("x", 1<<20)
	for _, tc := range []struct {
		name, field string
		run         func() error
	}{
		{"a request ID that is a phone number", "id", func() error {
			r := req("c1", callback.NonUrgent)
			r.ID = "0401234567"
			_, err := p.Request(ctx, r)
			return err
		}},
		{"five digits and a kilobyte of spaces", "phone", func() error {
			r := req("c1", callback.NonUrgent)
			r.Phone = callback.Phone("1 2 3 4 5" + strings.Repeat(" ", 1024))
			_, err := p.Request(ctx, r)
			return err
		}},
		{"urgency 7", "urgency", func() error {
			r := req("c1", callback.NonUrgent)
			r.Urgency = 7
			_, err := p.Request(ctx, r)
			return err
		}},
		{"a mebibyte ID to get", "id", func() error { _, err := p.Get(ctx, audit.System("test"), mib); return err }},
		{"a mebibyte ID to accept", "id", func() error { _, err := p.Accept(ctx, mib, "n1"); return err }},
		{"a take for no team", "team", func() error { _, err := p.Take(ctx, "", "n1"); return err }},
		{"KPIs whose end is before their start", "to", func() error {
			_, err := p.KPIs(ctx, at(2026, 11, 23, 0, 0), at(2026, 11, 22, 0, 0))
			return err
		}},
		{"a closing outcome that is no outcome", "ClosingOutcome", func() error {
			return callback.Config{ClosingOutcome: "bogus"}.Validate()
		}},
		{"a negative retry gap", "RetryGap", func() error { return callback.Config{RetryGap: -1}.Validate() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.True(t, errors.As(err, &fe), "%v", err)
			require.Equal(t, tc.field, fe.Field)
			require.Less(t, len(err.Error()), 300)
			require.NotContains(t, err.Error(), "0401234567")
		})
	}
}
