// Package booking is the time and capacity side of carecontact: calendars,
// services, slots, holds and appointments for care that clients book
// themselves (e-booking) and that professionals book for them.
//
// # Calendars
//
// A Calendar is the working time of one professional, team or resource
// (room, device): WeeklyRules with breaks and validity ranges, Exceptions
// (extra time, absences) and block types (BlockSelfService,
// BlockProfessionalOnly, BlockCallback, BlockAcuteReserve). Calendars are
// written in wall-clock time and computed in Europe/Helsinki (the zone
// database is embedded with time/tzdata); every computed instant is UTC, so
// the days of the March and October DST changes have exactly their real
// length of working time. Finnish public holidays (FinnishHolidays, computed
// for any year 1583..9999: fixed dates, the Easter cycle by the anonymous
// Gregorian algorithm, Midsummer and All Saints' Day by their weekday
// rules) and the eves that close services close every calendar unless it is
// OpenOnHolidays; areas add local Closures. Calendar.Intervals and
// CalendarSet.TeamIntervals give the working intervals of one block type on
// one day, e.g. a team's callback capacity.
//
// # Concurrency and errors
//
// Calendars, CalendarSets and Closures are read-only values once built and
// safe for concurrent use. Nothing in the package starts goroutines or
// timers or reads the wall clock. Errors wrap the package's sentinel
// errors (ErrInvalid, ErrNotFound, ErrSlotTaken, ...); errors about input
// name the offending field.
package booking
