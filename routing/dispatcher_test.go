package routing_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/storage/memory"
)

var helsinki = civil.Helsinki()

// monday10 is Monday 23 November 2026, 10:00 in Helsinki: Kallio is open.
var monday10 = time.Date(2026, 11, 23, 10, 0, 0, 0, helsinki)

type rig struct {
	t      *testing.T
	ctx    context.Context
	clk    *clock.Mock
	store  *memory.RoutingStore
	d      *routing.Dispatcher
	events []routing.Event
}

func newRig(t *testing.T, cfg routing.Config, edit func(*routing.DispatcherConfig)) *rig {
	t.Helper()
	dir, err := routing.NewDirectory(cfg)
	require.NoError(t, err)
	r := &rig{t: t, ctx: context.Background(), clk: clock.NewMock(), store: memory.NewRoutingStore(nil)}
	r.clk.Set(monday10)
	opts := routing.DispatcherConfig{Directory: dir, Clock: r.clk, Store: r.store, Sink: func(e routing.Event) { r.events = append(r.events, e) }}
	if edit != nil {
		edit(&opts)
	}
	r.d, err = routing.NewDispatcher(r.ctx, opts)
	require.NoError(t, err)
	return r
}

func (r *rig) presence(p routing.Presence, ids ...carecontact.ProfessionalID) {
	r.t.Helper()
	for _, id := range ids {
		_, err := r.d.SetPresence(r.ctx, id, p)
		require.NoError(r.t, err)
	}
}

func (r *rig) enqueue(id carecontact.ItemID, c routing.Contact) routing.Item {
	r.t.Helper()
	it, err := r.d.Enqueue(r.ctx, id, c)
	require.NoError(r.t, err)
	return it
}

// advance moves the mock clock by dt and lets the dispatcher catch up.
func (r *rig) advance(dt time.Duration) {
	r.t.Helper()
	r.clk.Add(dt)
	require.NoError(r.t, r.d.Advance(r.ctx))
}

// log renders the events since the last call, one line each.
func (r *rig) log() []string {
	var out []string
	for _, e := range r.events {
		s := fmt.Sprintf("%s %s step=%d", e.Kind, e.Item, e.Step)
		if e.Step >= 0 {
			s += " " + e.Target.String()
		}
		if e.Professional != "" {
			s += " " + string(e.Professional)
		}
		if e.Reason != "" {
			s += " (" + e.Reason + ")"
		}
		out = append(out, s)
	}
	r.events = nil
	return out
}

func kallioClient(id string) routing.Contact {
	return routing.Contact{Client: carecontact.ClientRef(id), Errand: channel.ErrandInfectionSymptoms, Channel: channel.Callback,
		PostalCode: "00530", OwnProfessional: "n-aino", OwnTeam: "kallio-a"}
}

var everyone = []carecontact.ProfessionalID{"d-carita", "n-aino", "n-bertil", "n-eero", "n-frida", "n-kaisa", "p-pekka"}

func TestOverflowStepsFireInOrder(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceBusy, everyone...) // signed in, taking nothing
	it := r.enqueue("item-1", kallioClient("c-1"))
	require.Equal(t, routing.ItemQueued, it.State)
	require.Equal(t, 0, it.Step)

	next, ok, err := r.d.NextDeadline(r.ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, monday10.Add(2*time.Minute).UTC(), next)

	r.advance(2 * time.Minute)
	r.advance(5 * time.Minute)
	r.advance(10 * time.Minute)
	r.advance(10 * time.Minute)
	got, ok := r.d.Item("item-1")
	require.True(t, ok)
	require.Equal(t, 4, got.Step)
	require.Equal(t, monday10.UTC(), got.EnqueuedAt, "widening keeps the enqueue time")
	require.Equal(t, monday10.Add(27*time.Minute).UTC(), got.StepAt)
	_, ok, _ = r.d.NextDeadline(r.ctx)
	require.False(t, ok, "the central pool waits without a timeout")

	r.advance(time.Minute)
	r.presence(routing.PresenceAvailable, "n-kaisa")
	require.Equal(t, []string{
		"queued item-1 step=0 own_professional",
		"widened item-1 step=1 own_team",
		"widened item-1 step=2 home_area",
		"widened item-1 step=3 neighbour_areas",
		"widened item-1 step=4 central_pool",
		"offered item-1 step=4 central_pool n-kaisa",
	}, r.log())

	// The store agrees.
	stored, err := r.store.Item(r.ctx, "item-1")
	require.NoError(t, err)
	require.Equal(t, routing.ItemOffered, stored.State)
	require.Equal(t, carecontact.ProfessionalID("n-kaisa"), stored.Professional)
	require.Equal(t, 4, stored.Step)
}

func TestAdvanceFiresEachDeadlineAtItsOwnTime(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceBusy, everyone...)
	r.enqueue("item-1", kallioClient("c-1"))
	r.clk.Add(time.Hour)
	require.NoError(t, r.d.Advance(r.ctx), "one late call fires every step in order")
	var at []time.Duration
	for _, e := range r.events {
		if e.Kind == routing.EventWidened {
			at = append(at, e.At.Sub(monday10))
		}
	}
	require.Equal(t, []time.Duration{2 * time.Minute, 7 * time.Minute, 17 * time.Minute, 27 * time.Minute}, at)
}

func TestStepsWithNobodySignedInAreSkipped(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-kaisa")
	it := r.enqueue("item-1", kallioClient("c-1"))
	require.Equal(t, routing.ItemOffered, it.State)
	require.Equal(t, 4, it.Step)
	require.Equal(t, []string{
		"skipped item-1 step=0 own_professional (nobody signed in)",
		"skipped item-1 step=1 own_team (nobody signed in)",
		"skipped item-1 step=2 home_area (nobody signed in)",
		"skipped item-1 step=3 neighbour_areas (nobody signed in)",
		"queued item-1 step=4 central_pool",
		"offered item-1 step=4 central_pool n-kaisa",
	}, r.log())
}

func TestClosedAreaIsSkipped(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.clk.Set(time.Date(2026, 11, 28, 10, 0, 0, 0, helsinki)) // Saturday: Kallio is closed
	r.presence(routing.PresenceAvailable, everyone...)
	c := kallioClient("c-1")
	c.OwnProfessional = ""
	it := r.enqueue("item-1", c)
	require.Equal(t, 3, it.Step)
	require.Equal(t, []string{
		"skipped item-1 step=0 own_professional (contact has no own professional)",
		"skipped item-1 step=1 own_team (area closed)",
		"skipped item-1 step=2 home_area (area closed)",
		"queued item-1 step=3 neighbour_areas",
		"offered item-1 step=3 neighbour_areas d-carita",
	}, r.log(), "Vallila has no opening hours, so the neighbour step (which includes Kallio) is open; "+
		"all signed in at once, so the tie goes by ID")
}

func TestAreaClosedOnHolidaysAndOpenOnEveHours(t *testing.T) {
	for _, tc := range []struct {
		name string
		at   time.Time
		eve  bool // the area has 08:00-12:00 eve hours
		step int
	}{
		{"Christmas Day (Friday)", time.Date(2026, 12, 25, 10, 0, 0, 0, helsinki), true, 3},
		{"Christmas Eve without eve hours", time.Date(2026, 12, 24, 10, 0, 0, 0, helsinki), false, 3},
		{"Christmas Eve within eve hours", time.Date(2026, 12, 24, 10, 0, 0, 0, helsinki), true, 1},
		{"Christmas Eve after eve hours", time.Date(2026, 12, 24, 13, 0, 0, 0, helsinki), true, 3},
		{"an ordinary Wednesday", time.Date(2026, 12, 23, 10, 0, 0, 0, helsinki), false, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fixtureConfig()
			if tc.eve {
				cfg.Areas[0].EveHours = &civil.Span{From: civil.At(8, 0), To: civil.At(12, 0)}
			}
			r := newRig(t, cfg, nil)
			r.clk.Set(tc.at)
			r.presence(routing.PresenceAvailable, everyone...)
			c := kallioClient("c-1")
			c.OwnProfessional = ""
			it := r.enqueue("item-1", c)
			require.Equal(t, tc.step, it.Step, "%v", r.log())
		})
	}
}

func TestDeclineAndTimeoutReoffer(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "d-carita", "n-aino", "n-bertil")
	c := kallioClient("c-1")
	c.OwnProfessional = ""
	r.enqueue("item-1", c)
	require.NoError(t, r.d.Decline(r.ctx, "item-1", "n-aino"))
	r.advance(30 * time.Second) // n-bertil lets the offer time out
	_, err := r.d.Accept(r.ctx, "item-1", "n-bertil")
	require.ErrorIs(t, err, routing.ErrOfferExpired)
	_, err = r.d.Accept(r.ctx, "item-1", "n-aino")
	require.ErrorIs(t, err, routing.ErrWrongState)
	r.advance(4*time.Minute + 30*time.Second) // the own-team step times out
	it, err := r.d.Accept(r.ctx, "item-1", "d-carita")
	require.NoError(t, err)
	require.Equal(t, routing.ItemAccepted, it.State)
	require.Equal(t, []carecontact.ProfessionalID{"n-aino", "n-bertil"}, it.Excluded)
	require.Equal(t, []string{
		"skipped item-1 step=0 own_professional (contact has no own professional)",
		"queued item-1 step=1 own_team",
		"offered item-1 step=1 own_team n-aino",
		"declined item-1 step=1 own_team n-aino",
		"offered item-1 step=1 own_team n-bertil",
		"timed_out item-1 step=1 own_team n-bertil",
		"widened item-1 step=2 home_area",
		"offered item-1 step=2 home_area d-carita",
		"accepted item-1 step=2 home_area d-carita",
	}, r.log())
	// Professionals who declined are free again.
	for _, id := range []carecontact.ProfessionalID{"n-aino", "n-bertil"} {
		st, ok := r.d.Professional(id)
		require.True(t, ok)
		require.Equal(t, routing.PresenceAvailable, st.Effective())
		require.Zero(t, st.Load.Synchronous)
	}
}

func TestCapacityAndWrapUp(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino")
	chat := kallioClient("")
	chat.Channel = channel.Chat
	for i := range 5 {
		chat.Client = carecontact.ClientRef(fmt.Sprintf("c-%d", i))
		r.enqueue(carecontact.ItemID(fmt.Sprintf("chat-%d", i)), chat)
	}
	st, _ := r.d.Professional("n-aino")
	require.Equal(t, 3, st.Load.Chat, "three chats at once")
	require.Equal(t, routing.Stats{Queued: 2, Offered: 3}, r.d.Stats())
	call := r.enqueue("call-1", kallioClient("c-9"))
	require.Equal(t, routing.ItemOffered, call.State, "the synchronous slot is separate")
	st, _ = r.d.Professional("n-aino")
	require.Equal(t, routing.PresenceBusy, st.Effective())
	require.Equal(t, routing.Stats{Queued: 2, Offered: 4}, r.d.Stats())

	for _, id := range []carecontact.ItemID{"chat-0", "chat-1", "chat-2", "call-1"} {
		_, err := r.d.Accept(r.ctx, id, "n-aino")
		require.NoError(t, err)
	}
	wr, err := r.d.Finish(r.ctx, "chat-0", "n-aino")
	require.NoError(t, err)
	require.Equal(t, routing.ItemWrapUp, wr.State)
	require.Equal(t, r.clk.Now().Add(2*time.Minute).UTC(), wr.Deadline)
	st, _ = r.d.Professional("n-aino")
	require.Equal(t, routing.PresenceWrapUp, st.Effective())
	it, _ := r.d.Item("chat-3")
	require.Equal(t, routing.ItemQueued, it.State, "no offers during wrap-up")

	r.advance(2 * time.Minute) // wrap-up ends by time
	it, _ = r.d.Item("chat-3")
	require.Equal(t, routing.ItemOffered, it.State)
	_, ok := r.d.Item("chat-0")
	require.False(t, ok)
	_, err = r.store.Item(r.ctx, "chat-0")
	require.ErrorIs(t, err, routing.ErrItemNotFound, "completed items leave the store")

	_, err = r.d.Finish(r.ctx, "chat-1", "n-aino")
	require.NoError(t, err)
	require.NoError(t, r.d.Complete(r.ctx, "chat-1", "n-aino"), "ready before the wrap-up time")
	it, _ = r.d.Item("chat-4")
	require.Equal(t, routing.ItemOffered, it.State)
	require.ErrorIs(t, r.d.Complete(r.ctx, "chat-1", "n-aino"), routing.ErrItemNotFound)
	_, err = r.d.Finish(r.ctx, "chat-2", "n-bertil")
	require.ErrorIs(t, err, routing.ErrWrongState)
}

func TestAgeing(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceBusy, "n-aino")
	c := kallioClient("")
	enq := func(id string, p routing.Priority, at time.Duration) {
		r.clk.Set(monday10.Add(at))
		c.Client, c.Priority = carecontact.ClientRef(id), p
		r.enqueue(carecontact.ItemID(id), c)
	}
	enq("routine-early", routing.PriorityRoutine, 0)
	enq("urgent-later", routing.PriorityUrgent, 10*time.Minute)  // 60 min head start: ahead
	enq("high-later", routing.PriorityHigh, 15*time.Minute)      // 20 min head start: ahead of routine-early
	enq("urgent-late", routing.PriorityUrgent, 90*time.Minute)   // ranks at 30 min: behind the rest
	enq("routine-late", routing.PriorityRoutine, 91*time.Minute) // last
	r.presence(routing.PresenceAvailable, "n-aino")
	var order []carecontact.ItemID
	for range 5 {
		var offered carecontact.ItemID
		for _, e := range r.log() {
			if strings.HasPrefix(e, "offered ") {
				offered = carecontact.ItemID(strings.Fields(e)[1])
			}
		}
		require.NotEmpty(t, offered)
		order = append(order, offered)
		_, err := r.d.Accept(r.ctx, offered, "n-aino")
		require.NoError(t, err)
		_, err = r.d.Finish(r.ctx, offered, "n-aino")
		require.NoError(t, err)
		require.NoError(t, r.d.Complete(r.ctx, offered, "n-aino"))
	}
	require.Equal(t, []carecontact.ItemID{"urgent-later", "high-later", "routine-early", "urgent-late", "routine-late"}, order)
}

func TestPilotCohortDispatch(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, everyone...)
	video := routing.Contact{Client: "c-1", Errand: channel.ErrandInfectionSymptoms, Channel: channel.Video, PostalCode: "00550", OwnTeam: "vallila-a"}
	it := r.enqueue("video-1", video)
	require.Equal(t, carecontact.ProfessionalID("n-aino"), it.Professional, "n-eero in Vallila is not in the video pilot")
	require.Equal(t, 3, it.Step)
	video.Errand = channel.ErrandCertificate
	video.PostalCode = "00500" // Kallio's doctor is not in the pilot
	_, err := r.d.Enqueue(r.ctx, "video-2", video)
	require.ErrorIs(t, err, routing.ErrNoRoute)
	var nr *routing.NoRouteError
	require.ErrorAs(t, err, &nr)
	require.Equal(t, routing.ReasonNotInPilot, nr.Reason)
}

func TestEnqueueNoRouteReasons(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	_, err := r.d.Enqueue(r.ctx, "item-1", kallioClient("c-1"))
	var nr *routing.NoRouteError
	require.ErrorAs(t, err, &nr)
	require.Equal(t, routing.ReasonNobodySignedIn, nr.Reason)
	require.Len(t, nr.Skipped, 5)
	_, err = r.store.Item(r.ctx, "item-1")
	require.ErrorIs(t, err, routing.ErrItemNotFound, "nothing is stored for a contact without a route")

	_, err = r.d.Enqueue(r.ctx, "item-2", routing.Contact{Client: "c-2", Errand: channel.ErrandChronicFollowUp, Channel: channel.Chat, PostalCode: "00250"})
	require.ErrorAs(t, err, &nr)
	require.Equal(t, routing.ReasonNoCandidates, nr.Reason)
	require.Equal(t, []string{
		"skipped item-1 step=0 own_professional (nobody signed in)",
		"skipped item-1 step=1 own_team (nobody signed in)",
		"skipped item-1 step=2 home_area (nobody signed in)",
		"skipped item-1 step=3 neighbour_areas (nobody signed in)",
		"skipped item-1 step=4 central_pool (nobody signed in)",
		"no_route item-1 step=-1 (nobody_signed_in)",
		"no_route item-2 step=-1 (no_candidates)",
	}, r.log())

	// Exhausted: the last step has a timeout and nobody takes the item.
	r.presence(routing.PresenceBusy, "n-eero")
	r.enqueue("item-3", routing.Contact{Client: "c-3", Errand: channel.ErrandChronicFollowUp, Channel: channel.Callback, PostalCode: "00500"})
	r.advance(20 * time.Minute)
	require.Equal(t, []string{
		"skipped item-3 step=0 home_area (no professional matches the step's filters and takes work on callback)",
		"queued item-3 step=1 neighbour_areas",
		"no_route item-3 step=1 neighbour_areas (exhausted)",
	}, r.log())
	_, err = r.store.Item(r.ctx, "item-3")
	require.ErrorIs(t, err, routing.ErrItemNotFound)

	_, err = r.d.Enqueue(r.ctx, "", kallioClient("c-1"))
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = r.d.Enqueue(r.ctx, "x", routing.Contact{Client: "c-4", Errand: "other", Channel: channel.Chat, PostalCode: "530"})
	require.ErrorIs(t, err, routing.ErrMalformedPostalCode)
}

func TestRescind(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino")
	r.enqueue("a", kallioClient("c-1"))
	r.enqueue("b", kallioClient("c-2"))
	require.NoError(t, r.d.Rescind(r.ctx, "b", "client_left"))
	require.NoError(t, r.d.Rescind(r.ctx, "a", "settled_elsewhere"))
	st, _ := r.d.Professional("n-aino")
	require.Zero(t, st.Load.Synchronous)
	r.enqueue("c", kallioClient("c-3"))
	_, err := r.d.Accept(r.ctx, "c", "n-aino")
	require.NoError(t, err)
	require.ErrorIs(t, r.d.Rescind(r.ctx, "c", "client_left"), routing.ErrWrongState)
	require.ErrorIs(t, r.d.Rescind(r.ctx, "a", "again"), routing.ErrItemNotFound)
	require.Equal(t, []string{
		"queued a step=0 own_professional",
		"offered a step=0 own_professional n-aino",
		"queued b step=0 own_professional",
		"rescinded b step=0 own_professional (client_left)",
		"rescinded a step=0 own_professional n-aino (settled_elsewhere)",
		"queued c step=0 own_professional",
		"offered c step=0 own_professional n-aino",
		"accepted c step=0 own_professional n-aino",
	}, r.log())
	all, err := r.store.Items(r.ctx)
	require.NoError(t, err)
	require.Len(t, all, 1)
}

func TestDuplicateEnqueue(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino")
	r.enqueue("a", kallioClient("c-1"))
	_, err := r.d.Enqueue(r.ctx, "a", kallioClient("c-1"))
	require.ErrorIs(t, err, routing.ErrDuplicateItem)
}

func TestAuditOption(t *testing.T) {
	r := newRig(t, fixtureConfig(), func(o *routing.DispatcherConfig) { o.Audit = true })
	r.presence(routing.PresenceAvailable, "n-aino")
	r.enqueue("a", kallioClient("c-1"))
	_, err := r.d.Accept(r.ctx, "a", "n-aino")
	require.NoError(t, err)
	evs, err := r.store.AuditLog().Events(r.ctx, audit.Filter{Client: "c-1"})
	require.NoError(t, err)
	var actions []string
	for _, e := range evs {
		actions = append(actions, e.Action+" "+e.Actor.String())
	}
	require.Equal(t, []string{"routing.enqueue system:routing", "routing.offer system:routing", "routing.accept professional:n-aino"}, actions)

	quiet := newRig(t, fixtureConfig(), nil)
	quiet.presence(routing.PresenceAvailable, "n-aino")
	quiet.enqueue("a", kallioClient("c-1"))
	evs, err = quiet.store.AuditLog().Events(quiet.ctx, audit.Filter{})
	require.NoError(t, err)
	require.Empty(t, evs, "no audit writes unless configured")
}

// script runs a fixed scenario and returns its event log.
func script(t *testing.T) []string {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, everyone...)
	for i := range 12 {
		c := kallioClient(fmt.Sprintf("c-%d", i))
		c.PostalCode = []routing.PostalCode{"00530", "00550", "00540", "00250"}[i%4]
		c.Channel = []channel.Kind{channel.Callback, channel.Chat, channel.Video}[i%3]
		c.Priority = routing.Priority(i % 3)
		if i%2 == 0 {
			c.OwnProfessional = ""
		}
		r.clk.Add(17 * time.Second)
		_, err := r.d.Enqueue(r.ctx, carecontact.ItemID(fmt.Sprintf("item-%02d", i)), c)
		require.NoError(t, err)
	}
	for range 40 {
		r.advance(45 * time.Second)
		for _, e := range r.events {
			if e.Kind == routing.EventOffered && e.Item[len(e.Item)-1]%3 == 0 {
				_ = r.d.Decline(r.ctx, e.Item, e.Professional)
			}
		}
	}
	return r.log()
}

func TestDeterministic(t *testing.T) {
	a, b := script(t), script(t)
	require.NotEmpty(t, a)
	require.Equal(t, a, b)
}

func TestRecoverFromStore(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino")
	r.enqueue("a", kallioClient("c-1"))
	r.enqueue("b", kallioClient("c-2"))
	// A restarted host builds a new dispatcher over the same store.
	d2, err := routing.NewDispatcher(r.ctx, routing.DispatcherConfig{Directory: fixture(t), Clock: r.clk, Store: r.store})
	require.NoError(t, err)
	require.Equal(t, routing.Stats{Queued: 1, Offered: 1}, d2.Stats())
	st, ok := d2.Professional("n-aino")
	require.True(t, ok)
	require.Equal(t, routing.PresenceAvailable, st.Presence, "presence comes from the store")
	require.Equal(t, 1, st.Load.Synchronous, "and so does the load")
	_, err = d2.Accept(r.ctx, "a", "n-aino")
	require.NoError(t, err)
	_, err = d2.Finish(r.ctx, "a", "n-aino")
	require.NoError(t, err)
	r.clk.Add(2 * time.Minute)
	require.NoError(t, d2.Advance(r.ctx))
	it, ok := d2.Item("b")
	require.True(t, ok)
	require.Equal(t, routing.ItemOffered, it.State)

	// The old dispatcher's view is stale; the store refuses its change.
	_, err = r.d.Accept(r.ctx, "a", "n-aino")
	require.Error(t, err)
}

func TestDriverDrivesVirtualTime(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceBusy, everyone...)
	r.enqueue("item-1", routing.Contact{Client: "c-1", Errand: channel.ErrandChronicFollowUp, Channel: channel.Callback, PostalCode: "00510"})
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	var waits []time.Time
	const idle = 24 * time.Hour
	drv, err := carecontact.NewDriver(carecontact.DriverConfig{
		Parts: []carecontact.Driven{r.d}, Clock: r.clk, MaxWait: idle,
		Wait: func(ctx context.Context, next time.Time, _ bool, wake []<-chan struct{}) error {
			require.Len(t, wake, 1, "the dispatcher is a Waker")
			if next.Equal(r.clk.Now().Add(idle)) {
				cancel() // nothing scheduled any more
				return ctx.Err()
			}
			waits = append(waits, next)
			r.clk.Set(next)
			return nil
		},
	})
	require.NoError(t, err)
	require.ErrorIs(t, drv.Run(ctx), context.Canceled)
	require.Equal(t, []time.Time{monday10.Add(10 * time.Minute).UTC(), monday10.Add(20 * time.Minute).UTC()}, waits)
	require.Equal(t, []string{
		"queued item-1 step=0 home_area",
		"widened item-1 step=1 neighbour_areas",
		"no_route item-1 step=1 neighbour_areas (exhausted)",
	}, r.log())
}

func TestNewDispatcherValidates(t *testing.T) {
	dir := fixture(t)
	ctx := context.Background()
	_, err := routing.NewDispatcher(ctx, routing.DispatcherConfig{})
	require.ErrorIs(t, err, routing.ErrInvalid)
	_, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Store: memory.NewRoutingStore(nil)})
	require.ErrorContains(t, err, "clock")
	_, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock.NewMock()})
	require.ErrorContains(t, err, "store")
	_, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock.NewMock(), Store: memory.NewRoutingStore(nil), Ageing: routing.Ageing{9: time.Minute}})
	require.ErrorContains(t, err, "ageing")
	_, err = routing.NewDispatcher(ctx, routing.DispatcherConfig{Directory: dir, Clock: clock.NewMock(), Store: memory.NewRoutingStore(nil), OfferTimeout: -1})
	require.ErrorContains(t, err, "offer_timeout")
}

func TestRecoverDropsItemsTheDirectoryNoLongerRoutes(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	c := kallioClient("c-1")
	c.OwnProfessional = ""
	r.presence(routing.PresenceAvailable, "n-aino")
	r.enqueue("a", c) // offered to n-aino in the own-team step
	r.presence(routing.PresenceAvailable, "n-bertil")
	c.Client = "c-2"
	r.enqueue("b", c) // offered to n-bertil
	cfg := fixtureConfig()
	cfg.Professionals = slices.DeleteFunc(cfg.Professionals, func(p routing.Professional) bool { return p.ID == "n-aino" })
	dir, err := routing.NewDirectory(cfg)
	require.NoError(t, err)
	var events []routing.Event
	d2, err := routing.NewDispatcher(r.ctx, routing.DispatcherConfig{Directory: dir, Clock: r.clk, Store: r.store, Sink: func(e routing.Event) { events = append(events, e) }})
	require.NoError(t, err)
	_, ok := d2.Item("a")
	require.False(t, ok)
	require.Len(t, events, 1)
	require.Equal(t, routing.EventNoRoute, events[0].Kind)
	require.Contains(t, events[0].Reason, "n-aino is no longer in the directory")
	st, err := r.store.Professional(r.ctx, "n-aino")
	require.NoError(t, err)
	require.Zero(t, st.Load.Synchronous, "the dropped offer's slot is released")
	it, ok := d2.Item("b")
	require.True(t, ok)
	require.Equal(t, carecontact.ProfessionalID("n-bertil"), it.Professional)
}

func TestDriverWakesForAnEarlierDeadline(t *testing.T) {
	r := newRig(t, fixtureConfig(), func(o *routing.DispatcherConfig) { o.Sink = nil })
	r.presence(routing.PresenceBusy, everyone...)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	seen := make(chan time.Time, 1)
	done := make(chan error, 1)
	const idle = 24 * time.Hour
	drv, err := carecontact.NewDriver(carecontact.DriverConfig{
		Parts: []carecontact.Driven{r.d}, Clock: r.clk, MaxWait: idle,
		Wait: func(ctx context.Context, next time.Time, _ bool, wake []<-chan struct{}) error {
			if !next.Equal(r.clk.Now().Add(idle)) {
				seen <- next
				<-ctx.Done()
				return ctx.Err()
			}
			select {
			case <-wake[0]:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		},
	})
	require.NoError(t, err)
	go func() { done <- drv.Run(ctx) }()
	// Run is waiting with no deadline; an enqueue from another goroutine
	// creates one and wakes it.
	_, err = r.d.Enqueue(r.ctx, "item-1", kallioClient("c-1"))
	require.NoError(t, err)
	select {
	case next := <-seen:
		require.Equal(t, monday10.Add(2*time.Minute).UTC(), next)
	case <-time.After(time.Minute):
		t.Fatal("Run was not woken")
	}
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestSigningOutReturnsPendingOffers(t *testing.T) {
	r := newRig(t, fixtureConfig(), nil)
	r.presence(routing.PresenceAvailable, "n-aino", "n-bertil")
	c := kallioClient("c-1")
	c.OwnProfessional = ""
	c.Channel = channel.Chat
	r.enqueue("chat-1", c)
	c.Client = "c-2"
	r.enqueue("chat-2", c)
	r.clk.Add(10 * time.Second)
	r.presence(routing.PresenceAway, "n-aino")
	require.Equal(t, []string{
		"skipped chat-1 step=0 own_professional (contact has no own professional)",
		"queued chat-1 step=1 own_team",
		"offered chat-1 step=1 own_team n-aino",
		"skipped chat-2 step=0 own_professional (contact has no own professional)",
		"queued chat-2 step=1 own_team",
		"offered chat-2 step=1 own_team n-bertil",
		"declined chat-1 step=1 own_team n-aino (professional is away)",
		"offered chat-1 step=1 own_team n-bertil",
	}, r.log(), "least busy first spreads the chats; aino's pending offer moves to bertil at once")
	st, _ := r.d.Professional("n-aino")
	require.Zero(t, st.Load.Chat)
	_, err := r.d.Accept(r.ctx, "chat-1", "n-aino")
	require.ErrorIs(t, err, routing.ErrWrongState)
}
