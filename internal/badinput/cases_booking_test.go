package badinput_test

import (
	"context"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

func bookingCases() []badCase {
	search := func(edit func(*booking.SearchRequest)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			r := booking.SearchRequest{Area: "kallio", Service: "flu-vaccination", From: w.clk.Now(), By: proRequester}
			edit(&r)
			_, err := w.booker.Search(ctx, r)
			return err
		}
	}
	book := func(edit func(*booking.BookRequest)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			s, err := w.slot(ctx)
			if err != nil {
				return err
			}
			r := booking.BookRequest{Slot: s, Client: "c-1", By: proRequester}
			edit(&r)
			_, err = w.booker.Book(ctx, r)
			return err
		}
	}
	onBooked := func(f func(ctx context.Context, w *world, a booking.Appointment) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			a, err := w.booked(ctx)
			if err != nil {
				return err
			}
			return f(ctx, w, a)
		}
	}
	cancel := func(reason string) func(context.Context, *world) error {
		return onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Cancel(ctx, a.ID, reason, proRequester)
			return err
		})
	}
	wait := func(edit func(*booking.WaitRequest)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			r := booking.WaitRequest{Area: "kallio", Service: "flu-vaccination", Client: "c-1", By: proRequester}
			edit(&r)
			_, err := w.booker.Wait(ctx, r)
			return err
		}
	}
	calendars := func(edit func(*booking.Calendar)) func(context.Context, *world) error {
		return pure(func() error {
			c := organisation().Calendars[0]
			edit(&c)
			_, err := booking.NewCalendarSet([]booking.Calendar{c})
			return err
		})
	}
	service := func(edit func(*booking.Service)) func(context.Context, *world) error {
		return pure(func() error {
			s := organisation().Services[0]
			edit(&s)
			_, err := booking.NewCatalogue("kallio", []booking.Service{s})
			return err
		})
	}
	config := func(edit func(*booking.Config)) func(context.Context, *world) error {
		return func(_ context.Context, w *world) error {
			ix, err := booking.NewIndex(w.built.Calendars, civil.NewDate(2026, 11, 23), 7)
			if err != nil {
				return setup(err)
			}
			cfg := booking.Config{Index: ix, Store: w.db.BookingStore(), Audit: w.db.AuditLog(), Clock: w.clk}
			edit(&cfg)
			_, err = booking.New(cfg)
			return err
		}
	}
	span := func(from, to civil.TimeOfDay) civil.Span { return civil.Span{From: from, To: to} }
	return []badCase{
		{"booking/Search/end before start", search(func(r *booking.SearchRequest) { r.To = r.From.Add(-time.Hour) }), invalid("to")},
		{"booking/Search/limit -1", search(func(r *booking.SearchRequest) { r.Limit = -1 }), invalid("limit")},
		{"booking/Search/limit a million", search(func(r *booking.SearchRequest) { r.Limit = 1_000_000 }), invalid("limit")},
		{"booking/Search/unknown service", search(func(r *booking.SearchRequest) { r.Service = "brain-transplant" }), fails(carecontact.ErrNotFound)},
		{"booking/Search/unknown area", search(func(r *booking.SearchRequest) { r.Area = "atlantis" }), fails(carecontact.ErrNotFound)},
		{"booking/Search/from year 1", search(func(r *booking.SearchRequest) {
			r.From, r.To = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC)
		}), accepted("booking.SearchRequest: From and To bound the slot starts (a day of year 1 has no working time)")},
		{"booking/Search/year 1 to 9999", search(func(r *booking.SearchRequest) {
			r.From, r.To = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		}), accepted("booking.Booker.Search: walks the window chunk by chunk and stops once Limit slots are found")},
		{"booking/Search/to in year 9999", search(func(r *booking.SearchRequest) { r.To = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC) }),
			accepted("booking.Booker.Search: walks the window chunk by chunk and stops once Limit slots are found")},
		{"booking/Search/zero actor", search(func(r *booking.SearchRequest) { r.By = booking.Requester{} }), invalid("actor.kind")},
		{"booking/Book/empty client", book(func(r *booking.BookRequest) { r.Client = "" }), invalid("client")},
		{"booking/Book/mebibyte client", book(func(r *booking.BookRequest) { r.Client = carecontact.ClientRef(mib) }), invalid("client")},
		{"booking/Book/NUL in client", book(func(r *booking.BookRequest) { r.Client = carecontact.ClientRef(withNUL) }), invalid("client")},
		{"booking/Book/zero slot", book(func(r *booking.BookRequest) { r.Slot = booking.Slot{} }), invalid("slot.service")},
		{"booking/Book/slot end before start", book(func(r *booking.BookRequest) { r.Slot.End = r.Slot.Start.Add(-time.Minute) }), invalid("slot")},
		{"booking/Book/foreign participant", book(func(r *booking.BookRequest) { r.Slot.Participants = []booking.CalendarID{"n-eero"} }), invalid("slot.participants[0]")},
		{"booking/Book/answer to an unknown question", book(func(r *booking.BookRequest) {
			r.Answers = []booking.Answer{{QuestionID: "shoe-size", Text: "43"}}
		}), invalid("answers[0].questionId")},
		{"booking/Book/mebibyte answer", book(func(r *booking.BookRequest) {
			r.Answers = []booking.Answer{{QuestionID: "allergies", Text: mib}}
		}), invalid("answers[0].text")},
		{"booking/Book/answer with NUL", book(func(r *booking.BookRequest) {
			r.Answers = []booking.Answer{{QuestionID: "allergies", Text: withNUL}}
		}), invalid("answers[0].text")},
		{"booking/Book/mebibyte guidance version", book(func(r *booking.BookRequest) { r.GuidanceVersion = mib }), invalid("guidanceVersion")},
		{"booking/Book/answer holding a phone number", book(func(r *booking.BookRequest) {
			r.Answers = []booking.Answer{{QuestionID: "allergies", Text: "ei, soita " + phone}}
		}), accepted("booking doc: appointments keep the client's pre-question answers")},
		{"booking/Book/slot taken", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Book(ctx, booking.BookRequest{Slot: booking.Slot{Area: a.Area, Service: a.Service, Start: a.Start, End: a.End,
				Participants: a.Participants, Block: a.Block}, Client: "c-2", By: proRequester})
			return err
		}), fails(carecontact.ErrConflict)},
		{"booking/Cancel/empty reason", cancel(""), invalid("reason")},
		{"booking/Cancel/mebibyte reason", cancel(mib), invalid("reason")},
		{"booking/Cancel/NUL in reason", cancel(withNUL), invalid("reason")},
		{"booking/Cancel/invalid UTF-8 reason", cancel(badUTF8), invalid("reason")},
		{"booking/Cancel/reason with a phone number", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			if _, err := w.booker.Cancel(ctx, a.ID, withPII, proRequester); err != nil {
				return err
			}
			return w.auditClean(ctx, "booking.cancel")
		}), accepted("booking.Booker.Cancel: the reason's audit detail has any phone number or identity code replaced by \"[redacted]\"")},
		{"booking/Cancel/twice", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			if _, err := w.booker.Cancel(ctx, a.ID, "sick", proRequester); err != nil {
				return setup(err)
			}
			_, err := w.booker.Cancel(ctx, a.ID, "sick again", proRequester)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"booking/Cancel/unknown appointment", func(ctx context.Context, w *world) error {
			_, err := w.booker.Cancel(ctx, "apt-none", "sick", proRequester)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"booking/Cancel/another client's appointment", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Cancel(ctx, a.ID, "sick", booking.Requester{Actor: clientActor("c-2"), ClientGroup: "adult"})
			return err
		}), fails(carecontact.ErrNotAllowed)},
		{"booking/Mark/status bogus", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Mark(ctx, a.ID, "bogus", proRequester)
			return err
		}), invalid("status")},
		{"booking/Mark/fulfilled before the start", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Mark(ctx, a.ID, booking.StatusFulfilled, proRequester)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"booking/Appointment/identity code as ID", func(ctx context.Context, w *world) error {
			_, err := w.booker.Appointment(ctx, hetu, proRequester)
			return err
		}, invalid("id")},
		{"booking/Appointment/zero actor", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Appointment(ctx, a.ID, booking.Requester{})
			return err
		}), invalid("actor.kind")},
		{"booking/Appointment/zero-padded ID", func(ctx context.Context, w *world) error {
			_, err := w.booker.Appointment(ctx, "apt-00012345", proRequester)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"booking/Wait/twice", func(ctx context.Context, w *world) error {
			r := booking.WaitRequest{Area: "kallio", Service: "flu-vaccination", Client: "c-1", By: proRequester}
			if _, err := w.booker.Wait(ctx, r); err != nil {
				return setup(err)
			}
			_, err := w.booker.Wait(ctx, r)
			return err
		}, invalid("client")},
		{"booking/Wait/reversed window", wait(func(r *booking.WaitRequest) {
			r.Window = booking.Interval{Start: monday.Add(48 * time.Hour), End: monday}
		}), invalid("window")},
		{"booking/Wait/mebibyte client", wait(func(r *booking.WaitRequest) { r.Client = carecontact.ClientRef(mib) }), invalid("client")},
		{"booking/Wait/unknown service", wait(func(r *booking.WaitRequest) { r.Service = "brain-transplant" }), fails(carecontact.ErrNotFound)},
		{"booking/Reschedule/zero slot", onBooked(func(ctx context.Context, w *world, a booking.Appointment) error {
			_, err := w.booker.Reschedule(ctx, a.ID, booking.Slot{}, proRequester)
			return err
		}), invalid("slot.service")},
		{"booking/NewCalendarSet/reversed rule span", calendars(func(c *booking.Calendar) { c.Rules[0].Span = span(civil.At(10, 0), civil.At(8, 0)) }), invalid("rules[0].span")},
		{"booking/NewCalendarSet/weekday 9", calendars(func(c *booking.Calendar) { c.Rules[0].Weekdays = []time.Weekday{9} }), invalid("rules[0].weekdays")},
		{"booking/NewCalendarSet/valid until before valid from", calendars(func(c *booking.Calendar) {
			c.Rules[0].ValidFrom, c.Rules[0].ValidUntil = civil.NewDate(2026, 12, 1), civil.NewDate(2026, 11, 1)
		}), invalid("rules[0].validUntil")},
		{"booking/NewCalendarSet/kind bogus", calendars(func(c *booking.Calendar) { c.Kind = "bogus" }), invalid("kind")},
		{"booking/NewCalendarSet/exception on 30 February", calendars(func(c *booking.Calendar) {
			c.Exceptions = []booking.Exception{{Date: civil.NewDate(2026, 2, 30), Kind: booking.Absence}}
		}), invalid("exceptions[0].date")},
		{"booking/NewCalendarSet/duplicate calendar", pure(func() error {
			c := organisation().Calendars[0]
			_, err := booking.NewCalendarSet([]booking.Calendar{c, c})
			return err
		}), invalid("calendars[1].id")},
		{"booking/NewCatalogue/negative duration", service(func(s *booking.Service) { s.Duration = -10 * time.Minute }), invalid("duration")},
		{"booking/NewCatalogue/negative buffer", service(func(s *booking.Service) { s.BufferBefore = -time.Minute }), invalid("durations")},
		{"booking/NewCatalogue/channel chat", service(func(s *booking.Service) { s.Channel = channel.Chat }), invalid("channel")},
		{"booking/NewCatalogue/no participants", service(func(s *booking.Service) { s.Requires = nil }), invalid("requires[0]")},
		{"booking/NewCatalogue/negative max per client", service(func(s *booking.Service) { s.MaxPerClient = -1 }), invalid("maxPerClient")},
		{"booking/NewCatalogue/service of another area", service(func(s *booking.Service) { s.Area = "vallila" }), invalid("services[0].area")},
		{"booking/NewIndex/negative days", func(_ context.Context, w *world) error {
			_, err := booking.NewIndex(w.built.Calendars, civil.NewDate(2026, 11, 23), -1)
			return err
		}, invalid("days")},
		{"booking/NewIndex/a billion days", func(_ context.Context, w *world) error {
			_, err := booking.NewIndex(w.built.Calendars, civil.NewDate(2026, 11, 23), 1_000_000_000)
			return err
		}, invalid("days")},
		{"booking/New/negative hold TTL", config(func(c *booking.Config) { c.HoldTTL = -time.Minute }), invalid("config.holdTTL")},
		{"booking/New/no clock", config(func(c *booking.Config) { c.Clock = nil }), invalid("config.clock")},
		{"booking/ParseStatus/Booked", pure(func() error { _, err := booking.ParseStatus("Booked"); return err }), invalid("status")},
		{"booking/StatusFromNational/99", pure(func() error { _, err := booking.StatusFromNational("99"); return err }), invalid("code")},
		{"booking/Closures/closure on 31 April", pure(func() error {
			c := booking.Closures{Local: []booking.Closure{{Date: civil.NewDate(2026, 4, 31), Names: civil.Names{FI: "x"}}}}
			return c.Validate()
		}), invalid("local[0].date")},
		{"booking/Audit/refused read leaves the trail clean", func(ctx context.Context, w *world) error {
			_, err := w.booker.Appointment(ctx, "apt-1", booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: hetu}})
			if err == nil {
				return checkf("a client with an identity code as ID read an appointment")
			}
			return w.auditClean(ctx, "booking.read")
		}, accepted("booking.Booker.Appointment: an invalid actor is refused and audited as denied under audit.StandIn")},
	}
}
