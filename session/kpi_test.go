package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

func leg(k channel.Kind, by string, start, minutes int) session.Leg {
	s := t0.Add(time.Duration(start) * time.Minute)
	return session.Leg{Kind: k, By: carecontact.ProfessionalID(by), StartedAt: s, EndedAt: s.Add(time.Duration(minutes) * time.Minute)}
}

func TestCompute(t *testing.T) {
	closed := func(s session.Session, o session.Outcome) session.Session {
		s.State, s.Outcome, s.ClosedAt = session.StateClosed, o, t0.Add(time.Hour)
		return s
	}
	sessions := []session.Session{
		closed(session.Session{ID: "a", Team: "t1", OwnTeam: "t1", OwnProfessional: "n1",
			Legs: []session.Leg{leg(channel.Callback, "n1", 0, 4), leg(channel.Video, "n1", 4, 10)}}, session.OutcomeResolved),
		closed(session.Session{ID: "b", Team: "t2", OwnTeam: "t1", OwnProfessional: "n1",
			Legs:      []session.Leg{leg(channel.Chat, "n2", 0, 20), leg(channel.Callback, "n3", 30, 6)},
			Transfers: []session.Transfer{{From: "t1", To: "t2"}}}, session.OutcomeBooked),
		closed(session.Session{ID: "c", Team: "t1", OwnTeam: "t1",
			Legs: []session.Leg{leg(channel.Chat, "n2", 0, 10)}}, session.OutcomeResolved),
		closed(session.Session{ID: "d", Team: "t1", Duplicate: true}, session.OutcomeDuplicateMerged),
		closed(session.Session{ID: "e", Team: "t1", Legs: []session.Leg{leg(channel.Callback, "n1", 0, 1)}}, session.OutcomeNoAnswer),
		{ID: "open", State: session.StateActive, Legs: []session.Leg{leg(channel.Video, "n1", 0, 99)}},
	}
	k := session.Compute(sessions)
	require.Equal(t, 5, k.Closed)
	require.Equal(t, 3, k.Handled, "the unanswered callback reached nobody")
	require.Equal(t, 2, k.FirstContactResolved)
	require.InDelta(t, 2.0/3, k.FirstContactResolution, 1e-9)
	require.Equal(t, 2, k.WithOwnProfessional)
	require.Equal(t, 1, k.OwnProfessional)
	require.Equal(t, 0.5, k.ProfessionalContinuity)
	require.Equal(t, 3, k.WithOwnTeam)
	require.Equal(t, 2, k.OwnTeam)
	require.InDelta(t, 2.0/3, k.TeamContinuity, 1e-9)
	require.Equal(t, 2, k.ChannelSwitches)
	require.InDelta(t, 2.0/3, k.SwitchesPerSession, 1e-9)
	require.Equal(t, map[string]int{"callback->video": 1, "chat->callback": 1}, k.Switches)
	require.Equal(t, 1, k.Duplicates)
	require.Equal(t, 0.2, k.DuplicateRate)
	require.Equal(t, session.ChannelTime{Legs: 3, Total: 11 * time.Minute, Mean: 11 * time.Minute / 3}, k.HandlingTime[channel.Callback])
	require.Equal(t, session.ChannelTime{Legs: 2, Total: 30 * time.Minute, Mean: 15 * time.Minute}, k.HandlingTime[channel.Chat])
	require.Equal(t, session.ChannelTime{Legs: 1, Total: 10 * time.Minute, Mean: 10 * time.Minute}, k.HandlingTime[channel.Video])
	require.Equal(t, map[session.Outcome]int{session.OutcomeResolved: 2, session.OutcomeBooked: 1,
		session.OutcomeDuplicateMerged: 1, session.OutcomeNoAnswer: 1}, k.Outcomes)

	empty := session.Compute(nil)
	require.Zero(t, empty.FirstContactResolution)
	require.Zero(t, empty.DuplicateRate)
}

func TestReport(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityWeak, channel.Callback, "")
	f.tick(7 * time.Minute)
	_, err := f.m.FinishContact(ctx, nurse1, s.ID)
	require.NoError(t, err)
	_, err = f.m.Close(ctx, nurse1, s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityWeak, channel.Callback, "") // still open
	k, err := f.m.Report(ctx, supervisor, t0, t0.Add(24*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, k.Closed)
	require.Equal(t, 1.0, k.FirstContactResolution)
	require.Equal(t, 7*time.Minute, k.HandlingTime[channel.Callback].Total)
	_, err = f.m.Report(ctx, router, time.Time{}, time.Time{})
	require.NoError(t, err)
	evs := f.events(t, audit.Filter{Action: "session.report"})
	require.Len(t, evs, 2)
	require.Equal(t, "1", evs[0].Detail["sessions"])
}
