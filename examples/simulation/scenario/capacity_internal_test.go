package scenario

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/stretchr/testify/require"
)

// The callback capacity follows the local roster across the DST changes
// and Finnish public holidays: a roster of 2 from 08 to 16 local time is
// 8 hours of 2 professionals on the spring and autumn change days, at the
// UTC offsets of the day; a public holiday takes the Sunday roster.
func TestRosterCapacityAcrossDSTAndHolidays(t *testing.T) {
	b, err := os.ReadFile("testdata/city-day.json")
	require.NoError(t, err)
	s, err := Parse(bytes.NewReader(b))
	require.NoError(t, err)
	day := make([]int, 24)
	for h := 8; h < 16; h++ {
		day[h] = 2
	}
	s.Teams[0].CallbackRoster = &RosterSpec{Weekday: day, Sunday: make([]int, 24)}
	m := &model{s: s, teamIdx: map[string]int{s.Teams[0].ID: 0}}
	m.cal, err = newCalendar(time.Date(2026, 1, 1, 0, 0, 0, 0, helsinki), 366)
	require.NoError(t, err)
	c := rosterCapacity{m}
	for _, tc := range []struct {
		name     string
		day      time.Time
		offset   int // UTC offset in hours that day from 08:00
		holidays bool
	}{
		{"Monday before the spring change", time.Date(2026, 3, 23, 0, 0, 0, 0, helsinki), 2, false},
		{"Monday after the spring change", time.Date(2026, 3, 30, 0, 0, 0, 0, helsinki), 3, false},
		{"Monday after the autumn change", time.Date(2026, 10, 26, 0, 0, 0, 0, helsinki), 2, false},
		{"Friday before the autumn change", time.Date(2026, 10, 23, 0, 0, 0, 0, helsinki), 3, false},
		{"Good Friday", time.Date(2026, 4, 3, 0, 0, 0, 0, helsinki), 0, true},
		{"Midsummer Eve", time.Date(2026, 6, 19, 0, 0, 0, 0, helsinki), 0, true},
		{"Christmas Day", time.Date(2026, 12, 25, 0, 0, 0, 0, helsinki), 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iv, err := c.CallbackCapacity(context.Background(), carecontact.TeamID(s.Teams[0].ID), tc.day)
			require.NoError(t, err)
			if tc.holidays {
				require.Empty(t, iv)
				return
			}
			require.Len(t, iv, 1)
			require.Equal(t, 2, iv[0].Professionals)
			require.Equal(t, time.Date(tc.day.Year(), tc.day.Month(), tc.day.Day(), 8-tc.offset, 0, 0, 0, time.UTC), iv[0].Start)
			require.Equal(t, 8*time.Hour, iv[0].End.Sub(iv[0].Start))
		})
	}
	// The change days themselves (Sundays) have 23 and 25 hours; a
	// round-the-clock roster covers each exactly once.
	all := make([]int, 24)
	for h := range all {
		all[h] = 1
	}
	s.Teams[0].CallbackRoster = &RosterSpec{Weekday: all, Sunday: all}
	for day, hours := range map[time.Time]time.Duration{
		time.Date(2026, 3, 29, 0, 0, 0, 0, helsinki):  23 * time.Hour,
		time.Date(2026, 10, 25, 0, 0, 0, 0, helsinki): 25 * time.Hour,
		time.Date(2027, 3, 28, 0, 0, 0, 0, helsinki):  23 * time.Hour,
	} {
		iv, err := c.CallbackCapacity(context.Background(), carecontact.TeamID(s.Teams[0].ID), day)
		require.NoError(t, err)
		require.Len(t, iv, 1, "%v", day)
		require.Equal(t, hours, iv[0].End.Sub(iv[0].Start), "%v", day)
	}
}
