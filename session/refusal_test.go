package session_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/carecontact/carecontact/audit"
	"github.com/carecontact/carecontact/channel"
	"github.com/carecontact/carecontact/session"
)

// TestGetRefusalsAuditedWithoutIdentity: a refused read is audited as
// denied with the actor's kind, and neither the error nor the event
// repeats an ID that may be personal data.
func TestGetRefusalsAuditedWithoutIdentity(t *testing.T) {
	const code = "131052-308T"
	cases := []struct {
		name     string
		actor    audit.Actor
		id       string // "" means the opened session
		wantErr  error
		wantKind string
		wantWho  audit.Actor
	}{
		{"zero actor", audit.Actor{}, "", audit.ErrInvalidEvent, "none",
			audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}},
		{"unknown kind", audit.Actor{Kind: "robot", ID: "r2"}, "", audit.ErrInvalidEvent, "unknown",
			audit.Actor{Kind: audit.ActorSystem, ID: audit.Unidentified}},
		{"client with an identity code as ID", audit.Actor{Kind: audit.ActorClient, ID: code}, "", audit.ErrInvalidEvent, "client",
			audit.Actor{Kind: audit.ActorClient, ID: audit.Unidentified}},
		{"identity code as session ID", nurse1, code, session.ErrInvalid, "professional", nurse1},
		{"phone number as session ID", clientA, "040 123 4567", session.ErrInvalid, "client", clientA},
		{"other client", clientB, "", session.ErrAccessDenied, "", clientB},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			s := f.open(t, channel.ErrandOther, channel.IdentityNone)
			id := tc.id
			if id == "" {
				id = s.ID
			}
			_, err := f.m.Get(context.Background(), tc.actor, id)
			require.ErrorIs(t, err, tc.wantErr)
			require.NotContains(t, err.Error(), "131052")
			require.NotContains(t, err.Error(), "123 4567")
			denied := f.events(t, audit.Filter{Action: "session.read"})
			require.Len(t, denied, 1)
			ev := denied[0]
			require.Equal(t, audit.Denied, ev.Outcome)
			require.Equal(t, tc.wantWho, ev.Actor)
			require.NoError(t, ev.Validate())
			if tc.wantKind != "" {
				require.Equal(t, tc.wantKind, ev.Detail["actor_kind"])
			}
			for k, v := range ev.Detail {
				require.False(t, strings.Contains(k+v, "131052") || strings.Contains(k+v, "4567"), "detail %s=%s", k, v)
			}
		})
	}
}
