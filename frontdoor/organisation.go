package frontdoor

import (
	"errors"
	"fmt"
	"slices"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
)

// Organisation is the configuration of a front door, named once: the
// organisation, the booking calendars and services, the callback rosters,
// the guidance content, the channel matrix and the escalation graph. A host
// fills it once; Check validates it across packages and Build builds the
// parts from it.
type Organisation struct {
	// Routing is the areas, teams, professionals, policies and pilots.
	Routing routing.Config
	// ClientGroups are the client groups served, such as "adult" and
	// "senior". When set, booking and guidance may name only these, and
	// guidance for every group means each of them.
	ClientGroups []string
	// Calendars are the booking calendars of professionals, teams and
	// resources.
	Calendars []booking.Calendar
	// Services are the appointment types of every area. Build makes one
	// catalogue per area.
	Services []booking.Service
	// Rosters are fixed daily callback shifts per team. Without rosters,
	// callback capacity comes from the calendars' callback blocks.
	Rosters []Roster
	// Workdays are the days the rosters apply on. Defaults to
	// civil.FinnishWorkdays().
	Workdays civil.Workdays
	// Guidance is the guidance content. Nil means none.
	Guidance *guidance.Content
	// GuidanceSchema validates Guidance. Defaults to
	// guidance.DefaultSchema().
	GuidanceSchema *guidance.Schema
	// Matrix says which errands suit which channels. Defaults to
	// channel.DefaultMatrix().
	Matrix *channel.Matrix
	// Escalations are the edges of the escalation graph. Nil means
	// channel.DefaultEscalations().
	Escalations []channel.Escalation
	// Staff are the grants of the host's authenticated directory
	// (supervisor of a team or an area, and the like) and the staff who
	// take no contacts; see StaffOf. Every routing professional is staff
	// of their teams without grants unless listed here. Defaults to none.
	Staff []carecontact.StaffMember
}

// Roster is one team's daily callback shifts.
type Roster struct {
	Team   carecontact.TeamID
	Shifts []callback.Shift
}

// Built are the parts an Organisation builds, ready for a Door, a Booker,
// a session manager and guidance advice.
type Built struct {
	Directory *routing.Directory
	Matrix    *channel.Matrix
	Graph     *channel.Graph
	Calendars *booking.CalendarSet
	// Catalogues hold the services, one catalogue per area, in the order
	// the areas first appear in Services.
	Catalogues []*booking.Catalogue
	// Capacity is the callback capacity: a *callback.StaticCapacity of the
	// rosters, or else a *CalendarCapacity of the calendars.
	Capacity callback.Capacity
	// Absences are Capacity's absences, for reporting who falls ill.
	Absences *callback.Absences
	// Guidance serves the guidance content; nil without content.
	Guidance *guidance.Catalog
	// Staff is the staff directory of the routing professionals and
	// Organisation.Staff.
	Staff *carecontact.Staff
}

// Check validates the organisation. See Build.
func (o Organisation) Check() error {
	_, err := o.Build()
	return err
}

// Build validates the organisation and builds its parts. Each part is
// validated by its own package. Then the parts are checked against each
// other:
//
//   - a calendar's area and team, a closure's area and a service's area
//     exist in routing;
//   - a professional's calendar names a routing professional, of the
//     calendar's team and role, and a team's calendar a routing team;
//   - a roster names a routing team, and its shifts members of it;
//   - the areas guidance names exist in routing;
//   - a service guidance advises for e-booking in an area is offered there
//     by booking, to every client group guidance advises it to;
//   - the client groups booking and guidance name are ClientGroups;
//   - pilots and escalations lead to channels the matrix finds suitable
//     for some errand.
//
// The error joins one error per problem. Each names the item, such as
// `calendars[2].team: "kallio-c" is not a routing team`, and matches
// ErrConfig and carecontact.ErrInvalid; a part's own error keeps its
// sentinel as well.
func (o Organisation) Build() (Built, error) {
	c := &checker{o: o}
	b := Built{Matrix: o.Matrix}
	if b.Matrix == nil {
		b.Matrix = channel.DefaultMatrix()
	}
	c.m = b.Matrix
	var err error
	if b.Directory, err = routing.NewDirectory(o.Routing); err != nil {
		c.part("routing", err)
	}
	esc := o.Escalations
	if esc == nil {
		esc = channel.DefaultEscalations()
	}
	if b.Graph, err = channel.NewGraph(esc...); err != nil {
		c.part("escalations", err)
	}
	if b.Calendars, err = booking.NewCalendarSet(o.Calendars); err != nil {
		c.part("calendars", err)
	}
	b.Catalogues = c.catalogues()
	b.Capacity, b.Absences = c.capacity(b.Calendars)
	if o.Guidance != nil {
		if b.Guidance, err = guidance.NewCatalog(*o.Guidance, o.GuidanceSchema); err != nil {
			c.part("guidance", err)
		}
	}

	if d := b.Directory; d != nil {
		if b.Staff, err = StaffOf(d, o.Staff); err != nil {
			c.part("staff", err)
		}
		c.calendars(d)
		c.services(d)
		c.rosters(d)
		c.pilots()
		if o.Guidance != nil {
			c.guidanceAreas(d)
		}
		if b.Guidance != nil && b.Catalogues != nil {
			c.eBooking(b.Catalogues)
		}
	}
	if b.Graph != nil {
		c.escalations(esc)
	}
	c.groups()
	if err := errors.Join(c.errs...); err != nil {
		return Built{}, err
	}
	return b, nil
}

// checker collects the problems of an Organisation.
type checker struct {
	o    Organisation
	m    *channel.Matrix
	errs []error
}

// add records a problem of field.
func (c *checker) add(field, format string, args ...any) {
	c.errs = append(c.errs, carecontact.Invalid(ErrConfig, field, fmt.Sprintf(format, args...)))
}

// part records the error of a part's own validation, keeping its sentinel.
func (c *checker) part(field string, err error) {
	c.errs = append(c.errs, fmt.Errorf("%w: %s: %w", ErrConfig, field, err))
}

// catalogues validates the services and builds one catalogue per area.
func (c *checker) catalogues() []*booking.Catalogue {
	n := len(c.errs)
	first := map[[2]string]int{}
	var areas []carecontact.AreaID
	byArea := map[carecontact.AreaID][]booking.Service{}
	for i, s := range c.o.Services {
		f := fmt.Sprintf("services[%d]", i)
		if err := s.Validate(); err != nil {
			c.part(f, err)
			continue
		}
		key := [2]string{string(s.Area), s.Code}
		if k, dup := first[key]; dup {
			c.add(f+".code", "%q is already a service of area %q (services[%d])", s.Code, s.Area, k)
			continue
		}
		first[key] = i
		if _, seen := byArea[s.Area]; !seen {
			areas = append(areas, s.Area)
		}
		byArea[s.Area] = append(byArea[s.Area], s)
	}
	if len(c.errs) > n {
		return nil
	}
	out := make([]*booking.Catalogue, 0, len(areas))
	for _, a := range areas {
		cat, err := booking.NewCatalogue(a, byArea[a])
		if err != nil {
			c.part("services", err)
			return nil
		}
		out = append(out, cat)
	}
	return out
}

// capacity builds the callback capacity of the rosters, or else of set.
func (c *checker) capacity(set *booking.CalendarSet) (callback.Capacity, *callback.Absences) {
	if len(c.o.Rosters) == 0 {
		if set == nil {
			return nil, nil
		}
		cc := NewCalendarCapacity(set)
		return cc, &cc.Absences
	}
	sc := callback.NewStaticCapacity(c.o.Workdays)
	for i, r := range c.o.Rosters {
		if err := sc.SetTeam(r.Team, r.Shifts...); err != nil {
			c.part(fmt.Sprintf("rosters[%d]", i), err)
		}
	}
	return sc, &sc.Absences
}

// area checks that field names a routing area; empty is left to the part.
func (c *checker) area(d *routing.Directory, field string, a carecontact.AreaID) bool {
	if a == "" {
		return false
	}
	if _, err := d.Area(a); err != nil {
		c.add(field, "%q is not a routing area", a)
		return false
	}
	return true
}

// team returns the routing team field names.
func (c *checker) team(d *routing.Directory, field string, t carecontact.TeamID) (routing.Team, bool) {
	tm, err := d.Team(t)
	if err != nil {
		c.add(field, "%q is not a routing team", t)
		return routing.Team{}, false
	}
	return tm, true
}

// member checks that field names a routing professional of team (when
// known) and returns them.
func (c *checker) member(d *routing.Directory, field string, p carecontact.ProfessionalID, team carecontact.TeamID, teamKnown bool) (routing.Professional, bool) {
	pr, err := d.Professional(p)
	if err != nil {
		c.add(field, "%q is not a routing professional", p)
		return routing.Professional{}, false
	}
	if teamKnown && !slices.Contains(pr.Teams, team) {
		c.add(field, "%q is not a member of team %q in routing", p, team)
	}
	return pr, true
}

func (c *checker) calendars(d *routing.Directory) {
	for i, cal := range c.o.Calendars {
		f := fmt.Sprintf("calendars[%d]", i)
		areaKnown := c.area(d, f+".area", cal.Area)
		teamKnown := false
		if cal.Team != "" {
			var tm routing.Team
			if tm, teamKnown = c.team(d, f+".team", cal.Team); teamKnown && areaKnown && tm.Area != "" && tm.Area != cal.Area {
				c.add(f+".area", "%q is not the area of team %q (%q)", cal.Area, cal.Team, tm.Area)
			}
		}
		switch cal.Kind {
		case booking.OwnerProfessional:
			p, _ := cal.Professional()
			pr, ok := c.member(d, f+".id", p, cal.Team, teamKnown)
			if ok && cal.Role != "" && cal.Role != string(pr.Role) {
				c.add(f+".role", "%q is not the role of %q in routing (%q)", cal.Role, p, pr.Role)
			}
		case booking.OwnerTeam:
			c.team(d, f+".id", carecontact.TeamID(cal.ID))
		}
		if cal.Closures == nil {
			continue
		}
		for k, cl := range cal.Closures.Local {
			cf := fmt.Sprintf("%s.closures.local[%d].area", f, k)
			if c.area(d, cf, cl.Area) && areaKnown && cl.Area != cal.Area {
				c.add(cf, "closes area %q, not the calendar's area %q", cl.Area, cal.Area)
			}
		}
	}
}

func (c *checker) services(d *routing.Directory) {
	for i, s := range c.o.Services {
		c.area(d, fmt.Sprintf("services[%d].area", i), s.Area)
	}
}

func (c *checker) rosters(d *routing.Directory) {
	first := map[carecontact.TeamID]int{}
	for i, r := range c.o.Rosters {
		f := fmt.Sprintf("rosters[%d]", i)
		if k, dup := first[r.Team]; dup {
			c.add(f+".team", "team %q already has a roster (rosters[%d])", r.Team, k)
		} else {
			first[r.Team] = i
		}
		_, teamKnown := c.team(d, f+".team", r.Team)
		for j, s := range r.Shifts {
			if s.Professional != "" {
				c.member(d, fmt.Sprintf("%s.shifts[%d].professional", f, j), s.Professional, r.Team, teamKnown)
			}
		}
	}
}

// suitableSomewhere reports whether some errand of the matrix suits k.
func (c *checker) suitableSomewhere(k channel.Kind) bool {
	for _, e := range c.m.Errands() {
		if ok, _ := c.m.Suitable(e, k); ok {
			return true
		}
	}
	return false
}

func (c *checker) pilots() {
	for i, pl := range c.o.Routing.Pilots {
		if !c.suitableSomewhere(pl.Channel) {
			c.add(fmt.Sprintf("routing.pilots[%d].channel", i), "%s suits no errand in the channel matrix", pl.Channel)
		}
	}
}

func (c *checker) escalations(esc []channel.Escalation) {
	for i, e := range esc {
		if !c.suitableSomewhere(e.To) {
			c.add(fmt.Sprintf("escalations[%d].to", i), "%s suits no errand in the channel matrix", e.To)
		}
	}
}

func (c *checker) guidanceAreas(d *routing.Directory) {
	g := c.o.Guidance
	for i, t := range g.Texts {
		c.area(d, fmt.Sprintf("guidance.texts[%d].area", i), t.Area)
	}
	for i, cfg := range g.Channels {
		c.area(d, fmt.Sprintf("guidance.channels[%d].area", i), cfg.Area)
	}
	for i, cfg := range g.Booking {
		c.area(d, fmt.Sprintf("guidance.booking[%d].area", i), cfg.Area)
	}
}

// groups checks the client groups booking and guidance name.
func (c *checker) groups() {
	if len(c.o.ClientGroups) == 0 {
		return
	}
	check := func(field string, gs []string) {
		for k, g := range gs {
			if !slices.Contains(c.o.ClientGroups, g) {
				c.add(fmt.Sprintf("%s[%d]", field, k), "%q is not one of the client groups %v", g, c.o.ClientGroups)
			}
		}
	}
	for i, s := range c.o.Services {
		check(fmt.Sprintf("services[%d].selfBookGroups", i), s.SelfBookGroups)
	}
	if g := c.o.Guidance; g != nil {
		for i, cfg := range g.Channels {
			for j, of := range cfg.Offers {
				check(fmt.Sprintf("guidance.channels[%d].offers[%d].groups", i, j), of.Groups)
			}
		}
		for i, cfg := range g.Booking {
			for j, s := range cfg.Services {
				check(fmt.Sprintf("guidance.booking[%d].services[%d].groups", i, j), s.Groups)
			}
		}
	}
}

// eBooking checks, area by area, that booking offers what guidance advises
// to e-book: the service, to every client group it is advised to. An area
// without guidance of its own follows the default guidance, as advice does.
func (c *checker) eBooking(cats []*booking.Catalogue) {
	g := c.o.Guidance
	for _, a := range c.o.Routing.Areas {
		ci := configFor(g.Channels, a.ID, func(cfg guidance.ChannelConfig) carecontact.AreaID { return cfg.Area })
		if ci < 0 {
			continue
		}
		oi := slices.IndexFunc(g.Channels[ci].Offers, func(of guidance.Offer) bool { return of.Kind == channel.EBooking })
		bi := configFor(g.Booking, a.ID, func(cfg guidance.BookingConfig) carecontact.AreaID { return cfg.Area })
		if oi < 0 || bi < 0 {
			continue
		}
		offer := g.Channels[ci].Offers[oi]
		var cat *booking.Catalogue
		if k := slices.IndexFunc(cats, func(cat *booking.Catalogue) bool { return cat.Area() == a.ID }); k >= 0 {
			cat = cats[k]
		}
		for j, s := range g.Booking[bi].Services {
			if ok, _ := c.m.Suitable(s.Errand, channel.EBooking); !ok {
				continue // advice never offers it
			}
			f := fmt.Sprintf("guidance.booking[%d].services[%d]", bi, j)
			var svc booking.Service
			found := false
			if cat != nil {
				svc, found = cat.Service(s.ID)
			}
			if !found {
				c.add(f, "e-booking of %q is advised in area %q, but booking has no such service there", s.ID, a.ID)
				continue
			}
			if len(svc.SelfBookGroups) == 0 {
				c.add(f, "e-booking of %q is advised in area %q, but booking lets no client book it", s.ID, a.ID)
				continue
			}
			var missing []string
			for _, grp := range advisedGroups(offer.Groups, s.Groups, c.o.ClientGroups) {
				if !slices.Contains(svc.SelfBookGroups, grp) {
					missing = append(missing, grp)
				}
			}
			if len(missing) > 0 {
				c.add(f, "e-booking of %q is advised in area %q to client groups %v, but booking lets only %v book it", s.ID, a.ID, missing, svc.SelfBookGroups)
			}
		}
	}
}

// configFor returns the index of area's own configuration in cfgs, else of
// the default one (area empty), else -1.
func configFor[T any](cfgs []T, area carecontact.AreaID, areaOf func(T) carecontact.AreaID) int {
	if i := slices.IndexFunc(cfgs, func(cfg T) bool { return areaOf(cfg) == area }); i >= 0 {
		return i
	}
	return slices.IndexFunc(cfgs, func(cfg T) bool { return areaOf(cfg) == "" })
}

// advisedGroups returns the client groups advice offers a service to: those
// both the channel offer and the service are for, where empty means every
// one of all.
func advisedGroups(offer, service, all []string) []string {
	switch {
	case len(offer) == 0 && len(service) == 0:
		return all
	case len(offer) == 0:
		return service
	case len(service) == 0:
		return offer
	}
	return slices.DeleteFunc(slices.Clone(offer), func(g string) bool { return !slices.Contains(service, g) })
}
