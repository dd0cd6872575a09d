package civil

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParsers(t *testing.T) {
	good := map[string]TimeOfDay{"00:00": 0, "08:30": 510, "24:00": 1440, "23:59": 1439}
	for s, want := range good {
		got, err := ParseTimeOfDay(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got)
		require.Equal(t, s, got.String())
	}
	for _, s := range []string{"", "8:30", "24:01", "25:00", "12:60", "-1:00", "+1:00", "12:+1", "ab:cd", "12-30"} {
		_, err := ParseTimeOfDay(s)
		require.ErrorIs(t, err, ErrInvalid, s)
	}
	sp, err := ParseSpan("08:00-16:00")
	require.NoError(t, err)
	require.Equal(t, "08:00-16:00", sp.String())
	for _, s := range []string{"08:00", "16:00-08:00", "08:00-08:00", "x-y"} {
		_, err := ParseSpan(s)
		require.ErrorIs(t, err, ErrInvalid, s)
	}
	d, err := ParseDate("2028-02-29")
	require.NoError(t, err)
	require.Equal(t, Date{2028, time.February, 29}, d)
	for _, s := range []string{"2027-02-29", "2026-1-1", "", "20261201", "0000-01-01"} {
		_, err := ParseDate(s)
		require.ErrorIs(t, err, ErrInvalid, s)
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2026, time.March, 28}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"add a day", d.AddDays(1), Date{2026, time.March, 29}},
		{"add across a year", Date{2026, time.December, 31}.AddDays(1), Date{2027, time.January, 1}},
		{"subtract", d.AddDays(-28), Date{2026, time.February, 28}},
		{"days until", d.DaysUntil(Date{2026, time.April, 28}), 31},
		{"days until before", d.DaysUntil(Date{2026, time.March, 27}), -1},
		{"weekday", d.Weekday(), time.Saturday},
		{"compare", d.Compare(Date{2026, time.March, 29}), -1},
		{"after", d.After(Date{2025, time.December, 31}), true},
		{"before", d.Before(d), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { require.Equal(t, tc.want, tc.got) })
	}
}

func TestDateAtAcrossDST(t *testing.T) {
	hki := Helsinki()
	tests := []struct {
		name string
		d    Date
		tod  TimeOfDay
		want string
	}{
		{"winter", Date{2026, time.March, 28}, At(8, 0), "2026-03-28T06:00:00Z"},
		{"spring forward day", Date{2026, time.March, 29}, At(8, 0), "2026-03-29T05:00:00Z"},
		{"inside the gap", Date{2026, time.March, 29}, At(3, 30), "2026-03-29T01:30:00Z"},
		{"fall back day", Date{2026, time.October, 25}, At(8, 0), "2026-10-25T06:00:00Z"},
		{"end of day", Date{2026, time.October, 25}, EndOfDay, "2026-10-25T22:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.d.At(tc.tod, hki)
			require.Equal(t, tc.want, got.Format(time.RFC3339))
			if tc.name != "inside the gap" && tc.tod != EndOfDay {
				require.Equal(t, tc.tod, TimeOfDayOf(got, hki))
				require.Equal(t, tc.d, DateOf(got, hki))
			}
		})
	}
	require.Equal(t, "Europe/Helsinki", hki.String())
	require.Same(t, hki, Helsinki(), "loaded once")
	require.Equal(t, 23*time.Hour, Date{2026, time.March, 30}.Start(hki).Sub(Date{2026, time.March, 29}.Start(hki)))
}

func TestJSON(t *testing.T) {
	type doc struct {
		Date  Date      `json:"date"`
		At    TimeOfDay `json:"at"`
		Span  Span      `json:"span"`
		Range DateRange `json:"range"`
		Lang  Language  `json:"lang"`
	}
	v := doc{
		Date{2026, time.March, 29}, At(8, 0), Span{At(8, 0), At(16, 0)},
		DateRange{Date{2026, time.June, 1}, Date{2026, time.August, 31}}, Swedish,
	}
	const want = `{"date":"2026-03-29","at":"08:00","span":{"from":"08:00","to":"16:00"},` +
		`"range":{"from":"2026-06-01","to":"2026-08-31"},"lang":"sv"}`
	b, err := json.Marshal(v)
	require.NoError(t, err)
	require.JSONEq(t, want, string(b))
	var back doc
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, v, back)

	var zero struct {
		Date Date     `json:"date"`
		Lang Language `json:"lang"`
	}
	b, err = json.Marshal(zero)
	require.NoError(t, err)
	require.JSONEq(t, `{"date":"","lang":""}`, string(b))
	require.NoError(t, json.Unmarshal(b, &zero))
	require.True(t, zero.Date.IsZero())

	bad := []string{`{"date":"2026-02-30"}`, `{"at":"25:00"}`, `{"lang":"!!"}`, `{"span":{"from":"8"}}`}
	for _, s := range bad {
		var d doc
		require.ErrorIs(t, json.Unmarshal([]byte(s), &d), ErrInvalid, s)
	}
	var sv doc
	require.NoError(t, json.Unmarshal([]byte(`{"lang":"sv-FI"}`), &sv))
	require.Equal(t, Swedish, sv.Lang)
	_, err = json.Marshal(doc{Date: Date{2026, 2, 30}})
	require.ErrorIs(t, err, ErrInvalid)
}

func TestDateRange(t *testing.T) {
	r := DateRange{Date{2026, time.December, 30}, Date{2027, time.January, 2}}
	require.NoError(t, r.Validate("closed"))
	require.Equal(t, 4, r.Days())
	var got []string
	for d := range r.All() {
		got = append(got, d.String())
	}
	require.Equal(t, []string{"2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"}, got)
	require.True(t, r.Contains(Date{2027, time.January, 1}))
	require.False(t, r.Contains(Date{2027, time.January, 3}))
	require.Equal(t, "2026-12-30/2027-01-02", r.String())

	tests := []struct {
		name string
		r    DateRange
		msg  string
	}{
		{"reversed", DateRange{r.To, r.From}, "closed: to 2026-12-30 is before from"},
		{"bad from", DateRange{Date{}, r.To}, "closed.from"},
		{"bad to", DateRange{r.From, Date{2027, 2, 30}}, "closed.to"},
		{"too long", DateRange{Date{2000, 1, 1}, Date{2020, 1, 1}}, "at most 3660"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.r.Validate("closed")
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tc.msg)
		})
	}
	require.Equal(t, 0, DateRange{r.To, r.From}.Days())
	n := 0
	for range (DateRange{Date{1, 1, 1}, Date{9999, 12, 31}}).All() {
		n++
	}
	require.Equal(t, MaxDateRange, n, "bounded")
}

func FuzzParseTimeOfDay(f *testing.F) {
	for _, s := range []string{"08:00", "24:00", "99:99", "-1:00", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseTimeOfDay(s)
		if err != nil {
			return
		}
		if !v.Valid() || v.String() != s {
			t.Fatalf("%q parsed to %v", s, v)
		}
	})
}

func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"08:00-16:00", "16:00-08:00", "00:00-24:00", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := ParseSpan(s)
		if err != nil {
			return
		}
		if sp.From >= sp.To || sp.String() != s {
			t.Fatalf("%q parsed to %v", s, sp)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-12-24", "2026-02-30", "0000-01-01", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if !d.Valid() || d.String() != s {
			t.Fatalf("%q parsed to %v", s, d)
		}
	})
}
