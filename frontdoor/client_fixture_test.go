package frontdoor_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/booking"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/guidance"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

// clientGuidance is the Kallio station's published guidance: callback is
// preferred over chat; the booking texts of bp-check are in Finnish only,
// and the callback advice has no English.
const clientGuidance = `{
  "format": "carecontact.guidance", "version": 1, "languages": ["fi", "sv", "en"],
  "texts": [
    {"key": "advice.chat", "text": {"fi": "Chat on auki {opening_hours}.", "sv": "Chatten är öppen {opening_hours}.", "en": "Chat is open {opening_hours}."}},
    {"key": "advice.callback", "text": {"fi": "Jätä soittopyyntö ({opening_hours}).", "sv": "Lämna en begäran om återuppringning ({opening_hours})."}},
    {"key": "advice.e_booking", "text": {"fi": "Varaa aika: {service_name}.", "sv": "Boka tid: {service_name}.", "en": "Book: {service_name}."}},
    {"key": "callback.requested", "text": {"fi": "Soitamme sinulle {callback_window}.", "sv": "Vi ringer dig {callback_window}.", "en": "We will call you {callback_window}."}},
    {"key": "duplicate.waiting", "text": {"fi": "Odotat jo: {channel_name}.", "sv": "Du väntar redan: {channel_name}."}},
    {"key": "ebooking.before", "area": "kallio", "service": "bp-check", "text": {"fi": "{service_name}: ota kotimittaukset mukaan."}},
    {"key": "ebooking.confirmed", "text": {"fi": "{service_name} {appointment_time}.", "sv": "{service_name} {appointment_time}."}}
  ],
  "channels": [{"area": "kallio", "area_name": {"fi": "Kallion terveysasema", "sv": "Berghälls hälsostation"},
    "offers": [
      {"kind": "callback", "rank": 1, "identity": "weak", "hours": {"fi": "ma–pe 8–16", "sv": "mån–fre 8–16"}},
      {"kind": "chat", "rank": 2, "identity": "strong", "hours": {"fi": "ma–pe 8–18", "sv": "mån–fre 8–18"}},
      {"kind": "e_booking", "rank": 3, "identity": "strong", "hours": {"fi": "aina", "sv": "alltid"}}
    ]}],
  "booking": [{"area": "kallio", "services": [{"id": "bp-check", "errand": "chronic_follow_up",
    "name": {"fi": "Verenpaineen seuranta", "sv": "Blodtryckskontroll"}}]}]
}`

var (
	editor   = audit.Actor{Kind: audit.ActorProfessional, ID: "editor-1"}
	reviewer = audit.Actor{Kind: audit.ActorProfessional, ID: "reviewer-1"}
	head     = audit.Actor{Kind: audit.ActorProfessional, ID: "head-1"}
)

// clientStation is the Kallio station with guidance, e-booking and a
// loopback chat transport on one memory DB.
type clientStation struct {
	door   *frontdoor.Door
	clk    *clock.Mock
	db     *memory.DB
	guide  *guidance.Guide
	chat   *loopback.Transport
	events []frontdoor.Event
}

func newClientStation(t *testing.T, dup demand.Policy) *clientStation {
	t.Helper()
	ctx := context.Background()
	dir, capa := kallioNurses(t)
	st := &clientStation{clk: clock.NewMock(), db: memory.New(), chat: loopback.New()}
	st.clk.Set(at(2026, time.November, 23, 9, 0)) // a Monday

	var err error
	st.guide, err = guidance.New(guidance.Config{Store: st.db.GuidanceStore(), Audit: st.db.AuditLog(), Clock: st.clk,
		Roles: guidance.Grants{"editor-1": {{Role: guidance.RoleEditor}}, "reviewer-1": {{Role: guidance.RoleReviewer}},
			"head-1": {{Role: guidance.RoleManager}}}})
	require.NoError(t, err)
	content, err := guidance.Decode("kallio.json", strings.NewReader(clientGuidance), nil)
	require.NoError(t, err)
	refs, err := st.guide.Import(ctx, editor, content)
	require.NoError(t, err)
	for _, ref := range refs {
		st.approve(t, ref)
	}

	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	set, err := booking.NewCalendarSet([]booking.Calendar{{ID: booking.ProfessionalCalendar("aino"),
		Kind: booking.OwnerProfessional, Area: "kallio", Team: "kallio-a", Role: "nurse",
		Rules: []booking.WeeklyRule{{Weekdays: weekdays, Span: civil.Span{From: civil.At(12, 0), To: civil.At(14, 0)},
			Block: booking.BlockSelfService}}}})
	require.NoError(t, err)
	ix, err := booking.NewIndex(set, civil.Date{Year: 2026, Month: time.November, Day: 23}, 14)
	require.NoError(t, err)
	cat, err := booking.NewCatalogue("kallio", []booking.Service{{Code: "bp-check", Area: "kallio",
		Names:    civil.Names{FI: "Verenpaineen seuranta", SV: "Blodtryckskontroll", EN: "Blood pressure check"},
		Duration: 20 * time.Minute, Channel: channel.InPerson, Step: 30 * time.Minute,
		Requires: []booking.Requirement{{Kind: booking.OwnerProfessional, Role: "nurse"}}, SelfBookGroups: []string{"adult"}}})
	require.NoError(t, err)
	apt := 0
	booker, err := booking.New(booking.Config{Index: ix, Catalogues: []*booking.Catalogue{cat}, Store: st.db.BookingStore(),
		Audit: st.db.AuditLog(), Clock: st.clk, NewID: func(prefix string) string { apt++; return prefix + string(rune('a'+apt)) }})
	require.NoError(t, err)

	n := 0
	st.door, err = frontdoor.New(ctx, frontdoor.Config{
		Clock: st.clk, Directory: dir, Capacity: capa, Duplicates: dup,
		Stores: frontdoor.Stores{Routing: st.db.RoutingStore(), Callback: st.db.CallbackStore(),
			Session: st.db.SessionStore(), Demand: st.db.DemandStore(), Audit: st.db.AuditLog()},
		Transports: channel.Transports{Chat: st.chat},
		Guide:      st.guide, Booker: booker,
		NewID:   func() string { n++; return "k" + string(rune('a'+n)) },
		OnEvent: func(e frontdoor.Event) { st.events = append(st.events, e) },
	})
	require.NoError(t, err)
	// Bertil is signed in but takes nothing, so contacts queue.
	_, err = st.door.SetPresence(ctx, "bertil", routing.PresenceBusy)
	require.NoError(t, err)
	return st
}

// approve takes a drafted version through review to publication.
func (st *clientStation) approve(t *testing.T, ref guidance.Ref) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, st.guide.Submit(ctx, editor, ref, ""))
	require.NoError(t, st.guide.Review(ctx, reviewer, ref, "ok"))
	require.NoError(t, st.guide.Approve(ctx, head, ref, ""))
	require.NoError(t, st.guide.Publish(ctx, head, ref, ""))
}

// publish drafts e and publishes it.
func (st *clientStation) publish(t *testing.T, e guidance.Entry) {
	t.Helper()
	ref, err := st.guide.Draft(context.Background(), editor, e, "")
	require.NoError(t, err)
	st.approve(t, ref)
}

func (st *clientStation) signIn(t *testing.T, ps ...carecontact.ProfessionalID) {
	t.Helper()
	for _, p := range ps {
		_, err := st.door.SetPresence(context.Background(), p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
}

// kinds lists the kinds of the events recorded for contact id.
func (st *clientStation) kinds(id string) []frontdoor.EventKind {
	var out []frontdoor.EventKind
	for _, e := range st.events {
		if e.Contact == id {
			out = append(out, e.Kind)
		}
	}
	return out
}

func clientActor(client string) audit.Actor { return audit.Actor{Kind: audit.ActorClient, ID: client} }
