package session_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/demand"
	"github.com/carecontact/carecontact/session"
)

func TestStateMachineTable(t *testing.T) {
	legal := map[[2]session.State]bool{
		{session.StateWaiting, session.StateAssigned}: true,
		{session.StateWaiting, session.StateClosed}:   true,
		{session.StateAssigned, session.StateActive}:  true,
		{session.StateAssigned, session.StateWaiting}: true,
		{session.StateAssigned, session.StateClosed}:  true,
		{session.StateActive, session.StateActive}:    true,
		{session.StateActive, session.StateAssigned}:  true,
		{session.StateActive, session.StateWaiting}:   true,
		{session.StateActive, session.StateWrapUp}:    true,
		{session.StateWrapUp, session.StateClosed}:    true,
	}
	for _, from := range session.States() {
		for _, to := range session.States() {
			require.Equal(t, legal[[2]session.State{from, to}], session.CanTransition(from, to), "%s -> %s", from, to)
		}
	}
}

// TestEveryTransition walks each legal transition through the Manager and
// checks its audit event.
func TestEveryTransition(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.open(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong)
	require.Equal(t, session.StateWaiting, s.State)
	require.Equal(t, int64(1), s.Version)

	s, err := f.m.Assign(ctx, router, s.ID, "nurse-1") // waiting -> assigned
	require.NoError(t, err)
	s, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, "") // assigned -> active
	require.NoError(t, err)
	require.Equal(t, "call-1", s.Legs[0].Ref)
	s, err = f.m.EndLeg(ctx, nurse1, s.ID, "no_answer") // active -> assigned
	require.NoError(t, err)
	s, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, "")
	require.NoError(t, err)
	s, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true}) // active -> active
	require.NoError(t, err)
	s, err = f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b", Reason: "needs_physio"}) // active -> waiting
	require.NoError(t, err)
	s, err = f.m.Assign(ctx, physio1, s.ID, "physio-1")
	require.NoError(t, err)
	s, err = f.m.Transfer(ctx, physio1, s.ID, session.TransferRequest{Team: "team-a", Reason: "back"}) // assigned -> waiting
	require.NoError(t, err)
	s, err = f.m.Assign(ctx, nurse2, s.ID, "nurse-2")
	require.NoError(t, err)
	s, err = f.m.StartLeg(ctx, nurse2, s.ID, channel.Callback, "")
	require.NoError(t, err)
	s, err = f.m.FinishContact(ctx, nurse2, s.ID) // active -> wrap_up
	require.NoError(t, err)
	res, err := f.m.Close(ctx, nurse2, s.ID, session.OutcomeResolved) // wrap_up -> closed
	require.NoError(t, err)
	require.Equal(t, session.StateClosed, res.Session.State)

	// waiting -> closed and assigned -> closed
	w := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	_, err = f.m.Close(ctx, router, w.ID, session.OutcomeDuplicateMerged)
	require.NoError(t, err)
	a := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	_, err = f.m.Assign(ctx, router, a.ID, "nurse-1")
	require.NoError(t, err)
	_, err = f.m.Close(ctx, nurse1, a.ID, session.OutcomeNoAnswer)
	require.NoError(t, err)

	require.Equal(t, []string{
		"routing session.open allowed",
		"routing session.assign allowed waiting->assigned",
		"nurse-1 session.leg_start allowed assigned->active",
		"nurse-1 session.leg_end allowed active->assigned",
		"nurse-1 session.leg_start allowed assigned->active",
		"nurse-1 session.escalate allowed",
		"nurse-1 session.transfer allowed active->waiting",
		"physio-1 session.assign allowed waiting->assigned",
		"physio-1 session.transfer allowed assigned->waiting",
		"nurse-2 session.assign allowed waiting->assigned",
		"nurse-2 session.leg_start allowed assigned->active",
		"nurse-2 session.wrap_up allowed active->wrap_up",
		"nurse-2 session.close allowed wrap_up->closed",
	}, f.trail(t, s.ID))
	require.Equal(t, []string{"routing session.open allowed", "routing session.close allowed waiting->closed"}, f.trail(t, w.ID))
	require.Equal(t, []string{"routing session.open allowed", "routing session.assign allowed waiting->assigned",
		"nurse-1 session.close allowed assigned->closed"}, f.trail(t, a.ID))
	for _, e := range f.events(t, audit.Filter{}) {
		require.NoError(t, e.Validate())
		require.True(t, e.At.Equal(t0), "every event carries the injected clock's time")
	}
}

func TestIllegalTransitions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	waiting := f.open(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong)
	assigned := f.open(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong)
	_, err := f.m.Assign(ctx, router, assigned.ID, "nurse-1")
	require.NoError(t, err)
	active := f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong, channel.Callback, "")
	wrap := f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong, channel.Callback, "")
	_, err = f.m.FinishContact(ctx, nurse1, wrap.ID)
	require.NoError(t, err)
	closed := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	_, err = f.m.Close(ctx, router, closed.ID, session.OutcomeNoAnswer)
	require.NoError(t, err)

	tests := []struct {
		name string
		op   func() error
	}{
		{"assign twice", func() error { _, err := f.m.Assign(ctx, router, assigned.ID, "nurse-2"); return err }},
		{"start leg while waiting", func() error { _, err := f.m.StartLeg(ctx, router, waiting.ID, channel.Callback, ""); return err }},
		{"start leg while active", func() error { _, err := f.m.StartLeg(ctx, nurse1, active.ID, channel.Callback, ""); return err }},
		{"escalate while assigned", func() error {
			_, err := f.m.Escalate(ctx, nurse1, assigned.ID, session.EscalateRequest{To: channel.Video, Consent: true})
			return err
		}},
		{"end leg while assigned", func() error { _, err := f.m.EndLeg(ctx, nurse1, assigned.ID, "x"); return err }},
		{"finish while assigned", func() error { _, err := f.m.FinishContact(ctx, nurse1, assigned.ID); return err }},
		{"transfer while waiting", func() error {
			_, err := f.m.Transfer(ctx, router, waiting.ID, session.TransferRequest{Team: "team-b"})
			return err
		}},
		{"transfer in wrap-up", func() error {
			_, err := f.m.Transfer(ctx, nurse1, wrap.ID, session.TransferRequest{Team: "team-b"})
			return err
		}},
		{"resolve without contact", func() error { _, err := f.m.Close(ctx, router, waiting.ID, session.OutcomeResolved); return err }},
		{"close while active", func() error { _, err := f.m.Close(ctx, nurse1, active.ID, session.OutcomeResolved); return err }},
		{"invite into a callback", func() error { _, err := f.m.Invite(ctx, nurse1, active.ID, "doctor-1", "gp"); return err }},
		{"close twice", func() error { _, err := f.m.Close(ctx, router, closed.ID, session.OutcomeNoAnswer); return err }},
		{"note on closed", func() error { _, err := f.m.AddNote(ctx, supervisor, closed.ID, "late"); return err }},
		{"checklist on closed", func() error { _, err := f.m.CompleteChecklistItem(ctx, supervisor, closed.ID, "x"); return err }},
		{"identify on closed", func() error {
			_, err := f.m.Identify(ctx, router, closed.ID, channel.IdentityStrong, "bank_id")
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.events(t, audit.Filter{}))
			err := tc.op()
			require.ErrorIs(t, err, session.ErrIllegalTransition)
			var se *session.StateError
			require.ErrorAs(t, err, &se)
			require.Len(t, f.events(t, audit.Filter{}), before, "a refused transition writes nothing")
		})
	}
}

func TestAccessDenials(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	waiting := f.open(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong)
	video := f.videoWithDoctor(t, channel.ErrandInfectionSymptoms)

	tests := []struct {
		name   string
		action string
		op     func() error
	}{
		{"outsider reads", "session.read", func() error { _, err := f.m.Get(ctx, outsider, video.ID); return err }},
		{"other client reads", "session.read", func() error { _, err := f.m.Get(ctx, clientB, video.ID); return err }},
		{"client writes a note", "session.note", func() error { _, err := f.m.AddNote(ctx, clientA, video.ID, "hi"); return err }},
		{"client assigns", "session.assign", func() error { _, err := f.m.Assign(ctx, clientA, waiting.ID, "nurse-1"); return err }},
		{"member assigns a colleague", "session.assign", func() error { _, err := f.m.Assign(ctx, nurse2, waiting.ID, "nurse-1"); return err }},
		{"non-member takes", "session.assign", func() error { _, err := f.m.Assign(ctx, physio1, waiting.ID, "physio-1"); return err }},
		{"team member runs a leg", "session.escalate", func() error {
			_, err := f.m.Escalate(ctx, nurse2, video.ID, session.EscalateRequest{To: channel.InPerson, Ref: "b1"})
			return err
		}},
		{"participant invites", "session.invite", func() error { _, err := f.m.Invite(ctx, doctor1, video.ID, "physio-1", "pt"); return err }},
		{"participant transfers", "session.transfer", func() error {
			_, err := f.m.Transfer(ctx, doctor1, video.ID, session.TransferRequest{Team: "team-c"})
			return err
		}},
		{"participant closes", "session.wrap_up", func() error { _, err := f.m.FinishContact(ctx, doctor1, video.ID); return err }},
		{"outsider removes participant", "session.leave", func() error { _, err := f.m.Leave(ctx, outsider, video.ID, "doctor-1"); return err }},
		{"member removes participant", "session.leave", func() error { _, err := f.m.Leave(ctx, nurse2, video.ID, "doctor-1"); return err }},
		{"outsider checklist", "session.checklist", func() error {
			_, err := f.m.CompleteChecklistItem(ctx, outsider, video.ID, "private_place")
			return err
		}},
		{"outsider identifies", "session.identify", func() error {
			_, err := f.m.Identify(ctx, outsider, video.ID, channel.IdentityStrong, "bank_id")
			return err
		}},
		{"outsider ends leg", "session.leg_end", func() error { _, err := f.m.EndLeg(ctx, outsider, video.ID, "x"); return err }},
		{"outsider closes", "session.close", func() error { _, err := f.m.Close(ctx, outsider, waiting.ID, session.OutcomeNoAnswer); return err }},
		{"outsider starts leg", "session.leg_start", func() error {
			_, err := f.m.StartLeg(ctx, outsider, waiting.ID, channel.Callback, "")
			return err
		}},
		{"outsider opens", "session.open", func() error {
			_, err := f.m.Open(ctx, outsider, session.OpenRequest{Client: "client-a", Errand: channel.ErrandOther, Team: "team-a"})
			return err
		}},
		{"client opens for another", "session.open", func() error {
			_, err := f.m.Open(ctx, clientB, session.OpenRequest{Client: "client-a", Errand: channel.ErrandOther, Team: "team-a"})
			return err
		}},
		{"nurse reports", "session.report", func() error { _, err := f.m.Report(ctx, nurse1, t0, t0.Add(time.Hour)); return err }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := f.events(t, audit.Filter{Action: tc.action})
			err := tc.op()
			require.ErrorIs(t, err, session.ErrAccessDenied)
			var ae *session.AccessError
			require.ErrorAs(t, err, &ae)
			require.Equal(t, tc.action, ae.Action)
			require.NotEmpty(t, ae.Reason)
			after := f.events(t, audit.Filter{Action: tc.action})
			require.Len(t, after, len(before)+1, "the denial is an audit event")
			last := after[len(after)-1]
			require.Equal(t, audit.Denied, last.Outcome)
			require.Equal(t, ae.Reason, last.Detail["reason"])
		})
	}
}

func TestAllowedAccess(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.videoWithDoctor(t, channel.ErrandInfectionSymptoms)
	for name, a := range map[string]audit.Actor{
		"assignee": nurse1, "participant": doctor1, "team member": nurse2, "supervisor": supervisor,
		"the client": clientA, "the system": router,
	} {
		got, err := f.m.Get(ctx, a, s.ID)
		require.NoError(t, err, name)
		require.Equal(t, s.ID, got.ID)
	}
	reads := f.events(t, audit.Filter{Action: "session.read"})
	require.Len(t, reads, 6, "every read is audited")
	_, err := f.m.AddNote(ctx, doctor1, s.ID, "rash looks viral; no antibiotics")
	require.NoError(t, err, "an invited participant writes notes")
	_, err = f.m.Leave(ctx, doctor1, s.ID, "doctor-1")
	require.NoError(t, err, "a participant leaves on their own")
	_, err = f.m.Get(ctx, doctor1, s.ID)
	require.ErrorIs(t, err, session.ErrAccessDenied, "after leaving, the participant's access ends")
	_, err = f.m.Escalate(ctx, supervisor, s.ID, session.EscalateRequest{To: channel.InPerson, Ref: "booking-1"})
	require.NoError(t, err, "a supervisor may handle any session")
	notes := f.events(t, audit.Filter{Action: "session.note"})
	require.Len(t, notes, 1)
	require.NotContains(t, fmt.Sprint(notes[0]), "viral", "note text stays out of the audit trail")
}

func TestCallbackToVideoWithTwoInvitedProfessionals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityWeak, channel.Callback, "")
	require.Equal(t, channel.Callback, s.Legs[0].Kind)

	// Video needs strong identification: refused until the client logs in.
	_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.ErrorIs(t, err, channel.ErrIdentityTooWeak)
	_, err = f.m.Identify(ctx, nurse1, s.ID, channel.IdentityStrong, "bank_id")
	require.NoError(t, err)
	f.tick(4 * time.Minute)
	s, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	require.Len(t, s.Legs, 2)
	require.Equal(t, "escalated", s.Legs[0].EndReason)
	require.Equal(t, channel.Video, s.Legs[1].Kind)
	require.Equal(t, "room-1", s.Legs[1].Ref)
	require.Equal(t, session.StateActive, s.State)

	f.tick(2 * time.Minute)
	s, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
	require.NoError(t, err)
	s, err = f.m.Invite(ctx, nurse1, s.ID, "physio-1", "physiotherapist")
	require.NoError(t, err)
	require.True(t, s.Present("doctor-1"))
	require.True(t, s.Present("physio-1"))
	_, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
	require.ErrorIs(t, err, session.ErrParticipant)

	f.tick(5 * time.Minute)
	s, err = f.m.Leave(ctx, nurse1, s.ID, "physio-1") // removed by the host
	require.NoError(t, err)
	require.False(t, s.Present("physio-1"))
	f.tick(3 * time.Minute)
	s, err = f.m.FinishContact(ctx, nurse1, s.ID)
	require.NoError(t, err)
	require.False(t, s.Present("doctor-1"), "participants leave with the leg")
	res, err := f.m.Close(ctx, nurse1, s.ID, session.OutcomeResolved)
	require.NoError(t, err)

	require.Equal(t, []string{
		"telephony.place_call call-1 client:client-a professional:nurse-1",
		"video.create_room room-1 host:nurse-1",
		"video.invite room-1 client:client-a",
		"telephony.upgrade_to_video call-1 room:room-1",
		"video.invite room-1 professional:doctor-1",
		"video.invite room-1 professional:physio-1",
		"video.remove_participant room-1 professional:physio-1",
		"video.end_room room-1",
	}, recordLines(f.tr))
	k := session.Compute([]session.Session{res.Session})
	require.Equal(t, 1, k.ChannelSwitches)
	require.Equal(t, 1, k.Switches["callback->video"])
	require.Equal(t, 4*time.Minute, k.HandlingTime[channel.Callback].Total)
	require.Equal(t, 10*time.Minute, k.HandlingTime[channel.Video].Total)
	require.Equal(t, 1.0, k.FirstContactResolution)
	require.Equal(t, 1.0, k.ProfessionalContinuity)
}

func recordLines(tr *loopback.Transport) []string {
	var out []string
	for _, r := range tr.Records() {
		out = append(out, r.String())
	}
	return out
}

func TestChatBecomesCallback(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandMentalHealth, channel.IdentityStrong, channel.Chat, "conv-7")
	_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Callback})
	require.ErrorIs(t, err, channel.ErrConsentRequired)
	f.tick(6 * time.Minute)
	s, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Callback, Consent: true,
		Notice: "A nurse is calling you now."})
	require.NoError(t, err)
	require.Equal(t, []channel.Kind{channel.Chat, channel.Callback}, []channel.Kind{s.Legs[0].Kind, s.Legs[1].Kind})
	require.Equal(t, "call-1", s.Legs[1].Ref)
	require.Equal(t, []string{
		"telephony.place_call call-1 client:client-a professional:nurse-1",
		`chat.post conv-7 from:system text:"A nurse is calling you now."`,
		"chat.close conv-7",
	}, recordLines(f.tr))
	_, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Chat, Consent: true})
	require.ErrorIs(t, err, channel.ErrEscalationNotAllowed, "callback -> chat is not in the graph")
}

func TestDuplicateAcrossChatAndCallbackWithdrawn(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	chat, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Chat, Ref: "conv-1"})
	require.NoError(t, err)
	f.tick(2 * time.Minute)
	cb, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandInfectionSymptoms, Kind: channel.Callback})
	require.NoError(t, err)
	require.True(t, cb.Duplicate())
	require.Equal(t, channel.Chat, cb.Existing.Kind)
	require.True(t, cb.Queue(), "keep-both policy: the callback stays queued, flagged")

	open := func(contact demand.Admission) session.Session {
		s, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-a", Errand: channel.ErrandInfectionSymptoms,
			Team: "team-a", Contact: contact.Contact.ID, Duplicate: contact.Duplicate(), Identity: channel.IdentityStrong})
		require.NoError(t, err)
		return s
	}
	chatSession, cbSession := open(chat), open(cb)
	res := f.handle(t, nurse1, chatSession.ID, channel.Chat, "conv-1", session.OutcomeResolved)
	require.Len(t, res.Withdrawn, 1, "the chat settled the errand: the queued callback is withdrawn")
	require.Equal(t, cb.Contact.ID, res.Withdrawn[0].ID)
	require.Equal(t, channel.Callback, res.Withdrawn[0].Kind)

	// The host rescinds the callback; its session closes as merged.
	cbClosed, err := f.m.Close(ctx, router, cbSession.ID, session.OutcomeDuplicateMerged)
	require.NoError(t, err)
	require.Empty(t, cbClosed.Withdrawn)
	stats, err := f.adm.Stats(ctx, t0, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, demand.Stats{Admitted: 2, Duplicates: 1, KeptBoth: 1, Settled: 1, Withdrawn: 1}, stats)
	k := session.Compute([]session.Session{res.Session, cbClosed.Session})
	require.Equal(t, 1, k.Duplicates)
	require.Equal(t, 0.5, k.DuplicateRate)
	require.Len(t, f.events(t, audit.Filter{Action: "channel.withdraw"}), 1)
}

func TestTransportFailureDuringEscalation(t *testing.T) {
	ctx := context.Background()
	transient := fmt.Errorf("media server busy: %w", channel.ErrTransient)
	t.Run("transient failures are retried", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
		f.tr.Fail(loopback.OpCreateRoom, transient, transient)
		s, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
		require.NoError(t, err)
		require.Equal(t, channel.Video, s.Legs[1].Kind)
		require.Equal(t, "room-3", s.Legs[1].Ref, "third attempt")
		require.Empty(t, s.Failures)
	})
	t.Run("a failure that persists keeps the call and records it", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
		f.tr.Fail(loopback.OpCreateRoom, transient, transient, transient)
		_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
		require.ErrorIs(t, err, session.ErrTransport)
		require.ErrorIs(t, err, channel.ErrTransient)
		var te *session.TransportError
		require.ErrorAs(t, err, &te)
		require.Equal(t, 3, te.Attempts)
		got, err := f.m.Get(ctx, nurse1, s.ID)
		require.NoError(t, err)
		require.Equal(t, session.StateActive, got.State)
		cur, _, ok := got.CurrentLeg()
		require.True(t, ok)
		require.Equal(t, channel.Callback, cur.Kind, "the client is still on the phone")
		require.Equal(t, []session.Failure{{Op: session.ActionEscalate, Kind: channel.Video, At: t0.Add(time.Minute), Attempts: 3, Transient: true}}, got.Failures)
		require.NotContains(t, recordLines(f.tr), "telephony.hang_up call-1")
		// The professional tries again when the service is back.
		got, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
		require.NoError(t, err)
		require.Equal(t, channel.Video, got.Legs[1].Kind)
	})
	t.Run("a final error is not retried; a failed client invitation ends the room", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
		f.tr.Fail(loopback.OpInvite, errors.New("client has no video address"))
		_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
		require.ErrorIs(t, err, session.ErrTransport)
		require.Equal(t, []string{
			"telephony.place_call call-1 client:client-a professional:nurse-1",
			"video.create_room room-1 host:nurse-1",
			"video.invite room-1 client:client-a FAILED: client has no video address",
			"video.end_room room-1",
		}, recordLines(f.tr))
	})
	t.Run("chat to video falls back to a callback", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandInfectionSymptoms, channel.IdentityStrong, channel.Chat, "conv-2")
		f.tr.Fail(loopback.OpCreateRoom, errors.New("video service down"))
		s, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true,
			Fallback: channel.Callback, Notice: "We will call you."})
		require.NoError(t, err)
		require.Equal(t, channel.Callback, s.Legs[1].Kind)
		require.Len(t, s.Failures, 1)
		require.Equal(t, channel.Callback, s.Failures[0].Fallback)
		require.Equal(t, []string{
			"video.create_room room-1 host:nurse-1 FAILED: video service down",
			"telephony.place_call call-1 client:client-a professional:nurse-1",
			`chat.post conv-2 from:system text:"We will call you."`,
			"chat.close conv-2",
		}, recordLines(f.tr))
	})
	t.Run("a failing invite of a professional changes nothing", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Video, "")
		f.tr.Fail(loopback.OpInvite, transient, transient, transient)
		_, err := f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
		require.ErrorIs(t, err, session.ErrTransport)
		got, err := f.m.Get(ctx, nurse1, s.ID)
		require.NoError(t, err)
		require.False(t, got.Present("doctor-1"))
		require.Len(t, got.Failures, 1)
	})
	t.Run("a failing callback leaves the session assigned", func(t *testing.T) {
		f := newFixture(t)
		s := f.open(t, channel.ErrandOther, channel.IdentityWeak)
		_, err := f.m.Assign(ctx, router, s.ID, "nurse-1")
		require.NoError(t, err)
		f.tr.Fail(loopback.OpPlaceCall, errors.New("trunk down"))
		_, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, "")
		require.ErrorIs(t, err, session.ErrTransport)
		got, err := f.m.Get(ctx, nurse1, s.ID)
		require.NoError(t, err)
		require.Equal(t, session.StateAssigned, got.State)
		require.Len(t, got.Failures, 1)
	})
	t.Run("a failing transfer keeps the client with the professional", func(t *testing.T) {
		f := newFixture(t)
		s := f.active(t, channel.ErrandOther, channel.IdentityWeak, channel.Callback, "")
		f.tr.Fail(loopback.OpTransfer, errors.New("queue full"))
		_, err := f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b"})
		require.ErrorIs(t, err, session.ErrTransport)
		got, err := f.m.Get(ctx, nurse1, s.ID)
		require.NoError(t, err)
		require.Equal(t, session.StateActive, got.State)
		require.Equal(t, carecontact.TeamID("team-a"), got.Team)
	})
}

// telephonyOnly hides the loopback's optional capabilities.
type telephonyOnly struct{ f *loopback.Transport }

func (t telephonyOnly) PlaceCall(ctx context.Context, req channel.CallRequest) (string, error) {
	return t.f.PlaceCall(ctx, req)
}
func (t telephonyOnly) Transfer(ctx context.Context, call, dest string) error {
	return t.f.Transfer(ctx, call, dest)
}

func TestWithoutOptionalCapabilities(t *testing.T) {
	ctx := context.Background()
	tr := loopback.New()
	f := newFixture(t, func(c *session.Config) { c.Transports.Telephony = telephonyOnly{f: tr} })
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
	s, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)
	require.Equal(t, []string{"telephony.place_call call-1 client:client-a professional:nurse-1"}, recordLines(tr),
		"without CallUpgrader or CallEnder the call is neither upgraded nor hung up by the library")
	require.Equal(t, []string{"video.create_room room-1 host:nurse-1", "video.invite room-1 client:client-a"}, recordLines(f.tr))
	require.Equal(t, channel.Video, s.Legs[1].Kind)
}

func TestFailedLegEndIsRecorded(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Video, "")
	f.tr.Fail(loopback.OpEndRoom, errors.New("room service down"))
	s, err := f.m.FinishContact(ctx, nurse1, s.ID)
	require.NoError(t, err, "the contact is over whatever the video service says")
	require.Equal(t, session.StateWrapUp, s.State)
	require.Len(t, s.Failures, 1)
	require.Equal(t, "leg.end", s.Failures[0].Op)
	require.Len(t, f.events(t, audit.Filter{Action: "session.transport_failed"}), 1)
}

func TestIdentityAndSuitability(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandVaccination, channel.IdentityStrong, channel.Callback, "")
	_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.ErrorIs(t, err, channel.ErrUnsuitable, "a vaccination is not given by video")
	s, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.InPerson, Ref: "booking-9"})
	require.NoError(t, err)
	require.Equal(t, "booking-9", s.Legs[1].Ref)

	w := f.open(t, channel.ErrandLabResults, channel.IdentityNone)
	_, err = f.m.Assign(ctx, router, w.ID, "nurse-1")
	require.NoError(t, err)
	_, err = f.m.StartLeg(ctx, nurse1, w.ID, channel.Chat, "conv-1")
	var ie *channel.IdentityError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, channel.IdentityStrong, ie.Required)
	_, err = f.m.StartLeg(ctx, nurse1, w.ID, channel.Video, "")
	require.ErrorIs(t, err, channel.ErrUnsuitable)
	_, err = f.m.Identify(ctx, nurse1, w.ID, 7, "x")
	require.ErrorIs(t, err, session.ErrInvalid)
	_, err = f.m.Identify(ctx, nurse1, w.ID, channel.IdentityStrong, "")
	require.ErrorIs(t, err, session.ErrInvalid)
}

func TestChecklistGating(t *testing.T) {
	ctx := context.Background()
	policy := checklists{
		"leg.escalate/video":       {"identity_verified", "private_place"},
		"participant.invite/video": {"consent_for_team"},
		"close/video":              {"summary_sent"},
	}
	f := newFixture(t, func(c *session.Config) { c.Checklists = policy })
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
	_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.ErrorIs(t, err, session.ErrChecklistIncomplete)
	var ce *session.ChecklistError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"identity_verified", "private_place"}, ce.Missing)
	require.Equal(t, session.ActionEscalate, ce.Action)
	require.Empty(t, f.tr.Records()[1:], "nothing was sent to the video service")

	_, err = f.m.CompleteChecklistItem(ctx, nurse1, s.ID, "identity_verified")
	require.NoError(t, err)
	_, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"private_place"}, ce.Missing)
	_, err = f.m.CompleteChecklistItem(ctx, nurse2, s.ID, "private_place") // a team member may tick it
	require.NoError(t, err)
	_, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.NoError(t, err)

	_, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"consent_for_team"}, ce.Missing)
	_, err = f.m.CompleteChecklistItem(ctx, nurse1, s.ID, "consent_for_team")
	require.NoError(t, err)
	_, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp")
	require.NoError(t, err)
	_, err = f.m.FinishContact(ctx, nurse1, s.ID)
	require.NoError(t, err)
	_, err = f.m.Close(ctx, nurse1, s.ID, session.OutcomeResolved)
	require.ErrorAs(t, err, &ce)
	require.Equal(t, session.ActionClose, ce.Action)
	_, err = f.m.CompleteChecklistItem(ctx, nurse1, s.ID, "summary_sent")
	require.NoError(t, err)
	_, err = f.m.CompleteChecklistItem(ctx, nurse1, s.ID, "summary_sent")
	require.NoError(t, err, "completing twice keeps the first mark")
	res, err := f.m.Close(ctx, nurse1, s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	require.Len(t, res.Session.Checklist, 4)
	require.Equal(t, carecontact.ProfessionalID("nurse-2"), res.Session.Checklist[1].By)
	require.Len(t, f.events(t, audit.Filter{Action: "session.checklist"}), 5)
}

func TestTransferAndContinuity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.active(t, channel.ErrandPhysiotherapy, channel.IdentityWeak, channel.Callback, "")
	s, err := f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b", Reason: "needs_physio", Destination: "queue-physio", WorkItem: "wi-2"})
	require.NoError(t, err)
	require.Equal(t, carecontact.TeamID("team-b"), s.Team)
	require.Empty(t, s.Assignee)
	require.Equal(t, carecontact.ItemID("wi-2"), s.WorkItem)
	require.Equal(t, "transferred", s.Legs[0].EndReason)
	require.Contains(t, recordLines(f.tr), "telephony.transfer call-1 to:queue-physio")
	_, err = f.m.AddNote(ctx, nurse1, s.ID, "late note")
	require.ErrorIs(t, err, session.ErrAccessDenied, "the former team no longer has access")
	res := f.handle(t, physio1, s.ID, channel.InboundPhone, "call-1", session.OutcomeResolved)
	k := session.Compute([]session.Session{res.Session})
	require.Equal(t, 0, k.FirstContactResolved, "a transferred session is not a first-contact resolution")
	require.Equal(t, 0.0, k.TeamContinuity)
	require.Equal(t, 0.0, k.ProfessionalContinuity)
	require.Equal(t, 1, k.Switches["callback->inbound_phone"])
}

func TestNoAnswerClosesTheContactOnly(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	cb, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandLabResults, Kind: channel.Callback})
	require.NoError(t, err)
	msg, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandLabResults, Kind: channel.SecureMessage})
	require.NoError(t, err)
	s, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-a", Errand: channel.ErrandLabResults, Team: "team-a",
		Contact: cb.Contact.ID, Identity: channel.IdentityWeak, IdentityMethod: "caller_number"})
	require.NoError(t, err)
	_, err = f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.NoError(t, err)
	_, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, "")
	require.NoError(t, err)
	_, err = f.m.EndLeg(ctx, nurse1, s.ID, "no_answer")
	require.NoError(t, err)
	res, err := f.m.Close(ctx, nurse1, s.ID, session.OutcomeNoAnswer)
	require.NoError(t, err)
	require.Empty(t, res.Withdrawn)
	pending, err := f.adm.Pending(ctx, router, "client-a")
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, msg.Contact.ID, pending[0].ID, "the message is still waiting for an answer")
	require.Contains(t, recordLines(f.tr), "telephony.hang_up call-1")
}

// TestReleaseForRetry: an unanswered callback goes back to the team's queue
// and whoever is free takes the retry; the session is one first contact.
func TestReleaseForRetry(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.open(t, channel.ErrandLabResults, channel.IdentityWeak)
	_, err := f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.NoError(t, err)
	_, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, "")
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		actor  audit.Actor
		reason string
		want   error
	}{
		{"while active", nurse1, "no_answer", session.ErrIllegalTransition},
		{"empty reason", nurse1, "", session.ErrInvalid},
		{"long reason", nurse1, strings.Repeat("x", 41), session.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.m.Release(ctx, tc.actor, s.ID, tc.reason)
			require.ErrorIs(t, err, tc.want)
		})
	}
	_, err = f.m.EndLeg(ctx, nurse1, s.ID, "no_answer")
	require.NoError(t, err)
	_, err = f.m.Release(ctx, nurse2, s.ID, "no_answer")
	require.ErrorIs(t, err, session.ErrAccessDenied, "only the assignee, a supervisor or the system releases")
	got, err := f.m.Release(ctx, nurse1, s.ID, "no_answer")
	require.NoError(t, err)
	require.Equal(t, session.StateWaiting, got.State)
	require.Empty(t, got.Assignee)
	require.Equal(t, carecontact.TeamID("team-a"), got.Team)
	require.Empty(t, got.Transfers)

	_, err = f.m.Assign(ctx, nurse2, s.ID, "nurse-2")
	require.NoError(t, err, "a team member takes the retry")
	_, err = f.m.StartLeg(ctx, nurse2, s.ID, channel.Callback, "")
	require.NoError(t, err)
	_, err = f.m.FinishContact(ctx, nurse2, s.ID)
	require.NoError(t, err)
	res, err := f.m.Close(ctx, nurse2, s.ID, session.OutcomeResolved)
	require.NoError(t, err)
	k := session.Compute([]session.Session{res.Session})
	require.Equal(t, 1, k.FirstContactResolved, "a retry is not a transfer")
	require.Equal(t, 0, k.ChannelSwitches, "two attempts in one channel are no switch")
	require.Contains(t, f.trail(t, s.ID), "nurse-1 session.release allowed assigned->waiting")
}

// TestFollowUpKeepsTheErrandOpen: a contact that does not settle the errand
// closes its own channel contact only; the client's other pending contacts
// stay, and it is not a first-contact resolution.
func TestFollowUpKeepsTheErrandOpen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	call, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandLabResults, Kind: channel.InboundPhone})
	require.NoError(t, err)
	msg, err := f.adm.Admit(ctx, demand.Request{Actor: clientA, Client: "client-a", Errand: channel.ErrandLabResults, Kind: channel.SecureMessage})
	require.NoError(t, err)
	s, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-a", Errand: channel.ErrandLabResults, Team: "team-a",
		Contact: call.Contact.ID, Identity: channel.IdentityWeak, IdentityMethod: "asked_in_call"})
	require.NoError(t, err)
	_, err = f.m.Close(ctx, router, s.ID, session.OutcomeFollowUp)
	require.ErrorIs(t, err, session.ErrIllegalTransition, "a follow-up needs a contact first")
	_, err = f.m.Assign(ctx, router, s.ID, "nurse-1")
	require.NoError(t, err)
	_, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.InboundPhone, "call-9")
	require.NoError(t, err)
	_, err = f.m.FinishContact(ctx, nurse1, s.ID)
	require.NoError(t, err)
	res, err := f.m.Close(ctx, nurse1, s.ID, session.OutcomeFollowUp)
	require.NoError(t, err)
	require.Empty(t, res.Withdrawn)
	pending, err := f.adm.Pending(ctx, router, "client-a")
	require.NoError(t, err)
	require.Len(t, pending, 1)
	require.Equal(t, msg.Contact.ID, pending[0].ID)
	k := session.Compute([]session.Session{res.Session})
	require.Equal(t, 1, k.Handled)
	require.Equal(t, 0, k.FirstContactResolved)
	require.Equal(t, 1, k.Outcomes[session.OutcomeFollowUp])
	require.False(t, session.OutcomeFollowUp.Settles())
}

func TestBadRequests(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.open(t, channel.ErrandOther, channel.IdentityWeak)
	for name, op := range map[string]func() error{
		"open without client": func() error {
			_, err := f.m.Open(ctx, router, session.OpenRequest{Errand: channel.ErrandOther, Team: "t"})
			return err
		},
		"open without team": func() error {
			_, err := f.m.Open(ctx, router, session.OpenRequest{Client: "c", Errand: channel.ErrandOther})
			return err
		},
		"open without errand": func() error {
			_, err := f.m.Open(ctx, router, session.OpenRequest{Client: "c", Team: "t"})
			return err
		},
		"assign nobody":    func() error { _, err := f.m.Assign(ctx, router, s.ID, ""); return err },
		"empty note":       func() error { _, err := f.m.AddNote(ctx, supervisor, s.ID, ""); return err },
		"bad leg kind":     func() error { _, err := f.m.StartLeg(ctx, router, s.ID, "fax", ""); return err },
		"bad outcome":      func() error { _, err := f.m.Close(ctx, router, s.ID, "fine"); return err },
		"transfer nowhere": func() error { _, err := f.m.Transfer(ctx, router, s.ID, session.TransferRequest{}); return err },
		"empty item":       func() error { _, err := f.m.CompleteChecklistItem(ctx, router, s.ID, ""); return err },
		"empty id":         func() error { _, err := f.m.Get(ctx, router, ""); return err },
		"escalate nowhere": func() error {
			_, err := f.m.Escalate(ctx, router, s.ID, session.EscalateRequest{To: "fax"})
			return err
		},
		"end leg no reason": func() error { _, err := f.m.EndLeg(ctx, router, s.ID, ""); return err },
		"invite nobody":     func() error { _, err := f.m.Invite(ctx, router, s.ID, "", ""); return err },
	} {
		require.ErrorIs(t, op(), session.ErrInvalid, name)
	}
	_, err := f.m.Get(ctx, router, "missing")
	require.ErrorIs(t, err, session.ErrNotFound)
	_, err = f.m.Get(ctx, audit.Actor{Kind: "robot", ID: "r"}, s.ID)
	require.ErrorIs(t, err, audit.ErrInvalidEvent, "an unknown actor kind is invalid input, refused before the read and audited")
	_, err = f.m.AddNote(ctx, router, s.ID, "system note")
	require.ErrorIs(t, err, session.ErrInvalid, "notes are written by professionals")
	_, err = session.New(session.Config{})
	require.ErrorIs(t, err, session.ErrInvalid)
}

func TestSessionJSONRoundTrip(t *testing.T) {
	f := newFixture(t)
	s := f.videoWithDoctor(t, channel.ErrandWoundCare)
	data, err := json.Marshal(s)
	require.NoError(t, err)
	var back session.Session
	require.NoError(t, json.Unmarshal(data, &back))
	require.Equal(t, s, back, "adapters may store a session as a JSON document")
}

func TestEscalationNeedsTheLegStartChecklistToo(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *session.Config) {
		c.Checklists = checklists{"leg.start/video": {"camera_tested"}, "leg.escalate/video": {"consent_recorded"}}
	})
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityStrong, channel.Callback, "")
	_, err := f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	var ce *session.ChecklistError
	require.ErrorAs(t, err, &ce)
	require.Equal(t, []string{"consent_recorded", "camera_tested"}, ce.Missing)
}

func TestActionIdentity(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, func(c *session.Config) {
		c.ActionIdentity = map[string]channel.IdentityLevel{session.ActionTransfer: channel.IdentityStrong}
	})
	s := f.active(t, channel.ErrandOther, channel.IdentityWeak, channel.Callback, "")
	_, err := f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b"})
	require.ErrorIs(t, err, channel.ErrIdentityTooWeak)
	_, err = f.m.Identify(ctx, nurse1, s.ID, channel.IdentityStrong, "mobile_certificate")
	require.NoError(t, err)
	_, err = f.m.Transfer(ctx, nurse1, s.ID, session.TransferRequest{Team: "team-b"})
	require.NoError(t, err)
}

// Default session IDs never look like personal data to the audit validator.
func TestNewIDIsAuditSafe(t *testing.T) {
	for range 20000 {
		id := session.NewID()
		e := audit.Event{At: t0, Actor: audit.System("t"), Action: "session.open", Subject: "session/" + id, Outcome: audit.Allowed}
		require.NoError(t, e.Validate(), id)
	}
}
