package badinput_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// The actors of the world.
var (
	system   = audit.System("badinput")
	editor   = audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1"}
	reviewer = audit.Actor{Kind: audit.ActorProfessional, ID: "reviewer-1"}
	head     = audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
	aino     = audit.Actor{Kind: audit.ActorProfessional, ID: "n-aino"}
	super    = audit.Actor{Kind: audit.ActorProfessional, ID: "n-aino", Role: "supervisor"}
)

func clientActor(c string) audit.Actor { return audit.Actor{Kind: audit.ActorClient, ID: c} }

// testClock is a clock the cases move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// helsinki is a local Helsinki time.
func helsinki(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, civil.Helsinki())
}

// monday is the world's start: Monday 23 November 2026, 09:00 in Helsinki.
var monday = helsinki(2026, time.November, 23, 9, 0)

// world is a small front door on one memory DB: Kallio and Vallila with a
// team each and a central team, nurses aino (Kallio) and eero (Vallila),
// doctor carita (Kallio) and kaisa (central), callback rosters, a flu
// vaccination both areas let adults e-book, and published guidance.
type world struct {
	clk    *testClock
	db     *memory.DB
	org    frontdoor.Organisation
	built  frontdoor.Built
	door   *frontdoor.Door
	parts  frontdoor.Parts
	booker *booking.Booker
	guide  *guidance.Guide
	chat   *loopback.Transport
}

// guidanceJSON is the world's guidance content.
const guidanceJSON = `{
  "format": "carecontact.guidance", "version": 1, "languages": ["fi", "sv", "en"],
  "texts": [
    {"key": "advice.callback", "text": {"fi": "Jätä soittopyyntö ({opening_hours}).", "sv": "Lämna en begäran ({opening_hours})."}},
    {"key": "advice.chat", "text": {"fi": "Chat on auki {opening_hours}."}},
    {"key": "advice.e_booking", "text": {"fi": "Varaa aika: {service_name}."}},
    {"key": "callback.requested", "text": {"fi": "Soitamme sinulle {callback_window}."}},
    {"key": "duplicate.waiting", "text": {"fi": "Odotat jo: {channel_name}."}},
    {"key": "ebooking.before", "text": {"fi": "{service_name}: tule ajoissa."}},
    {"key": "ebooking.confirmed", "text": {"fi": "{service_name} {appointment_time}."}}
  ],
  "channels": [{"area_name": {"fi": "Terveysasema", "sv": "Hälsostation"},
    "offers": [
      {"kind": "callback", "rank": 1, "identity": "weak", "hours": {"fi": "ma–pe 8–16", "sv": "mån–fre 8–16"}},
      {"kind": "chat", "rank": 2, "identity": "strong", "hours": {"fi": "ma–pe 8–18"}},
      {"kind": "e_booking", "rank": 3, "identity": "strong", "hours": {"fi": "aina"}}
    ]}],
  "booking": [{"services": [{"id": "flu-vaccination", "errand": "vaccination", "name": {"fi": "Influenssarokotus"}}]}]
}`

// organisation is the world's organisation.
func organisation() frontdoor.Organisation {
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	nurse := func(id carecontact.ProfessionalID, team carecontact.TeamID, area carecontact.AreaID) booking.Calendar {
		return booking.Calendar{ID: booking.ProfessionalCalendar(id), Kind: booking.OwnerProfessional, Area: area, Team: team, Role: "nurse",
			Rules: []booking.WeeklyRule{
				{Weekdays: weekdays, Span: civil.Span{From: civil.At(8, 0), To: civil.At(10, 0)}, Block: booking.BlockCallback},
				{Weekdays: weekdays, Span: civil.Span{From: civil.At(10, 0), To: civil.At(15, 0)}, Block: booking.BlockSelfService},
			}}
	}
	flu := func(area carecontact.AreaID) booking.Service {
		return booking.Service{Code: "flu-vaccination", Area: area, Names: civil.Names{FI: "Influenssarokotus"}, Duration: 10 * time.Minute,
			Channel: channel.InPerson, Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}},
			SelfBookGroups: []string{"adult"}, PreQuestions: []booking.Question{{ID: "allergies", Text: civil.Names{FI: "Allergiat?"}}}}
	}
	pro := func(id carecontact.ProfessionalID, role routing.Role, team carecontact.TeamID) routing.Professional {
		return routing.Professional{ID: id, Role: role, Languages: []civil.Language{"fi", "sv"}, Teams: []carecontact.TeamID{team},
			Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	return frontdoor.Organisation{
		Routing: routing.Config{
			Areas: []routing.Area{
				{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}, Neighbours: []carecontact.AreaID{"vallila"}},
				{ID: "vallila", NameFi: "Vallila", PostalCodes: []routing.PostalCode{"00550"}, Neighbours: []carecontact.AreaID{"kallio"}},
			},
			Teams: []routing.Team{
				{ID: "kallio-a", NameFi: "Kallion tiimi", Area: "kallio"},
				{ID: "vallila-a", NameFi: "Vallilan tiimi", Area: "vallila"},
				{ID: "keskitetty", NameFi: "Keskitetty", Central: true},
			},
			Professionals: []routing.Professional{
				pro("n-aino", routing.RoleNurse, "kallio-a"),
				pro("d-carita", routing.RoleDoctor, "kallio-a"),
				pro("n-eero", routing.RoleNurse, "vallila-a"),
				pro("n-kaisa", routing.RoleNurse, "keskitetty"),
			},
			Policies: []routing.Policy{routing.StandardPolicy("")},
			Pilots:   []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a"}}},
		},
		ClientGroups: []string{"adult"},
		Calendars:    []booking.Calendar{nurse("n-aino", "kallio-a", "kallio"), nurse("n-eero", "vallila-a", "vallila")},
		Services:     []booking.Service{flu("kallio"), flu("vallila")},
		Rosters: []frontdoor.Roster{
			{Team: "kallio-a", Shifts: []callback.Shift{{Professional: "n-aino", From: civil.At(8, 0), To: civil.At(16, 0)}}},
			{Team: "vallila-a", Shifts: []callback.Shift{{Professional: "n-eero", From: civil.At(8, 0), To: civil.At(16, 0)}}},
		},
	}
}

// newWorld builds a fresh world at monday. Everybody is signed in as busy,
// so contacts queue until a case signs someone in.
func newWorld(ctx context.Context) (*world, error) {
	w := &world{clk: &testClock{now: monday}, db: memory.New(), org: organisation(), chat: loopback.New()}
	var err error
	if w.built, err = w.org.Build(); err != nil {
		return nil, fmt.Errorf("organisation: %w", err)
	}
	w.guide, err = guidance.New(guidance.Config{Store: w.db.GuidanceStore(), Audit: w.db.AuditLog(), Clock: w.clk,
		Roles: guidance.Grants{"editor-1": {{Role: guidance.RoleEditor}}, "reviewer-1": {{Role: guidance.RoleReviewer}},
			"head-1": {{Role: guidance.RoleManager}}}})
	if err != nil {
		return nil, fmt.Errorf("guide: %w", err)
	}
	content, err := guidance.Decode("world.json", strings.NewReader(guidanceJSON), nil)
	if err != nil {
		return nil, fmt.Errorf("guidance content: %w", err)
	}
	refs, err := w.guide.Import(ctx, editor, content)
	if err != nil {
		return nil, fmt.Errorf("guidance import: %w", err)
	}
	for _, ref := range refs {
		if err := w.publish(ctx, ref); err != nil {
			return nil, err
		}
	}
	ix, err := booking.NewIndex(w.built.Calendars, civil.DateOf(monday, civil.Helsinki()), 28)
	if err != nil {
		return nil, fmt.Errorf("index: %w", err)
	}
	apt := 0
	w.booker, err = booking.New(booking.Config{Index: ix, Catalogues: w.built.Catalogues, Store: w.db.BookingStore(),
		Audit: w.db.AuditLog(), Clock: w.clk, NewID: func(prefix string) string { apt++; return fmt.Sprintf("%s-%05d", prefix, apt) }})
	if err != nil {
		return nil, fmt.Errorf("booker: %w", err)
	}
	n := 0
	w.door, err = frontdoor.New(ctx, frontdoor.Config{
		Clock: w.clk, Organisation: &w.org,
		Stores: frontdoor.Stores{Routing: w.db.RoutingStore(), Callback: w.db.CallbackStore(),
			Session: w.db.SessionStore(), Demand: w.db.DemandStore(), Audit: w.db.AuditLog()},
		Transports: channel.Transports{Chat: w.chat},
		Guide:      w.guide, Booker: w.booker,
		NewID: func() string { n++; return fmt.Sprintf("k%04d", n) },
	})
	if err != nil {
		return nil, fmt.Errorf("door: %w", err)
	}
	w.parts = w.door.Parts()
	for _, p := range w.org.Routing.Professionals {
		if _, err := w.door.SetPresence(ctx, p.ID, routing.PresenceBusy); err != nil {
			return nil, fmt.Errorf("presence: %w", err)
		}
	}
	return w, nil
}

// publish takes a drafted guidance version through review to publication.
func (w *world) publish(ctx context.Context, ref guidance.Ref) error {
	for _, step := range []func() error{
		func() error { return w.guide.Submit(ctx, editor, ref, "") },
		func() error { return w.guide.Review(ctx, reviewer, ref, "ok") },
		func() error { return w.guide.Approve(ctx, head, ref, "") },
		func() error { return w.guide.Publish(ctx, head, ref, "") },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("publish %s: %w", ref, err)
		}
	}
	return nil
}

// chatRequest is a Kallio client's chat contact.
func chatRequest(client string) frontdoor.ContactRequest {
	return frontdoor.ContactRequest{Client: carecontact.ClientRef(client), Errand: channel.ErrandLabResults,
		Channel: channel.Chat, PostalCode: "00530", Identity: channel.IdentityStrong, IdentityMethod: "bank_id"}
}

// callbackRequest is a Kallio client's callback contact.
func callbackRequest(client string) frontdoor.ContactRequest {
	return frontdoor.ContactRequest{Client: carecontact.ClientRef(client), Errand: channel.ErrandLabResults,
		Channel: channel.Callback, PostalCode: "00530", Phone: "+358401234567"}
}

// queued admits a chat contact that waits in the queue.
func (w *world) queued(ctx context.Context, client string) (frontdoor.Contact, error) {
	c, err := w.door.Contact(ctx, chatRequest(client))
	return c, setup(err)
}

// inHand admits a chat contact of client c-1 and has n-aino accept it;
// it returns the contact's ID (the session's).
func (w *world) inHand(ctx context.Context) (string, error) {
	c, err := w.queued(ctx, "c-1")
	if err != nil {
		return "", err
	}
	if _, err := w.door.SetPresence(ctx, "n-aino", routing.PresenceAvailable); err != nil {
		return "", setup(err)
	}
	if _, err := w.door.Accept(ctx, "n-aino", carecontact.ItemID(c.ID)); err != nil {
		return "", setup(err)
	}
	return c.ID, nil
}

// slot finds the first free flu vaccination slot in Kallio.
func (w *world) slot(ctx context.Context) (booking.Slot, error) {
	slots, err := w.booker.Search(ctx, booking.SearchRequest{Area: "kallio", Service: "flu-vaccination",
		From: w.clk.Now(), Limit: 1, By: proRequester})
	if err != nil {
		return booking.Slot{}, setup(err)
	}
	if len(slots) == 0 {
		return booking.Slot{}, setup(errors.New("no slot"))
	}
	return slots[0], nil
}

// booked books the first free slot for client c-1.
func (w *world) booked(ctx context.Context) (booking.Appointment, error) {
	s, err := w.slot(ctx)
	if err != nil {
		return booking.Appointment{}, err
	}
	a, err := w.booker.Book(ctx, booking.BookRequest{Slot: s, Client: "c-1", By: proRequester})
	return a, setup(err)
}

// proRequester is nurse aino booking for a client.
var proRequester = booking.Requester{Actor: aino}

// auditClean reports a check error unless there is an audit event of
// action and no detail of any such event repeats personal data.
func (w *world) auditClean(ctx context.Context, action string) error {
	evs, err := w.db.AuditLog().Events(ctx, audit.Filter{Action: action})
	if err != nil {
		return setup(err)
	}
	if len(evs) == 0 {
		return checkf("no %s audit event", action)
	}
	for _, e := range evs {
		for k, v := range e.Detail {
			for _, s := range secrets {
				if strings.Contains(v, s) {
					return checkf("%s detail %s repeats %q: %q", action, k, s, v)
				}
			}
		}
	}
	return nil
}
