package frontdoor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
)

// ErrNoBooking is the error of a booking call on a Door without
// Config.Booker.
var ErrNoBooking = carecontact.Sentinel(carecontact.ErrUnavailable, "frontdoor: self-booking is not configured")

// ErrInvalidBooking is the sentinel of a malformed booking query or
// request.
var ErrInvalidBooking = carecontact.Sentinel(carecontact.ErrInvalid, "frontdoor: invalid booking")

// BookingQuery is a client looking for a free time for a service.
type BookingQuery struct {
	// Client is the pseudonymous client reference. Required.
	Client carecontact.ClientRef
	// Group is the client group the service's self-booking rules check.
	// Defaults to none.
	Group string
	// Area is the service area. Required unless PostalCode is set.
	Area carecontact.AreaID
	// PostalCode gives the area when Area is empty.
	PostalCode routing.PostalCode
	// Service is the booking service's code. Required.
	Service string
	// From, To and Limit bound the search as in booking.SearchRequest.
	// Default to the booking package's defaults.
	From, To time.Time
	Limit    int
	// Language is the client's language, any BCP 47 tag, as in
	// ContactRequest. Defaults to Finnish.
	Language string
}

// BookingTimes is the answer to BookSearch.
type BookingTimes struct {
	Service booking.Service
	Slots   []booking.Slot
	// Text is the guidance to read before booking
	// (guidance.KeyEBookingBefore for the area and service); zero without
	// a Guide or a published text.
	Text Text
}

// BookSearch finds free times of a service for a client who books
// themselves, with the guidance text for the service in the client's
// language.
func (d *Door) BookSearch(ctx context.Context, q BookingQuery) (BookingTimes, error) {
	if d.cfg.Booker == nil {
		return BookingTimes{}, ErrNoBooking
	}
	area, lang, err := d.bookingInput(q.Client, q.Area, q.PostalCode, q.Language)
	if err != nil {
		return BookingTimes{}, err
	}
	if q.Service == "" {
		return BookingTimes{}, carecontact.Invalid(ErrInvalidBooking, "service", "is required")
	}
	svc, _, err := d.cfg.Booker.ServiceAt(ctx, area, q.Service)
	if err != nil {
		return BookingTimes{}, fmt.Errorf("frontdoor: book search: %w", err)
	}
	slots, err := d.cfg.Booker.Search(ctx, booking.SearchRequest{Area: area, Service: q.Service, From: q.From, To: q.To,
		Limit: q.Limit, By: requester(q.Client, q.Group)})
	if err != nil {
		return BookingTimes{}, fmt.Errorf("frontdoor: book search: %w", err)
	}
	out := BookingTimes{Service: svc, Slots: slots}
	out.Text, err = d.bookingText(ctx, guidance.KeyEBookingBefore, svc, lang, nil)
	return out, err
}

// BookingRequest is a client holding or booking a slot that BookSearch
// found.
type BookingRequest struct {
	// Client is the pseudonymous client reference. Required.
	Client carecontact.ClientRef
	// Group is the client group, as in BookingQuery. Defaults to none.
	Group string
	// Slot is the slot to hold (BookHold). Required there.
	Slot booking.Slot
	// Hold is the held appointment's ID (BookConfirm). Required there.
	Hold string
	// Answers are the answers to the service's pre-questions (BookHold).
	Answers []booking.Answer
	// Errand is what the booking settles: booking it is admitted through
	// the duplicate-demand path as an e-booking contact, and the client's
	// other pending contacts for the errand are withdrawn. Defaults to the
	// errand of the service in guidance's booking configuration, and to
	// none without one: the booking is then not admitted.
	Errand channel.Errand
	// Language is the client's language, as in BookingQuery.
	Language string
}

// Booked is the answer to BookHold and BookConfirm.
type Booked struct {
	Appointment booking.Appointment
	// Text is what to tell the client: the guidance to read before
	// booking while held, the confirmation with the time once booked.
	// The appointment's GuidanceVersion keeps the versions shown while
	// booking, comma-separated: the text's ("text/<key>/<area>/<service>@n")
	// and, for a service from the published catalogue
	// (CatalogueServices), the booking configuration's
	// ("booking/<area>@n").
	Text Text
	// Duplicate: the client already waited about the errand in another
	// channel (ExistingID). When Merged, the booking joined that contact
	// and it stays pending; otherwise the booking settled the errand and
	// Withdrawn lists the contacts it withdrew.
	Duplicate  bool
	Merged     bool
	ExistingID string
	Withdrawn  []session.WithdrawnContact
}

// BookHold holds a slot for the client while they answer the
// pre-questions and read the guidance for the service.
func (d *Door) BookHold(ctx context.Context, req BookingRequest) (Booked, error) {
	if d.cfg.Booker == nil {
		return Booked{}, ErrNoBooking
	}
	_, lang, err := d.bookingInput(req.Client, req.Slot.Area, "", req.Language)
	if err != nil {
		return Booked{}, err
	}
	svc, svcVersion, err := d.cfg.Booker.ServiceAt(ctx, req.Slot.Area, req.Slot.Service)
	if err != nil {
		return Booked{}, fmt.Errorf("frontdoor: book hold: %w", err)
	}
	text, err := d.bookingText(ctx, guidance.KeyEBookingBefore, svc, lang, nil)
	if err != nil {
		return Booked{}, err
	}
	var shown []string
	if !text.IsZero() && text.Version.Subject != "" {
		shown = append(shown, text.Version.String())
	}
	if svcVersion != "" {
		shown = append(shown, svcVersion)
	}
	version := strings.Join(shown, ",")
	a, err := d.cfg.Booker.Hold(ctx, booking.BookRequest{Slot: req.Slot, Client: req.Client,
		By: requester(req.Client, req.Group), Answers: req.Answers, GuidanceVersion: version})
	if err != nil {
		return Booked{}, fmt.Errorf("frontdoor: book hold: %w", err)
	}
	return Booked{Appointment: a, Text: text}, nil
}

// BookConfirm books the client's held appointment req.Hold. With an
// errand (req.Errand, or the service's in guidance), the booking is
// admitted as an e-booking contact and settles the errand: the client's
// other pending contacts for it are rescinded or withdrawn, so nobody
// contacts them about it again. The answer carries the confirmation text
// with the time.
func (d *Door) BookConfirm(ctx context.Context, req BookingRequest) (Booked, error) {
	if d.cfg.Booker == nil {
		return Booked{}, ErrNoBooking
	}
	if req.Hold == "" {
		return Booked{}, carecontact.Invalid(ErrInvalidBooking, "hold", "is required")
	}
	if req.Client == "" {
		return Booked{}, carecontact.Invalid(ErrInvalidBooking, "client", "is required")
	}
	lang, err := parseLanguage(req.Language)
	if err != nil {
		return Booked{}, carecontact.Invalid(ErrInvalidBooking, "language", "is not a BCP 47 tag")
	}
	by := requester(req.Client, req.Group)
	held, err := d.cfg.Booker.Appointment(ctx, req.Hold, by)
	if err != nil {
		return Booked{}, fmt.Errorf("frontdoor: book confirm: %w", err)
	}
	svc, _, err := d.cfg.Booker.ServiceAt(ctx, held.Area, held.Service)
	if err != nil {
		return Booked{}, fmt.Errorf("frontdoor: book confirm: %w", err)
	}
	cat, err := d.catalog(ctx)
	if err != nil {
		return Booked{}, err
	}
	errand := req.Errand
	if errand == "" {
		errand = bookingErrand(cat, held.Area, held.Service)
	}
	var ad *demand.Admission
	if errand != "" {
		a, err := d.admit.Admit(ctx, demand.Request{Actor: by.Actor, Client: req.Client, Errand: errand,
			Kind: channel.EBooking, Ref: held.ID, ID: "d" + held.ID})
		if err != nil {
			return Booked{}, fmt.Errorf("frontdoor: book confirm: admit: %w", err)
		}
		ad = &a
	}
	a, err := d.cfg.Booker.Confirm(ctx, held.ID, by)
	if err != nil {
		err = fmt.Errorf("frontdoor: book confirm: %w", err)
		if ad != nil && ad.Queue() {
			err = d.undoAdmission(ctx, ad.Contact.ID, err)
		}
		return Booked{}, err
	}
	out := Booked{Appointment: a}
	if ad != nil {
		if err := d.settleBooking(ctx, by.Actor, *ad, &out); err != nil {
			return out, err
		}
	}
	if cat != nil {
		out.Text, err = d.renderBooking(ctx, cat, guidance.KeyEBookingConfirmed, svc, lang,
			guidance.Vars{guidance.VarAppointmentTime: appointmentText(a.Start)})
	}
	return out, err
}

// settleBooking settles the errand of a booked appointment's admission
// and withdraws the client's other pending contacts for it.
func (d *Door) settleBooking(ctx context.Context, actor audit.Actor, ad demand.Admission, out *Booked) error {
	out.Duplicate = ad.Duplicate()
	if ad.Existing != nil {
		out.ExistingID = ad.Existing.Ref
	}
	if !ad.Queue() {
		out.Merged = true
		return nil
	}
	st, err := d.admit.Settle(ctx, actor, ad.Contact.ID)
	if errors.Is(err, demand.ErrContactClosed) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("frontdoor: booked %s, but settling the errand: %w", out.Appointment.ID, err)
	}
	for _, c := range st.Withdrawn {
		w := session.WithdrawnContact{ID: c.ID, Kind: c.Kind, Ref: c.Ref}
		out.Withdrawn = append(out.Withdrawn, w)
		if err := d.settled(ctx, w, c.Client, c.Errand, "settled by booking "+out.Appointment.ID); err != nil {
			return err
		}
	}
	return nil
}

// bookingErrand returns the errand guidance's booking configuration gives
// service in area, "" when none.
func bookingErrand(cat *guidance.Catalog, area carecontact.AreaID, service string) channel.Errand {
	if cat == nil {
		return ""
	}
	var def *guidance.BookingConfig
	for _, b := range cat.Content().Booking {
		switch b.Area {
		case area:
			return errandIn(b, service)
		case "":
			def = &b
		}
	}
	if def != nil {
		return errandIn(*def, service)
	}
	return ""
}

func errandIn(b guidance.BookingConfig, service string) channel.Errand {
	for _, s := range b.Services {
		if s.ID == service {
			return s.Errand
		}
	}
	return ""
}

// bookingInput checks a booking call's client and language and resolves
// its area.
func (d *Door) bookingInput(client carecontact.ClientRef, area carecontact.AreaID, pc routing.PostalCode, tag string) (carecontact.AreaID, clientLanguage, error) {
	if client == "" {
		return "", clientLanguage{}, carecontact.Invalid(ErrInvalidBooking, "client", "is required")
	}
	lang, err := parseLanguage(tag)
	if err != nil {
		return "", clientLanguage{}, carecontact.Invalid(ErrInvalidBooking, "language", "is not a BCP 47 tag")
	}
	if area == "" {
		area = d.areaOf(pc, "")
	}
	if area == "" {
		return "", clientLanguage{}, carecontact.Invalid(ErrInvalidBooking, "area", "is required without a known postal code")
	}
	return area, lang, nil
}

// bookingText renders key for service from the guidance published now.
func (d *Door) bookingText(ctx context.Context, key string, svc booking.Service, lang clientLanguage, vals guidance.Vars) (Text, error) {
	cat, err := d.catalog(ctx)
	if err != nil || cat == nil {
		return Text{}, err
	}
	return d.renderBooking(ctx, cat, key, svc, lang, vals)
}

// renderBooking renders a booking text scoped to the service's area and
// code, naming the service in the language the text is rendered in.
func (d *Door) renderBooking(ctx context.Context, cat *guidance.Catalog, key string, svc booking.Service, lang clientLanguage, vals guidance.Vars) (Text, error) {
	return d.renderLocalized(ctx, cat, key, guidance.Scope{Area: svc.Area, Service: svc.Code}, lang.prefs, vals,
		guidance.LocalizedVars{guidance.VarServiceName: localizedNames(svc.Names)})
}

// localizedNames returns n as guidance's localized text.
func localizedNames(n civil.Names) guidance.Localized {
	out := guidance.Localized{}
	for lang, s := range map[string]string{"fi": n.FI, "sv": n.SV, "en": n.EN} {
		if s != "" {
			out[lang] = s
		}
	}
	return out
}

// requester is a client booking for themselves.
func requester(client carecontact.ClientRef, group string) booking.Requester {
	return booking.Requester{Actor: audit.Actor{Kind: audit.ActorClient, ID: string(client)}, ClientGroup: group}
}
