package booking

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

func TestClosures(t *testing.T) {
	noon := Span{Clock(12, 0), Clock(24, 0)}
	c := Closures{Local: []Closure{
		{Date: Date{2026, time.December, 31}, Span: &noon, Names: Names{FI: "Uudenvuodenaatto"}},
		{Date: Date{2026, time.August, 14}, Names: Names{FI: "Koulutuspäivä", EN: "Training day"}, Area: "north"},
	}}
	require.NoError(t, c.Validate())
	tests := []struct {
		name  string
		c     Closures
		d     Date
		spans []Span
		first string
	}{
		{"ordinary day", c, Date{2026, time.December, 30}, nil, ""},
		{"public holiday", c, Date{2026, time.December, 6}, []Span{{0, 1440}}, "Independence Day"},
		{"eve closes", c, Date{2026, time.December, 24}, []Span{{0, 1440}}, "Christmas Eve"},
		{"eve kept open", Closures{EvesOpen: true}, Date{2026, time.June, 19}, nil, ""},
		{"holiday even when eves open", Closures{EvesOpen: true}, Date{2026, time.June, 20}, []Span{{0, 1440}}, "Midsummer Day"},
		{"local partial", c, Date{2026, time.December, 31}, []Span{noon}, "Uudenvuodenaatto"},
		{"local whole day", c, Date{2026, time.August, 14}, []Span{{0, 1440}}, "Training day"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spans, names := tc.c.ClosedSpans(tc.d)
			require.Equal(t, tc.spans, spans)
			if tc.first != "" {
				require.Equal(t, tc.first, names[0].In("en"))
			} else {
				require.Empty(t, names)
			}
		})
	}
	bad := Closures{Local: []Closure{{Date: Date{2026, 2, 30}}}}
	require.ErrorContains(t, bad.Validate(), "local[0].date")
}

func TestNamesIn(t *testing.T) {
	n := Names{FI: "Juhannuspäivä", SV: "Midsommardagen"}
	require.Equal(t, "Midsommardagen", n.In("sv"))
	require.Equal(t, "Juhannuspäivä", n.In("en"), "falls back to Finnish")
	require.Equal(t, "Juhannuspäivä", n.In("fi"))
}
