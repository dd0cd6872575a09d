package civil

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFinnishHolidaysMatchPublishedLists(t *testing.T) {
	f, err := os.Open("testdata/holidays_fi_2024_2030.txt")
	require.NoError(t, err)
	defer f.Close()
	want := map[int][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		d, err := ParseDate(line[:10])
		require.NoError(t, err)
		want[d.Year] = append(want[d.Year], line)
	}
	require.NoError(t, sc.Err())
	require.Len(t, want, 7)
	for y := 2024; y <= 2030; y++ {
		hs, err := FinnishHolidays(y)
		require.NoError(t, err)
		var got []string
		for _, h := range hs {
			got = append(got, h.Date.String()+" "+string(h.Kind)+" "+h.Names.FI)
			require.NotEmpty(t, h.Names.SV)
			require.NotEmpty(t, h.Names.EN)
		}
		require.Equal(t, want[y], got, "year %d", y)
	}
}

func TestEaster(t *testing.T) {
	// Western Easter Sundays as published (e.g. evl.fi calendars).
	tests := []struct {
		year int
		want Date
	}{
		{1961, Date{1961, time.April, 2}},
		{2000, Date{2000, time.April, 23}},
		{2008, Date{2008, time.March, 23}},
		{2011, Date{2011, time.April, 24}},
		{2038, Date{2038, time.April, 25}},
		{2285, Date{2285, time.March, 22}},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, Easter(tc.year), "year %d", tc.year)
	}
}

func TestFinnishHolidaysRulesHoldForManyYears(t *testing.T) {
	for y := 1600; y <= 3000; y++ {
		hs, err := FinnishHolidays(y)
		require.NoError(t, err)
		require.Len(t, hs, 15)
		for i, h := range hs {
			require.Equal(t, y, h.Date.Year)
			if i > 0 {
				// Two holidays may fall on one day (Ascension Day on May Day in 2008).
				require.False(t, h.Date.Before(hs[i-1].Date), "year %d sorted", y)
			}
			switch h.Names.EN {
			case "Midsummer Eve":
				require.Equal(t, time.Friday, h.Date.Weekday())
				require.True(t, h.Date.Month == time.June && h.Date.Day >= 19 && h.Date.Day <= 25)
			case "Midsummer Day":
				require.Equal(t, time.Saturday, h.Date.Weekday())
				require.True(t, h.Date.Month == time.June && h.Date.Day >= 20 && h.Date.Day <= 26)
			case "All Saints' Day":
				require.Equal(t, time.Saturday, h.Date.Weekday())
				ok := (h.Date.Month == time.October && h.Date.Day == 31) || (h.Date.Month == time.November && h.Date.Day <= 6)
				require.True(t, ok, "%s", h.Date)
			case "Easter Sunday":
				require.Equal(t, time.Sunday, h.Date.Weekday())
			case "Good Friday":
				require.Equal(t, time.Friday, h.Date.Weekday())
			case "Ascension Day":
				require.Equal(t, time.Thursday, h.Date.Weekday())
			case "Whit Sunday":
				require.Equal(t, time.Sunday, h.Date.Weekday())
			}
		}
	}
	_, err := FinnishHolidays(1500)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = FinnishHolidays(10000)
	require.ErrorIs(t, err, ErrInvalid)
}

func TestHolidayOn(t *testing.T) {
	tests := []struct {
		d    Date
		ok   bool
		kind HolidayKind
		en   string
	}{
		{Date{2026, time.December, 25}, true, PublicHoliday, "Christmas Day"},
		{Date{2026, time.December, 24}, true, Eve, "Christmas Eve"},
		{Date{2026, time.June, 19}, true, Eve, "Midsummer Eve"},
		{Date{2026, time.April, 3}, true, PublicHoliday, "Good Friday"},
		{Date{2008, time.May, 1}, true, PublicHoliday, "May Day"},
		{Date{2026, time.December, 23}, false, "", ""},
		{Date{1500, time.December, 25}, false, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.d.String(), func(t *testing.T) {
			h, ok := HolidayOn(tc.d)
			require.Equal(t, tc.ok, ok)
			require.Equal(t, tc.kind, h.Kind)
			require.Equal(t, tc.en, h.Names.EN)
		})
	}
	// HolidayOn agrees with FinnishHolidays on every day of many years.
	for y := 2020; y <= 2040; y++ {
		hs, err := FinnishHolidays(y)
		require.NoError(t, err)
		days := map[Date]bool{}
		for _, h := range hs {
			days[h.Date] = true
		}
		for d := range (DateRange{Date{y, time.January, 1}, Date{y, time.December, 31}}).All() {
			_, ok := HolidayOn(d)
			require.Equal(t, days[d], ok, "%s", d)
		}
	}
}

func TestNamesIn(t *testing.T) {
	n := Names{FI: "Juhannuspäivä", SV: "Midsommardagen"}
	require.Equal(t, "Midsommardagen", n.In(Swedish))
	require.Equal(t, "Juhannuspäivä", n.In(English), "falls back to Finnish")
	require.Equal(t, "Juhannuspäivä", n.In(Finnish))
	require.Equal(t, "Juhannuspäivä", n.In("de"))
}
