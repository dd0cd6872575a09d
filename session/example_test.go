package session_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/carecontact/carecontact"
	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/channel/loopback"
	"github.com/carecontact/carecontact/session"
	"github.com/carecontact/carecontact/storage/memory"
)

// A nurse's callback becomes a video call with a doctor invited.
func ExampleManager_Escalate() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	log := memory.NewAuditLog()
	tr := loopback.New()
	m, _ := session.New(session.Config{
		Store: memory.NewSessionStore(log), Audit: log, Teams: session.Teams{"team-a": {"nurse-1"}, "team-gp": {"doctor-7"}},
		Clock:      carecontact.ClockFunc(func() time.Time { return now }),
		Transports: channel.Transports{Telephony: tr, Video: tr},
		NewID:      func() string { return "s1" },
		// The host's identification service: the client completes bank ID
		// on their phone during the call.
		Identifier: session.Identifications{"client-42": {Level: channel.IdentityStrong, Method: "bank_id", At: now, Until: now.Add(time.Hour)}},
	})
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	s, _ := m.Open(ctx, audit.System("routing"), session.OpenRequest{
		Client: "client-42", Errand: channel.ErrandWoundCare, Team: "team-a", Identity: channel.IdentityWeak})
	s, _ = m.Assign(ctx, nurse, s.ID, "nurse-1")
	s, _ = m.StartLeg(ctx, nurse, s.ID, channel.Callback, "")

	_, err := m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	fmt.Println(errors.Is(err, channel.ErrIdentityTooWeak))
	_, _ = m.Identify(ctx, nurse, s.ID, channel.IdentityStrong, "bank_id")
	s, _ = m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	s, _ = m.Invite(ctx, nurse, s.ID, "doctor-7", "gp")
	for _, l := range s.Legs {
		fmt.Printf("%s %s running=%v\n", l.Kind, l.Ref, l.Running())
	}
	for _, r := range tr.Records() {
		fmt.Println(r)
	}
	// Output:
	// true
	// callback call-1 running=false
	// video room-1 running=true
	// telephony.place_call call-1 client:client-42 professional:nurse-1
	// video.create_room room-1 host:nurse-1
	// video.invite room-1 client:client-42
	// telephony.upgrade_to_video call-1 room:room-1
	// video.invite room-1 professional:doctor-7
}

// Denied attempts are typed errors and audit events.
func ExampleAccessError() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	log := memory.NewAuditLog()
	m, _ := session.New(session.Config{
		Store: memory.NewSessionStore(log), Audit: log, Teams: session.Teams{"team-a": {"nurse-1"}},
		Clock: carecontact.ClockFunc(func() time.Time { return now }),
		NewID: func() string { return "s1" },
	})
	s, _ := m.Open(ctx, audit.System("routing"), session.OpenRequest{Client: "client-42", Errand: channel.ErrandOther, Team: "team-a"})
	_, err := m.Get(ctx, audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-9"}, s.ID)
	var ae *session.AccessError
	fmt.Println(errors.As(err, &ae), ae.Reason)
	denied, _ := log.Events(ctx, audit.Filter{Action: "session.read"})
	fmt.Println(denied[0].Actor, denied[0].Outcome, denied[0].Subject)
	// Output:
	// true not assigned, invited, a member of the owning team or a supervisor
	// professional:nurse-9 denied session/s1
}

func ExampleParsePersonalCode() {
	p, err := session.ParsePersonalCode("131052-308T")
	fmt.Println(err, p, p.BirthDate().Format(time.DateOnly))
	_, err = session.ParsePersonalCode("131052-308U")
	fmt.Println(err)
	// Output:
	// <nil> [personal code redacted] 1952-10-13
	// session: invalid personal identity code: code: check character does not match
}

func ExampleCompute() {
	t0 := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	s := session.Session{State: session.StateClosed, Outcome: session.OutcomeResolved, Team: "t", OwnTeam: "t",
		ClosedAt: t0.Add(time.Hour), Legs: []session.Leg{
			{Kind: channel.Callback, By: "n1", StartedAt: t0, EndedAt: t0.Add(4 * time.Minute)},
			{Kind: channel.Video, By: "n1", StartedAt: t0.Add(4 * time.Minute), EndedAt: t0.Add(16 * time.Minute)},
		}}
	k := session.Compute([]session.Session{s})
	fmt.Println(k.FirstContactResolution, k.TeamContinuity, k.Switches, k.HandlingTime[channel.Video].Mean)
	// Output: 1 1 map[callback->video:1] 12m0s
}

type videoChecklist struct{}

// Required asks for two items before any video leg.
func (videoChecklist) Required(action string, k channel.Kind) []string {
	if k == channel.Video && (action == session.ActionStartLeg || action == session.ActionEscalate) {
		return []string{"private_place", "camera_tested"}
	}
	return nil
}

// A checklist gates the switch to video until its items are completed.
func ExampleChecklistError() {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	log := memory.NewAuditLog()
	m, _ := session.New(session.Config{
		Store: memory.NewSessionStore(log), Audit: log, Teams: session.Teams{"team-a": {"nurse-1"}},
		Clock:      carecontact.ClockFunc(func() time.Time { return now }),
		Checklists: videoChecklist{},
		NewID:      func() string { return "s1" },
	})
	nurse := audit.Actor{Kind: audit.ActorProfessional, ID: "nurse-1"}
	s, _ := m.Open(ctx, audit.System("routing"), session.OpenRequest{
		Client: "client-42", Errand: channel.ErrandWoundCare, Team: "team-a", Identity: channel.IdentityStrong})
	_, _ = m.Assign(ctx, nurse, s.ID, "nurse-1")
	_, _ = m.StartLeg(ctx, nurse, s.ID, channel.Callback, "")

	_, err := m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	var ce *session.ChecklistError
	fmt.Println(errors.As(err, &ce), ce.Missing)
	_, _ = m.CompleteChecklistItem(ctx, nurse, s.ID, "private_place")
	_, _ = m.CompleteChecklistItem(ctx, nurse, s.ID, "camera_tested")
	s, err = m.Escalate(ctx, nurse, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	fmt.Println(err, s.LastKind())
	// Output:
	// true [private_place camera_tested]
	// <nil> video
}
