package callback_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// hangBudget is a generous wall-clock bound for calls that must return at
// once. It guards against hangs; it is not a performance assertion.
const hangBudget = time.Second

// requestWithin calls svc.Request in a goroutine and fails the test when it
// does not return within hangBudget.
func requestWithin(t *testing.T, svc *callback.Service, r callback.Request, now time.Time) (callback.Promise, error) {
	t.Helper()
	type result struct {
		p   callback.Promise
		err error
	}
	done := make(chan result, 1)
	go func() {
		p, err := on(svc, now).Request(context.Background(), r)
		done <- result{p, err}
	}()
	select {
	case res := <-done:
		return res.p, res.err
	case <-time.After(hangBudget):
		t.Fatalf("Request at %v did not return within %v", now, hangBudget)
		return callback.Promise{}, nil
	}
}

// TestRequestBoundedOnBadTimesAndCalendars: a time near the end of year
// 9999, the zero time and a working-day calendar without working days get
// ErrInvalid at once, and the service's lock is free afterwards.
func TestRequestBoundedOnBadTimesAndCalendars(t *testing.T) {
	noWorkdays := civil.WorkdayFunc(func(civil.Date) bool { return false })
	tests := []struct {
		name     string
		workdays civil.Workdays
		now      time.Time
		msg      string
	}{
		{"last day of year 9999", nil, time.Date(9999, 12, 31, 10, 0, 0, 0, hki), "end of the calendar"},
		{"two days before the end of year 9999", nil, time.Date(9999, 12, 29, 10, 0, 0, 0, hki), "end of the calendar"},
		{"zero time", nil, time.Time{}, "now is the zero time"},
		{"year 1", nil, time.Date(1, 1, 2, 10, 0, 0, 0, time.UTC), "no working day"},
		{"calendar without working days", noWorkdays, at(2026, time.November, 24, 10, 0), "no working day within 366 days"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capa := callback.NewStaticCapacity(tc.workdays)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			svc, _ := newService(t, callback.Config{Workdays: tc.workdays}, capa)
			_, err := requestWithin(t, svc, req("c1", callback.NonUrgent), tc.now)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			require.ErrorContains(t, err, tc.msg)
			// The lock is free: a second call on the same service returns.
			_, err = requestWithin(t, svc, req("c2", callback.Urgent), tc.now)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			if tc.workdays == nil {
				p, err := requestWithin(t, svc, req("c3", callback.NonUrgent), at(2026, time.November, 24, 10, 0))
				require.NoError(t, err)
				require.False(t, p.Unplaced)
			}
		})
	}
}

func TestRequestLanguageAcceptsBCP47(t *testing.T) {
	tests := []struct {
		tag     string
		want    civil.Language
		wantErr bool
	}{
		{"sv-FI", civil.Swedish, false},
		{"fi-FI", civil.Finnish, false},
		{"en-GB", civil.English, false},
		{"de", civil.Finnish, false},
		{"", civil.Finnish, false},
		{"!!", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.tag, func(t *testing.T) {
			capa := callback.NewStaticCapacity(nil)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			svc, _ := newService(t, callback.Config{}, capa)
			r := req("c1", callback.NonUrgent)
			r.Language = civil.Language(tc.tag)
			p, err := on(svc, at(2026, time.November, 24, 10, 0)).Request(context.Background(), r)
			if tc.wantErr {
				require.ErrorIs(t, err, callback.ErrInvalidRequest)
				require.ErrorIs(t, err, civil.ErrInvalid)
				require.ErrorContains(t, err, "language")
				return
			}
			require.NoError(t, err)
			rec, err := svc.Get(context.Background(), p.Request)
			require.NoError(t, err)
			require.Equal(t, tc.want, rec.Language)
		})
	}
}
