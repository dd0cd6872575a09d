package callback_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/civil"
)

// budget is the wall-clock time within which a request on bad input must
// return: every walk over days it could make is bounded, so it is refused
// at once. It is a bound against hangs and unbounded walks, not a
// performance assertion.
const budget = 5 * time.Millisecond

// tries is how many times refusedWithin calls Request before it fails: a
// call descheduled past the budget by a loaded machine or the race
// detector is tried again, while an unbounded walk overruns every try.
const tries = 5

// hangLimit is how long refusedWithin waits for a call that overran the
// budget before it reports a hang.
const hangLimit = 10 * time.Second

// refusedWithin calls svc.Request, which must refuse r, and fails the test
// unless one of tries calls returns before its deadline of budget. A
// refused request changes nothing, so trying it again is safe. The
// goroutine and the deadline take no lock of the service, so a call that
// waits on a lock left held counts as a hang.
func refusedWithin(t *testing.T, svc *callback.Planner, r callback.Request, now time.Time) error {
	t.Helper()
	on(svc, now) // outside the deadline: the mock clock sleeps a millisecond when set
	var slowest time.Duration
	for range tries {
		done := make(chan error, 1)
		start := time.Now()
		deadline := time.NewTimer(budget)
		go func() {
			_, err := svc.Request(context.Background(), r)
			done <- err
		}()
		select {
		case err := <-done:
			deadline.Stop()
			require.Error(t, err, "Request at %v", now)
			return err
		case <-deadline.C:
		}
		select {
		case <-done:
			slowest = max(slowest, time.Since(start))
		case <-time.After(hangLimit):
			t.Fatalf("Request at %v did not return within %v", now, hangLimit)
		}
	}
	t.Fatalf("Request at %v did not return within %v in %d tries (slowest %v)", now, budget, tries, slowest)
	return nil
}

// TestRequestBoundedOnBadTimesAndCalendars: a time near the end of year
// 9999, the zero time and a working-day calendar without working days get
// ErrInvalid within budget, and the service's lock is free afterwards.
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
		{"zero time", nil, time.Time{}, "now: is the zero time"},
		{"year 1", nil, time.Date(1, 1, 2, 10, 0, 0, 0, time.UTC), "no working day"},
		{"calendar without working days", noWorkdays, at(2026, time.November, 24, 10, 0), "no working day within 366 days"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			capa := callback.NewStaticCapacity(tc.workdays)
			require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
			svc, _ := newPlanner(t, callback.Config{Workdays: tc.workdays}, capa)
			err := refusedWithin(t, svc, req("c1", callback.NonUrgent), tc.now)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			require.ErrorContains(t, err, tc.msg)
			// The lock is free: a second call on the same service returns.
			err = refusedWithin(t, svc, req("c2", callback.Urgent), tc.now)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			if tc.workdays == nil {
				p, err := on(svc, at(2026, time.November, 24, 10, 0)).Request(context.Background(), req("c3", callback.NonUrgent))
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
			svc, _ := newPlanner(t, callback.Config{}, capa)
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
			rec, err := svc.Get(context.Background(), audit.System("test"), p.Request)
			require.NoError(t, err)
			require.Equal(t, tc.want, rec.Language)
		})
	}
}
