package callback_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// TestShiftOverlapsRefused: a shift that overlaps an earlier shift of the
// same professional, or is negative, is an ErrInvalidRequest FieldError
// naming it; touching shifts and other professionals' overlaps pass.
func TestShiftOverlapsRefused(t *testing.T) {
	cases := []struct {
		name      string
		shifts    []callback.Shift
		wantField string // "" means accepted
	}{
		{"overlap same professional", []callback.Shift{
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(12, 0)},
			{Professional: "p1", From: civil.At(11, 0), To: civil.At(16, 0)}}, "shifts[1]"},
		{"contained in an earlier shift", []callback.Shift{
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(16, 0)},
			{Professional: "p2", From: civil.At(8, 0), To: civil.At(16, 0)},
			{Professional: "p1", From: civil.At(9, 0), To: civil.At(10, 0)}}, "shifts[2]"},
		{"same shift twice", []callback.Shift{
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(16, 0)},
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(16, 0)}}, "shifts[1]"},
		{"negative interval", []callback.Shift{
			{Professional: "p1", From: civil.At(12, 0), To: civil.At(8, 0)}}, "shifts[0]"},
		{"touching shifts", []callback.Shift{
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(12, 0)},
			{Professional: "p1", From: civil.At(12, 0), To: civil.At(16, 0)}}, ""},
		{"two professionals at once", []callback.Shift{
			{Professional: "p1", From: civil.At(8, 0), To: civil.At(16, 0)},
			{Professional: "p2", From: civil.At(8, 0), To: civil.At(16, 0)}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := callback.NewStaticCapacity(nil).SetTeam("team-1", tc.shifts...)
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			requireInvalidField(t, err, tc.wantField)
		})
	}
}

// TestCallTimes: a completion whose clock reads before the call's start is
// refused naming "clock" and leaves the call in progress; a request time
// far in the past is the clock's reading and is accepted, as the package
// documents.
func TestCallTimes(t *testing.T) {
	cases := []struct {
		name      string
		start     time.Time
		complete  time.Duration // after start
		wantField string
	}{
		{"completed before it started", at(2026, 11, 23, 9, 30), -time.Minute, "clock"},
		{"completed at its start", at(2026, 11, 23, 9, 30), 0, ""},
		{"completed after it started", at(2026, 11, 23, 9, 30), 8 * time.Minute, ""},
		{"request time 25 years ago", at(2001, 11, 23, 9, 30), 8 * time.Minute, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			capa := callback.NewStaticCapacity(nil)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			svc, _ := newPlanner(t, callback.Config{}, capa)
			p, err := on(svc, tc.start).Request(ctx, req("c1", callback.NonUrgent))
			require.NoError(t, err)
			_, err = on(svc, tc.start).Plan(ctx)
			require.NoError(t, err)
			r, err := on(svc, tc.start).Take(ctx, "team-north", "n-0")
			require.NoError(t, err)
			require.Equal(t, p.Request, r.ID)
			_, _, err = on(svc, tc.start.Add(tc.complete)).Complete(ctx, r.ID, "n-0", callback.Answered)
			if tc.wantField == "" {
				require.NoError(t, err)
				return
			}
			requireInvalidField(t, err, tc.wantField)
			got, err := svc.Get(ctx, audit.System("test"), r.ID)
			require.NoError(t, err)
			require.Equal(t, callback.StateInCall, got.State, "the call stays in progress")
		})
	}
}

// requireInvalidField checks that err is an ErrInvalidRequest
// *carecontact.FieldError naming field.
func requireInvalidField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, callback.ErrInvalidRequest)
	require.ErrorIs(t, err, carecontact.ErrInvalid)
	var fe *carecontact.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}
