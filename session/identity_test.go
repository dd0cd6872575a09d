package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// Strong identification comes from the identification service, never from
// a professional's assertion, and it expires.
func TestStrongIdentificationComesFromTheService(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		identifier session.Identifier
		ok         bool
	}{
		{"confirmed", identified, true},
		{"no service", nil, false},
		{"client never identified", session.Identifications{}, false},
		{"only weak", session.Identifications{"client-a": {Level: channel.IdentityWeak, Method: "sms", At: t0}}, false},
		{"expired", session.Identifications{"client-a": {Level: channel.IdentityStrong, Method: "bank_id", At: t0.Add(-2 * time.Hour), Until: t0.Add(-time.Hour)}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *session.Config) { c.Identifier = tc.identifier })
			s := f.active(t, channel.ErrandWoundCare, channel.IdentityWeak, channel.Callback, "")
			got, err := f.m.Identify(ctx, nurse1, s.ID, channel.IdentityStrong, "asked_in_call")
			evs := f.events(t, audit.Filter{Action: "session.identify"})
			require.Len(t, evs, 1)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, channel.IdentityStrong, got.Identity)
				require.Equal(t, "bank_id", got.IdentityMethod, "the service's method, not the professional's word")
				require.Equal(t, audit.Allowed, evs[0].Outcome)
				return
			}
			require.ErrorIs(t, err, session.ErrNotIdentified)
			require.Equal(t, audit.Denied, evs[0].Outcome)
			again, err := f.m.Get(ctx, nurse1, s.ID)
			require.NoError(t, err)
			require.Equal(t, channel.IdentityWeak, again.Identity, "nothing recorded")
		})
	}
}

// A strong identification lapses at its expiry: video then needs it anew.
func TestIdentificationExpires(t *testing.T) {
	ctx := context.Background()
	ids := session.Identifications{"client-a": {Level: channel.IdentityStrong, Method: "bank_id", At: t0, Until: t0.Add(30 * time.Minute)}}
	f := newFixture(t, func(c *session.Config) { c.Identifier = ids })
	s := f.active(t, channel.ErrandWoundCare, channel.IdentityWeak, channel.Callback, "")
	s, err := f.m.Identify(ctx, nurse1, s.ID, channel.IdentityStrong, "bank_id")
	require.NoError(t, err)
	require.Equal(t, channel.IdentityStrong, s.IdentityAt(t0.Add(29*time.Minute)))
	require.Equal(t, channel.IdentityNone, s.IdentityAt(t0.Add(30*time.Minute)))
	f.tick(45 * time.Minute)
	_, err = f.m.Escalate(ctx, nurse1, s.ID, session.EscalateRequest{To: channel.Video, Consent: true})
	require.ErrorIs(t, err, channel.ErrIdentityTooWeak, "the identification has lapsed")
}

// A client reads their session, which holds health data, only with the
// identification the matrix names for the errand in writing; the refusal
// is audited.
func TestClientReadsHealthDataIdentified(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name       string
		identifier session.Identifier
		ok         bool
	}{
		{"identified by the service", identified, true},
		{"no service", nil, false},
		{"expired", session.Identifications{"client-a": {Level: channel.IdentityStrong, Method: "bank_id", At: t0.Add(-2 * time.Hour), Until: t0}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *session.Config) { c.Identifier = tc.identifier })
			s := f.open(t, channel.ErrandLabResults, channel.IdentityWeak)
			_, err := f.m.Get(ctx, clientA, s.ID)
			evs := f.events(t, audit.Filter{Action: "session.read", ActorID: clientA.ID})
			require.Len(t, evs, 1)
			if tc.ok {
				require.NoError(t, err)
				require.Equal(t, audit.Allowed, evs[0].Outcome)
				return
			}
			require.ErrorIs(t, err, session.ErrNotIdentified)
			require.ErrorIs(t, err, channel.ErrIdentityTooWeak)
			require.Equal(t, audit.Denied, evs[0].Outcome)
		})
	}
}
