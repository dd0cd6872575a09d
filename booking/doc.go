// Package booking is the time and capacity side of carecontact: calendars,
// services, slots, holds and appointments for care that clients book
// themselves (e-booking) and that professionals book for them.
//
// # Calendars
//
// A Calendar is the working time of one professional, team or resource
// (room, device): WeeklyRules with breaks and validity ranges, Exceptions
// (extra time, absences) and block types (BlockSelfService,
// BlockProfessionalOnly, BlockCallback, BlockAcuteReserve). A calendar's
// CalendarID is its owner's ID: ProfessionalCalendar and TeamCalendar name
// the calendar of a carecontact.ProfessionalID or TeamID, and
// Calendar.Professional gives the professional back. Calendars are
// written in wall-clock time and computed in Europe/Helsinki (the zone
// database is embedded with time/tzdata); every computed instant is UTC, so
// the days of the March and October DST changes have exactly their real
// length of working time. Finnish public holidays (civil.FinnishHolidays, computed
// for any year 1583..9999: fixed dates, the Easter cycle by the anonymous
// Gregorian algorithm, Midsummer and All Saints' Day by their weekday
// rules) and the eves that close services close every calendar unless it is
// OpenOnHolidays; areas add local Closures. Calendar.Intervals and
// CalendarSet.TeamIntervals give the working intervals of one block type on
// one day, e.g. a team's callback capacity.
//
// An Exception covers one date or a range (Until: two weeks of leave are
// one exception); a WeeklyRule with EveryWeeks and Anchor is a rota that
// repeats over 2 or 3 weeks; a rule whose Span ends at 24:00 with NextDay
// is an overnight shift, one block across midnight in the Index, whose
// morning part holidays and absences of that morning remove as usual.
// Booker.Affected tells, before an absence is added, which appointments
// it would fall on.
//
// # Calendars that change
//
// Calendars are kept in the Store (CalendarStore: put, get, list and
// delete, each change compared to the version its caller read, with a
// change count) and changed at run time: Booker.PutCalendar,
// DeleteCalendar and AddAbsence, each recorded with its caller, for the
// system and the professionals of the calendar's area only. A Booker works
// with the calendars of Config.Index until the Store holds one (its first
// change, or SeedCalendars, stores the configured calendars), then with
// the Store's, which it indexes again whenever their change count moves,
// so the next search after a change, on any replica, already sees it.
// Booker.PlanAbsence adds an absence over booked times and offers each
// affected client the nearest free times of the same service (optionally
// with the same professional) or, when none is near, the waitlist; freed
// time that an absence took is offered to no waiting client.
// Booker.Agenda is a calendar's day with the appointments and the
// clients' answers to the pre-questions, read by the area's
// professionals and recorded as read.
//
// # Invitations and reminders
//
// Booker.Invite makes a one-use booking invitation a professional sends a
// client: a token signed with HMAC-SHA256 under Config.TokenKey (see
// TokenSigner) that expires, lets the invited client search and book the
// service once whatever their client group (SearchRequest.Invitation,
// BookRequest.Invitation), and is refused with a *TokenError when changed,
// foreign, misused or expired (ErrTokenInvalid, ErrTokenExpired), and with
// ErrInvitationUsed the second time. Booker.Reminders lists the reminders
// due in a period for the host's SMS or e-mail transport to send, each
// with a cancel-link token of the same scheme (CancelByToken); the host
// calls it, nothing runs in the background.
//
// # Services and slots
//
// Each service area has a Catalogue of Services: code, fi/sv/en names,
// duration, channel (channel.InPerson, channel.InboundPhone or
// channel.Callback for phone, channel.Video), the participants it requires
// (one or more professionals by role and skill, and resources), the client
// groups that may book it themselves, minimum notice, horizon, a cap on a
// client's bookings per period, buffers and pre-questions. Pre-questions
// are structured (QuestionText with a length limit, QuestionChoice,
// QuestionYesNo, QuestionNumber with bounds); a bad answer is a
// *carecontact.FieldError naming the question ("answers.<id>"), and an
// answer listed in the question's CallOn (or a number beyond CallAbove or
// CallBelow) refuses a client's booking with a *CallError that tells the
// client to call and names the question. An Index holds
// every calendar's blocks for a range of days in UTC; Booker.Search walks
// the requested window chunk by chunk (6 hours, then doubling up to a week),
// reads the participants' claims for the chunk from the Store, and merges
// the calendars' free grid starts with a heap, so the first slots are found
// without scanning the horizon.
//
// The per-client limit counts only the client's own bookings
// (Appointment.SelfBooked): appointments professionals book for a client
// neither count towards it nor are refused by it. A service's
// ClientCancelBefore stops clients cancelling or rescheduling close to the
// start (ErrNotAllowed). A professional may act for a client under the
// client's rules with some of them set aside (Requester.Override naming
// RuleLimit, RuleNotice or RuleCutOff, with a reason): the change's audit
// event carries the rules and the reason through audit.Redact; a client's
// override is refused. A service with Capacity > 1 (a group session, a
// vaccination clinic) lets that many clients book one slot: the claims of
// its appointments at one start are seats of a shared slot (Claim.Shared),
// which may overlap each other up to the capacity and nothing else, and
// Search offers the slot while a seat is left.
//
// A service that needs a professional and a room together requires both
// (Requirement of OwnerProfessional and of OwnerResource with the room's
// Role; rooms are calendars of OwnerResource): Search offers only times
// when both are free, and a hold or booking claims both in one store
// operation, all or nothing, so two clients racing for the last room at
// one time get one booking and the loser's professional stays free.
//
// # Workload
//
// Booker.Workload reports, per service area and service over Helsinki
// days (a DST change day with its real 23 or 25 hours), the professionals'
// extra work that e-booking caused (overrides, rebookings after absences,
// corrections of clients' own bookings) and the clients' failed attempts
// (searches with no result, holds and waitlist offers that lapsed),
// counted from the audit trail the Booker writes: appointment events name
// the area and whether the client booked, a client's empty search is a
// system event naming only the area and service, PlanAbsence records each
// appointment it offers new times. The area's professionals and the
// system may read it; the read is recorded.
//
// # Appointments
//
// Booker.Hold keeps a slot as a pending appointment until HoldTTL lapses
// (Confirm books it); Book books directly; Cancel records the reason (a
// text; CancelCoded also codes of a code system, Appointment.CancelCodes)
// and whether it was late, and offers the freed time first to the service's
// waiting clients (Wait) as a hold; Reschedule takes the new slot and frees
// the old in one store operation, offering the freed time to the waiting
// clients in that same operation just as Cancel does; Mark records checked-in, arrived,
// fulfilled, noshow and entered-in-error. Statuses are the FHIR R4
// Appointment.status codes with only the legal transitions (CanTransition)
// and map to the Finnish national Ajanvarauksen tila codes
// (Status.National). A status never goes to itself: a second cancellation
// is a *TransitionError and keeps the first one's late mark. A cancel
// reason reaches the audit trail through audit.Redact. Appointments keep the client's pre-question answers
// and the guidance text version they saw. Hold expiry is data: Advance(now)
// releases expired holds (passing a lapsed waitlist offer on to the next
// waiting client) and NextDeadline tells when it next has work.
//
// # FHIR
//
// The sub-package booking/fhir writes calendars, slots, appointments,
// waitlist entries and appointment responses as FHIR R4 JSON and reads
// them back, foreign resources included; frontdoor/fhirapi serves them
// over HTTP.
//
// # Store
//
// Store is the storage a host plugs in. Its operations are atomic and
// shaped as single SQL transactions: a claim is a row per participant and
// interval that an exclusion constraint keeps disjoint (save the seats of
// one shared slot, counted in the transaction), holds are such rows
// with an expiry, so two clients racing for one slot get one success and one
// ErrSlotTaken. Audit events travel with each change. storage/memory
// and storage/postgres implement it; storage/storagetest is the
// conformance suite.
//
// # Concurrency and errors
//
// Calendars, CalendarSets, Closures, Catalogues and Indexes are read-only
// values once built and safe for concurrent use; a Booker is safe for
// concurrent use and keeps no state of its own but a cache of busy time
// read from a SpanStore, used only while the store's ClaimsVersion is the
// one it was read at and none of the holds in it has lapsed, and the index
// of the stored calendars, used only while their change count is the one
// it was built at. Nothing in the package starts
// goroutines or timers or reads the wall clock: the Booker asks its Clock.
// Errors wrap the package's sentinel errors (ErrInvalid, ErrNotFound,
// ErrSlotTaken, ErrHoldExpired, ErrConflict, ErrIllegalTransition,
// ErrNotAllowed, ErrLimitReached, ErrExists, ErrCallInstead, ErrTokenInvalid,
// ErrTokenExpired, ErrInvitationUsed); errors about input name the
// offending field. Refused attempts are recorded as denied audit events.
// Each sentinel wraps one root kind of carecontact: ErrInvalid (and
// *FHIRError) invalid input, ErrNotFound not found, ErrSlotTaken, ErrConflict,
// ErrExists and ErrInvitationUsed conflict, ErrNotAllowed, ErrLimitReached,
// ErrTokenInvalid and ErrTokenExpired not allowed,
// ErrIllegalTransition and ErrHoldExpired illegal transition.
package booking
