package scenario

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/examples/simulation/sim"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/storage/memory"
)

// EBookingSpec is self-service booking through the door (Door.BookSearch,
// BookHold, BookConfirm) of one appointment type in the calendars of the
// area teams' professionals (of the first area team's role). A booking is admitted through the door's
// duplicate-demand path and settles its errand: the client's contacts
// still waiting about it (on the line, in chat, for a callback) are
// withdrawn. Clients cancel some bookings (the freed time goes to the
// first client on the service's waitlist as a hold, which they confirm)
// and do not come to some. The appointments take calendar time only; the
// rosters stay the time on the phone and in chat.
type EBookingSpec struct {
	// Service is the appointment type's code ("nurse-visit"). Required.
	Service string `json:"service"`
	// Errand is what a booking settles. Required.
	Errand string `json:"errand"`
	// Duration is the appointment's length. Required.
	Duration sim.Duration `json:"duration"`
	// Hours are the weekday self-service hours of each calendar,
	// "10:00-15:00". Required.
	Hours string `json:"hours"`
	// Professionals is how many of each area team's professionals have a
	// calendar (the team's first ones); 0: as many as its roster's
	// largest count.
	Professionals int `json:"professionals,omitempty"`
	// Horizon is how far ahead clients may book (default 14 days);
	// MinNotice how long before the start (default 2h).
	Horizon   sim.Duration `json:"horizon,omitempty"`
	MinNotice sim.Duration `json:"min_notice,omitempty"`
	// PerDay and Hourly are the clients who search for a time, as in
	// DemandSpec.
	PerDay DaySpec   `json:"per_day"`
	Hourly []float64 `json:"hourly"`
	// Cancel is the probability that a client cancels a booked
	// appointment, at a uniformly drawn time between booking and start;
	// NoShow that a client does not come.
	Cancel float64 `json:"cancel,omitempty"`
	NoShow float64 `json:"no_show,omitempty"`
	// Waitlist is the probability that a client who finds no free time
	// joins the waitlist; ConfirmAfter is how long a waiting client takes
	// to confirm an offered time (default 10m; the booker's offer lasts
	// 2h).
	Waitlist     float64      `json:"waitlist,omitempty"`
	ConfirmAfter sim.Duration `json:"confirm_after,omitempty"`
	// FromWaiting is the probability that a client waiting about the
	// errand in another channel (queued, or a callback request) also tries
	// to book after After: overlapping channels, duplicate demand the door
	// resolves.
	FromWaiting float64      `json:"from_waiting,omitempty"`
	After       sim.Duration `json:"after,omitempty"`

	hours civil.Span
}

func (e *EBookingSpec) validate() error {
	if strings.TrimSpace(e.Service) == "" {
		return bad("ebooking.service is required")
	}
	if e.Errand == "" {
		return bad("ebooking.errand is required")
	}
	if e.Duration <= 0 || e.Duration > sim.Duration(8*time.Hour) {
		return bad("ebooking.duration: want 1s..8h")
	}
	from, to, ok := strings.Cut(e.Hours, "-")
	f, err1 := civil.ParseTimeOfDay(strings.TrimSpace(from))
	t, err2 := civil.ParseTimeOfDay(strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil || f >= t {
		return bad("ebooking.hours %q: want HH:MM-HH:MM", e.Hours)
	}
	e.hours = civil.Span{From: f, To: t}
	if e.Professionals < 0 || e.Horizon < 0 || e.MinNotice < 0 || e.ConfirmAfter < 0 || e.After < 0 {
		return bad("ebooking: professionals, horizon, min_notice, confirm_after and after must not be negative")
	}
	if e.ConfirmAfter >= sim.Duration(booking.DefaultOfferTTL) {
		return bad("ebooking.confirm_after: want less than the booker's offer time, %v", booking.DefaultOfferTTL)
	}
	for _, v := range []float64{e.PerDay.Weekday, e.PerDay.Saturday, e.PerDay.Sunday} {
		if !finite(v) || v < 0 || v > 1e6 {
			return bad("ebooking.per_day: want 0..1e6 searches a day")
		}
	}
	if len(e.Hourly) != 24 {
		return bad("ebooking.hourly: want 24 weights")
	}
	sum := 0.0
	for h, w := range e.Hourly {
		if !finite(w) || w < 0 {
			return bad("ebooking.hourly[%d]: want a non-negative weight", h)
		}
		sum += w
	}
	if sum <= 0 {
		return bad("ebooking.hourly: weights sum to zero")
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"cancel", e.Cancel}, {"no_show", e.NoShow}, {"waitlist", e.Waitlist}, {"from_waiting", e.FromWaiting}} {
		if !share(p.v) {
			return bad("ebooking.%s must be in [0, 1]", p.name)
		}
	}
	return nil
}

// ebookGroup is the client group the simulated clients book in.
const ebookGroup = "adult"

// ebooker is the e-booking part of a replication: the booker the door
// books through, the calendars' owners and the appointments' workload.
type ebooker struct {
	spec    *EBookingSpec
	booker  *booking.Booker
	owner   map[booking.CalendarID]carecontact.ProfessionalID
	appts   []appt
	weights []float64
	hour    int // index into model.hours of the next search
	ids     int
}

// appt is one booked appointment of the workload.
type appt struct {
	id     string
	client int32
	done   bool // cancelled, or its start has come
}

// newEBooker builds the calendars (self-service hours on weekdays for the
// area teams' first professionals), the service in every area and the
// booker.
func (m *model) newEBooker() (*ebooker, error) {
	e := m.s.EBooking
	eb := &ebooker{spec: e, owner: map[booking.CalendarID]carecontact.ProfessionalID{}}
	sum := 0.0
	for _, w := range e.Hourly {
		sum += w
	}
	for _, w := range e.Hourly {
		eb.weights = append(eb.weights, w/sum)
	}
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	// The visit is with a professional of the first area team's role;
	// the area teams of that role have the calendars.
	role := ""
	for _, t := range m.s.Teams {
		if !t.Central {
			role = t.Role
			break
		}
	}
	var cals []booking.Calendar
	for ti, t := range m.s.Teams {
		if t.Central || t.Role != role {
			continue
		}
		tp := m.teamProfs[ti]
		n := len(m.profs) - tp[0]
		if ti+1 < len(m.teamProfs) {
			n = m.teamProfs[ti+1][0] - tp[0]
		}
		if e.Professionals > 0 {
			n = min(n, e.Professionals)
		}
		for k := range n {
			p := m.profs[tp[0]+k].id
			id := booking.ProfessionalCalendar(p)
			eb.owner[id] = p
			cals = append(cals, booking.Calendar{ID: id, Kind: booking.OwnerProfessional, Area: carecontact.AreaID(t.Area),
				Team: carecontact.TeamID(t.ID), Role: t.Role,
				Rules: []booking.WeeklyRule{{Weekdays: weekdays, Span: e.hours, Block: booking.BlockSelfService}}})
		}
	}
	set, err := booking.NewCalendarSet(cals)
	if err != nil {
		return nil, fmt.Errorf("%w: ebooking calendars: %w", ErrInvalid, err)
	}
	horizon := time.Duration(e.Horizon)
	if horizon == 0 {
		horizon = 14 * 24 * time.Hour
	}
	notice := time.Duration(e.MinNotice)
	if notice == 0 {
		notice = 2 * time.Hour
	}
	ix, err := booking.NewIndex(set, civil.DateOf(m.s.start, helsinki), m.s.Days+int(horizon/(24*time.Hour))+2)
	if err != nil {
		return nil, fmt.Errorf("%w: ebooking index: %w", ErrInvalid, err)
	}
	var cats []*booking.Catalogue
	for _, a := range m.s.Areas {
		cat, err := booking.NewCatalogue(carecontact.AreaID(a.ID), []booking.Service{{
			Code: e.Service, Area: carecontact.AreaID(a.ID), Names: civil.Names{FI: e.Service},
			Duration: time.Duration(e.Duration), Channel: channel.InPerson,
			Requires:       []booking.Requirement{{Kind: booking.OwnerProfessional, Role: role}},
			SelfBookGroups: []string{ebookGroup}, MinNotice: notice, Horizon: horizon,
		}})
		if err != nil {
			return nil, fmt.Errorf("%w: ebooking service: %w", ErrInvalid, err)
		}
		cats = append(cats, cat)
	}
	store := memory.NewBookingStore(nil)
	eb.booker, err = booking.New(booking.Config{Index: ix, Catalogues: cats, Store: store, Audit: store.AuditLog(), Clock: m.clk,
		NewID: func(prefix string) string { eb.ids++; return fmt.Sprintf("%s%d", prefix, eb.ids) }})
	if err != nil {
		return nil, fmt.Errorf("%w: booker: %w", ErrInvalid, err)
	}
	return eb, nil
}

// scheduleSearch draws the next e-booking search after elapsed time from,
// as scheduleArrival does for the contact streams.
func (m *model) scheduleSearch(from time.Duration) {
	eb := m.eb
	for eb.hour < len(m.hours) {
		h := m.hours[eb.hour]
		if from < h.from {
			from = h.from
		}
		rate := pick(eb.spec.PerDay, h.dayType) * eb.weights[h.local]
		if rate > 0 {
			at := from + time.Duration(m.rnd.book.ExpFloat64()/rate*float64(time.Hour))
			if at < h.to {
				m.loop.At(at, event{kind: evBookSearch, a: -1})
				return
			}
		}
		eb.hour++
	}
}

func clientRequester(c int32) booking.Requester {
	return booking.Requester{Actor: clientActor(c), ClientGroup: ebookGroup}
}

// book is client cl looking for a time through the door: search, hold the
// first free time, confirm it. Finding none, the client may join the
// waitlist.
func (m *model) book(cl int32, now time.Duration, fromWaiting bool) error {
	eb := m.eb
	b := m.bin(now)
	ref := carecontact.ClientRef(clientRef(cl))
	for _, k := range []*counts{&m.counts, b} {
		k.searches++
		if fromWaiting {
			k.searchesWaiting++
		}
	}
	area := carecontact.AreaID(m.s.Areas[m.clients[cl].area].ID)
	times, err := m.door.BookSearch(m.ctx, frontdoor.BookingQuery{Client: ref, Group: ebookGroup, Area: area, Service: eb.spec.Service, Limit: 1})
	if err != nil {
		return fmt.Errorf("book search: %w", err)
	}
	if len(times.Slots) == 0 {
		m.noSlot++
		b.noSlot++
		if m.rnd.book.Float64() < eb.spec.Waitlist {
			_, err := eb.booker.Wait(m.ctx, booking.WaitRequest{Area: area, Service: eb.spec.Service, Client: ref, By: clientRequester(cl)})
			var fe *carecontact.FieldError
			switch {
			case errors.As(err, &fe) && fe.Field == "client" && errors.Is(err, booking.ErrInvalid):
				return nil // already on the waitlist
			case err != nil:
				return fmt.Errorf("waitlist: %w", err)
			}
			m.waitlisted++
			b.waitlisted++
		}
		return nil
	}
	held, err := m.door.BookHold(m.ctx, frontdoor.BookingRequest{Client: ref, Group: ebookGroup, Slot: times.Slots[0]})
	switch {
	case errors.Is(err, carecontact.ErrNotAllowed), errors.Is(err, carecontact.ErrConflict):
		// The client's own limit, or the time went in the same step.
		m.bookRefused++
		b.bookRefused++
		return nil
	case err != nil:
		return fmt.Errorf("book hold: %w", err)
	}
	return m.confirm(cl, held.Appointment.ID, now, false)
}

// confirm confirms client cl's held appointment through the door and
// draws what the client does with it.
func (m *model) confirm(cl int32, hold string, now time.Duration, offered bool) error {
	eb := m.eb
	b := m.bin(now)
	booked, err := m.door.BookConfirm(m.ctx, frontdoor.BookingRequest{Client: carecontact.ClientRef(clientRef(cl)), Group: ebookGroup,
		Hold: hold, Errand: channel.Errand(eb.spec.Errand)})
	if err != nil {
		return fmt.Errorf("book confirm: %w", err)
	}
	for _, k := range []*counts{&m.counts, b} {
		k.booked++
		if offered {
			k.waitlistFilled++
		}
		if booked.Duplicate {
			k.bookedDuplicate++
		}
		k.bookSettled += int64(len(booked.Withdrawn))
	}
	i := int32(len(eb.appts))
	eb.appts = append(eb.appts, appt{id: booked.Appointment.ID, client: cl})
	start := booked.Appointment.Start.Sub(m.clk.Epoch())
	if m.rnd.book.Float64() < eb.spec.Cancel && start > now {
		at := now + time.Duration(m.rnd.book.Float64()*float64(start-now))
		m.loop.At(at, event{kind: evBookCancel, a: i})
		return nil
	}
	m.loop.At(start, event{kind: evBookStart, a: i})
	return nil
}

// cancel is the client cancelling appointment i; the booker offers the
// freed time to the first waiting client, who confirms it later.
func (m *model) cancel(i int32, now time.Duration) error {
	eb := m.eb
	a := &eb.appts[i]
	if a.done {
		return nil
	}
	a.done = true
	res, err := eb.booker.Cancel(m.ctx, a.id, "client", clientRequester(a.client))
	if err != nil {
		return fmt.Errorf("cancel: %w", err)
	}
	b := m.bin(now)
	m.bookCancelled++
	b.bookCancelled++
	if o := res.Offer; o != nil {
		m.freed++
		b.freed++
		cl := clientIndex(o.Client)
		if cl < 0 {
			return nil
		}
		after := time.Duration(eb.spec.ConfirmAfter)
		if after == 0 {
			after = 10 * time.Minute
		}
		eb.appts = append(eb.appts, appt{id: o.ID, client: cl})
		m.loop.At(now+after, event{kind: evBookOffer, a: int32(len(eb.appts) - 1)})
	}
	return nil
}

// start is appointment i's start: the professional marks the client
// arrived and the visit fulfilled, or a no-show.
func (m *model) start(i int32, now time.Duration) error {
	eb := m.eb
	a := &eb.appts[i]
	if a.done {
		return nil
	}
	a.done = true
	ap, err := eb.booker.Appointment(m.ctx, a.id, clientRequester(a.client))
	if err != nil {
		return fmt.Errorf("appointment: %w", err)
	}
	by := booking.Requester{Actor: audit.Actor{Kind: audit.ActorProfessional, ID: string(eb.owner[ap.Participants[0]])}}
	b := m.bin(now)
	status := booking.StatusFulfilled
	if m.rnd.book.Float64() < eb.spec.NoShow {
		status = booking.StatusNoShow
		m.noShow++
		b.noShow++
	}
	m.visits++
	b.visits++
	if _, err := eb.booker.Mark(m.ctx, a.id, status, by); err != nil {
		return fmt.Errorf("mark %s: %w", status, err)
	}
	return nil
}

// clientIndex is the inverse of clientRef, -1 for another reference.
func clientIndex(ref carecontact.ClientRef) int32 {
	var n int32
	if _, err := fmt.Sscanf(string(ref), "client-%d", &n); err != nil {
		return -1
	}
	return n
}
