// Package civil is the calendar of Finnish public primary care: civil
// dates and wall-clock times, the Europe/Helsinki zone, Finnish public
// holidays and the eves that close services, working days, and the
// languages clients are served in.
//
// A Date is a day without a zone. A TimeOfDay is a wall-clock time in
// minutes after midnight, 00:00 to 24:00. A Span is a range of times
// within one day; a DateRange is a range of days. Both encode as text
// ("2026-03-29", "08:00") in JSON.
//
// Helsinki returns the one zone the library reads wall clocks in. The
// zone database is embedded, so it loads on any machine.
//
// FinnishHolidays computes the public holidays and eves of a year.
// HolidayOn looks up one day. FinnishWorkdays tells working days: Monday
// to Friday except holidays and eves. NextWorkday, PreviousWorkday,
// AddWorkdays and WorkdaysBetween walk a Workdays calendar. Every walk is
// bounded by MaxWorkdaySearch or MaxDateRange days. A calendar without a
// working day in that many days gets ErrInvalid, never a hang.
//
// Language is one of the supported languages fi, sv and en. ParseLanguage
// accepts any well-formed BCP 47 tag and matches it to them with
// golang.org/x/text/language. A tag that matches none falls back to
// Finnish. Only a malformed tag is an error.
//
// Errors. Every error from bad input wraps ErrInvalid and names the field
// or value at fault. ErrInvalid matches the root kind
// carecontact.ErrInvalid: civil imports no other package of the project,
// but it shares the kinds' values with the root through an internal leaf
// package. The packages that take civil values wrap it together with their
// own sentinel.
//
// Concurrency. All values are immutable and safe for concurrent use. The
// package holds no mutable state.
package civil
