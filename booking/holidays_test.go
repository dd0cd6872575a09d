package booking

import (
	"testing"
	"time"

	"github.com/carecontact/carecontact/civil"
	"github.com/stretchr/testify/require"
)

func TestClosures(t *testing.T) {
	noon := civil.Span{From: civil.At(12, 0), To: civil.At(24, 0)}
	c := Closures{Local: []Closure{
		{Date: civil.NewDate(2026, time.December, 31), Span: &noon, Names: civil.Names{FI: "Uudenvuodenaatto"}},
		{Date: civil.NewDate(2026, time.August, 14), Names: civil.Names{FI: "Koulutuspäivä", EN: "Training day"}, Area: "north"},
	}}
	require.NoError(t, c.Validate())
	tests := []struct {
		name  string
		c     Closures
		d     civil.Date
		spans []civil.Span
		first string
	}{
		{"ordinary day", c, civil.NewDate(2026, time.December, 30), nil, ""},
		{"public holiday", c, civil.NewDate(2026, time.December, 6), []civil.Span{civil.Span{To: civil.EndOfDay}}, "Independence Day"},
		{"eve closes", c, civil.NewDate(2026, time.December, 24), []civil.Span{civil.Span{To: civil.EndOfDay}}, "Christmas Eve"},
		{"eve kept open", Closures{EvesOpen: true}, civil.NewDate(2026, time.June, 19), nil, ""},
		{"holiday even when eves open", Closures{EvesOpen: true}, civil.NewDate(2026, time.June, 20), []civil.Span{civil.Span{To: civil.EndOfDay}}, "Midsummer Day"},
		{"local partial", c, civil.NewDate(2026, time.December, 31), []civil.Span{noon}, "Uudenvuodenaatto"},
		{"local whole day", c, civil.NewDate(2026, time.August, 14), []civil.Span{civil.Span{To: civil.EndOfDay}}, "Training day"},
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
	bad := Closures{Local: []Closure{{Date: civil.NewDate(2026, 2, 30)}}}
	require.ErrorContains(t, bad.Validate(), "local[0].date")
}
