package frontdoor_test

import (
	"context"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/frontdoor"
	"github.com/carecontact/carecontact/routing"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// station is a Kallio health station on one memory DB: nurses aino and
// bertil (team kallio-a), nurse cecilia (kallio-b) and doctor dora
// (kallio-doc). Video is piloted by kallio-a and the doctors only.
type station struct {
	door   *frontdoor.Door
	clk    *clock.Mock
	events []frontdoor.Event
}

func newStation(t *testing.T) *station {
	t.Helper()
	pro := func(id string, role routing.Role, team carecontact.TeamID) routing.Professional {
		return routing.Professional{ID: carecontact.ProfessionalID(id), Role: role,
			Languages: []civil.Language{"fi", "sv"}, Teams: []carecontact.TeamID{team},
			Capacity: routing.Capacity{Synchronous: 1, Chat: 2}}
	}
	dir, err := routing.NewDirectory(routing.Config{
		Areas: []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
		Teams: []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"},
			{ID: "kallio-b", NameFi: "Kallio B", Area: "kallio"}, {ID: "kallio-doc", NameFi: "Lääkärit", Area: "kallio"}},
		Professionals: []routing.Professional{pro("aino", routing.RoleNurse, "kallio-a"), pro("bertil", routing.RoleNurse, "kallio-a"),
			pro("cecilia", routing.RoleNurse, "kallio-b"), pro("dora", routing.RoleDoctor, "kallio-doc")},
		Policies: []routing.Policy{routing.StandardPolicy("")},
		Pilots:   []routing.Pilot{{Channel: channel.Video, Teams: []carecontact.TeamID{"kallio-a", "kallio-doc"}}},
	})
	require.NoError(t, err)
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("kallio-a",
		callback.Shift{Professional: "aino", From: civil.At(8, 0), To: civil.At(16, 0)},
		callback.Shift{Professional: "bertil", From: civil.At(8, 0), To: civil.At(16, 0)}))
	st := &station{clk: clock.NewMock()}
	st.clk.Set(at(2026, time.November, 23, 9, 0)) // a Monday
	db := memory.New()
	n := 0
	st.door, err = frontdoor.New(context.Background(), frontdoor.Config{
		Clock: st.clk, Directory: dir, Capacity: capa, Grace: 3 * time.Minute, Identifier: bankID{st.clk},
		Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(),
			Session: db.SessionStore(), Demand: db.DemandStore(), Audit: db.AuditLog()},
		NewID:   func() string { n++; return "k" + string(rune('a'+n)) },
		OnEvent: func(e frontdoor.Event) { st.events = append(st.events, e) },
	})
	require.NoError(t, err)
	return st
}

func (st *station) signIn(t *testing.T, ps ...carecontact.ProfessionalID) {
	t.Helper()
	for _, p := range ps {
		_, err := st.door.SetPresence(context.Background(), p, routing.PresenceAvailable)
		require.NoError(t, err)
	}
}

// chatWith admits a strongly identified chat about infection symptoms
// (an errand video suits) and has p accept it.
func (st *station) chatWith(t *testing.T, client string, p carecontact.ProfessionalID) string {
	t.Helper()
	r := chat(client)
	r.Errand = channel.ErrandInfectionSymptoms
	c, err := st.door.Contact(context.Background(), r)
	require.NoError(t, err)
	require.Equal(t, p, c.Item.Professional)
	_, err = st.door.Accept(context.Background(), p, c.Item.ID)
	require.NoError(t, err)
	return c.ID
}

func (st *station) prof(t *testing.T, p carecontact.ProfessionalID) routing.ProfessionalState {
	t.Helper()
	s, ok := st.door.Parts().Dispatcher.Professional(p)
	require.True(t, ok)
	return s
}

// Regression: a chat escalated to a video call kept only its chat slot in
// routing, so the nurse was offered calls and chats during the video call.
func TestDoorChatSwitchedToVideoHoldsTheNurse(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	id := st.chatWith(t, "client-1", "aino")

	s, err := st.door.Switch(ctx, "aino", id, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	require.Equal(t, channel.Video, s.LastKind())
	require.Equal(t, 1, st.prof(t, "aino").InCall)

	other, err := st.door.Contact(ctx, chat("client-2"))
	require.NoError(t, err)
	require.Equal(t, routing.ItemQueued, other.Item.State, "no chat is offered during the video call")

	_, err = st.door.Close(ctx, "aino", id, session.OutcomeResolved)
	require.NoError(t, err)
	require.Zero(t, st.prof(t, "aino").InCall)
	it, ok := st.door.Parts().Dispatcher.Item(other.Item.ID)
	require.True(t, ok)
	require.Equal(t, routing.ItemOffered, it.State, "free again, the waiting chat is offered")
}

// Regression: escalation to video ignored the video pilot.
func TestDoorSwitchKeepsThePilot(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "cecilia")
	r := chat("client-1")
	r.OwnTeam = "kallio-b"
	c, err := st.door.Contact(ctx, r)
	require.NoError(t, err)
	_, err = st.door.Accept(ctx, "cecilia", c.Item.ID)
	require.NoError(t, err)

	desk, err := st.door.Desk(ctx, "cecilia")
	require.NoError(t, err)
	require.Len(t, desk.Contacts, 1)
	require.NotContains(t, desk.Contacts[0].SwitchTo, channel.Video, "the desk offers no switch outside the pilot")

	_, err = st.door.Switch(ctx, "cecilia", c.ID, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	require.ErrorIs(t, err, frontdoor.ErrNotInPilot)
	require.ErrorIs(t, err, carecontact.ErrNotAllowed)
	require.Zero(t, st.prof(t, "cecilia").InCall, "nothing changed in routing")
}

func TestDoorSwitchRefusedBySessionIsUndoneInRouting(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	id := st.chatWith(t, "client-1", "aino")
	_, err := st.door.Switch(ctx, "aino", id, frontdoor.SwitchRequest{To: channel.Video}) // no consent
	require.ErrorIs(t, err, channel.ErrConsentRequired)
	require.Zero(t, st.prof(t, "aino").InCall, "the switch in routing is undone")
	it := st.door.Parts().Dispatcher.Assigned("aino")
	require.Len(t, it, 1)
	require.Empty(t, it[0].Continued)
}

// Regression: professionals invited into a video call kept receiving
// offers.
func TestDoorInvitedDoctorGetsNoOffersUntilTheCallEnds(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino", "dora")
	id := st.chatWith(t, "client-1", "aino")
	_, err := st.door.Switch(ctx, "aino", id, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)

	s, err := st.door.Invite(ctx, "aino", id, "dora", "doctor")
	require.NoError(t, err)
	require.True(t, s.Present("dora"))
	require.Equal(t, routing.PresenceBusy, st.prof(t, "dora").Effective())
	desk, err := st.door.Desk(ctx, "dora")
	require.NoError(t, err)
	require.Len(t, desk.Contacts, 1)
	require.True(t, desk.Contacts[0].Guest)
	require.Equal(t, []frontdoor.Action{frontdoor.ActionLeave}, desk.Contacts[0].Actions)

	r := chat("client-2")
	r.OwnTeam = "kallio-doc"
	other, err := st.door.Contact(ctx, r)
	require.NoError(t, err)
	require.Equal(t, routing.ItemQueued, other.Item.State, "the doctor in the room is offered nothing")

	_, err = st.door.Close(ctx, "aino", id, session.OutcomeResolved)
	require.NoError(t, err, "closing takes the guests out first")
	require.Zero(t, st.prof(t, "dora").InCall)
	it, _ := st.door.Parts().Dispatcher.Item(other.Item.ID)
	require.Equal(t, carecontact.ProfessionalID("dora"), it.Professional, "out of the room, the doctor takes work again")
}

// Regression: there was no way to list what waits for a professional.
func TestDoorDeskListsOffersContactsAndWaitingWork(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	phone := func(client string) frontdoor.ContactRequest {
		r := callbackOf(client)
		r.Channel, r.Phone = channel.InboundPhone, ""
		return r
	}
	first, err := st.door.Contact(ctx, phone("client-1"))
	require.NoError(t, err)
	_, err = st.door.Accept(ctx, "aino", first.Item.ID)
	require.NoError(t, err)
	offered, err := st.door.Contact(ctx, chat("client-2"))
	require.NoError(t, err)
	waiting, err := st.door.Contact(ctx, phone("client-3"))
	require.NoError(t, err)
	require.Equal(t, routing.ItemQueued, waiting.Item.State, "aino is on the phone")

	desk, err := st.door.Desk(ctx, "aino")
	require.NoError(t, err)
	require.Len(t, desk.Offers, 1)
	require.Equal(t, offered.ID, desk.Offers[0].Contact)
	require.Equal(t, []frontdoor.Action{frontdoor.ActionAccept, frontdoor.ActionDecline}, desk.Offers[0].Actions)
	require.Len(t, desk.Contacts, 1)
	require.Equal(t, first.ID, desk.Contacts[0].Contact)
	require.Equal(t, []frontdoor.Action{frontdoor.ActionClose, frontdoor.ActionTransfer, frontdoor.ActionSwitch},
		desk.Contacts[0].Actions)
	require.Contains(t, desk.Contacts[0].SwitchTo, channel.Video)
	require.Len(t, desk.Waiting, 1)
	require.Equal(t, waiting.ID, desk.Waiting[0].Contact)

	_, err = st.door.Desk(ctx, "nobody")
	require.ErrorIs(t, err, routing.ErrUnknownProfessional)
}

func TestDoorUnansweredCallbackWaitsForItsRetry(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	c, err := st.door.Contact(ctx, callbackOf("client-1"))
	require.NoError(t, err)
	item := dueItem(t, st.door, st.clk, c.ID)
	_, err = st.door.Accept(ctx, "aino", item)
	require.NoError(t, err)

	rec, err := st.door.NoAnswer(ctx, "aino", c.ID)
	require.NoError(t, err)
	require.Equal(t, callback.StatePlanned, rec.State, "a retry is planned")
	s, err := st.door.Session(ctx, "aino", c.ID)
	require.NoError(t, err)
	require.Equal(t, session.StateWaiting, s.State, "the session waits for whoever takes the retry")
	require.Zero(t, st.prof(t, "aino").Load.Synchronous, "the nurse is free")
	require.True(t, hasEvent(st.events, frontdoor.EventCallbackRetry, c.ID))

	_, err = st.door.NoAnswer(ctx, "aino", c.ID)
	require.ErrorIs(t, err, frontdoor.ErrNotHandling, "the attempt is over")
}

// Regression: an accepted contact had no lease; a professional who signed
// out kept its slot.
func TestDoorContactOfASignedOutNurseReturnsAfterTheGrace(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	id := st.chatWith(t, "client-1", "aino")
	st.signIn(t, "bertil")
	_, err := st.door.SetPresence(ctx, "aino", routing.PresenceAway)
	require.NoError(t, err)
	next, ok, err := st.door.NextDeadline(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, st.clk.Now().Add(3*time.Minute).Equal(next), "the grace is the door's")
	st.clk.Set(next)
	require.NoError(t, st.door.Advance(ctx))
	it, ok := st.door.Parts().Dispatcher.Item(carecontact.ItemID(id))
	require.True(t, ok)
	require.Equal(t, carecontact.ProfessionalID("bertil"), it.Professional, "offered to the nurse who is in")
	require.True(t, hasEvent(st.events, frontdoor.EventReclaimed, id))
}

func TestDoorTransferQueuesForTheOtherTeam(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino", "cecilia")
	id := st.chatWith(t, "client-1", "aino")
	s, err := st.door.Transfer(ctx, "aino", id, frontdoor.TransferRequest{Team: "kallio-b", Reason: "needs_team_b"})
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("kallio-b"), s.Team)
	desk, err := st.door.Desk(ctx, "cecilia")
	require.NoError(t, err)
	require.Len(t, desk.Offers, 1)
	require.Equal(t, id, desk.Offers[0].Contact, "the new item names the same contact")
	_, err = st.door.Accept(ctx, "cecilia", desk.Offers[0].Item.ID)
	require.NoError(t, err)
	closed, err := st.door.Close(ctx, "cecilia", id, session.OutcomeResolved)
	require.NoError(t, err)
	require.Equal(t, session.StateClosed, closed.Session.State)

	_, err = st.door.Transfer(ctx, "aino", id, frontdoor.TransferRequest{Team: "nowhere", Reason: "x"})
	require.ErrorIs(t, err, routing.ErrUnknownTeam)
	_, err = st.door.Transfer(ctx, "aino", id, frontdoor.TransferRequest{Team: "kallio-b"})
	require.ErrorIs(t, err, carecontact.ErrInvalid)
}

// Regression: routing gave no estimated wait.
func TestDoorContactTellsThePlaceInTheQueue(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	_, err := st.door.SetPresence(ctx, "aino", routing.PresenceBusy)
	require.NoError(t, err)
	var last frontdoor.Contact
	for _, client := range []string{"client-1", "client-2", "client-3"} {
		last, err = st.door.Contact(ctx, chat(client))
		require.NoError(t, err)
	}
	require.Equal(t, 3, last.Wait.Position)
	require.True(t, last.Wait.Known)
	require.Positive(t, last.Wait.Estimate)
}

func TestDoorEventsFollowAContact(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	id := st.chatWith(t, "client-1", "aino")
	_, err := st.door.Close(ctx, "aino", id, session.OutcomeResolved)
	require.NoError(t, err)
	var kinds []frontdoor.EventKind
	for _, e := range st.events {
		require.Equal(t, id, e.Contact)
		kinds = append(kinds, e.Kind)
	}
	require.Equal(t, []frontdoor.EventKind{frontdoor.EventAdmitted, frontdoor.EventQueued, frontdoor.EventOffered,
		frontdoor.EventAccepted, frontdoor.EventClosed}, kinds)
	require.Equal(t, session.OutcomeResolved, st.events[len(st.events)-1].Outcome)
}

func hasEvent(es []frontdoor.Event, k frontdoor.EventKind, contact string) bool {
	for _, e := range es {
		if e.Kind == k && e.Contact == contact {
			return true
		}
	}
	return false
}

// A due callback that nobody takes is never dropped: a policy that would
// let routing drop it is refused, and the planner reports it at risk.
func TestDoorKeepsDueCallbacksNobodyTakes(t *testing.T) {
	ctx := context.Background()
	t.Run("a dropping policy is refused", func(t *testing.T) {
		pol := routing.StandardPolicy("")
		pol.Steps[len(pol.Steps)-1].Timeout = time.Hour
		dir, err := routing.NewDirectory(routing.Config{
			Areas:         []routing.Area{{ID: "kallio", NameFi: "Kallio", PostalCodes: []routing.PostalCode{"00530"}}},
			Teams:         []routing.Team{{ID: "kallio-a", NameFi: "Kallio A", Area: "kallio"}},
			Professionals: []routing.Professional{{ID: "aino", Role: routing.RoleNurse, Teams: []carecontact.TeamID{"kallio-a"}, Capacity: routing.Capacity{Synchronous: 1}, Languages: []civil.Language{"fi"}}},
			Policies:      []routing.Policy{pol},
		})
		require.NoError(t, err)
		db := memory.New()
		_, err = frontdoor.New(ctx, frontdoor.Config{Clock: clock.NewMock(), Directory: dir, Capacity: callback.NewStaticCapacity(nil),
			Stores: frontdoor.Stores{Routing: db.RoutingStore(), Callback: db.CallbackStore(), Session: db.SessionStore(),
				Demand: db.DemandStore(), Audit: db.AuditLog()}})
		require.ErrorIs(t, err, frontdoor.ErrConfig)
		var fe *carecontact.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, "directory.policies", fe.Field)
	})
	t.Run("reported at risk, still waiting", func(t *testing.T) {
		st := newStation(t)
		c, err := st.door.Contact(ctx, callbackOf("client-1")) // nobody is signed in all day
		require.NoError(t, err)
		for i := 0; i < 200; i++ {
			next, ok, err := st.door.NextDeadline(ctx)
			require.NoError(t, err)
			if !ok || next.After(at(2026, time.November, 23, 17, 0)) {
				break
			}
			st.clk.Set(next)
			require.NoError(t, st.door.Advance(ctx))
		}
		require.True(t, hasEvent(st.events, frontdoor.EventCallbackAtRisk, c.ID), "the team lead hears of it")
		rec, err := st.door.Parts().Callbacks.Get(ctx, audit.System("test"), c.ID)
		require.NoError(t, err)
		require.NotEqual(t, callback.StateClosed, rec.State, "never dropped")
		it, ok := st.door.Parts().Dispatcher.Item(frontdoor.ItemOf(rec))
		require.True(t, ok, "its dispatch still waits in routing")
		require.Equal(t, routing.ItemQueued, it.State)
	})
}

// The identity gate of a switch to video, through the door.
func TestDoorIdentifyOpensTheVideoGate(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	st.signIn(t, "aino")
	r := callbackOf("client-1")
	r.Errand = channel.ErrandInfectionSymptoms
	c, err := st.door.Contact(ctx, r)
	require.NoError(t, err)
	_, err = st.door.Accept(ctx, "aino", dueItem(t, st.door, st.clk, c.ID))
	require.NoError(t, err)

	_, err = st.door.Switch(ctx, "aino", c.ID, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	var ie *channel.IdentityError
	require.ErrorAs(t, err, &ie, "asked in the call is not enough for video")

	lookup := func(context.Context, session.PersonalCode) (carecontact.ClientRef, error) { return "client-2", nil }
	_, err = st.door.VerifyPersonalCode(ctx, "aino", c.ID, "131052-308T", lookup)
	require.ErrorIs(t, err, session.ErrIdentityMismatch)
	require.NotContains(t, err.Error(), "131052", "the code is in no error")

	s, err := st.door.Identify(ctx, "aino", c.ID, channel.IdentityStrong, "bank_id")
	require.NoError(t, err)
	require.Equal(t, channel.IdentityStrong, s.Identity)
	s, err = st.door.Switch(ctx, "aino", c.ID, frontdoor.SwitchRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	require.Equal(t, channel.Video, s.LastKind())
}

func TestDoorPriorityAndRefusal(t *testing.T) {
	ctx := context.Background()
	st := newStation(t)
	_, err := st.door.Contact(ctx, chat("client-1"))
	require.ErrorIs(t, err, routing.ErrNoRoute, "nobody is signed in")
	require.Equal(t, frontdoor.EventRefused, st.events[len(st.events)-1].Kind, "the admitted contact is reported refused")
	require.Equal(t, string(routing.ReasonNobodySignedIn), st.events[len(st.events)-1].Reason)

	st.signIn(t, "aino")
	_, err = st.door.SetPresence(ctx, "aino", routing.PresenceBusy)
	require.NoError(t, err)
	routine, err := st.door.Contact(ctx, chat("client-2"))
	require.NoError(t, err)
	r := chat("client-3")
	r.Priority = routing.PriorityUrgent
	urgent, err := st.door.Contact(ctx, r)
	require.NoError(t, err)
	require.Equal(t, 1, urgent.Wait.Position, "the urgent contact goes first")
	w, err := st.door.Parts().Dispatcher.Wait(routine.Item.ID)
	require.NoError(t, err)
	require.Equal(t, 2, w.Position)
}

// bankID is the test's identification service: every client has just
// completed bank ID, for an hour.
type bankID struct{ clk *clock.Mock }

func (b bankID) Identification(context.Context, carecontact.ClientRef) (session.Identification, error) {
	now := b.clk.Now()
	return session.Identification{Level: channel.IdentityStrong, Method: "bank_id", At: now, Until: now.Add(time.Hour)}, nil
}
