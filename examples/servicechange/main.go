// Command servicechange walks one service area's change of its
// e-bookable catalogue through the workflow: a nurse drafts a new service
// (influenza vaccination) with its booking rules and its texts in Finnish
// and Swedish as one change set, a colleague reviews it, the manager
// approves it and publishes it from 1 March; the set goes live as a whole
// at that moment and not before, and a client books the new service in
// Swedish through the front door, the appointment recording the versions
// of what the client was shown. Time is fixed, so the output is the same
// on every run.
//
//	go run ./examples/servicechange
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "servicechange:", err)
		os.Exit(1)
	}
}

func pro(id string) audit.Actor { return audit.Actor{Kind: audit.ActorProfessional, ID: id} }

func loc(fi, sv string) guidance.Localized { return guidance.Localized{"fi": fi, "sv": sv} }

// baseline is what service area lakeside publishes before the change: a
// blood pressure check clients book themselves, and its texts.
func baseline() []guidance.Entry {
	hours := loc("ma–pe 8–16", "mån–fre 8–16")
	return []guidance.Entry{
		{Channels: &guidance.ChannelConfig{Area: "lakeside", AreaName: loc("Järvenrannan terveysasema", "Sjöstrands hälsostation"),
			Offers: []guidance.Offer{
				{Kind: channel.Callback, Rank: 1, Identity: channel.IdentityWeak, Hours: hours},
				{Kind: channel.EBooking, Rank: 2, Identity: channel.IdentityStrong, Hours: loc("aina", "alltid")},
			}}},
		{Text: &guidance.Text{Key: guidance.AdviceKey(channel.Callback), Area: "lakeside",
			Text: loc("Jätä soittopyyntö ({opening_hours}).", "Lämna en begäran om återuppringning ({opening_hours}).")}},
		{Text: &guidance.Text{Key: guidance.AdviceKey(channel.EBooking), Area: "lakeside",
			Text: loc("Varaa itse: {service_name}.", "Boka själv: {service_name}.")}},
		{Text: &guidance.Text{Key: guidance.KeyEBookingConfirmed, Area: "lakeside",
			Text: loc("{service_name} on varattu {appointment_time}.", "{service_name} är bokad {appointment_time}.")}},
		{Booking: &guidance.BookingConfig{Area: "lakeside", Services: []guidance.BookableService{bpCheck()}}},
	}
}

func bpCheck() guidance.BookableService {
	return guidance.BookableService{ID: "bp-check", Errand: channel.ErrandChronicFollowUp,
		Name: guidance.Localized{"fi": "Verenpaineen seuranta", "sv": "Blodtryckskontroll", "en": "Blood pressure check"}, Groups: []string{"adult"},
		Rules: &guidance.BookingRules{DurationMinutes: 20, Channel: channel.InPerson, StepMinutes: 30, MinNoticeMinutes: 240, HorizonDays: 21,
			Requires: []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}}}
}

func run(w io.Writer) error {
	ctx := context.Background()
	hki := civil.Helsinki()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 2, 23, 9, 0, 0, 0, hki)) // a Monday
	db := memory.New()
	say := func(format string, args ...any) {
		fmt.Fprintf(w, "%s  %s\n", clk.Now().In(hki).Format("Mon 02 Jan 15:04"), fmt.Sprintf(format, args...))
	}

	// The people of service area lakeside and their roles in the workflow.
	aino, emil, liisa := pro("nurse-aino"), pro("nurse-emil"), pro("head-liisa")
	guide, err := guidance.New(guidance.Config{Store: db.GuidanceStore(), Audit: db.AuditLog(), Clock: clk,
		Roles: guidance.Grants{
			"nurse-aino": {{Role: guidance.RoleEditor, Area: "lakeside"}, {Role: guidance.RoleReviewer, Area: "lakeside"}},
			"nurse-emil": {{Role: guidance.RoleEditor, Area: "lakeside"}, {Role: guidance.RoleReviewer, Area: "lakeside"}},
			"head-liisa": {{Role: guidance.RoleManager, Area: "lakeside"}}}})
	if err != nil {
		return err
	}
	for _, e := range baseline() {
		ref, err := guide.Draft(ctx, aino, e, "baseline")
		if err != nil {
			return err
		}
		for _, step := range []error{guide.Submit(ctx, aino, ref, ""), guide.Review(ctx, emil, ref, "ok"),
			guide.Approve(ctx, liisa, ref, ""), guide.Publish(ctx, liisa, ref, "")} {
			if step != nil {
				return step
			}
		}
	}
	say("published the baseline of lakeside: bp-check and its texts")

	// Booking takes its e-bookable services from the published catalogue.
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	nurse := func(id carecontact.ProfessionalID) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: "lakeside", Team: "lakeside-a", Role: "nurse",
			Rules: []booking.WeeklyRule{{Weekdays: weekdays, Span: civil.Span{From: civil.At(10, 0), To: civil.At(12, 0)}, Block: booking.BlockSelfService}}}
	}
	set, err := booking.NewCalendarSet([]booking.Calendar{nurse("nurse-aino"), nurse("nurse-emil")})
	if err != nil {
		return err
	}
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: time.February, Day: 23}, 30)
	if err != nil {
		return err
	}
	apt := 0
	booker, err := booking.New(booking.Config{Index: ix, Services: frontdoor.CatalogueServices{Guide: guide},
		Store: db.BookingStore(), Audit: db.AuditLog(), Clock: clk,
		NewID: func(p string) string { apt++; return fmt.Sprintf("%s%d", p, apt) }})
	if err != nil {
		return err
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "lakeside", NameFi: "Järvenranta", PostalCodes: []routing.PostalCode{"80100"}}},
		Teams: []routing.Team{{ID: "lakeside-a", NameFi: "Järvenranta A", Area: "lakeside"}},
		Professionals: []routing.Professional{{ID: "nurse-aino", Role: routing.RoleNurse, Languages: []civil.Language{"fi", "sv"},
			Teams: []carecontact.TeamID{"lakeside-a"}, Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}},
		Policies: []routing.Policy{routing.StandardPolicy("")},
	})
	if err != nil {
		return err
	}
	n := 0
	door, err := frontdoor.New(ctx, frontdoor.Config{Clock: clk, Directory: dir, Capacity: callback.NewStaticCapacity(nil),
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
			Demand: db.DemandStore(), Audit: db.AuditLog()},
		Guide: guide, Booker: booker, NewID: func() string { n++; return fmt.Sprintf("k%d", n) }})
	if err != nil {
		return err
	}

	// 1. Nurse Aino drafts the new service with its texts as one change.
	clk.Add(time.Hour)
	if err := guide.NewSet(ctx, aino, "flu-2026", "lakeside", "influenza vaccinations from March"); err != nil {
		return err
	}
	flu := guidance.BookableService{ID: "flu-vaccination", Errand: channel.ErrandVaccination,
		Name: loc("Influenssarokotus", "Influensavaccination"), Groups: []string{"adult", "senior"},
		Rules: &guidance.BookingRules{DurationMinutes: 10, Channel: channel.InPerson, StepMinutes: 15, MinNoticeMinutes: 60, HorizonDays: 14,
			MaxPerClient: 1, PeriodDays: 180, ClientCancelBeforeMinutes: 120,
			Requires: []guidance.BookingRequirement{{Kind: "professional", Role: "nurse"}}}}
	drafts := []guidance.Entry{
		{Booking: &guidance.BookingConfig{Area: "lakeside", Services: []guidance.BookableService{bpCheck(), flu}}},
		{Text: &guidance.Text{Key: guidance.KeyEBookingBefore, Area: "lakeside", Service: "flu-vaccination",
			Text: loc("{service_name}: pukeudu lyhythihaiseen paitaan.", "{service_name}: ha en kortärmad tröja på dig.")}},
	}
	for _, e := range drafts {
		ref, err := guide.DraftInSet(ctx, aino, "flu-2026", e, "new service")
		if err != nil {
			return err
		}
		say("nurse-aino drafts %s in change set flu-2026", ref)
	}
	if err := guide.SubmitSet(ctx, aino, "flu-2026", "please review"); err != nil {
		return err
	}
	say("nurse-aino submits flu-2026 for review")
	if err := guide.ReviewSet(ctx, aino, "flu-2026", ""); err != nil {
		say("nurse-aino reviews her own change: refused (%s)", kind(err))
	}

	// 2. A colleague reviews it; the manager approves it from 1 March.
	clk.Add(2 * time.Hour)
	if err := guide.ReviewSet(ctx, emil, "flu-2026", "texts and rules checked"); err != nil {
		return err
	}
	say("nurse-emil reviews flu-2026")
	clk.Add(24 * time.Hour)
	if err := guide.ApproveSet(ctx, liisa, "flu-2026", ""); err != nil {
		return err
	}
	live := time.Date(2026, 3, 1, 0, 0, 0, 0, hki)
	if err := guide.PublishSet(ctx, liisa, "flu-2026", live, "from 1 March"); err != nil {
		return err
	}
	say("head-liisa approves flu-2026 and publishes it from %s", live.In(hki).Format("Mon 02 Jan 15:04"))

	// 3. Not live before its time, live as a whole at it.
	for _, at := range []time.Time{live.Add(-time.Minute), live} {
		cat, err := guide.Published(ctx, at)
		if err != nil {
			return err
		}
		cfg, ref, _ := cat.Bookable("lakeside")
		var ids []string
		for _, s := range cfg.Services {
			ids = append(ids, s.ID)
		}
		_, textErr := cat.Render(guidance.KeyEBookingBefore, guidance.Scope{Area: "lakeside", Service: "flu-vaccination"}, nil,
			guidance.Vars{guidance.VarServiceName: "x"})
		text := "published"
		if textErr != nil {
			text = "not published"
		}
		fmt.Fprintf(w, "%s  catalogue %s: services %s; the flu text %s\n",
			at.In(hki).Format("Mon 02 Jan 15:04"), ref, strings.Join(ids, ", "), text)
	}
	clk.Set(live.Add(-time.Hour))
	if _, err := door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-5e21", Group: "senior", Area: "lakeside",
		Service: "flu-vaccination", Language: "sv"}); err != nil {
		say("client-5e21 looks for flu-vaccination: %s", kind(err))
	}

	// 4. On Monday 2 March a client books it in Swedish.
	clk.Set(time.Date(2026, 3, 2, 8, 0, 0, 0, hki))
	times, err := door.BookSearch(ctx, frontdoor.BookingQuery{Client: "client-5e21", Group: "senior", Area: "lakeside",
		Service: "flu-vaccination", Language: "sv", Limit: 3})
	if err != nil {
		return err
	}
	say("client-5e21 looks for %s: %d times, first %s; told %q (%s, %s)", times.Service.Names.SV, len(times.Slots),
		times.Slots[0].Start.In(hki).Format("15:04"), times.Text.Plain, times.Text.Language, times.Text.Version)
	held, err := door.BookHold(ctx, frontdoor.BookingRequest{Client: "client-5e21", Group: "senior", Slot: times.Slots[0], Language: "sv"})
	if err != nil {
		return err
	}
	booked, err := door.BookConfirm(ctx, frontdoor.BookingRequest{Client: "client-5e21", Group: "senior", Hold: held.Appointment.ID, Language: "sv"})
	if err != nil {
		return err
	}
	a := booked.Appointment
	say("client-5e21 books %s %s-%s with %v: %s; told %q (%s)", a.ID, a.Start.In(hki).Format("15:04"), a.End.In(hki).Format("15:04"),
		a.Participants, a.Status, booked.Text.Plain, booked.Text.Version)
	say("appointment %s records the versions shown: %s", a.ID, a.GuidanceVersion)

	// 5. Who did what: the change set's record.
	rec, err := guide.Record(ctx, guidance.SetSubject("flu-2026"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "change set flu-2026, %s, in effect from %s:\n", rec.Versions[0].State,
		rec.Versions[0].ChangeSet.Effective.In(hki).Format("Mon 02 Jan 15:04"))
	for _, s := range rec.Versions[0].Steps {
		fmt.Fprintf(w, "  %s  %-10s %-9s -> %s\n", s.At.In(hki).Format("Mon 02 Jan 15:04"), s.Actor.ID, s.Action, s.State)
	}
	return nil
}

// kind names the root error kind of err.
func kind(err error) string {
	for _, k := range []error{carecontact.ErrNotFound, carecontact.ErrNotAllowed, carecontact.ErrInvalid, carecontact.ErrIllegalTransition} {
		if errors.Is(err, k) {
			return k.Error()
		}
	}
	return "error"
}
