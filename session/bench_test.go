package session_test

import (
	"context"
	"testing"

	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// BenchmarkLifecycle: one whole contact through the memory store and the
// loopback transport: open, assign, callback, escalate to video, invite a
// doctor, wrap up, close (settling the contact).
func BenchmarkLifecycle(b *testing.B) {
	ctx := context.Background()
	t := &testing.T{}
	f := newFixture(t)
	b.ReportAllocs()
	for b.Loop() {
		s, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-a", Errand: channel.ErrandWoundCare,
			Team: "team-a", Identity: channel.IdentityStrong})
		if err != nil {
			b.Fatal(err)
		}
		steps := []func() error{
			func() (err error) { _, err = f.m.Assign(ctx, router, s.ID, "nurse-1"); return },
			func() (err error) { _, err = f.m.StartLeg(ctx, nurse1, s.ID, channel.Callback, ""); return },
			func() (err error) {
				_, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
				return
			},
			func() (err error) { _, err = f.m.Invite(ctx, nurse1, s.ID, "doctor-1", "gp"); return },
			func() (err error) { _, err = f.m.FinishContact(ctx, nurse1, s.ID); return },
			func() (err error) { _, err = f.m.Close(ctx, nurse1, s.ID, session.OutcomeResolved); return },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkGet: an audited read with access control.
func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	f := newFixture(&testing.T{})
	s, err := f.m.Open(ctx, router, session.OpenRequest{Client: "client-a", Errand: channel.ErrandWoundCare, Team: "team-a"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.m.Get(ctx, nurse2, s.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePersonalCode(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := session.ParsePersonalCode("131052-308T"); err != nil {
			b.Fatal(err)
		}
	}
}
