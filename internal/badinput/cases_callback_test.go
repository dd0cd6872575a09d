package badinput_test

import (
	"context"
	"math"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/storage/memory"
)

// callbackReq is a Kallio client's callback request for the planner.
func callbackReq() callback.Request {
	return callback.Request{Client: "c-1", Phone: "+358401234567", Errand: channel.ErrandLabResults, PostalCode: "00530", Language: "fi"}
}

func callbackCases() []badCase {
	request := func(edit func(*callback.Request)) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			r := callbackReq()
			edit(&r)
			_, err := w.parts.Callbacks.Request(ctx, r)
			return err
		}
	}
	config := func(cfg callback.Config) func(context.Context, *world) error {
		return func(_ context.Context, w *world) error {
			cfg.Clock, cfg.Store, cfg.Capacity, cfg.Audit = w.clk, memory.NewCallbackStore(nil), w.built.Capacity, w.db.AuditLog()
			cfg.Router = frontdoor.RoutingRouter{Directory: w.built.Directory}
			_, err := callback.New(cfg)
			return err
		}
	}
	shifts := func(s ...callback.Shift) func(context.Context, *world) error {
		return pure(func() error { return callback.NewStaticCapacity(nil).SetTeam("kallio-a", s...) })
	}
	shift := func(p carecontact.ProfessionalID, from, to civil.TimeOfDay) callback.Shift {
		return callback.Shift{Professional: p, From: from, To: to}
	}
	// requested makes a request and passes its ID on.
	requested := func(f func(ctx context.Context, w *world, id string) error) func(context.Context, *world) error {
		return func(ctx context.Context, w *world) error {
			p, err := w.parts.Callbacks.Request(ctx, callbackReq())
			if err != nil {
				return setup(err)
			}
			return f(ctx, w, p.Request)
		}
	}
	never := civil.WorkdayFunc(func(civil.Date) bool { return false })
	return []badCase{
		{"callback/Request/empty client", request(func(r *callback.Request) { r.Client = "" }), invalid("client")},
		{"callback/Request/mebibyte client", request(func(r *callback.Request) { r.Client = carecontact.ClientRef(mib) }), invalid("client")},
		{"callback/Request/empty phone", request(func(r *callback.Request) { r.Phone = "" }), invalid("phone")},
		{"callback/Request/not a phone number", request(func(r *callback.Request) { r.Phone = "not a phone number" }), invalid("phone")},
		{"callback/Request/mebibyte phone", request(func(r *callback.Request) { r.Phone = callback.Phone(mib) }), invalid("phone")},
		{"callback/Request/five digits and a kilobyte of spaces", request(func(r *callback.Request) {
			r.Phone = callback.Phone("1 2 3 4 5" + strings.Repeat(" ", 1024))
		}), invalid("phone")},
		{"callback/Request/phone with NUL", request(func(r *callback.Request) { r.Phone = "040 123\x00 4567" }), invalid("phone")},
		{"callback/Request/phone in parentheses", request(func(r *callback.Request) { r.Phone = "(09) 310 12345" }),
			accepted("callback.Phone.Validate: 5 to 15 digits with spaces, \"-\", \".\", \"/\", \"(\" and \")\" between them")},
		{"callback/Request/empty errand", request(func(r *callback.Request) { r.Errand = "" }), invalid("errand")},
		{"callback/Request/NUL in errand", request(func(r *callback.Request) { r.Errand = channel.Errand(withNUL) }), invalid("errand")},
		{"callback/Request/urgency 7", request(func(r *callback.Request) { r.Urgency = 7 }), invalid("urgency")},
		{"callback/Request/no postal code or own team", request(func(r *callback.Request) { r.PostalCode = "" }), invalid("postalCode")},
		{"callback/Request/malformed postal code", request(func(r *callback.Request) { r.PostalCode = "abc" }), invalid("postalCode")},
		{"callback/Request/unknown postal code", request(func(r *callback.Request) { r.PostalCode = "99999" }),
			accepted("routing.StandardPolicy: ... then the central pool until served (a postal code no area has gives no home area)")},
		{"callback/Request/language klingon!!", request(func(r *callback.Request) { r.Language = "klingon!!" }), invalid("language")},
		{"callback/Request/id that is a phone number", request(func(r *callback.Request) { r.ID = "0401234567" }), invalid("id")},
		{"callback/Request/invalid UTF-8 own team", request(func(r *callback.Request) { r.OwnTeam = carecontact.TeamID(badUTF8) }), invalid("ownTeam")},
		{"callback/Request/unknown own team", request(func(r *callback.Request) { r.OwnTeam = "ghost-team" }),
			accepted("routing.Directory.Route: the steps that have no candidate are listed as skipped")},
		{"callback/Request/unknown own professional", request(func(r *callback.Request) { r.OwnProfessional = "ghost" }),
			accepted("routing.Directory.Route: the steps that have no candidate are listed as skipped")},
		{"callback/Request/clock 25 years ago", func(ctx context.Context, w *world) error {
			w.clk.set(monday.AddDate(-25, 0, 0))
			_, err := w.parts.Callbacks.Request(ctx, callbackReq())
			return err
		}, accepted("callback doc: a request stamped 25 years ago by a clock that far behind is accepted as the clock says")},
		{"callback/Request/clock in year 1", func(ctx context.Context, w *world) error {
			w.clk.set(time.Date(1, 1, 1, 9, 0, 0, 0, time.UTC))
			_, err := w.parts.Callbacks.Request(ctx, callbackReq())
			return err
		}, invalid("workdays")},
		{"callback/Request/clock at the end of 9999", func(ctx context.Context, w *world) error {
			w.clk.set(time.Date(9999, 12, 31, 9, 0, 0, 0, time.UTC))
			_, err := w.parts.Callbacks.Request(ctx, callbackReq())
			return err
		}, invalid("workdays")},
		{"callback/Config/NaN same-day target", config(callback.Config{SameDayTarget: nan}), invalid("SameDayTarget")},
		{"callback/Config/infinite same-day target", config(callback.Config{SameDayTarget: math.Inf(1)}), invalid("SameDayTarget")},
		{"callback/Config/negative same-day target", config(callback.Config{SameDayTarget: -0.5}), invalid("SameDayTarget")},
		{"callback/Config/cut-off before the first window", config(callback.Config{FirstWindow: civil.At(8, 0), Cutoff: civil.At(7, 0)}), invalid("Cutoff")},
		{"callback/Config/day end before the first window", config(callback.Config{FirstWindow: civil.At(12, 0), DayEnd: civil.At(10, 0)}), invalid("DayEnd")},
		{"callback/Config/first window at 25:00", config(callback.Config{FirstWindow: civil.TimeOfDay(25 * 60)}), invalid("FirstWindow")},
		{"callback/Config/negative window length", config(callback.Config{WindowLength: -time.Hour}), invalid("WindowLength")},
		{"callback/Config/negative urgent deadline", config(callback.Config{UrgentWithin: -time.Hour}), invalid("UrgentWithin")},
		{"callback/Config/negative outer workdays", config(callback.Config{OuterWorkdays: -3}), invalid("OuterWorkdays")},
		{"callback/Config/negative max attempts", config(callback.Config{MaxAttempts: -1}), invalid("MaxAttempts")},
		{"callback/Config/negative retry gap", config(callback.Config{RetryGap: -time.Minute}), invalid("RetryGap")},
		{"callback/Config/zero handling of an errand", config(callback.Config{Handling: map[channel.Errand]time.Duration{channel.ErrandOther: 0}}), invalid("Handling")},
		{"callback/Config/closing outcome bogus", config(callback.Config{ClosingOutcome: "bogus"}), invalid("ClosingOutcome")},
		{"callback/Config/no clock", pure(func() error { _, err := callback.New(callback.Config{}); return err }), invalid("Clock")},
		{"callback/Request/calendar without working days", func(ctx context.Context, w *world) error {
			p, err := callback.New(callback.Config{Audit: memory.NewAuditLog(), Clock: w.clk, Store: memory.NewCallbackStore(nil), Capacity: w.built.Capacity,
				Router: frontdoor.RoutingRouter{Directory: w.built.Directory}, Workdays: never})
			if err != nil {
				return setup(err)
			}
			_, err = p.Request(ctx, callbackReq())
			return err
		}, invalid("workdays")},
		{"callback/SetTeam/shift without professional", shifts(shift("", civil.At(8, 0), civil.At(12, 0))), invalid("shifts[0]")},
		{"callback/SetTeam/reversed shift", shifts(shift("n-aino", civil.At(12, 0), civil.At(8, 0))), invalid("shifts[0]")},
		{"callback/SetTeam/shift past midnight", shifts(shift("n-aino", civil.At(20, 0), civil.TimeOfDay(25*60))), invalid("shifts[0]")},
		{"callback/SetTeam/negative shift start", shifts(shift("n-aino", -60, civil.At(8, 0))), invalid("shifts[0]")},
		{"callback/SetTeam/overlapping shifts", shifts(shift("n-aino", civil.At(8, 0), civil.At(12, 0)), shift("n-aino", civil.At(11, 0), civil.At(16, 0))), invalid("shifts[1]")},
		{"callback/SetTeam/shifts that touch", shifts(shift("n-aino", civil.At(8, 0), civil.At(12, 0)), shift("n-aino", civil.At(12, 0), civil.At(16, 0))),
			accepted("callback.StaticCapacity.SetTeam: shifts of one professional that only touch (08-12, 12-16) are accepted")},
		{"callback/Accept/unknown request", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Accept(ctx, "cb-none", "n-aino")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"callback/Accept/mebibyte request", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Accept(ctx, mib, "n-aino")
			return err
		}, invalid("id")},
		{"callback/Accept/empty professional", requested(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Callbacks.Accept(ctx, id, "")
			return err
		}), invalid("professional")},
		{"callback/Accept/not yet due", requested(func(ctx context.Context, w *world, id string) error {
			_, err := w.parts.Callbacks.Accept(ctx, id, "n-aino")
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"callback/Complete/result maybe", requested(func(ctx context.Context, w *world, id string) error {
			_, _, err := w.parts.Callbacks.Complete(ctx, id, "n-aino", "maybe")
			return err
		}), invalid("result")},
		{"callback/Complete/not in a call", requested(func(ctx context.Context, w *world, id string) error {
			_, _, err := w.parts.Callbacks.Complete(ctx, id, "n-aino", callback.Answered)
			return err
		}), fails(carecontact.ErrIllegalTransition)},
		{"callback/Take/empty team", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Take(ctx, "", "n-aino")
			return err
		}, invalid("team")},
		{"callback/Take/nothing due", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Take(ctx, "kallio-a", "n-aino")
			return err
		}, fails(carecontact.ErrNotFound)},
		{"callback/Withdraw/unknown request", func(ctx context.Context, w *world) error {
			_, _, err := w.parts.Callbacks.Withdraw(ctx, "cb-none", system)
			return err
		}, fails(carecontact.ErrNotFound)},
		{"callback/Get/mebibyte id", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Get(ctx, system, mib)
			return err
		}, invalid("id")},
		{"callback/Estimate/empty team", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.Estimate(ctx, "", channel.ErrandLabResults)
			return err
		}, invalid("team")},
		{"callback/KPIs/reversed range", func(ctx context.Context, w *world) error {
			_, err := w.parts.Callbacks.KPIs(ctx, monday, monday.Add(-24*time.Hour))
			return err
		}, invalid("to")},
		{"callback/Phone/Validate plus only", pure(func() error { return callback.Phone("+").Validate() }), invalid("phone")},
	}
}
