package badinput_test

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
)

// pure adapts a function of no world to a case.
func pure(f func() error) func(context.Context, *world) error {
	return func(context.Context, *world) error { return f() }
}

func rootCases() []badCase {
	validate := func(id string) func(context.Context, *world) error {
		return pure(func() error { return carecontact.ValidateID(carecontact.ErrInvalid, "id", id) })
	}
	driver := func(cfg carecontact.DriverConfig) func(context.Context, *world) error {
		return func(_ context.Context, w *world) error {
			if cfg.Parts == nil {
				cfg.Parts = []carecontact.Driven{w.door}
			}
			_, err := carecontact.NewDriver(cfg)
			return err
		}
	}
	return []badCase{
		{"root/ValidateID/mebibyte", validate(mib), invalid("id")},
		{"root/ValidateID/NUL", validate(withNUL), invalid("id")},
		{"root/ValidateID/invalid UTF-8", validate(badUTF8), invalid("id")},
		{"root/ValidateID/empty", validate(""), accepted("ValidateID: an empty id passes: callers that require one say so themselves")},
		{"root/NewDriver/no parts", driver(carecontact.DriverConfig{Parts: []carecontact.Driven{}}), invalid("parts")},
		{"root/NewDriver/nil part", driver(carecontact.DriverConfig{Parts: []carecontact.Driven{nil}}), invalid("parts[0]")},
		{"root/NewDriver/negative max wait", driver(carecontact.DriverConfig{MaxWait: -time.Second}), invalid("maxWait")},
		{"root/NewDriver/max backoff below min", driver(carecontact.DriverConfig{MinBackoff: time.Minute, MaxBackoff: time.Second}), invalid("maxBackoff")},
	}
}

func civilCases() []badCase {
	never := civil.WorkdayFunc(func(civil.Date) bool { return false })
	parse := func(f func(string) error, s string) func(context.Context, *world) error {
		return pure(func() error { return f(s) })
	}
	date := func(s string) error { _, err := civil.ParseDate(s); return err }
	tod := func(s string) error { _, err := civil.ParseTimeOfDay(s); return err }
	span := func(s string) error { _, err := civil.ParseSpan(s); return err }
	lang := func(s string) error { _, err := civil.ParseLanguage(s); return err }
	return []badCase{
		{"civil/ParseDate/empty", parse(date, ""), invalid("date")},
		{"civil/ParseDate/year 0", parse(date, "0000-01-01"), invalid("date")},
		{"civil/ParseDate/year 10000", parse(date, "10000-01-01"), invalid("date")},
		{"civil/ParseDate/30 February", parse(date, "2026-02-30"), invalid("date")},
		{"civil/ParseDate/mebibyte", parse(date, mib), invalid("date")},
		{"civil/ParseDate/year 1", parse(date, "0001-01-01"), accepted("civil.ParseDate: a year in MinYear..MaxYear")},
		{"civil/ParseDate/year 9999", parse(date, "9999-12-31"), accepted("civil.ParseDate: a year in MinYear..MaxYear")},
		{"civil/ParseTimeOfDay/24:01", parse(tod, "24:01"), invalid("time of day")},
		{"civil/ParseTimeOfDay/negative", parse(tod, "-1:00"), invalid("time of day")},
		{"civil/ParseTimeOfDay/NUL", parse(tod, "08:00\x00"), invalid("time of day")},
		{"civil/ParseSpan/reversed", parse(span, "16:00-08:00"), invalid("span")},
		{"civil/ParseSpan/empty span", parse(span, "08:00-08:00"), invalid("span")},
		{"civil/ParseLanguage/klingon!!", parse(lang, "klingon!!"), invalid("language")},
		{"civil/ParseLanguage/invalid UTF-8", parse(lang, badUTF8), invalid("language")},
		{"civil/ParseLanguage/mebibyte", parse(lang, mib), invalid("language")},
		{"civil/ParseLanguage/German", parse(lang, "de"), accepted("civil.ParseLanguage: a well-formed tag that matches none falls back to Finnish")},
		{"civil/ParseLanguage/empty", parse(lang, ""), accepted("civil.ParseLanguage: the empty string is Finnish")},
		{"civil/DateRange/reversed", pure(func() error {
			return civil.DateRange{From: civil.NewDate(2026, 12, 1), To: civil.NewDate(2026, 11, 1)}.Validate("period")
		}), invalid("period")},
		{"civil/DateRange/year 1 to 9999", pure(func() error {
			return civil.DateRange{From: civil.NewDate(1, 1, 1), To: civil.NewDate(9999, 12, 31)}.Validate("period")
		}), invalid("period")},
		{"civil/AddWorkdays/a million", pure(func() error {
			_, err := civil.AddWorkdays(civil.FinnishWorkdays(), civil.NewDate(2026, 11, 23), 1_000_000)
			return err
		}), invalid("working days")},
		{"civil/NextWorkday/no working day ever", pure(func() error {
			_, err := civil.NextWorkday(never, civil.NewDate(2026, 11, 23))
			return err
		}), invalid("working days")},
		{"civil/NextWorkday/end of 9999", pure(func() error {
			_, err := civil.NextWorkday(civil.FinnishWorkdays(), civil.NewDate(9999, 12, 31))
			return err
		}), invalid("working days")},
		{"civil/PreviousWorkday/start of year 1", pure(func() error {
			_, err := civil.PreviousWorkday(civil.FinnishWorkdays(), civil.NewDate(1, 1, 1))
			return err
		}), invalid("working days")},
		{"civil/WorkdaysBetween/year 1 to 9999", pure(func() error {
			_, err := civil.WorkdaysBetween(civil.FinnishWorkdays(), civil.NewDate(1, 1, 1), civil.NewDate(9999, 12, 31))
			return err
		}), invalid("working days")},
		{"civil/FinnishHolidays/year 0", pure(func() error { _, err := civil.FinnishHolidays(0); return err }), invalid("holiday year")},
		{"civil/FinnishHolidays/year 9999", pure(func() error { _, err := civil.FinnishHolidays(9999); return err }),
			accepted("civil.FinnishHolidays: computed for FirstHolidayYear..LastHolidayYear (9999)")},
	}
}

func channelCases() []badCase {
	return []badCase{
		{"channel/ParseKind/pigeon", pure(func() error { _, err := channel.ParseKind("pigeon"); return err }), invalid("kind")},
		{"channel/ParseKind/empty", pure(func() error { _, err := channel.ParseKind(""); return err }), invalid("kind")},
		{"channel/ParseIdentityLevel/klingon", pure(func() error { _, err := channel.ParseIdentityLevel("klingon!!"); return err }), invalid("identity")},
		{"channel/IdentityLevel/UnmarshalText mebibyte", pure(func() error {
			var l channel.IdentityLevel
			return l.UnmarshalText([]byte(mib))
		}), invalid("identity")},
		{"channel/ParseMatrix/empty", pure(func() error { _, err := channel.ParseMatrix(nil); return err }), invalid("matrix")},
		{"channel/ParseMatrix/mebibyte", pure(func() error { _, err := channel.ParseMatrix([]byte(mib)); return err }), invalid("matrix")},
		{"channel/ParseMatrix/invalid UTF-8", pure(func() error { _, err := channel.ParseMatrix([]byte(`{"version":1,"` + badUTF8 + `":1}`)); return err }), invalid("matrix")},
		{"channel/NewMatrix/unsuitable without a reason", pure(func() error {
			_, err := channel.NewMatrix(map[channel.Errand]map[channel.Kind]channel.Cell{channel.ErrandOther: {channel.Chat: {Suitable: false}}})
			return err
		}), invalid("errands[\"other\"][\"chat\"].reason")},
		{"channel/NewMatrix/unknown kind", pure(func() error {
			_, err := channel.NewMatrix(map[channel.Errand]map[channel.Kind]channel.Cell{channel.ErrandOther: {"pigeon": {Suitable: true}}})
			return err
		}), invalid("errands[\"other\"][\"pigeon\"]")},
		{"channel/NewMatrix/identity level 7", pure(func() error {
			_, err := channel.NewMatrix(map[channel.Errand]map[channel.Kind]channel.Cell{channel.ErrandOther: {channel.Chat: {Suitable: true, Identity: 7}}})
			return err
		}), invalid("errands[\"other\"][\"chat\"].identity")},
		{"channel/ParseGraph/mebibyte", pure(func() error { _, err := channel.ParseGraph([]byte(mib)); return err }), invalid("graph")},
		{"channel/ParseGraph/edge without identity", pure(func() error {
			_, err := channel.ParseGraph([]byte(`{"version":1,"escalations":[{"from":"chat","to":"video"}]}`))
			return err
		}), invalid("escalations[0]")},
		{"channel/NewGraph/edge to an unknown kind", pure(func() error {
			_, err := channel.NewGraph(channel.Escalation{From: channel.Chat, To: "pigeon", Identity: channel.IdentityWeak})
			return err
		}), invalid("edges[0].to")},
		{"channel/NewGraph/edge to itself", pure(func() error {
			_, err := channel.NewGraph(channel.Escalation{From: channel.Chat, To: channel.Chat, Identity: channel.IdentityWeak})
			return err
		}), invalid("edges[0]")},
		{"channel/Graph.Check/from an unknown kind", pure(func() error {
			return channel.DefaultGraph().Check("pigeon", channel.Video, channel.IdentityStrong, true)
		}), fails(carecontact.ErrIllegalTransition)},
	}
}

func auditCases() []badCase {
	ev := func() audit.Event {
		return audit.Event{At: monday.UTC(), Actor: system, Action: "test.act", Subject: "thing/1", Outcome: audit.Allowed}
	}
	record := func(edit func(*audit.Event)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			e := ev()
			edit(&e)
			return w.db.AuditLog().Record(ctx, e)
		}
	}
	return []badCase{
		{"audit/Record/phone number in a detail", record(func(e *audit.Event) { e.Detail = map[string]string{"reason": withPII} }), invalid("detail.reason")},
		{"audit/Record/identity code in the subject", record(func(e *audit.Event) { e.Subject = "client/" + hetu }), invalid("subject")},
		{"audit/Record/zero actor", record(func(e *audit.Event) { e.Actor = audit.Actor{} }), invalid("actor.kind")},
		{"audit/Record/no time", record(func(e *audit.Event) { e.At = time.Time{} }), invalid("at")},
		{"audit/Record/outcome maybe", record(func(e *audit.Event) { e.Outcome = "maybe" }), invalid("outcome")},
		{"audit/Record/mebibyte subject", record(func(e *audit.Event) { e.Subject = mib }), invalid("subject")},
		{"audit/Record/NUL in the action", record(func(e *audit.Event) { e.Action = withNUL }), invalid("action")},
		{"audit/Record/zero-padded ID", record(func(e *audit.Event) { e.Subject = "appointment/apt-00012345" }),
			accepted("audit doc: the detector lets identifiers such as \"apt-00012345\" and UUIDs pass")},
		{"audit/Redact/mebibyte of digits", pure(func() error {
			s := strings.Repeat("040 123 4567 ", (1<<20)/13)
			if r := audit.Redact(s); strings.Contains(r, "4567") {
				return checkf("a number survived redaction")
			}
			return nil
		}), accepted("audit.Redact: replaces every phone number the detector finds")},
		{"audit/Actor.Validate/identity code as ID", pure(func() error {
			return audit.Actor{Kind: audit.ActorClient, ID: hetu}.Validate()
		}), invalid("actor.id")},
		{"audit/StandIn/identity code as ID", pure(func() error {
			a, kind := audit.StandIn(audit.Actor{Kind: audit.ActorClient, ID: hetu})
			if a.ID != audit.Unidentified || kind != string(audit.ActorClient) {
				return checkf("stand-in %v %s", a, kind)
			}
			return nil
		}), accepted("audit.StandIn: an actor that Validate refuses is recorded as the Unidentified actor of its kind")},
	}
}

// nan is a NaN the cases pass for numbers.
var nan = math.NaN()
