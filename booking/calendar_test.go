package booking

import (
	"testing"
	"time"

	carecontact "github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/civil"
	"github.com/stretchr/testify/require"
)

var weekdays = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}

func mustSpan(t testing.TB, s string) civil.Span {
	t.Helper()
	sp, err := civil.ParseSpan(s)
	require.NoError(t, err)
	return sp
}

func spanPtr(s civil.Span) *civil.Span { return &s }

// hel returns the UTC instant of a Helsinki wall-clock time.
func hel(t testing.TB, y int, m time.Month, d, h, min int) time.Time {
	t.Helper()
	loc := civil.Helsinki()
	return time.Date(y, m, d, h, min, 0, 0, loc).UTC()
}

func nurseCalendar(t testing.TB) Calendar {
	return Calendar{
		ID: "nurse-1", Kind: OwnerProfessional, Area: "north", Team: "team-a", Role: "nurse",
		Rules: []WeeklyRule{
			{Weekdays: weekdays, Span: mustSpan(t, "08:00-10:00"), Block: BlockCallback},
			{Weekdays: weekdays, Span: mustSpan(t, "08:00-16:00"), Breaks: []civil.Span{mustSpan(t, "11:00-11:30")}, Block: BlockSelfService},
			{Weekdays: []time.Weekday{time.Wednesday}, Span: mustSpan(t, "16:00-18:00"), Block: BlockProfessionalOnly,
				ValidFrom: civil.NewDate(2026, time.December, 1), ValidUntil: civil.NewDate(2026, time.December, 31)},
		},
		Exceptions: []Exception{
			{Date: civil.NewDate(2026, time.December, 12), Kind: ExtraTime, Span: spanPtr(mustSpan(t, "09:00-13:00")), Block: BlockSelfService},
			{Date: civil.NewDate(2026, time.December, 14), Kind: Absence},
			{Date: civil.NewDate(2026, time.December, 15), Kind: Absence, Span: spanPtr(mustSpan(t, "12:00-16:00"))},
			{Date: civil.NewDate(2026, time.December, 21), Kind: ExtraTime, Span: spanPtr(mustSpan(t, "07:00-09:00")), Block: BlockAcuteReserve},
		},
	}
}

func TestCalendarIntervals(t *testing.T) {
	c := nurseCalendar(t)
	require.NoError(t, c.Validate())
	type want struct {
		block BlockType
		ivs   [][4]int // start h, m, end h, m (Helsinki wall clock on the day)
	}
	tests := []struct {
		name string
		day  civil.Date
		want []want
	}{
		{"weekday: callback first, then self-service around lunch", civil.NewDate(2026, time.December, 8), []want{
			{BlockCallback, [][4]int{{8, 0, 10, 0}}},
			{BlockSelfService, [][4]int{{10, 0, 11, 0}, {11, 30, 16, 0}}},
			{BlockProfessionalOnly, nil},
		}},
		{"wednesday evening rule inside validity", civil.NewDate(2026, time.December, 9), []want{
			{BlockProfessionalOnly, [][4]int{{16, 0, 18, 0}}},
		}},
		{"wednesday evening rule outside validity", civil.NewDate(2026, time.November, 25), []want{
			{BlockProfessionalOnly, nil},
		}},
		{"extra saturday", civil.NewDate(2026, time.December, 12), []want{
			{BlockSelfService, [][4]int{{9, 0, 13, 0}}},
			{BlockCallback, nil},
		}},
		{"whole-day absence", civil.NewDate(2026, time.December, 14), []want{
			{BlockSelfService, nil}, {BlockCallback, nil},
		}},
		{"partial absence", civil.NewDate(2026, time.December, 15), []want{
			{BlockCallback, [][4]int{{8, 0, 10, 0}}},
			{BlockSelfService, [][4]int{{10, 0, 11, 0}, {11, 30, 12, 0}}},
		}},
		{"extra time wins over the rule it overlaps", civil.NewDate(2026, time.December, 21), []want{
			{BlockAcuteReserve, [][4]int{{7, 0, 9, 0}}},
			{BlockCallback, [][4]int{{9, 0, 10, 0}}},
		}},
		{"independence day closed", civil.NewDate(2026, time.December, 7).AddDays(-1), []want{{BlockSelfService, nil}}},
		{"christmas eve closed", civil.NewDate(2026, time.December, 24), []want{{BlockSelfService, nil}, {BlockCallback, nil}}},
		{"sunday", civil.NewDate(2026, time.December, 13), []want{{BlockSelfService, nil}}},
		{"epiphany 2027 wednesday closed", civil.NewDate(2027, time.January, 6), []want{{BlockProfessionalOnly, nil}, {BlockSelfService, nil}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				got, err := c.Intervals(tc.day, w.block)
				require.NoError(t, err)
				var exp []Interval
				for _, x := range w.ivs {
					exp = append(exp, Interval{
						hel(t, tc.day.Year, tc.day.Month, tc.day.Day, x[0], x[1]),
						hel(t, tc.day.Year, tc.day.Month, tc.day.Day, x[2], x[3]),
					})
				}
				require.Equal(t, exp, got, "block %s", w.block)
				for _, iv := range got {
					require.Equal(t, time.UTC, iv.Start.Location())
				}
			}
		})
	}
}

func TestCalendarClosuresAndOpenOnHolidays(t *testing.T) {
	half := mustSpan(t, "12:00-24:00")
	c := Calendar{ID: "r1", Kind: OwnerResource, Area: "north", Role: "room",
		Rules:    []WeeklyRule{{Weekdays: []time.Weekday{time.Thursday, time.Friday}, Span: mustSpan(t, "08:00-16:00"), Block: BlockSelfService}},
		Closures: &Closures{EvesOpen: true, Local: []Closure{{Date: civil.NewDate(2026, time.December, 31), Span: &half}}},
	}
	require.NoError(t, c.Validate())
	got, err := c.Intervals(civil.NewDate(2026, time.December, 24), BlockSelfService)
	require.NoError(t, err)
	require.Len(t, got, 1, "eve kept open")
	got, err = c.Intervals(civil.NewDate(2026, time.December, 31), BlockSelfService)
	require.NoError(t, err)
	require.Equal(t, []Interval{{hel(t, 2026, 12, 31, 8, 0), hel(t, 2026, 12, 31, 12, 0)}}, got)
	got, err = c.Intervals(civil.NewDate(2026, time.December, 25), BlockSelfService)
	require.NoError(t, err)
	require.Empty(t, got)
	c.OpenOnHolidays = true
	got, err = c.Intervals(civil.NewDate(2026, time.December, 25), BlockSelfService)
	require.NoError(t, err)
	require.Len(t, got, 1)
}

func TestCalendarAcrossDST(t *testing.T) {
	// An on-call calendar working through the nights of the DST changes.
	// The days are the last Sundays of March and October (EU rule,
	// Directive 2000/84/EC; the change is at 01:00 UTC): 03:00 EET -> 04:00
	// EEST in March, 04:00 EEST -> 03:00 EET in October. Start and end are
	// checked in UTC from the fixed offsets EET = UTC+2, EEST = UTC+3.
	c := Calendar{ID: "oncall", Kind: OwnerProfessional, Area: "north", Role: "doctor", OpenOnHolidays: true,
		Rules: []WeeklyRule{{Weekdays: []time.Weekday{time.Sunday}, Span: mustSpan(t, "00:00-08:00"), Block: BlockAcuteReserve}}}
	changes := []struct{ year, march, october int }{
		{2025, 30, 26}, {2026, 29, 25}, {2027, 28, 31}, {2028, 26, 29}, {2029, 25, 28}, {2030, 31, 27},
	}
	for _, ch := range changes {
		y := ch.year
		tests := []struct {
			day        civil.Date
			start, end time.Time
		}{
			{civil.NewDate(y, time.March, ch.march-7), time.Date(y, time.March, ch.march-8, 22, 0, 0, 0, time.UTC), time.Date(y, time.March, ch.march-7, 6, 0, 0, 0, time.UTC)},
			{civil.NewDate(y, time.March, ch.march), time.Date(y, time.March, ch.march-1, 22, 0, 0, 0, time.UTC), time.Date(y, time.March, ch.march, 5, 0, 0, 0, time.UTC)},
			{civil.NewDate(y, time.October, ch.october-7), time.Date(y, time.October, ch.october-8, 21, 0, 0, 0, time.UTC), time.Date(y, time.October, ch.october-7, 5, 0, 0, 0, time.UTC)},
			{civil.NewDate(y, time.October, ch.october), time.Date(y, time.October, ch.october-1, 21, 0, 0, 0, time.UTC), time.Date(y, time.October, ch.october, 6, 0, 0, 0, time.UTC)},
		}
		for _, tc := range tests {
			require.Equal(t, time.Sunday, tc.day.Weekday(), "%s", tc.day)
			got, err := c.Intervals(tc.day, BlockAcuteReserve)
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, Interval{tc.start, tc.end}, got[0], "%s", tc.day)
			require.Equal(t, time.UTC, got[0].Start.Location(), "stored as UTC")
		}
		// 8 hours on ordinary Sundays, 7 on the spring change, 9 on the autumn one.
		require.Equal(t, 7*time.Hour, tests[1].end.Sub(tests[1].start))
		require.Equal(t, 9*time.Hour, tests[3].end.Sub(tests[3].start))
	}
}

func TestCalendarValidate(t *testing.T) {
	base := func() Calendar { return nurseCalendar(t) }
	tests := []struct {
		name   string
		mutate func(c *Calendar)
		field  string
	}{
		{"id", func(c *Calendar) { c.ID = "" }, "calendar.id"},
		{"kind", func(c *Calendar) { c.Kind = "robot" }, "kind"},
		{"area", func(c *Calendar) { c.Area = "" }, "area"},
		{"weekdays", func(c *Calendar) { c.Rules[0].Weekdays = nil }, "rules[0].weekdays"},
		{"weekday range", func(c *Calendar) { c.Rules[0].Weekdays = []time.Weekday{9} }, "rules[0].weekdays"},
		{"span", func(c *Calendar) { c.Rules[1].Span = civil.Span{From: civil.At(10, 0), To: civil.At(9, 0)} }, "rules[1].span"},
		{"break", func(c *Calendar) { c.Rules[1].Breaks = []civil.Span{{From: civil.At(12, 0), To: civil.At(25, 0)}} }, "rules[1].breaks[0]"},
		{"block", func(c *Calendar) { c.Rules[0].Block = "nap" }, "rules[0].block"},
		{"validUntil before validFrom", func(c *Calendar) { c.Rules[2].ValidUntil = civil.NewDate(2026, 1, 1) }, "rules[2].validUntil"},
		{"validFrom", func(c *Calendar) { c.Rules[2].ValidFrom = civil.NewDate(2026, 2, 31) }, "rules[2].validFrom"},
		{"exception date", func(c *Calendar) { c.Exceptions[0].Date = civil.Date{} }, "exceptions[0].date"},
		{"extra without span", func(c *Calendar) { c.Exceptions[0].Span = nil }, "exceptions[0].span"},
		{"extra block", func(c *Calendar) { c.Exceptions[0].Block = "" }, "exceptions[0].block"},
		{"exception kind", func(c *Calendar) { c.Exceptions[1].Kind = "holiday" }, "exceptions[1].kind"},
		{"closures", func(c *Calendar) { c.Closures = &Closures{Local: []Closure{{Date: civil.NewDate(2026, 13, 1)}}} }, "closures"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := base()
			tc.mutate(&c)
			err := c.Validate()
			require.ErrorIs(t, err, ErrInvalid)
			require.ErrorContains(t, err, tc.field)
		})
	}
}

func TestCalendarSetTeamIntervals(t *testing.T) {
	n1 := nurseCalendar(t)
	n2 := nurseCalendar(t)
	n2.ID = "nurse-2"
	n2.Exceptions = nil
	team := Calendar{ID: "team-a", Kind: OwnerTeam, Area: "north",
		Rules: []WeeklyRule{{Weekdays: weekdays, Span: mustSpan(t, "14:00-15:00"), Block: BlockCallback}}}
	set, err := NewCalendarSet([]Calendar{n1, n2, team})
	require.NoError(t, err)
	day := civil.NewDate(2026, time.December, 14) // nurse-1 absent
	got, err := set.TeamIntervals("team-a", day, BlockCallback)
	require.NoError(t, err)
	require.Equal(t, []OwnerIntervals{
		{Owner: "team-a", Kind: OwnerTeam, Intervals: []Interval{{hel(t, 2026, 12, 14, 14, 0), hel(t, 2026, 12, 14, 15, 0)}}},
		{Owner: "nurse-2", Kind: OwnerProfessional, Intervals: []Interval{{hel(t, 2026, 12, 14, 8, 0), hel(t, 2026, 12, 14, 10, 0)}}},
	}, got)
	one, err := set.Intervals("nurse-1", civil.NewDate(2026, time.December, 15), BlockCallback)
	require.NoError(t, err)
	require.Len(t, one, 1)
	_, err = set.Intervals("nobody", day, BlockCallback)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = set.TeamIntervals("team-z", day, BlockCallback)
	require.ErrorIs(t, err, ErrNotFound)
	_, err = set.Intervals("nurse-1", day, "nap")
	require.ErrorIs(t, err, ErrInvalid)
	_, err = NewCalendarSet([]Calendar{n1, n1})
	require.ErrorIs(t, err, ErrInvalid)
	require.Equal(t, []carecontact.ProfessionalID{"nurse-1", "nurse-2"}, set.TeamMembers("team-a"))
	require.Equal(t, []CalendarID{"nurse-1", "nurse-2", "team-a"}, set.InArea("north"))
}
