package carecontact_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
)

func TestDaysCountCalendarDays(t *testing.T) {
	hki, err := time.LoadLocation("Europe/Helsinki")
	require.NoError(t, err)
	// 29 March 2026: 03:00 EET became 04:00 EEST; 25 October 2026: 04:00
	// EEST became 03:00 EET.
	for _, tc := range []struct {
		name     string
		d        carecontact.Days
		now      time.Time
		finished time.Time
		expired  bool
	}{
		{"two days across spring forward: 47 hours", 2, time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC), true},
		{"a microsecond less", 2, time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 10, 0, 0, 1000, time.UTC), false},
		// Finished 25 October 03:00 EEST (00:00 UTC); a day later is 26 October 03:00 EET (01:00 UTC).
		{"one day across fall back: 25 hours", 1, time.Date(2026, 10, 26, 1, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), true},
		{"24 hours across fall back is not a day", 1, time.Date(2026, 10, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 25, 0, 0, 0, 0, time.UTC), false},
		{"an ordinary day", 1, time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC), true},
		{"kept forever", carecontact.KeepForever, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.expired, tc.d.Expired(tc.finished, tc.now, hki))
		})
	}
	_, ok := carecontact.KeepForever.Cutoff(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), hki)
	require.False(t, ok)
}

func TestRetentionValidate(t *testing.T) {
	ok := carecontact.Retention{Sessions: 365, Callbacks: 30, DemandContacts: 30, RoutingItems: 7, Appointments: carecontact.KeepForever, WaitEntries: 90}
	require.NoError(t, ok.Validate())
	for _, tc := range []struct {
		field  string
		change func(r *carecontact.Retention)
	}{
		{"sessions", func(r *carecontact.Retention) { r.Sessions = 0 }},
		{"callbacks", func(r *carecontact.Retention) { r.Callbacks = -5 }},
		{"demandContacts", func(r *carecontact.Retention) { r.DemandContacts = 0 }},
		{"routingItems", func(r *carecontact.Retention) { r.RoutingItems = 0 }},
		{"appointments", func(r *carecontact.Retention) { r.Appointments = 0 }},
		{"waitEntries", func(r *carecontact.Retention) { r.WaitEntries = -2 }},
		{"sessions", func(r *carecontact.Retention) { r.Sessions = 1_000_000_000 }}, // was accepted: a billion days
		{"callbacks", func(r *carecontact.Retention) { r.Callbacks = 200*366 + 1 }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			r := ok
			tc.change(&r)
			err := r.Validate()
			require.ErrorIs(t, err, carecontact.ErrRetention)
			require.ErrorIs(t, err, carecontact.ErrInvalid)
			var fe *carecontact.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, tc.field, fe.Field)
		})
	}
	require.Error(t, carecontact.Retention{}.Validate(), "the zero policy names nothing and is refused")
	longest := ok
	longest.Sessions = 200 * 366
	require.NoError(t, longest.Validate(), "200 years is the longest period")
}
