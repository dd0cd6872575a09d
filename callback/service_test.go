package callback_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/callback"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/civil"
	"github.com/carecontact/carecontact/storage/memory"
)

var hki = civil.Helsinki()

func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, hki)
}

func shifts(prefix string, n int, from, to civil.TimeOfDay) []callback.Shift {
	out := make([]callback.Shift, n)
	for i := range out {
		out[i] = callback.Shift{Professional: carecontact.ProfessionalID(fmt.Sprintf("%s-%d", prefix, i)), From: from, To: to}
	}
	return out
}

func testRouter() callback.StaticRouter {
	return callback.StaticRouter{
		Areas:      map[string]carecontact.AreaID{"00100": "north", "00200": "south", "00300": "east"},
		Teams:      map[carecontact.AreaID]carecontact.TeamID{"north": "team-north", "south": "team-south", "east": "team-east"},
		Neighbours: map[carecontact.AreaID][]carecontact.AreaID{"north": {"south"}, "south": {"north"}},
		Pool:       "pool",
	}
}

func newPlanner(t testing.TB, cfg callback.Config, capa callback.Capacity) (*callback.Planner, *memory.CallbackStore) {
	store := memory.NewCallbackStore(nil)
	n := 0
	svc, err := callback.New(cfgWith(cfg, store, testRouter(), capa, withIDs(func() string { n++; return fmt.Sprintf("req-%04d", n) })))
	require.NoError(t, err)
	return svc, store
}

func req(client string, urgency callback.Urgency) callback.Request {
	return callback.Request{Client: carecontact.ClientRef(client), Phone: "+358401234567", Errand: channel.ErrandLabResults,
		Urgency: urgency, PostalCode: "00100", Language: "fi"}
}

func TestPromiseJoinAndClose(t *testing.T) {
	ctx := context.Background()
	capa := callback.NewStaticCapacity(nil)
	require.NoError(t, capa.SetTeam("team-north", shifts("n", 1, civil.At(8, 0), civil.At(16, 0))...))
	svc, _ := newPlanner(t, callback.Config{}, capa)
	now := at(2026, 11, 23, 9, 30) // a Monday
	p, err := on(svc, now).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("team-north"), p.Team)
	require.Equal(t, callback.StepOwnTeam, p.Step)
	require.Equal(t, callback.Window{Start: now.UTC(), End: at(2026, 11, 23, 10, 0).UTC()}, p.Window)
	require.False(t, p.NextDay)
	require.Equal(t, at(2026, 11, 23, 16, 0).UTC(), p.Deadline)

	j, err := on(svc, now.Add(time.Minute)).Request(ctx, req("c1", callback.NonUrgent))
	require.NoError(t, err)
	require.True(t, j.Joined)
	require.Equal(t, p.Request, j.Request)
	require.Equal(t, p.Window, j.Window)

	ev, err := on(svc, now).Plan(ctx)
	require.NoError(t, err)
	require.Equal(t, callback.EventDue, ev[0].Kind)
	r, err := on(svc, now).Take(ctx, "team-north", "n-0")
	require.NoError(t, err)
	require.Equal(t, p.Request, r.ID)
	_, err = on(svc, now).Take(ctx, "team-north", "n-1")
	require.ErrorIs(t, err, callback.ErrNothingDue)
	_, evs, err := on(svc, now.Add(8*time.Minute)).Complete(ctx, r.ID, "n-0", callback.Answered)
	require.NoError(t, err)
	require.Equal(t, callback.EventClosed, evs[0].Kind)
	require.Equal(t, callback.OutcomeReached, evs[0].Outcome)
	_, _, err = on(svc, now.Add(9*time.Minute)).Complete(ctx, r.ID, "n-0", callback.Answered)
	require.ErrorIs(t, err, callback.ErrNotInCall)
	_, ok, err := on(svc, now).NextDeadline(ctx)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestRequestValidation(t *testing.T) {
	capa := callback.NewStaticCapacity(nil)
	svc, _ := newPlanner(t, callback.Config{}, capa)
	base := req("c1", callback.NonUrgent)
	for name, mut := range map[string]func(*callback.Request){
		"client":  func(r *callback.Request) { r.Client = "" },
		"phone":   func(r *callback.Request) { r.Phone = "" },
		"errand":  func(r *callback.Request) { r.Errand = "" },
		"urgency": func(r *callback.Request) { r.Urgency = 7 },
		"postal":  func(r *callback.Request) { r.PostalCode = "" },
	} {
		t.Run(name, func(t *testing.T) {
			r := base
			mut(&r)
			_, err := on(svc, at(2026, 11, 23, 9, 0)).Request(context.Background(), r)
			require.ErrorIs(t, err, callback.ErrInvalidRequest)
			require.NotContains(t, err.Error(), "401234567")
		})
	}
	r := base
	r.PostalCode = "99999"
	_, err := on(svc, at(2026, 11, 23, 9, 0)).Request(context.Background(), r)
	require.ErrorIs(t, err, callback.ErrNoRoute)
}

func TestPhoneNeverFormatted(t *testing.T) {
	p := callback.Phone("+358401234567")
	for _, s := range []string{fmt.Sprint(p), fmt.Sprintf("%v %s %q %#v %+v", p, p, p, p, p),
		fmt.Sprintf("%+v", callback.Request{Phone: p}), fmt.Sprintf("%#v", callback.Record{Phone: p})} {
		require.NotContains(t, s, "401234567")
	}
	require.Equal(t, "+358401234567", p.Number())
}

// A zero Config takes the exported defaults its comments name.
func TestConfigDefaults(t *testing.T) {
	svc, _ := newPlanner(t, callback.Config{}, callback.NewStaticCapacity(nil))
	got := svc.Config()
	require.NotNil(t, got.Workdays)
	// Only the fields with a constant default are compared.
	got.Clock, got.Store, got.Router, got.Capacity, got.NewID, got.Workdays = nil, nil, nil, nil, nil, nil
	got.Audit, got.Staff = nil, nil // the test's
	require.Equal(t, callback.Config{CrossTeamRole: callback.DefaultCrossTeamRole,
		FirstWindow: callback.DefaultFirstWindow, DayEnd: callback.DefaultDayEnd,
		WindowLength: callback.DefaultWindowLength, Cutoff: callback.DefaultCutoff,
		SameDayTarget: callback.DefaultSameDayTarget, UrgentWithin: callback.DefaultUrgentWithin,
		OuterWorkdays: callback.DefaultOuterWorkdays, DefaultHandling: callback.DefaultHandlingTime,
		MaxAttempts: callback.DefaultMaxAttempts, RetryGap: callback.DefaultRetryGap,
		ClosingOutcome: callback.DefaultClosingOutcome, LowSlack: callback.DefaultLowSlack,
		Overrun: callback.DefaultOverrun, ReplanEvery: callback.DefaultReplanEvery,
	}, got)
	require.Equal(t, []civil.TimeOfDay{civil.At(8, 0), civil.At(16, 0), civil.At(14, 0)},
		[]civil.TimeOfDay{callback.DefaultFirstWindow, callback.DefaultDayEnd, callback.DefaultCutoff})
}
