package civil

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFinnishWorkdays(t *testing.T) {
	w := FinnishWorkdays()
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, time.December, 23}, true},
		{Date{2026, time.December, 24}, false}, // Christmas Eve
		{Date{2026, time.December, 25}, false},
		{Date{2026, time.December, 26}, false},
		{Date{2026, time.December, 27}, false}, // Sunday
		{Date{2026, time.December, 28}, true},
		{Date{2026, time.June, 19}, false}, // Midsummer Eve
		{Date{2026, time.April, 6}, false}, // Easter Monday
		{Date{1500, time.March, 2}, false}, // no holidays computed: no working day
	}
	for _, tc := range tests {
		t.Run(tc.d.String(), func(t *testing.T) { require.Equal(t, tc.want, w.Workday(tc.d)) })
	}
}

func TestWorkdayWalks(t *testing.T) {
	w := FinnishWorkdays()
	none := WorkdayFunc(func(Date) bool { return false })
	all := WorkdayFunc(func(Date) bool { return true })
	d := func(y int, m time.Month, day int) Date { return Date{y, m, day} }
	tests := []struct {
		name    string
		f       func() (Date, error)
		want    Date
		wantErr string
	}{
		{"next over Christmas", func() (Date, error) { return NextWorkday(w, d(2026, 12, 23)) }, d(2026, 12, 28), ""},
		{"previous over Easter", func() (Date, error) { return PreviousWorkday(w, d(2026, 4, 7)) }, d(2026, 4, 2), ""},
		{"add three over Midsummer", func() (Date, error) { return AddWorkdays(w, d(2026, 6, 17), 3) }, d(2026, 6, 23), ""},
		{"add back", func() (Date, error) { return AddWorkdays(w, d(2026, 6, 23), -3) }, d(2026, 6, 17), ""},
		{"add zero", func() (Date, error) { return AddWorkdays(w, d(2026, 6, 20), 0) }, d(2026, 6, 20), ""},
		{"no working day", func() (Date, error) { return NextWorkday(none, d(2026, 1, 1)) }, Date{}, "no working day within 366 days"},
		{"end of calendar", func() (Date, error) { return NextWorkday(all, d(9999, 12, 31)) }, Date{}, "end of the calendar"},
		{"start of calendar", func() (Date, error) { return PreviousWorkday(all, d(1, 1, 1)) }, Date{}, "end of the calendar"},
		{"end of Finnish holidays", func() (Date, error) { return NextWorkday(w, d(9999, 12, 31)) }, Date{}, "end of the calendar"},
		{"invalid date", func() (Date, error) { return NextWorkday(w, Date{}) }, Date{}, "not a day"},
		{"too many", func() (Date, error) { return AddWorkdays(all, d(2026, 1, 1), 1000) }, Date{}, "at most 366"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f()
			if tc.wantErr != "" {
				require.ErrorIs(t, err, ErrInvalid)
				require.ErrorContains(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestWorkdaysBetween(t *testing.T) {
	w := FinnishWorkdays()
	tests := []struct {
		name     string
		from, to Date
		want     int
		wantErr  bool
	}{
		{"same day", Date{2026, 12, 23}, Date{2026, 12, 23}, 0, false},
		{"reversed", Date{2026, 12, 28}, Date{2026, 12, 23}, 0, false},
		{"over Christmas", Date{2026, 12, 23}, Date{2026, 12, 31}, 4, false},
		{"a year", Date{2025, 12, 31}, Date{2026, 12, 31}, 252, false},
		{"too long", Date{2000, 1, 1}, Date{2026, 1, 1}, 0, true},
		{"invalid", Date{}, Date{2026, 1, 1}, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := WorkdaysBetween(w, tc.from, tc.to)
			if tc.wantErr {
				require.ErrorIs(t, err, ErrInvalid)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseLanguage(t *testing.T) {
	tests := []struct {
		in      string
		want    Language
		wantErr bool
	}{
		{"", Finnish, false},
		{"fi", Finnish, false},
		{"fi-FI", Finnish, false},
		{"sv", Swedish, false},
		{"sv-FI", Swedish, false},
		{"sv-SE", Swedish, false},
		{"en", English, false},
		{"en-GB", English, false},
		{"en-US", English, false},
		{"de", Finnish, false},
		{"se", Finnish, false}, // Northern Sami: well formed, unsupported
		{"und", Finnish, false},
		{"!!", "", true},
		{"sv--FI", "", true},
		{"toolongsubtag", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseLanguage(tc.in)
			if tc.wantErr {
				require.ErrorIs(t, err, ErrInvalid)
				require.ErrorContains(t, err, "language")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.True(t, got.Valid())
			require.Equal(t, string(got), got.Tag().String())
		})
	}
}
